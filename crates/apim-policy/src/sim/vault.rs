//! The mock Azure Key Vault and APIM's managed identities.
//!
//! Two ways a policy reaches a vault, both with the identity rules of the contract:
//! a Key Vault-backed named value ([`read_secret`], called when `{{name}}` is substituted),
//! and Key Vault's REST API called by `send-request` with a managed-identity token ([`rest`]).
//! Failures carry Key Vault's own error code and a sentence that says what to grant and to
//! whom, because an unreadable vault is the commonest workshop mistake
//! (reference notes §5.1: access policy *Get*/*List*, or the RBAC role *Key Vault Secrets User*).

use super::json::{self, J};
use crate::scenario::{KeyVault, Scenario, VaultAccess, VaultSecret};
use crate::time::{Timestamp, parse_rfc3339};

/// The audience Key Vault accepts in tokens.
pub const VAULT_RESOURCE: &str = "https://vault.azure.net";

/// `https://{vault}.vault.azure.net/secrets/{name}[/{version}]` → (vault, name, version).
pub fn parse_secret_id(id: &str) -> Option<(String, String, Option<String>)> {
    let rest = id.trim().strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    let vault = host.to_ascii_lowercase();
    let vault = vault.strip_suffix(".vault.azure.net")?.to_string();
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut parts = path.split('/').filter(|p| !p.is_empty());
    if !parts.next()?.eq_ignore_ascii_case("secrets") {
        return None;
    }
    let name = parts.next()?.to_string();
    let version = parts.next().map(str::to_string);
    Some((vault, name, version))
}

/// Who asks: the system-assigned identity or a user-assigned one (by client id).
pub fn identity_label(client_id: Option<&str>) -> String {
    match client_id {
        None => "the API Management instance's system-assigned managed identity".into(),
        Some(id) => format!("the user-assigned managed identity with client id '{id}'"),
    }
}

/// Does the instance have this identity? `Err` says why not and what to do.
pub fn check_identity(scenario: &Scenario, client_id: Option<&str>) -> Result<(), String> {
    let identity = scenario.identity.clone().unwrap_or_default();
    match client_id {
        None if identity.has_system() => Ok(()),
        None => Err(format!(
            "the API Management instance has no system-assigned managed identity (identity type '{}'). Turn on the system-assigned identity, or name a user-assigned identity's client id",
            identity_kind(&identity)
        )),
        Some(id)
            if identity
                .user_client_ids()
                .iter()
                .any(|c| c.eq_ignore_ascii_case(id)) =>
        {
            Ok(())
        }
        Some(id) => Err(format!(
            "no managed identity with client id '{id}' is assigned to the API Management instance (identity type '{}'). Assign that user-assigned identity to the instance, or use the client id of one that is assigned",
            identity_kind(&identity)
        )),
    }
}

fn identity_kind(identity: &crate::scenario::Identity) -> &'static str {
    match identity.kind {
        crate::scenario::IdentityKind::System => "system",
        crate::scenario::IdentityKind::User => "user",
        crate::scenario::IdentityKind::SystemAndUser => "system-and-user",
        crate::scenario::IdentityKind::None => "none",
    }
}

/// A refused secret read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvFailure {
    pub status: u16,
    /// Key Vault's `error.code` (`Forbidden`, `ForbiddenByRbac`, `SecretNotFound`, …), or
    /// `ManagedIdentityNotFound` / `VaultNotFound` for problems before Key Vault answers.
    pub code: String,
    /// `error.innerError.code` when Key Vault gives one (`SecretDisabled`, `AccessDenied`).
    pub inner: Option<String>,
    /// Key Vault's message.
    pub kv_message: String,
    /// What to do about it, naming the identity.
    pub advice: String,
}

impl KvFailure {
    /// The cause as the contract names it: the inner code when there is one.
    pub fn cause(&self) -> &str {
        match self.inner.as_deref() {
            Some(inner) if inner.starts_with("Secret") => inner,
            _ => &self.code,
        }
    }

