//! The policy editor (`editor`): CodeMirror through [`crate::bridge`], with the status line
//! holding `problem-count` and the `format` button.
//!
//! Yew owns the host element but never its children: CodeMirror builds its own DOM inside.
//! Text flows out on every edit (`Action::Edit`) and back in only when `revision` changes (an
//! example, a reset, a share link, a quick fix); diagnostics flow in whenever they change.

use crate::bridge::{Attached, EditorBridge, EditorCallbacks};
use crate::state::{Action, Problem, TabId};
use apim_policy::lint::LintOptions;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EditorPaneProps {
    pub bridge: EditorBridge,
    pub source: Rc<str>,
    pub revision: u64,
    pub problems: Rc<Vec<Problem>>,
    /// What completion and hover know (the scenario's named values, the scope).
    pub options: Rc<LintOptions>,
    /// "2 errors, 1 warning".
    pub summary: String,
    pub dispatch: Callback<Action>,
}

#[function_component(EditorPane)]
pub fn editor_pane(props: &EditorPaneProps) -> Html {
    let host = use_node_ref();
    let attached: Rc<RefCell<Option<Attached>>> = use_mut_ref(|| None);
    // Set when the bundle could not create an editor: a textarea keeps the app usable.
    let fallback = use_state(|| None::<String>);

    {
        let (host, bridge, attached, fallback) = (
            host.clone(),
            props.bridge.clone(),
            attached.clone(),
            fallback.clone(),
        );
        let source = props.source.clone();
        let dispatch = props.dispatch.clone();
        use_effect_with((), move |_| {
            if let Some(el) = host.cast::<web_sys::Element>() {
                let callbacks = EditorCallbacks {
                    on_change: dispatch.reform(Action::Edit),
                    on_fix: dispatch.reform(Action::ApplyFix),
                    on_format: dispatch.reform(|()| Action::Format),
                    on_run: dispatch.reform(|()| Action::Run),
                };
                match bridge.attach(&el, &source, callbacks) {
                    Ok(a) => *attached.borrow_mut() = Some(a),
                    Err(e) => {
                        gloo::console::error!(format!("the code editor could not start: {e}"));
                        fallback.set(Some(e));
                    }
                }
            }
            move || drop(attached.borrow_mut().take())
        });
    }
    {
        let (bridge, source) = (props.bridge.clone(), props.source.clone());
        use_effect_with(props.revision, move |_| bridge.set_text(&source));
    }
    {
        let bridge = props.bridge.clone();
        use_effect_with(props.problems.clone(), move |problems| {
            bridge.set_diagnostics(problems);
        });
    }
    {
        let bridge = props.bridge.clone();
        use_effect_with(props.options.clone(), move |options| {
            bridge.set_options(options.clone());
        });
    }

    let show_problems = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::SelectTab(TabId::Problems)))
    };
    let format = {
        let dispatch = props.dispatch.clone();
        let bridge = props.bridge.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.emit(Action::Format);
            bridge.focus();
        })
    };
    let errors = props
        .problems
        .iter()
        .any(|p| p.severity == apim_policy::Severity::Error);

    html! {
        <section class="editor-pane" aria-label="Policy editor">
            <div class="editor-host" data-testid="editor" ref={host}>
                if fallback.is_some() {
                    <textarea class="fallback-editor" spellcheck="false" aria-label="Policy XML"
                        value={props.source.to_string()}
                        oninput={props.dispatch.reform(|e: InputEvent| {
                            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
                            Action::Edit(area.value())
                        })} />
                }
            </div>
            <div class="statusbar">
                <button type="button" class={classes!("status-problems", errors.then_some("has-errors"))}
                    title="Show the problems list" onclick={show_problems}>
                    <span class="status-dot" aria-hidden="true"></span>
                    <span data-testid="problem-count">{ &props.summary }</span>
                </button>
                <span class="status-hint">
                    { "Ctrl+Space complete · Ctrl+F search · Esc then Tab leaves the editor" }
                </span>
                <button type="button" class="btn btn-small" data-testid="format"
                    title="Format the policy (Shift+Alt+F)" aria-keyshortcuts="Shift+Alt+F"
                    onclick={format}>
                    { "Format" }
                </button>
            </div>
        </section>
    }
}
