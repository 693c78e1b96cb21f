//! APIM0503 `expression-mixed-with-text`: a value that mixes an expression with literal text.

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};
use crate::syntax::{ExprKind, NodeKind, Segment, Value};

pub static RULE: Rule = Rule {
    code: codes::EXPRESSION_MIXED_WITH_TEXT,
    name: "expression-mixed-with-text",
    severity: Severity::Error,
    summary: "A value mixes a policy expression with literal text.",
    fix_safe: true,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::EXPRESSION_MIXED_WITH_TEXT,
    explanation: "A policy expression must be the whole attribute or element value: APIM does not \
interpolate `Bearer @(token)`. Build the whole value in one expression instead: `@(\"Bearer \" + token)`. \
`{{named values}}` are different: they may be mixed with text (`Bearer {{token}}`). The fix rewrites the \
value as one expression.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-user\" exists-action=\"override\">\n      <value>user-@(context.User.Id)</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-user\" exists-action=\"override\">\n      <value>@(\"user-\" + context.User.Id)</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut values: Vec<&Value> = Vec::new();
    for (_, e, info) in cx.elements() {
        if matches!(info.kind, Kind::Free | Kind::UnknownRoot) {
            continue;
        }
        values.extend(e.attributes.iter().map(|a| &a.value));
        // Liquid templates are text with their own syntax; other mixed content (set-body) is one value.
        let liquid = e
            .attribute("template")
            .and_then(|t| t.value.literal())
            .is_some_and(|t| t.eq_ignore_ascii_case("liquid"));
        if !liquid {
            for &c in &e.children {
                if let Some(NodeKind::Text(v)) = cx.doc.node(c).map(|n| &n.kind) {
                    values.push(v);
                }
            }
        }
    }
    let mut found = Vec::new();
    for v in values {
        // A broken expression's extent is a guess; its syntax error says enough.
        if !v.has_expression()
            || v.whole_expression().is_some()
            || v.expressions().any(|e| e.unbalanced)
        {
            continue;
        }
        let Some(first) = v.expressions().next() else {
            continue;
        };
        let d = Diagnostic::error(codes::EXPRESSION_MIXED_WITH_TEXT, first.span, "a policy expression must be the whole value, not part of it")
            .with_help("APIM does not interpolate expressions into text. Build the whole value in one expression, e.g. @(\"Bearer \" + token).");
        found.push(match combined(v) {
            Some(text) => d.with_fix(Fix {
                message: "Rewrite as one expression".into(),
                edits: vec![Edit {
                    start: v.span.start,
                    end: v.span.end,
                    text,
                }],
            }),
            None => d,
        });
    }
    for d in found {
        cx.report(d);
    }
}

/// `a @(x) b` → `@("a " + (x) + " b")`, when every expression is a single expression.
fn combined(v: &Value) -> Option<String> {
    let raw_quotes = v.expressions().any(|e| !e.escaped);
    let quote = if raw_quotes { "\"" } else { "&quot;" };
    let mut parts: Vec<String> = Vec::new();
    for seg in &v.segments {
        match seg {
            Segment::Literal { text, .. } => {
                if text.is_empty() {
                    continue;
                }
                let escaped = text
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
                    .replace('\r', "\\r");
                let escaped = if raw_quotes {
                    escaped
                } else {
                    escaped
                        .replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('"', "&quot;")
                };
                parts.push(format!("{quote}{escaped}{quote}"));
            }
            Segment::NamedValue(nv) => parts.push(format!("{quote}{{{{{}}}}}{quote}", nv.name)),
            Segment::Expression(e) => {
                if e.kind != ExprKind::Single {
                    return None;
                }
                let code = e.code.trim();
                let code = if raw_quotes {
                    code.to_string()
                } else {
                    code.replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('"', "&quot;")
                };
                parts.push(format!("({code})"));
            }
        }
    }
    Some(format!("@({})", parts.join(" + ")))
}
