//! The Export tab: target (`export-target`), scope (`export-scope`), names, snippet or full
//! template, API version; the generated file (`export-output`, highlighted) with `copy-export`
//! and `download-export`; the exporter's warnings and notes, or its reasons for refusing. And
//! import: paste an ARM template, pick one of its policies, load it into the editor.
//!
//! The export runs in the app's worker (`crate::worker_client`, which holds the exporter so the
//! first load does not), only while the tab is visible and again when the policy, the scenario
//! or the settings change; an answer to an older request is dropped. The panel itself stays
//! mounted so the import's text is kept.

use super::scenario::fields::{Check, Choice, TextField};
use crate::app::dom;
use crate::highlight::{self, Class};
use crate::state::{Action, ExportSettings};
use crate::wire::{ExportedFile, Imported, ImportedPolicy, Note, Outcome, Task};
use crate::worker_client;
use apim_policy::export::{self, ApiVersion, Target};
use apim_policy::scenario::Scenario;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct ExportPanelProps {
    pub source: Rc<str>,
    pub scenario: Rc<Scenario>,
    /// The scenario JSON does not read right now (the last valid one is used).
    pub scenario_invalid: bool,
    pub settings: ExportSettings,
    pub active: bool,
    pub dispatch: Callback<Action>,
}

/// What the export area shows: the file, the reasons it would not deploy, or why the worker
/// could not answer.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    File(ExportedFile),
    Refused(Vec<Note>),
    Failed(String),
}

impl Shown {
    fn of(outcome: Outcome) -> Option<Shown> {
        match outcome {
            Outcome::Exported(Ok(file)) => Some(Shown::File(file)),
            Outcome::Exported(Err(reasons)) => Some(Shown::Refused(reasons)),
            Outcome::Failed(why) => Some(Shown::Failed(why)),
            _ => None,
        }
    }
}

/// What the exporter names things when a name is left blank (the same rules as
/// `apim_policy::export`), shown as placeholders.
fn default_names(s: &Scenario) -> [(&'static str, String); 5] {
    let api = s.api.as_ref();
    let product = s
        .product
        .as_ref()
        .and_then(|p| {
            p.id.clone()
                .filter(|i| !i.is_empty())
                .or(Some(p.name.clone()))
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "starter".into());
    [
        ("service", "apim-service".into()),
        ("product", product),
        (
            "api",
            api.map(|a| a.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "my-api".into()),
        ),
        (
            "operation",
            api.and_then(|a| a.operation.as_ref())
                .map(|o| o.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "my-operation".into()),
        ),
        ("fragment", "my-fragment".into()),
    ]
}

fn mime(target: Target) -> &'static str {
    match target {
        Target::Arm => "application/json",
        Target::Bicep | Target::Terraform => "text/plain",
    }
}

fn scope_value(scope: export::Scope) -> &'static str {
    scope.as_str()
}

fn parse_scope(value: &str) -> Option<export::Scope> {
    match value {
        "global" => Some(export::Scope::Global),
        "product" => Some(export::Scope::Product),
        "api" => Some(export::Scope::Api),
        "operation" => Some(export::Scope::Operation),
        "fragment" => Some(export::Scope::Fragment),
        _ => None,
    }
}

