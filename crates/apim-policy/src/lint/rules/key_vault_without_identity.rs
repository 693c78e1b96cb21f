//! APIM0702 `key-vault-without-identity`: a call to Key Vault without a managed-identity token
//! for Key Vault.

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};
use crate::syntax::NodeId;

pub static RULE: Rule = Rule {
    code: codes::KEY_VAULT_WITHOUT_IDENTITY,
    name: "key-vault-without-identity",
    severity: Severity::Warning,
    summary: "`send-request` to `*.vault.azure.net` without `authentication-managed-identity resource=\"https://vault.azure.net\"`.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::KEY_VAULT_WITHOUT_IDENTITY,
    explanation: "Key Vault answers 401 to a request without a token, and checks the token's audience: \
the gateway must get a token for exactly `https://vault.azure.net` with its managed identity (which needs \
*Get* on the vault's secrets). Add `<authentication-managed-identity resource=\"https://vault.azure.net\" />` \
(with `client-id` for a user-assigned identity) to the `send-request`. The simpler alternative is a Key \
Vault-backed named value, which APIM resolves for you.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <send-request mode=\"new\" response-variable-name=\"secret\" timeout=\"20\">\n      <set-url>https://contoso-kv.vault.azure.net/secrets/backend-key?api-version=7.4</set-url>\n      <set-method>GET</set-method>\n    </send-request>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <send-request mode=\"new\" response-variable-name=\"secret\" timeout=\"20\">\n      <set-url>https://contoso-kv.vault.azure.net/secrets/backend-key?api-version=7.4</set-url>\n      <set-method>GET</set-method>\n      <authentication-managed-identity resource=\"https://vault.azure.net\" />\n    </send-request>\n  </inbound>\n</policies>",
    ),
};

/// The text of `send-request`'s `<set-url>` (literal parts and expression code), lower-cased.
pub(crate) fn url_text(cx: &Ctx<'_>, request: NodeId) -> Option<String> {
    let (url_id, _) = cx
        .doc
        .child_elements(request)
        .find(|(_, c)| c.name == "set-url")?;
    Some(
        cx.doc
            .text_values(url_id)
            .iter()
            .map(|v| v.text())
            .collect::<String>()
            .to_ascii_lowercase(),
    )
}

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (id, e, _, _) in cx.policies() {
        if e.name != "send-request" && e.name != "send-one-way-request" {
            continue;
        }
        let Some(url) = url_text(cx, id) else {
            continue;
        };
        if !url.contains(".vault.azure.net") {
            continue;
        }
        let children: Vec<_> = cx.doc.child_elements(id).collect();
        let sets_authorization = children.iter().any(|(_, c)| {
            c.name == "set-header"
                && c.attribute("name")
                    .and_then(|n| n.value.literal())
                    .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
        });
        if sets_authorization {
            continue;
        }
        match children
            .iter()
            .find(|(_, c)| c.name == "authentication-managed-identity")
        {
            None => {
                // Insert before <proxy> (which must come last) or the end tag.
                let at = children
                    .iter()
                    .find(|(_, c)| c.name == "proxy")
                    .map(|(_, c)| c.start_tag.start)
                    .or(e.end_tag.map(|t| t.start));
                let indent = cx.indent_at(e.start_tag.start).to_string();
                let fix = at.map(|at| Fix {
                    message: "Add authentication-managed-identity for Key Vault".into(),
                    edits: vec![Edit { start: at, end: at, text: format!("  <authentication-managed-identity resource=\"https://vault.azure.net\" />\n{indent}") }],
                });
                let mut d = Diagnostic::new(codes::KEY_VAULT_WITHOUT_IDENTITY, Severity::Warning, e.name_span, "this request to Key Vault carries no managed-identity token")
                    .with_help("Key Vault answers 401 without a token. Add <authentication-managed-identity resource=\"https://vault.azure.net\" /> and grant the gateway's identity Get on secrets.");
                if let Some(fix) = fix {
                    d = d.with_fix(fix);
                }
                found.push(d);
            }
            Some((_, mi)) => {
                let Some(resource) = mi.attribute("resource") else {
                    continue;
                };
                let Some(value) = resource.value.literal() else {
                    continue;
                };
                if value.trim() != "https://vault.azure.net" {
                    found.push(
                        Diagnostic::new(codes::KEY_VAULT_WITHOUT_IDENTITY, Severity::Warning, resource.value.span, format!("the token's audience \"{value}\" is not Key Vault's"))
                            .with_help("Key Vault accepts tokens for the resource https://vault.azure.net exactly (no trailing slash, no vault name).")
                            .with_fix(Fix {
                                message: "Use https://vault.azure.net".into(),
                                edits: vec![Edit { start: resource.value.span.start, end: resource.value.span.end, text: "https://vault.azure.net".into() }],
                            }),
                    );
                }
            }
        }
    }
    for d in found {
        cx.report(d);
    }
}
