//! Pass 2 of parsing: tokenize the masked text and build the tree. A fast tokenizer reads the
//! common markup straight from the bytes; quick-xml reads the rest (declarations, DOCTYPEs,
//! broken tags) and gives the syntax errors.
//!
//! Parsing never fails: every problem becomes a diagnostic and the reader carries on, so a
//! half-typed document still has a tree and several errors are reported at once. Nothing is
//! ever expanded (DOCTYPEs and entity declarations are reported, not processed), recursion is
//! bounded by [`MAX_DEPTH`], and the work is linear in the input.

use super::mask::{self, Context, Found};
use super::tree::*;
use crate::diagnostic::{Diagnostic, Edit, Fix, Span};
use crate::lint::codes;
use quick_xml::Reader;
use quick_xml::errors::SyntaxError;
use quick_xml::events::Event;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Elements nested deeper than this are reported and left out of the tree, so that every
/// consumer can recurse safely. Real policies nest a dozen levels at most.
pub const MAX_DEPTH: usize = 128;

/// Parse a policy document. Never panics, whatever the input.
pub fn parse(source: &str) -> Document {
    parse_with(source, true)
}

/// [`parse`] with every event read by quick-xml, none by the fast tokenizer: the reference the
/// tests compare [`parse`] with (the corpus test and the `parse` fuzz target). Not for use.
#[doc(hidden)]
pub fn parse_reference(source: &str) -> Document {
    parse_with(source, false)
}

fn parse_with(source: &str, fast: bool) -> Document {
    let masked = mask::mask(source);
    let mut p = Parser {
        fast,
        source,
        masked: &masked.text,
        found: &masked.expressions,
        doc: Document {
            len: source.len(),
            // One node per markup start (an element has one or two, a text node none), counted
            // by the masking scan: a dense document (a `<set-header>` with its `<value>` in 78
            // bytes is three nodes) then grows its node array once at most, instead of copying
            // it at every doubling. Room that is never written is never touched, so it costs no
            // memory.
            nodes: Vec::with_capacity(masked.markup),
            ..Document::default()
        },
        stack: Vec::new(),
        open_children: Vec::new(),
        child_starts: Vec::new(),
        atoms: HashMap::default(),
        segments: Vec::new(),
        attributes: Vec::new(),
        skipped_depth: 0,
        text_run: None,
        seen_root_end: false,
        reported_after_root: false,
    };
    p.check_characters();
    p.report_scan_errors();
    p.run();
    p.finish()
}

struct Parser<'a> {
    /// Read what it can with [`Parser::fast_run`] (else everything with quick-xml).
    fast: bool,
    source: &'a str,
    masked: &'a str,
    found: &'a [Found],
    doc: Document,
    /// Open elements: (node, name).
    stack: Vec<(NodeId, Atom)>,
    /// The children read so far of every open element, outermost first; `child_starts` (one per
    /// entry of `stack`) says where each element's own start. An element's children are copied
    /// into it when it closes, so that it holds exactly their number (see [`Children`]).
    open_children: Vec<NodeId>,
    child_starts: Vec<usize>,
    /// The names and short literals read so far, shared by every equal one (see [`Atom`]);
    /// `true` when the text is a valid XML name (checked once per distinct name).
    atoms: HashMap<Cow<'a, str>, (Atom, bool), BuildHasherDefault<WordHasher>>,
    /// Scratch space for a value's segments and a tag's attributes, copied out at their exact
    /// length (one allocation each, none spare).
    segments: Vec<Segment>,
    attributes: Vec<Attribute>,
    /// Open elements that were too deep to keep (their names, for matching end tags).
    skipped_depth: usize,
    /// The pending run of text / entity-reference events.
    text_run: Option<Span>,
    /// The root element has been closed.
    seen_root_end: bool,
    /// "Content after the root" was reported (once per document is enough).
    reported_after_root: bool,
}

impl<'a> Parser<'a> {
    /// Record `d`, its span kept inside the source (a one-byte underline at a tag cut off by
    /// the end of the input would otherwise point past it).
    fn push(&mut self, mut d: Diagnostic) {
        let len = self.source.len();
        d.span = Span::new(
            d.span.start.min(len),
            d.span.end.min(len).max(d.span.start.min(len)),
        );
        self.doc.diagnostics.push(d);
    }

    /// XML 1.0 forbids most control characters (NUL among them); report the first few.
    /// They are ASCII control bytes or the three bytes `EF BF BE`/`EF BF BF`; the scan looks at
    /// 32 bytes at a time for a byte below 0x20 (but tab, line feed, carriage return) or 0xEF
    /// (a vector comparison), and decodes only where it finds one: decoding every `char` was
    /// a seventh of a 3 MB lint.
    fn check_characters(&mut self) {
        let bytes = self.source.as_bytes();
        let suspect = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF;
        let mut reported = 0;
        for (n, chunk) in bytes.chunks(32).enumerate() {
            if !chunk.iter().fold(false, |any, &b| any | suspect(b)) {
                continue;
            }
            for (k, &b) in chunk.iter().enumerate() {
                let i = n * 32 + k;
                let len = match b {
                    0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => 3,
                    0xEF => continue,
                    _ if suspect(b) => 1,
                    _ => continue,
                };
                let Some(c) = self.source.get(i..i + len).and_then(|s| s.chars().next()) else {
                    continue;
                };
                reported += 1;
                if reported > 3 {
                    return;
                }
                let span = Span::new(i, i + len);
                self.push(Diagnostic::error(codes::XML_SYNTAX, span, format!("character U+{:04X} is not allowed in XML", c as u32)).with_help("Remove the control character; APIM's XML reader rejects the whole document."));
            }
        }
    }

    fn report_scan_errors(&mut self) {
        for f in self.found {
            if let Some(err) = &f.error {
                let mut at = err.at.min(self.source.len());
                let mut end = self
                    .source
                    .get(at..)
                    .and_then(|s| s.chars().next())
                    .map_or(at, |c| at + c.len_utf8());
                if at == f.span.start + 1 {
                    // The expression's own bracket: point at the whole `@(` / `@{`.
                    at = f.span.start;
                    end = f.span.start + 2;
                }
                let message = format!("policy expression: {err}");
                let help = match err.kind {
                    apim_expr::scan::ScanErrorKind::Unclosed { .. } => {
                        "Every `(`, `[` and `{` in an expression needs its closing bracket; APIM reads the expression up to the bracket that closes `@(` or `@{`."
                    }
                    apim_expr::scan::ScanErrorKind::UnterminatedString => {
                        "Close the string literal with `\"` on the same line (use a verbatim string @\"…\" for text over several lines)."
                    }
                    _ => "Check the expression's brackets, strings and comments.",
                };
                self.push(
                    Diagnostic::error(codes::EXPRESSION_SYNTAX, Span::new(at, end), message)
                        .with_help(help),
                );
            }
        }
    }