#[function_component(ExportPanel)]
pub fn export_panel(props: &ExportPanelProps) -> Html {
    let shown = use_state(|| None::<Rc<Shown>>);
    // The latest request: answers to older ones are dropped.
    let latest: Rc<RefCell<u64>> = use_mut_ref(|| 0);
    {
        let key = props.active.then(|| {
            (
                props.source.clone(),
                props.scenario.clone(),
                props.settings.clone(),
            )
        });
        let shown = shown.clone();
        use_effect_with(key, move |key| {
            if let Some((source, scenario, settings)) = key {
                let seq = {
                    let mut l = latest.borrow_mut();
                    *l += 1;
                    *l
                };
                let task = Task::Export {
                    source: source.to_string(),
                    scenario: scenario.to_json_pretty(),
                    options: settings.options(),
                };
                worker_client::send(
                    task,
                    Callback::from(move |outcome| {
                        if *latest.borrow() == seq
                            && let Some(s) = Shown::of(outcome)
                        {
                            shown.set(Some(Rc::new(s)));
                        }
                    }),
                );
            }
        });
    }
    let outcome = (*shown).clone();
    let copied = use_state(|| None::<bool>);
    let output_ref = use_node_ref();
    {
        // A new output has not been copied yet.
        let copied = copied.clone();
        use_effect_with(outcome.clone(), move |_| copied.set(None));
    }
    let settings = &props.settings;
    let set = |f: fn(&mut ExportSettings, String)| {
        let dispatch = props.dispatch.clone();
        let settings = settings.clone();
        Callback::from(move |v: String| {
            let mut next = settings.clone();
            f(&mut next, v);
            dispatch.emit(Action::SetExport(next));
        })
    };
    let set_snippet = {
        let dispatch = props.dispatch.clone();
        let settings = settings.clone();
        Callback::from(move |on: bool| {
            let mut next = settings.clone();
            next.snippet = on;
            dispatch.emit(Action::SetExport(next));
        })
    };
    let scope = settings.effective_scope(&props.source);
    let defaults = default_names(&props.scenario);
    let name_field = |key: &'static str, label: &'static str, value: &str| {
        let placeholder = defaults
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let on_change = set(match key {
            "service" => |s, v| s.service = v,
            "product" => |s, v| s.product = v,
            "api" => |s, v| s.api = v,
            "operation" => |s, v| s.operation = v,
            _ => |s, v| s.fragment = v,
        });
        html! {
            <TextField label={label} value={value.to_string()} mono=true
                placeholder={placeholder} on_change={on_change}
                testid={format!("export-{key}")} />
        }
    };

    let body = match outcome.as_deref() {
        None => {
            html! { <p class="pad muted" data-testid="export-waiting">{ "Preparing the export…" }</p> }
        }
        Some(Shown::Failed(why)) => html! {
            <div class="export-refused" role="status">
                <p class="callout callout-error" data-testid="export-failed">
                    { format!("The exporter could not run: {why}.") }
                </p>
            </div>
        },
        Some(Shown::Refused(reasons)) => html! {
            <div class="export-refused" role="status">
                <p class="callout callout-error">
                    { "Not exported: the deployment would fail. Fix these first:" }
                </p>
                { diagnostics_list(reasons) }
            </div>
        },
        Some(Shown::File(out)) => {
            let on_copy = {
                let text = out.text.clone();
                let copied = copied.clone();
                let output_ref = output_ref.clone();
                Callback::from(move |_: MouseEvent| {
                    let copied = copied.clone();
                    let output_ref = output_ref.clone();
                    let text = text.clone();
                    yew::platform::spawn_local(async move {
                        let ok = dom::copy_text(&text).await;
                        if !ok && let Some(el) = output_ref.cast::<web_sys::Element>() {
                            dom::select_contents(&el);
                        }
                        copied.set(Some(ok));
                    });
                })
            };
            let on_download = {
                let (text, name, target) = (out.text.clone(), out.file_name.clone(), out.target);
                let dispatch = props.dispatch.clone();
                Callback::from(move |_: MouseEvent| {
                    if let Err(e) = dom::download(&name, mime(target), &text) {
                        dispatch.emit(Action::Notify(format!("Could not download {name}: {e}")));
                    }
                })
            };
            html! { <>
                <div class="export-bar">
                    <code class="file-name" data-testid="export-file-name">{ &out.file_name }</code>
                    <button type="button" class="btn btn-small" data-testid="copy-export" onclick={on_copy}>
                        { "Copy" }
                    </button>
                    <button type="button" class="btn btn-small" data-testid="download-export" onclick={on_download}>
                        { "Download" }
                    </button>
                    <span class="copied" role="status" data-testid="copy-status">
                        { match *copied {
                            Some(true) => "Copied to the clipboard.",
                            Some(false) => "The browser refused the clipboard: the text is selected, press Ctrl+C.",
                            None => "",
                        } }
                    </span>
                </div>
                if !out.notes.is_empty() {
                    { diagnostics_list(&out.notes) }
                }
                <pre class="export-output" data-testid="export-output" data-target={out.target.as_str()}
                    ref={output_ref} tabindex="0" aria-label={format!("Generated {}", out.file_name)}>
                    <code>
                        { for highlight::runs(&out.text, out.target).into_iter().map(|(class, text)| {
                            match class {
                                Class::Plain => html! { { text } },
                                c => html! { <span class={c.css()}>{ text }</span> },
                            }
                        }) }
                    </code>
                </pre>
            </> }
        }
    };

    html! {
        <div class="export" data-testid="export">
            <div class="export-form">
                <div class="row">
                    <Choice label="Target" value={settings.target.as_str()} on_change={set(|s, v| {
                            s.target = match v.as_str() { "bicep" => Target::Bicep, "terraform" => Target::Terraform, _ => Target::Arm };
                        })} testid="export-target"
                        options={vec![("arm".into(), "ARM template (JSON)".into()), ("bicep".into(), "Bicep".into()),
                            ("terraform".into(), "Terraform (azurerm)".into())]} />
                    <Choice label="Scope" value={scope_value(scope)} on_change={set(|s, v| s.scope = parse_scope(&v))}
                        testid="export-scope"
                        options={vec![("global".into(), "Global (all APIs)".into()), ("product".into(), "Product".into()),
                            ("api".into(), "API".into()), ("operation".into(), "Operation".into()),
                            ("fragment".into(), "Policy fragment".into())]} />
                    <Choice label="API version" value={settings.api_version.as_str()}
                        on_change={set(|s, v| s.api_version = ApiVersion::parse(&v).unwrap_or_default())}
                        testid="export-api-version"
                        options={vec![("2022-08-01".into(), "2022-08-01".into()), ("2024-05-01".into(), "2024-05-01".into())]} />
                </div>
                <div class="row">
                    { name_field("service", "Service", &settings.service) }
                    if scope == export::Scope::Product { { name_field("product", "Product", &settings.product) } }
                    if matches!(scope, export::Scope::Api | export::Scope::Operation) { { name_field("api", "API", &settings.api) } }
                    if scope == export::Scope::Operation { { name_field("operation", "Operation", &settings.operation) } }
                    if scope == export::Scope::Fragment { { name_field("fragment", "Fragment", &settings.fragment) } }
                </div>
                <Check label="Snippet only (resources to paste into an existing template)" checked={settings.snippet}
                    on_change={set_snippet} testid="export-snippet" />
                <p class="field-hint">
                    { "The scope is also where the editor checks the policy against: sections and policies not allowed there are reported." }
                    if props.scenario_invalid {
                        { " The scenario JSON has an error: the last valid scenario is used." }
                    }
                </p>
            </div>
            { body }
            <ImportArm dispatch={props.dispatch.clone()} settings={settings.clone()} scenario={props.scenario.clone()} />
        </div>
    }
}

