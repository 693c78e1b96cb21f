//! Applying fixes: a diagnostic's edits are byte ranges into the source, non-overlapping.

use crate::diagnostic::{Diagnostic, Edit};

/// Apply `edits` to `source`. Fails (returns `None`) when edits overlap or fall outside the
/// text or inside a character.
pub fn apply(source: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
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
pub fn apply_all(source: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    let mut edits: Vec<Edit> = Vec::new();
    let mut applied = 0;
    for d in diagnostics {
        let Some(fix) = &d.fix else { continue };
        let overlaps = fix.edits.iter().any(|new| {
            edits.iter().any(|old| {
                new.start < old.end.max(old.start + 1) && old.start < new.end.max(new.start + 1)
            })
        });
        if overlaps {
            continue;
        }
        edits.extend(fix.edits.iter().cloned());
        applied += 1;
    }
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
    fn rejects_overlaps_and_bad_ranges() {
        assert_eq!(apply("abcdef", &[edit(0, 3, ""), edit(2, 4, "")]), None);
        assert_eq!(apply("abc", &[edit(2, 9, "")]), None);
        assert_eq!(apply("é", &[edit(1, 1, "x")]), None);
    }
}
