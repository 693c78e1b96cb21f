//! What the Simulate tab's results area shows: the simulation output of the contract
//! (`shared/spec/cli-and-scenario.md`, "Simulation output"), read with serde, plus the
//! view-side helpers (trace grouped by section, header lines). Pure and tested natively.
//!
//! Nothing produces a [`SimOutput`] yet: the core's `sim::simulate` is being written. When it
//! lands, `State` gains `sim: Option<Rc<SimOutput>>`, filled by `Action::Run` from
//! `sim::simulate(policy, &scenario, options)`: either that function's output type replaces
//! this mirror (if it derives `Deserialize`-compatible serde with the contract's field names, a
//! `serde_json::to_value` + `from_value` round trip converts it), or `From` is written by hand.
//! `components::sim_results` renders it unchanged.

use apim_policy::scenario::Headers;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SimOutput {
    /// `forwarded`, `returned` or `error`.
    pub outcome: String,
    pub backend_request: Option<HttpMessage>,
    pub response: Option<Response>,
    #[serde(default)]
    pub variables: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub trace: Vec<TraceStep>,
    pub error: Option<SimError>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HttpMessage {
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub headers: Headers,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Response {
    pub status: u16,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub headers: Headers,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TraceStep {
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub policy: String,
    /// 1-based line of the policy in the editor's document (0 when unknown).
    #[serde(default)]
    pub line: usize,
    #[serde(default)]
    pub message: String,
    /// Byte span in the policy document, when the simulator gives one.
    #[serde(default)]
    pub span: Option<ByteSpan>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SimError {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub policy_id: String,
}

impl SimOutput {
    /// The status returned to the caller, if the run produced a response.
    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }

    /// The trace as consecutive runs of one section each (a timeline grouped by section), with
    /// each step's index into [`SimOutput::trace`].
    pub fn trace_by_section(&self) -> Vec<(&str, Vec<(usize, &TraceStep)>)> {
        let mut groups: Vec<(&str, Vec<(usize, &TraceStep)>)> = Vec::new();
        for (i, step) in self.trace.iter().enumerate() {
            match groups.last_mut() {
                Some((section, steps)) if *section == step.section => steps.push((i, step)),
                _ => groups.push((step.section.as_str(), vec![(i, step)])),
            }
        }
        groups
    }
}

/// `Name: value` lines, one per value, as a request or response head shows them.
pub fn header_lines(headers: &Headers) -> Vec<String> {
    headers
        .iter()
        .flat_map(|(name, values)| values.iter().map(move |v| format!("{name}: {v}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    impl SimOutput {
        fn from_json(json: &str) -> Result<SimOutput, serde_json::Error> {
            serde_json::from_str(json)
        }
    }

    /// The contract's example output, verbatim.
    const CONTRACT: &str = r#"{"outcome": "forwarded",
 "backend_request": {"method": "GET", "url": "https://backend.contoso.com/api/items/42?verbose=true",
                     "headers": {"X-Api-Key": ["***"]}, "body": ""},
 "response": {"status": 200, "reason": "OK", "headers": {"Content-Type": ["application/json"]},
              "body": "{\"ok\":true}"},
 "variables": {"id": "42"},
 "trace": [{"section": "inbound", "policy": "set-header", "line": 4,
            "message": "set header X-Api-Key = *** (from named value kv-backend-key, Key Vault contoso-kv)"}],
 "error": null}"#;

    #[test]
    fn the_contract_output_reads() {
        let out = SimOutput::from_json(CONTRACT).unwrap();
        assert_eq!(out.outcome, "forwarded");
        assert_eq!(out.status(), Some(200));
        let backend = out.backend_request.as_ref().unwrap();
        assert_eq!(header_lines(&backend.headers), vec!["X-Api-Key: ***"]);
        assert_eq!(out.trace[0].line, 4);
        assert_eq!(out.trace[0].span, None);
        assert!(out.error.is_none());
    }

    #[test]
    fn errors_and_missing_backend_read_too() {
        let out = SimOutput::from_json(
            r#"{"outcome": "error", "backend_request": null,
                "response": {"status": 500, "reason": "Internal Server Error", "headers": {}, "body": ""},
                "trace": [], "error": {"source": "named-value", "reason": "Forbidden",
                "message": "named value backend-api-key: Key Vault contoso-kv denied get (Forbidden)",
                "scope": "api", "section": "inbound", "path": "", "policy_id": ""}}"#,
        )
        .unwrap();
        assert_eq!(out.status(), Some(500));
        assert!(out.backend_request.is_none());
        assert_eq!(out.error.unwrap().reason, "Forbidden");
    }

    #[test]
    fn the_trace_groups_consecutive_steps_by_section() {
        let step = |section: &str, line| TraceStep {
            section: section.into(),
            policy: "p".into(),
            line,
            message: String::new(),
            span: Some(ByteSpan { start: 0, end: 1 }),
        };
        let out = SimOutput {
            outcome: "forwarded".into(),
            backend_request: None,
            response: None,
            variables: serde_json::Map::new(),
            trace: vec![
                step("inbound", 3),
                step("inbound", 4),
                step("backend", 9),
                step("outbound", 12),
                step("inbound", 20),
            ],
            error: None,
        };
        let groups: Vec<(&str, Vec<usize>)> = out
            .trace_by_section()
            .into_iter()
            .map(|(s, steps)| (s, steps.into_iter().map(|(i, _)| i).collect()))
            .collect();
        assert_eq!(
            groups,
            vec![
                ("inbound", vec![0, 1]),
                ("backend", vec![2]),
                ("outbound", vec![3]),
                ("inbound", vec![4])
            ]
        );
    }
}
