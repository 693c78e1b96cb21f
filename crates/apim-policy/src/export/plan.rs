//! The export plan: what to deploy, decided once for all targets.
//!
//! [`build`] reads the document (and the fragments it includes) for `{{named values}}`,
//! `include-fragment`, `certificate-id`, `authentication-managed-identity client-id` and
//! `send-request` calls to Key Vault, looks each up in the scenario, and produces a [`Plan`]:
//! the resources, their parameters and the identities and vaults involved. The renderers only
//! write the plan in their language, so ARM, Bicep and Terraform always agree on what they
//! deploy, and every decision (a placeholder for an unknown named value, a versionless secret
//! identifier, an assumed vault permission model) is made, and reported, in one place.

use super::codes;
use super::names::{self, Unique};
use super::{ApiVersion, ExportOptions, Scope};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::scenario::{IdentityKind, Scenario, VaultAccess};
use crate::syntax::{self, Document};

/// APIM's limit on a named value's value.
const MAX_VALUE_LEN: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub scope: Scope,
    pub api_version: ApiVersion,
    pub service: String,
    pub product: String,
    pub api: String,
    pub operation: String,
    /// The fragment's name when the scope is `fragment`.
    pub fragment_name: String,
    /// The document, exactly as given.
    pub document: String,
    /// Named values the document itself references (indices into `named_values`).
    pub document_named_values: Vec<usize>,
    /// Fragments the document includes that this export creates (indices into `fragments`).
    pub document_fragments: Vec<usize>,
    pub fragments: Vec<FragmentRes>,
    pub named_values: Vec<NamedValueRes>,
    pub vaults: Vec<VaultRes>,
    /// User-assigned identities the export refers to, in order of first use.
    pub identities: Vec<UserIdentity>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FragmentRes {
    pub name: String,
    pub xml: String,
    pub named_values: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedValueRes {
    /// The display name (and resource name): the scenario's spelling when it has one.
    pub name: String,
    pub kind: NamedValueKind,
    pub tags: Vec<String>,
    /// The ARM/Bicep parameter (camelCase) holding the value, for secrets and placeholders.
    pub param: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NamedValueKind {
    /// A literal value.
    Plain(String),
    /// A secret: its value comes from a secure parameter and never appears in the output.
    Secret,
    /// The scenario has no value for it: a required (non-secret) parameter.
    Placeholder,
    KeyVault {
        /// Versionless.
        secret_identifier: String,
        vault: usize,
        identity: IdentityRef,
    },
}

/// Which of the service's managed identities reads the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityRef {
    System,
    /// Index into [`Plan::identities`].
    User(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct VaultRes {
    pub name: String,
    pub access: VaultAccess,
    /// The identities that need `get` + `list` on secrets, in order of first use.
    pub grants: Vec<IdentityRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserIdentity {
    pub client_id: String,
    /// The ARM/Bicep parameter with the identity's resource name (`userAssignedIdentityName`).
    pub param: String,
}

/// The fixed parameter names (ARM and Bicep; Terraform uses snake_case variables).
pub const SERVICE_PARAM: &str = "apimServiceName";
pub const PRODUCT_PARAM: &str = "productName";
pub const API_PARAM: &str = "apiName";
pub const OPERATION_PARAM: &str = "operationName";

/// Everything a document refers to that the export cares about.
#[derive(Default)]
struct Refs {
    named_values: Vec<(String, Span)>,
    fragments: Vec<(String, Span)>,
    certificates: Vec<(String, Span)>,
    client_ids: Vec<(String, Span)>,
    /// (vault name, client id of the identity used, span of the URL)
    vault_calls: Vec<(String, Option<String>, Span)>,
    /// `include-fragment` with a fragment-id that is not a literal name.
    dynamic_fragments: Vec<Span>,
}

fn push_unique(list: &mut Vec<(String, Span)>, name: String, span: Span) {
    if !list.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
        list.push((name, span));
    }
}

fn collect(doc: &Document) -> Refs {
    let mut refs = Refs::default();
    for nv in doc.named_value_refs() {
        push_unique(&mut refs.named_values, nv.name.clone(), nv.span);
    }
    for (id, node) in doc.nodes() {
        let crate::syntax::NodeKind::Element(el) = &node.kind else {
            continue;
        };
        if let Some(cert) = el.attribute("certificate-id")
            && let Some(name) = cert.value.literal()
        {
            push_unique(&mut refs.certificates, name, cert.value.span);
        }
        match el.name.as_str() {
            "include-fragment" => {
                if let Some(attr) = el.attribute("fragment-id") {
                    match attr.value.literal() {
                        Some(name) => push_unique(&mut refs.fragments, name, attr.value.span),
                        None => refs.dynamic_fragments.push(attr.value.span),
                    }
                }
            }
            "authentication-managed-identity" => {
                if let Some(attr) = el.attribute("client-id")
                    && let Some(client) = attr.value.literal()
                {
                    push_unique(&mut refs.client_ids, client, attr.value.span);
                }
            }
            "send-request" => {
                let mut vault = None;
                let mut identity = None;
                for (child_id, child) in doc.child_elements(id) {
                    match child.name.as_str() {
                        "set-url" => {
                            for value in doc.text_values(child_id) {
                                if let Some(name) = vault_in_url(&value.text()) {
                                    vault = Some((name, value.span));
                                }
                            }
                        }
                        "authentication-managed-identity" => {
                            let client =
                                child.attribute("client-id").and_then(|a| a.value.literal());
                            identity = Some(client);
                        }
                        _ => {}
                    }
                }
                // Only a call authenticated with a managed identity needs a vault permission.
                if let (Some((name, span)), Some(client)) = (vault, identity) {
                    refs.vault_calls.push((name, client, span));
                }
            }
            _ => {}
        }
    }
    refs
}

/// The vault named in a Key Vault URL (`https://<vault>.vault.azure.net/…`), if any.
fn vault_in_url(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find("https://")? + "https://".len();
    let host_end = lower
        .get(start..)?
        .find(['/', '?', '"', '\'', ' ', ')'])
        .map_or(lower.len(), |i| start + i);
    let host = lower.get(start..host_end)?;
    let (vault, rest) = host.split_once('.')?;
    (rest.starts_with("vault.") && names::valid_vault_name(vault)).then(|| vault.to_string())
}

/// A Key Vault secret identifier, taken apart.
#[derive(Debug, PartialEq, Eq)]
pub struct SecretId {
    pub vault: String,
    /// `https://<host>/secrets/<name>`.
    pub versionless: String,
    pub version: Option<String>,
}

/// Read `https://<vault>.vault.<suffix>/secrets/<name>[/<version>]`. Key Vault host names are
/// case-insensitive; the vault name is returned in lower case.
pub fn parse_secret_identifier(identifier: &str) -> Option<SecretId> {
    let trimmed = identifier.trim();
    let rest = trimmed
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"))
        .and_then(|_| trimmed.get(8..))?;
    if rest.contains(['?', '#', ' ']) {
        return None;
    }
    let (host, path) = rest.split_once('/')?;
    let (vault, suffix) = host.split_once('.')?;
    if !suffix.to_ascii_lowercase().starts_with("vault.") || !names::valid_vault_name(vault) {
        return None;
    }
    let mut segments = path.trim_end_matches('/').split('/');
    if !segments.next()?.eq_ignore_ascii_case("secrets") {
        return None;
    }
    let name = segments.next()?;
    let version = segments.next().map(str::to_string);
    let name_ok = (1..=127).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !name_ok || segments.next().is_some() || version.as_deref() == Some("") {
        return None;
    }
    Some(SecretId {
        vault: vault.to_ascii_lowercase(),
        versionless: format!("https://{host}/secrets/{name}"),
        version,
    })
}

/// "an api", "a product".
fn with_article(word: &str) -> String {
    let vowel = word
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {word}", if vowel { "an" } else { "a" })
}

fn note(code: &'static str, severity: Severity, span: Option<Span>, message: String) -> Diagnostic {
    Diagnostic::new(code, severity, span.unwrap_or_default(), message)
}

struct Builder<'a> {
    scenario: Option<&'a Scenario>,
    plan: Plan,
    params: Unique,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

/// Decide what to export. `Err` when it would not deploy; the warnings come with either.
pub fn build(
    source: &str,
    options: &ExportOptions,
    scenario: Option<&Scenario>,
) -> Result<(Plan, Vec<Diagnostic>), Vec<Diagnostic>> {
    let doc = syntax::parse(source);
    let syntax_errors: Vec<Diagnostic> = doc
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let mut d = d.clone();
            // As the linter shows them: the rule's summary when the parser gave no help.
            if d.help.is_none() {
                d.help = crate::lint::rule(d.code).map(|r| r.summary.to_string());
            }
            d
        })
        .collect();
    if !syntax_errors.is_empty() {
        return Err(syntax_errors);
    }
    let scope = options.scope.unwrap_or_else(|| match doc.root_element() {
        Some(root) if root.name == "fragment" => Scope::Fragment,
        _ => Scope::Api,
    });
    let api_scenario = scenario.and_then(|s| s.api.as_ref());
    let default_api = api_scenario
        .map(|a| a.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "my-api".into());
    let default_operation = api_scenario
        .and_then(|a| a.operation.as_ref())
        .map(|o| o.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "my-operation".into());
    let default_product = scenario
        .and_then(|s| s.product.as_ref())
        .and_then(|p| {
            p.id.clone()
                .filter(|i| !i.is_empty())
                .or(Some(p.name.clone()))
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "starter".into());
    let pick = |given: &Option<String>, default: String| given.clone().unwrap_or(default);

    let mut b = Builder {
        scenario,
        plan: Plan {
            scope,
            api_version: options.api_version,
            service: pick(&options.service, "apim-service".into()),
            product: pick(&options.product, default_product),
            api: pick(&options.api, default_api),
            operation: pick(&options.operation, default_operation),
            fragment_name: pick(&options.fragment, "my-fragment".into()),
            document: source.to_string(),
            document_named_values: Vec::new(),
            document_fragments: Vec::new(),
            fragments: Vec::new(),
            named_values: Vec::new(),
            vaults: Vec::new(),
            identities: Vec::new(),
        },
        params: Unique::default(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    for fixed in [SERVICE_PARAM, PRODUCT_PARAM, API_PARAM, OPERATION_PARAM] {
        b.params.reserve(fixed);
    }
    b.check_root(&doc);
    b.check_names();

    let refs = collect(&doc);
    for (name, span) in &refs.named_values {
        if let Some(i) = b.named_value(name, Some(*span), "") {
            b.plan.document_named_values.push(i);
        }
    }
    b.other_refs(&refs, None);
    if scope == Scope::Fragment {
        for (name, span) in &refs.fragments {
            b.warnings.push(note(
                codes::FRAGMENT_PROBLEM,
                Severity::Warning,
                Some(*span),
                format!("a fragment cannot include another fragment ('{name}'); APIM will reject this fragment, and '{name}' is not exported"),
            ).with_help(format!("Write the policies of '{name}' here instead of including it: fragments do not nest.")));
        }
    } else {
        for (name, span) in &refs.fragments {
            if let Some(i) = b.fragment(name, *span) {
                b.plan.document_fragments.push(i);
            }
        }
    }
    // A fragment named by an expression cannot be known here (and APIM does not allow it:
    // `fragment-id` takes no expressions); say so instead of dropping it.
    for span in &refs.dynamic_fragments {
        b.warnings.push(note(
            codes::FRAGMENT_PROBLEM,
            Severity::Warning,
            Some(*span),
            "this include-fragment's fragment-id is not a literal name: the fragment is not exported, and APIM does not accept an expression here".to_string(),
        ).with_help("Write the fragment's name literally in fragment-id; choose between fragments with <choose> instead."));
    }
    if b.errors.is_empty() {
        Ok((b.plan, b.warnings))
    } else {
        let mut all = b.errors;
        all.extend(b.warnings);
        Err(all)
    }
}

impl Builder<'_> {
    fn check_root(&mut self, doc: &Document) {
        let want = if self.plan.scope == Scope::Fragment {
            "fragment"
        } else {
            "policies"
        };
        match doc.root_element() {
            Some(root) if root.name == want => {}
            Some(root) => self.errors.push(
                Diagnostic::error(
                    codes::ROOT_MISMATCH,
                    root.name_span,
                    format!(
                        "{} policy must have the root element <{want}>, not <{}>",
                        with_article(self.plan.scope.as_str()),
                        root.name
                    ),
                )
                .with_help(if want == "fragment" {
                    "Choose the scope this document is for, or wrap a fragment's policies in <fragment>…</fragment>."
                } else {
                    "A <fragment> document is exported with the fragment scope."
                }),
            ),
            None => self.errors.push(
                Diagnostic::error(
                    codes::ROOT_MISMATCH,
                    Span::default(),
                    format!("the document is empty: {} policy needs a <{want}> element", with_article(self.plan.scope.as_str())),
                )
                .with_help(format!("Write the <{want}> element and the policies inside it.")),
            ),
        }
    }

    fn check_names(&mut self) {
        let p = &self.plan;
        let mut bad: Vec<(&str, String, &str)> = Vec::new();
        if !names::valid_service_name(&p.service) {
            bad.push((
                "service",
                p.service.clone(),
                "1–50 letters, digits and hyphens, starting with a letter",
            ));
        }
        match p.scope {
            Scope::Product if !names::valid_entity_name(&p.product, 256) => {
                bad.push((
                    "product",
                    p.product.clone(),
                    "1–256 characters, none of * # & + : < > ? / \\",
                ));
            }
            Scope::Api | Scope::Operation if !names::valid_entity_name(&p.api, 256) => {
                bad.push((
                    "API",
                    p.api.clone(),
                    "1–256 characters, none of * # & + : < > ? / \\",
                ));
            }
            _ => {}
        }
        if p.scope == Scope::Operation && !names::valid_entity_name(&p.operation, 80) {
            bad.push((
                "operation",
                p.operation.clone(),
                "1–80 characters, none of * # & + : < > ? / \\",
            ));
        }
        if p.scope == Scope::Fragment && !names::valid_fragment_name(&p.fragment_name) {
            bad.push((
                "fragment",
                p.fragment_name.clone(),
                "1–80 letters, digits, _ and -, not starting or ending with -",
            ));
        }
        for (what, name, rule) in bad {
            self.errors.push(
                Diagnostic::error(
                    codes::INVALID_NAME,
                    Span::default(),
                    format!("'{name}' is not a valid {what} name"),
                )
                .with_help(format!("APIM accepts {rule}.")),
            );
        }
    }

    /// Find or add the named value `name`; `context` says where the reference is (empty for
    /// the document itself). `None` when the name is invalid (an error was reported).
    fn named_value(&mut self, name: &str, span: Option<Span>, context: &str) -> Option<usize> {
        if let Some(i) = self
            .plan
            .named_values
            .iter()
            .position(|nv| nv.name.eq_ignore_ascii_case(name))
        {
            return Some(i);
        }
        if !names::valid_named_value_name(name) {
            self.errors.push(
                note(
                    codes::INVALID_NAMED_VALUE_NAME,
                    Severity::Error,
                    span,
                    format!("'{{{{{name}}}}}'{context} cannot refer to a named value: names are 1–256 letters, digits, '.', '-' and '_'"),
                )
                .with_help("APIM cannot create a named value with this name, so the policy would not deploy."),
            );
            return None;
        }
        let found = self.scenario.and_then(|s| s.named_value(name)).cloned();
        let mut res = NamedValueRes {
            name: found
                .as_ref()
                .map_or_else(|| name.to_string(), |nv| nv.name.clone()),
            kind: NamedValueKind::Placeholder,
            tags: found.as_ref().map(|nv| nv.tags.clone()).unwrap_or_default(),
            param: None,
        };
        match &found {
            None => self.warnings.push(
                note(
                    codes::UNDEFINED_NAMED_VALUE,
                    Severity::Warning,
                    span,
                    format!("named value '{name}'{context} is not in the scenario: exported with its value as a required parameter"),
                )
                .with_help("Add it to the scenario's named_values (plain, secret or key_vault) to export its real definition."),
            ),
            Some(nv) => {
                if let Some(kv) = &nv.key_vault {
                    if nv.value.is_some() {
                        self.warnings.push(note(
                            codes::KEY_VAULT_VALUE_IGNORED,
                            Severity::Warning,
                            span,
                            format!("named value '{}' has both a Key Vault reference and a value: the value is not exported, the secret is read from Key Vault", nv.name),
                        ).with_help("Remove the value from the scenario's named value (give the secret in the vault's secrets to simulate it), or remove key_vault if the value should be stored in APIM."));
                    }
                    res.kind = self.key_vault_value(&nv.name, &kv.secret_identifier, kv.identity_client_id.as_deref(), span)?;
                } else if nv.secret {
                    res.kind = NamedValueKind::Secret;
                } else {
                    match nv.value.as_deref() {
                        Some(v) if !v.trim().is_empty() => {
                            if v.chars().count() > MAX_VALUE_LEN {
                                self.warnings.push(note(
                                    codes::VALUE_TOO_LONG,
                                    Severity::Warning,
                                    span,
                                    format!("named value '{}' is longer than APIM's limit of {MAX_VALUE_LEN} characters; the deployment will fail", nv.name),
                                ).with_help("Split it into several named values, or keep large data outside APIM (for example behind a backend the policy calls and caches)."));
                            }
                            res.kind = NamedValueKind::Plain(v.to_string());
                        }
                        _ => self.warnings.push(
                            note(
                                codes::NAMED_VALUE_WITHOUT_VALUE,
                                Severity::Warning,
                                span,
                                format!("named value '{}' has no value in the scenario (APIM needs a non-blank value): exported as a required parameter", nv.name),
                            )
                            .with_help("Give it a value in the scenario's named_values (or declare it secret or key_vault); otherwise the deployment must be given the parameter."),
                        ),
                    }
                }
            }
        }
        if matches!(
            res.kind,
            NamedValueKind::Secret | NamedValueKind::Placeholder
        ) {
            res.param = Some(
                self.params
                    .take(&format!("{}Value", names::camel(&res.name))),
            );
        }
        self.plan.named_values.push(res);
        Some(self.plan.named_values.len() - 1)
    }

    fn key_vault_value(
        &mut self,
        name: &str,
        identifier: &str,
        client_id: Option<&str>,
        span: Option<Span>,
    ) -> Option<NamedValueKind> {
        let Some(id) = parse_secret_identifier(identifier) else {
            self.errors.push(
                note(
                    codes::BAD_SECRET_IDENTIFIER,
                    Severity::Error,
                    span,
                    format!("named value '{name}': '{identifier}' is not a Key Vault secret identifier"),
                )
                .with_help("Use https://<vault>.vault.azure.net/secrets/<secret-name> (versionless, so that rotation works)."),
            );
            return None;
        };
        if let Some(version) = &id.version {
            self.warnings.push(
                note(
                    codes::VERSIONED_SECRET,
                    Severity::Warning,
                    span,
                    format!("named value '{name}' names version {version} of its secret: exported versionless ({}) so APIM follows rotation", id.versionless),
                )
                .with_help("A versioned identifier prevents APIM's automatic refresh; edit the output if you really want to pin the version."),
            );
        }
        let identity = self.identity(client_id, span, &format!("named value '{name}'"));
        let vault = self.vault(&id.vault, identity);
        Some(NamedValueKind::KeyVault {
            secret_identifier: id.versionless,
            vault,
            identity,
        })
    }

    /// The identity with this client id (a user-assigned one) or the system identity, checked
    /// against the scenario.
    fn identity(&mut self, client_id: Option<&str>, span: Option<Span>, what: &str) -> IdentityRef {
        let scenario_identity = self
            .scenario
            .map(|s| s.identity.clone().unwrap_or_default());
        match client_id.map(str::trim).filter(|c| !c.is_empty()) {
            None => {
                if let Some(identity) = &scenario_identity
                    && !identity.has_system()
                {
                    self.warnings.push(note(
                        codes::UNKNOWN_IDENTITY,
                        Severity::Warning,
                        span,
                        format!("{what} uses the system-assigned identity, but the scenario's service has none (identity type {})", kind_name(identity.kind)),
                    ).with_help("Enable the system-assigned identity on the service, or give the identity_client_id of a user-assigned one."));
                }
                IdentityRef::System
            }
            Some(client) => {
                if let Some(identity) = &scenario_identity
                    && !identity
                        .user_client_ids()
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(client))
                {
                    self.warnings.push(note(
                        codes::UNKNOWN_IDENTITY,
                        Severity::Warning,
                        span,
                        format!("{what} uses the user-assigned identity with client id {client}, which the scenario's service does not have"),
                    ).with_help("Attach that identity to the service first, or the deployment fails with \"Can not find Managed Identity with provided IdentityClientId\"."));
                }
                let index = match self
                    .plan
                    .identities
                    .iter()
                    .position(|u| u.client_id.eq_ignore_ascii_case(client))
                {
                    Some(i) => i,
                    None => {
                        let n = self.plan.identities.len();
                        let base = if n == 0 {
                            "userAssignedIdentityName".to_string()
                        } else {
                            format!("userAssignedIdentity{}Name", n + 1)
                        };
                        let param = self.params.take(&base);
                        self.plan.identities.push(UserIdentity {
                            client_id: client.to_string(),
                            param,
                        });
                        n
                    }
                };
                IdentityRef::User(index)
            }
        }
    }

    /// Find or add a vault and grant `identity` on it.
    fn vault(&mut self, name: &str, identity: IdentityRef) -> usize {
        let index = match self
            .plan
            .vaults
            .iter()
            .position(|v| v.name.eq_ignore_ascii_case(name))
        {
            Some(i) => i,
            None => {
                let known = self.scenario.and_then(|s| {
                    s.key_vaults
                        .iter()
                        .find(|k| k.name.eq_ignore_ascii_case(name))
                });
                let access = match known {
                    Some(k) => k.access,
                    None => {
                        self.warnings.push(note(
                            codes::VAULT_NOT_IN_SCENARIO,
                            Severity::Warning,
                            None,
                            format!("Key Vault '{name}' is not in the scenario's key_vaults: assumed to use Azure RBAC, so the export grants the role Key Vault Secrets User"),
                        ).with_help(format!("If '{name}' uses access policies, add {{\"name\": \"{name}\", \"access\": \"access-policy\"}} to key_vaults.")));
                        VaultAccess::Rbac
                    }
                };
                self.plan.vaults.push(VaultRes {
                    name: name.to_string(),
                    access,
                    grants: Vec::new(),
                });
                self.plan.vaults.len() - 1
            }
        };
        if let Some(vault) = self.plan.vaults.get_mut(index)
            && !vault.grants.contains(&identity)
        {
            vault.grants.push(identity);
        }
        index
    }

    /// Certificates, managed identities and runtime Key Vault calls of one document.
    fn other_refs(&mut self, refs: &Refs, fragment: Option<&str>) {
        let located = |span: Span| if fragment.is_some() { None } else { Some(span) };
        let context = fragment.map_or_else(String::new, |f| format!(" (in fragment '{f}')"));
        for (cert, span) in &refs.certificates {
            self.warnings.push(note(
                codes::CERTIFICATE_NOT_EXPORTED,
                Severity::Warning,
                located(*span),
                format!("certificate '{cert}'{context} must exist in the service: certificates are not exported"),
            ).with_help("Create it as a Microsoft.ApiManagement/service/certificates resource (Key Vault-backed, with the same vault permission) before deploying this policy."));
        }
        if let Some(scenario) = self.scenario {
            let identity = scenario.identity.clone().unwrap_or_default();
            for (client, span) in &refs.client_ids {
                // A send-request to Key Vault reports its identity itself, below.
                let in_vault_call = refs
                    .vault_calls
                    .iter()
                    .any(|(_, c, _)| c.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(client)));
                if !in_vault_call
                    && !identity
                        .user_client_ids()
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(client))
                {
                    self.warnings.push(note(
                        codes::UNKNOWN_IDENTITY,
                        Severity::Warning,
                        located(*span),
                        format!("authentication-managed-identity{context} uses client id {client}, which is not a user-assigned identity of the scenario's service"),
                    ).with_help("The identity must be attached to the service, or the gateway cannot get a token."));
                }
            }
        }
        for (vault, client, span) in &refs.vault_calls {
            let identity = self.identity(
                client.as_deref(),
                located(*span),
                &format!("the send-request to Key Vault '{vault}'{context}"),
            );
            self.vault(vault, identity);
            self.warnings.push(note(
                codes::RUNTIME_VAULT_CALL,
                Severity::Info,
                located(*span),
                format!("the policy{context} reads Key Vault '{vault}' at runtime: the export grants its identity access to the vault's secrets too"),
            ).with_help("With the Key Vault firewall on, only the system-assigned identity can reach the vault, and the gateway needs a network path to it."));
        }
    }

    fn fragment(&mut self, name: &str, span: Span) -> Option<usize> {
        if let Some(i) = self.plan.fragments.iter().position(|f| f.name == name) {
            return Some(i);
        }
        if !names::valid_fragment_name(name) {
            self.errors.push(Diagnostic::error(
                codes::INVALID_NAME,
                span,
                format!("'{name}' is not a valid fragment name: 1–80 letters, digits, _ and -, not starting or ending with -"),
            ).with_help("fragment-id is the fragment's resource name: rename the fragment, and the reference, within those rules."));
            return None;
        }
        let Some(found) = self.scenario.and_then(|s| s.fragment(name)).cloned() else {
            self.warnings.push(note(
                codes::MISSING_FRAGMENT,
                Severity::Warning,
                Some(span),
                format!("fragment '{name}' is not in the scenario: not exported, so it must already exist in the service"),
            ).with_help("Add it to the scenario's fragments to export it with the policy (and deploy it first)."));
            return None;
        };
        let doc = syntax::parse(&found.xml);
        let broken = doc
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if broken > 0 {
            self.warnings.push(note(
                codes::FRAGMENT_PROBLEM,
                Severity::Warning,
                Some(span),
                format!("fragment '{name}' in the scenario has {broken} syntax error(s): APIM will reject it"),
            ).with_help(format!("Fix the fragment '{name}' in the scenario's fragments: lint it on its own, at fragment scope.")));
        } else if doc.root_element().is_some_and(|r| r.name != "fragment") {
            self.warnings.push(note(
                codes::FRAGMENT_PROBLEM,
                Severity::Warning,
                Some(span),
                format!(
                    "fragment '{name}' in the scenario does not have the root element <fragment>"
                ),
            ).with_help(format!("Wrap the policies of '{name}' in <fragment>…</fragment> in the scenario's fragments.")));
        }
        let refs = collect(&doc);
        let context = format!(" (in fragment '{name}')");
        let mut named_values = Vec::new();
        for (nv, _) in &refs.named_values {
            if let Some(i) = self.named_value(nv, None, &context) {
                named_values.push(i);
            }
        }
        for (nested, _) in &refs.fragments {
            self.warnings.push(note(
                codes::FRAGMENT_PROBLEM,
                Severity::Warning,
                None,
                format!("fragment '{name}' includes fragment '{nested}', but fragments cannot include fragments; APIM will reject it"),
            ).with_help(format!("Write the policies of '{nested}' in '{name}' instead of including it.")));
        }
        self.other_refs(&refs, Some(name));
        self.plan.fragments.push(FragmentRes {
            name: found.name.clone(),
            xml: found.xml.clone(),
            named_values,
        });
        Some(self.plan.fragments.len() - 1)
    }
}

