//! The registry of rules: every diagnostic code with its documentation and examples.
//!
//! A [`Rule`]'s text *is* the user documentation (the app's "explain" panel and `docs/rules.md`
//! are generated from it), and its bad/good examples are tests: running `bad` must report the
//! code, running `good` must not (`tests/rules.rs` for the linter's rules, whose examples are
//! linted; `tests/export_rules.rs` for export and import, whose examples are exported or
//! imported: see [`Check`]).
//!
//! The linter's rules live one per file in `lint/rules/`; the export and import codes
//! (`APIM09xx`) have their entries in `export/rules.rs` (data only, `run: None`), listed here
//! after the linter's so that [`rule`] finds every code any part of the core reports.

use super::{Ctx, LintOptions, NamedValueInfo, rules as r};
use crate::catalog::Scope;
use crate::diagnostic::{Diagnostic, Severity};
use crate::export::{self, ExportOptions, Scope as ExportScope, Target, rules as x};
use crate::scenario::Scenario;

pub struct Rule {
    pub code: &'static str,
    /// kebab-case, unique.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Whether the rule's fixes keep the policy's meaning, so `apim-policy lint --fix` may apply
    /// them unattended. Fixes that guess ("did you mean") or that need something created
    /// outside the policy (a named value) are offered in the editor only.
    pub fix_safe: bool,
    /// The check; `None` for problems the parser reports and for export and import codes.
    pub run: Option<fn(&mut Ctx<'_>)>,
}

/// A rule's long-form documentation: a static of its own beside the [`Rule`] (`DOC` next to
/// `RULE`), listed by [`docs`], so that a front end that never shows it (the web app, which
/// fetches it only when a rule's page opens) does not carry its text.
pub struct RuleDoc {
    /// The [`Rule::code`] it documents.
    pub code: &'static str,
    /// Why it matters and what to do (Markdown paragraphs).
    pub explanation: &'static str,
    pub bad: Example,
    pub good: Example,
}

/// An example and how it is checked: a policy linted in a context ([`Check::Lint`], with
/// `scope`, `named_values` and `fragments`), a policy exported ([`Check::Export`]), or a
/// template or APIOps folder imported ([`Check::ImportArm`], [`Check::ImportApiops`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// The policy document (lint, export), the ARM template's JSON (`ImportArm`), or empty
    /// (`ImportApiops`: the files are in the check).
    pub source: &'static str,
    pub scope: Option<Scope>,
    /// Declared named values (name, secret); `None` = unknown.
    pub named_values: Option<&'static [(&'static str, bool)]>,
    /// Declared fragments; `None` = unknown.
    pub fragments: Option<&'static [&'static str]>,
    /// Declared backend ids; `None` = unknown.
    pub backends: Option<&'static [&'static str]>,
    pub check: Check,
}

/// Which entry point an example runs through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// [`crate::lint::lint_with`]`(source, `[`Example::options`]`)`.
    Lint,
    /// [`crate::export::export`] of `source` with these options and scenario.
    Export(ExportCheck),
    /// [`crate::export::import_arm`] of `source`.
    ImportArm,
    /// [`crate::export::import_apiops`] of these (path, content) pairs.
    ImportApiops(&'static [(&'static str, &'static str)]),
}

/// How an export example is exported: [`ExportOptions`] (names left to their defaults) and
/// the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportCheck {
    pub target: Target,
    /// `None`: the default for the document ([`ExportScope::default_for`]).
    pub scope: Option<ExportScope>,
    pub snippet: bool,
    /// The scenario file's JSON; `None` = exported without a scenario.
    pub scenario: Option<&'static str>,
}

impl ExportCheck {
    pub const fn new(target: Target) -> ExportCheck {
        ExportCheck {
            target,
            scope: None,
            snippet: false,
            scenario: None,
        }
    }

    pub const fn at(self, scope: ExportScope) -> ExportCheck {
        ExportCheck {
            scope: Some(scope),
            ..self
        }
    }

