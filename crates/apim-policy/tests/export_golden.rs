//! Golden files: every target × scope, full and snippet, for both test scenarios
//! (`tests/export/README.md`), plus the diagnostics of each export.
//!
//! The files under `tests/golden/export/` are what the exporter writes, byte for byte. After an
//! intended change, regenerate them with `UPDATE_GOLDEN=1 cargo test -p apim-policy --test
//! export_golden` and review the diff.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod export_common;

use apim_policy::export::{ExportOptions, Scope, Target, export};
use export_common::*;
use std::fmt::Write;
use std::path::PathBuf;

fn golden_dir(variant: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/export")
        .join(variant)
}

fn check(path: &PathBuf, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{} differs; first difference at line {}",
            path.display(),
            expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .map_or_else(
                    || expected.lines().count().min(actual.lines().count()) + 1,
                    |i| i + 1
                )
        )),
        Err(e) => failures.push(format!(
            "{}: {e} (run with UPDATE_GOLDEN=1)",
            path.display()
        )),
    }
}

#[test]
fn every_target_and_scope_matches_its_golden_file() {
    let mut failures = Vec::new();
    let mut written = Vec::new();
    for variant in VARIANTS {
        let scenario = scenario(variant);
        for scope in SCOPES {
            let source = policy(scope);
            let mut diagnostics_text = String::new();
            for target in TARGETS {
                for snippet in [false, true] {
                    let options = ExportOptions {
                        target,
                        scope: Some(scope),
                        fragment: Some(FRAGMENT_NAME.into()),
                        snippet,
                        ..ExportOptions::default()
                    };
                    let out = export(&source, &options, Some(&scenario))
                        .unwrap_or_else(|e| panic!("{variant}/{scope:?}/{target:?}: {e:#?}"));
                    let path = golden_dir(variant).join(&out.file_name);
                    check(&path, &out.text, &mut failures);
                    written.push(format!("{variant}/{}", out.file_name));
                    let _ = writeln!(
                        diagnostics_text,
                        "## {} {}",
                        target.as_str(),
                        if snippet { "snippet" } else { "full" }
                    );
                    for d in &out.diagnostics {
                        let _ = writeln!(diagnostics_text, "{}", describe(&source, d));
                    }
                }
            }
            let path = golden_dir(variant).join(format!("{}.diagnostics.txt", scope.as_str()));
            check(&path, &diagnostics_text, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 2 scenarios × 5 scopes × 3 targets × (full, snippet), each with its own file name.
    written.sort();
    written.dedup();
    assert_eq!(written.len(), 60, "{written:#?}");
}

#[test]
fn file_names_say_what_the_file_is() {
    let scenario = scenario("system");
    let name = |scope: Scope, target: Target, snippet: bool| {
        let options = ExportOptions {
            target,
            scope: Some(scope),
            fragment: Some(FRAGMENT_NAME.into()),
            snippet,
            ..ExportOptions::default()
        };
        export(&policy(scope), &options, Some(&scenario))
            .unwrap()
            .file_name
    };
    assert_eq!(
        name(Scope::Operation, Target::Arm, false),
        "orders-get-order-policy.json"
    );
    assert_eq!(
        name(Scope::Api, Target::Bicep, true),
        "orders-policy.snippet.bicep"
    );
    assert_eq!(
        name(Scope::Product, Target::Terraform, false),
        "product-starter-policy.tf"
    );
    assert_eq!(
        name(Scope::Global, Target::Arm, true),
        "global-policy.snippet.json"
    );
    assert_eq!(
        name(Scope::Fragment, Target::Bicep, false),
        format!("fragment-{FRAGMENT_NAME}.bicep")
    );
}

#[test]
fn an_arm_snippet_is_exactly_the_full_templates_resources() {
    for variant in VARIANTS {
        let scenario = scenario(variant);
        for scope in SCOPES {
            let options = |snippet| ExportOptions {
                scope: Some(scope),
                fragment: Some(FRAGMENT_NAME.into()),
                snippet,
                ..ExportOptions::default()
            };
            let full = export(&policy(scope), &options(false), Some(&scenario)).unwrap();
            let snippet = export(&policy(scope), &options(true), Some(&scenario)).unwrap();
            let full: serde_json::Value = serde_json::from_str(&full.text).unwrap();
            let snippet: serde_json::Value = serde_json::from_str(&snippet.text).unwrap();
            assert_eq!(full["resources"], snippet, "{variant}/{scope:?}");
        }
    }
}
