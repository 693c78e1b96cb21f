//! Validation: every problem APIM would reject, plus the mistakes that bite at runtime.
//!
//! [`lint`] / [`lint_with`] parse a document and run every rule; [`check`] runs the rules on a
//! document parsed already (the simulator and the editor reuse one parse). Rules live one per
//! file in `rules/`; each has a stable code ([`codes`]) and its documentation with a bad and a
//! good example in a [`Rule`] entry ([`registry`]). Rules read a [`Ctx`]: the tree, what each
//! element is (root, section, policy, a policy's child, unknown), its section, and the options.

pub mod codes;
mod context;
pub mod registry;
mod rules;

pub use context::{Ctx, Info, Kind, PathCounts};
pub use registry::{Example, Rule, RuleDoc, doc, docs, rule, rules};

use crate::catalog::Scope;
use crate::diagnostic::{Diagnostic, Severity};
use crate::scenario::Scenario;
use crate::syntax::{self, Document};

/// What the linter knows beyond the document itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LintOptions {
    /// Where the document is attached. Default: `Fragment` when the root is `<fragment>`,
    /// otherwise `Api` (the contract's default).
    pub scope: Option<Scope>,
    /// The named values that exist; `None` means unknown (references are not checked).
    pub named_values: Option<Vec<NamedValueInfo>>,
    /// The policy fragments that exist; `None` means unknown.
    pub fragments: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamedValueInfo {
    pub name: String,
    /// Secret or Key Vault-backed: masked, and never to be logged.
    pub secret: bool,
    /// A plain value the linter may substitute to check typed attributes.
    pub value: Option<String>,
    /// The Key Vault secret identifier, for Key Vault-backed values.
    pub key_vault_secret: Option<String>,
}

impl LintOptions {
    /// The named values and fragments a scenario declares.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        LintOptions {
            scope: None,
            named_values: Some(
                scenario
                    .named_values
                    .iter()
                    .map(|nv| NamedValueInfo {
                        name: nv.name.clone(),
                        secret: nv.is_secret(),
                        value: if nv.is_secret() {
                            None
                        } else {
                            nv.value.clone()
                        },
                        key_vault_secret: nv
                            .key_vault
                            .as_ref()
                            .map(|k| k.secret_identifier.clone()),
                    })
                    .collect(),
            ),
            fragments: Some(scenario.fragments.iter().map(|f| f.name.clone()).collect()),
        }
    }

    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    pub fn named_value(&self, name: &str) -> Option<&NamedValueInfo> {
        self.named_values
            .as_ref()?
            .iter()
            .find(|nv| nv.name.eq_ignore_ascii_case(name))
    }
}

/// Validate a policy document with no outside knowledge. Never panics.
pub fn lint(source: &str) -> Vec<Diagnostic> {
    lint_with(source, &LintOptions::default())
}

/// Validate a policy document. Never panics.
pub fn lint_with(source: &str, options: &LintOptions) -> Vec<Diagnostic> {
    let doc = syntax::parse(source);
    check(&doc, source, options)
}

/// Run every rule on a parsed document; returns the parser's diagnostics and the rules', in
/// source order.
pub fn check(doc: &Document, source: &str, options: &LintOptions) -> Vec<Diagnostic> {
    let mut cx = Ctx::new(doc, source, options);
    for rule in registry::rules() {
        if let Some(run) = rule.run {
            run(&mut cx);
        }
    }
    let mut out = doc.diagnostics.clone();
    out.extend(cx.into_diagnostics());
    out.sort_by(|a, b| (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code)));
    out.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    // Every diagnostic carries help: the rule's summary when the check gave none.
    for d in &mut out {
        if d.help.is_none() {
            d.help = registry::rule(d.code).map(|r| r.summary.to_string());
        }
    }
    out
}

/// The scope a document is linted at.
pub fn effective_scope(doc: &Document, options: &LintOptions) -> Scope {
    options.scope.unwrap_or_else(|| match doc.root_element() {
        Some(root) if root.name == "fragment" => Scope::Fragment,
        _ => Scope::Api,
    })
}

/// The diagnostic for a file that is not valid UTF-8 (see [`crate::text::decode`]): APIM reads
/// policies as UTF-8 XML and rejects such a document.
pub fn invalid_utf8(at: usize) -> Diagnostic {
    Diagnostic::error(codes::XML_SYNTAX, crate::Span::new(at, at + 3), "the file is not valid UTF-8")
        .with_help("Save the policy as UTF-8. The invalid bytes are shown as \u{fffd}; the rest of the file is checked as if they were not there.")
}

/// Counts per severity, for summaries.
pub fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}
