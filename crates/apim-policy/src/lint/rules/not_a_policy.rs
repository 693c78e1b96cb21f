//! APIM0105 `not-a-policy`: a well-known element that APIM does not have.
//!
//! Above all `<key-vault-configuration>`, from a popular blog post on securing APIM with Key
//! Vault (the project's seed): it exists in no Microsoft documentation. The real mechanism is a
//! Key Vault-backed named value, so the fix puts a `{{named value}}` reference in its place and
//! the help says how to create that named value and grant the gateway access.

use super::unknown_policy::rename;
use crate::catalog;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};
use crate::syntax::Element;

pub static RULE: Rule = Rule {
    code: codes::NOT_A_POLICY,
    name: "not-a-policy",
    severity: Severity::Error,
    summary: "A known non-policy element, such as `<key-vault-configuration>` from a popular blog post.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::NOT_A_POLICY,
    explanation: "Some elements look like APIM policies but are not: `<key-vault-configuration>` (from a \
2022 blog post, not in any Microsoft documentation), toolkit-only names such as `<cache-value>`, and \
misspellings such as `<invoke-darp-binding>`. APIM rejects them.\n\n\
APIM reads Key Vault secrets through **Key Vault-backed named values**: create a named value of type \
*Key vault* whose secret identifier is `https://<vault>.vault.azure.net/secrets/<name>` (without a version, \
so it rotates), give APIM's managed identity *Get* and *List* on the vault's secrets (access policy) or the \
*Key Vault Secrets User* role (RBAC), and write `{{name}}` wherever the secret is needed. To fetch a secret \
at run time instead, use `send-request` with `authentication-managed-identity resource=\"https://vault.azure.net\"`.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <key-vault-configuration resourceId=\"/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/contoso-kv\" secretName=\"backend-key\" />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-key}}</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let found: Vec<(&Element, crate::diagnostic::Span)> = cx
        .elements()
        .filter(|(_, _, info)| matches!(info.kind, Kind::UnknownPolicy | Kind::UnknownSection))
        .filter_map(|(id, e, _)| Some((e, cx.doc.node(id)?.span)))
        .collect();
    for (e, span) in found {
        let Some(mistake) = catalog::known_mistake(&e.name) else {
            continue;
        };
        let message = format!("<{}> is not an APIM policy", e.name);
        let d = if e.name == "key-vault-configuration" {
            key_vault_configuration(cx, e, span, message)
        } else {
            let mut d = Diagnostic::error(codes::NOT_A_POLICY, e.name_span, message)
                .with_help(mistake.explanation);
            if let Some(replacement) = mistake.replacement
                && (e.name.contains("darp") || e.name == "authenticate-managed-identity")
            {
                d = d.with_fix(rename(e, replacement));
            }
            d
        };
        cx.report(d);
    }
}

fn key_vault_configuration(
    cx: &Ctx<'_>,
    e: &Element,
    span: crate::diagnostic::Span,
    message: String,
) -> Diagnostic {
    let secret = e
        .attribute("secretName")
        .and_then(|a| a.value.literal())
        .filter(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
        .unwrap_or_else(|| "backend-secret".to_string());
    let vault = e
        .attribute("resourceId")
        .and_then(|a| a.value.literal())
        .and_then(|id| {
            let lower = id.to_ascii_lowercase();
            let at = lower.find("/vaults/")? + "/vaults/".len();
            let name: String = id.get(at..)?.chars().take_while(|c| *c != '/').collect();
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                .then_some(name)
        })
        .unwrap_or_else(|| "<your-vault>".to_string());
    let indent = cx.indent_at(span.start);
    let replacement = format!(
        "<!-- Key Vault named value \"{secret}\": https://{vault}.vault.azure.net/secrets/{secret} -->\n{indent}<set-variable name=\"{secret}\" value=\"{{{{{secret}}}}}\" />"
    );
    Diagnostic::error(codes::NOT_A_POLICY, e.name_span, message)
        .with_help(format!(
            "<key-vault-configuration> comes from a blog post; APIM has no such policy. Keep the secret in Key Vault and reference it through a Key Vault-backed named value: \
1) in APIM, create the named value \"{secret}\" of type Key vault with the secret identifier https://{vault}.vault.azure.net/secrets/{secret} (no version, so it rotates); \
2) give APIM's managed identity Get and List on the vault's secrets (access policy) or the Key Vault Secrets User role (RBAC); \
3) write {{{{{secret}}}}} where the secret is needed, e.g. <set-header name=\"x-api-key\"><value>{{{{{secret}}}}}</value></set-header>."
        ))
        .with_fix(Fix {
            message: format!("Replace with a {{{{{secret}}}}} named value reference (then create the Key Vault named value \"{secret}\")"),
            edits: vec![Edit { start: span.start, end: span.end, text: replacement }],
        })
}
