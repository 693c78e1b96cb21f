//! APIM0102 `unknown-section`: a child of `<policies>` that is not a section.

use crate::catalog::{self, Section};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};

pub static RULE: Rule = Rule {
    code: codes::UNKNOWN_SECTION,
    name: "unknown-section",
    severity: Severity::Error,
    summary: "`<policies>` may only contain `<inbound>`, `<backend>`, `<outbound>` and `<on-error>`.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNKNOWN_SECTION,
    explanation: "Policies run in four sections: `inbound` (the request from the caller), `backend` \
(around forwarding), `outbound` (the response) and `on-error`. Anything else directly under `<policies>` is \
rejected; a policy placed there belongs inside one of the sections.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <outbund>\n    <base />\n  </outbund>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <outbound>\n    <base />\n  </outbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let found: Vec<_> = cx
        .elements()
        .filter(|(_, _, info)| info.kind == Kind::UnknownSection)
        .map(|(_, e, _)| e)
        .collect();
    for e in found {
        let names = Section::ALL.map(|s| s.name());
        let mut d = Diagnostic::error(
            codes::UNKNOWN_SECTION,
            e.name_span,
            format!("<{}> is not a section", e.name),
        );
        if let Some(s) = catalog::closest(&e.name, names) {
            let mut edits = vec![Edit {
                start: e.name_span.start,
                end: e.name_span.end,
                text: s.to_string(),
            }];
            if let Some(end) = e.end_name_span {
                edits.push(Edit {
                    start: end.start,
                    end: end.end,
                    text: s.to_string(),
                });
            }
            d = d.with_help(format!("Did you mean <{s}>?")).with_fix(Fix {
                message: format!("Rename to <{s}>"),
                edits,
            });
        } else if let Some(def) = catalog::policy(&e.name) {
            let section = def.sections.iter().next().map_or("inbound", |s| s.name());
            d = d.with_help(format!(
                "<{}> is a policy: move it into a section such as <{section}>.",
                e.name
            ));
        } else {
            d = d.with_help("The sections are <inbound>, <backend>, <outbound> and <on-error>.");
        }
        cx.report(d);
    }
}
