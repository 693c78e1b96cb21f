//! The plan as an ARM JSON template (`deploymentTemplate.json` 2019-04-01), or, as a snippet,
//! as the JSON array of its resources.
//!
//! Choices (see `shared/reference/arm-export.md`):
//! - every name is a `[format('{0}/{1}', parameters('apimServiceName'), '…')]` expression, as
//!   Bicep compiles them (the official schemas also reject some literal child names, such as
//!   `contoso-kv/add`, that ARM accepts);
//! - literal strings that would read as an expression (`[…]`) are escaped as `[[…]`, the rule
//!   in the template-expressions docs (a string is an expression only when it both starts with
//!   `[` and ends with `]`);
//! - the system identity's principal is `reference(<service id>, '<apiVersion>',
//!   'full').identity.principalId`; a user-assigned identity is a parameter with its resource
//!   name (same resource group), from which `principalId`, `tenantId` and `clientId` are read,
//!   so the template never has to be told an id by hand;
//! - role assignment names are `guid(<vault id>, <identity resource id>, <role definition id>)`,
//!   exactly what the Bicep output computes, so switching between the two does not create a
//!   second assignment.

use super::plan::{
    API_PARAM, IdentityRef, NamedValueKind, OPERATION_PARAM, PRODUCT_PARAM, Plan, SERVICE_PARAM,
    UserIdentity,
};
use super::{Scope, codes};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::json::J as Json;
use crate::scenario::VaultAccess;

pub const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
pub const KEY_VAULT_API: &str = "2023-07-01";
pub const ROLE_ASSIGNMENT_API: &str = "2022-04-01";
pub const IDENTITY_API: &str = "2023-01-31";
/// Key Vault Secrets User (rbac-guide.md): read secret contents.
pub const SECRETS_USER_ROLE: &str = "4633458b-17de-408a-b874-0445c86b69e6";

/// An ARM expression string literal: `'it''s'`.
pub fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A JSON string that ARM must read literally.
pub fn literal(s: &str) -> Json {
    if s.starts_with('[') && s.ends_with(']') {
        Json::Str(format!("[{s}"))
    } else {
        Json::str(s)
    }
}

fn expr(body: &str) -> Json {
    Json::Str(format!("[{body}]"))
}

fn param(name: &str) -> String {
    format!("parameters({})", q(name))
}

fn service_id() -> String {
    format!(
        "resourceId('Microsoft.ApiManagement/service', {})",
        param(SERVICE_PARAM)
    )
}

fn vault_id(vault: &str) -> String {
    format!("resourceId('Microsoft.KeyVault/vaults', {})", q(vault))
}

fn identity_id(user: &UserIdentity) -> String {
    format!(
        "resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', {})",
        param(&user.param)
    )
}

fn role_definition_id() -> String {
    format!(
        "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', {})",
        q(SECRETS_USER_ROLE)
    )
}

/// `principalId`, `tenantId` or `clientId` of an identity, as an expression body.
fn identity_property(plan: &Plan, identity: IdentityRef, property: &str) -> String {
    match identity {
        IdentityRef::System => format!(
            "reference({}, {}, 'full').identity.{property}",
            service_id(),
            q(plan.api_version.as_str())
        ),
        IdentityRef::User(i) => match plan.identities.get(i) {
            Some(user) => format!(
                "reference({}, {}).{property}",
                identity_id(user),
                q(IDENTITY_API)
            ),
            None => String::new(),
        },
    }
}

fn identity_resource_id(plan: &Plan, identity: IdentityRef) -> String {
    match identity {
        IdentityRef::System => service_id(),
        IdentityRef::User(i) => plan.identities.get(i).map(identity_id).unwrap_or_default(),
    }
}

pub fn describe_identity(plan: &Plan, identity: IdentityRef) -> String {
    match identity {
        IdentityRef::System => "the API Management service's system-assigned identity".into(),
        IdentityRef::User(i) => match plan.identities.get(i) {
            Some(u) => format!("the user-assigned identity with client id {}", u.client_id),
            None => "a user-assigned identity".into(),
        },
    }
}

fn role_assignment_name(plan: &Plan, vault: &str, identity: IdentityRef) -> String {
    format!(
        "guid({}, {}, {})",
        vault_id(vault),
        identity_resource_id(plan, identity),
        role_definition_id()
    )
}

