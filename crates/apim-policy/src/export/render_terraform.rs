//! The plan as Terraform for the azurerm provider (≥ 3.105.0, the first with
//! `azurerm_api_management_policy_fragment`; 4.x works too).
//!
//! Existing resources are `data` sources (the service, the vaults, the user-assigned
//! identities); the API, operation and product are plain variables because their data sources
//! need more than a name (`azurerm_api_management_api` wants a revision). Secrets are
//! `sensitive` variables. Policy documents are heredocs, which Terraform reads as templates:
//! `${` and `%{` are written `$${` and `%%{` so they stay literal, and the heredoc's closing
//! line is chosen so that no line of the document ends it early. A heredoc always ends with a
//! line break, so a document without a final line break gains one (APIM ignores it).
//! Layout follows `terraform fmt`: `=` aligned within runs of one-line attributes.

use super::names::{self, Unique};
use super::plan::{
    API_PARAM, IdentityRef, NamedValueKind, OPERATION_PARAM, PRODUCT_PARAM, Plan, SERVICE_PARAM,
};
use super::render_arm::{SECRETS_USER_ROLE, describe_identity, parameters, summary};
use super::{Scope, codes};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::scenario::VaultAccess;
use std::fmt::Write;

/// Template sequences HCL would interpret in a string or heredoc.
fn escape_template(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// A quoted HCL string.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in escape_template(s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A heredoc holding `text` literally.
fn heredoc(text: &str) -> String {
    let mut marker = "XML".to_string();
    while text.lines().any(|l| l.trim() == marker) {
        marker.push_str("_END");
    }
    let body = escape_template(text);
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("<<{marker}\n{body}{newline}{marker}")
}

/// One item of a block body.
enum Item {
    Attr(String, String),
    Block(String, Vec<Item>),
    Blank,
}

fn attr(key: &str, value: impl Into<String>) -> Item {
    Item::Attr(key.to_string(), value.into())
}

fn write_items(items: &[Item], level: usize, out: &mut String) {
    let pad = "  ".repeat(level);
    let mut i = 0;
    while let Some(item) = items.get(i) {
        match item {
            Item::Attr(..) => {
                // A run of attributes up to (and including) the first multi-line one.
                let mut end = i;
                while let Some(Item::Attr(_, v)) = items.get(end) {
                    end += 1;
                    if v.contains('\n') {
                        break;
                    }
                }
                let run = items.get(i..end).unwrap_or(&[]);
                let width = run
                    .iter()
                    .map(|it| match it {
                        Item::Attr(k, _) => k.len(),
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                for it in run {
                    if let Item::Attr(k, v) = it {
                        let _ = writeln!(out, "{pad}{k:width$} = {v}");
                    }
                }
                i = end.max(i + 1);
            }
            Item::Block(header, body) if body.is_empty() => {
                let _ = writeln!(out, "{pad}{header} {{}}");
                i += 1;
            }
            Item::Block(header, body) => {
                let _ = writeln!(out, "{pad}{header} {{");
                write_items(body, level + 1, out);
                let _ = writeln!(out, "{pad}}}");
                i += 1;
            }
            Item::Blank => {
                out.push('\n');
                i += 1;
            }
        }
    }
}

fn block(out: &mut String, header: &str, body: Vec<Item>) {
    write_items(&[Item::Block(header.to_string(), body)], 0, out);
    out.push('\n');
}

/// The Terraform variable for an ARM/Bicep parameter.
fn variable(param: &str) -> String {
    match param {
        SERVICE_PARAM => "api_management_name".into(),
        PRODUCT_PARAM => "product_id".into(),
        API_PARAM => "api_name".into(),
        OPERATION_PARAM => "operation_id".into(),
        other => names::snake(other),
    }
}

struct Labels {
    vaults: Vec<String>,
    identities: Vec<String>,
    /// Per vault, per grant.
    permissions: Vec<Vec<String>>,
    named_values: Vec<String>,
    fragments: Vec<String>,
    policy: String,
}

fn labels(plan: &Plan) -> Labels {
    let mut unique = Unique::default();
    unique.reserve("apim");
    let vaults: Vec<String> = plan
        .vaults
        .iter()
        .map(|v| unique.take(&names::snake(&v.name)))
        .collect();
    let identities: Vec<String> = (0..plan.identities.len())
        .map(|i| {
            if i == 0 {
                unique.take("apim_identity")
            } else {
                unique.take(&format!("apim_identity_{}", i + 1))
            }
        })
        .collect();
    let permissions = plan
        .vaults
        .iter()
        .zip(&vaults)
        .map(|(vault, label)| {
            vault
                .grants
                .iter()
                .map(|g| {
                    let who = match g {
                        IdentityRef::System => "apim".to_string(),
                        IdentityRef::User(i) => identities.get(*i).cloned().unwrap_or_default(),
                    };
                    unique.take(&format!("{label}_{who}"))
                })
                .collect()
        })
        .collect();
    let named_values = plan
        .named_values
        .iter()
        .map(|nv| unique.take(&names::snake(&nv.name)))
        .collect();
    let fragments = plan
        .fragments
        .iter()
        .map(|f| unique.take(&names::snake(&f.name)))
        .collect();
    let policy = match plan.scope {
        Scope::Global => unique.take("global"),
        Scope::Product => unique.take(&names::snake(&plan.product)),
        Scope::Api => unique.take(&names::snake(&plan.api)),
        Scope::Operation => unique.take(&format!(
            "{}_{}",
            names::snake(&plan.api),
            names::snake(&plan.operation)
        )),
        Scope::Fragment => unique.take(&names::snake(&plan.fragment_name)),
    };
    Labels {
        vaults,
        identities,
        permissions,
        named_values,
        fragments,
        policy,
    }
}

const APIM: &str = "data.azurerm_api_management.apim";

fn principal(l: &Labels, identity: IdentityRef, attribute: &str) -> String {
    match identity {
        IdentityRef::System => format!("{APIM}.identity[0].{attribute}"),
        IdentityRef::User(i) => format!(
            "data.azurerm_user_assigned_identity.{}.{attribute}",
            l.identities.get(i).map_or("apim_identity", String::as_str)
        ),
    }
}

fn permission_ref(plan: &Plan, l: &Labels, vault: usize, identity: IdentityRef) -> Option<String> {
    let v = plan.vaults.get(vault)?;
    let at = v.grants.iter().position(|g| *g == identity)?;
    let label = l.permissions.get(vault)?.get(at)?;
    Some(match v.access {
        VaultAccess::AccessPolicy => format!("azurerm_key_vault_access_policy.{label}"),
        VaultAccess::Rbac => format!("azurerm_role_assignment.{label}"),
    })
}

fn depends_on(refs: Vec<String>) -> Option<Item> {
    let mut unique: Vec<String> = Vec::new();
    for r in refs {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    match unique.as_slice() {
        [] => None,
        [one] => Some(attr("depends_on", format!("[{one}]"))),
        many => {
            let lines: Vec<String> = many.iter().map(|r| format!("    {r},\n")).collect();
            Some(attr("depends_on", format!("[\n{}  ]", lines.concat())))
        }
    }
}

fn permissions(out: &mut String, plan: &Plan, l: &Labels) {
    for ((vault, vault_label), labels) in plan.vaults.iter().zip(&l.vaults).zip(&l.permissions) {
        for (&g, label) in vault.grants.iter().zip(labels) {
            match vault.access {
                VaultAccess::AccessPolicy => {
                    let _ = writeln!(
                        out,
                        "# Secrets Get and List on Key Vault {} for {}.",
                        vault.name,
                        describe_identity(plan, g)
                    );
                    block(
                        out,
                        &format!("resource \"azurerm_key_vault_access_policy\" \"{label}\""),
                        vec![
                            attr(
                                "key_vault_id",
                                format!("data.azurerm_key_vault.{vault_label}.id"),
                            ),
                            attr("tenant_id", principal(l, g, "tenant_id")),
                            attr("object_id", principal(l, g, "principal_id")),
                            attr("secret_permissions", "[\"Get\", \"List\"]"),
                        ],
                    );
                }
                VaultAccess::Rbac => {
                    let _ = writeln!(
                        out,
                        "# Key Vault Secrets User ({SECRETS_USER_ROLE}) on Key Vault {} for {}.\n# A new role assignment can take a few minutes to apply: if the first apply fails to read a secret, apply again.",
                        vault.name,
                        describe_identity(plan, g)
                    );
                    block(
                        out,
                        &format!("resource \"azurerm_role_assignment\" \"{label}\""),
                        vec![
                            attr("scope", format!("data.azurerm_key_vault.{vault_label}.id")),
                            attr("role_definition_name", "\"Key Vault Secrets User\""),
                            attr("principal_id", principal(l, g, "principal_id")),
                            attr("principal_type", "\"ServicePrincipal\""),
                        ],
                    );
                }
            }
        }
    }
}

fn named_values(out: &mut String, plan: &Plan, l: &Labels) {
    for (nv, label) in plan.named_values.iter().zip(&l.named_values) {
        let mut body = vec![
            attr("name", quote(&nv.name)),
            attr("resource_group_name", format!("{APIM}.resource_group_name")),
            attr("api_management_name", format!("{APIM}.name")),
            attr("display_name", quote(&nv.name)),
        ];
        let mut deps = Vec::new();
        match &nv.kind {
            NamedValueKind::Plain(v) => {
                body.push(attr("value", quote(v)));
                body.push(attr("secret", "false"));
            }
            NamedValueKind::Secret | NamedValueKind::Placeholder => {
                let var = variable(nv.param.as_deref().unwrap_or_default());
                body.push(attr("value", format!("var.{var}")));
                body.push(attr(
                    "secret",
                    if nv.kind == NamedValueKind::Secret {
                        "true"
                    } else {
                        "false"
                    },
                ));
            }
            NamedValueKind::KeyVault {
                secret_identifier,
                vault,
                identity,
            } => {
                body.push(attr("secret", "true"));
                let mut kv = vec![attr("secret_id", quote(secret_identifier))];
                // Left out for the system identity: APIM then uses it.
                if let IdentityRef::User(_) = identity {
                    kv.push(attr(
                        "identity_client_id",
                        principal(l, *identity, "client_id"),
                    ));
                }
                body.push(Item::Blank);
                body.push(Item::Block("value_from_key_vault".into(), kv));
                deps.extend(permission_ref(plan, l, *vault, *identity));
            }
        }
        if !nv.tags.is_empty() {
            let tags: Vec<String> = nv.tags.iter().map(|t| quote(t)).collect();
            body.push(attr("tags", format!("[{}]", tags.join(", "))));
        }
        if let Some(d) = depends_on(deps) {
            body.push(Item::Blank);
            body.push(d);
        }
        block(
            out,
            &format!("resource \"azurerm_api_management_named_value\" \"{label}\""),
            body,
        );
    }
}

fn fragment(name: &str, xml: &str, deps: Vec<String>) -> Vec<Item> {
    let mut body = vec![
        attr("api_management_id", format!("{APIM}.id")),
        attr("name", quote(name)),
        attr("format", "\"rawxml\""),
        attr("value", heredoc(xml)),
    ];
    if let Some(d) = depends_on(deps) {
        body.push(Item::Blank);
        body.push(d);
    }
    body
}

fn fragments(out: &mut String, plan: &Plan, l: &Labels) {
    for (f, label) in plan.fragments.iter().zip(&l.fragments) {
        let deps = f
            .named_values
            .iter()
            .filter_map(|&i| l.named_values.get(i))
            .map(|nv| format!("azurerm_api_management_named_value.{nv}"))
            .collect();
        let _ = writeln!(
            out,
            "# Or: value = file(\"${{path.module}}/fragment-{}.xml\")",
            f.name
        );
        block(
            out,
            &format!("resource \"azurerm_api_management_policy_fragment\" \"{label}\""),
            fragment(&f.name, &f.xml, deps),
        );
    }
}

fn policy(out: &mut String, plan: &Plan, l: &Labels) {
    let mut deps: Vec<String> = plan
        .document_fragments
        .iter()
        .filter_map(|&i| l.fragments.get(i))
        .map(|f| format!("azurerm_api_management_policy_fragment.{f}"))
        .collect();
    deps.extend(
        plan.document_named_values
            .iter()
            .filter_map(|&i| l.named_values.get(i))
            .map(|nv| format!("azurerm_api_management_named_value.{nv}")),
    );
    if plan.scope == Scope::Fragment {
        let _ = writeln!(
            out,
            "# Or: value = file(\"${{path.module}}/{}\")",
            names::file_name(plan, "xml", false)
        );
        block(
            out,
            &format!(
                "resource \"azurerm_api_management_policy_fragment\" \"{}\"",
                l.policy
            ),
            fragment(&plan.fragment_name, &plan.document, deps),
        );
        return;
    }
    let (kind, mut body) = match plan.scope {
        Scope::Global => (
            "azurerm_api_management_policy",
            vec![attr("api_management_id", format!("{APIM}.id"))],
        ),
        Scope::Product => (
            "azurerm_api_management_product_policy",
            vec![
                attr("product_id", format!("var.{}", variable(PRODUCT_PARAM))),
                attr("api_management_name", format!("{APIM}.name")),
                attr("resource_group_name", format!("{APIM}.resource_group_name")),
            ],
        ),
        Scope::Operation => (
            "azurerm_api_management_api_operation_policy",
            vec![
                attr("api_name", format!("var.{}", variable(API_PARAM))),
                attr("operation_id", format!("var.{}", variable(OPERATION_PARAM))),
                attr("api_management_name", format!("{APIM}.name")),
                attr("resource_group_name", format!("{APIM}.resource_group_name")),
            ],
        ),
        Scope::Api | Scope::Fragment => (
            "azurerm_api_management_api_policy",
            vec![
                attr("api_name", format!("var.{}", variable(API_PARAM))),
                attr("api_management_name", format!("{APIM}.name")),
                attr("resource_group_name", format!("{APIM}.resource_group_name")),
            ],
        ),
    };
    body.push(attr("xml_content", heredoc(&plan.document)));
    if let Some(d) = depends_on(deps) {
        body.push(Item::Blank);
        body.push(d);
    }
    let _ = writeln!(
        out,
        "# Or: xml_content = file(\"${{path.module}}/{}\")",
        names::file_name(plan, "xml", false)
    );
    if plan.scope == Scope::Global {
        out.push_str("# Note: this replaces the service's global policy, and destroying it restores APIM's default.\n");
    }
    let mut text = String::new();
    block(
        &mut text,
        &format!("resource \"{kind}\" \"{}\"", l.policy),
        body,
    );
    // No blank line after the last block.
    out.push_str(text.trim_end_matches('\n'));
    out.push('\n');
}

fn declarations(out: &mut String, plan: &Plan, l: &Labels) {
    block(
        out,
        "terraform",
        vec![Item::Block(
            "required_providers".into(),
            vec![attr(
                "azurerm",
                "{\n      source  = \"hashicorp/azurerm\"\n      version = \">= 3.105.0\"\n    }",
            )],
        )],
    );
    out.push_str("# azurerm 4.x also needs subscription_id here (or the ARM_SUBSCRIPTION_ID environment variable).\n");
    block(
        out,
        "provider \"azurerm\"",
        vec![Item::Block("features".into(), vec![])],
    );
    block(
        out,
        "variable \"resource_group_name\"",
        vec![
            attr("type", "string"),
            attr(
                "description",
                quote(
                    "Resource group of the API Management service (and of the Key Vaults and identities it uses).",
                ),
            ),
        ],
    );
    for (name, kind, default, description) in parameters(plan) {
        let mut body = vec![attr("type", "string")];
        if let Some(d) = default {
            body.push(attr("default", quote(&d)));
        }
        body.push(attr("description", quote(&description)));
        if kind == "securestring" {
            body.push(attr("sensitive", "true"));
        }
        block(out, &format!("variable \"{}\"", variable(&name)), body);
    }
    block(
        out,
        "data \"azurerm_api_management\" \"apim\"",
        vec![
            attr("name", format!("var.{}", variable(SERVICE_PARAM))),
            attr("resource_group_name", "var.resource_group_name"),
        ],
    );
    for (vault, label) in plan.vaults.iter().zip(&l.vaults) {
        block(
            out,
            &format!("data \"azurerm_key_vault\" \"{label}\""),
            vec![
                attr("name", quote(&vault.name)),
                attr("resource_group_name", "var.resource_group_name"),
            ],
        );
    }
    for (user, label) in plan.identities.iter().zip(&l.identities) {
        block(
            out,
            &format!("data \"azurerm_user_assigned_identity\" \"{label}\""),
            vec![
                attr("name", format!("var.{}", variable(&user.param))),
                attr("resource_group_name", "var.resource_group_name"),
            ],
        );
    }
}

pub fn render(plan: &Plan, snippet: bool, diagnostics: &mut Vec<Diagnostic>) -> String {
    let l = labels(plan);
    let mut out = String::new();
    let _ = writeln!(out, "# {}", summary(plan));
    if snippet {
        let mut expects: Vec<String> = vec!["var.resource_group_name".into()];
        for (name, kind, _, _) in parameters(plan) {
            let sensitive = if kind == "securestring" {
                " (sensitive)"
            } else {
                ""
            };
            expects.push(format!("var.{}{sensitive}", variable(&name)));
        }
        expects.push("data.azurerm_api_management.apim".into());
        for (vault, label) in plan.vaults.iter().zip(&l.vaults) {
            expects.push(format!(
                "data.azurerm_key_vault.{label} (Key Vault {})",
                vault.name
            ));
        }
        for (user, label) in plan.identities.iter().zip(&l.identities) {
            expects.push(format!(
                "data.azurerm_user_assigned_identity.{label} (client id {})",
                user.client_id
            ));
        }
        out.push_str("# Paste into a configuration that declares:\n");
        for e in &expects {
            let _ = writeln!(out, "#   {e}");
        }
        diagnostics.push(Diagnostic::new(
            codes::SNIPPET_EXPECTS,
            Severity::Info,
            Span::default(),
            format!(
                "the snippet expects the configuration to declare: {}",
                expects.join(", ")
            ),
        ).with_help("Paste it into a configuration that declares these under the same names, or export a full configuration instead."));
    }
    out.push('\n');
    if !snippet {
        declarations(&mut out, plan, &l);
    }
    permissions(&mut out, plan, &l);
    named_values(&mut out, plan, &l);
    fragments(&mut out, plan, &l);
    policy(&mut out, plan, &l);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_heredocs_keep_template_sequences_literal() {
        assert_eq!(quote("a\"${b}%{c}\\"), "\"a\\\"$${b}%%{c}\\\\\"");
        assert_eq!(heredoc("<a>${x}</a>"), "<<XML\n<a>$${x}</a>\nXML");
        assert_eq!(heredoc("x\n XML\n"), "<<XML_END\nx\n XML\nXML_END");
    }

    #[test]
    fn attributes_align_like_terraform_fmt() {
        let mut out = String::new();
        block(
            &mut out,
            "resource \"a\" \"b\"",
            vec![
                attr("name", "\"x\""),
                attr("long_name", "1"),
                Item::Blank,
                attr("z", "2"),
            ],
        );
        assert_eq!(
            out,
            "resource \"a\" \"b\" {\n  name      = \"x\"\n  long_name = 1\n\n  z = 2\n}\n\n"
        );
    }
}
