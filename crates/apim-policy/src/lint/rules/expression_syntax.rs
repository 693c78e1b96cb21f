//! APIM0501 `expression-syntax`: a policy expression that does not compile.
//!
//! The parser reports expressions whose brackets, strings or comments do not close; this rule
//! adds the C# syntax errors inside well-delimited expressions, located inside the expression.

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::EXPRESSION_SYNTAX,
    name: "expression-syntax",
    severity: Severity::Error,
    summary: "A policy expression is not valid C#.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::EXPRESSION_SYNTAX,
    explanation: "APIM compiles `@( expression )` and `@{ statements }` as C# when the policy is saved; \
brackets, strings and statements must be complete. The position points inside the expression. A common \
case is Microsoft's own `set-backend-service` example, which lacks its final `)`.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"user\" value=\"@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;&quot;)\" />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"user\" value=\"@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;&quot;))\" />\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (e, errors) in cx.expressions().iter().zip(cx.expression_errors()) {
        for err in errors {
            if super::missing_return::is_missing_return(&err.message) {
                continue;
            }
            let start = e.source_offset(err.span.start);
            let end = e.source_offset(err.span.end).max(start);
            found.push(
                Diagnostic::error(codes::EXPRESSION_SYNTAX, Span::new(start, end), format!("policy expression: {}", err.message))
                    .with_help("APIM compiles this expression as C# when the policy is saved; fix the code at this position."),
            );
        }
    }
    for d in found {
        cx.report(d);
    }
}
