//! A tiny ordered JSON value and its pretty printer, for ARM templates.
//!
//! ARM templates read best in the order people write them (`type`, `apiVersion`, `name`,
//! `dependsOn`, `properties`), and golden files need byte-stable output. `serde_json::Map`
//! sorts keys unless its `preserve_order` feature is on, and turning that on would change the
//! output of every other user of `serde_json` in the workspace, so the exporter keeps its own
//! value type: objects are lists of pairs, printed in insertion order.

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Str(String),
    Bool(bool),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    pub fn obj() -> Json {
        Json::Obj(Vec::new())
    }

    /// Add a member (builder style).
    pub fn with(mut self, key: &str, value: Json) -> Json {
        if let Json::Obj(members) = &mut self {
            members.push((key.to_string(), value));
        }
        self
    }

    /// Add a member only when `value` is `Some`.
    pub fn with_opt(self, key: &str, value: Option<Json>) -> Json {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    /// Pretty-print with two-space indentation and a final newline.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        write_value(self, 0, &mut out);
        out.push('\n');
        out
    }
}

fn indent(level: usize, out: &mut String) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_value(value: &Json, level: usize, out: &mut String) {
    match value {
        Json::Str(s) => write_string(s, out),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Arr(items) if items.is_empty() => out.push_str("[]"),
        Json::Arr(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(level + 1, out);
                write_value(item, level + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(level, out);
            out.push(']');
        }
        Json::Obj(members) if members.is_empty() => out.push_str("{}"),
        Json::Obj(members) => {
            out.push_str("{\n");
            for (i, (key, item)) in members.iter().enumerate() {
                indent(level + 1, out);
                write_string(key, out);
                out.push_str(": ");
                write_value(item, level + 1, out);
                if i + 1 < members.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(level, out);
            out.push('}');
        }
    }
}

/// A JSON string literal (RFC 8259): quote, backslash and control characters escaped; all
/// other characters, non-ASCII included, written as they are.
pub fn write_string(s: &str, out: &mut String) {
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
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_in_insertion_order_and_round_trips_through_serde_json() {
        let v = Json::obj()
            .with("z", Json::str("a\"b\\c\n\u{1}é"))
            .with("a", Json::Arr(vec![Json::Bool(true), Json::obj()]))
            .with("m", Json::Arr(vec![]));
        let text = v.pretty();
        assert_eq!(
            text,
            "{\n  \"z\": \"a\\\"b\\\\c\\n\\u0001é\",\n  \"a\": [\n    true,\n    {}\n  ],\n  \"m\": []\n}\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["z"], "a\"b\\c\n\u{1}é");
    }
}
