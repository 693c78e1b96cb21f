//! The parser on arbitrary bytes (as the CLI reads them: lossy UTF-8): never panics, every
//! span is inside the text and on character boundaries, nesting stays bounded, and the fast
//! tokenizer reads the text exactly as quick-xml does (`parse` equals `parse_reference`).
#![no_main]

use apim_policy::syntax::{self, NodeKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = syntax::parse(&text);
    assert!(doc == syntax::parse_reference(&text), "the fast tokenizer and quick-xml differ");
    let ok = |s: apim_policy::Span| s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end);
    for d in &doc.diagnostics {
        assert!(ok(d.span), "diagnostic span {:?} out of range", d.span);
    }
    for (id, node) in doc.nodes() {
        assert!(ok(node.span), "node span {:?}", node.span);
        assert!(doc.ancestors(id).count() <= syntax::MAX_DEPTH);
        if let NodeKind::Element(e) = &node.kind {
            assert!(ok(e.name_span) && ok(e.start_tag));
            for a in &e.attributes {
                assert!(ok(a.name_span) && ok(a.value.span));
            }
        }
    }
    for e in doc.expressions() {
        assert!(ok(e.span) && ok(e.code_span));
        assert_eq!(e.checkable_code().len(), e.code.len());
    }
});