fn diagnostics_list(list: &[Note]) -> Html {
    html! {
        <ul class="export-diagnostics" data-testid="export-diagnostics" aria-label="Export warnings and notes">
            { for list.iter().map(|d| {
                let severity = d.severity.clone();
                html! {
                    <li class={classes!("problem", severity.clone())} data-testid="export-diagnostic"
                        data-severity={severity.clone()} data-code={d.code.clone()}>
                        <span class="sev-icon" aria-hidden="true"></span>
                        <span class="sr-only">{ severity }{ ": " }</span>
                        <span class="message">{ &d.message }</span>
                        <span class="where">
                            { &d.code }
                            if let Some(line) = d.line { { format!(" · line {line}") } }
                        </span>
                        if let Some(help) = &d.help {
                            <p class="help">{ help }</p>
                        }
                    </li>
                }
            }) }
        </ul>
    }
}

// -------------------------------------------------------------------------------------------
// Import

#[derive(Properties, PartialEq)]
struct ImportProps {
    dispatch: Callback<Action>,
    settings: ExportSettings,
    scenario: Rc<Scenario>,
}

/// The action that loads an imported policy with its scope and names as export settings.
fn load_action(p: &ImportedPolicy, settings: &ExportSettings) -> Action {
    let mut export = settings.clone();
    export.scope = Some(p.scope);
    let keep = |given: &Option<String>, current: &str| {
        given.clone().unwrap_or_else(|| current.to_string())
    };
    export.service = keep(&p.service, &settings.service);
    export.product = keep(&p.product, &settings.product);
    export.api = keep(&p.api, &settings.api);
    export.operation = keep(&p.operation, &settings.operation);
    export.fragment = keep(&p.fragment, &settings.fragment);
    Action::LoadPolicy {
        policy: p.xml.clone(),
        export: Some(export),
        notice: format!(
            "Loaded the {} from the template. Ctrl+Z in the editor brings your policy back.",
            p.description
        ),
    }
}

