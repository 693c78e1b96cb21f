//! The Simulate tab: the run bar (`run-simulation`, which Ctrl/Cmd+Enter also presses, and
//! `reveal-secrets`), the results of the last run and the scenario builder.

use super::scenario::ScenarioBuilder;
use super::sim_results::SimResults;
use crate::bridge::EditorBridge;
use crate::sim_view::SimRun;
use crate::state::Action;
use apim_policy::scenario::{Scenario, ScenarioError};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct SimulatePanelProps {
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    pub model: Rc<Scenario>,
    pub error: Option<ScenarioError>,
    pub example: Option<&'static str>,
    pub reveal_secrets: bool,
    pub sim: Option<Rc<SimRun>>,
    pub running: bool,
    pub bridge: EditorBridge,
    pub dispatch: Callback<Action>,
}

#[function_component(SimulatePanel)]
pub fn simulate_panel(props: &SimulatePanelProps) -> Html {
    let on_reveal = props.dispatch.reform(|e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        Action::SetRevealSecrets(input.checked())
    });
    let on_run = props.dispatch.reform(|_: MouseEvent| Action::Run);
    let stale = props
        .sim
        .as_ref()
        .is_some_and(|run| run.is_stale(&props.source, &props.scenario));
    html! {
        <div class="simulate">
            <div class="run-bar">
                <button type="button" class="btn btn-primary" data-testid="run-simulation" onclick={on_run}
                    aria-keyshortcuts="Control+Enter Meta+Enter" title="Run (Ctrl+Enter)">
                    { "Run" }
                </button>
                <span class="muted kbd-hint" aria-hidden="true"><kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "Enter" }</kbd></span>
                <label class="check">
                    <input type="checkbox" data-testid="reveal-secrets" checked={props.reveal_secrets}
                        onchange={on_reveal} />
                    { "Reveal secrets" }
                </label>
            </div>
            <SimResults run={props.sim.clone()} {stale} running={props.running} bridge={props.bridge.clone()} />
            <ScenarioBuilder model={props.model.clone()} text={props.scenario.clone()}
                error={props.error.clone()} example={props.example} dispatch={props.dispatch.clone()} />
        </div>
    }
}