    fn run(&mut self) {
        // quick-xml skips a byte-order mark without counting it in its positions; skip it
        // ourselves so that positions stay offsets into the source.
        let mut base = if self.masked.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        // A reader skips a mark at the start of whatever it reads: a repeated one would shift
        // its positions too. Skip them all, and report the extra ones.
        let first_text = base;
        while self
            .masked
            .get(base..)
            .is_some_and(|s| s.starts_with('\u{feff}'))
        {
            base += 3;
        }
        if base > first_text {
            self.push(
                Diagnostic::error(
                    codes::XML_SYNTAX,
                    Span::new(first_text, base),
                    "a repeated byte-order mark (U+FEFF) before the root element",
                )
                .with_help("A document starts with at most one byte-order mark; remove the others.")
                .with_fix(Fix {
                    message: "Remove the repeated marks".into(),
                    edits: vec![Edit {
                        start: first_text,
                        end: base,
                        text: String::new(),
                    }],
                }),
            );
        }
        // Each round starts a reader at `base` (`fresh`: like a new quick-xml reader, it skips
        // a byte-order mark there) or continues after an event quick-xml read.
        let mut fresh = true;
        loop {
            let step = if self.fast {
                let origin = if fresh { self.after_mark(base) } else { base };
                match self.fast_run(origin) {
                    Some(markup) => self.quick_xml(markup, true),
                    None => Step::Done,
                }
            } else {
                self.quick_xml(base, false)
            };
            let (next, new_reader) = match step {
                Step::Continue(next) => (next, false),
                Step::Fresh(next) => (next, true),
                Step::Done => break,
            };
            if next <= base || next >= self.source.len() {
                break;
            }
            base = next;
            fresh = new_reader;
        }
        self.flush_text();
    }

    /// Where a reader started at `base` reads from: after a byte-order mark there (quick-xml
    /// skips one without counting it in its positions).
    fn after_mark(&self, base: usize) -> usize {
        if self
            .masked
            .get(base..)
            .is_some_and(|s| s.starts_with('\u{feff}'))
        {
            base + 3
        } else {
            base
        }
    }

