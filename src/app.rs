//! The root component: owns the reducer, autosaves, applies the theme and the pane width, opens
//! share links and rule pages (`#s=…`, `#rule/…`), handles the page-wide shortcuts
//! (Shift+Alt+F formats, Ctrl/Cmd+Enter runs), and lays out the header, the editor, the side
//! panel and the rule dialog.

use crate::bridge::{self, EditorBridge};
use crate::components::{
    EditorPane, Header, Lazy, LessonsPaneProps, NoticeBar, Panel, RulePageProps, SidePanel,
    Splitter,
};
use crate::lessons::{self, Lessons, SharedLesson, Source};
use crate::rule_docs;
use crate::share;
use crate::state::{Action, Settings, State, TabId, Workspace};
use crate::storage;
use crate::wire::{Outcome, Task};
use crate::worker_client;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

const WORKSPACE_KEY: &str = "workspace";
/// How long autosave waits for typing to pause.
const AUTOSAVE_DELAY_MS: u32 = 300;
const SETTINGS_KEY: &str = "settings";
/// The foundation slice saved the bare policy text under this key; read once as a fallback.
const LEGACY_POLICY_KEY: &str = "policy";
/// Workshop mode: the course's source, the lesson in the editor, progress per lesson.
const LESSONS_KEY: &str = "lessons";
/// The files of a course opened from a file or folder.
const LESSON_FILES_KEY: &str = "lesson-files";