/// The resource id of the permission a Key Vault named value depends on.
fn permission_id(plan: &Plan, vault_index: usize, identity: IdentityRef) -> Option<String> {
    let vault = plan.vaults.get(vault_index)?;
    Some(match vault.access {
        VaultAccess::AccessPolicy => format!(
            "resourceId('Microsoft.KeyVault/vaults/accessPolicies', {}, 'add')",
            q(&vault.name)
        ),
        VaultAccess::Rbac => format!(
            "extensionResourceId({}, 'Microsoft.Authorization/roleAssignments', {})",
            vault_id(&vault.name),
            role_assignment_name(plan, &vault.name, identity)
        ),
    })
}

fn child_name(segments: &[String]) -> Json {
    let placeholders: Vec<String> = (0..segments.len()).map(|i| format!("{{{i}}}")).collect();
    expr(&format!(
        "format({}, {})",
        q(&placeholders.join("/")),
        segments.join(", ")
    ))
}

fn named_value_id(name: &str) -> String {
    format!(
        "resourceId('Microsoft.ApiManagement/service/namedValues', {}, {})",
        param(SERVICE_PARAM),
        q(name)
    )
}

fn fragment_id(name: &str) -> String {
    format!(
        "resourceId('Microsoft.ApiManagement/service/policyFragments', {}, {})",
        param(SERVICE_PARAM),
        q(name)
    )
}

fn depends_on(ids: Vec<String>) -> Option<Json> {
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    (!unique.is_empty()).then(|| Json::Arr(unique.iter().map(|i| expr(i)).collect()))
}

fn permission_resources(plan: &Plan) -> Vec<Json> {
    let mut out = Vec::new();
    for vault in &plan.vaults {
        match vault.access {
            VaultAccess::AccessPolicy => {
                let entries = vault
                    .grants
                    .iter()
                    .map(|&identity| {
                        Json::obj()
                            .with(
                                "tenantId",
                                expr(&identity_property(plan, identity, "tenantId")),
                            )
                            .with(
                                "objectId",
                                expr(&identity_property(plan, identity, "principalId")),
                            )
                            .with(
                                "permissions",
                                Json::obj().with(
                                    "secrets",
                                    Json::Arr(vec![Json::str("get"), Json::str("list")]),
                                ),
                            )
                    })
                    .collect();
                let who: Vec<String> = vault
                    .grants
                    .iter()
                    .map(|&g| describe_identity(plan, g))
                    .collect();
                out.push(
                    Json::obj()
                        .with("type", Json::str("Microsoft.KeyVault/vaults/accessPolicies"))
                        .with("apiVersion", Json::str(KEY_VAULT_API))
                        .with("name", child_name(&[q(&vault.name), q("add")]))
                        .with(
                            "comments",
                            Json::Str(format!(
                                "Adds secrets get and list on Key Vault {} for {}, so that API Management can read its secrets. 'add' merges with the vault's existing access policies.",
                                vault.name,
                                who.join(" and ")
                            )),
                        )
                        .with("properties", Json::obj().with("accessPolicies", Json::Arr(entries))),
                );
            }
            VaultAccess::Rbac => {
                for &identity in &vault.grants {
                    out.push(
                        Json::obj()
                            .with("type", Json::str("Microsoft.Authorization/roleAssignments"))
                            .with("apiVersion", Json::str(ROLE_ASSIGNMENT_API))
                            .with("scope", expr(&format!("format('Microsoft.KeyVault/vaults/{{0}}', {})", q(&vault.name))))
                            .with("name", expr(&role_assignment_name(plan, &vault.name, identity)))
                            .with(
                                "comments",
                                Json::Str(format!(
                                    "Key Vault Secrets User on Key Vault {} for {}, so that API Management can read its secrets. A new role assignment can take a few minutes to apply: if the first deployment fails to read a secret, deploy again.",
                                    vault.name,
                                    describe_identity(plan, identity)
                                )),
                            )
                            .with(
                                "properties",
                                Json::obj()
                                    .with("roleDefinitionId", expr(&role_definition_id()))
                                    .with("principalId", expr(&identity_property(plan, identity, "principalId")))
                                    .with("principalType", Json::str("ServicePrincipal")),
                            ),
                    );
                }
            }
        }
    }
    out
}

