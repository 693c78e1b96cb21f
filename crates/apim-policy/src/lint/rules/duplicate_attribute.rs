//! APIM0004 `duplicate-attribute`: an attribute given twice (reported by the parser).

use crate::diagnostic::Severity;
use crate::lint::codes;
use crate::lint::registry::{Example, Rule, RuleDoc};

pub static RULE: Rule = Rule {
    code: codes::DUPLICATE_ATTRIBUTE,
    name: "duplicate-attribute",
    severity: Severity::Error,
    summary: "An element has the same attribute twice.",
    fix_safe: true,
    run: None,
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::DUPLICATE_ATTRIBUTE,
    explanation: "XML allows each attribute once per element, and APIM rejects the document otherwise. \
Keep the one you mean; the fix removes the second.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"a\" name=\"b\" value=\"1\" />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"a\" value=\"1\" />\n  </inbound>\n</policies>",
    ),
};
