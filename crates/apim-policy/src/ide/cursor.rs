//! Where the cursor is, lexically: in text, a tag name, an attribute name or value, an
//! expression, or somewhere nothing can be offered (a comment, CDATA).
//!
//! Completion must work on half-typed documents (`<set-h`, an unclosed quote, a tag without
//! its `>`), where the parse tree is a guess. So this module walks the document from the start
//! with a small XML lexer of its own, over the parser's masked copy of the source (policy
//! expressions replaced by `x`, same length), and keeps the stack of open elements as it goes:
//! that stack is exactly "where am I" even when the tree is broken further on. The walk is
//! linear and allocation-light; it stops as soon as it knows everything completion needs.

use crate::diagnostic::Span;
use crate::syntax::mask::{self, Found};

/// The lexical place of the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    /// In text content or between tags.
    Content,
    /// In the name of a start tag (`<set-h|`, `<|`) or an end tag (`</inb|`). `name` is the
    /// whole name token around the cursor; `complete` says the tag already has its `>`.
    TagName {
        name: Span,
        closing: bool,
        complete: bool,
    },
    /// At an attribute name inside a start tag (possibly empty: after a space). `has_value`:
    /// an `=` already follows the name.
    AttrName {
        element: String,
        name: Span,
        has_value: bool,
    },
    /// Inside an attribute value; `value` spans the text between the quotes (up to the
    /// cursor's end of the value when the closing quote is missing).
    AttrValue {
        element: String,
        attr: String,
        value: Span,
    },
    /// In a comment, CDATA, a processing instruction, or a part of a tag where nothing fits.
    Nothing,
}

#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    pub place: Place,
    /// Open elements around the cursor, outermost first (for a tag being typed: its parents).
    pub stack: Vec<String>,
    /// The element children of the innermost open element (the whole element, before and after
    /// the cursor, without the tag being typed), or the top-level elements.
    pub siblings: Vec<String>,
    /// For attribute places: the tag's other attributes.
    pub attributes: Vec<String>,
    /// The policy expression whose code contains the cursor.
    pub expression: Option<Found>,
}

/// Locate `offset` (a char boundary within `source`) in the document.
pub(crate) fn locate(source: &str, offset: usize) -> Cursor {
    let masked = mask::mask(source);
    let expression = expression_at(&masked.expressions, offset);
    let mut lx = Lexer {
        src: source,
        m: masked.text.as_bytes(),
        offset,
        stack: Vec::new(),
        top: Vec::new(),
        place: None,
        watch: None,
        siblings: None,
        attributes: Vec::new(),
        done: false,
        stack_at_cursor: None,
    };
    lx.run();
    let siblings = match (lx.siblings.take(), lx.watch) {
        (Some(s), _) => s,
        (None, Some(0)) => lx.top.clone(),
        (None, Some(d)) => lx
            .stack
            .get(d - 1)
            .map(|f| f.children.clone())
            .unwrap_or_default(),
        (None, None) => Vec::new(),
    };
    let stack = lx.stack_at_cursor.take().unwrap_or_default();
    Cursor {
        place: lx.place.unwrap_or(Place::Content),
        stack,
        siblings,
        attributes: lx.attributes,
        expression,
    }
}

/// The expression whose code (between `@(`/`@{` and the closing bracket, or to where a
/// broken expression was assumed to end) contains `offset`.
fn expression_at(found: &[Found], offset: usize) -> Option<Found> {
    let i = found.partition_point(|f| f.span.start < offset);
    let f = found.get(i.checked_sub(1)?)?;
    let code_start = f.span.start + 2;
    let inside = if f.error.is_some() {
        offset >= code_start && offset <= f.span.end
    } else {
        offset >= code_start && offset < f.span.end
    };
    inside.then(|| f.clone())
}

struct Frame {
    name: String,
    children: Vec<String>,
}

struct Lexer<'a> {
    src: &'a str,
    m: &'a [u8],
    offset: usize,
    stack: Vec<Frame>,
    top: Vec<String>,
    place: Option<Place>,
    /// Stack depth of the container whose children are collected (0 = the document).
    watch: Option<usize>,
    siblings: Option<Vec<String>>,
    attributes: Vec<String>,
    done: bool,
    /// The open elements when the cursor's place was found.
    stack_at_cursor: Option<Vec<String>>,
}

