//! Shared inputs of the export tests: the policies and scenarios in `tests/export/`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use apim_policy::export::{Scope, Target};
use apim_policy::scenario::Scenario;
use apim_policy::{Diagnostic, LineIndex, export::is_located};
use std::path::PathBuf;

pub const VARIANTS: [&str; 2] = ["system", "user"];
pub const SCOPES: [Scope; 5] = [
    Scope::Global,
    Scope::Product,
    Scope::Api,
    Scope::Operation,
    Scope::Fragment,
];
pub const TARGETS: [Target; 3] = [Target::Arm, Target::Bicep, Target::Terraform];
/// The name the fragment-scope document is exported under.
pub const FRAGMENT_NAME: &str = "backend-context";

pub fn inputs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/export")
}

pub fn policy(scope: Scope) -> String {
    std::fs::read_to_string(inputs().join(format!("{}.xml", scope.as_str()))).unwrap()
}

pub fn scenario(variant: &str) -> Scenario {
    let text = std::fs::read_to_string(inputs().join(format!("{variant}.scenario.json"))).unwrap();
    Scenario::from_json(&text).unwrap()
}

/// One line per diagnostic: severity, code, line:column when it points into the document.
pub fn describe(source: &str, d: &Diagnostic) -> String {
    let at = if is_located(d) {
        let lc = LineIndex::new(source).line_col(d.span.start);
        format!(" {}:{}", lc.line, lc.column)
    } else {
        String::new()
    };
    format!("{}[{}]{at}: {}", d.severity, d.code, d.message)
}
