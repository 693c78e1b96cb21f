//! APIM0002 `unclosed-element`: an element is never closed (reported by the parser).

use crate::diagnostic::Severity;
use crate::lint::codes;
use crate::lint::registry::{Example, Rule, RuleDoc};

pub static RULE: Rule = Rule {
    code: codes::UNCLOSED_ELEMENT,
    name: "unclosed-element",
    severity: Severity::Error,
    summary: "An element has no end tag.",
    fix_safe: true,
    run: None,
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNCLOSED_ELEMENT,
    explanation: "Every element needs its end tag (`</set-header>`) or must be written self-closing \
(`<base />`). The fix inserts the end tag where the parent ends, or makes an empty element self-closing.",
    bad: Example::new("<policies>\n  <inbound>\n    <base>\n  </inbound>\n</policies>"),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>"),
};
