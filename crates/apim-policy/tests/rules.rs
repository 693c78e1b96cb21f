//! Every linter rule's documented examples are tests: `bad` reports the rule's code, `good` does
//! not (and has no errors at all). The rendered diagnostics of every bad example are snapshotted
//! so reviewers read what users see. (Export's and import's rules, whose examples are exported
//! or imported rather than linted, are tested by `export_rules.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::lint::registry::Check;
use apim_policy::lint::{self, codes};
use apim_policy::{LineIndex, Severity, render};
use std::collections::BTreeSet;

/// The rules whose examples are linted.
fn lint_rules() -> impl Iterator<Item = &'static lint::Rule> {
    lint::rules()
        .iter()
        .copied()
        .filter(|r| doc(r).bad.check == Check::Lint)
}

/// A rule's documentation (every rule has one: `docs_pair_up_with_rules`).
fn doc(rule: &lint::Rule) -> &'static lint::RuleDoc {
    lint::doc(rule.code).unwrap_or_else(|| panic!("{} has no RuleDoc", rule.code))
}

#[test]
fn docs_pair_up_with_rules() {
    let codes: Vec<_> = lint::rules().iter().map(|r| r.code).collect();
    let documented: Vec<_> = lint::docs().iter().map(|d| d.code).collect();
    assert_eq!(codes, documented);
}

fn bad_source(rule: &lint::Rule) -> String {
    if rule.code == codes::DOCUMENT_TOO_LARGE {
        // 300 KiB: over the 256 KiB limit for a policy document.
        let filler =
            "    <!-- padding padding padding padding padding padding padding padding -->\n"
                .repeat(4200);
        return format!("<policies>\n  <inbound>\n    <base />\n{filler}  </inbound>\n</policies>");
    }
    doc(rule).bad.source.to_string()
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes_seen = BTreeSet::new();
    let mut names = BTreeSet::new();
    for rule in lint::rules() {
        assert!(codes_seen.insert(rule.code), "duplicate code {}", rule.code);
        assert!(names.insert(rule.name), "duplicate name {}", rule.name);
        assert!(
            rule.code.starts_with("APIM") && rule.code.len() == 8,
            "{}",
            rule.code
        );
        assert!(
            rule.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            rule.name
        );
        assert!(
            !rule.summary.is_empty() && !doc(rule).explanation.is_empty(),
            "{}",
            rule.code
        );
        assert!(lint::rule(rule.code).is_some());
        assert!(
            (doc(rule).bad.check == Check::Lint) == (doc(rule).good.check == Check::Lint),
            "{}: one example linted and the other not",
            rule.code
        );
    }
}

#[test]
fn every_lint_code_has_a_rule_whose_examples_are_linted() {
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lint/codes.rs"),
    )
    .unwrap();
    let mut seen = 0;
    for code in source
        .split('"')
        .filter(|s| s.starts_with("APIM") && s.len() == 8)
    {
        seen += 1;
        let rule = lint::rule(code).unwrap_or_else(|| panic!("{code} has no rule"));
        assert_eq!(doc(rule).bad.check, Check::Lint, "{code}");
    }
    assert_eq!(seen, lint_rules().count());
}

#[test]
fn every_bad_example_reports_its_code() {
    let mut failures = Vec::new();
    for rule in lint_rules() {
        let source = bad_source(rule);
        let found = lint::lint_with(&source, &doc(rule).bad.options());
        if !found
            .iter()
            .any(|d| d.code == rule.code && d.severity == rule.severity)
        {
            let codes: Vec<String> = found
                .iter()
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            failures.push(format!(
                "{} ({}): not reported at {:?}; found {codes:?}",
                rule.code, rule.name, rule.severity
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_good_example_is_clean() {
    let mut failures = Vec::new();
    for rule in lint_rules() {
        let found = lint::lint_with(doc(rule).good.source, &doc(rule).good.options());
        for d in found
            .iter()
            .filter(|d| d.code == rule.code || d.severity != Severity::Info)
        {
            failures.push(format!(
                "{} ({}): the good example reports {} {}",
                rule.code, rule.name, d.code, d.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fix_in_a_bad_example_removes_the_problem() {
    for rule in lint_rules() {
        let source = bad_source(rule);
        let options = doc(rule).bad.options();
        for d in lint::lint_with(&source, &options)
            .iter()
            .filter(|d| d.code == rule.code)
        {
            let Some(fix) = &d.fix else { continue };
            let fixed = apim_policy::fix::apply(&source, &fix.edits).unwrap();
            let after = lint::lint_with(&fixed, &options);
            assert!(
                !after
                    .iter()
                    .any(|a| a.code == rule.code && a.message == d.message),
                "{}: applying {:?} leaves the problem:\n{fixed}\n{after:#?}",
                rule.code,
                fix.message
            );
        }
    }
}

#[test]
fn rendered_bad_examples() {
    let mut out = String::new();
    for rule in lint_rules() {
        if rule.code == codes::DOCUMENT_TOO_LARGE || rule.code == codes::TOO_DEEP {
            continue;
        }
        let source = bad_source(rule);
        let index = LineIndex::new(&source);
        out.push_str(&format!("=== {} {}\n", rule.code, rule.name));
        for d in lint::lint_with(&source, &doc(rule).bad.options()) {
            out.push_str(&render::render_text("bad.xml", &index, &d));
        }
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}
