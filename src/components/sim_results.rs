//! The Simulate tab's results area: outcome and status (`sim-outcome`, `sim-status`), the
//! request as sent to the backend (`backend-request`), the response to the caller, the
//! variables, and the trace as a timeline grouped by section (`trace`, steps `trace-step` with
//! `data-section`, `data-policy`, `data-line`); clicking a step selects its line in the editor.
//!
//! Until the simulator is part of the build, `output` is always `None` and the area says so
//! (see `crate::sim_view` for the seam).

use crate::bridge::EditorBridge;
use crate::sim_view::{SimOutput, header_lines};
use apim_policy::LineIndex;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SimResultsProps {
    pub output: Option<Rc<SimOutput>>,
    /// The policy the output belongs to (to turn trace lines into editor positions).
    pub source: Rc<str>,
    pub bridge: EditorBridge,
}

/// The UTF-16 range to select for a trace step: its span, else its whole line.
fn step_range(source: &str, line: usize, span: Option<(usize, usize)>) -> Option<(usize, usize)> {
    let index = LineIndex::new(source);
    match span {
        Some((start, end)) => Some((index.utf16_offset(start), index.utf16_offset(end))),
        None if line > 0 && line <= index.line_count() => {
            let start = index.line_start(line - 1);
            let end = start + index.line_text(line).len();
            Some((index.utf16_offset(start), index.utf16_offset(end)))
        }
        None => None,
    }
}

#[function_component(SimResults)]
pub fn sim_results(props: &SimResultsProps) -> Html {
    let Some(out) = props.output.as_ref() else {
        return html! {
            <section class="sim-results empty" aria-label="Results">
                <h2>{ "Results" }</h2>
                <p class="muted">
                    { "The outcome, the status code, the request as sent to the backend, the \
                       response and the trace with each policy's line appear here once the \
                       simulator is part of this build." }
                </p>
            </section>
        };
    };
    let status = out.status();
    html! {
        <section class="sim-results" aria-label="Results">
            <h2>{ "Results" }</h2>
            <div class="sim-head">
                <span class={classes!("outcome", format!("outcome-{}", out.outcome))} data-testid="sim-outcome">
                    { &out.outcome }
                </span>
                if let Some(status) = status {
                    <span class="status-code" data-testid="sim-status">{ status }</span>
                    <span class="muted">{ out.response.as_ref().map(|r| r.reason.clone()).unwrap_or_default() }</span>
                }
            </div>
            if let Some(error) = &out.error {
                <p class="callout callout-error" role="alert">
                    <strong>{ format!("{}: ", if error.reason.is_empty() { "Error" } else { error.reason.as_str() }) }</strong>
                    { &error.message }
                </p>
            }
            <h3>{ "Request to the backend" }</h3>
            <pre class="http" data-testid="backend-request">
                { match &out.backend_request {
                    Some(r) => format!("{} {}\n{}\n\n{}", r.method, r.url, header_lines(&r.headers).join("\n"), r.body),
                    None => "The backend was not called.".to_string(),
                } }
            </pre>
            if let Some(r) = &out.response {
                <h3>{ "Response to the caller" }</h3>
                <pre class="http" data-testid="sim-response">
                    { format!("{} {}\n{}\n\n{}", r.status, r.reason, header_lines(&r.headers).join("\n"), r.body) }
                </pre>
            }
            <h3>{ "Trace" }</h3>
            <ol class="trace" data-testid="trace">
                { for out.trace_by_section().into_iter().map(|(section, steps)| html! {
                    <li class="trace-group">
                        <span class="trace-section">{ section }</span>
                        <ol>
                            { for steps.into_iter().map(|(_, step)| {
                                let range = step_range(&props.source, step.line, step.span.map(|s| (s.start, s.end)));
                                let onclick = {
                                    let bridge = props.bridge.clone();
                                    Callback::from(move |_: MouseEvent| {
                                        if let Some((from, to)) = range {
                                            bridge.select(from, to);
                                        }
                                    })
                                };
                                html! {
                                    <li>
                                        <button type="button" class="trace-step" data-testid="trace-step"
                                            data-section={step.section.clone()} data-policy={step.policy.clone()}
                                            data-line={step.line.to_string()} {onclick}>
                                            <span class="trace-policy">{ &step.policy }</span>
                                            <span class="trace-line">{ format!("line {}", step.line) }</span>
                                            <span class="trace-message">{ &step.message }</span>
                                        </button>
                                    </li>
                                }
                            }) }
                        </ol>
                    </li>
                }) }
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_selects_its_span_or_else_its_line_in_utf16() {
        let source =
            "<policies>\n  <!-- é😀 -->\n  <inbound>\n    <base />\n  </inbound>\n</policies>";
        let base = source.find("<base />").unwrap();
        let line4 = source.find("    <base />").unwrap();
        let u = |b: usize| source[..b].encode_utf16().count();
        assert_eq!(
            step_range(source, 4, Some((base, base + 8))),
            Some((u(base), u(base + 8)))
        );
        assert_eq!(
            step_range(source, 4, None),
            Some((u(line4), u(line4 + "    <base />".len())))
        );
        assert_eq!(step_range(source, 0, None), None);
        assert_eq!(step_range(source, 99, None), None);
    }
}
