//! The policy formatter: canonical indentation that never changes what a document means.
//!
//! [`format`] re-indents the element structure of a policy document (4 spaces per level, one
//! element per line, attributes on the start tag's line separated by one space, `<x />` for
//! elements with no content) and copies everything else byte for byte:
//!
//! - attribute values, with their quotes, including raw multi-line `@{ … }` blocks;
//! - the content of any element that holds text or CDATA, or whose content model is text or
//!   free XML (`<value>`, `<set-url>`, `<set-body>` with a Liquid template or an XML body, the
//!   XSLT stylesheet): whitespace there is part of the value, so it is never touched;
//! - comments, processing instructions and `{{named value}}` references.
//!
//! Only whitespace between elements of element-only content changes (plus `<x></x>` becoming
//! `<x />` there), so the document parses to the same tree once whitespace-only text is ignored.
//! [`format`] checks exactly that on its own output before returning it, and refuses documents
//! with syntax errors (where the tree is a guess), so it can never lose or reorder content.
//!
//! Why 4 spaces: it is what the Azure portal's policy editor and the Microsoft Learn examples
//! use, and what most of the real-world corpus uses (74 of the 111 space-indented files in
//! `tests/corpus/`, against 33 with 2). The management API has no single convention to follow:
//! its examples use 2 spaces and tabs.
//!
//! Line endings follow the document (`\r\n` if its first line ends so); a byte-order mark is
//! kept; the output ends with one line break.

use crate::catalog::Content;
use crate::diagnostic::{Severity, Span};
use crate::lint::{Ctx, Kind, LintOptions};
use crate::syntax::{self, Document, Element, NodeId, NodeKind};

/// One level of indentation.
pub const INDENT: &str = "    ";

/// Why a document was left as it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FormatError {
    pub message: String,
    /// Where the problem is (the first syntax error), when there is one place to point at.
    pub span: Option<Span>,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormatError {}

/// Format a policy document. Returns the formatted text, or why it cannot be formatted safely
/// (syntax errors); never panics.
pub fn format(source: &str) -> Result<String, FormatError> {
    if source.trim_start_matches('\u{feff}').trim().is_empty() {
        // Nothing to format (and "no root element" is not this command's business).
        return Ok(source.to_string());
    }
    let doc = syntax::parse(source);
    if let Some(d) = doc
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return Err(FormatError {
            message: format!(
                "not formatted: the document has syntax errors ({}: {})",
                d.code, d.message
            ),
            span: Some(d.span),
        });
    }
    let options = LintOptions::default();
    let cx = Ctx::new(&doc, source, &options);
    let mut f = Formatter {
        source,
        doc: &doc,
        cx: &cx,
        eol: line_ending(source),
        out: String::with_capacity(source.len() + source.len() / 8),
        failed: None,
    };
    if source.starts_with('\u{feff}') {
        f.out.push('\u{feff}');
    }
    f.siblings(&doc.top_level, 0);
    if let Some(message) = f.failed {
        return Err(FormatError {
            message,
            span: None,
        });
    }
    let out = f.out;
    // The safety net: whatever a bug above might do, never hand back a different document.
    let again = syntax::parse(&out);
    let clean = !again
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    if !clean || !same_tree(&doc, source, &again, &out) {
        return Err(FormatError {
            message: "not formatted: the formatter would have changed the document's content \
                      (this is a bug; please report it with the document)"
                .into(),
            span: None,
        });
    }
    Ok(out)
}

