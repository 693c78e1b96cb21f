//! APIM0404 `base-at-global`: `<base />` at global scope does nothing.

use crate::catalog::Scope;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::BASE_AT_GLOBAL,
    name: "base-at-global",
    severity: Severity::Info,
    summary: "`<base />` at global scope has no effect.",
    fix_safe: true,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::BASE_AT_GLOBAL,
    explanation: "The global policy has no parent scope, so `<base />` there is a no-op. It does no harm; \
remove it to avoid suggesting otherwise. Reported only when the scope is known to be global \
(`--scope global`, the Scope setting, or the `policy.xml` at the root of an APIOps folder): a document of \
unknown scope is checked as an API policy.",
    bad: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <backend>\n    <forward-request />\n  </backend>\n</policies>").at(Scope::Global),
    good: Example::new("<policies>\n  <inbound />\n  <backend>\n    <forward-request />\n  </backend>\n</policies>").at(Scope::Global),
};

fn run(cx: &mut Ctx<'_>) {
    if cx.scope != Scope::Global {
        return;
    }
    let found: Vec<_> = cx
        .policies()
        .filter(|(_, e, _, _)| e.name == "base")
        .filter_map(|(id, e, _, _)| Some((e.name_span, cx.doc.node(id)?.span)))
        .collect();
    for (name_span, span) in found {
        cx.report(
            Diagnostic::new(
                codes::BASE_AT_GLOBAL,
                Severity::Info,
                name_span,
                "<base /> has no effect at global scope",
            )
            .with_help("The global policy has no parent scope.")
            .with_fix(super::remove(span, "Remove <base />")),
        );
    }
}
