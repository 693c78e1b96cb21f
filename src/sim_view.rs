//! What the Simulate tab's results area shows: one run of the core's simulator
//! (`apim_policy::sim::simulate`) with what it ran on, and the view-side helpers (the trace
//! grouped by section, header lines, where a trace step points). Pure and tested natively;
//! `components::sim_results` renders it.

use apim_policy::LineIndex;
use apim_policy::scenario::Headers;
use apim_policy::scenario::{Scenario, ScenarioError};
use apim_policy::sim::{self, DocRef, SimError, SimOptions, SimOutput, TraceStep};
use std::rc::Rc;

/// One press of Run (or a re-run for the reveal toggle).
#[derive(Debug, Clone, PartialEq)]
pub struct SimRun {
    /// Counts runs since the page loaded (`data-run`, so tests can wait for a new one).
    pub id: u64,
    /// The output, or why the simulation could not run.
    pub result: Result<SimOutput, SimError>,
    /// The policy and scenario text it ran on: trace spans point into `source`, and the view
    /// says when either has changed since.
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    /// Secrets were revealed in `result`.
    pub revealed: bool,
}

impl SimRun {
    /// Run the simulator on the workspace: the policy, the scenario as read (or the JSON's
    /// error, which stops the run with its line and column), and whether to reveal secrets.
    pub fn new(
        id: u64,
        source: Rc<str>,
        scenario_text: Rc<str>,
        scenario: Result<&Scenario, &ScenarioError>,
        reveal_secrets: bool,
    ) -> SimRun {
        let result = match scenario {
            Ok(model) => sim::simulate(&source, model, &SimOptions { reveal_secrets }),
            Err(e) => Err(SimError {
                message: format!("the scenario JSON has an error: {}", e.message),
                line: Some(e.line),
                column: Some(e.column),
            }),
        };
        SimRun {
            id,
            result,
            source,
            scenario: scenario_text,
            revealed: reveal_secrets,
        }
    }

    /// The policy or the scenario changed since this run.
    pub fn is_stale(&self, source: &str, scenario: &str) -> bool {
        *self.source != *source || *self.scenario != *scenario
    }
}

/// The trace as consecutive runs of one section each (a timeline grouped by section).
pub fn trace_by_section(trace: &[TraceStep]) -> Vec<(&str, &[TraceStep])> {
    let mut groups: Vec<(&str, &[TraceStep])> = Vec::new();
    let mut start = 0;
    for (i, step) in trace.iter().enumerate() {
        let next_differs = trace.get(i + 1).is_none_or(|n| n.section != step.section);
        if next_differs {
            groups.push((step.section.as_str(), trace.get(start..=i).unwrap_or(&[])));
            start = i + 1;
        }
    }
    groups
}

/// `Name: value` lines, one per value, as a request or response head shows them.
pub fn header_lines(headers: &Headers) -> String {
    let mut out = String::new();
    for (name, values) in headers.iter() {
        for v in values {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(v);
            out.push('\n');
        }
    }
    out
}

/// An HTTP message as text: the first line, the headers, a blank line and the body.
pub fn http_text(first_line: &str, headers: &Headers, body: &str) -> String {
    let mut out = format!("{first_line}\n{}", header_lines(headers));
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
    }
    out
}

/// Where a trace step's element is, for the editor: the UTF-16 range of its span (or of its
/// whole line) in `source`, when the step is in the simulated policy itself. Steps in a
/// parent scope, a fragment or the gateway have no place in the editor.
pub fn step_range(source: &str, step: &TraceStep) -> Option<(usize, usize)> {
    if step.doc != DocRef::Policy {
        return None;
    }
    let index = LineIndex::new(source);
    match (step.span, step.line) {
        (Some(span), _) if span.end <= source.len() => {
            Some((index.utf16_offset(span.start), index.utf16_offset(span.end)))
        }
        (_, Some(line)) if line > 0 && line <= index.line_count() => {
            let start = index.line_start(line - 1);
            let end = start + index.line_text(line).len();
            Some((index.utf16_offset(start), index.utf16_offset(end)))
        }
        _ => None,
    }
}

/// Where a step that is not in the editor comes from: `global scope`, `fragment x`,
/// `gateway` (left unsaid in the gateway section); `None` for the policy itself.
pub fn step_origin(step: &TraceStep) -> Option<String> {
    match &step.doc {
        DocRef::Policy => None,
        DocRef::Gateway if step.section == "gateway" => Some(String::new()),
        doc => Some(doc.label()),
    }
}

