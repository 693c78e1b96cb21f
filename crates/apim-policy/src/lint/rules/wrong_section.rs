//! APIM0106 `wrong-section`: a policy in a section where APIM does not allow it.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::WRONG_SECTION,
    name: "wrong-section",
    severity: Severity::Error,
    summary: "A policy is used in a section where APIM does not allow it.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::WRONG_SECTION,
    explanation: "Each policy lists the sections it may be used in (its \"Usage\" in the policy reference). \
For example `rewrite-uri` and `validate-jwt` work on the incoming request (inbound only), `forward-request` \
only in backend, and `cache-store` only in outbound. APIM rejects the document otherwise.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <outbound>\n    <base />\n    <rewrite-uri template=\"/v2/items\" />\n  </outbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <rewrite-uri template=\"/v2/items\" />\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let found: Vec<_> = cx
        .policies()
        .filter_map(|(_, e, def, info)| {
            let section = info.section?;
            (!def.sections.is_empty() && !def.sections.contains(section))
                .then_some((e, def, section))
        })
        .collect();
    for (e, def, section) in found {
        let allowed: Vec<&str> = def.sections.iter().map(|s| s.name()).collect();
        cx.report(
            Diagnostic::error(
                codes::WRONG_SECTION,
                e.name_span,
                format!("<{}> is not allowed in <{}>", e.name, section.name()),
            )
            .with_help(format!(
                "<{}> may be used in: {}. See {}",
                e.name,
                allowed.join(", "),
                def.doc_url
            )),
        );
    }
}
