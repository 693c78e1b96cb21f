//! The entry point of validation: `lint(source)` → diagnostics.
//!
//! Foundation slice: XML well-formedness only. The APIM-faithful parser and the rule set replace
//! this module's internals; its signature stays.

use crate::diagnostic::{Diagnostic, Span};
use quick_xml::Reader;
use quick_xml::events::Event;

/// The code of the XML well-formedness rule.
pub const XML_SYNTAX: &str = "APIM0001";

/// Validate a policy document. Never panics; returns an empty list for a clean document.
pub fn lint(source: &str) -> Vec<Diagnostic> {
    let mut reader = Reader::from_str(source);
    let mut diagnostics = Vec::new();
    let mut open: Vec<(String, Span)> = Vec::new();
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
                let name = e.name().as_ref().to_string();
                open.push((name, Span::new(before, after)));
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(_) => {}
            Err(err) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(before);
                let at = at.min(source.len());
                let end = source
                    .get(at..)
                    .and_then(|s| s.find('>'))
                    .map_or(source.len(), |i| at + i + 1);
                diagnostics.push(
                    Diagnostic::error(XML_SYNTAX, Span::new(at, end), format!("XML syntax error: {err}"))
                        .with_help("APIM stores policies as XML: every element must be closed and attribute values quoted."),
                );
                return diagnostics;
            }
        }
    }
    if let Some((name, span)) = open.pop() {
        diagnostics.push(
            Diagnostic::error(
                XML_SYNTAX,
                span,
                format!("element <{name}> is never closed"),
            )
            .with_help(format!(
                "Add </{name}> where the element ends, or write it as <{name} />."
            )),
        );
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LineIndex;

    #[test]
    fn a_well_formed_policy_has_no_diagnostics() {
        let src = "<policies><inbound><base /></inbound></policies>";
        assert_eq!(lint(src), vec![]);
    }

    #[test]
    fn a_mismatched_end_tag_is_reported_on_its_line() {
        let src = "<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>";
        let d = lint(src);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, XML_SYNTAX);
        assert_eq!(LineIndex::new(src).line_col(d[0].span.start).line, 4);
    }

    #[test]
    fn an_unclosed_element_is_reported_where_it_opens() {
        let src = "<policies>\n  <inbound>\n";
        let d = lint(src);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("<inbound>"), "{}", d[0].message);
        assert_eq!(LineIndex::new(src).line_col(d[0].span.start).line, 2);
    }
}
