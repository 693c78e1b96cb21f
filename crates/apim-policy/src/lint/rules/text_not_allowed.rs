//! APIM0305 `text-not-allowed`: text in an element that takes only elements.

use crate::catalog::Content;
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};
use crate::syntax::NodeKind;

pub static RULE: Rule = Rule {
    code: codes::TEXT_NOT_ALLOWED,
    name: "text-not-allowed",
    severity: Severity::Error,
    summary: "Text inside an element that may contain only elements.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::TEXT_NOT_ALLOWED,
    explanation: "APIM: \"The element 'set-header' cannot contain text. List of possible elements expected: \
'value'.\" Values go in their child element (`<value>…</value>`), and stray text between policies is \
rejected. Comments are fine.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">test</set-header>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (_, e, info) in cx.elements() {
        let def = match info.kind {
            Kind::Root(d) | Kind::Child(d) => d,
            Kind::Policy(p) => &p.element,
            Kind::Section(s) => crate::catalog::section(s),
            _ => continue,
        };
        if matches!(def.content, Content::Text { .. })
            || def.content.is_opaque()
            || is_legacy_trace(cx, e)
        {
            continue;
        }
        for &child in &e.children {
            let Some(node) = cx.doc.node(child) else {
                continue;
            };
            if let NodeKind::Text(v) | NodeKind::CData(v) = &node.kind {
                let raw = cx.text(v.span.start, v.span.end);
                let lead = raw.len() - raw.trim_start().len();
                let span = Span::new(v.span.start + lead, v.span.start + raw.trim_end().len());
                let expected: Vec<String> = def
                    .children
                    .iter()
                    .map(|c| format!("<{}>", c.element.name))
                    .collect();
                let help = match (def.content, expected.is_empty()) {
                    (Content::Policies, _) => "Only policies and comments may stand here; turn the text into an <!-- comment --> or remove it.".to_string(),
                    (_, false) => format!("Put the text inside one of: {}.", expected.join(", ")),
                    (_, true) => format!("<{}> is empty: remove the text.", e.name),
                };
                found.push((span, format!("<{}> cannot contain text", e.name), help));
            }
        }
    }
    for (span, message, help) in found {
        cx.report(Diagnostic::error(codes::TEXT_NOT_ALLOWED, span, message).with_help(help));
    }
}

/// The older `trace` form carries its message as text (`<trace source="x">text</trace>`), which
/// real policies still use; the current form has a `<message>` child.
pub(crate) fn is_legacy_trace(cx: &Ctx<'_>, e: &crate::syntax::Element) -> bool {
    e.name == "trace"
        && e.children
            .iter()
            .all(|&c| !matches!(cx.doc.node(c).map(|n| &n.kind), Some(NodeKind::Element(_))))
        && e.children.iter().any(|&c| {
            matches!(
                cx.doc.node(c).map(|n| &n.kind),
                Some(NodeKind::Text(_) | NodeKind::CData(_))
            )
        })
}
