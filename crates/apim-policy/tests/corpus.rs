//! The real-world corpus (tests/corpus/, 175 policies written by others): every file has a
//! recorded expected result in `corpus.expected` — `clean`, or the exact diagnostics (code,
//! severity, line:column) with a one-line `# reason` for each file that has errors. A file APIM
//! accepts must lint without errors; any change in the linter's output fails this test.
//!
//! After an intended change: `UPDATE_CORPUS=1 cargo test -p apim-policy --test corpus`, then
//! review the diff of `corpus.expected` (reasons are kept per file).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::{LineIndex, Severity, lint};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

/// path → the lines describing its result (without reasons).
fn actual() -> BTreeMap<String, Vec<String>> {
    let root = corpus_dir();
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let mut out = BTreeMap::new();
    for path in paths {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let index = LineIndex::new(&text);
        let mut lines: Vec<String> = lint::lint(&text)
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .map(|d| {
                let p = index.line_col(d.span.start);
                format!(
                    "{} {} {}:{} {}",
                    d.code, d.severity, p.line, p.column, d.message
                )
            })
            .collect();
        if lines.is_empty() {
            lines.push("clean".into());
        }
        out.insert(rel, lines);
    }
    out
}

/// path → (result lines, reason lines).
fn expected(text: &str) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let mut out: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("## ") {
            current = Some(path.to_string());
            out.entry(path.to_string()).or_default();
        } else if let Some(cur) = &current {
            let entry = out.get_mut(cur).unwrap();
            if line.starts_with("# ") {
                entry.1.push(line.to_string());
            } else if !line.trim().is_empty() {
                entry.0.push(line.to_string());
            }
        }
    }
    out
}

#[test]
fn the_corpus_lints_as_recorded() {
    let expected_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus.expected");
    let recorded = std::fs::read_to_string(&expected_path).unwrap_or_default();
    let expected = expected(&recorded);
    let actual = actual();
    assert_eq!(actual.len(), 175, "the corpus has 175 files");

    if std::env::var_os("UPDATE_CORPUS").is_some() {
        let mut text = String::from(
            "# Expected lint results for tests/corpus (see tests/corpus.rs). `# reason:` lines are written by hand.\n\n",
        );
        for (path, lines) in &actual {
            text.push_str(&format!("## {path}\n"));
            if let Some((_, reasons)) = expected.get(path) {
                for r in reasons {
                    text.push_str(r);
                    text.push('\n');
                }
            }
            for l in lines {
                text.push_str(l);
                text.push('\n');
            }
            text.push('\n');
        }
        std::fs::write(&expected_path, text).unwrap();
        return;
    }

    let mut problems = Vec::new();
    for (path, lines) in &actual {
        match expected.get(path) {
            None => problems.push(format!("{path}: no recorded result")),
            Some((want, reasons)) => {
                if want != lines {
                    problems.push(format!(
                        "{path}:\n  expected {want:#?}\n  actual   {lines:#?}"
                    ));
                }
                let has_error = lines.iter().any(|l| l.split(' ').nth(1) == Some("error"));
                if has_error && !reasons.iter().any(|r| r.starts_with("# reason:")) {
                    problems.push(format!(
                        "{path}: has errors but no `# reason:` line saying why APIM would reject it"
                    ));
                }
            }
        }
    }
    for path in expected.keys() {
        if !actual.contains_key(path) {
            problems.push(format!("{path}: recorded but not in the corpus"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn corpus_summary() {
    // Printed numbers for the closing note (not an assertion on time).
    let actual = actual();
    let clean = actual
        .values()
        .filter(|l| l.len() == 1 && l[0] == "clean")
        .count();
    let with_errors = actual
        .values()
        .filter(|l| l.iter().any(|x| x.split(' ').nth(1) == Some("error")))
        .count();
    let warnings_only = actual.len() - clean - with_errors;
    println!(
        "corpus: {} files, {clean} clean, {warnings_only} with warnings only, {with_errors} with expected errors",
        actual.len()
    );
    assert_eq!(clean + warnings_only + with_errors, actual.len());
}

/// The editor's incremental lint (`lint_cached`, one cache across keystrokes) answers exactly
/// what a fresh lint does: every corpus file linted in turn through one cache, then each file
/// again after typing one character into each of its expressions (a changed expression, whose
/// errors must not come from the cache) and after deleting it again.
#[test]
fn cached_lint_agrees_with_a_fresh_lint() {
    let root = corpus_dir();
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let options = lint::LintOptions::default();
    let mut cache = lint::ExpressionCache::default();
    let mut edits = 0;
    for path in &paths {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        assert_eq!(
            lint::lint_cached(&text, &options, &mut cache),
            lint::lint_with(&text, &options),
            "{}",
            path.display()
        );
        let doc = apim_policy::syntax::parse(&text);
        let mut codes: Vec<usize> = Vec::new();
        for (_, node) in doc.nodes() {
            let values: Vec<&apim_policy::syntax::Value> = match &node.kind {
                apim_policy::syntax::NodeKind::Element(e) => {
                    e.attributes.iter().map(|a| &a.value).collect()
                }
                apim_policy::syntax::NodeKind::Text(v) => vec![v],
                _ => Vec::new(),
            };
            for v in values {
                codes.extend(v.expressions().map(|e| e.code_span.start));
            }
        }
        for at in codes.into_iter().take(5) {
            // `)` right at the start of the code: a C# error in a valid expression.
            let edited = format!("{})){}", &text[..at], &text[at..]);
            assert_eq!(
                lint::lint_cached(&edited, &options, &mut cache),
                lint::lint_with(&edited, &options),
                "{} edited at {at}",
                path.display()
            );
            assert_eq!(
                lint::lint_cached(&text, &options, &mut cache),
                lint::lint_with(&text, &options),
                "{} after the edit at {at} is undone",
                path.display()
            );
            edits += 1;
        }
    }
    assert!(edits > 100, "only {edits} edits tried");
    // What is left is the last document's distinct expressions, no more.
    let last = String::from_utf8_lossy(&std::fs::read(paths.last().unwrap()).unwrap()).into_owned();
    let mut fresh = lint::ExpressionCache::default();
    lint::lint_cached(&last, &options, &mut fresh);
    assert_eq!(cache.len(), fresh.len());
}