fn load_workspace() -> Option<Workspace> {
    storage::load_as(WORKSPACE_KEY, Workspace::read).or_else(|| {
        storage::load_as(LEGACY_POLICY_KEY, |v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| "not a string".to_string())
        })
        .map(|policy| Workspace {
            policy,
            ..Workspace::default()
        })
    })
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let lessons = Lessons::restore(
            lessons::Saved::read(&storage::load(LESSONS_KEY).unwrap_or_default()),
            storage::load(LESSON_FILES_KEY).map(|v| lessons::read_pairs(&v)),
        );
        State::restore(
            load_workspace(),
            storage::load_as(SETTINGS_KEY, Settings::read),
        )
        .with_lessons(lessons)
    });
    let bridge = use_memo((), |_| EditorBridge::default());
    let bridge: EditorBridge = (*bridge).clone();
    let root = use_node_ref();

    // Mounted: drop the loading message, and open a share link or a rule page if the address
    // carries one, now or later (a link into the same tab only changes the fragment: no reload).
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            if let Some(loading) = dom::document().and_then(|d| d.get_element_by_id("loading")) {
                loading.remove();
            }
            open_course_param(&dispatcher);
            let open = move || open_route(dispatcher.clone());
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

    // Page-wide shortcuts (the editor binds the same keys itself and marks them handled).
    let in_lesson = use_mut_ref(|| false);
    *in_lesson.borrow_mut() = state.lessons.current.is_some();
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(
                move |e: web_sys::KeyboardEvent| {
                    if let Some(action) = shortcut(&e, *in_lesson.borrow()) {
                        e.prevent_default();
                        dispatcher.dispatch(action);
                    }
                },
            );
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "keydown",
                    wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
                );
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "keydown",
                        wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
                    );
                }
            }
        });
    }

    // Autosave the workspace (policy, scenario, export settings) a moment after the last
    // change, and at once when the page is hidden or left, so a burst of typing writes once
    // (a 1,000-line policy is tens of kilobytes of JSON per write). A share link in the address
    // bar describes the state it was made from; once the work moves on it would bring back old
    // text on reload, so it goes at the first change.
    let pending: Rc<RefCell<Option<(Workspace, lessons::Saved)>>> = use_mut_ref(|| None);
    let timer: Rc<RefCell<Option<gloo::timers::callback::Timeout>>> = use_mut_ref(|| None);
    {
        let pending = pending.clone();
        use_effect_with((), move |_| {
            let flush = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                if let Some((w, l)) = pending.borrow_mut().take() {
                    storage::save(WORKSPACE_KEY, &w);
                    storage::save(LESSONS_KEY, &l);
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                for event in ["pagehide", "visibilitychange"] {
                    let _ = w.add_event_listener_with_callback(
                        event,
                        wasm_bindgen::JsCast::unchecked_ref(flush.as_ref()),
                    );
                }
            }
            move || {
                if let Some(w) = window {
                    for event in ["pagehide", "visibilitychange"] {
                        let _ = w.remove_event_listener_with_callback(
                            event,
                            wasm_bindgen::JsCast::unchecked_ref(flush.as_ref()),
                        );
                    }
                }
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.version, move |version| {
            if *version > 0 {
                let saved = state.lessons.saved(&state.source, &state.scenario);
                *pending.borrow_mut() = Some((state.playground_workspace(), saved));
                let pending = pending.clone();
                *timer.borrow_mut() = Some(gloo::timers::callback::Timeout::new(
                    AUTOSAVE_DELAY_MS,
                    move || {
                        if let Some((w, l)) = pending.borrow_mut().take() {
                            storage::save(WORKSPACE_KEY, &w);
                            storage::save(LESSONS_KEY, &l);
                        }
                    },
                ));
                if dom::location_hash().is_some_and(|h| share::token(&h).is_some()) {
                    dom::clear_hash();
                }
            }
        });
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

    // The worker (simulator, exporter): started when the Simulate or Export tab first shows;
    // each pending run goes to it, and its answer comes back as an action.
    use_effect_with(state.settings.tab(), |tab| {
        if matches!(tab, TabId::Simulate | TabId::Export) {
            worker_client::warm_up();
        }
    });
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.pending.clone(), move |pending| {
            if let Some(run) = pending {
                let on_answer = dispatch.reform(|outcome| match outcome {
                    Outcome::Simulated(reply) => Action::SimDone(reply),
                    Outcome::Failed(why) => Action::SimFailed(why),
                    _ => Action::SimFailed("the worker answered another question".to_string()),
                });
                worker_client::send(Task::Simulate(run.request()), on_answer);
            }
        });
    }

    // Workshop mode: a course file's files are kept; the course is read by the worker when a
    // load is asked for (the Lessons view opens, another course is chosen), and each check
    // goes to the worker too.
    use_effect_with(state.lessons.files.clone(), |files| {
        if let Some(files) = files {
            storage::save(LESSON_FILES_KEY, &**files);
        }
    });
    {
        let dispatch = dispatch.clone();
        let lessons = state.lessons.clone();
        use_effect_with(state.lessons.load, move |load| {
            if *load > 0 {
                load_course(*load, &lessons, dispatch);
            }
        });
    }
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.lessons.pending.clone(), move |pending| {
            if let Some(check) = pending {
                let on_answer = dispatch.reform(|outcome| match outcome {
                    Outcome::LessonChecked(c) => Action::LessonChecked(c),
                    Outcome::Failed(why) => Action::CheckFailed(why),
                    _ => Action::CheckFailed("the worker answered another question".to_string()),
                });
                let task = Task::LessonCheck {
                    id: check.id,
                    lesson: check.json.to_string(),
                    policy: check.policy.to_string(),
                    scenario: check.scenario.to_string(),
                };
                worker_client::send(task, on_answer);
            }
        });
    }

    // An example whose texts are not compiled in: fetch `examples.json` (once) and hand them over.
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.fetching_example, move |id| {
            if let Some(id) = *id {
                yew::platform::spawn_local(async move {
                    let texts = fetch_examples()
                        .await
                        .and_then(|file| crate::examples::read_texts(&file, id));
                    dispatch.emit(Action::ExampleFetched(id, texts));
                });
            }
        });
    }

    let system_dark = dom::prefers_dark();
    let shared_lesson = SharedLesson::of(&state.lessons);
    let stale_check = state
        .lessons
        .report
        .as_ref()
        .is_some_and(|r| r.policy != state.source || r.scenario != state.scenario);

    html! {
        <div class="app" ref={root}>
            <Header
                example={state.example.map(|e| e.id)}
                source={state.source.clone()}
                scenario={state.scenario.clone()}
                export={state.export.clone()}
                dark={state.settings.theme.is_dark(system_dark)}
                lessons={state.lessons.open}
                {shared_lesson}
                bridge={bridge.clone()}
                dispatch={dispatch.clone()}
            />
            <main class={classes!("workspace", state.lessons.open.then_some("with-lessons"))} aria-label="Policy workspace">
                if state.lessons.open {
                    <Lazy active=true panel={Panel::new(LessonsPaneProps {
                        lessons: state.lessons.clone(),
                        stale: stale_check,
                        bridge: bridge.clone(),
                        dispatch: dispatch.clone(),
                    })} />
                }
                <EditorPane
                    bridge={bridge.clone()}
                    source={state.source.clone()}
                    revision={state.revision}
                    problems={state.problems.clone()}
                    options={state.options.clone()}
                    summary={state.summary()}
                    dispatch={dispatch.clone()}
                />
                <Splitter side_width={state.settings.side_width()} dispatch={dispatch.clone()} />
                <SidePanel
                    tab={state.settings.tab()}
                    problems={state.problems.clone()}
                    example={state.example}
                    source={state.source.clone()}
                    scenario={state.scenario.clone()}
                    scenario_model={state.scenario_model.clone()}
                    scenario_error={state.scenario_error.clone()}
                    export={state.export.clone()}
                    reveal_secrets={state.reveal_secrets}
                    sim={state.sim.clone()}
                    running={state.pending.is_some()}
                    bridge={bridge.clone()}
                    dispatch={dispatch.clone()}
                />
            </main>
            <NoticeBar notice={state.notice.clone()} dispatch={dispatch.clone()} />
            if let Some(code) = state.rule {
                <Lazy active=true panel={Panel::new(RulePageProps {
                    code,
                    export: state.export.clone(),
                    scenario: state.scenario_model.clone(),
                    bridge,
                    dispatch,
                })} />
            }
        </div>
    }
}