    /// Key Vault's error JSON.
    pub fn body(&self) -> String {
        let mut err = vec![
            ("code".to_string(), J::Str(self.code.clone())),
            ("message".to_string(), J::Str(self.kv_message.clone())),
        ];
        if let Some(inner) = &self.inner {
            err.push((
                "innerError".into(),
                J::Obj(vec![("code".into(), J::Str(inner.clone()))]),
            ));
        }
        J::Obj(vec![("error".into(), J::Obj(err))]).to_json()
    }
}

fn find_vault<'a>(scenario: &'a Scenario, name: &str) -> Option<&'a KeyVault> {
    scenario
        .key_vaults
        .iter()
        .find(|v| v.name.eq_ignore_ascii_case(name))
}

/// The secret permissions `client_id` (or the system identity) holds on `vault`.
fn permissions<'a>(vault: &'a KeyVault, client_id: Option<&str>) -> &'a [String] {
    match &vault.grants {
        Some(grants) => {
            let key = client_id.unwrap_or("system");
            grants
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_slice())
                .unwrap_or(&[])
        }
        None => &vault.apim_permissions,
    }
}

/// A stable fake principal id for messages (Key Vault names callers by object id).
fn object_id(client_id: Option<&str>) -> String {
    match client_id {
        None => "apim-system-identity".into(),
        Some(id) => format!("apim-user-identity-{id}"),
    }
}

/// Read a secret as APIM's identity `client_id` would, at `now`.
pub fn read_secret<'a>(
    scenario: &'a Scenario,
    vault_name: &str,
    secret_name: &str,
    version: Option<&str>,
    client_id: Option<&str>,
    now: Timestamp,
) -> Result<&'a VaultSecret, KvFailure> {
    let who = identity_label(client_id);
    if let Err(why) = check_identity(scenario, client_id) {
        return Err(KvFailure {
            status: 500,
            code: "ManagedIdentityNotFound".into(),
            inner: None,
            kv_message: why.clone(),
            advice: why,
        });
    }
    let Some(vault) = find_vault(scenario, vault_name) else {
        return Err(KvFailure {
            status: 500,
            code: "VaultNotFound".into(),
            inner: None,
            kv_message: format!("No such host: {vault_name}.vault.azure.net"),
            advice: format!(
                "the scenario has no Key Vault named '{vault_name}' (add it to key_vaults, or fix the secret identifier)"
            ),
        });
    };
    let perms = permissions(vault, client_id);
    if !perms.iter().any(|p| p.eq_ignore_ascii_case("get")) {
        return Err(match vault.access {
            VaultAccess::AccessPolicy => KvFailure {
                status: 403,
                code: "Forbidden".into(),
                inner: Some("AccessDenied".into()),
                kv_message: format!(
                    "The user, group or application 'appid={};oid={}' does not have secrets get permission on key vault '{};location=westeurope'.",
                    client_id.unwrap_or("system"),
                    object_id(client_id),
                    vault.name
                ),
                advice: format!(
                    "grant {who} the Get and List secret permissions in the access policies of Key Vault '{}'",
                    vault.name
                ),
            },
            VaultAccess::Rbac => KvFailure {
                status: 403,
                code: "ForbiddenByRbac".into(),
                inner: None,
                kv_message: format!(
                    "Caller is not authorized to perform action on resource. If role assignments, deny assignments or role definitions were changed recently, please observe propagation time. Caller: appid={};oid={} Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action' Resource: '{}/secrets/{}'",
                    client_id.unwrap_or("system"),
                    object_id(client_id),
                    vault.name,
                    secret_name
                ),
                advice: format!(
                    "assign {who} the role Key Vault Secrets User (4633458b-17de-408a-b874-0445c86b69e6) on Key Vault '{}' (the vault uses Azure RBAC, so access policies do not apply)",
                    vault.name
                ),
            },
        });
    }
    let secret = vault.secrets.iter().find(|s| {
        s.name.eq_ignore_ascii_case(secret_name)
            && match (version, &s.version) {
                (Some(want), Some(have)) => want.eq_ignore_ascii_case(have),
                _ => true,
            }
    });
    let Some(secret) = secret else {
        let id = match version {
            Some(v) => format!("{secret_name}/{v}"),
            None => secret_name.to_string(),
        };
        return Err(KvFailure {
            status: 404,
            code: "SecretNotFound".into(),
            inner: None,
            kv_message: format!(
                "A secret with (name/id) {id} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command."
            ),
            advice: format!(
                "create the secret '{secret_name}' in Key Vault '{}' (or fix the name in the secret identifier)",
                vault.name
            ),
        });
    };
    if !secret.enabled {
        return Err(KvFailure {
            status: 403,
            code: "Forbidden".into(),
            inner: Some("SecretDisabled".into()),
            kv_message: "Operation get is not allowed on a disabled secret.".into(),
            advice: format!(
                "enable the secret '{}' in Key Vault '{}'",
                secret.name, vault.name
            ),
        });
    }
    if let Some(expires) = secret.expires.as_deref().and_then(parse_rfc3339)
        && expires <= now
    {
        return Err(KvFailure {
            status: 403,
            code: "Forbidden".into(),
            inner: Some("SecretExpired".into()),
            kv_message: "Operation get is not allowed on an expired secret.".into(),
            advice: format!(
                "the secret '{}' in Key Vault '{}' expired at {}: set a new expiry date or create a new version",
                secret.name,
                vault.name,
                expires.to_rfc3339()
            ),
        });
    }
    Ok(secret)
}

