//! The policy document tree: an arena of nodes with exact byte spans into the source.
//!
//! Every element, attribute, value, expression and `{{named value}}` keeps its span, so rules
//! can point at the exact characters, fixes can edit them, and the formatter can copy them
//! verbatim. The arena (rather than boxed children) keeps deep documents from overflowing the
//! stack when the tree is dropped.

use crate::diagnostic::{Diagnostic, Span};
pub use apim_expr::scan::ExprKind;
use std::borrow::Cow;
use std::sync::Arc;

/// An immutable, cheaply cloned string of the tree: element and attribute names and literal
/// text. The parser shares one allocation between equal names (a document spells
/// `set-header` or `exists-action` thousands of times) and between equal short literals
/// (`override`, `true`), so most elements and attributes allocate nothing for their text.
/// It reads like a `&str`: it derefs to one, compares with `str`, `&str` and `String`, and
/// prints (`Display` and `Debug`) as the string does.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Atom(Arc<str>);

impl Atom {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Atom {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Atom {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Atom {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Atom {
    fn from(s: &str) -> Atom {
        Atom(Arc::from(s))
    }
}

impl From<String> for Atom {
    fn from(s: String) -> Atom {
        Atom(Arc::from(s))
    }
}

impl From<&Atom> for String {
    fn from(a: &Atom) -> String {
        a.as_str().to_string()
    }
}

impl From<Atom> for String {
    fn from(a: Atom) -> String {
        a.as_str().to_string()
    }
}

impl std::fmt::Display for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl std::fmt::Debug for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for Atom {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Atom {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Atom {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Atom> for str {
    fn eq(&self, other: &Atom) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Atom> for &str {
    fn eq(&self, other: &Atom) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Atom> for String {
    fn eq(&self, other: &Atom) -> bool {
        **self == *other.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The whole node: for an element, from `<` of the start tag to `>` of the end tag.
    pub span: Span,
    pub parent: Option<NodeId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Element(Element),
    /// Character data (never whitespace-only; those runs are not kept).
    Text(Value),
    /// A CDATA section; `Value` spans the content between `<![CDATA[` and `]]>`.
    CData(Value),
    /// A comment; the span covers `<!--` to `-->`.
    Comment,
    /// `<?…?>` including the XML declaration.
    ProcessingInstruction,
    DocType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: Atom,
    pub name_span: Span,
    /// `<name …>` or `<name … />`.
    pub start_tag: Span,
    /// `</name>`, when the element has one.
    pub end_tag: Option<Span>,
    /// The name inside the end tag, when the end tag spells the element's name (not when a
    /// mistyped end tag was taken as this element's end).
    pub end_name_span: Option<Span>,
    pub self_closing: bool,
    pub attributes: Vec<Attribute>,
    pub children: Children,
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The span between the start tag and the end tag (empty for `<x/>` and unclosed elements).
    pub fn content_span(&self) -> Span {
        match self.end_tag {
            Some(end) => Span::new(self.start_tag.end, end.start),
            None => Span::empty(self.start_tag.end),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: Atom,
    pub name_span: Span,
    pub value: Value,
    /// From the name to the closing quote.
    pub span: Span,
}

/// An attribute value or a run of text: literal text, `{{named value}}` references and policy
/// expressions, in source order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Value {
    /// The raw value: inside the quotes, or the text run.
    pub span: Span,
    pub segments: Segments,
}

/// How many children an element keeps inline, without an allocation of their own (most
/// elements have one to three: a `<set-header>` its `<value>`, a `<value>` its text).
const INLINE_CHILDREN: usize = 4;

/// An element's children, in order: a slice of node ids (it derefs to `[NodeId]`), kept inline
/// when there are at most [`INLINE_CHILDREN`], else in one allocation of exactly their number.
#[derive(Clone)]
pub struct Children(ChildList);

#[derive(Clone)]
enum ChildList {
    Inline {
        len: u8,
        ids: [NodeId; INLINE_CHILDREN],
    },
    Heap(Box<[NodeId]>),
}

impl Children {
    pub fn as_slice(&self) -> &[NodeId] {
        match &self.0 {
            ChildList::Inline { len, ids } => ids.get(..usize::from(*len)).unwrap_or(&[]),
            ChildList::Heap(ids) => ids,
        }
    }
}

impl Default for Children {
    fn default() -> Children {
        Children(ChildList::Inline {
            len: 0,
            ids: [NodeId(0); INLINE_CHILDREN],
        })
    }
}

impl From<&[NodeId]> for Children {
    fn from(ids: &[NodeId]) -> Children {
        match u8::try_from(ids.len()) {
            Ok(len) if ids.len() <= INLINE_CHILDREN => {
                let mut inline = [NodeId(0); INLINE_CHILDREN];
                for (slot, id) in inline.iter_mut().zip(ids) {
                    *slot = *id;
                }
                Children(ChildList::Inline { len, ids: inline })
            }
            _ => Children(ChildList::Heap(ids.into())),
        }
    }
}

impl std::ops::Deref for Children {
    type Target = [NodeId];
    fn deref(&self) -> &[NodeId] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a Children {
    type Item = &'a NodeId;
    type IntoIter = std::slice::Iter<'a, NodeId>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl PartialEq for Children {
    fn eq(&self, other: &Children) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl std::fmt::Debug for Children {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_slice(), f)
    }
}

/// A value's segments, in order: a slice (it derefs to `[Segment]`), kept inline when there is
/// one (most values: one literal), else in one allocation of exactly their number.
#[derive(Clone, Default)]
pub struct Segments(SegmentList);

#[derive(Clone, Default)]
enum SegmentList {
    #[default]
    Empty,
    One(Segment),
    Many(Box<[Segment]>),
}

impl Segments {
    pub fn as_slice(&self) -> &[Segment] {
        match &self.0 {
            SegmentList::Empty => &[],
            SegmentList::One(s) => std::slice::from_ref(s),
            SegmentList::Many(s) => s,
        }
    }
}

impl Segments {
    /// Move the segments out of `scratch` (left empty, its room kept for the next value).
    pub(crate) fn take(scratch: &mut Vec<Segment>) -> Segments {
        Segments(match scratch.len() {
            0 => SegmentList::Empty,
            1 => match scratch.pop() {
                Some(s) => SegmentList::One(s),
                None => SegmentList::Empty,
            },
            _ => SegmentList::Many(scratch.drain(..).collect()),
        })
    }
}

impl std::ops::Deref for Segments {
    type Target = [Segment];
    fn deref(&self) -> &[Segment] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a Segments {
    type Item = &'a Segment;
    type IntoIter = std::slice::Iter<'a, Segment>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl PartialEq for Segments {
    fn eq(&self, other: &Segments) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl std::fmt::Debug for Segments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_slice(), f)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// Literal text, with XML entities decoded.
    Literal { span: Span, text: Atom },
    /// `{{name}}`; `span` includes the braces.
    NamedValue(NamedValueRef),
    /// Boxed: an expression is three times the size of a literal, and most segments are
    /// literals.
    Expression(Box<Expression>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedValueRef {
    pub name: String,
    pub span: Span,
    pub name_span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    pub kind: ExprKind,
    /// From `@` to the closing bracket.
    pub span: Span,
    /// Between the brackets.
    pub code_span: Span,
    /// The C# code as APIM compiles it: entity references decoded when the document is in
    /// the escaped `xml` format, otherwise exactly the source text.
    pub code: String,
    /// The code was entity-escaped in the source (the `xml` format); `code` is decoded, so its
    /// offsets do not map 1:1 to the source.
    pub escaped: bool,
    /// `{{name}}` references inside the code (substituted before the code is compiled).
    pub named_values: Vec<NamedValueRef>,
    /// The scan found no matching close: the expression is broken.
    pub unbalanced: bool,
}

impl Expression {
    /// Map an offset into `code` back to a source offset (exact for raw code; for escaped
    /// code, clamped into the code span).
    pub fn source_offset(&self, code_offset: usize) -> usize {
        if self.escaped {
            // Entities make the mapping non-linear; walk the source and count decoded bytes.
            // (Rare: only the escaped `xml` format, and only for diagnostics positions.)
            return (self.code_span.start + code_offset).min(self.code_span.end);
        }
        (self.code_span.start + code_offset).min(self.code_span.end)
    }
}

impl Value {
    /// The value as written, with entities decoded and expressions/named values as written.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Literal { text, .. } => out.push_str(text),
                Segment::NamedValue(nv) => {
                    out.push_str("{{");
                    out.push_str(&nv.name);
                    out.push_str("}}");
                }
                Segment::Expression(e) => {
                    out.push_str(match e.kind {
                        ExprKind::Single => "@(",
                        ExprKind::Block => "@{",
                    });
                    out.push_str(&e.code);
                    out.push(match e.kind {
                        ExprKind::Single => ')',
                        ExprKind::Block => '}',
                    });
                }
            }
        }
        out
    }

    /// The literal text when the value has no expressions and no named values.
    pub fn literal(&self) -> Option<String> {
        self.as_literal().map(Cow::into_owned)
    }

    /// [`Value::literal`] without a copy when the value is one literal segment (most are).
    pub fn as_literal(&self) -> Option<Cow<'_, str>> {
        match self.segments.as_slice() {
            [] => return Some(Cow::Borrowed("")),
            [Segment::Literal { text, .. }] => return Some(Cow::Borrowed(text)),
            _ => {}
        }
        let mut out = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Literal { text, .. } => out.push_str(text),
                _ => return None,
            }
        }
        Some(Cow::Owned(out))
    }

