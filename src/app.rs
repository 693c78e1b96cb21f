//! The page: an editor area and the problems list, wired to the reducer in [`crate::state`].

use crate::state::{Action, Problem, State};
use crate::storage;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

const SOURCE_KEY: &str = "policy";

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| match storage::load::<String>(SOURCE_KEY) {
        Some(source) => State::new(source),
        None => State::default(),
    });
    {
        let source = state.source.clone();
        use_effect_with(source, |source| storage::save(SOURCE_KEY, source));
    }
    let oninput = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            state.dispatch(Action::Edit(area.value()));
        })
    };
    html! {
        <main class="app">
            <header class="topbar">
                <h1>{ "APIM Policy Playground" }</h1>
            </header>
            <section class="editor-pane" data-testid="editor" aria-label="Policy editor">
                <textarea class="source" spellcheck="false" aria-label="Policy XML"
                    value={state.source.clone()} {oninput} />
            </section>
            <section class="problems-pane" aria-label="Problems">
                <h2>{ "Problems" } <span class="count" data-testid="problem-count">{ state.summary() }</span></h2>
                <ul data-testid="problems" role="list">
                    { for state.problems.iter().map(problem_row) }
                </ul>
            </section>
        </main>
    }
}

fn problem_row(p: &Problem) -> Html {
    html! {
        <li data-testid="problem" class={classes!("problem", p.severity.as_str())}
            data-severity={p.severity.as_str()} data-line={p.line.to_string()} data-code={p.code}>
            <span class="where">{ format!("{}:{}", p.line, p.column) }</span>
            <span class="code">{ p.code }</span>
            <span class="message">{ &p.message }</span>
        </li>
    }
}