/// A deterministic version id for a secret without one (32 hex digits).
pub fn version_of(vault: &str, secret: &VaultSecret) -> String {
    if let Some(v) = &secret.version {
        return v.clone();
    }
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{vault}/{}", secret.name).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A mock access token for `resource`, naming the identity. It looks like a JWT (so
/// `AsJwt()` reads it) but its signature is the literal `mock-signature`.
pub fn mi_token(
    scenario: &Scenario,
    client_id: Option<&str>,
    resource: &str,
    now: Timestamp,
) -> Result<String, String> {
    check_identity(scenario, client_id)?;
    let header = J::Obj(vec![
        ("alg".into(), J::Str("none".into())),
        ("typ".into(), J::Str("JWT".into())),
    ]);
    let payload = J::Obj(vec![
        ("aud".into(), J::Str(resource.to_string())),
        (
            "iss".into(),
            J::Str("https://sts.windows.net/00000000-0000-0000-0000-000000000000/".into()),
        ),
        ("iat".into(), J::Num(now.seconds.to_string())),
        ("nbf".into(), J::Num(now.seconds.to_string())),
        ("exp".into(), J::Num((now.seconds + 86_399).to_string())),
        (
            "appid".into(),
            J::Str(client_id.unwrap_or("system").to_string()),
        ),
        ("oid".into(), J::Str(object_id(client_id))),
        (
            "xms_mirid".into(),
            J::Str(match client_id {
                None => "system-assigned".into(),
                Some(id) => format!("user-assigned:{id}"),
            }),
        ),
        ("idtyp".into(), J::Str("app".into())),
    ]);
    Ok(format!(
        "{}.{}.mock-signature",
        json::b64url_encode(header.to_json().as_bytes()),
        json::b64url_encode(payload.to_json().as_bytes())
    ))
}

/// Read back a mock token: (identity client id or `None` for the system identity, audience).
fn decode_mock_token(token: &str) -> Option<(Option<String>, String)> {
    let mut parts = token.split('.');
    let _header = parts.next()?;
    let payload = json::parse(std::str::from_utf8(&json::b64_decode(parts.next()?)?).ok()?)?;
    if parts.next()? != "mock-signature" {
        return None;
    }
    let aud = payload.get("aud")?.as_str()?.to_string();
    let appid = payload.get("appid")?.as_str()?;
    let id = (appid != "system").then(|| appid.to_string());
    Some((id, aud))
}

/// A response of the mock vault.
#[derive(Debug, Clone, PartialEq)]
pub struct RestResponse {
    pub status: u16,
    pub body: String,
    /// The body carries the secret's value.
    pub secret: Option<String>,
    pub note: String,
}

/// Key Vault's REST API: `GET https://{vault}.vault.azure.net/secrets/{name}[/{version}]`.
/// `None` when the URL is not a vault of the scenario.
pub fn rest(
    scenario: &Scenario,
    method: &str,
    url: &str,
    authorization: Option<&str>,
    now: Timestamp,
) -> Option<RestResponse> {
    let (vault_name, secret_name, version) = parse_secret_id(url)?;
    let vault = find_vault(scenario, &vault_name)?;
    let unauthorized = |message: String, note: String| RestResponse {
        status: 401,
        body: J::Obj(vec![(
            "error".into(),
            J::Obj(vec![
                ("code".into(), J::Str("Unauthorized".into())),
                ("message".into(), J::Str(message)),
            ]),
        )])
        .to_json(),
        secret: None,
        note,
    };
    let token = authorization.and_then(|a| {
        let a = a.trim();
        a.get(..7)
            .filter(|p| p.eq_ignore_ascii_case("bearer "))
            .and_then(|_| a.get(7..))
    });
    let Some(token) = token else {
        return Some(unauthorized(
            "AKV10000: Request is missing a Bearer or PoP token.".into(),
            "no bearer token: add <authentication-managed-identity resource=\"https://vault.azure.net\" /> to the send-request".into(),
        ));
    };
    let Some((client_id, aud)) = decode_mock_token(token.trim()) else {
        return Some(unauthorized(
            "AKV10032: Invalid issuer. The token is not a managed-identity token of this API Management instance.".into(),
            "the bearer token is not a managed-identity token of this instance".into(),
        ));
    };
    if aud.trim_end_matches('/') != VAULT_RESOURCE {
        return Some(unauthorized(
            format!("AKV10022: Invalid audience. Expected {VAULT_RESOURCE}, found: {aud}."),
            format!("the token is for '{aud}': use resource=\"{VAULT_RESOURCE}\""),
        ));
    }
    if !method.eq_ignore_ascii_case("GET") {
        return Some(RestResponse {
            status: 405,
            body: r#"{"error":{"code":"MethodNotAllowed","message":"The mock vault answers GET only."}}"#.into(),
            secret: None,
            note: "the mock vault answers GET only".into(),
        });
    }
    match read_secret(
        scenario,
        &vault.name,
        &secret_name,
        version.as_deref(),
        client_id.as_deref(),
        now,
    ) {
        Ok(secret) => {
            let ver = version_of(&vault.name, secret);
            let mut attributes = vec![("enabled".to_string(), J::Bool(true))];
            if let Some(exp) = secret.expires.as_deref().and_then(parse_rfc3339) {
                attributes.push(("exp".into(), J::Num(exp.seconds.to_string())));
            }
            let body = J::Obj(vec![
                ("value".into(), J::Str(secret.value.clone())),
                (
                    "id".into(),
                    J::Str(format!(
                        "https://{}.vault.azure.net/secrets/{}/{ver}",
                        vault.name.to_ascii_lowercase(),
                        secret.name
                    )),
                ),
                ("attributes".into(), J::Obj(attributes)),
            ]);
            Some(RestResponse {
                status: 200,
                body: body.to_json(),
                secret: Some(secret.value.clone()),
                note: format!(
                    "Key Vault '{}' returned secret '{}' to {}",
                    vault.name,
                    secret.name,
                    identity_label(client_id.as_deref())
                ),
            })
        }
        Err(f) => Some(RestResponse {
            status: f.status,
            body: f.body(),
            secret: None,
            note: format!(
                "Key Vault '{}': {} ({}): {}",
                vault.name,
                f.status,
                f.cause(),
                f.advice
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_ids() {
        assert_eq!(
            parse_secret_id("https://Contoso-KV.vault.azure.net/secrets/backend-key"),
            Some(("contoso-kv".into(), "backend-key".into(), None))
        );
        assert_eq!(
            parse_secret_id("https://kv.vault.azure.net/secrets/k/abc?api-version=7.4"),
            Some(("kv".into(), "k".into(), Some("abc".into())))
        );
        assert_eq!(parse_secret_id("https://example.com/secrets/k"), None);
    }

    #[test]
    fn tokens_name_their_identity() {
        let s = Scenario::default();
        let t = mi_token(&s, None, VAULT_RESOURCE, Timestamp::from_seconds(0)).unwrap();
        assert_eq!(
            decode_mock_token(&t),
            Some((None, VAULT_RESOURCE.to_string()))
        );
        assert!(mi_token(&s, Some("abc"), VAULT_RESOURCE, Timestamp::from_seconds(0)).is_err());
    }
}
