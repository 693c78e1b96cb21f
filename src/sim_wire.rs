//! What crosses between the app and the simulator's web worker (`src/worker.rs`), as JSON text
//! in both directions. The simulator (`apim_policy::sim` with the expression interpreter, the
//! mock Key Vault, JWT, Liquid) is a separate wasm module that the page loads only when the
//! Simulate tab is first opened, so the first load carries the editor and the linter alone.
//!
//! A [`Reply`] holds the core's output in the contract's shape plus, for each trace step, what
//! the editor needs and the contract's JSON leaves out: the element's byte span and the
//! document it is in. Both binaries compile this module; [`answer`] is the worker's whole job
//! and runs natively in the tests.

use apim_policy::scenario::Headers;
use serde::{Deserialize, Serialize};

/// A run to do: the policy, the scenario JSON as typed, whether to reveal secrets.
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

/// The worker's job: read a [`Request`], simulate, write the [`Reply`]. (The app's binary
/// calls it only in its tests.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn answer(request: &str) -> String {
    let reply = match serde_json::from_str::<Request>(request) {
        Ok(r) => Reply {
            id: r.id,
            result: simulate(&r),
        },
        Err(e) => Reply {
            id: 0,
            result: Err(NotRun {
                message: format!("the simulator could not read the request: {e}"),
                line: None,
                column: None,
            }),
        },
    };
    serde_json::to_string(&reply).unwrap_or_default()
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

    /// The reply to `request`, read back (what the app gets from the worker).
    pub fn run_natively(request: &Request) -> Reply {
        serde_json::from_str(&answer(&serde_json::to_string(request).unwrap())).unwrap()
    }
}
