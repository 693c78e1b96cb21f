//! The scenario builder (`scenario`): a form over the CLI's scenario format (request, named
//! values, Key Vault, identity, backend, API and subscription, time) and the same scenario as
//! editable JSON (`scenario-json`), kept in sync both ways through the reducer:
//!
//! - a form edit sends the whole new [`Scenario`] (`Action::SetScenario`); the reducer writes
//!   the JSON from it (`scenario_text::write`, keeping unknown top-level fields);
//! - typing in the JSON sends the text (`Action::EditScenarioJson`); when it reads, the form
//!   shows it; when it does not, the error (line, column) is shown, the text is kept as typed,
//!   and the form is disabled so it cannot overwrite the text being fixed.

pub(crate) mod fields;
mod json_view;
mod sections;

use crate::state::Action;
use apim_policy::scenario::{Scenario, ScenarioError};
use json_view::JsonView;
use std::rc::Rc;
use yew::prelude::*;

/// One change of the scenario, given a field's new value.
type Change<V> = Rc<dyn Fn(&mut Scenario, V)>;

/// Makes callbacks that apply one change to a copy of the scenario and dispatch it.
#[derive(Clone, PartialEq)]
pub struct Edit {
    pub model: Rc<Scenario>,
    pub dispatch: Callback<Action>,
}

impl Edit {
    pub fn with<V: 'static>(&self, f: impl Fn(&mut Scenario, V) + 'static) -> Callback<V> {
        self.with_dyn(Rc::new(f))
    }

    /// The shared body, compiled once per value type rather than once per form field (the
    /// form has dozens: this keeps the wasm smaller).
    fn with_dyn<V: 'static>(&self, f: Change<V>) -> Callback<V> {
        let model = self.model.clone();
        let dispatch = self.dispatch.clone();
        Callback::from(move |value: V| {
            let mut next = (*model).clone();
            f(&mut next, value);
            if next != *model {
                dispatch.emit(Action::set_scenario(Rc::new(next)));
            }
        })
    }
}

#[derive(Properties, PartialEq)]
pub struct ScenarioBuilderProps {
    pub model: Rc<Scenario>,
    pub text: Rc<str>,
    pub error: Option<ScenarioError>,
    pub example: Option<&'static str>,
    pub dispatch: Callback<Action>,
}

#[function_component(ScenarioBuilder)]
pub fn scenario_builder(props: &ScenarioBuilderProps) -> Html {
    let edit = Edit {
        model: props.model.clone(),
        dispatch: props.dispatch.clone(),
    };
    let onsubmit = Callback::from(|e: SubmitEvent| e.prevent_default());
    let disabled = props.error.is_some();
    html! {
        <div class="scenario" data-testid="scenario">
            <form class="scenario-form" autocomplete="off" {onsubmit} aria-label="Scenario">
                if disabled {
                    <p class="callout callout-warn">
                        { "The scenario JSON below has an error, so the form shows the last valid \
                           scenario and is read-only until the JSON reads again." }
                    </p>
                }
                <fieldset class="plain" disabled={disabled}>
                    <legend class="sr-only">{ "Scenario" }</legend>
                    <sections::RequestSection edit={edit.clone()} />
                    <sections::NamedValuesSection edit={edit.clone()} />
                    <sections::KeyVaultsSection edit={edit.clone()} />
                    <sections::BackendSection edit={edit.clone()} />
                    <sections::ServiceSection edit={edit.clone()} />
                </fieldset>
            </form>
            <JsonView text={props.text.clone()} error={props.error.clone()}
                model={props.model.clone()} example={props.example}
                dispatch={props.dispatch.clone()} />
        </div>
    }
}
