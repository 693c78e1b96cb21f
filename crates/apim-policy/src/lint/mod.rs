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

pub use context::{Ctx, ExpressionCache, Info, Kind, PathCounts};
pub use registry::{Example, Rule, RuleDoc, doc, docs, rule, rules};

use crate::catalog::Scope;
use crate::diagnostic::{Diagnostic, Severity};
use crate::scenario::Scenario;
use crate::syntax::{self, Document};

/// What the linter knows beyond the document itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LintOptions {
    /// Where the document is attached. `None`: not known. The document is then linted at
    /// `Fragment` when its root is `<fragment>`, otherwise at an *assumed* `Api` scope (the
    /// contract's default), and the problems that depend on the scope are warnings that say so
    /// ([`scope_assumed`]). Front ends set it from what the user chose (`--scope`, the
    /// playground's Scope setting) or from the file's path ([`scope_from_path`]).
    pub scope: Option<Scope>,
    /// The named values that exist; `None` means unknown (references are not checked).
    pub named_values: Option<Vec<NamedValueInfo>>,
    /// The policy fragments that exist; `None` means unknown.
    pub fragments: Option<Vec<String>>,
    /// The ids of the backend entities that exist (`set-backend-service backend-id=`, the
    /// AI-gateway policies' backend references); `None` means unknown (not checked).
    pub backends: Option<Vec<String>>,
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
            // A scenario that declares no backends says nothing about the instance's backends
            // (older scenarios have none): only a declared list is checked against.
            backends: (!scenario.backends.is_empty())
                .then(|| scenario.backends.iter().map(|b| b.id.clone()).collect()),
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

/// [`lint_with`] for a caller that lints one text after another as it is edited (the
/// playground, on every keystroke): the C# checks of expressions that the previous lint with
/// the same `cache` also held are not redone. The result is exactly [`lint_with`]'s.
pub fn lint_cached(
    source: &str,
    options: &LintOptions,
    cache: &mut ExpressionCache,
) -> Vec<Diagnostic> {
    let doc = syntax::parse(source);
    let cell = std::cell::RefCell::new(std::mem::take(cache));
    cell.borrow_mut().begin();
    let out = run_rules(&doc, Ctx::with_cache(&doc, source, options, &cell));
    *cache = cell.into_inner();
    cache.end();
    out
}

/// Run every rule on a parsed document; returns the parser's diagnostics and the rules', in
/// source order.
pub fn check(doc: &Document, source: &str, options: &LintOptions) -> Vec<Diagnostic> {
    run_rules(doc, Ctx::new(doc, source, options))
}

fn run_rules(doc: &Document, mut cx: Ctx<'_>) -> Vec<Diagnostic> {
    for rule in registry::rules() {
        if let Some(run) = rule.run {
            run(&mut cx);
        }
    }
    let mut out = doc.diagnostics.clone();
    out.extend(cx.into_diagnostics());
    crate::sort::sort_by(&mut out, |a, b| {
        (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code))
    });
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

/// Whether [`effective_scope`] is an assumption: no scope was given and the document does not
/// say (only a `<fragment>` root does). Rules whose verdict depends on the scope then report a
/// warning instead of an error and say which scope they assumed ([`assumed_scope_note`]): a
/// product-only `quota` in a file of unknown scope may be perfectly right.
pub fn scope_assumed(doc: &Document, options: &LintOptions) -> bool {
    options.scope.is_none() && !matches!(doc.root_element(), Some(root) if root.name == "fragment")
}

/// What a scope rule adds to its message when the scope was assumed.
pub fn assumed_scope_note(scope: Scope) -> String {
    format!(
        " (scope {} assumed: no scope given and none can be read from the path; pass --scope)",
        scope.name()
    )
}

/// The help sentence for a diagnostic made at an assumed scope: how to give the scope.
pub const ASSUMED_SCOPE_HELP: &str = "Give the scope the document is attached at: `--scope` on the command \
line (in an APIOps folder it is read from the path: `products/<p>/policy.xml` is a product policy), or the \
Scope setting of the playground's Export tab.";

