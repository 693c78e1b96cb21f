//! APIM0601 `invalid-named-value`: a `{{reference}}` whose name cannot be a named value.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::INVALID_NAMED_VALUE,
    name: "invalid-named-value",
    severity: Severity::Error,
    summary: "A `{{…}}` reference whose name is not a valid named value name.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::INVALID_NAMED_VALUE,
    explanation: "Named value names (their display names) are 1–256 letters, digits, `-`, `_` and `.`. \
`{{my key}}` or `{{key:1}}` can never resolve, and references cannot be built dynamically \
(`{{prefix-@(…)}}` does not work). Liquid templates in `set-body template=\"liquid\"` use `{{ … }}` for their \
own output and are not checked.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend api key}}</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-api-key}}</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

/// `^[A-Za-z0-9-._]+$`, at most 256 characters (the named value `displayName` rule).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn run(cx: &mut Ctx<'_>) {
    let found: Vec<_> = super::named_value_refs(cx)
        .into_iter()
        .filter(|nv| !is_valid_name(&nv.name))
        .collect();
    for nv in found {
        cx.report(
            Diagnostic::error(
                codes::INVALID_NAMED_VALUE,
                nv.span,
                format!("`{{{{{}}}}}` is not a valid named value reference", nv.name),
            )
            .with_help(
                "Named value names use letters, digits, '-', '_' and '.' only (1–256 characters).",
            ),
        );
    }
}
