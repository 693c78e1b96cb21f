//! The C# tokenizer for policy expressions.
//!
//! Tokens carry byte spans relative to the expression code. Interpolated strings are one token
//! whose holes are byte ranges of the same code, which the parser tokenizes again, so every
//! span inside a hole is exact too. `>` is never merged into `>>` here (that would break
//! `List<List<string>>`); the parser joins adjacent `>` `>` into a shift.

use crate::ast::Span;
use crate::parser::SyntaxError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Int {
        value: u64,
        suffix: NumSuffix,
    },
    /// As written (its value is read when evaluated: `number::Real`).
    Real {
        value: crate::number::Real,
        suffix: NumSuffix,
    },
    Str(String),
    Char(char),
    Interp(Vec<IPart>),
    Punct(&'static str),
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumSuffix {
    None,
    U,
    L,
    UL,
    F,
    D,
    M,
}

/// A piece of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum IPart {
    Text(String),
    /// `{expr[,align][:format]}`: byte ranges into the code.
    Hole {
        expr: Span,
        align: Option<Span>,
        format: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

const PUNCTS: &[&str] = &[
    "??=", "<<=", "=>", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=",
    "%=", "&=", "|=", "^=", "<<", "??", "?.", "::", "{", "}", "(", ")", "[", "]", ";", ",", ".",
    ":", "?", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "=", "<", ">",
];

pub struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    /// Nesting of interpolated strings inside holes (bounded: the lexer recurses there).
    depth: usize,
    pub errors: Vec<SyntaxError>,
}

impl<'a> Lexer<'a> {
    /// Tokenize `src[start..end]`; spans stay relative to `src`.
    pub fn new(src: &'a str, start: usize, end: usize) -> Self {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos: start,
            end: end.min(src.len()),
            depth: 0,
            errors: Vec::new(),
        }
    }

    pub fn tokenize(mut self) -> (Vec<Token>, Vec<SyntaxError>) {
        let mut out = Vec::new();
        loop {
            let t = self.next_token();
            let eof = t.tok == Tok::Eof;
            out.push(t);
            if eof {
                break;
            }
        }
        (out, self.errors)
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        let i = self.pos + ahead;
        if i < self.end {
            self.bytes.get(i).copied()
        } else {
            None
        }
    }

    fn err(&mut self, start: usize, end: usize, msg: impl Into<String>) {
        self.errors.push(SyntaxError {
            message: msg.into(),
            span: Span::new(start, end),
        });
    }

    fn skip_trivia(&mut self) {
        loop {
            match self.peek(0) {
                Some(b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c) => self.pos += 1,
                Some(b'/') if self.peek(1) == Some(b'/') => {
                    while let Some(c) = self.peek(0) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.peek(1) == Some(b'*') => {
                    let start = self.pos;
                    self.pos += 2;
                    loop {
                        match self.peek(0) {
                            None => {
                                self.err(start, start + 2, "unterminated /* comment");
                                break;
                            }
                            Some(b'*') if self.peek(1) == Some(b'/') => {
                                self.pos += 2;
                                break;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                }
                Some(c) if c >= 0x80 => {
                    // Non-ASCII whitespace (NBSP and friends) is whitespace to C# too.
                    match self.cur_char() {
                        Some(ch) if ch.is_whitespace() => self.pos += ch.len_utf8(),
                        _ => return,
                    }
                }
                _ => return,
            }
        }
    }

    fn cur_char(&self) -> Option<char> {
        if self.pos >= self.end {
            return None;
        }
        self.src.get(self.pos..self.end)?.chars().next()
    }

    pub fn next_token(&mut self) -> Token {
        loop {
            self.skip_trivia();
            let start = self.pos;
            if let Some(tok) = self.token_at(start) {
                return Token {
                    tok,
                    span: Span::new(start, self.pos),
                };
            }
        }
    }

    /// One token at `start`, or `None` after skipping (and reporting) a stray character.
    fn token_at(&mut self, start: usize) -> Option<Tok> {
        let Some(b) = self.peek(0) else {
            return Some(Tok::Eof);
        };
        Some(match b {
            b'"' => Tok::Str(self.regular_string()),
            b'@' if self.peek(1) == Some(b'"') => {
                self.pos += 1;
                Tok::Str(self.verbatim_string())
            }
            b'$' | b'@'
                if matches!(
                    (b, self.peek(1), self.peek(2)),
                    (b'$', Some(b'"'), _)
                        | (b'$', Some(b'@'), Some(b'"'))
                        | (b'@', Some(b'$'), Some(b'"'))
                ) =>
            {
                let verbatim = self.peek(1) != Some(b'"');
                self.pos += if verbatim { 2 } else { 1 };
                if self.depth >= 8 {
                    self.err(
                        start,
                        self.pos,
                        "interpolated strings are nested too deeply",
                    );
                    self.pos = self.end;
                    return Some(Tok::Eof);
                }
                self.depth += 1;
                let parts = self.interpolated(verbatim);
                self.depth -= 1;
                Tok::Interp(parts)
            }
            b'@' => {
                // Verbatim identifier `@class`.
                self.pos += 1;
                if self.ident_start() {
                    Tok::Ident(self.ident())
                } else {
                    self.err(start, self.pos, "unexpected character `@`");
                    return None;
                }
            }
            b'\'' => Tok::Char(self.char_literal()),
            b'0'..=b'9' => self.number(),
            b'.' if matches!(self.peek(1), Some(b'0'..=b'9')) => self.number(),
            b'?' if self.peek(1) == Some(b'.') && matches!(self.peek(2), Some(b'0'..=b'9')) => {
                self.pos += 1;
                Tok::Punct("?")
            }
            _ if self.ident_start() => Tok::Ident(self.ident()),
            _ => {
                // Longest first (the table's order); comparing the first byte before the rest
                // keeps this from calling memcmp for every entry.
                for p in PUNCTS {
                    let pb = p.as_bytes();
                    if pb.first() == Some(&b)
                        && self.pos + pb.len() <= self.end
                        && pb.get(1..).is_none_or(|tail| {
                            self.bytes.get(self.pos + 1..self.pos + pb.len()) == Some(tail)
                        })
                    {
                        self.pos += p.len();
                        return Some(Tok::Punct(p));
                    }
                }
                let ch = self.cur_char().unwrap_or('?');
                self.pos += ch.len_utf8().max(1);
                self.err(
                    start,
                    self.pos,
                    format!("unexpected character `{}`", ch.escape_debug()),
                );
                return None;
            }
        })
    }

    fn ident_start(&self) -> bool {
        match self.peek(0) {
            Some(b) if b.is_ascii() => return b == b'_' || b.is_ascii_alphabetic(),
            None => return false,
            Some(_) => {}
        }
        match self.cur_char() {
            Some(c) => c == '_' || c.is_alphabetic(),
            None => false,
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while let Some(b) = self.peek(0) {
            if b == b'_' || b.is_ascii_alphanumeric() {
                self.pos += 1;
            } else {
                break;
            }
        }
        while let Some(c) = self.cur_char() {
            if c == '_' || c.is_alphanumeric() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        self.src.get(start..self.pos).unwrap_or("").to_string()
    }

    fn number(&mut self) -> Tok {
        let start = self.pos;
        let mut text = String::new();
        if self.peek(0) == Some(b'0') && matches!(self.peek(1), Some(b'x' | b'X' | b'b' | b'B')) {
            let radix = if matches!(self.peek(1), Some(b'x' | b'X')) {
                16
            } else {
                2
            };
            self.pos += 2;
            while let Some(c) = self.peek(0) {
                if (c as char).is_digit(radix) || c == b'_' {
                    if c != b'_' {
                        text.push(c as char);
                    }
                    self.pos += 1;
                } else {
                    break;
                }
            }
            let suffix = self.int_suffix();
            let value = match u64::from_str_radix(&text, radix) {
                Ok(v) => v,
                Err(_) => {
                    self.err(start, self.pos, "invalid number");
                    0
                }
            };
            return Tok::Int { value, suffix };
        }
        let mut real = false;
        self.digits(&mut text);
        if self.peek(0) == Some(b'.') && matches!(self.peek(1), Some(b'0'..=b'9')) {
            real = true;
            text.push('.');
            self.pos += 1;
            self.digits(&mut text);
        }
        if matches!(self.peek(0), Some(b'e' | b'E')) {
            let sign = matches!(self.peek(1), Some(b'+' | b'-'));
            let d = if sign { self.peek(2) } else { self.peek(1) };
            if matches!(d, Some(b'0'..=b'9')) {
                real = true;
                text.push('e');
                self.pos += 1;
                if sign {
                    text.push(self.peek(0).unwrap_or(b'+') as char);
                    self.pos += 1;
                }
                self.digits(&mut text);
            }
        }
        let suffix = match self.peek(0) {
            Some(b'f' | b'F') => {
                self.pos += 1;
                NumSuffix::F
            }
            Some(b'd' | b'D') => {
                self.pos += 1;
                NumSuffix::D
            }
            Some(b'm' | b'M') => {
                self.pos += 1;
                NumSuffix::M
            }
            _ if !real => self.int_suffix(),
            _ => NumSuffix::None,
        };
        if real || matches!(suffix, NumSuffix::F | NumSuffix::D | NumSuffix::M) {
            Tok::Real {
                value: crate::number::Real::new(&text),
                suffix,
            }
        } else {
            match text.parse::<u64>() {
                Ok(value) => Tok::Int { value, suffix },
                Err(_) => {
                    self.err(start, self.pos, "integral constant is too large");
                    Tok::Int { value: 0, suffix }
                }
            }
        }
    }

    fn digits(&mut self, text: &mut String) {
        while let Some(c) = self.peek(0) {
            if c.is_ascii_digit() {
                text.push(c as char);
                self.pos += 1;
            } else if c == b'_' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn int_suffix(&mut self) -> NumSuffix {
        let a = self.peek(0).map(|c| c.to_ascii_lowercase());
        let b = self.peek(1).map(|c| c.to_ascii_lowercase());
        match (a, b) {
            (Some(b'u'), Some(b'l')) | (Some(b'l'), Some(b'u')) => {
                self.pos += 2;
                NumSuffix::UL
            }
            (Some(b'u'), _) => {
                self.pos += 1;
                NumSuffix::U
            }
            (Some(b'l'), _) => {
                self.pos += 1;
                NumSuffix::L
            }
            _ => NumSuffix::None,
        }
    }

    /// At a `\`: decode one escape sequence.
    fn escape(&mut self, out: &mut String) {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.peek(0) else {
            return;
        };
        self.pos += 1;
        let simple = match c {
            b'\'' => Some('\''),
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'0' => Some('\0'),
            b'a' => Some('\u{7}'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'v' => Some('\u{b}'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            return;
        }
        let (min, max) = match c {
            b'u' => (4, 4),
            b'U' => (8, 8),
            b'x' => (1, 4),
            _ => {
                // Step back over a multi-byte char so we never split it.
                self.pos -= 1;
                let ch = self.cur_char().unwrap_or('?');
                self.pos += ch.len_utf8();
                self.err(
                    start,
                    self.pos,
                    format!("unrecognized escape sequence `\\{ch}`"),
                );
                return;
            }
        };
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            match self.peek(0).and_then(|d| (d as char).to_digit(16)) {
                Some(d) => {
                    v = v * 16 + d;
                    n += 1;
                    self.pos += 1;
                }
                None => break,
            }
        }
        if n < min {
            self.err(start, self.pos, "unrecognized escape sequence");
        }
        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
    }

    fn regular_string(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek(0) {
                None | Some(b'\n') => {
                    self.err(start, self.pos, "unterminated string literal");
                    return out;
                }
                Some(b'"') => {
                    self.pos += 1;
                    return out;
                }
                Some(b'\\') => self.escape(&mut out),
                Some(_) => self.push_char(&mut out),
            }
        }
    }

    fn push_char(&mut self, out: &mut String) {
        match self.cur_char() {
            Some(c) => {
                out.push(c);
                self.pos += c.len_utf8();
            }
            None => self.pos += 1,
        }
    }

    fn verbatim_string(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek(0) {
                None => {
                    self.err(start, self.pos, "unterminated string literal");
                    return out;
                }
                Some(b'"') if self.peek(1) == Some(b'"') => {
                    out.push('"');
                    self.pos += 2;
                }
                Some(b'"') => {
                    self.pos += 1;
                    return out;
                }
                Some(_) => self.push_char(&mut out),
            }
        }
    }

    fn char_literal(&mut self) -> char {
        let start = self.pos;
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.peek(0) {
                None | Some(b'\n') => {
                    self.err(start, self.pos, "unterminated character literal");
                    break;
                }
                Some(b'\'') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => self.escape(&mut s),
                Some(_) => self.push_char(&mut s),
            }
        }
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => c,
            (None, _) => {
                self.err(start, self.pos, "empty character literal");
                '\0'
            }
            _ => {
                self.err(start, self.pos, "too many characters in character literal");
                '\0'
            }
        }
    }

    /// At the opening `"` of `$"…"` / `$@"…"`.
    fn interpolated(&mut self, verbatim: bool) -> Vec<IPart> {
        let start = self.pos;
        self.pos += 1;
        let mut parts = Vec::new();
        let mut text = String::new();
        loop {
            match self.peek(0) {
                None => {
                    self.err(start, self.pos, "unterminated string literal");
                    break;
                }
                Some(b'\n') if !verbatim => {
                    self.err(start, self.pos, "unterminated string literal");
                    break;
                }
                Some(b'"') if verbatim && self.peek(1) == Some(b'"') => {
                    text.push('"');
                    self.pos += 2;
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') if !verbatim => self.escape(&mut text),
                Some(b'{') if self.peek(1) == Some(b'{') => {
                    text.push('{');
                    self.pos += 2;
                }
                Some(b'}') if self.peek(1) == Some(b'}') => {
                    text.push('}');
                    self.pos += 2;
                }
                Some(b'}') => {
                    self.err(
                        self.pos,
                        self.pos + 1,
                        "a `}` in an interpolated string must be doubled (`}}`)",
                    );
                    self.pos += 1;
                }
                Some(b'{') => {
                    if !text.is_empty() {
                        parts.push(IPart::Text(std::mem::take(&mut text)));
                    }
                    if let Some(h) = self.hole() {
                        parts.push(h);
                    }
                }
                Some(_) => self.push_char(&mut text),
            }
        }
        if !text.is_empty() {
            parts.push(IPart::Text(text));
        }
        parts
    }

    /// At the `{` of a hole: find the expression, alignment and format ranges.
    fn hole(&mut self) -> Option<IPart> {
        let open = self.pos;
        self.pos += 1;
        let expr_start = self.pos;
        let mut depth = 0usize;
        let mut expr_end = None;
        let mut align = None;
        let mut comma = None;
        loop {
            let Some(b) = self.peek(0) else {
                self.err(open, open + 1, "interpolation hole `{` is never closed");
                return None;
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
                b'}' if depth > 0 => {
                    depth -= 1;
                    self.pos += 1;
                }
                b'}' | b':' if depth == 0 => break,
                b',' if depth == 0 && comma.is_none() => {
                    comma = Some(self.pos);
                    self.pos += 1;
                }
                b'\n' if depth == 0 => {
                    self.err(open, open + 1, "interpolation hole `{` is never closed");
                    return None;
                }
                b'"' | b'\'' | b'$' | b'@' => {
                    // Strings and chars inside the hole: lex (and drop) them.
                    let before = self.pos;
                    let _ = self.token_at(before);
                    if self.pos == before {
                        self.pos += 1;
                    }
                }
                b'/' if self.peek(1) == Some(b'/') || self.peek(1) == Some(b'*') => {
                    self.skip_trivia();
                }
                _ => self.pos += 1,
            }
        }
        if let Some(c) = comma {
            expr_end = Some(c);
            align = Some(Span::new(c + 1, self.pos));
        }
        let expr = Span::new(expr_start, expr_end.unwrap_or(self.pos));
        let mut format = None;
        if self.peek(0) == Some(b':') {
            self.pos += 1;
            let fstart = self.pos;
            loop {
                match self.peek(0) {
                    None | Some(b'"') | Some(b'\n') => {
                        self.err(open, open + 1, "interpolation hole `{` is never closed");
                        return None;
                    }
                    Some(b'}') => break,
                    Some(_) => self.pos += 1,
                }
            }
            format = Some(self.src.get(fstart..self.pos).unwrap_or("").to_string());
        }
        // At the closing `}`.
        self.pos += 1;
        if self
            .src
            .get(expr.start..expr.end)
            .is_none_or(|s| s.trim().is_empty())
        {
            self.err(open, self.pos, "empty interpolation hole");
            return None;
        }
        Some(IPart::Hole {
            expr,
            align,
            format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let (t, e) = Lexer::new(s, 0, s.len()).tokenize();
        assert!(e.is_empty(), "{e:?}");
        t.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers_with_suffixes() {
        assert_eq!(
            toks("1 2L 3.5 4m 5f 0x1F 1e3 7UL"),
            vec![
                Tok::Int {
                    value: 1,
                    suffix: NumSuffix::None
                },
                Tok::Int {
                    value: 2,
                    suffix: NumSuffix::L
                },
                Tok::Real {
                    value: crate::number::Real::new("3.5"),
                    suffix: NumSuffix::None
                },
                Tok::Real {
                    value: crate::number::Real::new("4"),
                    suffix: NumSuffix::M
                },
                Tok::Real {
                    value: crate::number::Real::new("5"),
                    suffix: NumSuffix::F
                },
                Tok::Int {
                    value: 31,
                    suffix: NumSuffix::None
                },
                Tok::Real {
                    value: crate::number::Real::new("1e3"),
                    suffix: NumSuffix::None
                },
                Tok::Int {
                    value: 7,
                    suffix: NumSuffix::UL
                },
                Tok::Eof
            ]
        );
    }

    #[test]
    fn member_access_on_an_int_literal_is_not_a_real() {
        assert_eq!(
            toks("1.ToString")[..3],
            [
                Tok::Int {
                    value: 1,
                    suffix: NumSuffix::None
                },
                Tok::Punct("."),
                Tok::Ident("ToString".into())
            ]
        );
    }

    #[test]
    fn strings() {
        assert_eq!(
            toks(r#""a\"\n\u0041" @"x""y" 'c' '\''"#)[..4],
            [
                Tok::Str("a\"\nA".into()),
                Tok::Str("x\"y".into()),
                Tok::Char('c'),
                Tok::Char('\'')
            ]
        );
    }

    #[test]
    fn interpolated_string_holes_are_code_ranges() {
        let s = r#"$"a{x,5:N2}b{{c}}{f("}")}""#;
        let t = toks(s);
        let Tok::Interp(parts) = &t[0] else { panic!() };
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], IPart::Text("a".into()));
        let IPart::Hole {
            expr,
            align,
            format,
        } = &parts[1]
        else {
            panic!()
        };
        assert_eq!(&s[expr.start..expr.end], "x");
        assert_eq!(&s[align.unwrap().start..align.unwrap().end], "5");
        assert_eq!(format.as_deref(), Some("N2"));
        assert_eq!(parts[2], IPart::Text("b{c}".into()));
        let IPart::Hole { expr, .. } = &parts[3] else {
            panic!()
        };
        assert_eq!(&s[expr.start..expr.end], r#"f("}")"#);
    }

    #[test]
    fn generics_close_with_single_angles() {
        assert_eq!(
            toks("a>>b")[..4],
            [
                Tok::Ident("a".into()),
                Tok::Punct(">"),
                Tok::Punct(">"),
                Tok::Ident("b".into())
            ]
        );
    }

    #[test]
    fn errors_have_spans() {
        let (_, e) = Lexer::new("\"abc", 0, 4).tokenize();
        assert_eq!(e[0].message, "unterminated string literal");
        assert_eq!(e[0].span, Span::new(0, 4));
    }
}
