//! The small Markdown subset the core writes (rule explanations, hover and completion docs) as
//! safe HTML: paragraphs, fenced code blocks, `- ` lists, `code`, **bold**, *emphasis* and
//! `[links](https://…)`. Everything else is text.
//!
//! All text is escaped first, so the output can be given to `innerHTML` (the editor's tooltips)
//! and `Html::from_html_unchecked` (the rule page). Links are kept only for `https:`/`http:`
//! and in-page `#…` targets; external ones open in a new tab without a referrer.

/// Render Markdown to HTML. Never panics; any input gives well-formed, escaped HTML.
pub fn to_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 4);
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    let mut fence: Option<Vec<&str>> = None;

    for line in markdown.lines() {
        if let Some(code) = fence.as_mut() {
            if line.trim_start().starts_with("```") {
                out.push_str("<pre><code>");
                out.push_str(&escape(&code.join("\n")));
                out.push_str("</code></pre>");
                fence = None;
            } else {
                code.push(line);
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush_paragraph(&mut out, &mut paragraph);
            flush_list(&mut out, &mut list);
            fence = Some(Vec::new());
        } else if let Some(item) = trimmed.strip_prefix("- ").or(trimmed.strip_prefix("* ")) {
            flush_paragraph(&mut out, &mut paragraph);
            list.push(item.to_string());
        } else if trimmed.is_empty() {
            flush_paragraph(&mut out, &mut paragraph);
            flush_list(&mut out, &mut list);
        } else if !list.is_empty() && line.starts_with("  ") {
            // A continuation line of the last list item.
            if let Some(last) = list.last_mut() {
                last.push(' ');
                last.push_str(trimmed);
            }
        } else {
            flush_list(&mut out, &mut list);
            paragraph.push(trimmed);
        }
    }
    if let Some(code) = fence {
        // An unterminated fence: still show what it holds.
        out.push_str("<pre><code>");
        out.push_str(&escape(&code.join("\n")));
        out.push_str("</code></pre>");
    }
    flush_paragraph(&mut out, &mut paragraph);
    flush_list(&mut out, &mut list);
    out
}

fn flush_paragraph(out: &mut String, paragraph: &mut Vec<&str>) {
    if paragraph.is_empty() {
        return;
    }
    out.push_str("<p>");
    out.push_str(&inline(&paragraph.join(" ")));
    out.push_str("</p>");
    paragraph.clear();
}

fn flush_list(out: &mut String, list: &mut Vec<String>) {
    if list.is_empty() {
        return;
    }
    out.push_str("<ul>");
    for item in list.iter() {
        out.push_str("<li>");
        out.push_str(&inline(item));
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    list.clear();
}

/// One line of Markdown (a diagnostic's help) as inline HTML: code spans, emphasis, links.
pub fn inline_to_html(text: &str) -> String {
    inline(text)
}

/// Escape text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline markup of one paragraph: code spans first (their content is literal), then links,
/// bold and emphasis in the text between them.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let (before, after) = rest.split_at(start);
        let after = after.get(1..).unwrap_or("");
        match after.find('`') {
            Some(end) => {
                out.push_str(&spans(before));
                out.push_str("<code>");
                out.push_str(&escape(after.get(..end).unwrap_or("")));
                out.push_str("</code>");
                rest = after.get(end + 1..).unwrap_or("");
            }
            None => break,
        }
    }
    out.push_str(&spans(rest));
    out
}

/// Links, `**bold**` and `*emphasis*` in text without code spans.
fn spans(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(link) = parse_link(rest.get(open..).unwrap_or("")) else {
            out.push_str(&emphasis(rest.get(..=open).unwrap_or("")));
            rest = rest.get(open + 1..).unwrap_or("");
            continue;
        };
        out.push_str(&emphasis(rest.get(..open).unwrap_or("")));
        let label = emphasis(link.label);
        if let Some(href) = safe_href(link.url) {
            let external = !href.starts_with('#');
            out.push_str("<a href=\"");
            out.push_str(&escape(href));
            out.push('"');
            if external {
                out.push_str(" target=\"_blank\" rel=\"noopener noreferrer\"");
            }
            out.push('>');
            out.push_str(&label);
            out.push_str("</a>");
        } else {
            out.push_str(&label);
        }
        rest = rest.get(open + link.len..).unwrap_or("");
    }
    out.push_str(&emphasis(rest));
    out
}

struct Link<'a> {
    label: &'a str,
    url: &'a str,
    /// Bytes from `[` to the closing `)`, inclusive.
    len: usize,
}

/// `[label](url)` at the start of `text`.
fn parse_link(text: &str) -> Option<Link<'_>> {
    let close = text.find("](")?;
    let label = text.get(1..close)?;
    if label.contains('[') || label.contains(']') {
        return None;
    }
    let url_start = close + 2;
    let url_len = text.get(url_start..)?.find(')')?;
    let url = text.get(url_start..url_start + url_len)?;
    if url.contains(char::is_whitespace) {
        return None;
    }
    Some(Link {
        label,
        url,
        len: url_start + url_len + 1,
    })
}

