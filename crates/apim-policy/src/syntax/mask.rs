//! Pass 1 of parsing: find the policy expressions and hide them from the XML tokenizer.
//!
//! A small XML-aware scan walks the source and, wherever an attribute value or text content
//! contains `@(` or `@{`, lets `apim_expr::scan` find the matching close the way APIM's Razor
//! reader does. Each expression's bytes are replaced by `x` in a copy of the source that has
//! the same length, so quick-xml can tokenize the copy and every offset it reports is an offset
//! into the original text.
//!
//! Comments, CDATA sections, processing instructions and DOCTYPEs are skipped: expressions are
//! only recognised where APIM evaluates them.

use crate::diagnostic::Span;
use apim_expr::scan::{self, ExprKind, ScanError};
use std::borrow::Cow;

/// Where an expression was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Inside an attribute value delimited by this quote.
    Attribute(u8),
    Text,
}

/// One expression found by the scan. `span` covers `@` to the closing bracket (or, when the
/// scan failed, to where the expression was assumed to end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: ExprKind,
    pub span: Span,
    pub context: Context,
    pub error: Option<ScanError>,
}

pub struct Masked<'a> {
    /// The source itself when it has no expressions (no copy), else the masked copy.
    pub text: Cow<'a, str>,
    /// In source order, non-overlapping.
    pub expressions: Vec<Found>,
    /// How many markup starts (a `<` outside tags, comments and expressions) the scan passed:
    /// at least the number of elements, for sizing the tree.
    pub markup: usize,
}

/// Scan `source` for expressions and return the masked copy.
pub fn mask(source: &str) -> Masked<'_> {
    let bytes = source.as_bytes();
    let mut found: Vec<Found> = Vec::new();
    let mut i = 0;
    let mut markup = 0;
    // Only `<` and `@` matter between tags: memchr jumps to the next of either.
    while let Some(p) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'<', b'@', rest))
    {
        i += p;
        match bytes.get(i) {
            Some(b'<') => {
                markup += 1;
                i = skip_markup(source, i, &mut found);
            }
            _ => match expression(source, i, Context::Text) {
                Some(f) => {
                    i = f.span.end.max(i + 1);
                    found.push(f);
                }
                None => i += 1,
            },
        }
    }
    if found.is_empty() {
        return Masked {
            text: Cow::Borrowed(source),
            expressions: found,
            markup,
        };
    }
    let mut text = Vec::with_capacity(bytes.len());
    let mut pos = 0;
    for f in &found {
        if let Some(chunk) = bytes.get(pos..f.span.start) {
            text.extend_from_slice(chunk);
        }
        text.extend(std::iter::repeat_n(b'x', f.span.len()));
        pos = f.span.end;
    }
    if let Some(rest) = bytes.get(pos..) {
        text.extend_from_slice(rest);
    }
    // Whole UTF-8 characters are either kept or replaced by ASCII, so this never fails.
    let text = String::from_utf8(text)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Masked {
        text: Cow::Owned(text),
        expressions: found,
        markup,
    }
}

/// At `<`: skip a comment, CDATA, PI or DOCTYPE whole, or scan a tag's attribute values for
/// expressions. Returns the offset after the markup.
fn skip_markup(source: &str, at: usize, found: &mut Vec<Found>) -> usize {
    let rest = source.get(at..).unwrap_or("");
    let skip_to = |needle: &str, from: usize| {
        source
            .get(from..)
            .and_then(|s| s.find(needle))
            .map_or(source.len(), |i| from + i + needle.len())
    };
    if rest.starts_with("<!--") {
        return skip_to("-->", at + 4);
    }
    if rest.starts_with("<![CDATA[") {
        return skip_to("]]>", at + 9);
    }
    if rest.starts_with("<?") {
        return skip_to("?>", at + 2);
    }
    if rest.starts_with("<!") {
        return skip_doctype(source, at);
    }
    // A tag: walk to its `>`, honouring quoted attribute values.
    let bytes = source.as_bytes();
    let mut i = at + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'>' => return i + 1,
            // A `<` inside a tag means the tag was never closed: let the tokenizer report it.
            b'<' => return i,
            b'"' | b'\'' => i = attribute_value(source, i, found),
            _ => i += 1,
        }
    }
    i
}

/// `<!DOCTYPE …>` may hold an internal subset in `[…]`.
fn skip_doctype(source: &str, at: usize) -> usize {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = at + 2;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// At an opening quote: scan the value for expressions; return the offset after the closing
/// quote (or the end of the text).
fn attribute_value(source: &str, open: usize, found: &mut Vec<Found>) -> usize {
    let bytes = source.as_bytes();
    let quote = bytes.get(open).copied().unwrap_or(b'"');
    let mut i = open + 1;
    while let Some(p) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(quote, b'@', rest))
    {
        i += p;
        if bytes.get(i) == Some(&quote) {
            return i + 1;
        }
        if let Some(f) = expression(source, i, Context::Attribute(quote)) {
            i = f.span.end.max(i + 1);
            found.push(f);
            continue;
        }
        i += 1;
    }
    bytes.len()
}

