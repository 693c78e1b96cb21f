//! The lesson path syntax: a small, XPath-like way to point at elements of a policy tree.
//!
//! ```text
//! inbound/set-header[@name~='x-api-key']/value[named-value('backend-api-key')]
//! //send-request[@mode='new']/authentication-managed-identity[@resource='https://vault.azure.net']
//! /policies/inbound/*[1]
//! ```
//!
//! - Steps are separated by `/`; `//` means "at any depth below". A path that starts with `/`
//!   is absolute (its first step names the root element, `policies` or `fragment`); any other
//!   path starts below the root element, so `inbound/base` is the inbound section's `<base/>`.
//! - A step is an element name or `*`, followed by any number of predicates, all of which
//!   must hold:
//!   - `[@attr]`: the attribute is present; `[@attr OP 'text']` compares its value;
//!   - `[text() OP 'text']`: the element's text content (trimmed) compared;
//!   - `OP` is `=` (equals), `!=`, `~=` (equals ignoring ASCII case), `^=` (starts with),
//!     `$=` (ends with) or `*=` (contains);
//!   - `[named-value('name')]`: the element's text or one of its attributes references
//!     `{{name}}` (names compare ignoring case, as APIM's do); `[named-value()]`: any reference;
//!   - `[literal()]`: the element has text and it is a plain literal (no expression, no
//!     named value); `[expression()]`: its text or an attribute holds a policy expression;
//!   - `[N]`: the N-th (1-based) of the elements the step matched so far under one parent;
//!   - `[not(PREDICATE)]`: the predicate does not hold.
//! - Strings are quoted with `'` or `"`; a quote is written twice to include it.

use crate::syntax::{Document, NodeId, Value};

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    absolute: bool,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    /// `//` before this step: match at any depth.
    descendant: bool,
    /// `None` is `*`.
    name: Option<String>,
    predicates: Vec<Pred>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pred {
    Attr(String, Option<(Op, String)>),
    Text(Op, String),
    NamedValue(Option<String>),
    Literal,
    Expression,
    Position(usize),
    Not(Box<Pred>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    EqIgnoreCase,
    StartsWith,
    EndsWith,
    Contains,
}

impl Op {
    fn holds(self, have: &str, want: &str) -> bool {
        match self {
            Op::Eq => have == want,
            Op::Ne => have != want,
            Op::EqIgnoreCase => have.eq_ignore_ascii_case(want),
            Op::StartsWith => have.starts_with(want),
            Op::EndsWith => have.ends_with(want),
            Op::Contains => have.contains(want),
        }
    }
}

/// A syntax error in a path: the byte offset in the path text and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, PathError> {
        Err(PathError {
            offset: self.pos,
            message: message.into(),
        })
    }

    fn name(&mut self) -> Option<String> {
        let len: usize = self
            .rest()
            .chars()
            .take_while(|&c| is_name_char(c))
            .map(char::len_utf8)
            .sum();
        if len == 0 {
            return None;
        }
        let n = self.rest().get(..len).map(str::to_string);
        self.pos += len;
        n
    }

    fn string(&mut self) -> Result<String, PathError> {
        self.skip_ws();
        let Some(q) = self.peek().filter(|c| *c == '\'' || *c == '"') else {
            return self.err("expected a quoted string such as 'X-Api-Key'");
        };
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    self.pos = start;
                    return self.err(format!("this string has no closing {q}"));
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    if self.peek() == Some(q) {
                        out.push(q);
                        self.pos += 1;
                    } else {
                        return Ok(out);
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn op(&mut self) -> Option<Op> {
        self.skip_ws();
        for (s, op) in [
            ("!=", Op::Ne),
            ("~=", Op::EqIgnoreCase),
            ("^=", Op::StartsWith),
            ("$=", Op::EndsWith),
            ("*=", Op::Contains),
            ("=", Op::Eq),
        ] {
            if self.eat(s) {
                return Some(op);
            }
        }
        None
    }

    fn close_paren(&mut self) -> Result<(), PathError> {
        self.skip_ws();
        if self.eat(")") {
            Ok(())
        } else {
            self.err("expected ')'")
        }
    }

    fn predicate(&mut self) -> Result<Pred, PathError> {
        self.skip_ws();
        if self.eat("@") {
            let Some(name) = self.name() else {
                return self.err("expected an attribute name after '@'");
            };
            let save = self.pos;
            return match self.op() {
                Some(op) => Ok(Pred::Attr(name, Some((op, self.string()?)))),
                None => {
                    self.pos = save;
                    Ok(Pred::Attr(name, None))
                }
            };
        }
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let start = self.pos;
            let digits: String = self
                .rest()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            self.pos += digits.len();
            return match digits.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Pred::Position(n)),
                _ => {
                    self.pos = start;
                    self.err("a position starts at 1")
                }
            };
        }
        let start = self.pos;
        let Some(func) = self.name() else {
            return self.err(
                "expected a predicate: @attr, @attr='text', text()='text', named-value('name'), literal(), expression(), a position or not(...)",
            );
        };
        self.skip_ws();
        if !self.eat("(") {
            self.pos = start;
            return self.err(format!(
                "'{func}' is not a predicate; write @{func} for an attribute"
            ));
        }
        match func.as_str() {
            "text" => {
                self.close_paren()?;
                let Some(op) = self.op() else {
                    return self
                        .err("text() needs a comparison, such as text()='application/json'");
                };
                Ok(Pred::Text(op, self.string()?))
            }
            "named-value" => {
                self.skip_ws();
                let name = if self.peek() == Some(')') {
                    None
                } else {
                    Some(self.string()?)
                };
                self.close_paren()?;
                Ok(Pred::NamedValue(name))
            }
            "literal" => {
                self.close_paren()?;
                Ok(Pred::Literal)
            }
            "expression" => {
                self.close_paren()?;
                Ok(Pred::Expression)
            }
            "not" => {
                let at = self.pos;
                let inner = self.predicate()?;
                if matches!(inner, Pred::Position(_)) {
                    self.pos = at;
                    return self.err("not() cannot hold a position");
                }
                self.close_paren()?;
                Ok(Pred::Not(Box::new(inner)))
            }
            other => {
                self.pos = start;
                self.err(format!(
                    "unknown function '{other}()'; the path syntax knows text(), named-value(), literal(), expression() and not()"
                ))
            }
        }
    }

    fn step(&mut self, descendant: bool) -> Result<Step, PathError> {
        let name = if self.eat("*") {
            None
        } else {
            match self.name() {
                Some(n) => Some(n),
                None => return self.err("expected an element name or '*'"),
            }
        };
        let mut predicates = Vec::new();
        while self.eat("[") {
            predicates.push(self.predicate()?);
            self.skip_ws();
            if !self.eat("]") {
                return self.err("expected ']' to close the predicate");
            }
        }
        Ok(Step {
            descendant,
            name,
            predicates,
        })
    }
}

