//! APIM0003 `mismatched-end-tag`: an end tag that closes the wrong element (reported by the parser).

use crate::diagnostic::Severity;
use crate::lint::codes;
use crate::lint::registry::{Example, Rule, RuleDoc};

pub static RULE: Rule = Rule {
    code: codes::MISMATCHED_END_TAG,
    name: "mismatched-end-tag",
    severity: Severity::Error,
    summary: "An end tag does not match the element it closes.",
    fix_safe: true,
    run: None,
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::MISMATCHED_END_TAG,
    explanation: "XML end tags must name the innermost open element. A typo in an end tag is treated as \
closing that element so that one mistake gives one error; the fix renames the end tag.",
    bad: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbund>\n</policies>"),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>"),
};
