//! The plan as Bicep: the same resources as the ARM template, written the Bicep way.
//!
//! `existing` declarations for the service, the API/operation/product, the vaults and the
//! user-assigned identities; child resources with `parent:`; `@secure()` parameters for
//! secrets; the identity's principal as `apim.identity.principalId` (or
//! `identity.properties.principalId`), which Bicep compiles to the same `reference(…, 'full')`
//! the ARM output writes; role assignment names from the same `guid()` inputs as the ARM output.
//!
//! Policy documents are multi-line `'''` strings, which Bicep reads verbatim. A `'''` cannot
//! appear inside one, so a document that contains `'''` (or that starts with a line break or
//! ends with `'`, both of which read ambiguously next to the delimiters) is written as an
//! escaped single-line string instead. A comment next to each document mentions the
//! `loadTextContent()` alternative.

use super::names::{self, Unique};
use super::plan::{
    API_PARAM, IdentityRef, NamedValueKind, OPERATION_PARAM, PRODUCT_PARAM, Plan, SERVICE_PARAM,
};
use super::render_arm::{
    IDENTITY_API, KEY_VAULT_API, ROLE_ASSIGNMENT_API, SECRETS_USER_ROLE, describe_identity,
    parameters, summary,
};
use super::{Scope, codes};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::scenario::VaultAccess;
use std::fmt::Write;

