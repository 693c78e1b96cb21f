//! APIM0001 `xml-syntax`: the document is not well-formed XML (reported by the parser).

use crate::diagnostic::Severity;
use crate::lint::codes;
use crate::lint::registry::{Example, Rule, RuleDoc};

pub static RULE: Rule = Rule {
    code: codes::XML_SYNTAX,
    name: "xml-syntax",
    severity: Severity::Error,
    summary: "The policy is not well-formed XML.",
    fix_safe: true,
    run: None,
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::XML_SYNTAX,
    explanation: "APIM reads a policy as XML in which policy expressions (`@(…)`, `@{…}`) are written raw. \
Outside expressions the usual XML rules hold: attribute values are quoted, `<` and `&` are written `&lt;` and \
`&amp;`, comments do not contain `--`, and there is exactly one root element. APIM rejects the whole document \
otherwise (\"Data at the root level is invalid\", \"Name cannot begin with…\").",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-tier\" exists-action=override />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-tier\" exists-action=\"override\" />\n  </inbound>\n</policies>",
    ),
};
