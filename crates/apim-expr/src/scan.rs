//! Find the end of a policy expression the way APIM's Razor reader does.
//!
//! In APIM's raw policy format, C# is written unescaped inside XML: double quotes inside
//! double-quoted attributes, `<`, `>` and `&&`, generics such as `As<JObject>()`. So an XML
//! reader cannot find where an expression ends; a C# lexer can. From `@(` or `@{`, [`scan`]
//! skips string literals (regular, verbatim `@"…"`, interpolated `$"…{hole}…"` with nested
//! holes), char literals and comments, and balances `()`, `[]` and `{}` until the bracket that
//! closes the opening one.

use std::fmt;

/// Which form the expression has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprKind {
    /// `@( expression )`
    Single,
    /// `@{ statements }`
    Block,
}

/// A successfully scanned expression: byte offsets into the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    pub kind: ExprKind,
    /// Offset of the `@`.
    pub start: usize,
    /// Offset just after the closing `)` / `}`.
    pub end: usize,
}

impl Scanned {
    /// The code between the brackets.
    pub fn code_range(&self) -> std::ops::Range<usize> {
        self.start + 2..self.end.saturating_sub(1).max(self.start + 2)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanErrorKind {
    /// The opening `(`/`{` (at `at`) is never closed.
    Unclosed {
        open: char,
    },
    /// A closing bracket that does not match the innermost open one.
    Mismatched {
        expected: char,
        found: char,
    },
    /// A string literal that runs past the end of its line (regular strings) or of the text.
    UnterminatedString,
    UnterminatedChar,
    UnterminatedComment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub kind: ScanErrorKind,
    /// Offset of the token the error is about (the unclosed bracket, the string's opening
    /// quote, the mismatched bracket).
    pub at: usize,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ScanErrorKind::Unclosed { open } => {
                write!(f, "`{open}` is never closed (expected `{}`)", closer(*open))
            }
            ScanErrorKind::Mismatched { expected, found } => {
                write!(f, "found `{found}` where `{expected}` was expected")
            }
            ScanErrorKind::UnterminatedString => f.write_str("unterminated string literal"),
            ScanErrorKind::UnterminatedChar => f.write_str("unterminated character literal"),
            ScanErrorKind::UnterminatedComment => f.write_str("unterminated comment"),
        }
    }
}

fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// Is there an expression opener (`@(` or `@{`) at `at`?
pub fn opener_at(text: &str, at: usize) -> Option<ExprKind> {
    match text.as_bytes().get(at..at + 2) {
        Some(b"@(") => Some(ExprKind::Single),
        Some(b"@{") => Some(ExprKind::Block),
        _ => None,
    }
}

/// Scan the expression starting with `@(` or `@{` at byte offset `start` of `text`.
/// Returns `None` if there is no opener at `start`.
pub fn scan(text: &str, start: usize) -> Option<Result<Scanned, ScanError>> {
    let kind = opener_at(text, start)?;
    let mut s = Scanner {
        bytes: text.as_bytes(),
        pos: start + 1,
    };
    Some(s.balanced().map(|end| Scanned { kind, start, end }))
}

