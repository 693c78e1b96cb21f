//! Applying fixes: a diagnostic's edits are byte ranges into the source, non-overlapping.

use crate::diagnostic::{Diagnostic, Edit};

/// Apply `edits` to `source`. Fails (returns `None`) when edits overlap or fall outside the
/// text or inside a character.
pub fn apply(source: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    crate::sort::sort_by_key(&mut sorted, |e| (e.start, e.end));
    let mut out = String::with_capacity(source.len());
    let mut pos = 0;
    for e in sorted {
        if e.start < pos || e.end < e.start {
            return None;
        }
        out.push_str(source.get(pos..e.start)?);
        out.push_str(&e.text);
        pos = e.end;
    }
    out.push_str(source.get(pos..)?);
    Some(out)
}

/// Apply every fix of `diagnostics` that does not overlap an earlier one; returns the new text
/// and how many fixes were applied. (`apim-policy lint --fix`.)
///
/// Insertions at the same place do not conflict: at the end of a half-typed document the
/// missing `>` and the end tags of every open element all go there. They are written innermost
/// first, which is the order of their diagnostics' spans from the last-ending one (the cut tag,
/// then the deepest open element's name, out to the root's).
pub fn apply_all(source: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    let mut edits: Vec<(&Edit, &Diagnostic)> = Vec::new();
    let mut applied = 0;
    for d in diagnostics {
        let Some(fix) = &d.fix else { continue };
        let overlaps = fix.edits.iter().any(|new| {
            edits.iter().any(|(old, _)| {
                let both_insert_here =
                    new.start == new.end && old.start == old.end && new.start == old.start;
                !both_insert_here
                    && new.start < old.end.max(old.start + 1)
                    && old.start < new.end.max(new.start + 1)
            })
        });
        if overlaps {
            continue;
        }
        edits.extend(fix.edits.iter().map(|e| (e, d)));
        applied += 1;
    }
    crate::sort::sort_by_key(&mut edits, |(e, d)| {
        (
            e.start,
            e.end,
            std::cmp::Reverse(d.span.end),
            std::cmp::Reverse(d.span.start),
        )
    });
    let edits: Vec<Edit> = edits.into_iter().map(|(e, _)| e.clone()).collect();
    match apply(source, &edits) {
        Some(text) => (text, applied),
        None => (source.to_string(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            start,
            end,
            text: text.into(),
        }
    }

    #[test]
    fn applies_in_order_regardless_of_input_order() {
        assert_eq!(
            apply("abcdef", &[edit(4, 5, "E"), edit(0, 1, "A")]).unwrap(),
            "AbcdEf"
        );
        assert_eq!(apply("abc", &[edit(3, 3, "!")]).unwrap(), "abc!");
    }

    #[test]
    fn a_half_typed_end_gets_its_angle_bracket_then_every_end_tag_innermost_first() {
        for (src, want) in [
            (
                "<policies>\n  <inbound>\n    <base />\n  </inbound",
                "<policies>\n  <inbound>\n    <base />\n  </inbound></policies>",
            ),
            (
                "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x\"",
                "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x\"></set-header></inbound></policies>",
            ),
        ] {
            let doc = crate::syntax::parse(src);
            let (fixed, _) = apply_all(src, &doc.diagnostics);
            assert_eq!(fixed, want);
            assert!(crate::syntax::parse(&fixed).diagnostics.is_empty());
        }
    }

    #[test]
    fn rejects_overlaps_and_bad_ranges() {
        assert_eq!(apply("abcdef", &[edit(0, 3, ""), edit(2, 4, "")]), None);
        assert_eq!(apply("abc", &[edit(2, 9, "")]), None);
        assert_eq!(apply("é", &[edit(1, 1, "x")]), None);
    }
}