    pub const fn snippet(self) -> ExportCheck {
        ExportCheck {
            snippet: true,
            ..self
        }
    }

    pub const fn scenario(self, json: &'static str) -> ExportCheck {
        ExportCheck {
            scenario: Some(json),
            ..self
        }
    }

    pub fn options(&self) -> ExportOptions {
        ExportOptions {
            target: self.target,
            scope: self.scope,
            snippet: self.snippet,
            ..ExportOptions::default()
        }
    }
}

impl Example {
    /// A policy to lint.
    pub const fn new(source: &'static str) -> Example {
        Example {
            source,
            scope: None,
            named_values: None,
            fragments: None,
            backends: None,
            check: Check::Lint,
        }
    }

    /// A policy to export.
    pub const fn export(source: &'static str, how: ExportCheck) -> Example {
        Example {
            check: Check::Export(how),
            ..Example::new(source)
        }
    }

    /// An ARM template (JSON) to import.
    pub const fn import_arm(template: &'static str) -> Example {
        Example {
            check: Check::ImportArm,
            ..Example::new(template)
        }
    }

    /// An APIOps artifacts folder to import, as (path, content) pairs.
    pub const fn import_apiops(files: &'static [(&'static str, &'static str)]) -> Example {
        Example {
            check: Check::ImportApiops(files),
            ..Example::new("")
        }
    }

    pub const fn at(self, scope: Scope) -> Example {
        Example {
            scope: Some(scope),
            ..self
        }
    }

    pub const fn named_values(self, named_values: &'static [(&'static str, bool)]) -> Example {
        Example {
            named_values: Some(named_values),
            ..self
        }
    }

    pub const fn fragments(self, fragments: &'static [&'static str]) -> Example {
        Example {
            fragments: Some(fragments),
            ..self
        }
    }

    pub const fn backends(self, backends: &'static [&'static str]) -> Example {
        Example {
            backends: Some(backends),
            ..self
        }
    }

    pub fn options(&self) -> LintOptions {
        LintOptions {
            scope: self.scope,
            named_values: self.named_values.map(|nvs| {
                nvs.iter()
                    .map(|(name, secret)| NamedValueInfo {
                        name: (*name).to_string(),
                        secret: *secret,
                        value: None,
                        key_vault_secret: None,
                    })
                    .collect()
            }),
            fragments: self
                .fragments
                .map(|f| f.iter().map(|s| (*s).to_string()).collect()),
            backends: self
                .backends
                .map(|b| b.iter().map(|s| (*s).to_string()).collect()),
        }
    }

    /// Run the example through its entry point: every diagnostic it produces, those of a
    /// refused export or import included. `Err` when the example itself is broken (its
    /// scenario is not a valid scenario file).
    pub fn diagnostics(&self) -> Result<Vec<Diagnostic>, String> {
        let either = |r: Result<Vec<Diagnostic>, Vec<Diagnostic>>| match r {
            Ok(d) | Err(d) => d,
        };
        Ok(match self.check {
            Check::Lint => super::lint_with(self.source, &self.options()),
            Check::Export(how) => {
                let scenario = match how.scenario {
                    Some(json) => Some(
                        Scenario::from_json(json)
                            .map_err(|e| format!("the example's scenario: {e}"))?,
                    ),
                    None => None,
                };
                either(
                    export::export(self.source, &how.options(), scenario.as_ref())
                        .map(|out| out.diagnostics),
                )
            }
            Check::ImportArm => either(export::import_arm(self.source).map(|i| i.diagnostics)),
            Check::ImportApiops(files) => {
                let files: Vec<(String, String)> = files
                    .iter()
                    .map(|(p, c)| ((*p).to_string(), (*c).to_string()))
                    .collect();
                either(export::import_apiops(&files).map(|i| i.diagnostics))
            }
        })
    }
}