/// The names an APIOps artifacts folder holds besides the global `policy.xml`: a `policy.xml`
/// next to one of them is the service's global policy. From the APIOps extractor's layout
/// (Azure/apiops `tools/code/common/*.cs`: `ApisDirectory` "apis", `ProductsDirectory`
/// "products", `PolicyFragmentsDirectory` "policy fragments", …).
pub const APIOPS_ROOT_ENTRIES: &[&str] = &[
    "apis",
    "products",
    "policy fragments",
    "policyFragments",
    "named values",
    "namedValues",
    "backends",
    "loggers",
    "diagnostics",
    "gateways",
    "groups",
    "tags",
    "version sets",
    "subscriptions",
    "workspaces",
    "serviceInformation.json",
];

/// The scope an APIOps artifacts folder gives the policy file at `path` (`/` or `\`
/// separated; only its last components matter, so absolute and relative paths both work):
///
/// | path ends with | scope |
/// |---|---|
/// | `apis/<api>/operations/<operation>/policy.xml` | operation |
/// | `apis/<api>/policy.xml` | api |
/// | `products/<product>/policy.xml` | product |
/// | `policy fragments/<name>/policy.xml` (or `policyFragments/…`) | fragment |
/// | `workspaces/<workspace>/policy.xml` | workspace |
///
/// Inside `workspaces/<w>/` the same layout gives the same scopes. The service's global
/// `policy.xml` sits at the artifacts root, which a path alone cannot tell from any other
/// folder: front ends that can look at the folder check [`APIOPS_ROOT_ENTRIES`]. `None` when
/// the path does not follow the layout.
pub fn scope_from_path(path: &str) -> Option<Scope> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let (file, dirs) = parts.split_last()?;
    if !file.eq_ignore_ascii_case("policy.xml") {
        return None;
    }
    match dirs {
        [.., "apis", _, "operations", _] => Some(Scope::Operation),
        [.., "apis", _] => Some(Scope::Api),
        [.., "products", _] => Some(Scope::Product),
        [.., "policy fragments" | "policyFragments", _] => Some(Scope::Fragment),
        [.., "workspaces", _] => Some(Scope::Workspace),
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const QUOTA: &str = "<policies>\n  <inbound>\n    <base />\n    <quota calls=\"100\" renewal-period=\"3600\" />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>";
    const CROSS_DOMAIN: &str = "<policies>\n  <inbound>\n    <cross-domain>\n      <cross-domain-policy>\n        <allow-http-request-headers-from domain=\"*\" headers=\"*\" />\n      </cross-domain-policy>\n    </cross-domain>\n  </inbound>\n  <backend>\n    <forward-request />\n  </backend>\n  <outbound />\n</policies>";

    fn with(scope: Option<Scope>) -> LintOptions {
        LintOptions {
            scope,
            ..LintOptions::default()
        }
    }

    fn wrong_scope(source: &str, scope: Option<Scope>) -> Vec<Diagnostic> {
        lint_with(source, &with(scope))
            .into_iter()
            .filter(|d| d.code == codes::WRONG_SCOPE)
            .collect()
    }

    #[test]
    fn a_scope_problem_at_an_assumed_scope_is_a_warning_that_names_the_scope() {
        let d = wrong_scope(QUOTA, None);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(
            d[0].message,
            "<quota> is not allowed at api scope (scope api assumed: no scope given and none can be read from the path; pass --scope)"
        );
        assert!(d[0].help.as_deref().unwrap().contains("--scope"), "{d:#?}");
        // The same problem at a given scope is an error, without the note.
        let d = wrong_scope(QUOTA, Some(Scope::Api));
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].message, "<quota> is not allowed at api scope");
        assert!(!d[0].help.as_deref().unwrap().contains("assumed"));
        // Where it belongs, nothing.
        assert!(wrong_scope(QUOTA, Some(Scope::Product)).is_empty());
    }

    #[test]
    fn a_global_only_policy_of_unknown_scope_is_a_warning_and_an_error_elsewhere() {
        let d = wrong_scope(CROSS_DOMAIN, None);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains("scope api assumed"), "{d:#?}");
        let d = wrong_scope(CROSS_DOMAIN, Some(Scope::Operation));
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(
            d[0].message,
            "<cross-domain> is not allowed at operation scope"
        );
        assert!(wrong_scope(CROSS_DOMAIN, Some(Scope::Global)).is_empty());
        // The whole document has no error when the scope is unknown.
        assert_eq!(
            count(&lint_with(CROSS_DOMAIN, &with(None)), Severity::Error),
            0
        );
    }

    #[test]
    fn a_fragment_root_is_a_known_scope_and_a_given_scope_is_never_assumed() {
        let fragment = syntax::parse(
            "<fragment><set-header name=\"a\" exists-action=\"delete\" /></fragment>",
        );
        assert!(!scope_assumed(&fragment, &with(None)));
        assert_eq!(effective_scope(&fragment, &with(None)), Scope::Fragment);
        let policies = syntax::parse(QUOTA);
        assert!(scope_assumed(&policies, &with(None)));
        assert_eq!(effective_scope(&policies, &with(None)), Scope::Api);
        for scope in Scope::ALL {
            assert!(!scope_assumed(&policies, &with(Some(scope))), "{scope:?}");
        }
    }

    #[test]
    fn missing_base_at_an_assumed_scope_says_so_in_its_help() {
        let source = "<policies>\n  <inbound>\n    <set-header name=\"a\" exists-action=\"delete\" />\n  </inbound>\n</policies>";
        let find = |scope| {
            lint_with(source, &with(scope))
                .into_iter()
                .find(|d| d.code == codes::MISSING_BASE)
                .unwrap()
        };
        let assumed = find(None);
        assert_eq!(assumed.severity, Severity::Warning);
        assert!(
            assumed
                .help
                .as_deref()
                .unwrap()
                .contains("The scope api was assumed"),
            "{assumed:#?}"
        );
        let given = find(Some(Scope::Api));
        assert_eq!(given.message, assumed.message);
        assert!(
            !given.help.as_deref().unwrap().contains("assumed"),
            "{given:#?}"
        );
    }

    #[test]
    fn the_apiops_layout_gives_the_scope() {
        let cases = [
            ("apis/orders/policy.xml", Some(Scope::Api)),
            ("/repo/artifacts/apis/orders/policy.xml", Some(Scope::Api)),
            (
                "apis/orders/operations/get-order/policy.xml",
                Some(Scope::Operation),
            ),
            (
                "artifacts\\apis\\orders\\operations\\get\\policy.xml",
                Some(Scope::Operation),
            ),
            ("products/starter/policy.xml", Some(Scope::Product)),
            (
                "policy fragments/common-headers/policy.xml",
                Some(Scope::Fragment),
            ),
            (
                "policyFragments/common-headers/policy.xml",
                Some(Scope::Fragment),
            ),
            ("workspaces/team-a/policy.xml", Some(Scope::Workspace)),
            ("workspaces/team-a/apis/orders/policy.xml", Some(Scope::Api)),
            (
                "workspaces/team-a/products/gold/policy.xml",
                Some(Scope::Product),
            ),
            (
                "artifacts/products/starter/Policy.XML",
                Some(Scope::Product),
            ),
            // The root policy.xml needs a look at the folder; anything else says nothing.
            ("policy.xml", None),
            ("artifacts/policy.xml", None),
            ("products/policy.xml", None),
            ("apis/orders/operations/policy.xml", None),
            ("products/starter/quota.xml", None),
            ("products/starter/policy.xml/", Some(Scope::Product)),
            ("", None),
        ];
        for (path, scope) in cases {
            assert_eq!(scope_from_path(path), scope, "{path}");
        }
    }
}
