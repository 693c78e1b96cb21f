//! What the Simulate tab's results area shows: one run of the simulator ([`SimRun`]: the
//! worker's [`Reply`] with the policy and scenario text it ran on) and the view-side helpers
//! (the trace grouped by section, HTTP messages as text, where a trace step points). Pure and
//! tested natively; `components::sim_results` renders it.

use crate::wire::{NotRun, Reply, RequestResult, TraceStep};
use apim_policy::LineIndex;
use apim_policy::scenario::{Headers, ScenarioError};
use std::rc::Rc;

/// A run the app asked the worker for and has not heard back about.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRun {
    pub id: u64,
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    pub reveal_secrets: bool,
}

impl PendingRun {
    /// What to send to the worker.
    pub fn request(&self) -> crate::wire::Request {
        crate::wire::Request {
            id: self.id,
            policy: self.source.to_string(),
            scenario: self.scenario.to_string(),
            reveal_secrets: self.reveal_secrets,
        }
    }
}

/// One press of Run (or a re-run for the reveal toggle), finished.
#[derive(Debug, Clone, PartialEq)]
pub struct SimRun {
    /// Counts runs since the page loaded (`data-run`, so tests can wait for a new one).
    pub id: u64,
    /// One result per request, or why the simulation could not run.
    pub result: Result<Vec<RequestResult>, NotRun>,
    /// The policy and scenario text it ran on: trace spans point into `source`, and the view
    /// says when either has changed since.
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    /// Secrets were revealed in `result`.
    pub revealed: bool,
}

impl SimRun {
    pub fn finished(run: &PendingRun, reply: Reply) -> SimRun {
        SimRun {
            id: run.id,
            result: reply.result,
            source: run.source.clone(),
            scenario: run.scenario.clone(),
            revealed: run.reveal_secrets,
        }
    }

    /// A run stopped before the simulator: the scenario JSON does not read.
    pub fn invalid_scenario(run: &PendingRun, e: &ScenarioError) -> SimRun {
        SimRun::failed(
            run,
            NotRun {
                message: format!("the scenario JSON has an error: {}", e.message),
                line: Some(e.line),
                column: Some(e.column),
            },
        )
    }

