//! A small JSON value that keeps object keys in the order they were written, plus base64.
//!
//! Two users need the order, which `serde_json::Value` (a sorted map without its
//! `preserve_order` feature, which would change every other user in the workspace) does not
//! keep: the simulator rewrites bodies (Liquid's `body.*`, `json-to-xml`, `xml-to-json`) and
//! must keep the caller's key order; the exporter writes ARM templates in the order people
//! write them (`type`, `apiVersion`, `name`, `dependsOn`, `properties`) with byte-stable
//! output for the golden files ([`J::pretty`]). Parsing is bounded in depth so hostile bodies
//! cannot overflow the stack.

use std::fmt::Write as _;

/// Deepest nesting accepted when parsing.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    /// The number as written (so `1.50` stays `1.50`).
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            J::Num(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// The value as text: strings unquoted, containers as compact JSON, null empty.
    pub fn to_text(&self) -> String {
        match self {
            J::Null => String::new(),
            J::Bool(b) => b.to_string(),
            J::Num(n) => n.clone(),
            J::Str(s) => s.clone(),
            _ => self.to_json(),
        }
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out, None, 0);
        out
    }

    /// Pretty-printed with two-space indentation and a final newline.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out, Some(2), 0);
        out.push('\n');
        out
    }

    pub fn str(s: impl Into<String>) -> J {
        J::Str(s.into())
    }

    /// An empty object, to fill with [`J::with`].
    pub fn obj() -> J {
        J::Obj(Vec::new())
    }

    /// Add a member (builder style); nothing when `self` is not an object.
    pub fn with(mut self, key: &str, value: J) -> J {
        if let J::Obj(members) = &mut self {
            members.push((key.to_string(), value));
        }
        self
    }

    /// Add a member only when `value` is `Some`.
    pub fn with_opt(self, key: &str, value: Option<J>) -> J {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }
}

fn write_json(v: &J, out: &mut String, indent: Option<usize>, level: usize) {
    let newline = |out: &mut String, level: usize| {
        if let Some(n) = indent {
            out.push('\n');
            for _ in 0..n * level {
                out.push(' ');
            }
        }
    };
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s) => write_str(s, out),
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_json(item, out, indent, level + 1);
            }
            if !items.is_empty() {
                newline(out, level);
            }
            out.push(']');
        }
        J::Obj(fields) => {
            out.push('{');
            for (i, (k, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_str(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(item, out, indent, level + 1);
            }
            if !fields.is_empty() {
                newline(out, level);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal (RFC 8259): quote, backslash and control characters escaped; all
/// other characters, non-ASCII included, written as they are.
pub fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON string literal for `s`.
pub fn quote(s: &str) -> String {
    let mut out = String::new();
    write_str(s, &mut out);
    out
}

/// Parse JSON text (whitespace around it allowed). `None` when it is not JSON.
pub fn parse(text: &str) -> Option<J> {
    let mut p = P {
        b: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    (p.i == p.b.len()).then_some(v)
}

struct P<'a> {
    b: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.b.get(self.i..self.i + lit.len()) == Some(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }
    fn value(&mut self, depth: usize) -> Option<J> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'n' => self.eat(b"null").then_some(J::Null),
            b't' => self.eat(b"true").then_some(J::Bool(true)),
            b'f' => self.eat(b"false").then_some(J::Bool(false)),
            b'"' => self.string().map(J::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Some(J::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b",") {
                        continue;
                    }
                    if self.eat(b"]") {
                        return Some(J::Arr(items));
                    }
                    return None;
                }
            }
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.eat(b"}") {
                    return Some(J::Obj(fields));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b":") {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    fields.push((k, v));
                    self.ws();
                    if self.eat(b",") {
                        continue;
                    }
                    if self.eat(b"}") {
                        return Some(J::Obj(fields));
                    }
                    return None;
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.i += 1;
                }
                let n = std::str::from_utf8(self.b.get(start..self.i)?).ok()?;
                if !apim_expr::number::is_float(n) {
                    return None;
                }
                Some(J::Num(n.to_string()))
            }
            _ => None,
        }
    }
    fn string(&mut self) -> Option<String> {
        if !self.eat(b"\"") {
            return None;
        }
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) && self.eat(b"\\u") {
                                let lo = self.hex4()?;
                                cp = 0x10000
                                    + ((cp - 0xD800) << 10)
                                    + (lo.wrapping_sub(0xDC00) & 0x3FF);
                            }
                            let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return None,
                    }
                }
                c => out.push(c),
            }
        }
    }
    fn hex4(&mut self) -> Option<u32> {
        let s = std::str::from_utf8(self.b.get(self.i..self.i + 4)?).ok()?;
        self.i += 4;
        u32::from_str_radix(s, 16).ok()
    }
}

/// Base64 with the standard alphabet and padding (the expression library's).
pub use apim_expr::base64_encode as b64_encode;

/// Base64url without padding (JWT segments).
pub fn b64url_encode(data: &[u8]) -> String {
    b64_encode(data)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// Decode standard or URL-safe base64, padding optional; `None` on bad input.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_round_trips() {
        let text = r#"{"b":1,"a":[true,null,"x\n"],"c":{"z":1.50}}"#;
        let v = parse(text).unwrap();
        assert_eq!(v.to_json(), text);
        assert!(parse("{").is_none());
        assert!(parse(&"[".repeat(1000)).is_none());
        assert_eq!(
            parse(r#""\u00e9\ud83d\ude00""#).unwrap(),
            J::Str("é😀".into())
        );
    }

    #[test]
    fn pretty_prints_in_insertion_order_and_round_trips_through_serde_json() {
        let v = J::obj()
            .with("z", J::str("a\"b\\c\n\u{1}\u{8}é"))
            .with("a", J::Arr(vec![J::Bool(true), J::obj()]))
            .with_opt("none", None)
            .with("m", J::Arr(vec![]));
        let text = v.pretty();
        assert_eq!(
            text,
            "{\n  \"z\": \"a\\\"b\\\\c\\n\\u0001\\bé\",\n  \"a\": [\n    true,\n    {}\n  ],\n  \"m\": []\n}\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["z"], "a\"b\\c\n\u{1}\u{8}é");
        assert_eq!(parse(&text).unwrap(), v);
    }

    #[test]
    fn base64() {
        assert_eq!(b64_encode(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(b64_encode(b"ab"), "YWI=");
        assert_eq!(b64_decode("YWI").unwrap(), b"ab");
        assert_eq!(b64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(b64_decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }
}
