//! Newtonsoft.Json's `JToken` model: shared, mutable nodes that keep insertion order.
//!
//! Parsing is as lenient as `JToken.Parse` (single-quoted strings, unquoted property names,
//! trailing commas, comments) and bounded (depth 64, like Newtonsoft's `MaxDepth`).
//! Serialisation matches Newtonsoft's `Formatting.Indented` (two spaces) and `None`.
//! Differences: date-looking strings stay strings (Newtonsoft turns them into dates);
//! integers beyond `i64` become doubles.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::value::fmt_double;

pub(crate) const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug)]
pub(crate) struct JNode(pub Rc<RefCell<JData>>);

#[derive(Clone, Debug)]
pub(crate) struct JData {
    pub j: J,
    pub secret: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Object(Vec<(String, JNode)>),
    Array(Vec<JNode>),
    /// A `JProperty`: name and value.
    Prop(String, JNode),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonError {
    pub message: String,
}

impl JNode {
    pub fn new(j: J) -> Self {
        JNode(Rc::new(RefCell::new(JData { j, secret: false })))
    }
    pub fn with_secret(j: J, secret: bool) -> Self {
        JNode(Rc::new(RefCell::new(JData { j, secret })))
    }
    pub fn ptr_eq(&self, o: &JNode) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.0.borrow().j {
            J::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self.0.borrow().j {
            J::Int(i) => Some(i),
            _ => None,
        }
    }
    pub fn type_name(&self) -> &'static str {
        match self.0.borrow().j {
            J::Object(_) => "JObject",
            J::Array(_) => "JArray",
            J::Prop(..) => "JProperty",
            _ => "JValue",
        }
    }
    /// Newtonsoft's `JTokenType` name.
    pub fn token_type(&self) -> &'static str {
        match self.0.borrow().j {
            J::Null => "Null",
            J::Bool(_) => "Boolean",
            J::Int(_) => "Integer",
            J::Float(_) => "Float",
            J::Str(_) => "String",
            J::Object(_) => "Object",
            J::Array(_) => "Array",
            J::Prop(..) => "Property",
        }
    }

    pub fn deep_secret(&self, budget: &mut usize) -> bool {
        self.deep_secret_at(budget, 0)
    }

    fn deep_secret_at(&self, budget: &mut usize, depth: usize) -> bool {
        if *budget == 0 || depth > MAX_DEPTH {
            return false;
        }
        *budget -= 1;
        let d = self.0.borrow();
        if d.secret {
            return true;
        }
        match &d.j {
            J::Object(m) => m.iter().any(|(_, v)| v.deep_secret_at(budget, depth + 1)),
            J::Array(a) => a.iter().any(|v| v.deep_secret_at(budget, depth + 1)),
            J::Prop(_, v) => v.deep_secret_at(budget, depth + 1),
            _ => false,
        }
    }

    /// A copy sharing nothing with `self` (bounded by depth).
    pub fn deep_clone(&self, depth: usize) -> JNode {
        let d = self.0.borrow();
        let j = if depth > MAX_DEPTH {
            J::Null
        } else {
            match &d.j {
                J::Object(m) => J::Object(
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.deep_clone(depth + 1)))
                        .collect(),
                ),
                J::Array(a) => J::Array(a.iter().map(|v| v.deep_clone(depth + 1)).collect()),
                J::Prop(n, v) => J::Prop(n.clone(), v.deep_clone(depth + 1)),
                other => other.clone(),
            }
        };
        JNode::with_secret(j, d.secret)
    }

    /// Does `self` contain `other` (or is it)? Used to refuse cycles.
    pub fn contains(&self, other: &JNode, depth: usize) -> bool {
        if self.ptr_eq(other) {
            return true;
        }
        if depth > MAX_DEPTH {
            return true;
        }
        match &self.0.borrow().j {
            J::Object(m) => m.iter().any(|(_, v)| v.contains(other, depth + 1)),
            J::Array(a) => a.iter().any(|v| v.contains(other, depth + 1)),
            J::Prop(_, v) => v.contains(other, depth + 1),
            _ => false,
        }
    }

    /// `JToken.ToString()`: indented JSON for containers, the plain value for a `JValue`
    /// (`True`, `1.5`, the raw string, empty for null).
    pub fn to_display(&self) -> String {
        let d = self.0.borrow();
        match &d.j {
            J::Null => String::new(),
            J::Bool(b) => if *b { "True" } else { "False" }.into(),
            J::Int(i) => i.to_string(),
            J::Float(f) => fmt_double(*f),
            J::Str(s) => s.clone(),
            _ => {
                drop(d);
                self.serialize(true)
            }
        }
    }

    /// JSON text, `Formatting.Indented` or `Formatting.None`.
    pub fn serialize(&self, indented: bool) -> String {
        let mut out = String::new();
        write_node(&mut out, self, indented, 0);
        out
    }
}

