//! Corpus measurement: every `@(…)`/`@{…}` of the real-world policies in `tests/corpus/`.
//!
//! Expressions are found with [`apim_expr::scan::scan`] outside XML comments, XML entities are
//! decoded (the escaped `xml` format) and `{{named values}}` are replaced by `x-value` as APIM
//! substitutes them before compiling. Known failures are listed, with a reason each, in
//! `tests/corpus/EXPECTED-FAILURES.tsv`; the test fails when the set changes either way.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use apim_expr::{ExprKind, parse, scan};

pub struct Found {
    pub file: String,
    pub index: usize,
    pub kind: ExprKind,
    pub code: String,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "xml") {
            out.push(p);
        }
    }
}

fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find("-->").map(|j| j + 3).unwrap_or(after.len());
        out.extend(
            after[..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' }),
        );
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn substitute_named_values(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j)
                if after[..j]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
                    && j > 0 =>
            {
                out.push_str(&rest[..i]);
                out.push_str("x-value");
                rest = &after[j + 2..];
            }
            _ => {
                out.push_str(&rest[..i + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn corpus() -> Vec<Found> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let mut found = Vec::new();
    for p in paths {
        let raw = std::fs::read_to_string(&p).unwrap();
        let text = blank_comments(&raw);
        let name = p
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut at = 0;
        let mut index = 0;
        while let Some(i) = text[at..].find('@').map(|i| i + at) {
            match scan::scan(&text, i) {
                Some(Ok(s)) => {
                    let code = decode_entities(&text[s.code_range()]);
                    found.push(Found {
                        file: name.clone(),
                        index,
                        kind: s.kind,
                        code: substitute_named_values(&code),
                    });
                    index += 1;
                    at = s.end;
                }
                Some(Err(_)) => {
                    // Unbalanced in the source: the linter reports it; not an expression here.
                    at = i + 1;
                }
                None => at = i + 1,
            }
        }
    }
    found
}

fn expected_failures(name: &str) -> BTreeSet<(String, usize)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.split('\t');
            let file = parts.next().unwrap().to_string();
            let index = parts.next().unwrap().parse().unwrap();
            (file, index)
        })
        .collect()
}

#[test]
fn corpus_parses() {
    let found = corpus();
    let mut failed = BTreeSet::new();
    for f in &found {
        let p = parse(&f.code, f.kind);
        if !p.errors.is_empty() {
            eprintln!(
                "PARSE FAIL {}\t{}\t{}\n    {}",
                f.file,
                f.index,
                p.errors[0].message,
                f.code
                    .replace('\n', " ")
                    .chars()
                    .take(200)
                    .collect::<String>()
            );
            failed.insert((f.file.clone(), f.index));
        }
    }
    let total = found.len();
    let ok = total - failed.len();
    println!(
        "corpus: {ok}/{total} expressions parse ({:.1} %)",
        ok as f64 * 100.0 / total as f64
    );
    assert!(ok * 10 >= total * 9, "fewer than 90 % parse");
    let expected = expected_failures("EXPECTED-PARSE-FAILURES.tsv");
    let new: Vec<_> = failed.difference(&expected).collect();
    let fixed: Vec<_> = expected.difference(&failed).collect();
    assert!(new.is_empty(), "new parse failures: {new:?}");
    assert!(
        fixed.is_empty(),
        "now parsing, remove from EXPECTED-PARSE-FAILURES.tsv: {fixed:?}"
    );
}