impl Lexer<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.m.get(i).copied()
    }

    fn name(&self, span: Span) -> String {
        self.src.get(span.start..span.end).unwrap_or("").to_string()
    }

    /// Set the cursor's place (once) and remember the container at this point.
    fn found(&mut self, place: Place) {
        if self.place.is_none() {
            self.place = Some(place);
            self.watch = Some(self.stack.len());
            self.stack_at_cursor = Some(self.stack.iter().map(|f| f.name.clone()).collect());
        }
    }

    fn run(&mut self) {
        let mut i = if self.m.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        while i < self.m.len() && !self.done {
            if self.place.is_none() && self.offset <= i {
                self.found(Place::Content);
            }
            if self.at(i) == Some(b'<') {
                i = self.markup(i);
            } else {
                i = self.find(i, b"<").unwrap_or(self.m.len());
            }
        }
        if self.place.is_none() {
            self.found(Place::Content);
        }
    }

    fn find(&self, from: usize, needle: &[u8]) -> Option<usize> {
        self.m
            .get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| from + p)
    }

    /// Skip a construct that ends with `close`; the cursor inside it gets nothing.
    fn opaque(&mut self, i: usize, open_len: usize, close: &[u8]) -> usize {
        let (end, terminated) = match self.find(i + open_len, close) {
            Some(e) => (e + close.len(), true),
            None => (self.m.len(), false),
        };
        if self.place.is_none() && i < self.offset && (self.offset < end || !terminated) {
            self.found(Place::Nothing);
        }
        end
    }

    fn markup(&mut self, i: usize) -> usize {
        let rest = self.m.get(i..).unwrap_or(&[]);
        if rest.starts_with(b"<!--") {
            return self.opaque(i, 4, b"-->");
        }
        if rest.starts_with(b"<![CDATA[") {
            return self.opaque(i, 9, b"]]>");
        }
        if rest.starts_with(b"<?") {
            return self.opaque(i, 2, b"?>");
        }
        if rest.starts_with(b"<!") {
            return self.opaque(i, 2, b">");
        }
        if rest.starts_with(b"</") {
            return self.end_tag(i);
        }
        self.start_tag(i)
    }

    fn name_end(&self, from: usize) -> usize {
        let mut j = from;
        while self.at(j).is_some_and(is_name_byte) {
            j += 1;
        }
        j
    }

    fn skip_ws(&self, from: usize) -> usize {
        let mut j = from;
        while self.at(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        j
    }

    /// The end of a tag: after `>` if it comes before the next `<`, else at that `<`.
    fn tag_end(&self, from: usize) -> (usize, bool) {
        let mut j = from;
        loop {
            match self.at(j) {
                Some(b'>') => return (j + 1, true),
                Some(b'<') | None => return (j, false),
                Some(_) => j += 1,
            }
        }
    }

    fn end_tag(&mut self, i: usize) -> usize {
        let name = Span::new(i + 2, self.name_end(i + 2));
        let (end, complete) = self.tag_end(name.end);
        if self.place.is_none() {
            if self.offset >= name.start && self.offset <= name.end {
                self.found(Place::TagName {
                    name,
                    closing: true,
                    complete,
                });
            } else if self.offset > i && self.offset < end {
                self.found(Place::Nothing);
            }
        }
        let name = self.name(name);
        // As the parser does: close the matching open element (and everything opened after
        // it); an end tag that matches nothing closes the innermost element.
        let keep = match self.stack.iter().rposition(|f| f.name == name) {
            Some(k) => k,
            None => self.stack.len().saturating_sub(1),
        };
        self.pop_to(keep);
        end
    }

    fn pop_to(&mut self, len: usize) {
        while self.stack.len() > len {
            let depth = self.stack.len();
            let frame = self.stack.pop();
            if self.watch == Some(depth)
                && let Some(frame) = frame
            {
                // The container of the cursor is closed: its children are known.
                self.siblings = Some(frame.children);
                self.done = true;
            }
        }
    }

    fn start_tag(&mut self, i: usize) -> usize {
        let name = Span::new(i + 1, self.name_end(i + 1));
        let before = self.place.is_none();
        if before && self.offset >= name.start && self.offset <= name.end {
            let (_, complete) = self.tag_end(name.end);
            self.found(Place::TagName {
                name,
                closing: false,
                complete,
            });
        }
        let at_cursor_name = before && self.place.is_some();
        let element = self.name(name);
        let mut attrs: Vec<(String, Span)> = Vec::new();
        let mut cursor_attr: Option<Span> = None;
        let mut j = name.end;
        let (end, open) = loop {
            let gap_start = j;
            j = self.skip_ws(j);
            if self.place.is_none() && j > gap_start && self.offset > gap_start {
                let at_name = self.at(j).is_some_and(is_name_byte);
                if self.offset < j || (self.offset == j && !at_name) {
                    self.found(Place::AttrName {
                        element: element.clone(),
                        name: Span::empty(self.offset),
                        has_value: false,
                    });
                    cursor_attr = Some(Span::empty(self.offset));
                }
            }
            match self.at(j) {
                None => break (self.m.len(), false),
                Some(b'>') => break (j + 1, true),
                Some(b'/') if self.at(j + 1) == Some(b'>') => break (j + 2, false),
                Some(b'<') => break (j, false),
                Some(b) if is_name_byte(b) => {
                    let a = Span::new(j, self.name_end(j));
                    let mut k = self.skip_ws(a.end);
                    let has_value = self.at(k) == Some(b'=');
                    if self.place.is_none() && self.offset >= a.start && self.offset <= a.end {
                        self.found(Place::AttrName {
                            element: element.clone(),
                            name: a,
                            has_value,
                        });
                        cursor_attr = Some(a);
                    }
                    let attr = self.name(a);
                    attrs.push((attr.clone(), a));
                    j = a.end;
                    if has_value {
                        k = self.skip_ws(k + 1);
                        match self.at(k) {
                            Some(q @ (b'"' | b'\'')) => {
                                let vs = k + 1;
                                let mut ve = vs;
                                while self.at(ve).is_some_and(|b| b != q && b != b'<') {
                                    ve += 1;
                                }
                                if self.place.is_none() && self.offset >= vs && self.offset <= ve {
                                    self.found(Place::AttrValue {
                                        element: element.clone(),
                                        attr,
                                        value: Span::new(vs, ve),
                                    });
                                    cursor_attr = Some(a);
                                }
                                j = if self.at(ve) == Some(q) { ve + 1 } else { ve };
                            }
                            _ => j = k,
                        }
                    }
                }
                Some(_) => j += 1,
            }
        };
        let complete = end > 0 && self.at(end - 1) == Some(b'>');
        if self.place.is_none() && self.offset > i && (self.offset < end || !complete) {
            self.found(Place::Nothing);
        }
        if let Some(at) = cursor_attr {
            self.attributes = attrs
                .into_iter()
                .filter(|(_, span)| *span != at)
                .map(|(n, _)| n)
                .collect();
            // Everything an attribute place needs is known now.
            self.done = true;
            return end;
        }
        if !at_cursor_name {
            match self.stack.last_mut() {
                Some(parent) => parent.children.push(element.clone()),
                None => self.top.push(element.clone()),
            }
        }
        if open {
            self.stack.push(Frame {
                name: element,
                children: Vec::new(),
            });
        }
        end
    }
}

