//! The formatter over the real-world corpus (`tests/corpus/`, 175 files): every file that
//! parses without syntax errors is formatted, the result is stable (formatting it again changes
//! nothing) and parses to the same tree once whitespace-only text is ignored; every file with
//! syntax errors is refused and left alone. The comparison here is written independently of
//! the formatter's own safety check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::Severity;
use apim_policy::format::format;
use apim_policy::syntax::{self, Document, NodeId, NodeKind};
use std::path::{Path, PathBuf};

fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"),
        &mut files,
    );
    files.sort();
    files
}

/// A flat, comparable rendering of a tree: one line per node, whitespace-only text left out.
fn shape(doc: &Document, src: &str) -> Vec<String> {
    fn raw(src: &str, start: usize, end: usize) -> String {
        src[start..end].to_string()
    }
    fn walk(doc: &Document, src: &str, id: NodeId, depth: usize, out: &mut Vec<String>) {
        let node = doc.node(id).unwrap();
        let line = match &node.kind {
            NodeKind::Element(e) => {
                let attrs: Vec<String> = e
                    .attributes
                    .iter()
                    .map(|a| {
                        format!(
                            "{}={}",
                            a.name,
                            raw(src, a.value.span.start, a.value.span.end)
                        )
                    })
                    .collect();
                format!("<{} {}>", e.name, attrs.join(" "))
            }
            NodeKind::Text(v) => format!("text {:?}", raw(src, v.span.start, v.span.end)),
            NodeKind::CData(_) => format!("cdata {:?}", raw(src, node.span.start, node.span.end)),
            NodeKind::Comment => format!("comment {:?}", raw(src, node.span.start, node.span.end)),
            NodeKind::ProcessingInstruction | NodeKind::DocType => {
                format!("decl {:?}", raw(src, node.span.start, node.span.end))
            }
        };
        out.push(format!("{}{line}", "  ".repeat(depth)));
        if let Some(e) = doc.element(id) {
            for &c in &e.children {
                walk(doc, src, c, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    for &id in &doc.top_level {
        walk(doc, src, id, 0, &mut out);
    }
    out
}

fn has_syntax_errors(doc: &Document) -> bool {
    doc.diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
}

#[test]
fn corpus_formats_idempotently_and_keeps_every_tree() {
    let files = corpus_files();
    assert_eq!(files.len(), 175, "the corpus has 175 files");
    let (mut formatted, mut changed, mut refused) = (0, 0, Vec::new());
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let src = String::from_utf8(bytes).expect("corpus files are UTF-8");
        let name = path.display();
        let doc = syntax::parse(&src);
        match format(&src) {
            Ok(out) => {
                assert!(
                    !has_syntax_errors(&doc),
                    "{name}: formatted despite syntax errors"
                );
                formatted += 1;
                if out != src {
                    changed += 1;
                }
                let again = format(&out).unwrap_or_else(|e| panic!("{name}: second pass: {e}"));
                assert_eq!(again, out, "{name}: not idempotent");
                let out_doc = syntax::parse(&out);
                assert!(
                    !has_syntax_errors(&out_doc),
                    "{name}: output has syntax errors"
                );
                assert_eq!(
                    shape(&out_doc, &out),
                    shape(&doc, &src),
                    "{name}: the tree changed"
                );
                let eol_in = src.contains("\r\n");
                assert_eq!(out.contains("\r\n"), eol_in, "{name}: line endings changed");
                assert_eq!(
                    out.starts_with('\u{feff}'),
                    src.starts_with('\u{feff}'),
                    "{name}: BOM"
                );
            }
            Err(e) => {
                assert!(
                    has_syntax_errors(&doc),
                    "{name}: refused without a syntax error: {e}"
                );
                refused.push(format!("{name}: {e}"));
            }
        }
    }
    // The counts are part of the contract: a change here should be looked at, not waved through.
    eprintln!(
        "corpus: {formatted} formatted ({changed} changed), {} refused:\n{}",
        refused.len(),
        refused.join("\n")
    );
    assert_eq!(formatted + refused.len(), files.len());
}