    /// The value's single expression when the whole value (ignoring surrounding whitespace) is
    /// one expression.
    pub fn whole_expression(&self) -> Option<&Expression> {
        let mut found = None;
        for seg in &self.segments {
            match seg {
                Segment::Literal { text, .. } if text.trim().is_empty() => {}
                Segment::Expression(e) if found.is_none() => found = Some(&**e),
                _ => return None,
            }
        }
        found
    }

    pub fn expressions(&self) -> impl Iterator<Item = &Expression> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Expression(e) => Some(&**e),
            _ => None,
        })
    }

    pub fn has_expression(&self) -> bool {
        self.expressions().next().is_some()
    }

    /// Every `{{name}}`, including those inside expressions.
    pub fn named_values(&self) -> impl Iterator<Item = &NamedValueRef> {
        self.segments
            .iter()
            .flat_map(|s| -> Box<dyn Iterator<Item = &NamedValueRef> + '_> {
                match s {
                    Segment::NamedValue(nv) => Box::new(std::iter::once(nv)),
                    Segment::Expression(e) => Box::new(e.named_values.iter()),
                    Segment::Literal { .. } => Box::new(std::iter::empty()),
                }
            })
    }

    pub fn is_blank(&self) -> bool {
        self.literal().is_some_and(|t| t.trim().is_empty())
    }
}

/// A parsed policy document: the tree and the problems found while reading it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub(crate) nodes: Vec<Node>,
    /// Every top-level node in order (comments, the root element, stray text or elements).
    pub top_level: Vec<NodeId>,
    /// The first top-level element.
    pub root: Option<NodeId>,
    /// Syntax problems (XML well-formedness and expression scanning). Never fatal.
    pub diagnostics: Vec<Diagnostic>,
    /// Length of the source in bytes.
    pub len: usize,
}

impl Document {
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.index())
    }

    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (NodeId(i as u32), n))
    }

    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match &self.node(id)?.kind {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    pub fn root_element(&self) -> Option<&Element> {
        self.element(self.root?)
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.node(id)?.parent
    }

    /// Element children of an element, in order.
    pub fn child_elements(&self, id: NodeId) -> impl Iterator<Item = (NodeId, &Element)> {
        self.element(id)
            .map(|e| e.children.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(|&c| self.element(c).map(|e| (c, e)))
    }

    /// Ancestors of a node, nearest first.
    pub fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::successors(self.parent(id), move |&p| self.parent(p))
    }

    /// All nodes in document order below and including `id` (iterative, any depth).
    pub fn descendants(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            out.push(n);
            if let Some(e) = self.element(n) {
                stack.extend(e.children.iter().rev());
            }
        }
        out
    }

    /// The innermost element whose span contains `offset` (for hover and completion).
    pub fn element_at(&self, offset: usize) -> Option<NodeId> {
        let mut best: Option<NodeId> = None;
        let mut level: Vec<NodeId> = self.top_level.clone();
        loop {
            let next = level.iter().copied().find(|&id| {
                self.node(id).is_some_and(|n| {
                    matches!(n.kind, NodeKind::Element(_))
                        && n.span.start <= offset
                        && (offset < n.span.end || (offset == n.span.end && n.span.is_empty()))
                })
            });
            match next {
                Some(id) => {
                    best = Some(id);
                    level = self
                        .element(id)
                        .map(|e| e.children.to_vec())
                        .unwrap_or_default();
                }
                None => return best,
            }
        }
    }

    /// Every `{{named value}}` reference in the document, in source order.
    pub fn named_value_refs(&self) -> Vec<&NamedValueRef> {
        let mut out: Vec<&NamedValueRef> = Vec::new();
        for node in &self.nodes {
            match &node.kind {
                NodeKind::Element(e) => {
                    for a in &e.attributes {
                        out.extend(a.value.named_values());
                    }
                }
                NodeKind::Text(v) | NodeKind::CData(v) => out.extend(v.named_values()),
                _ => {}
            }
        }
        crate::sort::sort_by_key(&mut out, |nv| nv.span.start);
        out
    }

    /// Every expression in the document, in source order.
    pub fn expressions(&self) -> Vec<&Expression> {
        let mut out: Vec<&Expression> = Vec::new();
        for node in &self.nodes {
            match &node.kind {
                NodeKind::Element(e) => {
                    for a in &e.attributes {
                        out.extend(a.value.expressions());
                    }
                }
                NodeKind::Text(v) => out.extend(v.expressions()),
                _ => {}
            }
        }
        crate::sort::sort_by_key(&mut out, |e| e.span.start);
        out
    }

    /// The text content of an element: its text and CDATA children joined (for elements such
    /// as `<value>` or `<set-url>` whose content is one value).
    pub fn text_values(&self, id: NodeId) -> Vec<&Value> {
        self.element(id)
            .map(|e| e.children.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(|&c| match &self.node(c)?.kind {
                NodeKind::Text(v) | NodeKind::CData(v) => Some(v),
                _ => None,
            })
            .collect()
    }
}

