//! The Simulate tab's results area, for the last run ([`SimRun`]): why it could not run, or,
//! per request (a picker when the scenario sends several), the outcome and status
//! (`sim-outcome`, `sim-status`), the error with what to do about it, the request as sent to
//! the backend (`backend-request`), the response to the caller, the variables, and the trace as
//! a timeline grouped by section (`trace`; `trace-step` with `data-section`, `data-policy`,
//! `data-line`). A step in the policy itself selects its element in the editor; steps from a
//! parent scope, a fragment or the gateway say where they come from.

use crate::bridge::EditorBridge;
use crate::sim_view::{self, SimRun};
use crate::wire::{ErrorInfo, NotRun, RequestResult, TraceStep};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SimResultsProps {
    pub run: Option<Rc<SimRun>>,
    /// The policy or scenario changed since the run.
    pub stale: bool,
    /// A run is on its way (the first one also loads the simulator).
    pub running: bool,
    pub bridge: EditorBridge,
}

#[function_component(SimResults)]
pub fn sim_results(props: &SimResultsProps) -> Html {
    let picked = use_state(|| 0usize);
    let running = props.running.then(|| {
        html! { <p class="field-hint" data-testid="sim-running">{ "Running…" }</p> }
    });
    let Some(run) = props.run.as_ref() else {
        return html! {
            <section class="sim-results empty" aria-label="Results" data-testid="sim-results">
                <h2 class="sim-results-title">{ "Result" }</h2>
                { for running }
                <p class="muted">
                    { "Press Run (Ctrl+Enter) to send the scenario's request through the policy: \
                       the outcome, the request as sent to the backend, the response and every \
                       step of the trace appear here." }
                </p>
            </section>
        };
    };
    let body = match &run.result {
        Err(e) => not_run(e),
        Ok(results) => {
            let at = (*picked).min(results.len().saturating_sub(1));
            let picker = (results.len() > 1).then(|| {
                html! {
                    <div class="sim-requests" role="group" aria-label="Requests in this run">
                        <span class="sim-requests-label" aria-hidden="true">{ "Requests" }</span>
                        { for results.iter().enumerate().map(|(i, r)| {
                            let onclick = {
                                let picked = picked.clone();
                                Callback::from(move |_: MouseEvent| picked.set(i))
                            };
                            html! {
                                <button type="button" class={classes!("sim-request", outcome_class(&r.outcome))}
                                    data-testid="sim-request" data-index={i.to_string()}
                                    data-outcome={r.outcome.clone()} aria-pressed={(i == at).to_string()} {onclick}>
                                    <span class="sim-request-n">{ format!("#{}", i + 1) }</span>
                                    <span class="sim-request-status">{ r.response.status }</span>
                                </button>
                            }
                        }) }
                    </div>
                }
            });
            html! {
                <>
                    { for picker }
                    { for results.get(at).map(|r| result_view(r, run, props)) }
                </>
            }
        }
    };
    html! {
        <section class="sim-results" aria-label="Results" data-testid="sim-results"
            data-run={run.id.to_string()}>
            <h2 class="sim-results-title">{ "Result" }</h2>
            { for running }
            if props.stale && !props.running {
                <p class="field-hint warn" data-testid="sim-stale">
                    { "The policy or the scenario changed since this run: Run again to update it." }
                </p>
            }
            { body }
        </section>
    }
}

fn outcome_class(o: &str) -> &'static str {
    match o {
        "forwarded" => "outcome-forwarded",
        "returned" => "outcome-returned",
        _ => "outcome-error",
    }
}

/// The simulation could not run: lint errors, an unusable scenario.
fn not_run(e: &NotRun) -> Html {
    let at = match (e.line, e.column) {
        (Some(l), Some(c)) => format!("Scenario JSON, line {l}, column {c}"),
        _ => String::new(),
    };
    html! {
        <div class="callout callout-error sim-not-run" role="alert" data-testid="sim-not-run">
            <p><strong>{ "The simulation could not run." }</strong></p>
            if !at.is_empty() {
                <p class="sim-where" data-testid="sim-not-run-at">{ at }</p>
            }
            <pre class="sim-not-run-text">{ sim_view::sentence(&e.message) }</pre>
        </div>
    }
}