impl Path {
    /// Parse a path; the error's offset is a byte offset into `text`.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let mut p = Parser { text, pos: 0 };
        if text.trim().is_empty() {
            return p.err("the path is empty");
        }
        let mut absolute = false;
        let mut descendant = false;
        if p.eat("//") {
            descendant = true;
        } else if p.eat("/") {
            absolute = true;
        }
        let mut steps = vec![p.step(descendant)?];
        while p.pos < text.len() {
            let descendant = if p.eat("//") {
                true
            } else if p.eat("/") {
                false
            } else {
                return p.err("expected '/' or '[' here");
            };
            steps.push(p.step(descendant)?);
        }
        Ok(Path { absolute, steps })
    }

    /// The elements the path selects, in document order.
    pub fn select(&self, doc: &Document) -> Vec<NodeId> {
        let Some(root) = doc.root else {
            return Vec::new();
        };
        let mut steps = self.steps.iter();
        let mut current: Vec<NodeId> = if self.absolute {
            match steps.next() {
                Some(first) => filter(doc, vec![vec![root]], first),
                None => Vec::new(),
            }
        } else {
            vec![root]
        };
        for step in steps {
            let groups: Vec<Vec<NodeId>> = current
                .iter()
                .map(|&id| {
                    if step.descendant {
                        doc.descendants(id)
                            .into_iter()
                            .filter(|&d| d != id && doc.element(d).is_some())
                            .collect()
                    } else {
                        doc.child_elements(id).map(|(c, _)| c).collect()
                    }
                })
                .collect();
            current = filter(doc, groups, step);
            current.sort_by_key(|id| doc.node(*id).map(|n| n.span.start));
            current.dedup();
        }
        current
    }
}

fn filter(doc: &Document, groups: Vec<Vec<NodeId>>, step: &Step) -> Vec<NodeId> {
    let mut out = Vec::new();
    for group in groups {
        let mut list: Vec<NodeId> = group
            .into_iter()
            .filter(|&id| {
                doc.element(id)
                    .is_some_and(|e| step.name.as_ref().is_none_or(|n| *n == e.name))
            })
            .collect();
        for pred in &step.predicates {
            list = match pred {
                Pred::Position(n) => n
                    .checked_sub(1)
                    .and_then(|i| list.get(i))
                    .copied()
                    .into_iter()
                    .collect(),
                other => list
                    .into_iter()
                    .filter(|&id| holds(doc, id, other))
                    .collect(),
            };
        }
        out.extend(list);
    }
    out
}

