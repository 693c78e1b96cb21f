//! Lint fixtures for classes of false (or missed) errors (tests/lint/*.xml): each file says in
//! its leading comments what the linter must report, `<!-- expect: CODE line:column -->` per
//! error or warning (or `<!-- expect: clean -->`), and optionally `<!-- scope: global -->`.
//! The whole list must match exactly, so a fixture fails both on a false error and on a missed
//! one. Info-level diagnostics are not listed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::catalog::Scope;
use apim_policy::lint::{LintOptions, lint_with};
use apim_policy::{LineIndex, Severity};
use std::path::Path;

fn expectations(source: &str) -> (Option<Scope>, Vec<String>) {
    let mut scope = None;
    let mut expected = Vec::new();
    for line in source.lines() {
        let Some(rest) = line.trim().strip_prefix("<!-- ") else {
            continue;
        };
        let rest = rest.trim_end_matches("-->").trim();
        if let Some(s) = rest.strip_prefix("scope: ") {
            scope = Some(Scope::from_name(s).unwrap());
        } else if let Some(e) = rest.strip_prefix("expect: ")
            && e != "clean"
        {
            expected.push(e.to_string());
        }
    }
    (scope, expected)
}

#[test]
fn every_fixture_lints_as_it_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 6, "fixtures missing in {}", dir.display());
    let mut problems = Vec::new();
    for path in paths {
        let source = std::fs::read_to_string(&path).unwrap();
        let (scope, mut expected) = expectations(&source);
        assert!(
            source.contains("<!-- expect:"),
            "{}: no expectations",
            path.display()
        );
        let options = LintOptions {
            scope,
            ..LintOptions::default()
        };
        let index = LineIndex::new(&source);
        let diagnostics = lint_with(&source, &options);
        let mut actual: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .map(|d| {
                let p = index.line_col(d.span.start);
                format!("{} {}:{}", d.code, p.line, p.column)
            })
            .collect();
        actual.sort();
        expected.sort();
        if actual != expected {
            let detail: Vec<String> = diagnostics
                .iter()
                .map(|d| {
                    let p = index.line_col(d.span.start);
                    format!("  {} {}:{} {}", d.code, p.line, p.column, d.message)
                })
                .collect();
            problems.push(format!(
                "{}: expected {expected:?}, got {actual:?}\n{}",
                path.file_name().unwrap().to_string_lossy(),
                detail.join("\n")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
