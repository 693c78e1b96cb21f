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
        // The last character boundary at or before the limit (at most three bytes back).
        let start = (0..=limit)
            .rev()
            .find(|&i| cx.source.is_char_boundary(i))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::lint;

    /// The diagnostic starts at the last character boundary at or before the limit, whichever
    /// byte of a multi-byte character the limit falls on.
    #[test]
    fn the_span_starts_at_the_limit_on_a_character_boundary() {
        for shift in 0..4 {
            let head = format!("<policies><inbound><base /><!-- {}", "x".repeat(shift));
            let fill = "😀".repeat((POLICY_LIMIT - head.len()) / 4 + 2);
            let text = format!("{head}{fill} --></inbound></policies>");
            let d = lint(&text)
                .into_iter()
                .find(|d| d.code == codes::DOCUMENT_TOO_LARGE)
                .expect("reported");
            let start = d.span.start;
            assert!(text.is_char_boundary(start), "shift {shift}: {start}");
            assert!(
                start <= POLICY_LIMIT && start + 4 > POLICY_LIMIT,
                "shift {shift}: {start}"
            );
            assert_eq!(d.span.end, text.len());
        }
    }
}
