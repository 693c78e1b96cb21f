//! The scenario as JSON (`scenario-json`): editable, in the CLI's format, with the error's line
//! and column when it does not read; download and upload of the file.

use crate::app::dom;
use crate::scenario_text;
use crate::state::Action;
use apim_policy::scenario::{Scenario, ScenarioError};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct JsonViewProps {
    pub text: Rc<str>,
    pub error: Option<ScenarioError>,
    pub model: Rc<Scenario>,
    pub example: Option<&'static str>,
    pub dispatch: Callback<Action>,
}

#[function_component(JsonView)]
pub fn json_view(props: &JsonViewProps) -> Html {
    let area = use_node_ref();
    let oninput = props.dispatch.reform(|e: InputEvent| {
        let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
        Action::EditScenarioJson(area.value())
    });
    let on_download = {
        let text = props.text.clone();
        let name = scenario_text::file_name(&props.model, props.example);
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            if let Err(e) = dom::download(&name, "application/json", &text) {
                dispatch.emit(Action::Notify(format!(
                    "Could not download the scenario: {e}"
                )));
            }
        })
    };
    let on_upload = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // Choosing the same file again must fire `change` again.
            input.set_value("");
            let dispatch = dispatch.clone();
            yew::platform::spawn_local(async move {
                let name = file.name();
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(text) => {
                        let text = text.as_string().unwrap_or_default();
                        let ok = scenario_text::parse(&text).is_ok();
                        dispatch.emit(Action::EditScenarioJson(text));
                        dispatch.emit(Action::Notify(if ok {
                            format!("Loaded the scenario from {name}.")
                        } else {
                            format!("Loaded {name}, but it is not a valid scenario: see the error under the JSON.")
                        }));
                    }
                    Err(e) => dispatch.emit(Action::Notify(format!(
                        "Could not read {name}: {}",
                        crate::bridge::js_error(e)
                    ))),
                }
            });
        })
    };
    let on_show_error = {
        let area = area.clone();
        let text = props.text.clone();
        let error = props.error.clone();
        Callback::from(move |_: MouseEvent| {
            let (Some(el), Some(err)) = (area.cast::<web_sys::HtmlTextAreaElement>(), &error)
            else {
                return;
            };
            let at = scenario_text::utf16_position(&text, err.line, err.column);
            let at = u32::try_from(at).unwrap_or(u32::MAX);
            let _ = el.focus();
            let _ = el.set_selection_range(at, at.saturating_add(1));
        })
    };
    let on_pick = {
        Callback::from(move |e: MouseEvent| {
            // The visible button opens the hidden file input next to it.
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|b| b.next_element_sibling())
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            {
                input.click();
            }
        })
    };
    html! {
        <section class="form-section json-section" aria-labelledby="scenario-json-title">
            <div class="section-head">
                <h2 id="scenario-json-title">{ "Scenario JSON" }</h2>
                <div class="section-actions">
                    <button type="button" class="btn btn-small" data-testid="scenario-download" onclick={on_download}>
                        { "Download" }
                    </button>
                    <button type="button" class="btn btn-small" onclick={on_pick}>{ "Upload…" }</button>
                    <input type="file" class="sr-only" accept=".json,application/json" tabindex="-1"
                        aria-label="Upload a scenario file" data-testid="scenario-upload" onchange={on_upload} />
                </div>
            </div>
            <p class="field-hint">
                { "The same format as apim-policy simulate --scenario. Edits here update the form, and the form's edits appear here. Secret values are visible in this view." }
            </p>
            // One status line that is always there, so the text area does not jump while typing.
            <div class="json-status" role="status">
                if let Some(err) = &props.error {
                    <div class="json-error" id="scenario-json-error" data-testid="scenario-json-error">
                        <span>{ format!("Line {}, column {}: {}", err.line, err.column, err.message) }</span>
                        <button type="button" class="btn btn-small" onclick={on_show_error}>{ "Show" }</button>
                    </div>
                } else {
                    <p class="json-ok">{ "A valid scenario." }</p>
                }
            </div>
            <label for="scenario-json" class="sr-only">{ "Scenario JSON" }</label>
            <textarea id="scenario-json" ref={area} class="json-text" rows="18" spellcheck="false"
                data-testid="scenario-json" aria-invalid={props.error.is_some().to_string()}
                aria-describedby={props.error.as_ref().map(|_| "scenario-json-error")}
                value={props.text.to_string()} {oninput} />
        </section>
    }
}