#[function_component(ImportArm)]
fn import_arm(props: &ImportProps) -> Html {
    let text = use_state(String::new);
    let result = use_state(|| None::<Rc<Result<Imported, Vec<Note>>>>);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let on_read = {
        let text = text.clone();
        let result = result.clone();
        let dispatch = props.dispatch.clone();
        let settings = props.settings.clone();
        Callback::from(move |_: MouseEvent| {
            let result = result.clone();
            let dispatch = dispatch.clone();
            let settings = settings.clone();
            let on_answer = Callback::from(move |outcome| {
                let read = match outcome {
                    Outcome::Imported(read) => read,
                    Outcome::Failed(why) => Err(vec![Note {
                        code: String::new(),
                        severity: "error".into(),
                        message: format!("the importer could not run: {why}"),
                        help: None,
                        line: None,
                    }]),
                    _ => return,
                };
                // One policy: load it right away; several: let the user choose.
                if let Ok(import) = &read
                    && let [only] = import.policies.as_slice()
                {
                    dispatch.emit(load_action(only, &settings));
                }
                result.set(Some(Rc::new(read)));
            });
            worker_client::send(Task::ImportArm((*text).clone()), on_answer);
        })
    };
    let results = match result.as_deref() {
        None => html! {},
        Some(Err(reasons)) => html! { <>
            <p class="callout callout-error" role="status">{ "The template could not be read:" }</p>
            { diagnostics_list(reasons) }
        </> },
        Some(Ok(import)) => {
            let add_named_values = {
                let dispatch = props.dispatch.clone();
                let scenario = props.scenario.clone();
                let found = import.named_values.clone();
                Callback::from(move |_: MouseEvent| {
                    let mut next = (*scenario).clone();
                    let mut added = 0;
                    for nv in &found {
                        if next.named_value(&nv.name).is_none() {
                            next.named_values.push(nv.clone());
                            added += 1;
                        }
                    }
                    dispatch.emit(Action::set_scenario(Rc::new(next)));
                    dispatch.emit(Action::Notify(format!(
                        "Added {added} named value{} to the scenario (secret values are never in templates: fill them in on the Simulate tab).",
                        if added == 1 { "" } else { "s" }
                    )));
                })
            };
            html! { <>
                if import.policies.is_empty() {
                    <p class="callout callout-warn" role="status">{ "The template holds no policy." }</p>
                } else if import.policies.len() == 1 {
                    <p class="hint" role="status">{ "Loaded its policy into the editor." }</p>
                } else {
                    <p class="hint" role="status">
                        { format!("The template holds {} policies: choose the one to load.", import.policies.len()) }
                    </p>
                }
                <ul class="import-list" aria-label="Policies in the template">
                    { for import.policies.iter().map(|p| {
                        let onclick = {
                            let dispatch = props.dispatch.clone();
                            let p = p.clone();
                            let settings = props.settings.clone();
                            Callback::from(move |_: MouseEvent| dispatch.emit(load_action(&p, &settings)))
                        };
                        html! {
                            <li data-testid="import-policy" data-scope={p.scope.as_str()}>
                                <span>{ &p.description }</span>
                                <span class="muted">{ format!(" · {}", p.source) }</span>
                                <button type="button" class="btn btn-small" data-testid="import-load" {onclick}>
                                    { "Load" }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
                if !import.named_values.is_empty() {
                    <p class="hint">
                        { format!("It also declares {} named value{}. ", import.named_values.len(),
                            if import.named_values.len() == 1 { "" } else { "s" }) }
                        <button type="button" class="btn btn-small" data-testid="import-named-values"
                            onclick={add_named_values}>
                            { "Add them to the scenario" }
                        </button>
                    </p>
                }
                if !import.notes.is_empty() {
                    { diagnostics_list(&import.notes) }
                }
            </> }
        }
    };
    html! {
        <details class="form-section import">
            <summary><h2>{ "Import from an ARM template" }</h2></summary>
            <p class="field-hint">{ "Paste a template (or an APIM export) to load the policy it deploys." }</p>
            <label for="import-arm" class="sr-only">{ "ARM template JSON" }</label>
            <textarea id="import-arm" class="json-text" rows="8" spellcheck="false" data-testid="import-arm"
                placeholder="{ \"resources\": [ … ] }" value={(*text).clone()} {oninput} />
            <button type="button" class="btn btn-small" data-testid="import-read" onclick={on_read}
                disabled={text.trim().is_empty()}>
                { "Read the template" }
            </button>
            { results }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_exporters_defaults() {
        let s = crate::scenario_text::parse(
            crate::examples::find("seed-named-value")
                .unwrap()
                .scenario(),
        )
        .unwrap();
        let names = default_names(&s);
        assert_eq!(names[2], ("api", "orders".to_string()));
        assert_eq!(names[3], ("operation", "get-order".to_string()));
        // The same names end up in the exported file's name.
        let out = export::export(
            crate::examples::find("seed-named-value").unwrap().policy(),
            &ExportSettings::default().options(),
            Some(&s),
        )
        .unwrap();
        assert!(out.file_name.starts_with("orders"), "{}", out.file_name);
        let blank = default_names(&Scenario::default());
        assert_eq!(
            blank.map(|(_, v)| v),
            [
                "apim-service",
                "starter",
                "my-api",
                "my-operation",
                "my-fragment"
            ]
        );
    }

    #[test]
    fn an_exported_template_imports_back_into_a_load_action() {
        use crate::wire::testing::run_natively;
        let example = crate::examples::find("seed-named-value").unwrap();
        let s = crate::scenario_text::parse(example.scenario()).unwrap();
        let settings = ExportSettings {
            scope: Some(export::Scope::Operation),
            ..ExportSettings::default()
        };
        let Outcome::Exported(Ok(out)) = run_natively(Task::Export {
            source: example.policy().into(),
            scenario: s.to_json_pretty(),
            options: settings.options(),
        }) else {
            panic!("not exported");
        };
        assert_eq!(out.target, Target::Arm);
        let Outcome::Imported(Ok(import)) = run_natively(Task::ImportArm(out.text)) else {
            panic!("not imported");
        };
        assert_eq!(import.policies.len(), 1);
        let Action::LoadPolicy {
            policy,
            export: Some(e),
            ..
        } = load_action(&import.policies[0], &ExportSettings::default())
        else {
            panic!("not a load action");
        };
        assert_eq!(policy, example.policy());
        assert_eq!(e.scope, Some(export::Scope::Operation));
        assert_eq!(e.api, "orders");
        assert_eq!(e.operation, "get-order");
        let nv = &import.named_values[0];
        assert_eq!(nv.name, "backend-api-key");
        assert!(nv.key_vault.is_some());
    }

    #[test]
    fn refusals_and_notes_carry_their_lines() {
        use crate::wire::testing::run_natively;
        let Outcome::Exported(Err(reasons)) = run_natively(Task::Export {
            source: "<policies>\n  <inbound>\n</policies>".into(),
            scenario: Scenario::default().to_json_pretty(),
            options: ExportSettings::default().options(),
        }) else {
            panic!("exported a broken document");
        };
        assert!(
            reasons
                .iter()
                .any(|n| n.severity == "error" && n.line == Some(2)),
            "{reasons:?}"
        );
    }
}
