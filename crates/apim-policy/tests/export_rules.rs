//! Export's and import's codes (`APIM09xx`) are documented rules like the linter's, and their
//! examples are tests: each is exported or imported through the entry point its
//! [`Check`] names; `bad` reports the rule's code with the rule's severity, `good` does not
//! (and has no error at all). Every code in `export/codes.rs` has such a rule, every diagnostic
//! the examples produce carries help, and the rendered diagnostics of the bad examples are
//! snapshotted so reviewers read what users see.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::export::{self, is_located};
use apim_policy::lint::registry::Check;
use apim_policy::lint::{self, LintOptions, Rule};
use apim_policy::scenario::Scenario;
use apim_policy::{Diagnostic, LineIndex, Severity, render};
use std::path::Path;

/// A rule's documentation (`rules.rs` checks that every rule has one).
fn doc(rule: &Rule) -> &'static lint::RuleDoc {
    lint::doc(rule.code).unwrap_or_else(|| panic!("{} has no RuleDoc", rule.code))
}

/// The rules whose examples are exported or imported.
fn export_rules() -> Vec<&'static Rule> {
    lint::rules()
        .iter()
        .copied()
        .filter(|r| doc(r).bad.check != Check::Lint)
        .collect()
}

fn diagnostics(rule: &Rule, which: &str) -> Vec<Diagnostic> {
    let example = if which == "bad" {
        &doc(rule).bad
    } else {
        &doc(rule).good
    };
    example
        .diagnostics()
        .unwrap_or_else(|e| panic!("{} {which} example: {e}", rule.code))
}

/// The codes `export/codes.rs` defines, in order.
fn defined_codes() -> Vec<String> {
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/export/codes.rs"))
            .unwrap();
    source
        .split('"')
        .filter(|s| s.starts_with("APIM09") && s.len() == 8)
        .map(str::to_string)
        .collect()
}

#[test]
fn every_export_code_has_a_rule_and_every_rule_a_code() {
    let defined = defined_codes();
    assert!(!defined.is_empty());
    for code in &defined {
        let rule = lint::rule(code).unwrap_or_else(|| panic!("{code} has no Rule entry"));
        assert!(
            doc(rule).bad.check != Check::Lint && doc(rule).good.check != Check::Lint,
            "{code}: its examples must be exported or imported"
        );
        assert!(rule.run.is_none(), "{code}: export rules are data only");
    }
    let documented: Vec<String> = export_rules().iter().map(|r| r.code.to_string()).collect();
    assert_eq!(
        documented, defined,
        "the registry lists export's rules in the order of export/codes.rs"
    );
}

#[test]
fn export_rules_are_checked_by_the_right_kind_of_example() {
    for rule in export_rules() {
        let import = rule.code >= "APIM0950";
        for (which, example) in [("bad", &doc(rule).bad), ("good", &doc(rule).good)] {
            let is_import = matches!(example.check, Check::ImportArm | Check::ImportApiops(_));
            assert_eq!(
                is_import, import,
                "{} {which}: APIM095x codes are import's, the others export's",
                rule.code
            );
        }
    }
}

#[test]
fn every_bad_example_reports_its_code_with_the_rules_severity() {
    let mut failures = Vec::new();
    for rule in export_rules() {
        let found = diagnostics(rule, "bad");
        let own: Vec<&Diagnostic> = found.iter().filter(|d| d.code == rule.code).collect();
        if own.is_empty() || own.iter().any(|d| d.severity != rule.severity) {
            failures.push(format!(
                "{} ({}): expected at {:?}; found {:?}",
                rule.code,
                rule.name,
                rule.severity,
                found
                    .iter()
                    .map(|d| format!("{} {} {}", d.severity, d.code, d.message))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_good_example_is_clean() {
    let mut failures = Vec::new();
    for rule in export_rules() {
        for d in diagnostics(rule, "good")
            .iter()
            .filter(|d| d.code == rule.code || d.severity == Severity::Error)
        {
            failures.push(format!(
                "{} ({}): the good example reports {} {} {}",
                rule.code, rule.name, d.severity, d.code, d.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A good example's policy is itself a good policy: it lints without errors, with what the
/// scenario declares, at the scope it is exported at.
#[test]
fn the_policies_of_good_export_examples_lint_without_errors() {
    for rule in export_rules() {
        let Check::Export(how) = doc(rule).good.check else {
            continue;
        };
        let source = doc(rule).good.source;
        let mut options = match how.scenario {
            Some(json) => LintOptions::from_scenario(&Scenario::from_json(json).unwrap()),
            None => LintOptions::default(),
        };
        options.scope = how.scope.map(|s| match s {
            export::Scope::Global => apim_policy::catalog::Scope::Global,
            export::Scope::Product => apim_policy::catalog::Scope::Product,
            export::Scope::Api => apim_policy::catalog::Scope::Api,
            export::Scope::Operation => apim_policy::catalog::Scope::Operation,
            export::Scope::Fragment => apim_policy::catalog::Scope::Fragment,
        });
        let errors: Vec<String> = lint::lint_with(source, &options)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", rule.code);
    }
}

/// What export and import report always says what to do.
#[test]
fn every_diagnostic_of_an_example_has_help() {
    for rule in export_rules() {
        for which in ["bad", "good"] {
            for d in diagnostics(rule, which) {
                assert!(
                    d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
                    "{} {which}: {} {} has no help",
                    rule.code,
                    d.code,
                    d.message
                );
            }
        }
    }
}

/// An example that the export refuses is refused: errors come back as `Err`, so a template is
/// never written for them; warnings and notes come with a template.
#[test]
fn export_errors_refuse_and_warnings_do_not() {
    for rule in export_rules() {
        let Check::Export(how) = doc(rule).bad.check else {
            continue;
        };
        let scenario = how.scenario.map(|j| Scenario::from_json(j).unwrap());
        let result = export::export(doc(rule).bad.source, &how.options(), scenario.as_ref());
        match rule.severity {
            Severity::Error => assert!(result.is_err(), "{} should refuse", rule.code),
            _ => assert!(
                result.is_ok(),
                "{} should export: {:?}",
                rule.code,
                result.err()
            ),
        }
    }
}

#[test]
fn rendered_bad_examples() {
    let mut out = String::new();
    for rule in export_rules() {
        let source = doc(rule).bad.source;
        let index = LineIndex::new(source);
        out.push_str(&format!("=== {} {}\n", rule.code, rule.name));
        for d in diagnostics(rule, "bad") {
            if is_located(&d) {
                let name = match doc(rule).bad.check {
                    Check::ImportArm => "template.json",
                    _ => "policy.xml",
                };
                out.push_str(&render::render_text(name, &index, &d));
            } else {
                // As the CLI prints diagnostics about the scenario, options or template.
                out.push_str(&format!("{}[{}]: {}\n", d.severity, d.code, d.message));
                if let Some(help) = &d.help {
                    out.push_str(&format!("  = help: {help}\n"));
                }
            }
        }
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}