fn write_indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_node(out: &mut String, n: &JNode, indented: bool, level: usize) {
    if level > MAX_DEPTH {
        out.push_str("null");
        return;
    }
    let d = n.0.borrow();
    match &d.j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Int(i) => {
            let _ = write!(out, "{i}");
        }
        J::Float(f) => out.push_str(&json_float(*f)),
        J::Str(s) => write_str(out, s),
        J::Object(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if indented {
                    write_indent(out, level + 1);
                }
                write_str(out, k);
                out.push_str(if indented { ": " } else { ":" });
                write_node(out, v, indented, level + 1);
            }
            if indented {
                write_indent(out, level);
            }
            out.push('}');
        }
        J::Array(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if indented {
                    write_indent(out, level + 1);
                }
                write_node(out, v, indented, level + 1);
            }
            if indented {
                write_indent(out, level);
            }
            out.push(']');
        }
        J::Prop(k, v) => {
            write_str(out, k);
            out.push_str(if indented { ": " } else { ":" });
            write_node(out, v, indented, level);
        }
    }
}

/// Newtonsoft writes doubles with a `.0` when they print as integers.
pub(crate) fn json_float(f: f64) -> String {
    if f.is_nan() {
        return "\"NaN\"".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "\"Infinity\"".into()
        } else {
            "\"-Infinity\"".into()
        };
    }
    let s = fmt_double(f);
    if s.contains(['.', 'E']) { s } else { s + ".0" }
}

pub(crate) fn write_str(out: &mut String, s: &str) {
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
            c if (c as u32) < 0x20 || c == '\u{85}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parse JSON text. String leaves containing one of `secrets` are marked secret.
pub(crate) fn parse(text: &str, secrets: &[String]) -> Result<JNode, JsonError> {
    let mut p = JParser {
        s: text.as_bytes(),
        text,
        pos: 0,
        secrets,
    };
    p.ws()?;
    if p.pos >= p.s.len() {
        return Err(p.err_msg("Error reading JToken from JsonReader."));
    }
    let v = p.value(0)?;
    p.ws()?;
    if p.pos < p.s.len() {
        return Err(p.err_msg(
            "Additional text encountered after finished reading JSON content: ".to_string()
                + &p.cur_char().to_string()
                + ".",
        ));
    }
    Ok(v)
}

struct JParser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    secrets: &'a [String],
}