    /// The fast tokenizer: read text and the common markup (start, end and empty tags, comments,
    /// CDATA sections) from `from` on, straight from the masked bytes, until the end of the input
    /// (`None`) or markup it leaves to quick-xml (`Some`: the `<` of a declaration, a DOCTYPE,
    /// a tag with a `<` inside or without its `>`, or anything else unusual). What it reads, it
    /// reads exactly as quick-xml would (the same events with the same spans; `parse_reference`
    /// and the corpus and fuzz tests compare the two), without quick-xml's per-event checks
    /// and copies.
    fn fast_run(&mut self, from: usize) -> Option<usize> {
        let bytes = self.masked.as_bytes();
        let len = bytes.len();
        let mut i = from;
        loop {
            let lt = match bytes.get(i..).and_then(|rest| memchr::memchr(b'<', rest)) {
                Some(p) => i + p,
                None => {
                    self.extend_text(i, len);
                    return None;
                }
            };
            self.extend_text(i, lt);
            match bytes.get(lt + 1) {
                Some(b'/') => {
                    let Some(gt) = tag_end(bytes, lt) else {
                        return Some(lt);
                    };
                    self.flush_text();
                    self.end_tag(Span::new(lt, gt + 1), gt);
                    i = gt + 1;
                }
                Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
                    let Some(gt) = tag_end(bytes, lt) else {
                        return Some(lt);
                    };
                    self.flush_text();
                    let span = Span::new(lt, gt + 1);
                    if bytes.get(gt - 1) == Some(&b'/') {
                        self.start_tag(span, true, gt - 1);
                    } else {
                        self.start_tag(span, false, gt);
                    }
                    i = gt + 1;
                }
                Some(b'!') => {
                    // A comment ends at the first `-->` after its `<!--`, a CDATA section at
                    // the first `]]>` after its `<![CDATA[` (as quick-xml reads them).
                    let rest = bytes.get(lt..).unwrap_or_default();
                    let closed = |open: &[u8], close: &[u8; 2]| {
                        let body = rest.strip_prefix(open)?;
                        closing(body, close).map(|p| lt + open.len() + p)
                    };
                    if let Some(end) = closed(b"<!--", b"--") {
                        self.flush_text();
                        self.comment(Span::new(lt, end));
                        i = end;
                    } else if let Some(end) = closed(b"<![CDATA[", b"]]") {
                        self.flush_text();
                        self.cdata(Span::new(lt, end));
                        i = end;
                    } else {
                        return Some(lt);
                    }
                }
                _ => return Some(lt),
            }
        }
    }

    /// Add `start..end` to the pending run of text.
    fn extend_text(&mut self, start: usize, end: usize) {
        if start < end {
            self.text_run = Some(match self.text_run {
                Some(run) => Span::new(run.start, end),
                None => Span::new(start, end),
            });
        }
    }

    /// Tokenize with quick-xml from `base`: to the end, or (`one_event`, at a `<` the fast
    /// tokenizer left) for the one event there. Says where to go on.
    fn quick_xml(&mut self, base: usize, one_event: bool) -> Step {
        let slice = self.masked.get(base..).unwrap_or("");
        // Resuming right after a `>` that a mark follows: the reader skips that mark too.
        let origin = self.after_mark(base);
        let mut reader = Reader::from_str(slice);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.check_comments = false;
        config.allow_dangling_amp = true;
        config.trim_text(false);
        loop {
            let before = origin + pos(reader.buffer_position());
            let event = reader.read_event();
            let after = origin + pos(reader.buffer_position());
            match event {
                Ok(Event::Eof) => return Step::Done,
                Ok(Event::Text(_) | Event::GeneralRef(_)) => {
                    self.extend_text(before, after);
                    continue;
                }
                Ok(event @ (Event::Start(_) | Event::Empty(_) | Event::End(_))) => {
                    self.flush_text();
                    let span = Span::new(before, after);
                    // A tag that swallowed the next line's tag (its `>` or a closing quote
                    // is missing): read it up to where it should have ended, then resume,
                    // so `</inbound` on one line and `</policies>` on the next are two
                    // tags, not one end tag named `inbound\n</policies`.
                    match self.next_tag_inside(span) {
                        Some(cut) => return Step::fresh(self.broken_tag(before, cut)),
                        None => self.event(event, span),
                    }
                }
                Ok(event) => {
                    self.flush_text();
                    self.event(event, Span::new(before, after));
                }
                // The input ends inside a tag or one of its quoted values: the tag ends at
                // the next line that starts a tag, or at the end.
                Err(quick_xml::Error::Syntax(
                    SyntaxError::UnclosedTag
                    | SyntaxError::UnclosedDoubleQuotedAttributeValue
                    | SyntaxError::UnclosedSingleQuotedAttributeValue,
                )) if self.is_element_tag_start(before) => {
                    self.flush_text();
                    let cut = self
                        .next_tag_inside(Span::new(before, self.source.len()))
                        .unwrap_or(self.source.len());
                    return Step::fresh(self.broken_tag(before, cut));
                }
                Err(err) => {
                    self.flush_text();
                    let at = (origin + pos(reader.error_position())).min(self.source.len());
                    self.syntax_error(at, &err.to_string());
                    // Resume at the next `<` after the error (at least one byte on).
                    let from = at.max(before) + 1;
                    return Step::Fresh(
                        self.masked
                            .get(from..)
                            .and_then(|s| s.find('<'))
                            .map_or(self.source.len(), |i| from + i),
                    );
                }
            }
            if one_event {
                return Step::Continue(after);
            }
        }
    }

    /// Where, inside the text quick-xml read as one tag (`span`, from its `<`), the next tag
    /// starts: a `<` outside quotes, or a `<` opening a tag at the start of a later line (a
    /// missing closing quote makes quick-xml read across lines as if inside a value).
    fn next_tag_inside(&self, span: Span) -> Option<usize> {
        let bytes = self.masked.as_bytes().get(span.start..span.end)?;
        let mut quote = None;
        let mut line_start = false;
        for (i, &b) in bytes.iter().enumerate().skip(1) {
            if b == b'<' && (quote.is_none() || line_start) && self.is_tag_start(span.start + i) {
                return Some(span.start + i);
            }
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (None, b'"' | b'\'') => quote = Some(b),
                _ => {}
            }
            if b == b'\n' {
                line_start = true;
            } else if !b.is_ascii_whitespace() {
                line_start = false;
            }
        }
        None
    }

    /// Whether markup (a start or end tag, comment, CDATA, processing instruction) starts at
    /// `at`.
    fn is_tag_start(&self, at: usize) -> bool {
        self.is_element_tag_start(at)
            || self
                .masked
                .as_bytes()
                .get(at..at + 2)
                .is_some_and(|b| matches!(b, b"<!" | b"<?"))
    }

    /// Whether an element's start or end tag starts at `at`.
    fn is_element_tag_start(&self, at: usize) -> bool {
        let rest = self.masked.as_bytes().get(at..).unwrap_or_default();
        rest.first() == Some(&b'<')
            && rest
                .get(1)
                .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'/'))
    }

    /// Read the element tag at `start` whose text runs until `cut` (the next tag, or the end), which
    /// quick-xml could not: either a quoted value lacks its closing quote (the tag then ends at
    /// the first `>` after that quote) or the tag lacks its `>`. Report which, with a fix that
    /// inserts it, add the element as if it were written right, and say where to resume.
    fn broken_tag(&mut self, start: usize, cut: usize) -> Option<usize> {
        let masked = self.masked.as_bytes();
        let is_end = masked.get(start + 1) == Some(&b'/');
        // An unclosed quote, and the `>` after it.
        let mut quote = None;
        for (i, &b) in masked
            .get(start..cut)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match quote {
                Some((q, _)) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some((b, start + i)),
                None => {}
            }
        }
        let gt = quote.and_then(|(_, at)| {
            let after = masked.get(at..cut)?;
            after.iter().position(|b| *b == b'>').map(|p| at + p)
        });
        let (tag, content_end, self_closing, next) = match (quote, gt) {
            (Some((q, at)), Some(gt)) if !is_end => {
                let self_closing = gt > at + 1 && masked.get(gt - 1) == Some(&b'/');
                let content_end = if self_closing { gt - 1 } else { gt };
                let value = self.source.get(at + 1..content_end).unwrap_or_default();
                let value_end = at + 1 + value.trim_end().len();
                let name = self.attribute_name_before(start, at);
                let q = char::from(q);
                self.push(
                    Diagnostic::error(
                        codes::XML_SYNTAX,
                        Span::new(at, value_end.max(at + 1)),
                        format!("the value of `{name}` has no closing `{q}`"),
                    )
                    .with_help(format!("Attribute values are written name={q}value{q}; without the closing quote the rest of the document would be read as this value."))
                    .with_fix(Fix {
                        message: format!("Insert `{q}`"),
                        edits: vec![Edit {
                            start: value_end,
                            end: value_end,
                            text: q.to_string(),
                        }],
                    }),
                );
                (Span::new(start, gt + 1), content_end, self_closing, gt + 1)
            }
            _ => {
                let text = self.source.get(start..cut).unwrap_or_default();
                let tag_end = start + text.trim_end().len();
                let shown: String = text.trim_end().chars().take(40).collect();
                self.push(
                    Diagnostic::error(
                        codes::XML_SYNTAX,
                        Span::new(start, tag_end),
                        format!("`{shown}` has no closing `>`"),
                    )
                    .with_help("A tag ends with `>` (or `/>` for an element without content) before the next tag starts.")
                    .with_fix(Fix {
                        message: "Insert `>`".into(),
                        edits: vec![Edit {
                            start: tag_end,
                            end: tag_end,
                            text: ">".into(),
                        }],
                    }),
                );
                (Span::new(start, tag_end), tag_end, false, cut)
            }
        };
        if is_end {
            self.end_tag(tag, content_end);
        } else {
            self.start_tag(tag, self_closing, content_end);
        }
        (next < self.source.len()).then_some(next)
    }

    /// The attribute name written before the `=` that precedes the quote at `quote`.
    fn attribute_name_before(&self, tag_start: usize, quote: usize) -> String {
        let before = self.source.get(tag_start..quote).unwrap_or_default();
        let before = before
            .trim_end()
            .strip_suffix('=')
            .unwrap_or(before)
            .trim_end();
        let name_start = before
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |i| i + 1);
        before.get(name_start..).unwrap_or_default().to_string()
    }

    fn syntax_error(&mut self, at: usize, message: &str) {
        let end = self
            .source
            .get(at..)
            .and_then(|s| s.find(['>', '\n']))
            .map_or(self.source.len(), |i| at + i + 1);
        let end = end.min(self.source.len());
        self.push(Diagnostic::error(codes::XML_SYNTAX, Span::new(at, end.max(at)), format!("XML syntax error: {message}")).with_help("Every element must be closed, attribute values quoted, and `<` / `&` outside policy expressions written as `&lt;` / `&amp;`."));
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        match event {
            Event::Start(_) => self.start_tag(span, false, span.end.saturating_sub(1)),
            Event::Empty(_) => self.start_tag(span, true, span.end.saturating_sub(2)),
            Event::End(_) => self.end_tag(span, span.end.saturating_sub(1)),
            Event::CData(_) => self.cdata(span),
            Event::Comment(_) => self.comment(span),
            Event::Decl(_) => {
                if self
                    .source
                    .get(..span.start)
                    .is_some_and(|s| !s.trim_start_matches('\u{feff}').is_empty())
                {
                    self.push(Diagnostic::error(
                        codes::XML_SYNTAX,
                        span,
                        "the XML declaration must be the very first thing in the document",
                    ));
                }
                self.push_node(NodeKind::ProcessingInstruction, span);
            }
            Event::PI(_) => {
                self.push_node(NodeKind::ProcessingInstruction, span);
            }
            Event::DocType(_) => {
                self.push(Diagnostic::error(codes::DOCTYPE, span, "DOCTYPE declarations are not allowed in policies").with_help("APIM rejects documents with a DTD. The playground never expands entity declarations; remove the <!DOCTYPE …> block."));
                self.push_node(NodeKind::DocType, span);
            }
            Event::Text(_) | Event::GeneralRef(_) | Event::Eof => {}
        }
    }

    /// A CDATA section, `<![CDATA[` to `]]>`.
    fn cdata(&mut self, span: Span) {
        let content = Span::new(
            span.start + 9,
            span.end.saturating_sub(3).max(span.start + 9),
        );
        let value = self.value(content, ValueMode::CData);
        self.push_node(NodeKind::CData(value), span);
    }

    /// A comment, `<!--` to `-->`.
    fn comment(&mut self, span: Span) {
        let inner = self
            .source
            .get(span.start + 4..span.end.saturating_sub(3))
            .unwrap_or("");
        if let Some(i) = inner.find("--") {
            let at = span.start + 4 + i;
            self.push(Diagnostic::error(codes::XML_SYNTAX, Span::new(at, at + 2), "`--` is not allowed inside an XML comment").with_help("XML comments cannot contain two hyphens in a row (nor start a comment inside a comment); APIM rejects the document. Remove them or close the first comment with `-->`."));
        }
        self.push_node(NodeKind::Comment, span);
    }

    fn flush_text(&mut self) {
        let Some(span) = self.text_run.take() else {
            return;
        };
        let raw = self.source.get(span.start..span.end).unwrap_or("");
        if is_blank(raw) {
            return;
        }
        if self.stack.is_empty() && self.skipped_depth == 0 {
            // Text outside the root element. Report where the text really starts.
            let lead = raw.len() - raw.trim_start().len();
            let trimmed = Span::new(span.start + lead, span.start + raw.trim_end().len());
            self.push(Diagnostic::error(codes::XML_SYNTAX, trimmed, "text outside the root element").with_help("A policy document is one <policies> (or <fragment>) element; move the text inside it or turn it into an <!-- comment -->."));
        }
        if self.skipped_depth > 0 {
            return;
        }
        let value = self.value(span, ValueMode::Text);
        self.push_node(NodeKind::Text(value), span);
    }

    fn push_node(&mut self, kind: NodeKind, span: Span) -> Option<NodeId> {
        if self.skipped_depth > 0 {
            return None;
        }
        let id = NodeId(u32::try_from(self.doc.nodes.len()).unwrap_or(u32::MAX));
        let parent = self.stack.last().map(|(p, _)| *p);
        self.doc.nodes.push(Node { kind, span, parent });
        match parent {
            Some(_) => self.open_children.push(id),
            None => self.doc.top_level.push(id),
        }
        Some(id)
    }

    /// Close the innermost open element: it gets the children read since it opened.
    fn pop_open(&mut self) -> Option<(NodeId, Atom)> {
        let (id, name) = self.stack.pop()?;
        let start = self.child_starts.pop().unwrap_or(self.open_children.len());
        if let Some(Node {
            kind: NodeKind::Element(e),
            ..
        }) = self.doc.nodes.get_mut(id.index())
        {
            e.children = Children::from(self.open_children.get(start..).unwrap_or(&[]));
        }
        self.open_children.truncate(start);
        Some((id, name))
    }

    /// An element's start tag; its attributes end at `content_end` (before `>` or `/>`).
    fn start_tag(&mut self, span: Span, self_closing: bool, content_end: usize) {
        let (name, name_span, attributes) = self.tag(span, content_end);
        if self.stack.len() >= MAX_DEPTH || self.skipped_depth > 0 {
            if self.skipped_depth == 0 {
                self.push(Diagnostic::error(codes::TOO_DEEP, name_span, format!("elements are nested more than {MAX_DEPTH} levels deep")).with_help("The playground ignores everything below this level; real policies nest a dozen levels at most."));
            }
            if !self_closing {
                self.skipped_depth += 1;
            }
            return;
        }
        if self.stack.is_empty() && self.doc.root.is_some() && !self.reported_after_root {
            self.reported_after_root = true;
            let message = if self.seen_root_end {
                format!("<{name}> comes after the end of the root element")
            } else {
                format!("a second root element <{name}>")
            };
            self.push(Diagnostic::error(codes::XML_SYNTAX, name_span, message).with_help("A policy document has exactly one root element: put everything inside <policies> (or <fragment>)."));
        }
        let element = Element {
            name: name.clone(),
            name_span,
            start_tag: span,
            end_tag: None,
            end_name_span: None,
            self_closing,
            attributes,
            children: Children::default(),
        };
        let at_top = self.stack.is_empty();
        let Some(id) = self.push_node(NodeKind::Element(element), span) else {
            return;
        };
        if at_top && self.doc.root.is_none() {
            self.doc.root = Some(id);
        }
        if self_closing {
            if at_top {
                self.seen_root_end = true;
            }
        } else {
            self.stack.push((id, name));
            self.child_starts.push(self.open_children.len());
        }
    }

    /// An end tag; its name ends at `content_end` (before `>`).
    fn end_tag(&mut self, span: Span, content_end: usize) {
        let raw = self.source.get(span.start + 2..content_end).unwrap_or("");
        let name = raw.trim();
        let name_start = span.start + 2 + (raw.len() - raw.trim_start().len());
        let name_span = Span::new(name_start, name_start + name.len());
        if self.skipped_depth > 0 {
            self.skipped_depth -= 1;
            return;
        }
        match self.stack.iter().rposition(|(_, n)| n == name) {
            Some(i) => {
                // Everything opened after the matching element was left open.
                while self.stack.len() > i + 1 {
                    if let Some((id, open)) = self.pop_open() {
                        self.unclosed(id, &open, Some(span.start));
                    }
                }
                if let Some((id, _)) = self.pop_open() {
                    if let Some(Node {
                        kind: NodeKind::Element(e),
                        span: node_span,
                        ..
                    }) = self.doc.nodes.get_mut(id.index())
                    {
                        e.end_tag = Some(span);
                        e.end_name_span = Some(name_span);
                        *node_span = Span::new(node_span.start, span.end);
                    }
                    if self.stack.is_empty() {
                        self.seen_root_end = true;
                    }
                }
            }
            None => {
                // Most often a typo in the end tag: let it close the innermost open element,
                // so that one mistake gives one error.
                let closed = self.pop_open();
                let d = match &closed {
                    Some((id, open)) => {
                        if let Some(Node {
                            kind: NodeKind::Element(e),
                            span: node_span,
                            ..
                        }) = self.doc.nodes.get_mut(id.index())
                        {
                            e.end_tag = Some(span);
                            *node_span = Span::new(node_span.start, span.end);
                        }
                        Diagnostic::error(
                            codes::MISMATCHED_END_TAG,
                            name_span,
                            format!("`</{name}>` does not match the open element <{open}>"),
                        )
                        .with_help(format!(
                            "The element opened as <{open}> must be closed by </{open}>."
                        ))
                        .with_fix(Fix {
                            message: format!("Change to </{open}>"),
                            edits: vec![Edit {
                                start: name_span.start,
                                end: name_span.end,
                                text: open.to_string(),
                            }],
                        })
                    }
                    None => Diagnostic::error(
                        codes::MISMATCHED_END_TAG,
                        name_span,
                        format!("`</{name}>` closes an element that was never opened"),
                    )
                    .with_help("Remove this end tag.")
                    .with_fix(Fix {
                        message: "Remove the end tag".into(),
                        edits: vec![Edit {
                            start: span.start,
                            end: span.end,
                            text: String::new(),
                        }],
                    }),
                };
                if closed.is_some() && self.stack.is_empty() {
                    self.seen_root_end = true;
                }
                self.push(d);
            }
        }
    }

    /// Report an element that was never closed; `implicit_end` is where it was cut off.
    fn unclosed(&mut self, id: NodeId, name: &str, implicit_end: Option<usize>) {
        let Some(node) = self.doc.nodes.get_mut(id.index()) else {
            return;
        };
        let NodeKind::Element(e) = &node.kind else {
            return;
        };
        let name_span = e.name_span;
        let start_tag = e.start_tag;
        let end = implicit_end.unwrap_or(self.source.len());
        node.span = Span::new(node.span.start, end.max(start_tag.end));
        // Offer to self-close an empty element, else to add the end tag where it was cut off.
        // A start tag cut short (no `>`, already reported) cannot be made self-closing here.
        let has_gt = self
            .source
            .as_bytes()
            .get(start_tag.end.saturating_sub(1))
            .is_some_and(|b| *b == b'>');
        let fix = if !e.children.is_empty() || !has_gt {
            Fix {
                message: format!("Insert </{name}>"),
                edits: vec![Edit {
                    start: end,
                    end,
                    text: format!("</{name}>"),
                }],
            }
        } else {
            let gt = start_tag.end.saturating_sub(1);
            Fix {
                message: format!("Make <{name}> self-closing"),
                edits: vec![Edit {
                    start: gt,
                    end: gt,
                    text: " /".into(),
                }],
            }
        };
        self.push(Diagnostic::error(codes::UNCLOSED_ELEMENT, name_span, format!("element <{name}> is never closed")).with_help(format!("Add </{name}> where the element ends, or write it as <{name} /> if it has no content.")).with_fix(fix));
    }

    fn finish(mut self) -> Document {
        while let Some((id, name)) = self.pop_open() {
            self.unclosed(id, &name, None);
        }
        if self.doc.root.is_none() && self.doc.diagnostics.is_empty() {
            let span = Span::empty(self.source.len().min(self.source.trim_end().len()));
            self.push(Diagnostic::error(codes::XML_SYNTAX, span, "the document has no root element").with_help("A policy document is <policies> with <inbound>, <backend>, <outbound> and <on-error> sections."));
        }
        crate::sort::sort_by_key(&mut self.doc.diagnostics, |d| (d.span.start, d.span.end));
        self.doc
    }

    /// Read a start tag `<name attr="v" …>` whose attributes end at `end` (before `>`, `/>`,
    /// or where a tag without `>` was cut).
    fn tag(&mut self, span: Span, end: usize) -> (Atom, Span, Vec<Attribute>) {
        let diagnostics_before = self.doc.diagnostics.len();
        let src = self.masked.as_bytes();
        let mut i = span.start + 1;
        let name_start = i;
        while src
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'/' && *b != b'>')
            && i < end
        {
            i += 1;
        }
        let name_span = Span::new(name_start, i);
        let source: &'a str = self.source;
        let (name, valid) = self.name(source.get(name_start..i).unwrap_or(""));
        if !valid {
            let shown = if name.is_empty() {
                "an empty name".to_string()
            } else {
                format!("`{name}`")
            };
            self.push(Diagnostic::error(codes::XML_SYNTAX, Span::new(span.start, i.max(span.start + 1)), format!("{shown} is not a valid element name")).with_help("Outside policy expressions, a literal `<` must be written `&lt;`. Element names start with a letter and contain letters, digits, `-`, `_` and `.`."));
        }
        let mut attributes: Vec<Attribute> = std::mem::take(&mut self.attributes);
        attributes.clear();
        loop {
            while src.get(i).is_some_and(|b| b.is_ascii_whitespace()) && i < end {
                i += 1;
            }
            if i >= end {
                break;
            }
            // Attribute name.
            let a_start = i;
            while src.get(i).is_some_and(|b| {
                !b.is_ascii_whitespace() && *b != b'=' && *b != b'>' && *b != b'"' && *b != b'\''
            }) && i < end
            {
                i += 1;
            }
            if i == a_start {
                // A stray quote or `=`: skip one byte and report.
                self.push(Diagnostic::error(
                    codes::XML_SYNTAX,
                    Span::new(i, i + 1),
                    "unexpected character in a start tag",
                ));
                i += 1;
                continue;
            }
            let a_name_span = Span::new(a_start, i);
            let (a_name, valid) = self.name(source.get(a_start..i).unwrap_or(""));
            if !valid {
                self.push(Diagnostic::error(
                    codes::XML_SYNTAX,
                    a_name_span,
                    format!("`{a_name}` is not a valid attribute name"),
                ));
            }
            let mut j = i;
            while src.get(j).is_some_and(|b| b.is_ascii_whitespace()) && j < end {
                j += 1;
            }
            if src.get(j) != Some(&b'=') || j >= end {
                self.push(
                    Diagnostic::error(
                        codes::XML_SYNTAX,
                        a_name_span,
                        format!("attribute `{a_name}` has no value"),
                    )
                    .with_help("Attributes are written name=\"value\".")
                    .with_fix(Fix {
                        message: "Add an empty value".into(),
                        edits: vec![Edit {
                            start: i,
                            end: i,
                            text: "=\"\"".into(),
                        }],
                    }),
                );
                attributes.push(Attribute {
                    name: a_name,
                    name_span: a_name_span,
                    value: Value {
                        span: Span::empty(i),
                        segments: Segments::default(),
                    },
                    span: a_name_span,
                });
                continue;
            }
            j += 1;
            while src.get(j).is_some_and(|b| b.is_ascii_whitespace()) && j < end {
                j += 1;
            }
            let value;
            match src.get(j) {
                Some(&q) if (q == b'"' || q == b'\'') && j < end => {
                    let v_start = j + 1;
                    // The closing quote, or the end of the attributes (memchr: values are
                    // most of a tag's bytes).
                    let k = src
                        .get(v_start..end)
                        .and_then(|value| memchr::memchr(q, value))
                        .map_or(end.max(v_start), |p| v_start + p);
                    let v_span = Span::new(v_start, k);
                    if let Some(lt) = src.get(v_start..k).and_then(|v| memchr::memchr(b'<', v)) {
                        let at = v_start + lt;
                        self.push(
                            Diagnostic::error(
                                codes::XML_SYNTAX,
                                Span::new(at, at + 1),
                                "`<` is not allowed in an attribute value",
                            )
                            .with_help("Write it as `&lt;`, or inside a policy expression @(…).")
                            .with_fix(Fix {
                                message: "Escape as &lt;".into(),
                                edits: vec![Edit {
                                    start: at,
                                    end: at + 1,
                                    text: "&lt;".into(),
                                }],
                            }),
                        );
                    }
                    value = self.value(v_span, ValueMode::Attribute(q));
                    i = (k + 1).min(end.max(k));
                    if src.get(k) != Some(&q) {
                        i = k;
                    }
                }
                _ => {
                    // Unquoted value (seen in Microsoft's own proxy example).
                    let v_start = j;
                    let mut k = j;
                    while src
                        .get(k)
                        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                        && k < end
                    {
                        k += 1;
                    }
                    let v_span = Span::new(v_start, k);
                    let raw = self.source.get(v_start..k).unwrap_or("").to_string();
                    let mut d = Diagnostic::error(
                        codes::XML_SYNTAX,
                        Span::new(v_start, k.max(v_start + 1)),
                        format!("the value of `{a_name}` is not quoted"),
                    )
                    .with_help("XML attribute values must be in double or single quotes.");
                    if !raw.contains('"') {
                        d = d.with_fix(Fix {
                            message: "Add quotes".into(),
                            edits: vec![Edit {
                                start: v_start,
                                end: k,
                                text: format!("\"{raw}\""),
                            }],
                        });
                    }
                    self.push(d);
                    value = self.value(v_span, ValueMode::Attribute(b'"'));
                    i = k;
                }
            }
            let a_span = Span::new(a_start, (value.span.end + 1).min(end.max(value.span.end)));
            if let Some(first) = attributes.iter().find(|a| a.name == a_name) {
                let first_line = first.name_span;
                let remove = Span::new(a_start, a_span.end);
                // Remove the duplicate with the whitespace before it.
                let ws_start = self
                    .source
                    .get(..remove.start)
                    .map_or(remove.start, |s| s.trim_end().len());
                self.push(Diagnostic::error(codes::DUPLICATE_ATTRIBUTE, a_name_span, format!("attribute `{a_name}` is given twice")).with_help(format!("XML allows each attribute once per element; the first `{a_name}` is at byte {}. Keep one.", first_line.start)).with_fix(Fix { message: "Remove the duplicate".into(), edits: vec![Edit { start: ws_start, end: remove.end, text: String::new() }] }));
                continue;
            }
            attributes.push(Attribute {
                name: a_name,
                name_span: a_name_span,
                value,
                span: a_span,
            });
        }
        // After a broken expression the rest of the tag is not what its author meant: keep the
        // expression's error and drop the syntax errors it caused further on in the tag.
        let first = self.found.partition_point(|f| f.span.start <= span.start);
        if let Some(broken) = self
            .found
            .get(first..)
            .unwrap_or(&[])
            .iter()
            .take_while(|f| f.span.start < span.end)
            .find(|f| f.error.is_some())
        {
            let from = broken.span.start;
            attributes.retain(|a| a.name_span.start < from);
            let mut i = diagnostics_before;
            while i < self.doc.diagnostics.len() {
                let d = self.doc.diagnostics.get(i);
                if d.is_some_and(|d| d.span.start > from && d.code != codes::EXPRESSION_SYNTAX) {
                    self.doc.diagnostics.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        let mut exact = Vec::with_capacity(attributes.len());
        exact.append(&mut attributes);
        self.attributes = attributes;
        (name, name_span, exact)
    }

    /// Split a raw value into literal, named-value and expression segments.
    fn value(&mut self, span: Span, mode: ValueMode) -> Value {
        let mut segments = std::mem::take(&mut self.segments);
        segments.clear();
        let mut pos = span.start;
        let first = self.found.partition_point(|f| f.span.start < span.start);
        // `found` borrows the masking pass's list, not `self`: no copy needed while `self` is
        // borrowed mutably below.
        let found: &'a [Found] = self.found;
        let exprs: &'a [Found] = match mode {
            ValueMode::CData => &[],
            _ => {
                let rest = found.get(first..).unwrap_or(&[]);
                let n = rest.iter().take_while(|f| f.span.start < span.end).count();
                rest.get(..n).unwrap_or(&[])
            }
        };
        for f in exprs {
            if f.span.start > pos {
                self.literal_segments(Span::new(pos, f.span.start), mode, &mut segments);
            }
            segments.push(Segment::Expression(Box::new(self.expression(f))));
            pos = f.span.end;
        }
        if pos < span.end {
            self.literal_segments(Span::new(pos, span.end), mode, &mut segments);
        }
        // Most values are one segment, kept inline; more are copied out at their exact length.
        let exact = Segments::take(&mut segments);
        self.segments = segments;
        Value {
            span,
            segments: exact,
        }
    }

    fn expression(&self, f: &Found) -> Expression {
        let code_start = (f.span.start + 2).min(f.span.end);
        let code_end = if f.error.is_none() {
            f.span.end.saturating_sub(1).max(code_start)
        } else {
            f.span.end
        };
        let code_span = Span::new(code_start, code_end);
        let raw = self.source.get(code_start..code_end).unwrap_or("");
        let (code, escaped) = match decode_escaped(raw, f.context) {
            Some(decoded) => (decoded, true),
            None => (raw.to_string(), false),
        };
        let named_values = named_value_refs(raw, code_start);
        Expression {
            kind: f.kind,
            span: f.span,
            code_span,
            code,
            escaped,
            named_values,
            unbalanced: f.error.is_some(),
        }
    }

    fn literal_segments(&mut self, span: Span, mode: ValueMode, out: &mut Vec<Segment>) {
        let raw = self.source.get(span.start..span.end).unwrap_or("");
        let mut pos = 0;
        for nv in named_value_refs(raw, span.start) {
            let rel = nv.span.start - span.start;
            if rel > pos {
                self.push_literal(Span::new(span.start + pos, nv.span.start), mode, out);
            }
            pos = nv.span.end - span.start;
            out.push(Segment::NamedValue(nv));
        }
        if pos < raw.len() {
            self.push_literal(Span::new(span.start + pos, span.end), mode, out);
        }
    }

    fn push_literal(&mut self, span: Span, mode: ValueMode, out: &mut Vec<Segment>) {
        let raw = self.source.get(span.start..span.end).unwrap_or("");
        let text = match mode {
            ValueMode::CData => self.literal(Cow::Borrowed(raw)),
            _ => {
                let decoded = self.decode_checked(raw, span.start);
                self.literal(decoded)
            }
        };
        out.push(Segment::Literal { span, text });
    }

    /// An element or attribute name as an [`Atom`] shared with every equal one, and whether it
    /// is a valid XML name.
    fn name(&mut self, name: &'a str) -> (Atom, bool) {
        if let Some((atom, valid)) = self.atoms.get(name) {
            return (atom.clone(), *valid);
        }
        let entry = (Atom::from(name), is_xml_name(name));
        self.atoms.insert(Cow::Borrowed(name), entry.clone());
        entry
    }

    /// A literal's text as an [`Atom`]: short ones (attribute values, short text) are shared
    /// with every equal one; long ones are rarely repeated and are not looked up.
    fn literal(&mut self, text: Cow<'a, str>) -> Atom {
        if text.len() > MAX_SHARED_LITERAL {
            return Atom::from(text.into_owned());
        }
        if let Some((atom, _)) = self.atoms.get(text.as_ref()) {
            return atom.clone();
        }
        let atom = Atom::from(text.as_ref());
        let valid = is_xml_name(&atom);
        self.atoms.insert(text, (atom.clone(), valid));
        atom
    }

    /// Decode entity references, reporting unknown ones and bare `&`.
    fn decode_checked(&mut self, raw: &'a str, offset: usize) -> Cow<'a, str> {
        if find_amp(raw).is_none() {
            return Cow::Borrowed(raw);
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        let mut at = offset;
        while let Some(i) = find_amp(rest) {
            out.push_str(rest.get(..i).unwrap_or(""));
            let after = rest.get(i..).unwrap_or("");
            let amp = at + i;
            match entity(after) {
                Some((decoded, len)) => {
                    out.push(decoded);
                    rest = after.get(len..).unwrap_or("");
                    at = amp + len;
                }
                None => {
                    let end = after.find(';').filter(|&e| {
                        e < 12 && !after.get(1..e).unwrap_or(" ").contains(char::is_whitespace)
                    });
                    match end {
                        Some(e) => {
                            let name = after.get(1..e).unwrap_or("");
                            self.push(Diagnostic::error(codes::XML_SYNTAX, Span::new(amp, amp + e + 1), format!("unknown entity `&{name};`")).with_help("XML knows &lt; &gt; &amp; &quot; &apos; and numeric references such as &#169;. Write a literal `&` as `&amp;`."));
                        }
                        None => {
                            // `&amp` without its `;` is a typo for the entity, not a bare `&`.
                            let named = ["amp", "lt", "gt", "quot", "apos"]
                                .into_iter()
                                .find(|n| after.get(1..).is_some_and(|r| r.starts_with(n)));
                            let fix = match named {
                                Some(n) => Fix {
                                    message: format!("Add the missing `;` (&{n};)"),
                                    edits: vec![Edit {
                                        start: amp + 1 + n.len(),
                                        end: amp + 1 + n.len(),
                                        text: ";".into(),
                                    }],
                                },
                                None => Fix {
                                    message: "Escape as &amp;".into(),
                                    edits: vec![Edit {
                                        start: amp,
                                        end: amp + 1,
                                        text: "&amp;".into(),
                                    }],
                                },
                            };
                            self.push(
                                Diagnostic::error(codes::XML_SYNTAX, Span::new(amp, amp + 1), "a bare `&` must be written `&amp;`")
                                    .with_help("Outside policy expressions, `&` starts an entity reference in XML.")
                                    .with_fix(fix),
                            );
                        }
                    }
                    out.push('&');
                    rest = after.get(1..).unwrap_or("");
                    at = amp + 1;
                }
            }
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

/// Where tokenizing goes on after a reader stops.
enum Step {
    /// Right after the event it read: the same reader would go on there.
    Continue(usize),
    /// At this offset, with a new reader (after an error or a broken tag).
    Fresh(usize),
    /// The input is read.
    Done,
}

impl Step {
    fn fresh(at: Option<usize>) -> Step {
        at.map_or(Step::Done, Step::Fresh)
    }
}

/// Where the first `>` of `body` that follows `before` (`--` or `]]`, inside `body`) ends: the
/// offset after the `>`. memchr for the `>` (a substring searcher would add its code to the web
/// app's first load for two needles).
fn closing(body: &[u8], before: &[u8; 2]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = body.get(from..).and_then(|rest| memchr::memchr(b'>', rest)) {
        let gt = from + p;
        if gt >= 2 && body.get(gt - 2..gt) == Some(before.as_slice()) {
            return Some(gt + 1);
        }
        from = gt + 1;
    }
    None
}

/// The `>` that ends the tag whose `<` is at `lt`, read as quick-xml reads a tag (a `>` inside
/// a quoted value does not end it); `None` when the tag has a `<` inside (which may mean a
/// broken tag: quick-xml's path checks) or the input ends first.
fn tag_end(bytes: &[u8], lt: usize) -> Option<usize> {
    let mut i = lt + 1;
    loop {
        match *bytes.get(i)? {
            b'>' => return Some(i),
            b'<' => return None,
            q @ (b'"' | b'\'') => {
                // A value: to its closing quote (memchr: values are most of a tag's bytes).
                let rest = bytes.get(i + 1..)?;
                let close = memchr::memchr2(q, b'<', rest)?;
                if rest.get(close) != Some(&q) {
                    return None;
                }
                i += close + 2;
            }
            _ => i += 1,
        }
    }
}

/// Literals up to this many bytes are shared (see [`Parser::literal`]).
const MAX_SHARED_LITERAL: usize = 64;

/// The hash of the parser's atom table: names and short literals hashed a word at a time
/// (FxHash's mixing), several times cheaper than the default SipHash on such short keys; the
/// keys are the document's own text, and a collision only costs a comparison.
#[derive(Default)]
struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueMode {
    Attribute(u8),
    Text,
    CData,
}

fn pos(p: u64) -> usize {
    usize::try_from(p).unwrap_or(usize::MAX)
}

/// XML `Name`, restricted to what policies use (ASCII letters plus any non-ASCII letter).
pub fn is_xml_name(name: &str) -> bool {
    if let Some((&first, rest)) = name.as_bytes().split_first()
        && (first.is_ascii_alphabetic() || first == b'_' || first == b':')
        && rest
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    {
        return true;
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' || c == ':' => {}
        _ => return false,
    }
    chars.all(|c| {
        c.is_alphanumeric()
            || matches!(c, '-' | '_' | '.' | ':')
            || (!c.is_ascii() && !c.is_whitespace())
    })
}

/// Where the first `&` of `s` is: a memchr byte search (a `char` pattern sets up a searcher on
/// every call, and entity decoding calls it once per reference).
fn find_amp(s: &str) -> Option<usize> {
    memchr::memchr(b'&', s.as_bytes())
}

/// Decode one entity reference at the start of `s` (`&amp;`, `&#169;`, `&#xA9;`).
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(16).position(|&b| b == b';')?;
    let name = s.get(1..end)?;
    let decoded = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let code =
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    name.strip_prefix('#')?.parse::<u32>().ok()?
                };
            char::from_u32(code).filter(|&c| c != '\0')?
        }
    };
    Some((decoded, end + 1))
}

/// `text.trim().is_empty()` (Unicode white space), by bytes while the text is ASCII: most text
/// runs between tags are indentation, and decoding each as chars was a twentieth of parsing.
fn is_blank(text: &str) -> bool {
    for &b in text.as_bytes() {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {}
            0x80.. => return text.trim().is_empty(),
            _ => return false,
        }
    }
    true
}