/// A single-line Bicep string: `'it\'s ${x}'` → `'it\'s \${x}'`.
pub fn quote(s: &str) -> String {
    let mut out = String::from("'");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A policy document as a Bicep string expression.
fn document(text: &str) -> String {
    let verbatim_ok =
        !text.contains("'''") && !text.ends_with('\'') && !text.starts_with(['\n', '\r']);
    if verbatim_ok {
        // The line break right after the opening ''' is not part of the value.
        format!("'''\n{text}'''")
    } else {
        quote(text)
    }
}

struct Symbols {
    apim: String,
    scope_parent: String,
    vaults: Vec<String>,
    identities: Vec<String>,
    /// Per vault: the access policy symbol, or one role assignment symbol per grant.
    permissions: Vec<Vec<String>>,
    named_values: Vec<String>,
    fragments: Vec<String>,
    policy: String,
}

fn symbols(plan: &Plan) -> Symbols {
    let mut unique = Unique::default();
    for (name, _, _, _) in parameters(plan) {
        unique.reserve(&name);
    }
    let apim = unique.take("apim");
    let scope_parent = match plan.scope {
        Scope::Product => unique.take("product"),
        Scope::Api => unique.take("api"),
        Scope::Operation => {
            unique.reserve("api");
            unique.take("operation")
        }
        Scope::Global | Scope::Fragment => apim.clone(),
    };
    let vaults: Vec<String> = plan
        .vaults
        .iter()
        .map(|v| unique.take(&format!("keyVault{}", names::pascal(&v.name))))
        .collect();
    let identities = (0..plan.identities.len())
        .map(|i| {
            if i == 0 {
                unique.take("userAssignedIdentity")
            } else {
                unique.take(&format!("userAssignedIdentity{}", i + 1))
            }
        })
        .collect();
    let permissions = plan
        .vaults
        .iter()
        .zip(&vaults)
        .map(|(vault, symbol)| match vault.access {
            VaultAccess::AccessPolicy => vec![unique.take(&format!("{symbol}AccessPolicy"))],
            VaultAccess::Rbac => vault
                .grants
                .iter()
                .map(|g| {
                    let who = match g {
                        IdentityRef::System => "System".to_string(),
                        IdentityRef::User(0) => "Identity".to_string(),
                        IdentityRef::User(i) => format!("Identity{}", i + 1),
                    };
                    unique.take(&format!("{symbol}SecretsUser{who}"))
                })
                .collect(),
        })
        .collect();
    let named_values = plan
        .named_values
        .iter()
        .map(|nv| unique.take(&format!("namedValue{}", names::pascal(&nv.name))))
        .collect();
    let fragments = plan
        .fragments
        .iter()
        .map(|f| unique.take(&format!("fragment{}", names::pascal(&f.name))))
        .collect();
    let policy = match plan.scope {
        Scope::Global => unique.take("globalPolicy"),
        Scope::Product => unique.take("productPolicy"),
        Scope::Api => unique.take("apiPolicy"),
        Scope::Operation => unique.take("operationPolicy"),
        Scope::Fragment => unique.take(&format!("fragment{}", names::pascal(&plan.fragment_name))),
    };
    Symbols {
        apim,
        scope_parent,
        vaults,
        identities,
        permissions,
        named_values,
        fragments,
        policy,
    }
}

fn identity_property(s: &Symbols, identity: IdentityRef, property: &str) -> String {
    match identity {
        IdentityRef::System => format!("{}.identity.{property}", s.apim),
        IdentityRef::User(i) => format!(
            "{}.properties.{property}",
            s.identities
                .get(i)
                .map_or("userAssignedIdentity", String::as_str)
        ),
    }
}

fn identity_symbol(s: &Symbols, identity: IdentityRef) -> String {
    match identity {
        IdentityRef::System => s.apim.clone(),
        IdentityRef::User(i) => s.identities.get(i).cloned().unwrap_or_default(),
    }
}

fn role_definition() -> String {
    format!(
        "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{SECRETS_USER_ROLE}')"
    )
}

/// The symbol of the permission a Key Vault named value waits for.
fn permission_symbol(
    plan: &Plan,
    s: &Symbols,
    vault: usize,
    identity: IdentityRef,
) -> Option<String> {
    let v = plan.vaults.get(vault)?;
    let symbols = s.permissions.get(vault)?;
    match v.access {
        VaultAccess::AccessPolicy => symbols.first().cloned(),
        VaultAccess::Rbac => {
            let at = v.grants.iter().position(|g| *g == identity)?;
            symbols.get(at).cloned()
        }
    }
}

fn depends_on(out: &mut String, symbols: &[String]) {
    let mut unique: Vec<&String> = Vec::new();
    for s in symbols {
        if !unique.contains(&s) {
            unique.push(s);
        }
    }
    if unique.is_empty() {
        return;
    }
    out.push_str("  dependsOn: [\n");
    for s in unique {
        let _ = writeln!(out, "    {s}");
    }
    out.push_str("  ]\n");
}

fn existing(out: &mut String, plan: &Plan, s: &Symbols) {
    let v = plan.api_version.as_str();
    let _ = writeln!(
        out,
        "resource {} 'Microsoft.ApiManagement/service@{v}' existing = {{\n  name: {SERVICE_PARAM}\n}}\n",
        s.apim
    );
    match plan.scope {
        Scope::Product => {
            let _ = writeln!(
                out,
                "resource {} 'Microsoft.ApiManagement/service/products@{v}' existing = {{\n  parent: {}\n  name: {PRODUCT_PARAM}\n}}\n",
                s.scope_parent, s.apim
            );
        }
        Scope::Api => {
            let _ = writeln!(
                out,
                "resource {} 'Microsoft.ApiManagement/service/apis@{v}' existing = {{\n  parent: {}\n  name: {API_PARAM}\n}}\n",
                s.scope_parent, s.apim
            );
        }
        Scope::Operation => {
            let _ = writeln!(
                out,
                "resource api 'Microsoft.ApiManagement/service/apis@{v}' existing = {{\n  parent: {}\n  name: {API_PARAM}\n}}\n",
                s.apim
            );
            let _ = writeln!(
                out,
                "resource {} 'Microsoft.ApiManagement/service/apis/operations@{v}' existing = {{\n  parent: api\n  name: {OPERATION_PARAM}\n}}\n",
                s.scope_parent
            );
        }
        Scope::Global | Scope::Fragment => {}
    }
    for (vault, symbol) in plan.vaults.iter().zip(&s.vaults) {
        let _ = writeln!(
            out,
            "resource {symbol} 'Microsoft.KeyVault/vaults@{KEY_VAULT_API}' existing = {{\n  name: {}\n}}\n",
            quote(&vault.name)
        );
    }
    for (user, symbol) in plan.identities.iter().zip(&s.identities) {
        let _ = writeln!(
            out,
            "resource {symbol} 'Microsoft.ManagedIdentity/userAssignedIdentities@{IDENTITY_API}' existing = {{\n  name: {}\n}}\n",
            user.param
        );
    }
}

fn permissions(out: &mut String, plan: &Plan, s: &Symbols) {
    for ((vault, vault_symbol), symbols) in plan.vaults.iter().zip(&s.vaults).zip(&s.permissions) {
        match vault.access {
            VaultAccess::AccessPolicy => {
                let who: Vec<String> = vault
                    .grants
                    .iter()
                    .map(|&g| describe_identity(plan, g))
                    .collect();
                let _ = writeln!(
                    out,
                    "// Secrets get and list on Key Vault {} for {} ('add' merges with the vault's other access policies).",
                    vault.name,
                    who.join(" and ")
                );
                let _ = writeln!(
                    out,
                    "resource {} 'Microsoft.KeyVault/vaults/accessPolicies@{KEY_VAULT_API}' = {{\n  parent: {vault_symbol}\n  name: 'add'\n  properties: {{\n    accessPolicies: [",
                    symbols.first().map_or("accessPolicy", String::as_str)
                );
                for &g in &vault.grants {
                    let _ = writeln!(
                        out,
                        "      {{\n        tenantId: {}\n        objectId: {}\n        permissions: {{\n          secrets: [\n            'get'\n            'list'\n          ]\n        }}\n      }}",
                        identity_property(s, g, "tenantId"),
                        identity_property(s, g, "principalId")
                    );
                }
                out.push_str("    ]\n  }\n}\n\n");
            }
            VaultAccess::Rbac => {
                for (&g, symbol) in vault.grants.iter().zip(symbols) {
                    let _ = writeln!(
                        out,
                        "// Key Vault Secrets User ({SECRETS_USER_ROLE}) on Key Vault {} for {}.\n// A new role assignment can take a few minutes to apply: if the first deployment fails to read a secret, deploy again.",
                        vault.name,
                        describe_identity(plan, g)
                    );
                    let _ = writeln!(
                        out,
                        "resource {symbol} 'Microsoft.Authorization/roleAssignments@{ROLE_ASSIGNMENT_API}' = {{\n  name: guid({vault_symbol}.id, {}.id, {})\n  scope: {vault_symbol}\n  properties: {{\n    roleDefinitionId: {}\n    principalId: {}\n    principalType: 'ServicePrincipal'\n  }}\n}}\n",
                        identity_symbol(s, g),
                        role_definition(),
                        role_definition(),
                        identity_property(s, g, "principalId")
                    );
                }
            }
        }
    }
}

fn named_values(out: &mut String, plan: &Plan, s: &Symbols) {
    let v = plan.api_version.as_str();
    for (nv, symbol) in plan.named_values.iter().zip(&s.named_values) {
        let _ = writeln!(
            out,
            "resource {symbol} 'Microsoft.ApiManagement/service/namedValues@{v}' = {{\n  parent: {}\n  name: {}\n  properties: {{\n    displayName: {}",
            s.apim,
            quote(&nv.name),
            quote(&nv.name)
        );
        let mut deps = Vec::new();
        match &nv.kind {
            NamedValueKind::Plain(value) => {
                let _ = writeln!(out, "    value: {}\n    secret: false", quote(value));
            }
            NamedValueKind::Secret => {
                let _ = writeln!(
                    out,
                    "    value: {}\n    secret: true",
                    nv.param.as_deref().unwrap_or_default()
                );
            }
            NamedValueKind::Placeholder => {
                let _ = writeln!(
                    out,
                    "    value: {}\n    secret: false",
                    nv.param.as_deref().unwrap_or_default()
                );
            }
            NamedValueKind::KeyVault {
                secret_identifier,
                vault,
                identity,
            } => {
                let _ = writeln!(
                    out,
                    "    secret: true\n    keyVault: {{\n      secretIdentifier: {}",
                    quote(secret_identifier)
                );
                // Left out for the system identity: APIM then uses it (null is rejected).
                if let IdentityRef::User(_) = identity {
                    let _ = writeln!(
                        out,
                        "      identityClientId: {}",
                        identity_property(s, *identity, "clientId")
                    );
                }
                out.push_str("    }\n");
                deps.extend(permission_symbol(plan, s, *vault, *identity));
            }
        }
        if !nv.tags.is_empty() {
            out.push_str("    tags: [\n");
            for t in &nv.tags {
                let _ = writeln!(out, "      {}", quote(t));
            }
            out.push_str("    ]\n");
        }
        out.push_str("  }\n");
        depends_on(out, &deps);
        out.push_str("}\n\n");
    }
}

fn policy_body(out: &mut String, xml: &str, file: &str) {
    let _ = writeln!(
        out,
        "  properties: {{\n    format: 'rawxml'\n    // Or keep the document in a file next to this one: value: loadTextContent('{file}')\n    value: {}\n  }}",
        document(xml)
    );
}

fn fragments(out: &mut String, plan: &Plan, s: &Symbols) {
    let v = plan.api_version.as_str();
    for (f, symbol) in plan.fragments.iter().zip(&s.fragments) {
        let _ = writeln!(
            out,
            "resource {symbol} 'Microsoft.ApiManagement/service/policyFragments@{v}' = {{\n  parent: {}\n  name: {}",
            s.apim,
            quote(&f.name)
        );
        policy_body(out, &f.xml, &format!("fragment-{}.xml", f.name));
        let deps: Vec<String> = f
            .named_values
            .iter()
            .filter_map(|&i| s.named_values.get(i).cloned())
            .collect();
        depends_on(out, &deps);
        out.push_str("}\n\n");
    }
}

fn policy(out: &mut String, plan: &Plan, s: &Symbols) {
    let v = plan.api_version.as_str();
    let (kind, name) = match plan.scope {
        Scope::Global => ("service/policies", "'policy'".to_string()),
        Scope::Product => ("service/products/policies", "'policy'".into()),
        Scope::Api => ("service/apis/policies", "'policy'".into()),
        Scope::Operation => ("service/apis/operations/policies", "'policy'".into()),
        Scope::Fragment => ("service/policyFragments", quote(&plan.fragment_name)),
    };
    let file = names::file_name(plan, "xml", false);
    let _ = writeln!(
        out,
        "resource {} 'Microsoft.ApiManagement/{kind}@{v}' = {{\n  parent: {}\n  name: {name}",
        s.policy, s.scope_parent
    );
    policy_body(out, &plan.document, &file);
    let mut deps: Vec<String> = plan
        .document_fragments
        .iter()
        .filter_map(|&i| s.fragments.get(i).cloned())
        .collect();
    deps.extend(
        plan.document_named_values
            .iter()
            .filter_map(|&i| s.named_values.get(i).cloned()),
    );
    depends_on(out, &deps);
    out.push_str("}\n");
}

pub fn render(plan: &Plan, snippet: bool, diagnostics: &mut Vec<Diagnostic>) -> String {
    let s = symbols(plan);
    let mut out = String::new();
    let _ = writeln!(out, "// {}", summary(plan));
    if snippet {
        let mut expects: Vec<String> = parameters(plan)
            .iter()
            .map(|(name, kind, _, _)| {
                if *kind == "securestring" {
                    format!("@secure() param {name} string")
                } else {
                    format!("param {name} string")
                }
            })
            .collect();
        expects.push(format!(
            "resource {} (existing Microsoft.ApiManagement/service)",
            s.apim
        ));
        match plan.scope {
            Scope::Product => expects.push(format!(
                "resource {} (existing service/products)",
                s.scope_parent
            )),
            Scope::Api => expects.push(format!(
                "resource {} (existing service/apis)",
                s.scope_parent
            )),
            Scope::Operation => expects.push(format!(
                "resource {} (existing service/apis/operations)",
                s.scope_parent
            )),
            Scope::Global | Scope::Fragment => {}
        }
        for (vault, symbol) in plan.vaults.iter().zip(&s.vaults) {
            expects.push(format!(
                "resource {symbol} (existing Key Vault {})",
                vault.name
            ));
        }
        for (user, symbol) in plan.identities.iter().zip(&s.identities) {
            expects.push(format!(
                "resource {symbol} (existing user-assigned identity, client id {})",
                user.client_id
            ));
        }
        let _ = writeln!(out, "// Paste into a Bicep file that declares:");
        for e in &expects {
            let _ = writeln!(out, "//   {e}");
        }
        out.push('\n');
        diagnostics.push(Diagnostic::new(
            codes::SNIPPET_EXPECTS,
            Severity::Info,
            Span::default(),
            format!(
                "the snippet expects the Bicep file to declare: {}",
                expects.join("; ")
            ),
        ).with_help("Paste it into a Bicep file that declares these under the same names, or export a full template instead."));
    } else {
        out.push('\n');
        for (name, kind, default, description) in parameters(plan) {
            let _ = writeln!(out, "@description({})", quote(&description));
            if kind == "securestring" {
                out.push_str("@secure()\n");
            }
            match default {
                Some(d) => {
                    let _ = writeln!(out, "param {name} string = {}\n", quote(&d));
                }
                None => {
                    let _ = writeln!(out, "param {name} string\n");
                }
            }
        }
        existing(&mut out, plan, &s);
    }
    permissions(&mut out, plan, &s);
    named_values(&mut out, plan, &s);
    fragments(&mut out, plan, &s);
    policy(&mut out, plan, &s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_strings_escape_what_bicep_interprets() {
        assert_eq!(quote("it's ${x} \\ $y\n"), "'it\\'s \\${x} \\\\ $y\\n'");
    }

    #[test]
    fn documents_are_verbatim_unless_they_cannot_be() {
        assert_eq!(document("<policies/>\n"), "'''\n<policies/>\n'''");
        assert_eq!(document("<a b='''x'''/>"), "'<a b=\\'\\'\\'x\\'\\'\\'/>'");
        assert_eq!(document("\n<a/>"), "'\\n<a/>'");
    }
}
