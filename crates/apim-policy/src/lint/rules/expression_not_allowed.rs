//! APIM0204 `expression-not-allowed`: a policy expression where the docs forbid one.

use crate::catalog::Content;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::EXPRESSION_NOT_ALLOWED,
    name: "expression-not-allowed",
    severity: Severity::Error,
    summary: "A policy expression in an attribute (or text) that must be a literal.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::EXPRESSION_NOT_ALLOWED,
    explanation: "Policy expressions are allowed almost everywhere, but some values are read when the \
policy is loaded, before any request: the policy reference says \"Policy expressions aren't allowed\" for \
them, e.g. `set-variable` `name`, `include-fragment` `fragment-id`, `rate-limit` `calls`, `limit-concurrency` \
`max-count`, the cache policies' `caching-type`. Use a literal or a `{{named value}}`.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"@(&quot;user-&quot; + context.User.Id)\" value=\"1\" />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"user-seen\" value=\"@(&quot;user-&quot; + context.User.Id)\" />\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (id, e, def) in cx.defined_elements() {
        for a in &e.attributes {
            if let (Some(ad), Some(expr)) = (def.attribute(&a.name), a.value.expressions().next())
                && !ad.expr
            {
                found.push((
                    expr.span,
                    format!("`{}` of <{}> cannot be a policy expression", a.name, e.name),
                ));
            }
        }
        if let Content::Text { expr: false } = def.content {
            for v in cx.doc.text_values(id) {
                if let Some(expr) = v.expressions().next() {
                    found.push((
                        expr.span,
                        format!("the text of <{}> cannot be a policy expression", e.name),
                    ));
                }
            }
        }
    }
    for (span, message) in found {
        cx.report(Diagnostic::error(codes::EXPRESSION_NOT_ALLOWED, span, message).with_help(
            "The policy reference says \"Policy expressions aren't allowed\" here: the value is read when the policy is loaded. Use a literal or a {{named value}}.",
        ));
    }
}
