//! APIM0007 `document-too-large`: over APIM's size limit for a policy document.

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

/// Policy documents: 256 KiB; fragments: 512 KiB (`policy-fragments.md`, service limits).
pub const POLICY_LIMIT: usize = 256 * 1024;
pub const FRAGMENT_LIMIT: usize = 512 * 1024;

pub static RULE: Rule = Rule {
    code: codes::DOCUMENT_TOO_LARGE,
    name: "document-too-large",
    severity: Severity::Error,
    summary: "The document is larger than APIM accepts (256 KiB, or 512 KiB for a fragment).",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::DOCUMENT_TOO_LARGE,
    explanation: "APIM limits a policy document to 256 KiB and a policy fragment to 512 KiB. Move \
shared parts into fragments, large payloads into the backend, and lookup tables into named values or a cache.",
    // The example is generated in the rule tests (a 300 KiB document).
    bad: Example::new(""),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>"),
};

fn run(cx: &mut Ctx<'_>) {
    let limit = if cx.is_fragment() {
        FRAGMENT_LIMIT
    } else {
        POLICY_LIMIT
    };
    let len = cx.source.len();
    if len > limit {
        let start = cx
            .source
            .char_indices()
            .map(|(i, _)| i)
            .take_while(|&i| i <= limit)
            .last()
            .unwrap_or(0);
        cx.report(
            Diagnostic::error(
                codes::DOCUMENT_TOO_LARGE,
                Span::new(start, len),
                format!("the document is {} KiB; APIM accepts at most {} KiB", len.div_ceil(1024), limit / 1024),
            )
            .with_help("Move shared parts into policy fragments and large static content out of the policy."),
        );
    }
}