/// The bytes [`Scanner::balanced`] acts on: brackets, string and char quotes, the `@` and `$`
/// of verbatim and interpolated strings, and the `/` and `<` that may start a comment. A table:
/// one load per byte in the scan's inner loop (a `matches!` of twelve bytes cost twice as
/// much there).
#[allow(clippy::indexing_slicing)] // a byte indexes a 256-entry table
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"()[]{}\"'@$/<";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// Whether the scan acts on `b` (see [`SPECIAL`]).
#[inline]
fn special(b: u8) -> bool {
    SPECIAL.get(usize::from(b)).copied().unwrap_or(true)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    /// At an opening bracket: consume up to and including its matching closer; return the
    /// offset after it.
    fn balanced(&mut self) -> Result<usize, ScanError> {
        let mut stack: Vec<(u8, usize)> = Vec::new();
        loop {
            let Some(b) = self.peek(0) else {
                let (open, at) = stack.last().copied().unwrap_or((b'(', self.pos));
                return Err(ScanError {
                    kind: ScanErrorKind::Unclosed { open: open as char },
                    at,
                });
            };
            match b {
                b'(' | b'[' | b'{' => {
                    stack.push((b, self.pos));
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    let Some((open, _)) = stack.pop() else {
                        // Only reachable if the caller started on a closer.
                        return Err(ScanError {
                            kind: ScanErrorKind::Mismatched {
                                expected: '(',
                                found: b as char,
                            },
                            at: self.pos,
                        });
                    };
                    let expected = closer(open as char);
                    if expected as u8 != b {
                        return Err(ScanError {
                            kind: ScanErrorKind::Mismatched {
                                expected,
                                found: b as char,
                            },
                            at: self.pos,
                        });
                    }
                    self.pos += 1;
                    if stack.is_empty() {
                        return Ok(self.pos);
                    }
                }
                b'"' => self.string(false, false)?,
                b'@' if self.peek(1) == Some(b'"') => {
                    self.pos += 1;
                    self.string(true, false)?;
                }
                b'$' if self.peek(1) == Some(b'"') => {
                    self.pos += 1;
                    self.string(false, true)?;
                }
                b'$' if self.peek(1) == Some(b'@') && self.peek(2) == Some(b'"') => {
                    self.pos += 2;
                    self.string(true, true)?;
                }
                b'@' if self.peek(1) == Some(b'$') && self.peek(2) == Some(b'"') => {
                    self.pos += 2;
                    self.string(true, true)?;
                }
                b'\'' => self.char_literal()?,
                b'/' if self.peek(1) == Some(b'/') => {
                    while let Some(c) = self.peek(0) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                // Razor treats markup inside a code block as markup: an XML comment there is
                // skipped whole (real policies comment their C# this way).
                b'<' if self.bytes.get(self.pos..self.pos + 4) == Some(b"<!--") => {
                    let at = self.pos;
                    let rest = self.bytes.get(self.pos + 4..).unwrap_or(&[]);
                    match rest.windows(3).position(|w| w == b"-->") {
                        Some(i) => self.pos += 4 + i + 3,
                        None => {
                            return Err(ScanError {
                                kind: ScanErrorKind::UnterminatedComment,
                                at,
                            });
                        }
                    }
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    let at = self.pos;
                    self.pos += 2;
                    loop {
                        match self.peek(0) {
                            None => {
                                return Err(ScanError {
                                    kind: ScanErrorKind::UnterminatedComment,
                                    at,
                                });
                            }
                            Some(b'*') if self.peek(1) == Some(b'/') => {
                                self.pos += 2;
                                break;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                }
                // Not a byte the scan looks at: skip the whole run of such bytes (identifiers,
                // spaces, operators; most of an expression).
                _ => {
                    self.pos += 1;
                    while self.peek(0).is_some_and(|b| !special(b)) {
                        self.pos += 1;
                    }
                }
            }
        }
    }

    /// At the opening `"` of a string: consume it. Regular strings end at the line's end.
    fn string(&mut self, verbatim: bool, interpolated: bool) -> Result<(), ScanError> {
        let at = self.pos;
        let unterminated = ScanError {
            kind: ScanErrorKind::UnterminatedString,
            at,
        };
        self.pos += 1;
        loop {
            let Some(b) = self.peek(0) else {
                return Err(unterminated);
            };
            match b {
                b'"' if verbatim && self.peek(1) == Some(b'"') => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' if !verbatim => self.pos += 2,
                b'\n' if !verbatim => return Err(unterminated),
                b'{' if interpolated && self.peek(1) == Some(b'{') => self.pos += 2,
                b'{' if interpolated => self.hole()?,
                _ => self.pos += 1,
            }
        }
    }

    /// At the `{` of an interpolation hole: consume through its `}`. A `:` at the hole's top
    /// level starts a format specifier, which runs to the `}`.
    fn hole(&mut self) -> Result<(), ScanError> {
        let at = self.pos;
        self.pos += 1;
        let mut depth = 0usize;
        loop {
            let Some(b) = self.peek(0) else {
                return Err(ScanError {
                    kind: ScanErrorKind::Unclosed { open: '{' },
                    at,
                });
            };
            match b {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    self.pos += 1;
                }
                b')' | b']' => {
                    depth = depth.saturating_sub(1);
                    self.pos += 1;
                }
                b'}' if depth == 0 => {
                    self.pos += 1;
                    return Ok(());
                }
                b'}' => {
                    depth -= 1;
                    self.pos += 1;
                }
                b':' if depth == 0 => {
                    // Format specifier: literal up to the closing brace.
                    while let Some(c) = self.peek(0) {
                        if c == b'}' || c == b'"' || c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                b'"' => self.string(false, false)?,
                b'@' if self.peek(1) == Some(b'"') => {
                    self.pos += 1;
                    self.string(true, false)?;
                }
                b'$' if self.peek(1) == Some(b'"') => {
                    self.pos += 1;
                    self.string(false, true)?;
                }
                b'\'' => self.char_literal()?,
                _ => self.pos += 1,
            }
        }
    }

    fn char_literal(&mut self) -> Result<(), ScanError> {
        let at = self.pos;
        self.pos += 1;
        loop {
            match self.peek(0) {
                None | Some(b'\n') => {
                    return Err(ScanError {
                        kind: ScanErrorKind::UnterminatedChar,
                        at,
                    });
                }
                Some(b'\\') => self.pos += 2,
                Some(b'\'') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => self.pos += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(text: &str) -> Result<usize, ScanError> {
        scan(text, 0).expect("an opener at 0").map(|s| s.end)
    }

    fn code(text: &str) -> &str {
        let s = end(text)
            .map(|end| Scanned {
                kind: ExprKind::Single,
                start: 0,
                end,
            })
            .unwrap();
        &text[s.code_range()]
    }

    #[test]
    fn raw_quotes_and_comparisons_inside_an_attribute_expression() {
        let t = r#"@(context.Request.Headers.GetValueOrDefault("X","") == "1")" next="a""#;
        assert_eq!(end(t), Ok(t.find("\" next").unwrap()));
    }

    #[test]
    fn generics_and_logic_operators_do_not_confuse_the_scan() {
        let t = "@(context.Request.Body.As<JObject>(preserveContent: true)[\"a\"] != null && 1 < 2)</value>";
        assert_eq!(code(t), &t[2..t.find(")</value>").unwrap()]);
    }

    #[test]
    fn brackets_inside_strings_chars_and_comments_are_ignored() {
        let t = "@{ var s = \")}\"; char c = ')'; char d = '\\''; /* ) } */ // )\n return s; }x";
        assert_eq!(end(t), Ok(t.len() - 1));
    }

    #[test]
    fn verbatim_strings_double_their_quotes_and_span_lines() {
        let t = "@(@\"a \"\")\"\" \n b\")!";
        assert_eq!(end(t), Ok(t.len() - 1));
    }

    #[test]
    fn interpolated_strings_with_nested_holes_and_format_specifiers() {
        let t = r#"@($"{a}-{{literal}}-{b.Select(x => $"[{x:N2}]").First()}-{(c ? "(" : ")")}")!"#;
        assert_eq!(end(t), Ok(t.len() - 1));
        let v = r#"@($@"{"}"}""{{")!"#;
        assert_eq!(end(v), Ok(v.len() - 1));
    }

    #[test]
    fn a_block_ends_at_its_matching_brace() {
        let t = "@{ if (x) { return \"}\"; } return \"\"; }</set-body>";
        assert_eq!(end(t), Ok(t.find("</").unwrap()));
        assert_eq!(scan(t, 0).unwrap().unwrap().kind, ExprKind::Block);
    }

    #[test]
    fn a_missing_close_paren_is_reported_at_the_open_paren() {
        // Microsoft's own set-backend-service example misses the final `)`.
        let t = r#"@(context.Request.Url.Query.GetValueOrDefault("userId","")"#;
        let err = end(t).unwrap_err();
        assert_eq!(err.kind, ScanErrorKind::Unclosed { open: '(' });
        assert_eq!(err.at, 1);
    }

    #[test]
    fn a_regular_string_cannot_cross_a_line() {
        let t = "@(\"abc\n)";
        assert_eq!(
            end(t).unwrap_err(),
            ScanError {
                kind: ScanErrorKind::UnterminatedString,
                at: 2
            }
        );
    }

    #[test]
    fn mismatched_brackets() {
        let t = "@(a[1)]";
        assert_eq!(
            end(t).unwrap_err(),
            ScanError {
                kind: ScanErrorKind::Mismatched {
                    expected: ']',
                    found: ')'
                },
                at: 5
            }
        );
    }

    #[test]
    fn xml_comments_inside_a_block_are_skipped_like_razor_markup() {
        let t = "@{\n <!-- we don't ) use } this -->\n return 1; }!";
        assert_eq!(end(t), Ok(t.len() - 1));
    }

    #[test]
    fn no_opener_is_none() {
        assert_eq!(scan("@x", 0), None);
        assert_eq!(scan("a@(", 0), None);
        assert!(scan("a@(", 1).is_some());
    }

    #[test]
    fn never_panics_on_truncated_input() {
        let t = r#"@($"{a:}{"\"'/*x"#;
        for i in 0..t.len() {
            if t.is_char_boundary(i) {
                let _ = scan(&t[..i], 0);
            }
        }
    }
}