fn text_of(doc: &Document, id: NodeId) -> String {
    doc.text_values(id)
        .iter()
        .map(|v| v.text())
        .collect::<String>()
        .trim()
        .to_string()
}

fn values(doc: &Document, id: NodeId) -> Vec<&Value> {
    let mut out = doc.text_values(id);
    if let Some(e) = doc.element(id) {
        out.extend(e.attributes.iter().map(|a| &a.value));
    }
    out
}

fn holds(doc: &Document, id: NodeId, pred: &Pred) -> bool {
    let Some(el) = doc.element(id) else {
        return false;
    };
    match pred {
        Pred::Attr(name, cmp) => match (el.attribute(name), cmp) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(a), Some((op, want))) => op.holds(&a.value.text(), want),
        },
        Pred::Text(op, want) => op.holds(&text_of(doc, id), want),
        Pred::NamedValue(name) => values(doc, id).iter().any(|v| {
            v.named_values().any(|r| {
                name.as_ref()
                    .is_none_or(|n| r.name.trim().eq_ignore_ascii_case(n))
            })
        }),
        Pred::Literal => {
            let texts = doc.text_values(id);
            !texts.iter().all(|v| v.is_blank()) && texts.iter().all(|v| v.literal().is_some())
        }
        Pred::Expression => values(doc, id).iter().any(|v| v.has_expression()),
        // Positions are applied by `filter`; the parser refuses them inside not().
        Pred::Position(_) => false,
        Pred::Not(inner) => !holds(doc, id, inner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    const DOC: &str = r#"<policies>
  <inbound>
    <base />
    <set-header name="X-Api-Key" exists-action="override">
      <value>{{backend-api-key}}</value>
    </set-header>
    <set-header name="X-Literal" exists-action="override">
      <value>plain</value>
    </set-header>
    <set-variable name="v" value="@(context.RequestId)" />
    <choose><when condition="@(true)"><set-header name="Deep"><value>x</value></set-header></when></choose>
  </inbound>
  <outbound><base /></outbound>
</policies>"#;

    fn count(path: &str) -> usize {
        let doc = parse(DOC);
        Path::parse(path).unwrap().select(&doc).len()
    }

    #[test]
    fn selects_by_name_attribute_text_and_references() {
        assert_eq!(count("inbound/set-header"), 2);
        assert_eq!(count("inbound//set-header"), 3);
        assert_eq!(count("//set-header"), 3);
        assert_eq!(count("/policies/inbound/base"), 1);
        assert_eq!(count("/fragment/inbound"), 0);
        assert_eq!(count("inbound/set-header[@name='X-Api-Key']"), 1);
        assert_eq!(count("inbound/set-header[@name='x-api-key']"), 0);
        assert_eq!(count("inbound/set-header[@name~='x-api-key']"), 1);
        assert_eq!(count("inbound/set-header[@name^='X-']"), 2);
        assert_eq!(
            count("inbound/set-header/value[named-value('Backend-Api-Key')]"),
            1
        );
        assert_eq!(count("inbound/set-header/value[named-value()]"), 1);
        assert_eq!(count("inbound/set-header/value[literal()]"), 1);
        assert_eq!(count("inbound/set-header/value[text()='plain']"), 1);
        assert_eq!(count("inbound/set-header/value[text()*='lai']"), 1);
        assert_eq!(count("inbound/set-variable[expression()]"), 1);
        assert_eq!(count("inbound/set-header[not(@name='X-Api-Key')]"), 1);
        assert_eq!(count("inbound/*[1]"), 1);
        assert_eq!(count("inbound/set-header[2][@name='X-Literal']"), 1);
        assert_eq!(count("*/base"), 2);
        assert_eq!(count("inbound/set-header[@exists-action]"), 2);
        assert_eq!(count("inbound/set-header[@name=\"it''s\"]"), 0);
    }

    #[test]
    fn errors_point_at_the_problem() {
        for (path, at) in [
            ("", 0),
            ("inbound/[@x]", 8),
            ("inbound/set-header[@name='x]", 25),
            ("inbound/set-header[@name='x'", 28),
            ("inbound/set-header[name='x']", 19),
            ("inbound/set-header[foo()]", 19),
            ("inbound/set-header[0]", 19),
            ("inbound set-header", 7),
            ("inbound/value[text()]", 20),
            ("inbound/*[not(2)]", 14),
        ] {
            let e = Path::parse(path).unwrap_err();
            assert_eq!(e.offset, at, "{path}: {e}");
        }
    }
}
