//! APIM0103 `duplicate-section`: a section written twice.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};

pub static DUPLICATE: Rule = Rule {
    code: codes::DUPLICATE_SECTION,
    name: "duplicate-section",
    severity: Severity::Error,
    summary: "A section appears more than once.",
    fix_safe: false,
    run: Some(run),
};

pub static DUPLICATE_DOC: RuleDoc = RuleDoc {
    code: codes::DUPLICATE_SECTION,
    explanation: "A policy document has each of the four sections at most once; APIM rejects a second \
`<inbound>`. Merge the two.\n\n\
**How it counts: per document.** The sections are the direct children of `<policies>`; each name counts \
once in the file.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <inbound>\n    <rewrite-uri template=\"/v2\" />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <outbound>\n    <base />\n  </outbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let sections: Vec<_> = cx
        .elements()
        .filter_map(|(_, e, info)| match info.kind {
            Kind::Section(s) => Some((s, e)),
            _ => None,
        })
        .collect();
    let mut seen: Vec<crate::catalog::Section> = Vec::new();
    for (section, e) in sections {
        if seen.contains(&section) {
            cx.report(
                Diagnostic::error(
                    codes::DUPLICATE_SECTION,
                    e.name_span,
                    format!("<{}> appears twice", e.name),
                )
                .with_help("Each section may appear once; merge the two."),
            );
        } else if let Some(later) = seen.iter().find(|s| (**s as u8) > (section as u8)) {
            cx.report(
                Diagnostic::new(codes::SECTION_ORDER, Severity::Warning, e.name_span, format!("<{}> comes after <{}>", e.name, later.name()))
                    .with_help("The sections run in the order inbound, backend, outbound, on-error; writing them in that order makes the policy easier to read."),
            );
        }
        seen.push(section);
    }
}

/// APIM0110 `section-order`: sections out of pipeline order (reported by the same check).
pub static ORDER: Rule = Rule {
    code: codes::SECTION_ORDER,
    name: "section-order",
    severity: Severity::Warning,
    summary: "Sections are not in pipeline order (inbound, backend, outbound, on-error).",
    fix_safe: false,
    run: None,
};

pub static ORDER_DOC: RuleDoc = RuleDoc {
    code: codes::SECTION_ORDER,
    explanation: "The sections run in the order inbound, backend, outbound, on-error whatever order they \
are written in (Microsoft's own examples sometimes put on-error before outbound). Writing them in pipeline \
order makes the policy read the way it runs.",
    bad: Example::new(
        "<policies>\n  <outbound>\n    <base />\n  </outbound>\n  <inbound>\n    <base />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <outbound>\n    <base />\n  </outbound>\n</policies>",
    ),
};