static RULES: &[&Rule] = &[
    &r::xml_syntax::RULE,
    &r::unclosed_element::RULE,
    &r::mismatched_end_tag::RULE,
    &r::duplicate_attribute::RULE,
    &r::doctype::RULE,
    &r::too_deep::RULE,
    &r::document_too_large::RULE,
    &r::unknown_root::RULE,
    &r::unknown_section::RULE,
    &r::section_order::DUPLICATE,
    &r::unknown_policy::RULE,
    &r::not_a_policy::RULE,
    &r::wrong_section::RULE,
    &r::wrong_scope::RULE,
    &r::policy_repeated::RULE,
    &r::undocumented_policy::RULE,
    &r::section_order::ORDER,
    &r::missing_attribute::RULE,
    &r::unknown_attribute::RULE,
    &r::invalid_value::RULE,
    &r::expression_not_allowed::RULE,
    &r::attribute_combination::RULE,
    &r::missing_child::RULE,
    &r::unexpected_child::RULE,
    &r::child_order::RULE,
    &r::too_many_children::RULE,
    &r::text_not_allowed::RULE,
    &r::base_in_fragment::RULE,
    &r::duplicate_base::RULE,
    &r::missing_base::RULE,
    &r::base_at_global::RULE,
    &r::expression_syntax::RULE,
    &r::empty_expression::RULE,
    &r::expression_mixed_with_text::RULE,
    &r::missing_return::RULE,
    &r::invalid_named_value::RULE,
    &r::undefined_named_value::RULE,
    &r::secret_exposed::RULE,
    &r::undeclared_fragment::RULE,
    &r::undeclared_backend::RULE,
    &r::hard_coded_credential::RULE,
    &r::key_vault_without_identity::RULE,
    &r::versioned_secret::RULE,
    // Export (APIM090x refusals, APIM091x–092x warnings and notes) and import (APIM095x).
    &x::ROOT_MISMATCH,
    &x::INVALID_NAME,
    &x::INVALID_NAMED_VALUE_NAME,
    &x::BAD_SECRET_IDENTIFIER,
    &x::UNDEFINED_NAMED_VALUE,
    &x::VERSIONED_SECRET,
    &x::UNKNOWN_IDENTITY,
    &x::VAULT_NOT_IN_SCENARIO,
    &x::MISSING_FRAGMENT,
    &x::CERTIFICATE_NOT_EXPORTED,
    &x::RUNTIME_VAULT_CALL,
    &x::NAMED_VALUE_WITHOUT_VALUE,
    &x::VALUE_TOO_LONG,
    &x::KEY_VAULT_VALUE_IGNORED,
    &x::FRAGMENT_PROBLEM,
    &x::SNIPPET_EXPECTS,
    &x::NOT_A_TEMPLATE,
    &x::EXPRESSION_VALUE,
    &x::LINKED_POLICY,
    &x::UNSUPPORTED_SCOPE,
    &x::XML_FORMAT_KEPT,
    &x::FRAGMENT_WRAPPED,
    &x::LITERAL_SECRET,
    &x::UNREADABLE_RESOURCE,
    &x::NOTHING_FOUND,
];

