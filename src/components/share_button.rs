//! Share (`share`): builds a link holding the workspace in its `#fragment`, puts it in the
//! address bar and shows it with a copy button. Secret values stay out unless the user ticks
//! the box, and the panel says which were left out and why. The button is in the first load;
//! the panel (which builds the link) is a lazy chunk (`super::lazy`), loaded on the first click.

use super::lazy::{Lazy, Panel};
use crate::app::dom;
use crate::bridge;
use crate::lessons::SharedLesson;
use crate::share;
use crate::state::{ExportSettings, Workspace};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareButtonProps {
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    pub example: Option<&'static str>,
    pub export: ExportSettings,
    /// In lesson mode: the lesson and the progress the link carries.
    pub lesson: Option<SharedLesson>,
}

#[derive(Clone, PartialEq, Default)]
struct Link {
    url: String,
    left_out: Vec<String>,
    error: Option<String>,
}

#[function_component(ShareButton)]
pub fn share_button(props: &ShareButtonProps) -> Html {
    let open = use_state(|| false);
    let onclick = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let close = {
        let open = open.clone();
        Callback::from(move |()| {
            open.set(false);
            dom::focus_id("share-button");
        })
    };
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                close.emit(());
            }
        })
    };
    html! {
        <div class="share" {onkeydown}>
            <button type="button" id="share-button" class="btn" data-testid="share"
                aria-expanded={open.to_string()} aria-controls="share-panel" {onclick}>
                { "Share" }
            </button>
            if *open {
                <Lazy active=true panel={Panel::new(SharePanelProps {
                    source: props.source.clone(),
                    scenario: props.scenario.clone(),
                    example: props.example,
                    export: props.export.clone(),
                    lesson: props.lesson.clone(),
                    close,
                })} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct SharePanelProps {
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    pub example: Option<&'static str>,
    pub export: ExportSettings,
    pub lesson: Option<SharedLesson>,
    /// Close the panel (and give the focus back to the Share button).
    pub close: Callback<()>,
}

/// The open panel: makes the link when it opens and again when the secrets box changes.
#[function_component(SharePanel)]
pub fn share_panel(props: &SharePanelProps) -> Html {
    let include_secrets = use_state(|| false);
    let link = use_state(Link::default);
    let copied = use_state(|| false);

    let make = {
        let link = link.clone();
        let copied = copied.clone();
        let (source, scenario, example, export, lesson) = (
            props.source.clone(),
            props.scenario.clone(),
            props.example,
            props.export.clone(),
            props.lesson.clone(),
        );
        move |secrets: bool| {
            let link = link.clone();
            let copied = copied.clone();
            // Built when the panel opens or the box changes, not per render: the policy can be large.
            let workspace = Workspace {
                policy: source.to_string(),
                scenario: scenario.to_string(),
                example: example.map(str::to_string),
                export: export.clone(),
                lesson: lesson.clone(),
            };
            let prepared = share::payload(&workspace, secrets);
            yew::platform::spawn_local(async move {
                copied.set(false);
                match bridge::encode(&prepared.json).await {
                    Ok(token) => {
                        let url = format!(
                            "{}{}{token}",
                            dom::base_url().unwrap_or_default(),
                            share::PREFIX
                        );
                        dom::replace_url(&url);
                        link.set(Link {
                            url,
                            left_out: prepared.left_out,
                            error: None,
                        });
                    }
                    Err(e) => link.set(Link {
                        error: Some(format!("Could not create the link: {e}")),
                        ..Link::default()
                    }),
                }
            });
        }
    };

    let on_secrets = {
        let include_secrets = include_secrets.clone();
        let make = make.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            include_secrets.set(input.checked());
            make(input.checked());
        })
    };
    let on_copy = {
        let url = link.url.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
                return;
            };
            let promise = clipboard.write_text(&url);
            let copied = copied.clone();
            yew::platform::spawn_local(async move {
                let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                copied.set(ok);
            });
        })
    };
    let close = props.close.reform(|_: MouseEvent| ());
    {
        // The link is made when the panel opens (secrets left out: each share opts in anew).
        let include_secrets = *include_secrets;
        use_effect_with((), move |_| make(include_secrets));
    }
    let reason = if *include_secrets {
        html! { <p class="reason warn">{ "Secret values are in this link: anyone who gets it can read them." }</p> }
    } else if link.left_out.is_empty() {
        html! { <p class="reason">{ "The scenario has no secret values, so nothing was left out." }</p> }
    } else {
        html! {
            <p class="reason">
                { "Left out: " }{ link.left_out.join(", ") }{ ". " }
                { "Links end up in chats, tickets and browser history, so secret values stay out \
                   unless you include them; the recipient sees a placeholder instead." }
            </p>
        }
    };

    html! {
        <div id="share-panel" class="popup share-panel" role="dialog" aria-labelledby="share-title">
            <h2 id="share-title">{ if props.lesson.is_some() { "Share this lesson" } else { "Share this policy" } }</h2>
            <p class="hint">
                { "The policy and scenario are compressed into the link's #fragment, \
                   which browsers never send to a server. The link is also in the address bar." }
            </p>
            if props.lesson.is_some() {
                <p class="hint">{ "The link opens this lesson with your policy, your scenario and the steps you passed, for a trainer to look at." }</p>
            }
            if let Some(error) = &link.error {
                <p class="reason warn" role="alert">{ error }</p>
            }
            <div class="share-row">
                <label for="share-link" class="sr-only">{ "Share link" }</label>
                <input id="share-link" data-testid="share-link" type="text" readonly=true
                    value={link.url.clone()} />
                <button type="button" class="btn" data-testid="share-copy" onclick={on_copy}>{ "Copy" }</button>
            </div>
            <p class="copied" role="status">{ if *copied { "Copied to the clipboard." } else { "" } }</p>
            <label class="check">
                <input type="checkbox" data-testid="share-secrets"
                    checked={*include_secrets} onchange={on_secrets} />
                { "Include secret values" }
            </label>
            { reason }
            <p class="hint">{ "Secrets typed directly into the policy are shared as they are: keep them in named values." }</p>
            <div class="dialog-buttons">
                <button type="button" class="btn" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
