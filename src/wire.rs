//! What crosses between the app and its web worker (`src/worker.rs`), as JSON text in both
//! directions. The worker is a separate wasm module that holds the simulator
//! (`apim_policy::sim` with the expression interpreter, the mock Key Vault, JWT, Liquid) and the
//! exporter and importer (`apim_policy::export`); the page loads it when the Simulate or the
//! Export tab is first opened, so the first load carries the editor and the linter alone.
//!
//! A [`Job`] carries a ticket that its [`Answer`] repeats. A simulation's [`Reply`] holds the
//! core's output in the contract's shape plus, for each trace step, what the editor needs and
//! the contract's JSON leaves out: the element's byte span and the document it is in. Both
//! binaries compile this module; [`answer`] is the worker's whole job and runs natively in the
//! tests.

use apim_policy::export::{ExportOptions, Scope, Target};
use apim_policy::scenario::{Headers, NamedValue, Scenario};
use serde::{Deserialize, Serialize};

/// A job for the worker; the answer carries the same ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub ticket: u64,
    pub task: Task,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Task {
    Simulate(Request),
    /// `apim_policy::export::export` of the policy.
    Export {
        source: String,
        scenario: Box<Scenario>,
        options: ExportOptions,
    },
    /// `apim_policy::export::import_arm` of a pasted template.
    ImportArm(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub ticket: u64,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Simulated(Reply),
    /// The file, or the reasons it would not deploy.
    Exported(Result<ExportedFile, Vec<Note>>),
    Imported(Result<Imported, Vec<Note>>),
    /// The worker could not be loaded, stopped, or did not understand the job.
    Failed(String),
}

/// One generated file (`ExportOutput`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedFile {
    pub text: String,
    pub file_name: String,
    pub target: Target,
    /// Warnings and notes.
    pub notes: Vec<Note>,
}

/// A diagnostic of the exporter or importer, with its line in the policy when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub code: String,
    pub severity: String,
    pub message: String,
    pub help: Option<String>,
    pub line: Option<usize>,
}

/// What an ARM template holds (`Import`), with its named values already in the scenario's
/// shape (secret values are never in templates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    pub policies: Vec<ImportedPolicy>,
    pub named_values: Vec<NamedValue>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedPolicy {
    pub scope: Scope,
    pub service: Option<String>,
    pub product: Option<String>,
    pub api: Option<String>,
    pub operation: Option<String>,
    pub fragment: Option<String>,
    pub xml: String,
    /// "api 'orders' of service 'apim'".
    pub description: String,
    /// Where it was found: `resources[2]`.
    pub source: String,
}

/// A simulation to run: the policy, the scenario JSON as typed, whether to reveal secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub policy: String,
    pub scenario: String,
    pub reveal_secrets: bool,
}

/// The answer to [`Request`] `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: u64,
    pub result: Result<Vec<RequestResult>, NotRun>,
}

/// Why the simulation could not run (`SimError`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotRun {
    pub message: String,
    /// Where in the scenario JSON, for scenario problems (1-based).
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// One request's result, as the contract's output has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestResult {
    /// `forwarded`, `returned` or `error`.
    pub outcome: String,
    pub backend_request: Option<Http>,
    pub response: Http,
    /// `context.Variables`, each value as JSON text.
    pub variables: Vec<(String, String)>,
    pub trace: Vec<TraceStep>,
    pub error: Option<ErrorInfo>,
}

/// A request (`first` = method and URL) or a response (`first` = status and reason).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Http {
    pub first: String,
    pub status: u16,
    pub headers: Headers,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceStep {
    pub section: String,
    pub policy: String,
    pub line: Option<usize>,
    pub message: String,
    /// Byte span of the element in its document.
    pub span: Option<(usize, usize)>,
    /// Where the element is: `None` for the simulated policy (the editor's text), else
    /// `global scope`, `fragment name`, or `gateway` (empty for the gateway's own steps).
    pub origin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub source: String,
    pub reason: String,
    pub message: String,
    pub scope: String,
    pub section: String,
    pub path: String,
    pub policy_id: String,
}

/// The worker's job: read a [`Job`], do it, write the [`Answer`]. (The app's binary calls it
/// only in its tests.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn answer(job: &str) -> String {
    let answer = match serde_json::from_str::<Job>(job) {
        Ok(job) => Answer {
            ticket: job.ticket,
            outcome: match job.task {
                Task::Simulate(r) => Outcome::Simulated(Reply {
                    id: r.id,
                    result: simulate(&r),
                }),
                Task::Export {
                    source,
                    scenario,
                    options,
                } => Outcome::Exported(export(&source, &scenario, &options)),
                Task::ImportArm(text) => Outcome::Imported(import_arm(&text)),
            },
        },
        Err(e) => Answer {
            ticket: 0,
            outcome: Outcome::Failed(format!("the worker could not read the job: {e}")),
        },
    };
    serde_json::to_string(&answer).unwrap_or_default()
}

fn notes(list: &[apim_policy::Diagnostic], source: &str) -> Vec<Note> {
    let index = apim_policy::LineIndex::new(source);
    list.iter()
        .map(|d| Note {
            code: d.code.to_string(),
            severity: d.severity.as_str().to_string(),
            message: d.message.clone(),
            help: d.help.clone(),
            line: apim_policy::export::is_located(d).then(|| index.line_col(d.span.start).line),
        })
        .collect()
}

