//! APIM0504 `missing-return`: a `@{ }` block with a path that does not `return`.

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};
use apim_expr::ExprKind;

pub static RULE: Rule = Rule {
    code: codes::MISSING_RETURN,
    name: "missing-return",
    severity: Severity::Error,
    summary: "A multi-statement expression where some code path does not end with `return`.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::MISSING_RETURN,
    explanation: "The policy expression docs: in `@{ … }` \"all code paths must end with a return \
statement\". The value of the block is what it returns; C# refuses to compile a path that falls off the end.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"tier\" value=\"@{ if (context.User == null) { return &quot;anonymous&quot;; } }\" />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"tier\" value=\"@{ if (context.User == null) { return &quot;anonymous&quot;; } return &quot;member&quot;; }\" />\n  </inbound>\n</policies>",
    ),
};

/// The expression parser reports this case as a syntax error; this rule owns it.
pub(crate) fn is_missing_return(message: &str) -> bool {
    message.starts_with("not all code paths return a value")
}

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (e, errors) in cx.expressions().iter().zip(cx.expression_errors()) {
        if e.kind == ExprKind::Block && errors.iter().any(|err| is_missing_return(&err.message)) {
            // Point at the closing brace: that is where the path falls off the end.
            let close = e.span.end.saturating_sub(1);
            found.push(Span::new(close, e.span.end));
        }
    }
    for span in found {
        cx.report(
            Diagnostic::error(codes::MISSING_RETURN, span, "not all code paths of this @{ } block return a value")
                .with_help("End every path of the block with `return …;` (for example add a final `return \"\";`)."),
        );
    }
}