/// `"\r\n"` when the document's first line break is one, else `"\n"`.
fn line_ending(source: &str) -> &'static str {
    match source.find('\n') {
        Some(i) if i > 0 && source.as_bytes().get(i - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

struct Formatter<'a> {
    source: &'a str,
    doc: &'a Document,
    cx: &'a Ctx<'a>,
    eol: &'static str,
    out: String,
    /// Set when the tree is not what the formatter can rebuild faithfully.
    failed: Option<String>,
}

impl Formatter<'_> {
    fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str(INDENT);
        }
    }

    /// Nodes of element-only content (or the top level), one per line at `depth`. A comment
    /// that followed its previous sibling on the same line stays there; one blank line is kept
    /// where the source had at least one.
    fn siblings(&mut self, ids: &[NodeId], depth: usize) {
        let mut prev_end: Option<usize> = None;
        for &id in ids {
            let Some(node) = self.doc.node(id) else {
                continue;
            };
            let gap = prev_end.map(|end| self.text(Span::new(end, node.span.start)));
            let trailing_comment =
                matches!(node.kind, NodeKind::Comment) && gap.is_some_and(|g| !g.contains('\n'));
            if trailing_comment {
                // Replace the line break just written with a space.
                let trimmed = self.out.trim_end_matches(['\r', '\n']).len();
                self.out.truncate(trimmed);
                self.out.push(' ');
            } else {
                if gap.is_some_and(|g| g.matches('\n').count() >= 2) {
                    self.out.push_str(self.eol);
                }
                self.indent(depth);
            }
            self.node(id, depth);
            self.out.push_str(self.eol);
            prev_end = Some(node.span.end);
        }
    }

    fn node(&mut self, id: NodeId, depth: usize) {
        let Some(node) = self.doc.node(id) else {
            return;
        };
        match &node.kind {
            NodeKind::Element(e) => self.element(id, e, depth),
            // Text can only get here at the top level, which the parser reports as an error;
            // copy it anyway rather than drop it.
            NodeKind::Text(_)
            | NodeKind::CData(_)
            | NodeKind::Comment
            | NodeKind::ProcessingInstruction
            | NodeKind::DocType => {
                let raw = self.text(node.span).to_string();
                self.out.push_str(&raw);
            }
        }
    }

    fn element(&mut self, id: NodeId, e: &Element, depth: usize) {
        self.start_tag(e);
        let verbatim = self.keeps_content(id, e);
        if e.self_closing || (e.children.is_empty() && !verbatim) {
            self.out.push_str(" />");
            return;
        }
        self.out.push('>');
        if verbatim {
            let content = self.text(e.content_span()).to_string();
            self.out.push_str(&content);
        } else {
            self.out.push_str(self.eol);
            self.siblings(&e.children, depth + 1);
            self.indent(depth);
        }
        self.out.push_str("</");
        self.out.push_str(&e.name);
        self.out.push('>');
    }

    fn start_tag(&mut self, e: &Element) {
        self.out.push('<');
        self.out.push_str(&e.name);
        for a in &e.attributes {
            // The value with its own quotes, exactly as written.
            let quoted = Span::new(a.value.span.start.saturating_sub(1), a.value.span.end + 1);
            let raw = self.text(quoted);
            let quote = raw.as_bytes().first().copied();
            let well_quoted = raw.len() >= 2
                && matches!(quote, Some(b'"' | b'\''))
                && raw.as_bytes().last().copied() == quote;
            if !well_quoted {
                self.failed = Some(format!(
                    "not formatted: the value of `{}` is not quoted as expected",
                    a.name
                ));
                return;
            }
            let raw = raw.to_string();
            self.out.push(' ');
            self.out.push_str(&a.name);
            self.out.push('=');
            self.out.push_str(&raw);
        }
    }

    /// Whether the element's content is copied as written: it holds text or CDATA, or its
    /// content model makes whitespace part of the value (text, free XML such as a `set-body`
    /// template). Elements the catalog does not know are re-indented when their content is
    /// element-only, as any XML formatter would.
    fn keeps_content(&self, id: NodeId, e: &Element) -> bool {
        let has_text = e.children.iter().any(|&c| {
            matches!(
                self.doc.node(c).map(|n| &n.kind),
                Some(NodeKind::Text(_) | NodeKind::CData(_))
            )
        });
        if has_text {
            return true;
        }
        let content = match self.cx.kind(id) {
            Some(Kind::Root(def) | Kind::Child(def) | Kind::Foreign(def)) => Some(def.content),
            Some(Kind::Policy(def)) => Some(def.element.content),
            Some(Kind::Section(_)) => Some(Content::Policies),
            // Inside free XML or opaque content: the container is verbatim already, so this is
            // not reached; keep the content to be safe.
            Some(Kind::Free | Kind::Payload) => return true,
            _ => None,
        };
        // Opaque content (a body's payload, an XSLT stylesheet, a crossdomain.xml document) is
        // another format's markup, whose whitespace may matter (`xsl:text`): copied as written.
        matches!(content, Some(Content::Text { .. })) || content.is_some_and(Content::is_opaque)
    }
}

