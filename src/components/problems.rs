//! The problems list (`problems`, rows `problem`): click or Enter moves the editor's cursor to
//! the diagnostic; a fix, when the core offers one, is a `quick-fix` button in its row; the
//! "About" link opens the rule's page in the app (`#rule/<CODE>`).

use crate::bridge::EditorBridge;
use crate::markdown;
use crate::state::{Action, Problem};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProblemsProps {
    pub problems: Rc<Vec<Problem>>,
    pub bridge: EditorBridge,
    pub dispatch: Callback<Action>,
}

#[function_component(ProblemsList)]
pub fn problems_list(props: &ProblemsProps) -> Html {
    html! {
        <ul class="problems" data-testid="problems" aria-label="Problems">
            if props.problems.is_empty() {
                <li class="problems-empty">{ "No problems in this policy." }</li>
            }
            { for props.problems.iter().enumerate().map(|(i, p)| problem_row(i, p, props)) }
        </ul>
    }
}

fn problem_row(index: usize, p: &Problem, props: &ProblemsProps) -> Html {
    // The whole row is the click target; the inner button makes it reachable by keyboard
    // (its click bubbles up here).
    let onclick = {
        let bridge = props.bridge.clone();
        let at = p.from;
        Callback::from(move |_: MouseEvent| bridge.select(at, at))
    };
    let on_fix = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            dispatch.emit(Action::ApplyFix(index));
        })
    };
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    let severity = p.severity.as_str();
    html! {
        <li data-testid="problem" class={classes!("problem", severity)}
            data-severity={severity} data-line={p.line.to_string()} data-code={p.code} {onclick}>
            <button type="button" class="problem-main">
                <span class="sev-icon" aria-hidden="true"></span>
                <span class="sr-only">{ severity }{ ": " }</span>
                <span class="message">{ Html::from_html_unchecked(AttrValue::from(markdown::inline_to_html(&p.message))) }</span>
                <span class="where">{ format!("{} · line {}, column {}", p.code, p.line, p.column) }</span>
            </button>
            if let Some(help) = &p.help {
                <p class="help">{ Html::from_html_unchecked(AttrValue::from(markdown::inline_to_html(help))) }</p>
            }
            if p.fix.is_some() || p.doc_url.is_some() {
                <div class="problem-actions">
                    if let Some(fix) = &p.fix {
                        <button type="button" class="btn btn-small" data-testid="quick-fix" onclick={on_fix}>
                            { &fix.message }
                        </button>
                    }
                    if let Some(url) = &p.doc_url {
                        <a href={url.clone()} data-testid="rule-link" onclick={stop}>
                            { format!("About {}", p.code) }
                        </a>
                    }
                </div>
            }
        </li>
    }
}