fn named_value_resources(plan: &Plan) -> Vec<Json> {
    let mut out = Vec::new();
    for nv in &plan.named_values {
        let mut props = Json::obj().with("displayName", Json::str(&nv.name));
        let mut deps = Vec::new();
        match &nv.kind {
            NamedValueKind::Plain(v) => {
                props = props
                    .with("value", literal(v))
                    .with("secret", Json::Bool(false));
            }
            NamedValueKind::Secret => {
                props = props
                    .with(
                        "value",
                        expr(&param(nv.param.as_deref().unwrap_or_default())),
                    )
                    .with("secret", Json::Bool(true));
            }
            NamedValueKind::Placeholder => {
                props = props
                    .with(
                        "value",
                        expr(&param(nv.param.as_deref().unwrap_or_default())),
                    )
                    .with("secret", Json::Bool(false));
            }
            NamedValueKind::KeyVault {
                secret_identifier,
                vault,
                identity,
            } => {
                let mut kv = Json::obj().with("secretIdentifier", literal(secret_identifier));
                // The schema types identityClientId as a string: null is rejected, so the key
                // is left out for the system identity (what APIM then uses).
                if let IdentityRef::User(_) = identity {
                    kv = kv.with(
                        "identityClientId",
                        expr(&identity_property(plan, *identity, "clientId")),
                    );
                }
                props = props.with("secret", Json::Bool(true)).with("keyVault", kv);
                deps.extend(permission_id(plan, *vault, *identity));
            }
        }
        if !nv.tags.is_empty() {
            props = props.with(
                "tags",
                Json::Arr(nv.tags.iter().map(|t| literal(t)).collect()),
            );
        }
        out.push(
            Json::obj()
                .with(
                    "type",
                    Json::str("Microsoft.ApiManagement/service/namedValues"),
                )
                .with("apiVersion", Json::str(plan.api_version.as_str()))
                .with("name", child_name(&[param(SERVICE_PARAM), q(&nv.name)]))
                .with_opt("dependsOn", depends_on(deps))
                .with("properties", props),
        );
    }
    out
}

fn fragment_resource(plan: &Plan, name: &str, xml: &str, named_values: &[usize]) -> Json {
    let deps = named_values
        .iter()
        .filter_map(|&i| plan.named_values.get(i))
        .map(|nv| named_value_id(&nv.name))
        .collect();
    Json::obj()
        .with(
            "type",
            Json::str("Microsoft.ApiManagement/service/policyFragments"),
        )
        .with("apiVersion", Json::str(plan.api_version.as_str()))
        .with("name", child_name(&[param(SERVICE_PARAM), q(name)]))
        .with_opt("dependsOn", depends_on(deps))
        .with(
            "properties",
            Json::obj()
                .with("format", Json::str("rawxml"))
                .with("value", literal(xml)),
        )
}

fn policy_resource(plan: &Plan) -> Json {
    if plan.scope == Scope::Fragment {
        return fragment_resource(
            plan,
            &plan.fragment_name,
            &plan.document,
            &plan.document_named_values,
        );
    }
    let (kind, mut segments) = match plan.scope {
        Scope::Global => (
            "Microsoft.ApiManagement/service/policies",
            vec![param(SERVICE_PARAM)],
        ),
        Scope::Product => (
            "Microsoft.ApiManagement/service/products/policies",
            vec![param(SERVICE_PARAM), param(PRODUCT_PARAM)],
        ),
        Scope::Operation => (
            "Microsoft.ApiManagement/service/apis/operations/policies",
            vec![
                param(SERVICE_PARAM),
                param(API_PARAM),
                param(OPERATION_PARAM),
            ],
        ),
        Scope::Api | Scope::Fragment => (
            "Microsoft.ApiManagement/service/apis/policies",
            vec![param(SERVICE_PARAM), param(API_PARAM)],
        ),
    };
    segments.push(q("policy"));
    let mut deps: Vec<String> = plan
        .document_fragments
        .iter()
        .filter_map(|&i| plan.fragments.get(i))
        .map(|f| fragment_id(&f.name))
        .collect();
    deps.extend(
        plan.document_named_values
            .iter()
            .filter_map(|&i| plan.named_values.get(i))
            .map(|nv| named_value_id(&nv.name)),
    );
    Json::obj()
        .with("type", Json::str(kind))
        .with("apiVersion", Json::str(plan.api_version.as_str()))
        .with("name", child_name(&segments))
        .with_opt("dependsOn", depends_on(deps))
        .with(
            "properties",
            Json::obj()
                .with("format", Json::str("rawxml"))
                .with("value", literal(&plan.document)),
        )
}

pub fn resources(plan: &Plan) -> Vec<Json> {
    let mut out = permission_resources(plan);
    out.extend(named_value_resources(plan));
    for f in &plan.fragments {
        out.push(fragment_resource(plan, &f.name, &f.xml, &f.named_values));
    }
    out.push(policy_resource(plan));
    out
}

