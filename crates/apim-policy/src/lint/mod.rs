//! Validation: `lint(source)` → diagnostics.

pub mod codes;

use crate::diagnostic::Diagnostic;
use crate::syntax;

/// Validate a policy document. Never panics; returns an empty list for a clean document.
pub fn lint(source: &str) -> Vec<Diagnostic> {
    syntax::parse(source).diagnostics
}
