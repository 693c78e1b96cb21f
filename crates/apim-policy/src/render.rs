//! Rendering diagnostics for people and machines: a rustc-style terminal frame with the source
//! line and a caret underline, and the JSON shape of the CLI contract.

use crate::diagnostic::Diagnostic;
use crate::text::LineIndex;
use std::fmt::Write;

/// Render one diagnostic as text:
///
/// ```text
/// error[APIM0001]: XML syntax error: …
///   --> policy.xml:4:3
///    |
///  4 |   </outbound>
///    |   ^^^^^^^^^^^
///    = help: …
/// ```
pub fn render_text(path: &str, index: &LineIndex<'_>, d: &Diagnostic) -> String {
    let mut out = String::new();
    let start = index.line_col(d.span.start);
    let end = index.line_col(d.span.end);
    let line_text = index.line_text(start.line);
    let gutter = start.line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{}[{}]: {}", d.severity, d.code, d.message);
    let _ = writeln!(out, "{pad}--> {path}:{}:{}", start.line, start.column);
    let _ = writeln!(out, "{pad} |");
    let shown: String = line_text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let _ = writeln!(out, "{} | {}", start.line, shown);
    let line_chars = line_text.chars().count();
    let first = start.column.saturating_sub(1).min(line_chars);
    let last = if end.line == start.line {
        end.column.saturating_sub(1)
    } else {
        line_chars
    };
    let width = last.saturating_sub(first).max(1);
    let _ = writeln!(out, "{pad} | {}{}", " ".repeat(first), "^".repeat(width));
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    if let Some(fix) = &d.fix {
        let _ = writeln!(out, "{pad} = fix: {}", fix.message);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint;

    #[test]
    fn text_frame_points_at_the_error() {
        let src = "<policies>\n  <inbound>\n  </outbound>\n</policies>\n";
        let idx = LineIndex::new(src);
        let d = lint(src);
        let mismatch = d.iter().find(|d| d.code == "APIM0003").unwrap();
        let text = render_text("p.xml", &idx, mismatch);
        assert!(
            text.starts_with(
                "error[APIM0003]: `</outbound>` does not match the open element <inbound>\n"
            ),
            "{text}"
        );
        assert!(text.contains("--> p.xml:3:5"), "{text}");
        assert!(text.contains("3 |   </outbound>"), "{text}");
        assert!(text.contains("  |     ^^^^^^^^\n"), "{text}");
        assert!(text.contains("= fix: Change to </inbound>"), "{text}");
    }
}