/// The action of a page-wide shortcut: Shift+Alt+F formats (not while typing in a form
/// field, where it would surprise), Ctrl/Cmd+Enter runs (from anywhere, the scenario form
/// included). Events the editor already handled are skipped.
fn shortcut(e: &web_sys::KeyboardEvent, in_lesson: bool) -> Option<Action> {
    if e.default_prevented() || e.repeat() {
        return None;
    }
    let command = e.ctrl_key() || e.meta_key();
    if command && !e.alt_key() && e.shift_key() && e.key() == "Enter" && in_lesson {
        return Some(Action::CheckLesson);
    }
    if command && !e.alt_key() && e.key() == "Enter" {
        return Some(Action::Run);
    }
    if e.shift_key() && e.alt_key() && !command && e.code() == "KeyF" {
        let in_field = e
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        return (!in_field).then_some(Action::Format);
    }
    None
}

thread_local! {
    /// `examples.json`, once fetched.
    static EXAMPLES_FILE: RefCell<Option<Rc<str>>> = const { RefCell::new(None) };
}

async fn fetch_examples() -> Result<Rc<str>, String> {
    if let Some(file) = EXAMPLES_FILE.with(|f| f.borrow().clone()) {
        return Ok(file);
    }
    let file: Rc<str> = rule_docs::fetch_text(crate::examples::FILE).await?.into();
    EXAMPLES_FILE.with(|f| *f.borrow_mut() = Some(file.clone()));
    Ok(file)
}

/// `?course=courses/my-workshop.json`: open that course (a relative path on this host only).
fn open_course_param(dispatcher: &UseReducerDispatcher<State>) {
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return;
    };
    let Some(value) = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("course="))
    else {
        return;
    };
    let value = js_sys::decode_uri_component(&value.replace('+', " "))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| value.to_string());
    match lessons::course_url(&value) {
        Ok(path) => dispatcher.dispatch(Action::OpenCourse(Source::Url(path.to_string()), None)),
        Err(why) => dispatcher.dispatch(Action::Notify(why)),
    }
}

/// Read the course of load `n`: fetch it (the built-in or a hosted one) or take its files, and
/// let the worker parse it.
fn load_course(n: u64, lessons: &Lessons, dispatch: Callback<Action>) {
    let source = lessons.source.clone();
    let files = lessons.files.clone();
    yew::platform::spawn_local(async move {
        let files = match (source.url(), files) {
            (Some(url), _) => match rule_docs::fetch_text(url).await {
                Ok(text) => vec![(url.rsplit('/').next().unwrap_or(url).to_string(), text)],
                Err(e) => {
                    dispatch.emit(Action::CourseFailed(
                        n,
                        format!("The course {} could not be loaded: {e}.", source.describe()),
                    ));
                    return;
                }
            },
            (None, Some(files)) => (*files).clone(),
            (None, None) => Vec::new(),
        };
        let on_answer = dispatch.reform(move |outcome| match outcome {
            Outcome::CourseLoaded(c) => Action::CourseLoaded(n, Rc::new(c)),
            Outcome::Failed(why) => Action::CourseFailed(n, why),
            _ => Action::CourseFailed(n, "the worker answered another question".to_string()),
        });
        let task = Task::LoadCourse {
            name: source.describe(),
            files,
        };
        worker_client::send(task, on_answer);
    });
}

/// Open what the address's fragment names: a `#s=…` share link or a `#rule/<CODE>` page.
fn open_route(dispatcher: UseReducerDispatcher<State>) {
    let Some(hash) = dom::location_hash() else {
        return;
    };
    if let Some(code) = rule_docs::code_of(&hash) {
        dispatcher.dispatch(Action::ShowRule(Some(code.to_string())));
        return;
    }
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

    /// Set the address's fragment (`#rule/…`); fires `hashchange`.
    pub fn set_hash(hash: &str) {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(hash);
        }
    }

    /// Offer `text` as a file download called `name` (a Blob URL and a temporary link).
    pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
        use wasm_bindgen::JsCast;
        let error = |e: wasm_bindgen::JsValue| crate::bridge::js_error(e);
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&format!("{mime};charset=utf-8"));
        let blob =
            web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(error)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(error)?;
        let document = document().ok_or("no document")?;
        let link: web_sys::HtmlAnchorElement = document
            .create_element("a")
            .map_err(error)?
            .dyn_into()
            .map_err(|_| "not a link".to_string())?;
        link.set_href(&url);
        link.set_download(name);
        link.set_class_name("sr-only");
        if let Some(body) = document.body() {
            let _ = body.append_child(&link);
            link.click();
            link.remove();
        }
        // Revoke later: the download has started by then.
        let later = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                later.unchecked_ref(),
                10_000,
            );
        }
        Ok(())
    }

    /// Copy `text` to the clipboard; false when the browser refuses.
    pub async fn copy_text(text: &str) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let promise = window.navigator().clipboard().write_text(text);
        wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
    }

    /// Select the text of `el`, so that Ctrl+C copies it when the clipboard API is refused.
    pub fn select_contents(el: &web_sys::Element) {
        if let Some(selection) = web_sys::window().and_then(|w| w.get_selection().ok().flatten()) {
            let _ = selection.select_all_children(el);
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