/// The two documents have the same nodes in the same order, ignoring whitespace-only text and
/// `<x></x>` versus `<x />`: names, attributes (names and raw values), text, CDATA, comments and
/// processing instructions byte for byte.
fn same_tree(a: &Document, a_src: &str, b: &Document, b_src: &str) -> bool {
    fn raw(src: &str, span: Span) -> &str {
        src.get(span.start..span.end).unwrap_or("")
    }
    if a.top_level.len() != b.top_level.len() {
        return false;
    }
    let mut stack: Vec<(NodeId, NodeId)> = a
        .top_level
        .iter()
        .copied()
        .zip(b.top_level.iter().copied())
        .collect();
    while let Some((x, y)) = stack.pop() {
        let (Some(nx), Some(ny)) = (a.node(x), b.node(y)) else {
            return false;
        };
        match (&nx.kind, &ny.kind) {
            (NodeKind::Element(ex), NodeKind::Element(ey)) => {
                let attrs_equal = ex.attributes.len() == ey.attributes.len()
                    && ex.attributes.iter().zip(&ey.attributes).all(|(p, q)| {
                        p.name == q.name && raw(a_src, p.value.span) == raw(b_src, q.value.span)
                    });
                if ex.name != ey.name || !attrs_equal || ex.children.len() != ey.children.len() {
                    return false;
                }
                stack.extend(ex.children.iter().copied().zip(ey.children.iter().copied()));
            }
            (NodeKind::Text(_), NodeKind::Text(_))
            | (NodeKind::CData(_), NodeKind::CData(_))
            | (NodeKind::Comment, NodeKind::Comment)
            | (NodeKind::ProcessingInstruction, NodeKind::ProcessingInstruction)
            | (NodeKind::DocType, NodeKind::DocType) => {
                if raw(a_src, nx.span) != raw(b_src, ny.span) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let out = format(input).unwrap_or_else(|e| panic!("format failed: {e}"));
        assert_eq!(
            out, expected,
            "\n--- got ---\n{out}\n--- expected ---\n{expected}"
        );
        assert_eq!(format(&out).as_deref(), Ok(expected), "not idempotent");
    }

    #[test]
    fn reindents_element_structure_with_four_spaces() {
        check(
            "<policies><inbound><base/><set-header name=\"a\"   exists-action = \"override\"><value>x</value></set-header></inbound><backend><forward-request/></backend><outbound></outbound></policies>",
            "<policies>\n    <inbound>\n        <base />\n        <set-header name=\"a\" exists-action=\"override\">\n            <value>x</value>\n        </set-header>\n    </inbound>\n    <backend>\n        <forward-request />\n    </backend>\n    <outbound />\n</policies>\n",
        );
    }

    #[test]
    fn raw_expressions_are_copied_byte_for_byte() {
        let input = "<policies>\n  <inbound>\n    <choose>\n      <when condition=\"@(context.Request.Headers.GetValueOrDefault(\"X\",\"\") != \"<a>\" && 1 < 2)\">\n        <set-body>@{\n   var x = context.Request.Body.As<JObject>(preserveContent: true);\n        return x.ToString();\n}</set-body>\n      </when>\n    </choose>\n  </inbound>\n</policies>";
        let expected = "<policies>\n    <inbound>\n        <choose>\n            <when condition=\"@(context.Request.Headers.GetValueOrDefault(\"X\",\"\") != \"<a>\" && 1 < 2)\">\n                <set-body>@{\n   var x = context.Request.Body.As<JObject>(preserveContent: true);\n        return x.ToString();\n}</set-body>\n            </when>\n        </choose>\n    </inbound>\n</policies>\n";
        check(input, expected);
    }

    #[test]
    fn multi_line_attribute_blocks_stay_as_written() {
        let input = "<policies>\n<inbound>\n<set-variable name=\"v\" value=\"@{\n    var a = 1;\n    return a > 0;\n  }\" />\n</inbound>\n</policies>\n";
        let expected = "<policies>\n    <inbound>\n        <set-variable name=\"v\" value=\"@{\n    var a = 1;\n    return a > 0;\n  }\" />\n    </inbound>\n</policies>\n";
        check(input, expected);
    }

    #[test]
    fn text_cdata_and_mixed_content_are_verbatim() {
        let input = "<policies><inbound><set-body template=\"liquid\">\n{\n  \"a\": \"{{body.a}}\" {% if x %}<b>y</b>{% endif %}\n}\n   </set-body><set-body><root>\n  <a>1</a>\n</root></set-body><set-body><![CDATA[ <raw> ]]></set-body><set-header name=\"x\"><value>  spaced  </value></set-header></inbound></policies>";
        let expected = "<policies>\n    <inbound>\n        <set-body template=\"liquid\">\n{\n  \"a\": \"{{body.a}}\" {% if x %}<b>y</b>{% endif %}\n}\n   </set-body>\n        <set-body><root>\n  <a>1</a>\n</root></set-body>\n        <set-body><![CDATA[ <raw> ]]></set-body>\n        <set-header name=\"x\">\n            <value>  spaced  </value>\n        </set-header>\n    </inbound>\n</policies>\n";
        check(input, expected);
    }

    #[test]
    fn comments_keep_their_text_and_trailing_position() {
        let input = "<!-- header\n   comment -->\n<policies>\n<inbound>\n<base/>   <!-- inherit -->\n\n\n\n<!-- own line -->\n<rate-limit calls=\"1\" renewal-period=\"60\"/>\n</inbound>\n</policies>";
        let expected = "<!-- header\n   comment -->\n<policies>\n    <inbound>\n        <base /> <!-- inherit -->\n\n        <!-- own line -->\n        <rate-limit calls=\"1\" renewal-period=\"60\" />\n    </inbound>\n</policies>\n";
        check(input, expected);
    }

    #[test]
    fn crlf_and_bom_are_kept() {
        let input = "\u{feff}<?xml version=\"1.0\"?>\r\n<policies>\r\n  <inbound>\r\n  <base />\r\n  </inbound>\r\n</policies>";
        let expected = "\u{feff}<?xml version=\"1.0\"?>\r\n<policies>\r\n    <inbound>\r\n        <base />\r\n    </inbound>\r\n</policies>\r\n";
        check(input, expected);
    }

    #[test]
    fn named_values_and_single_quotes_are_kept() {
        check(
            "<fragment><set-header name='x-key' exists-action=\"override\"><value>{{api-key}}</value></set-header><include-fragment fragment-id=\"f{{env}}\"/></fragment>",
            "<fragment>\n    <set-header name='x-key' exists-action=\"override\">\n        <value>{{api-key}}</value>\n    </set-header>\n    <include-fragment fragment-id=\"f{{env}}\" />\n</fragment>\n",
        );
    }

    #[test]
    fn unknown_elements_are_reindented_but_their_text_is_not() {
        check(
            "<policies><inbound><my-policy a=\"1\"><x/><y>t </y></my-policy></inbound></policies>",
            "<policies>\n    <inbound>\n        <my-policy a=\"1\">\n            <x />\n            <y>t </y>\n        </my-policy>\n    </inbound>\n</policies>\n",
        );
    }

    #[test]
    fn stray_text_in_a_section_keeps_the_section_verbatim() {
        check(
            "<policies><inbound> oops <base/></inbound></policies>",
            "<policies>\n    <inbound> oops <base/></inbound>\n</policies>\n",
        );
    }

    #[test]
    fn syntax_errors_leave_the_document_alone() {
        for bad in [
            "<policies><inbound></policies>",
            "<policies><inbound><set-variable name=\"a\" value=\"@(1 + (2)\" /></inbound></policies>",
            "<policies a=\"1\" a=\"2\"/>",
            "<policies><!-- a -- b --></policies>",
            "<policies x=y />",
        ] {
            let err = format(bad).expect_err(bad);
            assert!(err.message.starts_with("not formatted"), "{err}");
            assert!(err.span.is_some());
        }
    }

    #[test]
    fn empty_input_is_returned_as_is() {
        assert_eq!(format("").as_deref(), Ok(""));
        assert_eq!(format("  \n").as_deref(), Ok("  \n"));
    }
}
