//! APIM0109 `undocumented-policy`: a policy only the VS Code schemas know.

use crate::catalog::Status;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::UNDOCUMENTED_POLICY,
    name: "undocumented-policy",
    severity: Severity::Warning,
    summary: "A policy that is not in Microsoft's public policy reference.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNDOCUMENTED_POLICY,
    explanation: "Elements such as `authentication-token`, `block` or `invoke-request` are declared in \
the VS Code extension's schemas but not documented. They may be internal or preview gateway features: \
they might not work on your gateway or might change without notice.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <block />\n  </inbound>\n</policies>",
    ),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>"),
};

fn run(cx: &mut Ctx<'_>) {
    let found: Vec<_> = cx
        .policies()
        .filter(|(_, _, def, _)| def.status != Status::Documented)
        .map(|(_, e, def, _)| (e, def.status))
        .collect();
    for (e, status) in found {
        let (what, help) = match status {
            Status::Deprecated => (
                "deprecated",
                "The policy reference points to a replacement; prefer it.",
            ),
            _ => (
                "not documented by Microsoft",
                "It is declared only in the VS Code extension's schemas: check that your gateway supports it.",
            ),
        };
        cx.report(
            Diagnostic::new(
                codes::UNDOCUMENTED_POLICY,
                Severity::Warning,
                e.name_span,
                format!("<{}> is {what}", e.name),
            )
            .with_help(help),
        );
    }
}
