//! The side panel: an ARIA tab list over [`TABS`] (roving tabindex, arrow keys, Home/End,
//! automatic activation) and one tab panel per entry. Inactive panels stay in the DOM, hidden;
//! the costly ones (outline, export) compute only while visible. Every panel but Problems is
//! lazy (`super::lazy`).

use super::example_info::ExampleInfoProps;
use super::export_panel::ExportPanelProps;
use super::lazy::{Lazy, Panel, prefetch};
use super::outline::OutlineProps;
use super::problems::ProblemsList;
use super::simulate::SimulatePanelProps;
use crate::app::dom;
use crate::bridge::EditorBridge;
use crate::examples::Example;
use crate::sim_view::SimRun;
use crate::state::{Action, ExportSettings, Problem, TABS, TabId};
use apim_policy::scenario::{Scenario, ScenarioError};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SidePanelProps {
    pub tab: TabId,
    pub problems: Rc<Vec<Problem>>,
    pub example: Option<&'static Example>,
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    pub scenario_model: Rc<Scenario>,
    pub scenario_error: Option<ScenarioError>,
    pub export: ExportSettings,
    pub reveal_secrets: bool,
    pub sim: Option<Rc<SimRun>>,
    pub running: bool,
    pub bridge: EditorBridge,
    pub dispatch: Callback<Action>,
}

fn tab_id(t: TabId) -> String {
    format!("tab-{}", t.as_str())
}

fn panel_id(t: TabId) -> String {
    format!("panel-{}", t.as_str())
}

#[function_component(SidePanel)]
pub fn side_panel(props: &SidePanelProps) -> Html {
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        let current = props.tab;
        Callback::from(move |e: KeyboardEvent| {
            let Some(at) = TABS.iter().position(|t| t.id == current) else {
                return;
            };
            let n = TABS.len();
            let next = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => (at + 1) % n,
                "ArrowLeft" | "ArrowUp" => (at + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            if let Some(t) = TABS.get(next) {
                dispatch.emit(Action::SelectTab(t.id));
                dom::focus_id(&tab_id(t.id));
            }
        })
    };

    // The small lazy panels load as soon as the tab list is reached (pointer or keyboard), so
    // that switching to them, arrow key by arrow key, shows them at once.
    let small_panels = || {
        prefetch::<OutlineProps>();
        prefetch::<ExampleInfoProps>();
    };
    let onfocusin = Callback::from(move |_: FocusEvent| small_panels());
    let onpointerenter = Callback::from(move |_: PointerEvent| small_panels());

    html! {
        <aside class="side-panel" id="side-panel" aria-label="Details">
            <div class="tablist" role="tablist" aria-label="Panels" {onkeydown} {onfocusin} {onpointerenter}>
                { for TABS.iter().map(|t| {
                    let selected = t.id == props.tab;
                    let onclick = {
                        let dispatch = props.dispatch.clone();
                        let id = t.id;
                        Callback::from(move |_: MouseEvent| dispatch.emit(Action::SelectTab(id)))
                    };
                    let badge = match t.id {
                        TabId::Problems if !props.problems.is_empty() => html! {
                            <span class="tab-badge" aria-label={format!("{} problems", props.problems.len())}>
                                { props.problems.len() }
                            </span>
                        },
                        TabId::Simulate if props.scenario_error.is_some() => html! {
                            <span class="tab-badge" aria-label="the scenario JSON has an error">{ "!" }</span>
                        },
                        _ => html! {},
                    };
                    // The lazily loaded panels start loading when the pointer comes near.
                    let tab = t.id;
                    let onpointerenter = Callback::from(move |_: PointerEvent| match tab {
                        TabId::Simulate => prefetch::<SimulatePanelProps>(),
                        TabId::Export => prefetch::<ExportPanelProps>(),
                        _ => {}
                    });
                    html! {
                        <button type="button" role="tab" id={tab_id(t.id)} class="tab" {onpointerenter}
                            data-testid={format!("tab-{}", t.id.as_str())}
                            aria-selected={selected.to_string()} aria-controls={panel_id(t.id)}
                            tabindex={if selected { "0" } else { "-1" }} {onclick}>
                            { t.label }{ badge }
                        </button>
                    }
                }) }
            </div>
            { for TABS.iter().map(|t| html! {
                <div role="tabpanel" id={panel_id(t.id)} class="tabpanel" aria-labelledby={tab_id(t.id)}
                    hidden={t.id != props.tab} tabindex="0">
                    { panel_content(t.id, props) }
                </div>
            }) }
        </aside>
    }
}

fn panel_content(tab: TabId, props: &SidePanelProps) -> Html {
    // Panels that read the policy get it only while they show: typing then re-renders the
    // visible panel alone (the editor's keystroke budget), and a panel catches up when opened.
    let source: Rc<str> = if props.tab == tab {
        props.source.clone()
    } else {
        Rc::from("")
    };
    // All but Problems are in chunks of their own (`super::lazy`), loaded when first shown or
    // prefetched (above).
    match tab {
        TabId::Problems => html! {
            <ProblemsList problems={props.problems.clone()} bridge={props.bridge.clone()}
                dispatch={props.dispatch.clone()} />
        },
        TabId::Outline => {
            let panel = OutlineProps {
                source,
                active: props.tab == TabId::Outline,
                bridge: props.bridge.clone(),
            };
            html! { <Lazy panel={Panel::new(panel)} active={props.tab == tab} /> }
        }
        TabId::Simulate => {
            let panel = SimulatePanelProps {
                source,
                scenario: props.scenario.clone(),
                model: props.scenario_model.clone(),
                error: props.scenario_error.clone(),
                example: props.example.map(|e| e.id),
                reveal_secrets: props.reveal_secrets,
                sim: props.sim.clone(),
                running: props.running,
                bridge: props.bridge.clone(),
                dispatch: props.dispatch.clone(),
            };
            html! { <Lazy panel={Panel::new(panel)} active={props.tab == tab} /> }
        }
        TabId::Export => {
            let panel = ExportPanelProps {
                source,
                scenario: props.scenario_model.clone(),
                scenario_invalid: props.scenario_error.is_some(),
                settings: props.export.clone(),
                active: props.tab == TabId::Export,
                dispatch: props.dispatch.clone(),
            };
            html! { <Lazy panel={Panel::new(panel)} active={props.tab == tab} /> }
        }
        TabId::Example => {
            let panel = ExampleInfoProps {
                example: props.example,
                scenario: props.scenario.clone(),
            };
            html! { <Lazy panel={Panel::new(panel)} active={props.tab == tab} /> }
        }
    }
}
