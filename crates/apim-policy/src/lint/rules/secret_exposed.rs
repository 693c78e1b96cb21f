//! APIM0603 `secret-exposed`: a secret named value where it would be logged, traced or
//! returned to the caller.

use crate::catalog::Section;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};
use crate::syntax::{NamedValueRef, NodeKind};

pub static RULE: Rule = Rule {
    code: codes::SECRET_EXPOSED,
    name: "secret-exposed",
    severity: Severity::Warning,
    summary: "A secret or Key Vault named value is traced, logged, or sent back to the caller.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::SECRET_EXPOSED,
    explanation: "Secret and Key Vault-backed named values are decrypted into the policy. Written into \
`trace`, `log-to-eventhub` or `emit-metric`, they land in Application Insights, Event Hubs or Azure Monitor \
in clear text; in an outbound header or body, or a `return-response`, they go back to the caller. Request \
tracing also shows Key Vault named values' resolved values (a caution in Microsoft's docs). Send secrets \
to the backend only. Known when the scenario declares which named values are secret.",
    bad: Example::new("<policies>\n  <inbound>\n    <base />\n    <trace source=\"debug\">\n      <message>key={{backend-api-key}}</message>\n    </trace>\n  </inbound>\n</policies>").named_values(&[("backend-api-key", true)]),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-api-key}}</value>\n    </set-header>\n  </inbound>\n</policies>").named_values(&[("backend-api-key", true)]),
};

/// Where a value would be seen by someone other than the backend.
fn exposure(cx: &Ctx<'_>, at: crate::syntax::NodeId) -> Option<&'static str> {
    let mut chain = std::iter::once(at).chain(cx.doc.ancestors(at));
    // Policy markup only: a `<trace>` inside a body's payload is data.
    let names: Vec<&str> = chain
        .by_ref()
        .filter(|id| !cx.info(*id).is_some_and(|i| i.is_opaque()))
        .filter_map(|id| cx.doc.element(id).map(|e| e.name.as_str()))
        .collect();
    let section = cx.info(at).and_then(|i| i.section);
    if names.contains(&"trace") {
        return Some("written to the trace (Application Insights / the test console)");
    }
    if names.contains(&"log-to-eventhub") {
        return Some("logged to Event Hubs");
    }
    if names.contains(&"emit-metric") {
        return Some("emitted as a metric dimension");
    }
    if names.contains(&"return-response") || names.contains(&"mock-response") {
        return Some("returned to the caller");
    }
    let in_response = matches!(section, Some(Section::Outbound | Section::OnError));
    if in_response
        && (names.contains(&"set-header") || names.contains(&"set-body"))
        && !names.contains(&"send-request")
        && !names.contains(&"send-one-way-request")
    {
        return Some("sent back to the caller in the response");
    }
    None
}

fn run(cx: &mut Ctx<'_>) {
    if cx.options.named_values.is_none() {
        return;
    }
    let mut found: Vec<(NamedValueRef, &'static str)> = Vec::new();
    for (id, node) in cx.doc.nodes() {
        let refs: Vec<&NamedValueRef> = match &node.kind {
            NodeKind::Element(e) => e
                .attributes
                .iter()
                .flat_map(|a| a.value.named_values())
                .collect(),
            NodeKind::Text(v) | NodeKind::CData(v) => v.named_values().collect(),
            _ => continue,
        };
        let element = match node.kind {
            NodeKind::Element(_) => id,
            _ => match node.parent {
                Some(p) => p,
                None => continue,
            },
        };
        for nv in refs {
            if !cx.options.named_value(&nv.name).is_some_and(|d| d.secret) {
                continue;
            }
            if let Some(how) = exposure(cx, element) {
                found.push((nv.clone(), how));
            }
        }
    }
    for (nv, how) in found {
        cx.report(
            Diagnostic::new(codes::SECRET_EXPOSED, Severity::Warning, nv.span, format!("secret named value `{}` is {how}", nv.name))
                .with_help("Send secrets to the backend only (request headers, authentication policies); log an identifier or a hash instead."),
        );
    }
}
