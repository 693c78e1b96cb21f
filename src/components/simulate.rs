//! The Simulate tab: the run bar (`run-simulation`, `reveal-secrets`), the results area and the
//! scenario builder.
//!
//! The simulator (`apim_policy::sim::simulate`) is not part of this build yet, so the Run button
//! is disabled with a note saying so, and Ctrl/Cmd+Enter answers with the same note. The seam
//! is described in `crate::sim_view` and ARCHITECTURE.md ("Simulate").

use super::scenario::ScenarioBuilder;
use super::sim_results::SimResults;
use crate::bridge::EditorBridge;
use crate::state::Action;
use apim_policy::scenario::{Scenario, ScenarioError};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SimulatePanelProps {
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    pub model: Rc<Scenario>,
    pub error: Option<ScenarioError>,
    pub example: Option<&'static str>,
    pub reveal_secrets: bool,
    pub bridge: EditorBridge,
    pub dispatch: Callback<Action>,
}

#[function_component(SimulatePanel)]
pub fn simulate_panel(props: &SimulatePanelProps) -> Html {
    let on_reveal = props.dispatch.reform(|e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        Action::SetRevealSecrets(input.checked())
    });
    html! {
        <div class="simulate">
            <div class="run-bar">
                <button type="button" class="btn btn-primary" data-testid="run-simulation" disabled=true
                    aria-describedby="run-note" aria-keyshortcuts="Control+Enter Meta+Enter">
                    { "Run" }
                </button>
                <label class="check">
                    <input type="checkbox" data-testid="reveal-secrets" checked={props.reveal_secrets}
                        onchange={on_reveal} />
                    { "Reveal secrets in the results" }
                </label>
            </div>
            <p class="field-hint" id="run-note" data-testid="run-note">
                { "The simulator is not built yet: running a request (Run, Ctrl+Enter) arrives with it. \
                   The scenario below is already what it will run, in the format apim-policy simulate reads." }
            </p>
            <SimResults output={None} source={props.source.clone()} bridge={props.bridge.clone()} />
            <ScenarioBuilder model={props.model.clone()} text={props.scenario.clone()}
                error={props.error.clone()} example={props.example} dispatch={props.dispatch.clone()} />
        </div>
    }
}