/// An expression at `at`, if there is an opener there. On a scan error, guess where the
/// expression was meant to end so that parsing can go on after it.
fn expression(source: &str, at: usize, context: Context) -> Option<Found> {
    let result = scan::scan(source, at)?;
    Some(match result {
        Ok(s) => Found {
            kind: s.kind,
            span: Span::new(s.start, s.end),
            context,
            error: None,
        },
        Err(error) => {
            let kind = scan::opener_at(source, at).unwrap_or(ExprKind::Single);
            let end = recover_end(source, at, context);
            // Re-scan within the recovered extent so that the error is about this expression
            // ("`(` is never closed"), not about the text that follows it.
            let error = match source
                .get(..end)
                .and_then(|bounded| scan::scan(bounded, at))
            {
                Some(Err(inner)) => inner,
                _ => error,
            };
            Found {
                kind,
                span: Span::new(at, end),
                context,
                error: Some(error),
            }
        }
    })
}

/// Where a broken expression most likely ends, seen as XML:
/// - in an attribute value: at the first delimiter quote, before the next line break, that is
///   followed by what follows an attribute value (`/>`, `>` or another `name=`); failing that,
///   just before the end of the line;
/// - in text: just before the next `</`.
fn recover_end(source: &str, at: usize, context: Context) -> usize {
    let bytes = source.as_bytes();
    match context {
        Context::Attribute(quote) => {
            let line_end = source
                .get(at..)
                .and_then(|s| s.find('\n'))
                .map_or(source.len(), |i| at + i);
            let mut best = None;
            let mut i = at + 2;
            while i < line_end {
                if bytes.get(i) == Some(&quote) && ends_attribute_value(bytes, i + 1) {
                    best = Some(i);
                    break;
                }
                i += 1;
            }
            best.unwrap_or(line_end)
        }
        Context::Text => source
            .get(at..)
            .and_then(|s| s.find("</"))
            .map_or(source.len(), |i| at + i),
    }
}

fn ends_attribute_value(bytes: &[u8], mut i: usize) -> bool {
    let had_space = bytes.get(i).is_some_and(|b| b.is_ascii_whitespace());
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_whitespace() && *b != b'\n')
    {
        i += 1;
    }
    match bytes.get(i) {
        None | Some(b'\n' | b'\r' | b'>') => true,
        Some(b'/') => bytes.get(i + 1) == Some(&b'>'),
        Some(b) if had_space && (b.is_ascii_alphabetic() || *b == b'_') => {
            while bytes.get(i).is_some_and(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')
            }) {
                i += 1;
            }
            bytes.get(i) == Some(&b'=')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_raw_expressions_in_attributes_and_text_keeping_length() {
        let src = r#"<when condition="@(context.Request.Headers.GetValueOrDefault("X","") == "<1>")"><value>@(a < b && c)</value></when>"#;
        let m = mask(src);
        assert_eq!(m.text.len(), src.len());
        assert_eq!(m.expressions.len(), 2);
        assert_eq!(m.expressions[0].context, Context::Attribute(b'"'));
        assert_eq!(m.expressions[1].context, Context::Text);
        assert!(m.text.starts_with("<when condition=\"xxxx"));
        assert!(m.text.contains(&format!(
            "<value>{}</value>",
            "x".repeat("@(a < b && c)".len())
        )));
        assert!(m.expressions.iter().all(|e| e.error.is_none()));
    }

    #[test]
    fn comments_cdata_and_pis_are_not_scanned() {
        let src = "<!-- @( --><![CDATA[ @{ ]]><?pi @( ?><a/>";
        assert_eq!(mask(src).expressions, vec![]);
    }

    #[test]
    fn a_broken_attribute_expression_ends_at_the_likely_value_end() {
        // The close paren is missing (Microsoft's set-backend-service example).
        let src = "<x sf-partition-key=\"@(context.Request.Url.Query.GetValueOrDefault(\"userId\",\"\")\" sf-replica-type=\"primary\" />\n<y/>";
        let m = mask(src);
        assert_eq!(m.expressions.len(), 1);
        let e = &m.expressions[0];
        assert!(e.error.is_some());
        assert_eq!(&src[e.span.end..e.span.end + 17], "\" sf-replica-type");
    }

    #[test]
    fn non_ascii_inside_expressions_keeps_the_mask_valid_utf8() {
        let src = "<a>@(\"é😀\")</a>";
        let m = mask(src);
        assert_eq!(m.text.len(), src.len());
        assert_eq!(m.text, format!("<a>{}</a>", "x".repeat(src.len() - 7)));
    }
}