impl JParser<'_> {
    fn cur_char(&self) -> char {
        self.text
            .get(self.pos..)
            .and_then(|r| r.chars().next())
            .unwrap_or(' ')
    }

    fn err_msg(&self, m: impl Into<String>) -> JsonError {
        let before = self.text.get(..self.pos).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
        JsonError {
            message: format!("{} Path '', line {line}, position {col}.", m.into()),
        }
    }

    fn unexpected(&self) -> JsonError {
        if self.pos >= self.s.len() {
            return self.err_msg("Unexpected end of content while loading JObject.");
        }
        self.err_msg(format!(
            "Unexpected character encountered while parsing value: {}.",
            self.cur_char()
        ))
    }

    fn ws(&mut self) -> Result<(), JsonError> {
        loop {
            match self.s.get(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.s.get(self.pos + 1) == Some(&b'/') => {
                    while let Some(c) = self.s.get(self.pos) {
                        if *c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.s.get(self.pos + 1) == Some(&b'*') => {
                    self.pos += 2;
                    loop {
                        match self.s.get(self.pos) {
                            None => {
                                return Err(self.err_msg("Unexpected end while parsing comment."));
                            }
                            Some(b'*') if self.s.get(self.pos + 1) == Some(&b'/') => {
                                self.pos += 2;
                                break;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn leaf_str(&self, s: String) -> JNode {
        let secret = self
            .secrets
            .iter()
            .any(|x| !x.is_empty() && s.contains(x.as_str()));
        JNode::with_secret(J::Str(s), secret)
    }

    fn value(&mut self, depth: usize) -> Result<JNode, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.err_msg(format!(
                "The reader's MaxDepth of {MAX_DEPTH} has been exceeded."
            )));
        }
        match self.s.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let mut members: Vec<(String, JNode)> = Vec::new();
                loop {
                    self.ws()?;
                    match self.s.get(self.pos) {
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(JNode::new(J::Object(members)));
                        }
                        None => {
                            return Err(
                                self.err_msg("Unexpected end of content while loading JObject.")
                            );
                        }
                        _ => {}
                    }
                    let name = match self.s.get(self.pos) {
                        Some(q @ (b'"' | b'\'')) => {
                            let q = *q;
                            self.string(q)?
                        }
                        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$' => {
                            let st = self.pos;
                            while self.s.get(self.pos).is_some_and(|c| {
                                c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$'
                            }) {
                                self.pos += 1;
                            }
                            self.text.get(st..self.pos).unwrap_or("").to_string()
                        }
                        _ => {
                            return Err(self.err_msg(format!(
                                "Invalid property identifier character: {}.",
                                self.cur_char()
                            )));
                        }
                    };
                    self.ws()?;
                    if self.s.get(self.pos) != Some(&b':') {
                        return Err(self.err_msg(format!(
                            "Invalid character after parsing property name. Expected ':' but got: {}.",
                            self.cur_char()
                        )));
                    }
                    self.pos += 1;
                    self.ws()?;
                    let v = self.value(depth + 1)?;
                    // Newtonsoft: a repeated name replaces the earlier value in place.
                    if let Some(slot) = members.iter_mut().find(|(k, _)| *k == name) {
                        slot.1 = v;
                    } else {
                        members.push((name, v));
                    }
                    self.ws()?;
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {}
                        _ => return Err(self.unexpected()),
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.ws()?;
                    match self.s.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(JNode::new(J::Array(items)));
                        }
                        None => {
                            return Err(
                                self.err_msg("Unexpected end of content while loading JArray.")
                            );
                        }
                        _ => {}
                    }
                    items.push(self.value(depth + 1)?);
                    self.ws()?;
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {}
                        _ => return Err(self.unexpected()),
                    }
                }
            }
            Some(q @ (b'"' | b'\'')) => {
                let q = *q;
                let s = self.string(q)?;
                Ok(self.leaf_str(s))
            }
            Some(b't') if self.s.get(self.pos..self.pos + 4) == Some(b"true") => {
                self.pos += 4;
                Ok(JNode::new(J::Bool(true)))
            }
            Some(b'f') if self.s.get(self.pos..self.pos + 5) == Some(b"false") => {
                self.pos += 5;
                Ok(JNode::new(J::Bool(false)))
            }
            Some(b'n') if self.s.get(self.pos..self.pos + 4) == Some(b"null") => {
                self.pos += 4;
                Ok(JNode::new(J::Null))
            }
            Some(b'-' | b'0'..=b'9' | b'.') => self.number(),
            _ => Err(self.unexpected()),
        }
    }

    fn number(&mut self) -> Result<JNode, JsonError> {
        let st = self.pos;
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.pos += 1;
        }
        let t = self.text.get(st..self.pos).unwrap_or("");
        let secret = self.secrets.iter().any(|x| !x.is_empty() && x == t);
        if !t.contains(['.', 'e', 'E'])
            && let Ok(i) = t.parse::<i64>()
        {
            return Ok(JNode::with_secret(J::Int(i), secret));
        }
        match t.parse::<f64>() {
            Ok(f) => Ok(JNode::with_secret(J::Float(f), secret)),
            Err(_) => Err(self.err_msg(format!("Input string '{t}' is not a valid number."))),
        }
    }

    fn string(&mut self, q: u8) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.s.get(self.pos) else {
                return Err(self.err_msg("Unterminated string. Expected delimiter: \"."));
            };
            if c == q {
                self.pos += 1;
                return Ok(out);
            }
            if c == b'\\' {
                self.pos += 1;
                let Some(&e) = self.s.get(self.pos) else {
                    return Err(self.err_msg("Unterminated string. Expected delimiter: \"."));
                };
                self.pos += 1;
                match e {
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'u' => {
                        let hex = self.text.get(self.pos..self.pos + 4).unwrap_or("");
                        let Ok(mut code) = u32::from_str_radix(hex, 16) else {
                            return Err(self.err_msg("Invalid Unicode escape sequence."));
                        };
                        self.pos += 4;
                        // Surrogate pair.
                        if (0xD800..0xDC00).contains(&code)
                            && self.s.get(self.pos..self.pos + 2) == Some(b"\\u")
                        {
                            let lo = self.text.get(self.pos + 2..self.pos + 6).unwrap_or("");
                            if let Ok(lo) = u32::from_str_radix(lo, 16)
                                && (0xDC00..0xE000).contains(&lo)
                            {
                                code = 0x10000 + ((code - 0xD800) << 10) + (lo - 0xDC00);
                                self.pos += 6;
                            }
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    other => out.push(other as char),
                }
                continue;
            }
            let ch = self.cur_char();
            out.push(ch);
            self.pos += ch.len_utf8().max(1);
        }
    }
}