/// Sentence case for a core message (`the simulation cannot run…` → `The simulation…`).
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use apim_policy::sim::Outcome;

    fn run_example(id: &str, reveal: bool) -> SimRun {
        let e = examples::find(id).unwrap();
        let model = Scenario::from_json(e.scenario).unwrap();
        SimRun::new(1, e.policy.into(), e.scenario.into(), Ok(&model), reveal)
    }

    #[test]
    fn the_seed_forwards_with_the_key_masked_unless_revealed() {
        let run = run_example("seed-named-value", false);
        let out = run.result.as_ref().unwrap();
        let r = &out.results()[0];
        assert_eq!(r.outcome, Outcome::Forwarded);
        assert_eq!(r.response.status, 200);
        let b = r.backend_request.as_ref().unwrap();
        let text = http_text(&format!("{} {}", b.method, b.url), &b.headers, &b.body);
        assert!(text.contains("x-api-key: ***\n"), "{text}");
        let run = run_example("seed-named-value", true);
        let b = run.result.unwrap().results()[0]
            .backend_request
            .clone()
            .unwrap();
        assert!(header_lines(&b.headers).contains("x-api-key: s3cr3t-from-vault"));
    }

    #[test]
    fn every_example_runs_and_only_the_blog_one_is_refused() {
        for e in examples::EXAMPLES {
            let run = run_example(e.id, false);
            match (&run.result, e.id) {
                (Err(err), "seed-blog") => assert!(err.message.contains("APIM0105"), "{err:?}"),
                (Err(err), id) => panic!("{id}: {err:?}"),
                (Ok(out), id) => assert!(!out.results().is_empty(), "{id}"),
            }
        }
    }

    #[test]
    fn steps_in_the_policy_point_into_the_editor_and_others_say_where_they_are_from() {
        let e = examples::find("fragment").unwrap();
        let run = run_example("fragment", false);
        let out = run.result.unwrap();
        let trace = &out.results()[0].trace;
        let include = trace
            .iter()
            .find(|s| s.policy == "include-fragment")
            .unwrap();
        let (from, to) = step_range(e.policy, include).unwrap();
        let u16: Vec<u16> = e.policy.encode_utf16().collect();
        let selected = String::from_utf16(&u16[from..to]).unwrap();
        assert!(selected.starts_with("<include-fragment"), "{selected}");
        let inner = trace
            .iter()
            .find(|s| s.policy == "set-header" && s.doc != DocRef::Policy)
            .unwrap();
        assert_eq!(step_range(e.policy, inner), None);
        assert_eq!(
            step_origin(inner).as_deref(),
            Some("fragment correlation-headers")
        );
        let gateway = trace.iter().find(|s| s.section == "gateway").unwrap();
        assert_eq!(step_range(e.policy, gateway), None);
        assert_eq!(step_origin(gateway).as_deref(), Some(""));
        let forward = trace
            .iter()
            .find(|s| s.policy == "forward-request")
            .unwrap();
        assert_eq!(step_origin(forward).as_deref(), Some("gateway"));
        assert_eq!(step_origin(include), None);
    }

    #[test]
    fn the_trace_groups_consecutive_steps_by_section() {
        let run = run_example("on-error", false);
        let out = run.result.unwrap();
        let groups: Vec<(&str, usize)> = trace_by_section(&out.results()[0].trace)
            .into_iter()
            .map(|(s, steps)| (s, steps.len()))
            .collect();
        assert_eq!(
            groups,
            vec![("gateway", 2), ("inbound", 2), ("on-error", 3)],
            "{groups:?}"
        );
    }

    #[test]
    fn an_invalid_scenario_stops_the_run_with_its_position() {
        let err = ScenarioError {
            message: "expected value".into(),
            line: 3,
            column: 7,
        };
        let run = SimRun::new(2, "<policies/>".into(), "{".into(), Err(&err), false);
        let e = run.result.clone().unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(7)));
        assert!(run.source.contains("policies"));
        assert!(!run.is_stale("<policies/>", "{"));
        assert!(run.is_stale("<policies/>", "{}"));
        assert_eq!(sentence("the x"), "The x");
    }

    #[test]
    fn http_text_shows_the_head_and_the_body() {
        let mut h = Headers::default();
        h.append("A", "1".into());
        h.append("A", "2".into());
        assert_eq!(http_text("GET /", &h, ""), "GET /\nA: 1\nA: 2\n");
        assert_eq!(http_text("200 OK", &h, "{}"), "200 OK\nA: 1\nA: 2\n\n{}");
    }
}
