//! The registry of rules: every diagnostic code with its documentation and examples.
//!
//! A [`Rule`]'s text *is* the user documentation (the app's "explain" panel and `docs/rules.md`
//! are generated from it), and its bad/good examples are tests: linting `bad` must report the
//! code, linting `good` must not (`tests/rules.rs`).

use super::{Ctx, LintOptions, NamedValueInfo, rules as r};
use crate::catalog::Scope;
use crate::diagnostic::Severity;

pub struct Rule {
    pub code: &'static str,
    /// kebab-case, unique.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Why it matters and what to do (Markdown paragraphs).
    pub explanation: &'static str,
    pub bad: Example,
    pub good: Example,
    /// Whether the rule's fixes keep the policy's meaning, so `apim-policy lint --fix` may apply
    /// them unattended. Fixes that guess ("did you mean") or that need something created
    /// outside the policy (a named value) are offered in the editor only.
    pub fix_safe: bool,
    /// The check; `None` for problems the parser reports.
    pub run: Option<fn(&mut Ctx<'_>)>,
}

/// A policy with the context it is linted in.
pub struct Example {
    pub source: &'static str,
    pub scope: Option<Scope>,
    /// Declared named values (name, secret); `None` = unknown.
    pub named_values: Option<&'static [(&'static str, bool)]>,
    /// Declared fragments; `None` = unknown.
    pub fragments: Option<&'static [&'static str]>,
}

impl Example {
    pub const fn new(source: &'static str) -> Example {
        Example {
            source,
            scope: None,
            named_values: None,
            fragments: None,
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
        }
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
    &r::hard_coded_credential::RULE,
    &r::key_vault_without_identity::RULE,
    &r::versioned_secret::RULE,
];

/// Every rule, by code.
pub fn rules() -> &'static [&'static Rule] {
    RULES
}

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

/// The rule reference as Markdown (`docs/rules.md` is this text; the app shows each rule's part).
pub fn markdown() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# Diagnostic rules\n\nEvery problem the playground and `apim-policy lint` report has a stable code. \
This page is generated from the rules themselves (`crates/apim-policy/src/lint/rules/`); each bad and \
good example below is a test.\n\n| code | name | severity | what it reports |\n|---|---|---|---|\n",
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
    for r in RULES {
        let _ = write!(
            out,
            "\n## {}\n\n`{}` · {} · fix {}\n\n**{}**\n\n{}\n",
            r.code,
            r.name,
            r.severity,
            if r.fix_safe {
                "safe for `--fix`"
            } else {
                "offered in the editor only"
            },
            r.summary,
            r.explanation
        );
        for (title, ex) in [("Bad", &r.bad), ("Good", &r.good)] {
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
            let _ = write!(out, "\n{title}{context}:\n\n```xml\n{source}\n```\n");
        }
    }
    out
}