/// Every rule's documentation, in the order of [`RULES`].
static DOCS: &[&RuleDoc] = &[
    &r::xml_syntax::DOC,
    &r::unclosed_element::DOC,
    &r::mismatched_end_tag::DOC,
    &r::duplicate_attribute::DOC,
    &r::doctype::DOC,
    &r::too_deep::DOC,
    &r::document_too_large::DOC,
    &r::unknown_root::DOC,
    &r::unknown_section::DOC,
    &r::section_order::DUPLICATE_DOC,
    &r::unknown_policy::DOC,
    &r::not_a_policy::DOC,
    &r::wrong_section::DOC,
    &r::wrong_scope::DOC,
    &r::policy_repeated::DOC,
    &r::undocumented_policy::DOC,
    &r::section_order::ORDER_DOC,
    &r::missing_attribute::DOC,
    &r::unknown_attribute::DOC,
    &r::invalid_value::DOC,
    &r::expression_not_allowed::DOC,
    &r::attribute_combination::DOC,
    &r::missing_child::DOC,
    &r::unexpected_child::DOC,
    &r::child_order::DOC,
    &r::too_many_children::DOC,
    &r::text_not_allowed::DOC,
    &r::base_in_fragment::DOC,
    &r::duplicate_base::DOC,
    &r::missing_base::DOC,
    &r::base_at_global::DOC,
    &r::expression_syntax::DOC,
    &r::empty_expression::DOC,
    &r::expression_mixed_with_text::DOC,
    &r::missing_return::DOC,
    &r::invalid_named_value::DOC,
    &r::undefined_named_value::DOC,
    &r::secret_exposed::DOC,
    &r::undeclared_fragment::DOC,
    &r::undeclared_backend::DOC,
    &r::hard_coded_credential::DOC,
    &r::key_vault_without_identity::DOC,
    &r::versioned_secret::DOC,
    // Export (APIM090x refusals, APIM091x–092x warnings and notes) and import (APIM095x).
    &x::ROOT_MISMATCH_DOC,
    &x::INVALID_NAME_DOC,
    &x::INVALID_NAMED_VALUE_NAME_DOC,
    &x::BAD_SECRET_IDENTIFIER_DOC,
    &x::UNDEFINED_NAMED_VALUE_DOC,
    &x::VERSIONED_SECRET_DOC,
    &x::UNKNOWN_IDENTITY_DOC,
    &x::VAULT_NOT_IN_SCENARIO_DOC,
    &x::MISSING_FRAGMENT_DOC,
    &x::CERTIFICATE_NOT_EXPORTED_DOC,
    &x::RUNTIME_VAULT_CALL_DOC,
    &x::NAMED_VALUE_WITHOUT_VALUE_DOC,
    &x::VALUE_TOO_LONG_DOC,
    &x::KEY_VAULT_VALUE_IGNORED_DOC,
    &x::FRAGMENT_PROBLEM_DOC,
    &x::SNIPPET_EXPECTS_DOC,
    &x::NOT_A_TEMPLATE_DOC,
    &x::EXPRESSION_VALUE_DOC,
    &x::LINKED_POLICY_DOC,
    &x::UNSUPPORTED_SCOPE_DOC,
    &x::XML_FORMAT_KEPT_DOC,
    &x::FRAGMENT_WRAPPED_DOC,
    &x::LITERAL_SECRET_DOC,
    &x::UNREADABLE_RESOURCE_DOC,
    &x::NOTHING_FOUND_DOC,
];

/// Every rule: the linter's, then export's and import's.
pub fn rules() -> &'static [&'static Rule] {
    RULES
}

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

/// Every rule's documentation, in the order of [`rules`] (`tests/rules.rs` checks that they
/// pair up).
pub fn docs() -> &'static [&'static RuleDoc] {
    DOCS
}

/// The documentation of the rule with this code.
pub fn doc(code: &str) -> Option<&'static RuleDoc> {
    DOCS.iter().copied().find(|d| d.code == code)
}

/// The rule reference as Markdown (`docs/rules.md` is this text; the app shows each rule's part).
pub fn markdown() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# Diagnostic rules\n\nEvery problem the playground and `apim-policy lint` report has a stable code, and so \
has everything `apim-policy export` and `apim-policy import` report (`APIM09xx`). This page is generated from the rules themselves (`crates/apim-policy/src/lint/rules/`, and \
`crates/apim-policy/src/export/rules.rs` for export's and import's); each bad and good example below is a test: the linter's are linted, export's are exported and import's \
imported.\n\n| code | name | severity | what it reports |\n|---|---|---|---|\n",
    );
    for r in RULES {
        let _ = writeln!(
            out,
            "| [{0}](#{1}) | `{2}` | {3} | {4} |",
            r.code,
            r.code.to_ascii_lowercase(),
            r.name,
            r.severity,
            r.summary.replace('|', "\\|")
        );
    }
    for (r, d) in RULES.iter().zip(DOCS) {
        let _ = write!(
            out,
            "\n## {}\n\n`{}` · {} · {}\n\n**{}**\n\n{}\n",
            r.code,
            r.name,
            r.severity,
            match d.bad.check {
                Check::Export(_) => "reported by `apim-policy export`",
                Check::ImportArm | Check::ImportApiops(_) => "reported by `apim-policy import`",
                Check::Lint if r.fix_safe => "fix safe for `--fix`",
                Check::Lint => "fix offered in the editor only",
            },
            r.summary,
            d.explanation
        );
        for (title, ex) in [("Bad", &d.bad), ("Good", &d.good)] {
            out.push_str(&example_markdown(title, ex));
        }
    }
    out
}

