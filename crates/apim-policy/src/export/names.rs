//! Names: which resource names APIM accepts, the identifiers each target language allows
//! (ARM/Bicep camelCase, Terraform snake_case, always unique), and download file names.

use super::Scope;
use super::plan::Plan;
use std::collections::BTreeSet;

/// APIM service name: 1–50 characters, letters, digits and hyphens, starting with a letter and
/// not ending with a hyphen (the `Microsoft.ApiManagement/service` name pattern).
pub fn valid_service_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=50).contains(&bytes.len())
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// API, operation and product ids: the schemas' `^[^*#&+:<>?]+$` with a length limit. A `/`
/// (or `\`) would add a segment to the resource name, so those are refused too, with control
/// characters. Quotes are allowed: every target escapes them.
pub fn valid_entity_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.chars().count() <= max
        && !name.trim().is_empty()
        && !name.chars().any(|c| {
            matches!(
                c,
                '*' | '#' | '&' | '+' | ':' | '<' | '>' | '?' | '/' | '\\'
            ) || c.is_control()
        })
}

/// Policy fragment name: `(^[\w]+$)|(^[\w][\w\-]+[\w]$)`, 1–80 characters (2022-08-01 schema).
pub fn valid_fragment_name(name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let chars: Vec<char> = name.chars().collect();
    if chars.is_empty() || chars.len() > 80 {
        return false;
    }
    if chars.iter().all(|&c| word(c)) {
        return true;
    }
    chars.len() >= 3
        && chars.first().is_some_and(|&c| word(c))
        && chars.last().is_some_and(|&c| word(c))
        && chars.iter().all(|&c| word(c) || c == '-')
}

/// Named value display name: `^[A-Za-z0-9-._]+$`, 1–256 characters.
pub fn valid_named_value_name(name: &str) -> bool {
    (1..=256).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// Key Vault name: 3–24 characters, letters, digits and hyphens, starting with a letter, not
/// ending with a hyphen.
pub fn valid_vault_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=24).contains(&bytes.len())
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// `backend-api.key` → `backendApiKey`: words split at anything that is not an ASCII letter or
/// digit, first letter lower-case, later words capitalised. Never empty.
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if out.is_empty() {
                out.push(first.to_ascii_lowercase());
            } else {
                out.push(first.to_ascii_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        out.push_str("value");
    }
    // Identifiers (Bicep symbols, ARM parameter names) cannot start with a digit.
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
    }
    out
}

/// `Backend` + `api-key` → `BackendApiKey`: camel case with an upper-case first letter.
pub fn pascal(name: &str) -> String {
    let c = camel(name);
    let mut chars = c.chars();
    match chars.next() {
        Some(first) => format!("{}{}", first.to_ascii_uppercase(), chars.as_str()),
        None => c,
    }
}

/// `backendApiKey` → `backend_api_key`; other characters than ASCII letters and digits become
/// `_`. Terraform names must start with a letter or `_`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Identifiers handed out once each: `take("apiKey")` gives `apiKey`, then `apiKey2`, ….
/// Comparison ignores ASCII case, since Bicep and ARM parameter names are case-insensitive.
#[derive(Debug, Default)]
pub struct Unique {
    taken: BTreeSet<String>,
}

impl Unique {
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_ascii_lowercase());
    }

    pub fn take(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_ascii_lowercase()) {
            return base.to_string();
        }
        let mut n = 2usize;
        loop {
            let candidate = format!("{base}{n}");
            if self.taken.insert(candidate.to_ascii_lowercase()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// A file-name-safe version of a resource name.
fn file_part(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.').to_string();
    if trimmed.is_empty() {
        "policy".into()
    } else {
        trimmed
    }
}

/// `orders-get-order-policy.json`, `product-starter-policy.snippet.bicep`, `fragment-x.tf` ….
pub fn file_name(plan: &Plan, extension: &str, snippet: bool) -> String {
    let base = match plan.scope {
        Scope::Global => "global-policy".to_string(),
        Scope::Product => format!("product-{}-policy", file_part(&plan.product)),
        Scope::Api => format!("{}-policy", file_part(&plan.api)),
        Scope::Operation => format!(
            "{}-{}-policy",
            file_part(&plan.api),
            file_part(&plan.operation)
        ),
        Scope::Fragment => format!("fragment-{}", file_part(&plan.fragment_name)),
    };
    if snippet {
        format!("{base}.snippet.{extension}")
    } else {
        format!("{base}.{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(camel("backend-api.key"), "backendApiKey");
        assert_eq!(camel("Tenant_Id"), "tenantId");
        assert_eq!(camel("--"), "value");
        assert_eq!(camel("1st-key"), "n1stKey");
        assert_eq!(pascal("contoso-kv"), "ContosoKv");
        assert_eq!(snake("backendApiKey"), "backend_api_key");
        assert_eq!(snake("kv-backend.key"), "kv_backend_key");
        assert_eq!(snake("1st"), "_1st");
        let mut u = Unique::default();
        u.reserve("apiName");
        assert_eq!(u.take("apiname"), "apiname2");
        assert_eq!(u.take("x"), "x");
        assert_eq!(u.take("x"), "x2");
    }

    #[test]
    fn name_rules() {
        assert!(valid_service_name("apim-service"));
        assert!(!valid_service_name("1apim"));
        assert!(!valid_service_name("apim-"));
        assert!(valid_entity_name("orders;rev=2", 256));
        assert!(!valid_entity_name("a/b", 256));
        assert!(!valid_entity_name("", 256));
        assert!(valid_fragment_name("common-headers"));
        assert!(valid_fragment_name("x"));
        assert!(!valid_fragment_name("-x"));
        assert!(!valid_fragment_name("a b"));
        assert!(valid_named_value_name("Tenant.Id_2-x"));
        assert!(!valid_named_value_name("a b"));
        assert!(valid_vault_name("contoso-kv"));
        assert!(!valid_vault_name("kv"));
    }
}