    pub fn failed(run: &PendingRun, why: NotRun) -> SimRun {
        SimRun {
            id: run.id,
            result: Err(why),
            source: run.source.clone(),
            scenario: run.scenario.clone(),
            revealed: run.reveal_secrets,
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

/// An HTTP message as text: the first line, the headers as the scenario form writes them
/// (`Name: value`, one per value), a blank line and the body.
pub fn http_text(first_line: &str, headers: &Headers, body: &str) -> String {
    let mut out = format!(
        "{first_line}\n{}",
        crate::scenario_text::headers_text(headers)
    );
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
    }
    out
}

/// Where a trace step's element is in the editor: the UTF-16 range of its span (or of its
/// whole line) in `source`, when the step is in the simulated policy itself. Steps in a
/// parent scope, a fragment or the gateway have no place in the editor.
pub fn step_range(source: &str, step: &TraceStep) -> Option<(usize, usize)> {
    if step.origin.is_some() {
        return None;
    }
    let index = LineIndex::new(source);
    match (step.span, step.line) {
        (Some((start, end)), _) if start <= end && end <= source.len() => {
            Some((index.utf16_offset(start), index.utf16_offset(end)))
        }
        (_, Some(line)) if line > 0 && line <= index.line_count() => {
            let start = index.line_start(line - 1);
            let end = start + index.line_text(line).len();
            Some((index.utf16_offset(start), index.utf16_offset(end)))
        }
        _ => None,
    }
}

/// Sentence case for a core message (`the simulation cannot run…` → `The simulation…`). The
/// core's messages start in ASCII; ASCII case mapping keeps core's Unicode case tables (about
/// 24 KB) out of the first load.
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::wire::testing::simulate_natively as run_natively;

    fn pending(id: &str, reveal: bool) -> PendingRun {
        let e = examples::find(id).unwrap();
        PendingRun {
            id: 1,
            source: e.policy().into(),
            scenario: e.scenario().into(),
            reveal_secrets: reveal,
        }
    }

    fn run_example(id: &str, reveal: bool) -> SimRun {
        let p = pending(id, reveal);
        let reply = run_natively(&p.request());
        assert_eq!(reply.id, 1);
        SimRun::finished(&p, reply)
    }

    #[test]
    fn the_seed_forwards_with_the_key_masked_unless_revealed() {
        let run = run_example("seed-named-value", false);
        let results = run.result.as_ref().unwrap();
        let r = &results[0];
        assert_eq!((r.outcome.as_str(), r.response.status), ("forwarded", 200));
        assert_eq!(r.response.first, "200 OK");
        let b = r.backend_request.as_ref().unwrap();
        let text = http_text(&b.first, &b.headers, &b.body);
        assert!(
            text.starts_with("GET https://backend.contoso.com/api/items/42\n"),
            "{text}"
        );
        assert!(text.contains("x-api-key: ***\n"), "{text}");
        let run = run_example("seed-named-value", true);
        let b = run.result.unwrap()[0].backend_request.clone().unwrap();
        assert_eq!(
            b.headers.get("x-api-key"),
            Some(&["s3cr3t-from-vault".to_string()][..])
        );
    }

    #[test]
    fn every_example_runs_and_only_the_blog_one_is_refused() {
        for e in examples::EXAMPLES {
            let run = run_example(e.id, false);
            match (&run.result, e.id) {
                (Err(err), "seed-blog") => assert!(err.message.contains("APIM0105"), "{err:?}"),
                (Err(err), id) => panic!("{id}: {err:?}"),
                (Ok(results), id) => assert!(!results.is_empty(), "{id}"),
            }
        }
    }

    #[test]
    fn steps_in_the_policy_point_into_the_editor_and_others_say_where_they_are_from() {
        let e = examples::find("fragment").unwrap();
        let run = run_example("fragment", false);
        let results = run.result.unwrap();
        let trace = &results[0].trace;
        let include = trace
            .iter()
            .find(|s| s.policy == "include-fragment")
            .unwrap();
        let (from, to) = step_range(e.policy(), include).unwrap();
        let u16: Vec<u16> = e.policy().encode_utf16().collect();
        let selected = String::from_utf16(&u16[from..to]).unwrap();
        assert!(selected.starts_with("<include-fragment"), "{selected}");
        assert_eq!(include.origin, None);
        let inner = trace
            .iter()
            .find(|s| s.policy == "set-header" && s.origin.is_some())
            .unwrap();
        assert_eq!(step_range(e.policy(), inner), None);
        assert_eq!(
            inner.origin.as_deref(),
            Some("fragment correlation-headers")
        );
        let gateway = trace.iter().find(|s| s.section == "gateway").unwrap();
        assert_eq!(step_range(e.policy(), gateway), None);
        assert_eq!(gateway.origin.as_deref(), Some(""));
        let forward = trace
            .iter()
            .find(|s| s.policy == "forward-request")
            .unwrap();
        assert_eq!(forward.origin.as_deref(), Some("gateway"));
    }

    #[test]
    fn ai_gateway_steps_reach_the_trace_like_any_other() {
        let e = examples::find("azure-openai-keyvault").unwrap();
        let run = run_example("azure-openai-keyvault", false);
        let results = run.result.unwrap();
        let trace = &results[0].trace;
        for (policy, section, count) in [
            ("azure-openai-token-limit", "inbound", 1),
            ("azure-openai-token-limit", "outbound", 1),
            ("azure-openai-emit-token-metric", "inbound", 1),
            ("azure-openai-emit-token-metric", "outbound", 1),
        ] {
            let steps: Vec<_> = trace
                .iter()
                .filter(|s| s.policy == policy && s.section == section)
                .collect();
            assert_eq!(steps.len(), count, "{policy} in {section}");
            let (from, to) = step_range(e.policy(), steps[0]).unwrap();
            let u16: Vec<u16> = e.policy().encode_utf16().collect();
            let selected = String::from_utf16(&u16[from..to]).unwrap();
            assert!(selected.starts_with(&format!("<{policy}")), "{selected}");
        }
        // The token counts after the response join the outbound group.
        let groups: Vec<&str> = trace_by_section(trace)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert_eq!(
            groups,
            ["gateway", "inbound", "backend", "outbound"],
            "{groups:?}"
        );
        // Pool choices and breaker trips are steps of forward-request (here in the global scope).
        let run = run_example("priority-pool-failover", false);
        let results = run.result.unwrap();
        assert!(results[0].trace.iter().any(|s| {
            s.policy == "forward-request"
                && s.message
                    .contains("circuit breaker of 'openai-primary' trips")
                && s.origin.as_deref() == Some("global scope")
        }));
    }

    #[test]
    fn the_trace_groups_consecutive_steps_by_section() {
        let run = run_example("on-error", false);
        let results = run.result.unwrap();
        let groups: Vec<(&str, usize)> = trace_by_section(&results[0].trace)
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
        let p = PendingRun {
            id: 2,
            source: "<policies/>".into(),
            scenario: "{".into(),
            reveal_secrets: false,
        };
        let run = SimRun::invalid_scenario(&p, &err);
        let e = run.result.clone().unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(7)));
        assert!(!run.is_stale("<policies/>", "{"));
        assert!(run.is_stale("<policies/>", "{}"));
        assert_eq!(sentence("the x"), "The x");
        // The worker says the same of a scenario it cannot read.
        let reply = run_natively(&p.request());
        assert_eq!(reply.result.unwrap_err().line, Some(1));
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