/// One example in `docs/rules.md`: what it is checked with, and its text.
fn example_markdown(title: &str, ex: &Example) -> String {
    match ex.check {
        Check::Lint => lint_example_markdown(title, ex),
        Check::Export(how) => {
            let mut context = vec![format!(
                "exported as {}{}",
                match how.target {
                    Target::Arm => "an ARM template",
                    Target::Bicep => "Bicep",
                    Target::Terraform => "Terraform",
                },
                if how.snippet { " snippet" } else { "" }
            )];
            if let Some(scope) = how.scope {
                context.push(format!("at {} scope", scope.as_str()));
            }
            context.push(match how.scenario {
                Some(_) => "with the scenario below".into(),
                None => "without a scenario".into(),
            });
            let mut out = format!(
                "\n{title} ({}):\n\n```xml\n{}\n```\n",
                context.join(", "),
                ex.source
            );
            if let Some(json) = how.scenario {
                out.push_str(&format!("\n```json\n{}\n```\n", abbreviate(json)));
            }
            out
        }
        Check::ImportArm => format!(
            "\n{title} (imported ARM template):\n\n```json\n{}\n```\n",
            ex.source
        ),
        Check::ImportApiops(files) => {
            let mut out = format!("\n{title} (imported APIOps artifacts folder):\n");
            for (path, content) in files {
                let lang = if path.ends_with(".json") {
                    "json"
                } else {
                    "xml"
                };
                out.push_str(&format!("\n`{path}`:\n\n```{lang}\n{content}\n```\n"));
            }
            out
        }
    }
}

fn lint_example_markdown(title: &str, ex: &Example) -> String {
    let mut context = Vec::new();
    if let Some(scope) = ex.scope {
        context.push(format!("at {} scope", scope.name()));
    }
    if let Some(nvs) = ex.named_values {
        context.push(format!(
            "named values: {}",
            nvs.iter()
                .map(|(n, s)| if *s {
                    format!("{n} (secret)")
                } else {
                    (*n).to_string()
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(f) = ex.fragments {
        context.push(format!("fragments: {}", f.join(", ")));
    }
    if let Some(b) = ex.backends {
        context.push(format!("backends: {}", b.join(", ")));
    }
    let context = if context.is_empty() {
        String::new()
    } else {
        format!(" ({})", context.join("; "))
    };
    let source = if ex.source.is_empty() {
        "<!-- a policy document over 256 KiB -->"
    } else {
        ex.source
    };
    let source = if source.len() > 600 {
        "<!-- elements nested more than 128 levels deep -->"
    } else {
        source
    };
    format!("\n{title}{context}:\n\n```xml\n{source}\n```\n")
}

/// Text with every run of more than 80 identical characters shortened to its first and last
/// ten and its length (the 4,096 `x` of an example's over-long named value).
fn abbreviate(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let mut run = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            run += 1;
        }
        if run > 80 {
            let ten: String = std::iter::repeat_n(c, 10).collect();
            out.push_str(&format!("{ten}…({run} × '{c}' in all)…{ten}"));
        } else {
            out.extend(std::iter::repeat_n(c, run));
        }
    }
    out
}