fn kind_name(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::System => "system",
        IdentityKind::User => "user",
        IdentityKind::SystemAndUser => "system-and-user",
        IdentityKind::None => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_identifiers() {
        let id = parse_secret_identifier("https://Contoso-KV.vault.azure.net/secrets/backend-key")
            .unwrap();
        assert_eq!(id.vault, "contoso-kv");
        assert_eq!(
            id.versionless,
            "https://Contoso-KV.vault.azure.net/secrets/backend-key"
        );
        assert_eq!(id.version, None);
        let v = parse_secret_identifier("https://kv1.vault.azure.cn/secrets/x/0123abcd/").unwrap();
        assert_eq!(v.versionless, "https://kv1.vault.azure.cn/secrets/x");
        assert_eq!(v.version.as_deref(), Some("0123abcd"));
        for bad in [
            "",
            "http://kv1.vault.azure.net/secrets/x",
            "https://kv1.blob.core.windows.net/secrets/x",
            "https://kv1.vault.azure.net/keys/x",
            "https://kv1.vault.azure.net/secrets/",
            "https://kv1.vault.azure.net/secrets/a_b",
            "https://kv1.vault.azure.net/secrets/x/v/extra",
            "https://kv1.vault.azure.net/secrets/x?api-version=7.4",
        ] {
            assert_eq!(parse_secret_identifier(bad), None, "{bad}");
        }
    }

    #[test]
    fn vault_urls() {
        assert_eq!(
            vault_in_url("https://myvault.vault.azure.net/secrets/mysecret/?api-version=7.4"),
            Some("myvault".into())
        );
        assert_eq!(vault_in_url("https://backend.contoso.com/x"), None);
        assert_eq!(
            vault_in_url("@(\"https://kv-a.vault.azure.net/secrets/\" + name)"),
            Some("kv-a".into())
        );
    }
}
