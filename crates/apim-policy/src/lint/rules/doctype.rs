//! APIM0005 `doctype`: a DTD in a policy (reported by the parser, never expanded).

use crate::diagnostic::Severity;
use crate::lint::codes;
use crate::lint::registry::{Example, Rule, RuleDoc};

pub static RULE: Rule = Rule {
    code: codes::DOCTYPE,
    name: "doctype",
    severity: Severity::Error,
    summary: "The policy has a `<!DOCTYPE>` declaration.",
    fix_safe: false,
    run: None,
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::DOCTYPE,
    explanation: "APIM does not accept DTDs in policies. The playground reports them and never expands \
entity declarations (no \"billion laughs\"); remove the declaration.",
    bad: Example::new(
        "<!DOCTYPE policies>\n<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>",
    ),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>"),
};