/// `SelectToken(path)`: `a.b[0]`, `$.a`, `['x y']`, `a[*]` is not supported (null).
pub(crate) fn select_token(root: &JNode, path: &str) -> Option<JNode> {
    let mut cur = root.clone();
    let b = path.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'$') {
        i = 1;
    }
    while i < b.len() {
        match b.get(i) {
            Some(b'.') => i += 1,
            Some(b'[') => {
                let close = path.get(i..)?.find(']')? + i;
                let inner = path.get(i + 1..close)?.trim();
                i = close + 1;
                let next = if let Some(name) =
                    inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\''))
                {
                    child(&cur, name)?
                } else {
                    let idx: usize = inner.parse().ok()?;
                    match &cur.0.borrow().j {
                        J::Array(a) => a.get(idx)?.clone(),
                        _ => return None,
                    }
                };
                cur = next;
                continue;
            }
            _ => {}
        }
        let st = i;
        while i < b.len() && !matches!(b.get(i), Some(b'.' | b'[')) {
            i += 1;
        }
        if i > st {
            cur = child(&cur, path.get(st..i)?)?;
        }
    }
    Some(cur)
}

fn child(n: &JNode, name: &str) -> Option<JNode> {
    match &n.0.borrow().j {
        J::Object(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        _ => None,
    }
}

/// Drop nested tokens iteratively (code can build chains deeper than the stack allows).
impl Drop for JData {
    fn drop(&mut self) {
        let mut stack: Vec<JNode> = Vec::new();
        take_children(&mut self.j, &mut stack);
        while let Some(n) = stack.pop() {
            if let Ok(cell) = Rc::try_unwrap(n.0) {
                let mut d = cell.into_inner();
                take_children(&mut d.j, &mut stack);
            }
        }
    }
}

fn take_children(j: &mut J, out: &mut Vec<JNode>) {
    match j {
        J::Object(m) => out.extend(m.drain(..).map(|(_, v)| v)),
        J::Array(a) => out.append(a),
        J::Prop(_, v) => {
            let v = std::mem::replace(
                v,
                JNode(Rc::new(RefCell::new(JData {
                    j: J::Null,
                    secret: false,
                }))),
            );
            out.push(v);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_newtonsoft_format() {
        let n = parse(
            r#"{"a":1,"b":[true,null,1.5,2.0],"c":{},"d":[],"e":"x\"y"}"#,
            &[],
        )
        .unwrap();
        assert_eq!(
            n.serialize(true),
            "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null,\n    1.5,\n    2.0\n  ],\n  \"c\": {},\n  \"d\": [],\n  \"e\": \"x\\\"y\"\n}"
        );
        assert_eq!(
            n.serialize(false),
            r#"{"a":1,"b":[true,null,1.5,2.0],"c":{},"d":[],"e":"x\"y"}"#
        );
    }

    #[test]
    fn lenient_like_newtonsoft() {
        let n = parse("{'groupIds': ['a',], x: 1 /* c */}", &[]).unwrap();
        assert_eq!(n.serialize(false), r#"{"groupIds":["a"],"x":1}"#);
    }

    #[test]
    fn errors_and_depth() {
        assert!(parse("{", &[]).is_err());
        assert!(parse("", &[]).is_err());
        assert!(parse("[1] x", &[]).is_err());
        let deep = "[".repeat(100_000);
        assert!(parse(&deep, &[]).unwrap_err().message.contains("MaxDepth"));
    }

    #[test]
    fn select_token_paths() {
        let n = parse(r#"{"a":{"b":[10,{"c":"x"}]}}"#, &[]).unwrap();
        assert_eq!(select_token(&n, "a.b[1].c").unwrap().to_display(), "x");
        assert_eq!(select_token(&n, "$.a.b[0]").unwrap().to_display(), "10");
        assert_eq!(
            select_token(&n, "['a']['b'][0]").unwrap().to_display(),
            "10"
        );
        assert!(select_token(&n, "a.z").is_none());
    }

    #[test]
    fn secrets_taint_leaves() {
        let n = parse(r#"{"k":"Bearer s3cr3t","o":"x"}"#, &["s3cr3t".into()]).unwrap();
        let mut b = 100;
        assert!(n.deep_secret(&mut b));
        assert!(child(&n, "k").unwrap().0.borrow().secret);
        assert!(!child(&n, "o").unwrap().0.borrow().secret);
    }
}
