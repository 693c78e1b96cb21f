//! APIM0703 `versioned-secret`: a Key Vault secret pinned to one version, so it never rotates.

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::VERSIONED_SECRET,
    name: "versioned-secret",
    severity: Severity::Warning,
    summary: "A Key Vault secret identifier with a version: the secret stops rotating.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::VERSIONED_SECRET,
    explanation: "APIM refreshes a Key Vault named value from the vault every four hours, but only when \
its secret identifier has no version (`https://<vault>.vault.azure.net/secrets/<name>`): \"Providing a \
versioned secret will prevent auto-refresh.\" The same holds for a policy that fetches \
`…/secrets/<name>/<version>` itself. Drop the version.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <send-request mode=\"new\" response-variable-name=\"secret\">\n      <set-url>https://contoso-kv.vault.azure.net/secrets/backend-key/4f0c9b2e8d7a41f6b3c5e9d1a2b3c4d5?api-version=7.4</set-url>\n      <set-method>GET</set-method>\n      <authentication-managed-identity resource=\"https://vault.azure.net\" />\n    </send-request>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <send-request mode=\"new\" response-variable-name=\"secret\">\n      <set-url>https://contoso-kv.vault.azure.net/secrets/backend-key?api-version=7.4</set-url>\n      <set-method>GET</set-method>\n      <authentication-managed-identity resource=\"https://vault.azure.net\" />\n    </send-request>\n  </inbound>\n</policies>",
    ),
};

/// In a Key Vault secret URL, the byte range of `/<version>` (after `/secrets/<name>`).
pub fn version_range(url: &str) -> Option<(usize, usize)> {
    let lower = url.to_ascii_lowercase();
    if !lower.contains(".vault.azure.net") {
        return None;
    }
    let at = lower.find("/secrets/")? + "/secrets/".len();
    let rest = url.get(at..)?;
    let name_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let after_name = at + name_len;
    if url.get(after_name..after_name + 1) != Some("/") {
        return None;
    }
    let version = url.get(after_name + 1..)?;
    let len = version.find(['/', '?', '#']).unwrap_or(version.len());
    (len > 0).then_some((after_name, after_name + 1 + len))
}

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    // A policy fetching a versioned secret itself.
    for (id, e, _, _) in cx.policies() {
        if e.name != "send-request" {
            continue;
        }
        let Some((url_id, _)) = cx.doc.child_elements(id).find(|(_, c)| c.name == "set-url") else {
            continue;
        };
        for v in cx.doc.text_values(url_id) {
            let raw = cx.text(v.span.start, v.span.end);
            if let Some((start, end)) = version_range(raw) {
                let span = Span::new(v.span.start + start, v.span.start + end);
                found.push(
                    Diagnostic::new(codes::VERSIONED_SECRET, Severity::Warning, span, "this Key Vault URL pins one version of the secret")
                        .with_help("Fetch https://<vault>.vault.azure.net/secrets/<name> without a version to always get the current one.")
                        .with_fix(super::remove(span, "Remove the version")),
                );
            }
        }
    }
    // A Key Vault named value (from the scenario) with a versioned identifier.
    if let Some(declared) = cx.options.named_values.as_ref() {
        let mut reported: Vec<String> = Vec::new();
        for nv in super::named_value_refs(cx) {
            let Some(info) = declared
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(&nv.name))
            else {
                continue;
            };
            let Some(id) = info.key_vault_secret.as_deref() else {
                continue;
            };
            if version_range(id).is_none() || reported.contains(&info.name) {
                continue;
            }
            reported.push(info.name.clone());
            found.push(
                Diagnostic::new(codes::VERSIONED_SECRET, Severity::Warning, nv.span, format!("Key Vault named value `{}` is pinned to one secret version", nv.name))
                    .with_help(format!("Its secret identifier {id} has a version, which prevents APIM's automatic refresh. Use the identifier without the version.")),
            );
        }
    }
    for d in found {
        cx.report(d);
    }
}

#[cfg(test)]
mod tests {
    use super::version_range;

    #[test]
    fn finds_the_version_segment() {
        let url = "https://kv.vault.azure.net/secrets/key/abc123?api-version=7.4";
        let (s, e) = version_range(url).unwrap();
        assert_eq!(&url[s..e], "/abc123");
        assert_eq!(
            version_range("https://kv.vault.azure.net/secrets/key?api-version=7.4"),
            None
        );
        assert_eq!(
            version_range("https://kv.vault.azure.net/secrets/key/"),
            None
        );
        assert_eq!(version_range("https://example.com/secrets/key/v1"), None);
    }
}
