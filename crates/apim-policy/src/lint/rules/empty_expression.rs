//! APIM0502 `empty-expression`: `@()` or `@{}` with nothing inside.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::EMPTY_EXPRESSION,
    name: "empty-expression",
    severity: Severity::Error,
    summary: "A policy expression with no code.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::EMPTY_EXPRESSION,
    explanation: "`@()` and `@{}` do not compile: an expression needs a value, a block needs statements \
ending in `return`. For an empty value write nothing (or `@(\"\")`).",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"empty\" value=\"@()\" />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"empty\" value=\"@(&quot;&quot;)\" />\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    // Only expressions APIM evaluates: `@()` in a body's payload is text.
    let found: Vec<_> = cx
        .expressions()
        .iter()
        .filter(|e| !e.unbalanced && e.code.trim().is_empty())
        .map(|e| e.span)
        .collect();
    for span in found {
        cx.report(
            Diagnostic::error(codes::EMPTY_EXPRESSION, span, "empty policy expression")
                .with_help("Write the C# expression between the brackets, e.g. @(context.RequestId.ToString()), or remove it."),
        );
    }
}