fn result_view(r: &RequestResult, run: &Rc<SimRun>, props: &SimResultsProps) -> Html {
    let summary = match r.outcome.as_str() {
        "forwarded" => "the backend was called",
        "returned" => "a policy answered; the backend was not called",
        _ => "an error was raised and on-error ran",
    };
    let backend = match &r.backend_request {
        Some(b) => sim_view::http_text(&b.first, &b.headers, &b.body),
        None => "The backend was not called.".to_string(),
    };
    let res = &r.response;
    let response = sim_view::http_text(&res.first, &res.headers, &res.body);
    let reason = res.first.split_once(' ').map_or("", |(_, r)| r);
    html! {
        <div class="sim-result">
            <div class="sim-head" role="status">
                <span class={classes!("outcome", outcome_class(&r.outcome))} data-testid="sim-outcome">
                    { &r.outcome }
                </span>
                <span class="status-code" data-testid="sim-status">{ res.status }</span>
                <span class="status-reason">{ reason }</span>
                <span class="muted sim-summary">{ summary }</span>
            </div>
            if let Some(error) = &r.error {
                { error_view(error) }
            }
            <h3>{ "Request to the backend" }</h3>
            <pre class="http" data-testid="backend-request">{ backend }</pre>
            <h3>{ "Response to the caller" }</h3>
            <pre class="http" data-testid="sim-response">{ response }</pre>
            if !r.variables.is_empty() {
                <h3>{ "Variables" }</h3>
                <dl class="sim-vars" data-testid="sim-variables">
                    { for r.variables.iter().map(|(name, value)| html! {
                        <>
                            <dt>{ name }</dt>
                            <dd>{ value }</dd>
                        </>
                    }) }
                </dl>
            }
            <h3>{ "Trace" }</h3>
            <ol class="trace" data-testid="trace">
                { for sim_view::trace_by_section(&r.trace).into_iter().map(|(section, steps)| html! {
                    <li class="trace-group">
                        <span class="trace-section">{ section }</span>
                        <ol>{ for steps.iter().map(|s| step_view(s, run, props)) }</ol>
                    </li>
                }) }
            </ol>
        </div>
    }
}

/// `context.LastError`, with a Key Vault failure's advice (what to grant and to whom) set
/// apart: the message reads "…: Cause. Advice. (Key Vault: …)".
fn error_view(e: &ErrorInfo) -> Html {
    let (message, kv_said) = match e.message.rsplit_once(" (Key Vault: ") {
        Some((m, kv)) => (m, kv.strip_suffix(')')),
        None => (e.message.as_str(), None),
    };
    let cause = format!(": {}. ", e.reason);
    let (what, advice) = match message.split_once(&cause) {
        Some((what, advice)) if !e.reason.is_empty() => {
            (format!("{what}: {}.", e.reason), Some(advice))
        }
        _ => (message.to_string(), None),
    };
    let mut where_ = vec![format!("raised by {}", e.source)];
    for (label, v) in [
        ("section", &e.section),
        ("scope", &e.scope),
        ("path", &e.path),
        ("policy id", &e.policy_id),
    ] {
        if !v.is_empty() {
            where_.push(format!("{label} {v}"));
        }
    }
    html! {
        <div class="callout callout-error sim-error" role="alert" data-testid="sim-error">
            <p class="sim-error-head">
                <span class="sim-error-reason" data-testid="sim-error-reason">{ &e.reason }</span>
                <span class="sim-error-what">{ what }</span>
            </p>
            if let Some(advice) = advice {
                <p class="sim-error-advice" data-testid="sim-error-advice">{ advice }</p>
            }
            if let Some(kv) = kv_said {
                <p class="sim-error-detail">{ format!("Key Vault answered: {kv}") }</p>
            }
            <p class="sim-where">{ where_.join(" · ") }</p>
        </div>
    }
}

fn step_view(step: &TraceStep, run: &Rc<SimRun>, props: &SimResultsProps) -> Html {
    let line = step.line.map(|l| l.to_string());
    let origin = &step.origin;
    let place = match (&step.line, origin.as_deref()) {
        (Some(l), None | Some("")) => format!("line {l}"),
        (Some(l), Some(o)) => format!("line {l} of {o}"),
        (None, Some(o)) => o.to_string(),
        (None, None) => String::new(),
    };
    let content = html! {
        <>
            <span class="trace-policy">{ &step.policy }</span>
            <span class="trace-line">{ place }</span>
            <span class="trace-message">{ &step.message }</span>
        </>
    };
    if origin.is_some() {
        return html! {
            <li>
                <div class="trace-step from-elsewhere" data-testid="trace-step" data-section={step.section.clone()}
                    data-policy={step.policy.clone()} data-line={line}>
                    { content }
                </div>
            </li>
        };
    }
    let onclick = {
        let bridge = props.bridge.clone();
        let stale = props.stale;
        let run = run.clone();
        let step = step.clone();
        Callback::from(move |_: MouseEvent| {
            // A stale run's spans point into an older text: its line is the best guess.
            match (stale, sim_view::step_range(&run.source, &step), step.line) {
                (false, Some((from, to)), _) => bridge.select(from, to),
                (_, _, Some(line)) => bridge.select_line(line),
                _ => {}
            }
        })
    };
    html! {
        <li>
            <button type="button" class="trace-step" data-testid="trace-step" data-section={step.section.clone()}
                data-policy={step.policy.clone()} data-line={line} {onclick}
                title="Select this policy in the editor">
                { content }
            </button>
        </li>
    }
}