/// Bytes of an XML name as policies use them (any non-ASCII byte counts, so `é` works).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':') || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `|` marks the cursor.
    fn at(marked: &str) -> Cursor {
        let offset = marked.find('|').unwrap();
        let src = marked.replacen('|', "", 1);
        locate(&src, offset)
    }

    #[test]
    fn content_between_tags_has_the_open_elements_and_their_children() {
        let c = at(
            "<policies><inbound><base/>|<set-header name=\"a\"/></inbound><backend/></policies>",
        );
        assert_eq!(c.place, Place::Content);
        assert_eq!(c.stack, ["policies", "inbound"]);
        assert_eq!(c.siblings, ["base", "set-header"]);
    }

    #[test]
    fn a_tag_being_typed_is_a_tag_name_and_not_a_sibling() {
        let c = at("<policies>\n  <inbound>\n    <set-h|\n  </inbound>\n</policies>");
        assert!(
            matches!(
                c.place,
                Place::TagName {
                    closing: false,
                    complete: false,
                    ..
                }
            ),
            "{:?}",
            c.place
        );
        assert_eq!(c.stack, ["policies", "inbound"]);
        assert!(c.siblings.is_empty());
        let c = at("<policies><|");
        assert!(matches!(c.place, Place::TagName { name, .. } if name.is_empty()));
        assert_eq!(c.stack, ["policies"]);
    }

    #[test]
    fn attribute_names_and_values() {
        let c = at("<policies><inbound><set-header name=\"x\" |/></inbound></policies>");
        assert!(matches!(&c.place, Place::AttrName { element, .. } if element == "set-header"));
        assert_eq!(c.attributes, ["name"]);
        let c = at(
            "<policies><inbound><set-header name=\"x\" exists-action=\"ov|\"/></inbound></policies>",
        );
        assert!(matches!(&c.place, Place::AttrValue { attr, .. } if attr == "exists-action"));
        assert_eq!(c.stack, ["policies", "inbound"]);
    }

    #[test]
    fn comments_and_cdata_offer_nothing() {
        assert_eq!(
            at("<policies><!-- <a| --></policies>").place,
            Place::Nothing
        );
        assert_eq!(
            at("<policies><![CDATA[ <| ]]></policies>").place,
            Place::Nothing
        );
        assert_eq!(at("<policies><!-- unterminated |").place, Place::Nothing);
    }

    #[test]
    fn expressions_are_found_even_when_broken() {
        let c = at(
            "<policies><inbound><set-variable name=\"a\" value=\"@(context.|)\" /></inbound></policies>",
        );
        assert!(c.expression.is_some());
        let c = at(
            "<policies><inbound><set-variable name=\"a\" value=\"@(context.Req|\" /></inbound></policies>",
        );
        assert!(c.expression.is_some());
        let c =
            at("<policies><inbound><set-body>@{ return context.|</set-body></inbound></policies>");
        assert!(c.expression.is_some());
        let c = at("<policies><inbound><set-body>@(x)|</set-body></inbound></policies>");
        assert!(c.expression.is_none());
    }
}