fn safe_href(url: &str) -> Option<&str> {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || url.starts_with('#'))
        .then_some(url)
}

/// `**bold**` and `*emphasis*`; unpaired markers stay text. Escapes the text.
fn emphasis(text: &str) -> String {
    let mut out = String::new();
    for (bold, part) in split_marked(text, "**") {
        if bold {
            out.push_str("<strong>");
        }
        for (em, inner) in split_marked(&part, "*") {
            if em {
                out.push_str("<em>");
                out.push_str(&escape(&inner));
                out.push_str("</em>");
            } else {
                out.push_str(&escape(&inner));
            }
        }
        if bold {
            out.push_str("</strong>");
        }
    }
    out
}

/// Split `text` into plain and marked runs. A marker opens only before a non-space and closes
/// only after one, so `2 * 3` and a lone `*` stay text.
fn split_marked(text: &str, marker: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(open) = rest.find(marker) {
        let inner = rest.get(open + marker.len()..).unwrap_or("");
        let opens = inner.chars().next().is_some_and(|c| !c.is_whitespace());
        let close = if opens { closing(inner, marker) } else { None };
        match close {
            Some(c) => {
                plain.push_str(rest.get(..open).unwrap_or(""));
                out.push((false, std::mem::take(&mut plain)));
                out.push((true, inner.get(..c).unwrap_or("").to_string()));
                rest = inner.get(c + marker.len()..).unwrap_or("");
            }
            None => {
                plain.push_str(rest.get(..open + marker.len()).unwrap_or(""));
                rest = inner;
            }
        }
    }
    plain.push_str(rest);
    out.push((false, plain));
    out
}

/// The first `marker` in `inner` that follows a non-space character.
fn closing(inner: &str, marker: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = inner.get(from..).and_then(|s| s.find(marker)) {
        let at = from + i;
        let before = inner.get(..at).and_then(|s| s.chars().last());
        if before.is_some_and(|c| !c.is_whitespace()) {
            return Some(at);
        }
        from = at + marker.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_code_bold_and_links() {
        assert_eq!(
            to_html(
                "**set-header** · Transformation\n\nUse `a < b` and *this*.\n\n[Microsoft Learn: x](https://learn.microsoft.com/x)"
            ),
            "<p><strong>set-header</strong> · Transformation</p><p>Use <code>a &lt; b</code> and <em>this</em>.</p>\
             <p><a href=\"https://learn.microsoft.com/x\" target=\"_blank\" rel=\"noopener noreferrer\">Microsoft Learn: x</a></p>"
        );
    }

    #[test]
    fn inline_help_has_no_paragraph() {
        assert_eq!(
            inline_to_html("a literal `<` must be written `&lt;`"),
            "a literal <code>&lt;</code> must be written <code>&amp;lt;</code>"
        );
    }

    #[test]
    fn fenced_code_is_literal() {
        assert_eq!(
            to_html(
                "```csharp\ncontext.Request.Headers: IReadOnlyDictionary<string, string[]>\n```\nproperty of `IRequest`."
            ),
            "<pre><code>context.Request.Headers: IReadOnlyDictionary&lt;string, string[]&gt;</code></pre><p>property of <code>IRequest</code>.</p>"
        );
        assert_eq!(to_html("```\n<x>"), "<pre><code>&lt;x&gt;</code></pre>");
    }

    #[test]
    fn lists_and_unpaired_markers() {
        assert_eq!(
            to_html("Either:\n- one `a`\n- two\n  continued"),
            "<p>Either:</p><ul><li>one <code>a</code></li><li>two continued</li></ul>"
        );
        assert_eq!(to_html("2 * 3 * 4, a*"), "<p>2 * 3 * 4, a*</p>");
        assert_eq!(to_html("`open"), "<p>`open</p>");
        assert_eq!(
            to_html("**a** and **b"),
            "<p><strong>a</strong> and **b</p>"
        );
    }

    #[test]
    fn everything_is_escaped_and_only_safe_links_survive() {
        let html = to_html(
            "<script>alert(1)</script> [x](javascript:alert(1)) [y](#rule/APIM0001) \"q\" 'a'",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("<a href=\"#rule/APIM0001\">y</a>"), "{html}");
        assert!(html.contains("&quot;q&quot; &#39;a&#39;"), "{html}");
        assert_eq!(
            to_html("[a](https://x/\"onmouseover=1)"),
            "<p><a href=\"https://x/&quot;onmouseover=1\" target=\"_blank\" rel=\"noopener noreferrer\">a</a></p>"
        );
    }

    #[test]
    fn every_rule_explanation_renders() {
        for rule in apim_policy::lint::docs() {
            let html = to_html(rule.explanation);
            assert!(html.starts_with("<p>"), "{}: {html}", rule.code);
            assert!(
                !html.contains('`'),
                "{}: a code span was not closed: {html}",
                rule.code
            );
        }
    }
}