/// (name, type, default value, description) of every parameter the resources use.
pub fn parameters(plan: &Plan) -> Vec<(String, &'static str, Option<String>, String)> {
    let mut out = vec![(
        SERVICE_PARAM.to_string(),
        "string",
        Some(plan.service.clone()),
        "Name of the existing API Management service.".to_string(),
    )];
    match plan.scope {
        Scope::Product => out.push((
            PRODUCT_PARAM.into(),
            "string",
            Some(plan.product.clone()),
            "Name (id) of the existing product.".into(),
        )),
        Scope::Api => out.push((
            API_PARAM.into(),
            "string",
            Some(plan.api.clone()),
            "Name (id) of the existing API (with ;rev=N for a revision).".into(),
        )),
        Scope::Operation => {
            out.push((
                API_PARAM.into(),
                "string",
                Some(plan.api.clone()),
                "Name (id) of the existing API (with ;rev=N for a revision).".into(),
            ));
            out.push((
                OPERATION_PARAM.into(),
                "string",
                Some(plan.operation.clone()),
                "Name (id) of the existing operation.".into(),
            ));
        }
        Scope::Global | Scope::Fragment => {}
    }
    for user in &plan.identities {
        out.push((
            user.param.clone(),
            "string",
            None,
            format!(
                "Name of the user-assigned managed identity with client id {}, attached to the API Management service and in this resource group.",
                user.client_id
            ),
        ));
    }
    for nv in &plan.named_values {
        if let Some(p) = &nv.param {
            let (kind, description) = match nv.kind {
                NamedValueKind::Secret => (
                    "securestring",
                    format!("Value of the secret named value '{}'.", nv.name),
                ),
                _ => (
                    "string",
                    format!(
                        "Value of the named value '{}' (not defined in the scenario).",
                        nv.name
                    ),
                ),
            };
            out.push((p.clone(), kind, None, description));
        }
    }
    out
}

fn scope_description(plan: &Plan) -> String {
    match plan.scope {
        Scope::Global => "The global (all APIs) policy".into(),
        Scope::Product => format!("The policy of product '{}'", plan.product),
        Scope::Api => format!("The policy of API '{}'", plan.api),
        Scope::Operation => format!(
            "The policy of operation '{}' of API '{}'",
            plan.operation, plan.api
        ),
        Scope::Fragment => format!("The policy fragment '{}'", plan.fragment_name),
    }
}

/// One line that says what the file deploys (all targets use it in their header).
pub fn summary(plan: &Plan) -> String {
    let mut parts = vec![scope_description(plan)];
    if !plan.fragments.is_empty() {
        parts.push("the fragments it includes".into());
    }
    if !plan.named_values.is_empty() {
        parts.push("the named values it references".into());
    }
    if !plan.vaults.is_empty() {
        parts.push("API Management's read access to the Key Vault secrets".into());
    }
    let mut text = match parts.len() {
        1 => parts.concat(),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{}, and {last}", parts.join(", "))
        }
    };
    text.push_str(". Generated by the APIM Policy Playground.");
    text
}

pub fn render(plan: &Plan, snippet: bool, diagnostics: &mut Vec<Diagnostic>) -> String {
    let resources = resources(plan);
    let params = parameters(plan);
    if snippet {
        let list: Vec<String> = params
            .iter()
            .map(|(name, kind, _, _)| format!("{name} ({kind})"))
            .collect();
        diagnostics.push(Diagnostic::new(
            codes::SNIPPET_EXPECTS,
            Severity::Info,
            Span::default(),
            format!(
                "the snippet is a JSON array of resources for a template's \"resources\"; that template needs the parameters {}",
                list.join(", ")
            ),
        ).with_help("Paste the array into the \"resources\" of a template that declares those parameters, or export a full template instead."));
        return Json::Arr(resources).pretty();
    }
    let mut parameters = Json::obj();
    for (name, kind, default, description) in params {
        let mut p = Json::obj().with("type", Json::str(kind));
        if let Some(d) = default {
            p = p.with("defaultValue", literal(&d));
        }
        p = p.with(
            "metadata",
            Json::obj().with("description", Json::Str(description)),
        );
        parameters = parameters.with(&name, p);
    }
    Json::obj()
        .with("$schema", Json::str(SCHEMA))
        .with("contentVersion", Json::str("1.0.0.0"))
        .with(
            "metadata",
            Json::obj().with("description", Json::Str(summary(plan))),
        )
        .with("parameters", parameters)
        .with("resources", Json::Arr(resources))
        .pretty()
}