fn export(
    source: &str,
    scenario: &Scenario,
    options: &ExportOptions,
) -> Result<ExportedFile, Vec<Note>> {
    match apim_policy::export::export(source, options, Some(scenario)) {
        Ok(out) => Ok(ExportedFile {
            notes: notes(&out.diagnostics, source),
            text: out.text,
            file_name: out.file_name,
            target: options.target,
        }),
        Err(reasons) => Err(notes(&reasons, source)),
    }
}

fn import_arm(text: &str) -> Result<Imported, Vec<Note>> {
    use apim_policy::export::ImportedValue;
    use apim_policy::scenario::KeyVaultRef;
    let import = apim_policy::export::import_arm(text).map_err(|d| notes(&d, ""))?;
    let named_values = import
        .named_values
        .iter()
        .map(|nv| {
            let name = if nv.display_name.is_empty() {
                nv.name.clone()
            } else {
                nv.display_name.clone()
            };
            match &nv.value {
                ImportedValue::Plain { value } => NamedValue {
                    name,
                    value: Some(value.clone()),
                    ..NamedValue::default()
                },
                ImportedValue::Expression { expression } => NamedValue {
                    name,
                    value: Some(expression.clone()),
                    ..NamedValue::default()
                },
                ImportedValue::Secret { .. } => NamedValue {
                    name,
                    value: Some(String::new()),
                    secret: true,
                    ..NamedValue::default()
                },
                ImportedValue::KeyVault {
                    secret_identifier,
                    identity_client_id,
                } => NamedValue {
                    name,
                    key_vault: Some(KeyVaultRef {
                        secret_identifier: secret_identifier.clone(),
                        identity_client_id: identity_client_id.clone(),
                    }),
                    ..NamedValue::default()
                },
            }
        })
        .collect();
    Ok(Imported {
        policies: import
            .policies
            .iter()
            .map(|p| ImportedPolicy {
                scope: p.scope,
                service: p.service.clone(),
                product: p.product.clone(),
                api: p.api.clone(),
                operation: p.operation.clone(),
                fragment: p.fragment.clone(),
                xml: p.xml.clone(),
                description: p.describe(),
                source: p.source.clone(),
            })
            .collect(),
        named_values,
        notes: notes(&import.diagnostics, ""),
    })
}

fn simulate(r: &Request) -> Result<Vec<RequestResult>, NotRun> {
    use apim_policy::scenario::Scenario;
    use apim_policy::sim::{self, SimOptions};
    let scenario = if r.scenario.trim().is_empty() {
        Scenario::default()
    } else {
        Scenario::from_json(&r.scenario).map_err(|e| NotRun {
            message: format!("the scenario JSON has an error: {}", e.message),
            line: Some(e.line),
            column: Some(e.column),
        })?
    };
    let options = SimOptions {
        reveal_secrets: r.reveal_secrets,
    };
    match sim::simulate(&r.policy, &scenario, &options) {
        Ok(out) => Ok(out.results().iter().map(convert).collect()),
        Err(e) => Err(NotRun {
            message: e.message,
            line: e.line,
            column: e.column,
        }),
    }
}

fn convert(r: &apim_policy::sim::RequestResult) -> RequestResult {
    use apim_policy::sim::DocRef;
    RequestResult {
        outcome: r.outcome.as_str().to_string(),
        backend_request: r.backend_request.as_ref().map(|b| Http {
            first: format!("{} {}", b.method, b.url),
            status: 0,
            headers: b.headers.clone(),
            body: b.body.clone(),
        }),
        response: Http {
            first: format!("{} {}", r.response.status, r.response.reason),
            status: r.response.status,
            headers: r.response.headers.clone(),
            body: r.response.body.clone(),
        },
        variables: r
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
        trace: r
            .trace
            .iter()
            .map(|t| TraceStep {
                section: t.section.clone(),
                policy: t.policy.clone(),
                line: t.line,
                message: t.message.clone(),
                span: t.span.map(|s| (s.start, s.end)),
                origin: match &t.doc {
                    DocRef::Policy => None,
                    DocRef::Gateway if t.section == "gateway" => Some(String::new()),
                    doc => Some(doc.label()),
                },
            })
            .collect(),
        error: r.error.as_ref().map(|e| ErrorInfo {
            source: e.source.clone(),
            reason: e.reason.clone(),
            message: e.message.clone(),
            scope: e.scope.clone(),
            section: e.section.clone(),
            path: e.path.clone(),
            policy_id: e.policy_id.clone(),
        }),
    }
}

/// For the app's tests (the worker's test build compiles this module too, unused).
#[cfg(test)]
#[allow(dead_code)]
pub mod testing {
    use super::*;

    /// What the worker answers to `task`, read back (what the app gets).
    pub fn run_natively(task: Task) -> Outcome {
        let job = serde_json::to_string(&Job { ticket: 7, task }).unwrap();
        let answer: Answer = serde_json::from_str(&answer(&job)).unwrap();
        assert_eq!(answer.ticket, 7);
        answer.outcome
    }

    /// A simulation's reply.
    pub fn simulate_natively(request: &Request) -> Reply {
        match run_natively(Task::Simulate(request.clone())) {
            Outcome::Simulated(reply) => reply,
            other => panic!("not a simulation: {other:?}"),
        }
    }
}