/// Decode entity references leniently (used for code already judged to be escaped).
pub fn decode_entities(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = find_amp(rest) {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i..).unwrap_or("");
        match entity(after) {
            Some((d, len)) => {
                out.push(d);
                rest = after.get(len..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// The decoded code when expression code is written in the escaped `xml` format: it contains
/// entity references and nothing that strict XML would forbid there (a raw `<`, a bare or
/// unknown `&`, or the attribute's own quote). Raw ("rawxml") code (`None`) is compiled
/// exactly as written. One pass: decoding stops at the first `&` that is not an entity.
fn decode_escaped(code: &str, context: Context) -> Option<String> {
    find_amp(code)?;
    if memchr::memchr(b'<', code.as_bytes()).is_some() {
        return None;
    }
    if let Context::Attribute(q) = context
        && code.as_bytes().contains(&q)
    {
        return None;
    }
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(i) = find_amp(rest) {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i..).unwrap_or("");
        let (decoded, len) = entity(after)?;
        out.push(decoded);
        rest = after.get(len..).unwrap_or("");
    }
    out.push_str(rest);
    Some(out)
}

/// Where `{{` first occurs in `s`: a byte search for `{` (memchr), cheaper than building a
/// substring searcher for every value and expression.
fn find_double_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'{', bytes.get(from..)?) {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `{{name}}` references in `text` (offsets relative to `offset`). The name is whatever sits
/// between the braces on one line; the linter checks that it is a valid name.
pub fn named_value_refs(text: &str, offset: usize) -> Vec<NamedValueRef> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(find_double_brace) {
        let open = from + i;
        let mut name_start = open + 2;
        // `{{{x}}}`: the reference is the innermost pair.
        while text.get(name_start..name_start + 1) == Some("{") {
            name_start += 1;
        }
        let Some(close_rel) = text.get(name_start..).and_then(|s| s.find("}}")) else {
            break;
        };
        let name = text.get(name_start..name_start + close_rel).unwrap_or("");
        let open = name_start - 2;
        if !name.is_empty() && name.len() <= 256 && !name.contains(['{', '}', '\n', '"', '<', '>'])
        {
            out.push(NamedValueRef {
                name: name.to_string(),
                span: Span::new(offset + open, offset + name_start + close_rel + 2),
                name_span: Span::new(offset + name_start, offset + name_start + close_rel),
            });
        }
        from = name_start + close_rel + 2;
    }
    out
}

#[cfg(test)]
mod blank_tests {
    use super::is_blank;

    #[test]
    fn blank_is_trim_is_empty() {
        let cases = [
            "",
            " ",
            "\n    ",
            "\t\r\n",
            "\u{b}\u{c}",
            "\u{a0}",
            " \u{2003} ",
            "\u{feff}",
            "x",
            "  x  ",
            "\n\u{a0}x",
            "é",
            " \u{85}",
            "\0",
        ];
        for c in cases {
            assert_eq!(is_blank(c), c.trim().is_empty(), "{c:?}");
        }
        // Every single character, alone and after ASCII indentation.
        for c in (0u32..0x3100).filter_map(char::from_u32) {
            let alone = c.to_string();
            let indented = format!("\n  {c}");
            assert_eq!(is_blank(&alone), alone.trim().is_empty(), "{c:?}");
            assert_eq!(is_blank(&indented), indented.trim().is_empty(), "{c:?}");
        }
    }
}
