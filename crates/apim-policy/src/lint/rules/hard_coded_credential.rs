//! APIM0701 `hard-coded-credential`: a password, key, token or SAS signature written into the
//! policy.

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity, Span};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};
use crate::syntax::{NodeKind, Segment, Value};

pub static RULE: Rule = Rule {
    code: codes::HARD_CODED_CREDENTIAL,
    name: "hard-coded-credential",
    severity: Severity::Warning,
    summary: "A credential is written into the policy instead of a secret or Key Vault named value.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::HARD_CODED_CREDENTIAL,
    explanation: "Policies are visible to everyone who can read the API's configuration, are exported to \
source control by APIOps, and show up in ARM templates. Passwords (`authentication-basic`), `Basic`/`Bearer` \
Authorization values, API keys (`x-api-key`, `Ocp-Apim-Subscription-Key`), SAS signatures (`sig=`) and \
connection strings (`AccountKey=`, `Password=`) belong in a **secret** named value, or better a **Key \
Vault-backed** named value that rotates with the vault. The fix replaces the value by a `{{named value}}` \
reference; create that named value with the value you removed.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>3f9a7c1e5b2d4f608a1c9e7b5d3f1a2c</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-api-key}}</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

const KEY_HEADERS: &[&str] = &[
    "x-api-key",
    "api-key",
    "apikey",
    "ocp-apim-subscription-key",
    "x-functions-key",
    "subscription-key",
    "x-ms-api-key",
];

struct Finding {
    span: Span,
    message: String,
    named_value: String,
}

fn run(cx: &mut Ctx<'_>) {
    let mut found: Vec<Finding> = Vec::new();
    for (id, e, info) in cx.elements() {
        if matches!(info.kind, Kind::UnknownRoot) {
            continue;
        }
        match e.name.as_str() {
            "authentication-basic" => {
                if let Some(a) = e.attribute("password")
                    && let Some(span) = credential_span(&a.value)
                {
                    found.push(Finding {
                        span,
                        message: "the password is written into the policy".into(),
                        named_value: "backend-password".into(),
                    });
                }
            }
            "set-header" | "set-query-parameter" => {
                let Some(name) = e.attribute("name").and_then(|a| a.value.as_literal()) else {
                    continue;
                };
                let is_authorization = name.eq_ignore_ascii_case("authorization");
                let is_key_header = KEY_HEADERS.iter().any(|k| name.eq_ignore_ascii_case(k));
                // Only these headers are checked: other names skip reading the values.
                if is_authorization || is_key_header {
                    let lower = name.to_ascii_lowercase();
                    let values: Vec<&Value> = cx
                        .doc
                        .child_elements(id)
                        .filter(|(_, c)| c.name == "value")
                        .flat_map(|(vid, _)| cx.doc.text_values(vid))
                        .collect();
                    for v in values {
                        let Some(text) = v.as_literal() else {
                            continue;
                        };
                        let trimmed = text.trim();
                        if is_authorization {
                            let mut parts = trimmed.splitn(2, ' ');
                            let scheme = parts.next().unwrap_or("");
                            let credential = parts.next().unwrap_or("").trim();
                            if (scheme.eq_ignore_ascii_case("basic")
                                || scheme.eq_ignore_ascii_case("bearer"))
                                && looks_secret(credential)
                                && let Some(span) = find_in_value(cx, v, credential)
                            {
                                let nv = if scheme.eq_ignore_ascii_case("basic") {
                                    "backend-basic-credentials"
                                } else {
                                    "backend-token"
                                };
                                found.push(Finding {
                                    span,
                                    message: format!(
                                        "a literal {scheme} credential is written into the policy"
                                    ),
                                    named_value: nv.into(),
                                });
                            }
                        } else if is_key_header
                            && looks_secret(trimmed)
                            && let Some(span) = find_in_value(cx, v, trimmed)
                        {
                            found.push(Finding {
                                span,
                                message: format!("a literal {name} key is written into the policy"),
                                named_value: lower.clone(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
        // SAS signatures and connection strings, anywhere in literal values.
        let texts = e
            .children
            .iter()
            .filter_map(|&c| match &cx.doc.node(c)?.kind {
                NodeKind::Text(v) | NodeKind::CData(v) => Some(v),
                _ => None,
            });
        for v in e.attributes.iter().map(|a| &a.value).chain(texts) {
            for seg in &v.segments {
                let Segment::Literal { span, .. } = seg else {
                    continue;
                };
                let raw = cx.text(span.start, span.end);
                if !raw.contains('=') {
                    continue;
                }
                let lower = raw.to_ascii_lowercase();
                for (key, nv) in [
                    ("sig=", "sas-signature"),
                    ("AccountKey=", "storage-account-key"),
                    ("SharedAccessKey=", "shared-access-key"),
                    ("Password=", "connection-password"),
                    ("pwd=", "connection-password"),
                ] {
                    if let Some(secret) = key_value(raw, &lower, key)
                        && looks_secret(secret.1)
                    {
                        let start = span.start + secret.0;
                        found.push(Finding {
                            span: Span::new(start, start + secret.1.len()),
                            message: format!("a literal `{key}` secret is written into the policy"),
                            named_value: nv.into(),
                        });
                    }
                }
            }
        }
    }
    crate::sort::sort_by_key(&mut found, |f| f.span.start);
    found.dedup_by_key(|f| f.span);
    for f in found {
        cx.report(
            Diagnostic::new(codes::HARD_CODED_CREDENTIAL, Severity::Warning, f.span, f.message)
                .with_help(format!(
                    "Store the value in a secret named value, or better a Key Vault-backed named value (it rotates with the vault), and reference it as {{{{{}}}}}.",
                    f.named_value
                ))
                .with_fix(Fix {
                    message: format!("Replace with {{{{{}}}}} (then create that secret or Key Vault named value with the removed value)", f.named_value),
                    edits: vec![Edit { start: f.span.start, end: f.span.end, text: format!("{{{{{}}}}}", f.named_value) }],
                }),
        );
    }
}

/// The span of a credential attribute value that is a plain literal.
fn credential_span(v: &Value) -> Option<Span> {
    let text = v.literal()?;
    (looks_secret(text.trim()) && !v.span.is_empty()).then_some(v.span)
}

/// Where `needle` (taken from the decoded value) sits in the source, within the value.
fn find_in_value(cx: &Ctx<'_>, v: &Value, needle: &str) -> Option<Span> {
    let raw = cx.text(v.span.start, v.span.end);
    let at = raw.find(needle)?;
    Some(Span::new(
        v.span.start + at,
        v.span.start + at + needle.len(),
    ))
}

/// `key=value` in a connection string or query: (offset of the value, the value).
fn key_value<'t>(text: &'t str, lower: &str, key: &str) -> Option<(usize, &'t str)> {
    let at = lower.find(&key.to_ascii_lowercase())?;
    // The key must start a component (start, `;`, `&`, `?`, or whitespace).
    if at > 0
        && !matches!(
            lower.as_bytes().get(at - 1),
            Some(b';' | b'&' | b'?' | b' ' | b'"')
        )
    {
        return None;
    }
    let start = at + key.len();
    let rest = text.get(start..)?;
    let len = rest
        .find([';', '&', '"', '\'', ' ', '<', '\n'])
        .unwrap_or(rest.len());
    Some((start, rest.get(..len)?))
}

/// A real-looking secret, not a placeholder: long enough, varied, no template syntax.
fn looks_secret(s: &str) -> bool {
    if s.len() < 8 || s.contains("{{") || s.contains('@') || s.contains('<') || s.contains('$') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if [
        "your",
        "placeholder",
        "example",
        "xxxx",
        "changeme",
        "secret-here",
        "insert",
    ]
    .iter()
    .any(|p| lower.contains(p))
    {
        return false;
    }
    // At least five distinct characters (a set would pull a sort and a B-tree into the app).
    let mut seen: Vec<char> = Vec::with_capacity(5);
    for c in s.chars() {
        if !seen.contains(&c) {
            seen.push(c);
            if seen.len() >= 5 {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_secrets() {
        assert!(!looks_secret("<your key>"));
        assert!(!looks_secret("{{backend-key}}"));
        assert!(!looks_secret("xxxxxxxxxx"));
        assert!(!looks_secret("short"));
        assert!(looks_secret("3f9a7c1e5b2d4f60"));
        // Varied means at least five distinct characters.
        assert!(!looks_secret("abcdabcdabcd"));
        assert!(looks_secret("abcdabcdabce"));
        assert!(looks_secret("ééàààçç€€🔑"));
        assert!(!looks_secret("ééàààçç€€"));
    }

    #[test]
    fn connection_string_components() {
        let kv = |t: &'static str, k| key_value(t, &t.to_ascii_lowercase(), k);
        let conn = "DefaultEndpointsProtocol=https;AccountKey=abc123==;EndpointSuffix=x";
        assert_eq!(kv(conn, "AccountKey="), Some((42, "abc123==")));
        assert_eq!(kv("mysig=abc", "sig="), None);
        assert_eq!(
            kv("https://a/b?sv=2022&sig=Zm9vYmFy%3D&se=1", "sig="),
            Some((24, "Zm9vYmFy%3D"))
        );
    }
}
