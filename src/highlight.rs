//! A light syntax highlighter for the export panel's output: ARM JSON, Bicep and Terraform
//! (HCL). It only splits the text into classed runs (strings, keys, keywords, numbers,
//! comments, ARM expressions, decorators); the runs concatenate back to the exact input, so
//! what the user copies is what they see. A full editor would cost more bundle size than a
//! read-only view is worth.

use apim_policy::export::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Plain,
    /// A JSON object key.
    Key,
    String,
    /// A JSON string holding an ARM template expression (`"[parameters('x')]"`).
    Expression,
    Number,
    Keyword,
    Comment,
    /// Bicep decorators (`@secure()`), Terraform block labels' types.
    Meta,
}

impl Class {
    pub fn css(self) -> Option<&'static str> {
        match self {
            Class::Plain => None,
            Class::Key => Some("hl-key"),
            Class::String => Some("hl-string"),
            Class::Expression => Some("hl-expr"),
            Class::Number => Some("hl-number"),
            Class::Keyword => Some("hl-keyword"),
            Class::Comment => Some("hl-comment"),
            Class::Meta => Some("hl-meta"),
        }
    }
}

/// Split `text` into runs for `target`'s language. Adjacent plain runs are merged.
pub fn runs(text: &str, target: Target) -> Vec<(Class, &str)> {
    let mut out = Lexer {
        text,
        pos: 0,
        runs: Vec::new(),
        plain_from: 0,
    };
    match target {
        Target::Arm => out.json(),
        Target::Bicep => out.bicep(),
        Target::Terraform => out.hcl(),
    }
    out.flush_plain(text.len());
    out.runs
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    runs: Vec<(Class, &'a str)>,
    plain_from: usize,
}

const BICEP_KEYWORDS: &[&str] = &[
    "param",
    "var",
    "resource",
    "module",
    "output",
    "existing",
    "targetScope",
    "if",
    "for",
    "in",
    "true",
    "false",
    "null",
    "string",
    "int",
    "bool",
    "object",
    "array",
    "import",
    "type",
    "metadata",
];

const HCL_KEYWORDS: &[&str] = &[
    "resource",
    "data",
    "variable",
    "output",
    "locals",
    "provider",
    "terraform",
    "module",
    "true",
    "false",
    "null",
    "for",
    "in",
    "if",
    "dynamic",
    "content",
];

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn flush_plain(&mut self, until: usize) {
        if until > self.plain_from
            && let Some(s) = self.text.get(self.plain_from..until)
        {
            self.runs.push((Class::Plain, s));
        }
    }

    /// Emit `self.pos..end` as `class` (after any pending plain text).
    fn emit(&mut self, class: Class, end: usize) {
        let end = end.min(self.text.len());
        self.flush_plain(self.pos);
        if let Some(s) = self.text.get(self.pos..end)
            && !s.is_empty()
        {
            self.runs.push((class, s));
        }
        self.pos = end;
        self.plain_from = end;
    }

    fn advance_char(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    /// The end of a `quote`-delimited string starting at `self.pos`, with backslash escapes.
    fn string_end(&self, quote: char) -> usize {
        let mut escaped = false;
        for (i, c) in self.rest().char_indices().skip(1) {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == quote {
                return self.pos + i + c.len_utf8();
            } else if c == '\n' {
                return self.pos + i;
            }
        }
        self.text.len()
    }

    fn word_end(&self) -> usize {
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(self.rest().len());
        self.pos + len
    }

    fn number_end(&self) -> usize {
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == 'E'))
            .unwrap_or(self.rest().len());
        self.pos + len
    }

    fn line_end(&self) -> usize {
        self.pos + self.rest().find('\n').unwrap_or(self.rest().len())
    }

    fn json(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                '"' => {
                    let end = self.string_end('"');
                    let s = self.text.get(self.pos..end).unwrap_or("");
                    let after = self.text.get(end..).unwrap_or("").trim_start();
                    let class = if after.starts_with(':') {
                        Class::Key
                    } else if s.starts_with("\"[") && !s.starts_with("\"[[") {
                        Class::Expression
                    } else {
                        Class::String
                    };
                    self.emit(class, end);
                }
                '-' | '0'..='9' => {
                    let end = self.number_end();
                    self.emit(Class::Number, end);
                }
                c if c.is_ascii_alphabetic() => {
                    let end = self.word_end();
                    self.emit(Class::Keyword, end);
                }
                _ => self.advance_char(),
            }
        }
    }

    fn block_comment(&mut self) {
        let end = self
            .rest()
            .find("*/")
            .map_or(self.text.len(), |i| self.pos + i + 2);
        self.emit(Class::Comment, end);
    }

    fn bicep(&mut self) {
        while let Some(c) = self.peek() {
            let rest = self.rest();
            if rest.starts_with("//") {
                let end = self.line_end();
                self.emit(Class::Comment, end);
            } else if rest.starts_with("/*") {
                self.block_comment();
            } else if rest.starts_with("'''") {
                let end = rest
                    .get(3..)
                    .and_then(|r| r.find("'''"))
                    .map_or(self.text.len(), |i| self.pos + 3 + i + 3);
                self.emit(Class::String, end);
            } else if c == '\'' {
                let end = self.string_end('\'');
                self.emit(Class::String, end);
            } else if c == '@' {
                self.pos += 1;
                let end = self.word_end();
                self.pos -= 1;
                self.emit(Class::Meta, end);
            } else if c.is_ascii_digit() {
                let end = self.number_end();
                self.emit(Class::Number, end);
            } else if c.is_alphabetic() || c == '_' {
                let end = self.word_end();
                let word = self.text.get(self.pos..end).unwrap_or("");
                if BICEP_KEYWORDS.contains(&word) {
                    self.emit(Class::Keyword, end);
                } else {
                    self.pos = end;
                }
            } else {
                self.advance_char();
            }
        }
    }

    fn hcl(&mut self) {
        while let Some(c) = self.peek() {
            let rest = self.rest();
            if c == '#' || rest.starts_with("//") {
                let end = self.line_end();
                self.emit(Class::Comment, end);
            } else if rest.starts_with("/*") {
                self.block_comment();
            } else if let Some(end) = self.heredoc_end() {
                self.emit(Class::String, end);
            } else if c == '"' {
                let end = self.string_end('"');
                self.emit(Class::String, end);
            } else if c.is_ascii_digit() {
                let end = self.number_end();
                self.emit(Class::Number, end);
            } else if c.is_alphabetic() || c == '_' {
                let end = self.word_end();
                let word = self.text.get(self.pos..end).unwrap_or("");
                if HCL_KEYWORDS.contains(&word) {
                    self.emit(Class::Keyword, end);
                } else if self
                    .text
                    .get(end..)
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('=')
                {
                    self.emit(Class::Key, end);
                } else {
                    self.pos = end;
                }
            } else {
                self.advance_char();
            }
        }
    }

    /// `<<EOT` / `<<-EOT` … a line holding only `EOT`: the end of the whole heredoc.
    fn heredoc_end(&self) -> Option<usize> {
        let rest = self.rest();
        let after = rest.strip_prefix("<<")?;
        let after = after.strip_prefix('-').unwrap_or(after);
        let tag_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let tag = after.get(..tag_len).filter(|t| !t.is_empty())?;
        let first_line = rest.find('\n')?;
        let mut at = first_line + 1;
        for line in rest.get(at..)?.split_inclusive('\n') {
            if line.trim() == tag {
                return Some(self.pos + at + line.trim_end_matches(['\n', '\r']).len());
            }
            at += line.len();
        }
        Some(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(runs: &[(Class, &str)]) -> String {
        runs.iter().map(|(_, s)| *s).collect()
    }

    fn of(runs: &[(Class, &str)], class: Class) -> Vec<String> {
        runs.iter()
            .filter(|(c, _)| *c == class)
            .map(|(_, s)| s.to_string())
            .collect()
    }

    #[test]
    fn json_keys_strings_expressions_numbers_and_literals() {
        let text = "{\n  \"name\": \"[concat(parameters('s'), '/policy')]\",\n  \"value\": \"<policies>é</policies>\",\n  \"n\": -1.5, \"ok\": true, \"esc\": \"a\\\"b\"\n}";
        let runs = runs(text, Target::Arm);
        assert_eq!(joined(&runs), text);
        assert_eq!(
            of(&runs, Class::Key),
            ["\"name\"", "\"value\"", "\"n\"", "\"ok\"", "\"esc\""]
        );
        assert_eq!(
            of(&runs, Class::Expression),
            ["\"[concat(parameters('s'), '/policy')]\""]
        );
        assert_eq!(
            of(&runs, Class::String),
            ["\"<policies>é</policies>\"", "\"a\\\"b\""]
        );
        assert_eq!(of(&runs, Class::Number), ["-1.5"]);
        assert_eq!(of(&runs, Class::Keyword), ["true"]);
    }

    #[test]
    fn bicep_keywords_decorators_strings_and_comments() {
        let text = "// generated\n@secure()\nparam key string\nresource p 'Microsoft.ApiManagement/service/apis/policies@2022-08-01' = {\n  value: '''\n<policies/>\n'''\n  n: 1 /* x */\n}";
        let runs = runs(text, Target::Bicep);
        assert_eq!(joined(&runs), text);
        assert_eq!(of(&runs, Class::Comment), ["// generated", "/* x */"]);
        assert_eq!(of(&runs, Class::Meta), ["@secure"]);
        assert!(of(&runs, Class::Keyword).contains(&"resource".to_string()));
        assert_eq!(of(&runs, Class::String).len(), 2);
        assert_eq!(of(&runs, Class::String)[1], "'''\n<policies/>\n'''");
    }

    #[test]
    fn terraform_blocks_attributes_heredocs_and_comments() {
        let text = "# generated\nresource \"azurerm_api_management_api_policy\" \"p\" {\n  api_name = \"orders\"\n  xml_content = <<XML\n<policies>\n  \"quoted\"\n</policies>\nXML\n  count = 2\n}\n";
        let runs = runs(text, Target::Terraform);
        assert_eq!(joined(&runs), text);
        assert_eq!(of(&runs, Class::Comment), ["# generated"]);
        assert_eq!(of(&runs, Class::Key), ["api_name", "xml_content", "count"]);
        assert!(
            of(&runs, Class::String)
                .contains(&"<<XML\n<policies>\n  \"quoted\"\n</policies>\nXML".to_string())
        );
        assert_eq!(of(&runs, Class::Number), ["2"]);
        // Unterminated constructs run to the end without losing text.
        for t in ["\"open", "<<EOT\nno end", "/* open", "'''open"] {
            for target in [Target::Arm, Target::Bicep, Target::Terraform] {
                assert_eq!(joined(&super::runs(t, target)), t);
            }
        }
    }
}