impl Expression {
    /// The code as the C# compiler sees it for checking, with the same length as `code` so
    /// that positions carry over: `{{named values}}` (substituted by APIM before compiling)
    /// become a string literal of the same length (or filler inside a string), and XML
    /// comments (markup in a Razor code block) become spaces.
    pub fn checkable_code(&self) -> String {
        checkable_code(&self.code)
    }
}

/// See [`Expression::checkable_code`].
pub fn checkable_code(code: &str) -> String {
    /// Where the scan is: code (possibly an interpolation hole, with its brace depth), or a
    /// string / char literal, or a comment.
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        Code { hole: bool, depth: usize },
        Str { verbatim: bool, interp: bool },
        Char,
        Line,
        Block,
    }
    // Only `{{name}}` references and `<!--` comments are rewritten: without either the code
    // is checked as written (most expressions, and the walk below is a tenth of linting).
    if !code.contains("{{") && !code.contains("<!--") {
        return code.to_string();
    }
    let b = code.as_bytes();
    let mut out: Vec<u8> = b.to_vec();
    let mut stack: Vec<St> = vec![St::Code {
        hole: false,
        depth: 0,
    }];
    let mut i = 0;
    let fill = |out: &mut Vec<u8>, from: usize, to: usize, f: &dyn Fn(usize) -> u8| {
        for k in from..to {
            if let Some(slot) = out.get_mut(k) {
                *slot = f(k - from);
            }
        }
    };
    while i < b.len() {
        let at = |k: usize| b.get(i + k).copied();
        let Some(&top) = stack.last() else {
            break;
        };
        match top {
            St::Code { hole, depth } => {
                if b.get(i..i + 4) == Some(b"<!--") {
                    let end = code
                        .get(i + 4..)
                        .and_then(|s| s.find("-->"))
                        .map_or(b.len(), |e| i + 4 + e + 3);
                    for k in i..end {
                        if let Some(slot) = out.get_mut(k)
                            && *slot != b'\n'
                        {
                            *slot = b' ';
                        }
                    }
                    i = end;
                    continue;
                }
                if let Some(len) = named_value_len(code, i) {
                    fill(&mut out, i, i + len, &|n| {
                        if n == 0 || n + 1 == len { b'"' } else { b'x' }
                    });
                    i += len;
                    continue;
                }
                let (push, skip) = match (at(0), at(1), at(2)) {
                    (Some(b'"'), _, _) => (
                        Some(St::Str {
                            verbatim: false,
                            interp: false,
                        }),
                        1,
                    ),
                    (Some(b'@'), Some(b'"'), _) => (
                        Some(St::Str {
                            verbatim: true,
                            interp: false,
                        }),
                        2,
                    ),
                    (Some(b'$'), Some(b'"'), _) => (
                        Some(St::Str {
                            verbatim: false,
                            interp: true,
                        }),
                        2,
                    ),
                    (Some(b'$' | b'@'), Some(b'@' | b'$'), Some(b'"')) => (
                        Some(St::Str {
                            verbatim: true,
                            interp: true,
                        }),
                        3,
                    ),
                    (Some(b'\''), _, _) => (Some(St::Char), 1),
                    (Some(b'/'), Some(b'/'), _) => (Some(St::Line), 2),
                    (Some(b'/'), Some(b'*'), _) => (Some(St::Block), 2),
                    (Some(b'{'), _, _) => {
                        if let Some(St::Code { depth: d, .. }) = stack.last_mut() {
                            *d += 1;
                        }
                        (None, 1)
                    }
                    (Some(b'}'), _, _) if hole && depth == 0 => {
                        stack.pop();
                        (None, 1)
                    }
                    (Some(b'}'), _, _) => {
                        if let Some(St::Code { depth: d, .. }) = stack.last_mut() {
                            *d = d.saturating_sub(1);
                        }
                        (None, 1)
                    }
                    _ => (None, 1),
                };
                if let Some(st) = push {
                    stack.push(st);
                }
                i += skip;
            }
            St::Str { verbatim, interp } => {
                if let Some(len) = named_value_len(code, i) {
                    fill(&mut out, i, i + len, &|_| b'x');
                    i += len;
                    continue;
                }
                match (at(0), at(1)) {
                    (Some(b'\\'), _) if !verbatim => i += 2,
                    (Some(b'"'), Some(b'"')) if verbatim => i += 2,
                    (Some(b'{'), Some(b'{')) if interp => i += 2,
                    (Some(b'{'), _) if interp => {
                        stack.push(St::Code {
                            hole: true,
                            depth: 0,
                        });
                        i += 1;
                    }
                    (Some(b'"'), _) => {
                        stack.pop();
                        i += 1;
                    }
                    (Some(b'\n'), _) if !verbatim => {
                        stack.pop();
                        i += 1;
                    }
                    _ => i += 1,
                }
            }
            St::Char => {
                match at(0) {
                    Some(b'\\') => i += 1,
                    Some(b'\'' | b'\n') => {
                        stack.pop();
                    }
                    _ => {}
                }
                i += 1;
            }
            St::Line => {
                if at(0) == Some(b'\n') {
                    stack.pop();
                }
                i += 1;
            }
            St::Block => {
                if at(0) == Some(b'*') && at(1) == Some(b'/') {
                    stack.pop();
                    i += 1;
                }
                i += 1;
            }
        }
        if stack.is_empty() {
            stack.push(St::Code {
                hole: false,
                depth: 0,
            });
        }
    }
    // Only ASCII bytes replaced whole ASCII sequences, so this stays valid UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| code.to_string())
}

/// Length of a `{{name}}` reference starting at `i`, if there is one.
fn named_value_len(code: &str, i: usize) -> Option<usize> {
    let rest = code.get(i..)?;
    if !rest.starts_with("{{") || rest.starts_with("{{{") {
        return None;
    }
    let close = rest.get(2..)?.find("}}")?;
    let name = rest.get(2..2 + close)?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    valid.then_some(close + 4)
}
