//! APIM0006 `nesting-too-deep`: elements nested beyond the parser's limit (reported by the parser).

use crate::diagnostic::Severity;
use crate::lint::codes;
use crate::lint::registry::{Example, Rule, RuleDoc};

pub static RULE: Rule = Rule {
    code: codes::TOO_DEEP,
    name: "nesting-too-deep",
    severity: Severity::Error,
    summary: "Elements are nested more than 128 levels deep.",
    fix_safe: false,
    run: None,
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::TOO_DEEP,
    explanation: "Real policies nest a dozen levels at most; such depth is almost always generated or \
broken input. The playground ignores the elements below the limit so that it stays responsive.",
    bad: Example::new(concat!(
        "<policies><inbound>",
        "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>",
        "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>",
        "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>",
        "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>",
        "</inbound></policies>"
    )),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>"),
};
