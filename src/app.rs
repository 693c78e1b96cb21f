//! The root component: owns the reducer, autosaves, applies the theme and the pane width, opens
//! share links, and lays out the header, the editor and the side panel.

use crate::bridge::{self, EditorBridge};
use crate::components::{EditorPane, Header, NoticeBar, SidePanel, Splitter};
use crate::share;
use crate::state::{Action, Settings, State, Workspace};
use crate::storage;
use yew::prelude::*;

const WORKSPACE_KEY: &str = "workspace";
const SETTINGS_KEY: &str = "settings";
/// The foundation slice saved the bare policy text under this key; read once as a fallback.
const LEGACY_POLICY_KEY: &str = "policy";

fn load_workspace() -> Option<Workspace> {
    storage::load::<Workspace>(WORKSPACE_KEY).or_else(|| {
        storage::load::<String>(LEGACY_POLICY_KEY).map(|policy| Workspace {
            policy,
            ..Workspace::default()
        })
    })
}

#[function_component(App)]
pub fn app() -> Html {
    let state =
        use_reducer(|| State::restore(load_workspace(), storage::load::<Settings>(SETTINGS_KEY)));
    let bridge = use_memo((), |_| EditorBridge::default());
    let bridge: EditorBridge = (*bridge).clone();
    let root = use_node_ref();

    // Mounted: drop the loading message, and open a share link if the address carries one,
    // now or later (pasting a link into the same tab only changes the fragment: no reload).
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            if let Some(loading) = dom::document().and_then(|d| d.get_element_by_id("loading")) {
                loading.remove();
            }
            let open = move || open_share_link(dispatcher.clone());
            open();
            let listener = wasm_bindgen::closure::Closure::<dyn Fn()>::new(open);
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
                );
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
                    );
                }
            }
        });
    }

    // Autosave the workspace on every change. A share link in the address bar describes the
    // state it was made from; once the text moves on it would bring back old text on reload.
    {
        let state = state.clone();
        use_effect_with(
            (state.version, state.scenario.clone()),
            move |(version, _)| {
                if *version > 0 {
                    storage::save(WORKSPACE_KEY, &state.workspace());
                    if dom::location_hash().is_some_and(|h| share::token(&h).is_some()) {
                        dom::clear_hash();
                    }
                }
            },
        );
    }

    // Settings: save, and apply the theme and the side panel's width.
    {
        let root = root.clone();
        use_effect_with(state.settings.clone(), move |settings| {
            storage::save(SETTINGS_KEY, settings);
            dom::set_theme(settings.theme.attribute());
            if let Some(el) = root.cast::<web_sys::HtmlElement>() {
                let _ = el
                    .style()
                    .set_property("--side-width", &format!("{}%", settings.side_width()));
            }
        });
    }

    let dispatch = {
        let state = state.clone();
        Callback::from(move |action: Action| state.dispatch(action))
    };
    let system_dark = dom::prefers_dark();

    html! {
        <div class="app" ref={root}>
            <Header
                example={state.example.map(|e| e.id)}
                source={state.source.clone()}
                scenario={state.scenario.clone()}
                dark={state.settings.theme.is_dark(system_dark)}
                bridge={bridge.clone()}
                dispatch={dispatch.clone()}
            />
            <main class="workspace" aria-label="Policy workspace">
                <EditorPane
                    bridge={bridge.clone()}
                    source={state.source.clone()}
                    revision={state.revision}
                    problems={state.problems.clone()}
                    summary={state.summary()}
                    dispatch={dispatch.clone()}
                />
                <Splitter side_width={state.settings.side_width()} dispatch={dispatch.clone()} />
                <SidePanel
                    tab={state.settings.tab()}
                    problems={state.problems.clone()}
                    example={state.example}
                    scenario={state.scenario.clone()}
                    bridge={bridge}
                    dispatch={dispatch.clone()}
                />
            </main>
            <NoticeBar notice={state.notice.clone()} {dispatch} />
        </div>
    }
}

/// Load the workspace from a `#s=…` share link in the address, if there is one.
fn open_share_link(dispatcher: UseReducerDispatcher<State>) {
    let Some(hash) = dom::location_hash() else {
        return;
    };
    let Some(token) = share::token(&hash).map(str::to_string) else {
        return;
    };
    yew::platform::spawn_local(async move {
        let result = match bridge::decode(&token).await {
            Ok(json) => share::parse(&json),
            Err(e) => Err(format!("the link's content is damaged ({e})")),
        };
        match result {
            Ok(workspace) => dispatcher.dispatch(Action::LoadShared(workspace)),
            Err(e) => {
                dom::clear_hash();
                dispatcher.dispatch(Action::Notify(format!(
                    "Could not open the share link: {e}."
                )));
            }
        }
    });
}

/// The few DOM reads and writes the root needs, each failing quietly.
pub mod dom {
    pub fn document() -> Option<web_sys::Document> {
        web_sys::window()?.document()
    }

    pub fn location_hash() -> Option<String> {
        web_sys::window()?.location().hash().ok()
    }

    /// Drop the `#…` from the address bar without a reload or a history entry.
    pub fn clear_hash() {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
            return;
        };
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("{path}{search}")),
            );
        }
    }

    /// Put `url` in the address bar (share links), without a reload or a history entry.
    pub fn replace_url(url: &str) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
        }
    }

    /// The page's address without its fragment.
    pub fn base_url() -> Option<String> {
        let href = web_sys::window()?.location().href().ok()?;
        Some(match href.split_once('#') {
            Some((base, _)) => base.to_string(),
            None => href,
        })
    }

    pub fn prefers_dark() -> bool {
        web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches())
    }

    /// `<html data-theme="…">`; `None` removes it so CSS follows the system setting.
    pub fn set_theme(theme: Option<&str>) {
        let Some(html) = document().and_then(|d| d.document_element()) else {
            return;
        };
        let _ = match theme {
            Some(t) => html.set_attribute("data-theme", t),
            None => html.remove_attribute("data-theme"),
        };
    }

    /// Focus the element with this id (roving focus in tab lists and menus).
    pub fn focus_id(id: &str) {
        use wasm_bindgen::JsCast;
        if let Some(el) = document()
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
}
