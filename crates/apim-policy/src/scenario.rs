//! The scenario file: the contract shared by the CLI, the web app's Simulate tab, the linter
//! (which named values and fragments exist) and the exporter (named values, identity, vaults).
//!
//! The format is fixed by `shared/spec/cli-and-scenario.md`. Every field is optional; unknown
//! fields are ignored so newer files still load in older builds. Header maps keep their order
//! and accept a single string where a list is expected.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scenario {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<Product>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Subscription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub named_values: Vec<NamedValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_vaults: Vec<KeyVault>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<Fragment>,
    #[serde(skip_serializing_if = "ScopeDocuments::is_empty")]
    pub scopes: ScopeDocuments,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<HttpResponse>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http_mocks: Vec<HttpMock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Request>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<Request>,
    /// Named backends and backend pools (`set-backend-service backend-id=`), with their mock
    /// responses and circuit breakers (docs/scenario.md).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backends: Vec<Backend>,
    /// The mock Azure AI Content Safety verdict for `llm-content-safety` (a request's own
    /// `content_safety` wins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_safety: Option<ContentSafetyVerdict>,
}

/// Every top-level field of the scenario, in the order it is written. The web app's form keeps
/// the fields that are not in this list (a `description`, a newer tool's field) as they are.
pub const FIELDS: &[&str] = &[
    "api",
    "product",
    "subscription",
    "user",
    "identity",
    "named_values",
    "key_vaults",
    "fragments",
    "scopes",
    "backend",
    "http_mocks",
    "now",
    "request",
    "requests",
    "backends",
    "content_safety",
];

/// A backend entity: a single backend with a URL, or a pool of single backends.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Backend {
    /// The backend's name, as `backend-id` names it.
    pub id: String,
    /// `single` (the default) or `pool`.
    #[serde(rename = "type")]
    pub kind: BackendKind,
    /// The base URL of a single backend (the operation path is joined to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "BackendCredentials::is_empty")]
    pub credentials: BackendCredentials,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<CircuitBreaker>,
    /// The members of a pool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<BackendPool>,
    /// The mock answer of this backend (default: the scenario's `backend`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<HttpResponse>,
    /// Mock answers per call: the n-th call to this backend in the scenario gets the n-th
    /// entry; the last one answers every later call. Wins over `response`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<HttpResponse>,
}

impl Backend {
    /// Credential values written out literally (not through `{{named values}}`): secrets, like
    /// a secret named value's.
    pub fn literal_credentials(&self) -> impl Iterator<Item = &str> {
        self.credentials
            .header
            .iter()
            .chain(self.credentials.query.iter())
            .flat_map(|(_, values)| values.iter())
            .map(String::as_str)
            .filter(|v| !v.contains("{{"))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendKind {
    #[default]
    Single,
    Pool,
}

/// Headers and query parameters the gateway adds to every request to the backend; values may
/// reference `{{named values}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BackendCredentials {
    #[serde(skip_serializing_if = "Headers::is_empty")]
    pub header: Headers,
    #[serde(skip_serializing_if = "Headers::is_empty")]
    pub query: Headers,
}

impl BackendCredentials {
    pub fn is_empty(&self) -> bool {
        self.header.is_empty() && self.query.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BackendPool {
    pub services: Vec<PoolMember>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PoolMember {
    /// The `id` of a single backend of the scenario.
    pub id: String,
    /// Lower values are tried first; absent counts as 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// Relative weight within its priority group; absent counts as 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CircuitBreaker {
    pub rules: Vec<CircuitBreakerRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CircuitBreakerRule {
    pub name: String,
    pub failure_condition: FailureCondition,
    /// ISO 8601 duration (`PT1M`) the breaker stays open.
    pub trip_duration: String,
    /// Trip for the backend's `Retry-After` (seconds) instead, when it sends one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub accept_retry_after: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FailureCondition {
    /// Failures within `interval` that trip the breaker.
    pub count: u32,
    /// ISO 8601 duration (`PT1M`, `P1D`) over which failures are counted.
    pub interval: String,
    /// Status codes that count as failures (default: 500–599).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_code_ranges: Vec<StatusCodeRange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub error_reasons: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCodeRange {
    pub min: u16,
    pub max: u16,
}

/// What the mock Azure AI Content Safety service finds in a prompt.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ContentSafetyVerdict {
    /// Severity (0–7) per category (`Hate`, `SelfHarm`, `Sexual`, `Violence`); absent is 0.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub categories: std::collections::BTreeMap<String, u8>,
    /// Blocklist ids whose items the prompt matches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocklist_hits: Vec<String>,
    /// Prompt Shields detects a user prompt attack.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub attack_detected: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Api {
    pub name: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub subscription_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Operation {
    pub name: String,
    pub method: String,
    pub url_template: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Product {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Subscription {
    pub id: String,
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// APIM's managed identities. Default: system-assigned only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Identity {
    #[serde(rename = "type")]
    pub kind: IdentityKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_assigned_client_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    #[default]
    System,
    User,
    SystemAndUser,
    None,
}

impl Identity {
    pub fn has_system(&self) -> bool {
        matches!(
            self.kind,
            IdentityKind::System | IdentityKind::SystemAndUser
        )
    }

    /// The client ids of the user-assigned identities.
    pub fn user_client_ids(&self) -> Vec<&str> {
        if !matches!(self.kind, IdentityKind::User | IdentityKind::SystemAndUser) {
            return Vec::new();
        }
        let mut ids: Vec<&str> = self.client_id.iter().map(String::as_str).collect();
        ids.extend(self.user_assigned_client_ids.iter().map(String::as_str));
        ids
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NamedValue {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_vault: Option<KeyVaultRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl NamedValue {
    /// Secret and Key Vault-backed values are masked everywhere.
    pub fn is_secret(&self) -> bool {
        self.secret || self.key_vault.is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyVaultRef {
    pub secret_identifier: String,
    pub identity_client_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyVault {
    pub name: String,
    pub access: VaultAccess,
    /// Secret permissions APIM's identities hold (`get`, `list`).
    pub apim_permissions: Vec<String>,
    /// Per-identity permissions (`system` or a client id), instead of `apim_permissions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants: Option<std::collections::BTreeMap<String, Vec<String>>>,
    pub secrets: Vec<VaultSecret>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VaultAccess {
    #[default]
    AccessPolicy,
    Rbac,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VaultSecret {
    pub name: String,
    pub value: String,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Default for VaultSecret {
    fn default() -> Self {
        VaultSecret {
            name: String::new(),
            value: String::new(),
            enabled: true,
            version: None,
            expires: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fragment {
    pub name: String,
    pub xml: String,
}

/// The parent scopes' policy documents.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScopeDocuments {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
}

impl ScopeDocuments {
    pub fn is_empty(&self) -> bool {
        self.global.is_none()
            && self.workspace.is_none()
            && self.product.is_none()
            && self.api.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Headers,
    pub body: String,
    /// Milliseconds before the response starts (to simulate timeouts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl Default for HttpResponse {
    fn default() -> Self {
        HttpResponse {
            status: 200,
            headers: Headers::default(),
            body: String::new(),
            delay_ms: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpMock {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub url_prefix: String,
    pub status: u16,
    pub headers: Headers,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl Default for HttpMock {
    fn default() -> Self {
        HttpMock {
            method: None,
            url_prefix: String::new(),
            status: 200,
            headers: Headers::default(),
            body: String::new(),
            delay_ms: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// When this request happens (RFC 3339); default: the scenario's `now`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// This request's content-safety verdict (default: the scenario's `content_safety`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_safety: Option<ContentSafetyVerdict>,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            method: "GET".into(),
            url: String::new(),
            headers: Headers::default(),
            body: String::new(),
            ip: None,
            at: None,
            content_safety: None,
        }
    }
}

/// HTTP headers: ordered, case-insensitive lookup, one entry per name with its values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, Vec<String>)>);

impl Headers {
    pub fn get(&self, name: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Replace all values of `name` (keeping the position and spelling of an existing entry).
    pub fn set(&mut self, name: &str, values: Vec<String>) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, v)) => *v = values,
            None => self.0.push((name.to_string(), values)),
        }
    }

    pub fn append(&mut self, name: &str, value: String) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, v)) => v.push(value),
            None => self.0.push((name.to_string(), vec![value])),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }
}

impl Serialize for Headers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, values) in &self.0 {
            map.serialize_entry(name, values)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeadersVisitor;
        impl<'de> Visitor<'de> for HeadersVisitor {
            type Value = Headers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header names to a list of values (or one string)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
                let mut headers = Headers::default();
                while let Some((name, values)) = map.next_entry::<String, OneOrMany>()? {
                    for v in values.0 {
                        headers.append(&name, v);
                    }
                }
                Ok(headers)
            }
        }
        deserializer.deserialize_map(HeadersVisitor)
    }
}

struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<String>()? {
                    out.push(v);
                }
                Ok(OneOrMany(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A scenario file that could not be read, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl Scenario {
    /// Read a scenario from JSON. Errors say where (serde_json's line and column).
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        serde_json::from_str(text).map_err(|e| ScenarioError {
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("invalid JSON")
                .to_string(),
            line: e.line(),
            column: e.column(),
        })
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn named_value(&self, name: &str) -> Option<&NamedValue> {
        self.named_values
            .iter()
            .find(|nv| nv.name.eq_ignore_ascii_case(name))
    }

    /// The backend entity called `id` (case-insensitive, as APIM's names are).
    pub fn backend_entity(&self, id: &str) -> Option<&Backend> {
        self.backends.iter().find(|b| b.id.eq_ignore_ascii_case(id))
    }

    pub fn fragment(&self, name: &str) -> Option<&Fragment> {
        self.fragments.iter().find(|f| f.name == name)
    }

    /// Every secret value this scenario knows (secret named values and vault secrets), for
    /// masking.
    pub fn secret_values(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for nv in &self.named_values {
            if nv.is_secret()
                && let Some(v) = &nv.value
            {
                out.push(v);
            }
        }
        for kv in &self.key_vaults {
            out.extend(kv.secrets.iter().map(|s| s.value.as_str()));
        }
        for b in &self.backends {
            out.extend(b.literal_credentials());
        }
        out.retain(|v| !v.is_empty());
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Reading: the structs' `Deserialize` is written by `read_fields!` instead of serde's derive,
// which generated, per struct, a field-name visitor (str, bytes and index forms), a reader of
// the struct as a JSON array and one of it as an object: about 75 KB of the web app's code
// before wasm-opt. Same format and messages: every field is optional (missing ones keep the
// struct's `Default`), unknown ones are skipped, a repeated one is refused (`duplicate field`),
// a value of the wrong type is refused where it is (serde_json's line and column), a struct
// that is not an object is "invalid type: …, expected struct Name", and the array form (the
// fields in order) reads as before. `tests/scenario_errors.rs` pins the messages.

/// A struct read from a JSON object field by field, starting from its `Default`.
trait ReadFields: Default {
    /// What the struct's reader expects (`struct Name`, as serde's derive says).
    const EXPECTING: &'static str;
    /// The fields' JSON names, in declaration order.
    const NAMES: &'static [&'static str];
    /// Read the value of the field `NAMES[index]`.
    fn read<'de, D: Deserializer<'de>>(&mut self, index: usize, value: D) -> Result<(), D::Error>;
}

/// Reads one field's value into the struct (for `next_value_seed` / `next_element_seed`).
struct FieldSeed<'a, T> {
    out: &'a mut T,
    index: usize,
}

impl<'de, T: ReadFields> de::DeserializeSeed<'de> for FieldSeed<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<(), D::Error> {
        self.out.read(self.index, value)
    }
}

struct FieldsVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: ReadFields> Visitor<'de> for FieldsVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    /// The array form serde's derive reads too: the fields in declaration order, as many as
    /// given.
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let mut out = T::default();
        for index in 0..T::NAMES.len() {
            if seq
                .next_element_seed(FieldSeed {
                    out: &mut out,
                    index,
                })?
                .is_none()
            {
                break;
            }
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        let mut seen: u64 = 0;
        while let Some(key) = map.next_key::<String>()? {
            match T::NAMES.iter().position(|n| *n == key) {
                Some(index) => {
                    let bit = 1u64 << (index % 64);
                    if seen & bit != 0 {
                        return Err(de::Error::duplicate_field(
                            T::NAMES.get(index).copied().unwrap_or_default(),
                        ));
                    }
                    seen |= bit;
                    map.next_value_seed(FieldSeed {
                        out: &mut out,
                        index,
                    })?;
                }
                None => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// `Deserialize` through [`ReadFields`]: `read_fields!(Type { "json_name" => field, … })`.
macro_rules! read_fields {
    ($($ty:ident { $($json:literal => $field:ident),* $(,)? })*) => {$(
        impl ReadFields for $ty {
            const EXPECTING: &'static str = concat!("struct ", stringify!($ty));
            const NAMES: &'static [&'static str] = &[$($json),*];
            fn read<'de, D: Deserializer<'de>>(
                &mut self,
                index: usize,
                value: D,
            ) -> Result<(), D::Error> {
                // Exhaustive: a field missing from the list does not compile.
                let $ty { $($field: _),* } = self;
                let mut at = 0usize;
                $(
                    if index == at {
                        self.$field = Deserialize::deserialize(value)?;
                        return Ok(());
                    }
                    at += 1;
                )*
                let _ = at;
                Ok(())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_struct(
                    stringify!($ty),
                    <$ty as ReadFields>::NAMES,
                    FieldsVisitor::<$ty>(std::marker::PhantomData),
                )
            }
        }
    )*};
}

read_fields! {
    Scenario {
        "api" => api,
        "product" => product,
        "subscription" => subscription,
        "user" => user,
        "identity" => identity,
        "named_values" => named_values,
        "key_vaults" => key_vaults,
        "fragments" => fragments,
        "scopes" => scopes,
        "backend" => backend,
        "http_mocks" => http_mocks,
        "now" => now,
        "request" => request,
        "requests" => requests,
        "backends" => backends,
        "content_safety" => content_safety,
    }
    Backend {
        "id" => id,
        "type" => kind,
        "url" => url,
        "credentials" => credentials,
        "circuit_breaker" => circuit_breaker,
        "pool" => pool,
        "response" => response,
        "responses" => responses,
    }
    BackendCredentials {
        "header" => header,
        "query" => query,
    }
    BackendPool {
        "services" => services,
    }
    PoolMember {
        "id" => id,
        "priority" => priority,
        "weight" => weight,
    }
    CircuitBreaker {
        "rules" => rules,
    }
    CircuitBreakerRule {
        "name" => name,
        "failure_condition" => failure_condition,
        "trip_duration" => trip_duration,
        "accept_retry_after" => accept_retry_after,
    }
    FailureCondition {
        "count" => count,
        "interval" => interval,
        "status_code_ranges" => status_code_ranges,
        "error_reasons" => error_reasons,
    }
    StatusCodeRange {
        "min" => min,
        "max" => max,
    }
    ContentSafetyVerdict {
        "categories" => categories,
        "blocklist_hits" => blocklist_hits,
        "attack_detected" => attack_detected,
    }
    Api {
        "name" => name,
        "path" => path,
        "service_url" => service_url,
        "operation" => operation,
        "subscription_required" => subscription_required,
        "version" => version,
        "revision" => revision,
    }
    Operation {
        "name" => name,
        "method" => method,
        "url_template" => url_template,
    }
    Product {
        "name" => name,
        "id" => id,
    }
    Subscription {
        "id" => id,
        "name" => name,
        "key" => key,
    }
    User {
        "id" => id,
        "email" => email,
        "first_name" => first_name,
        "last_name" => last_name,
        "groups" => groups,
    }
    Identity {
        "type" => kind,
        "client_id" => client_id,
        "user_assigned_client_ids" => user_assigned_client_ids,
    }
    NamedValue {
        "name" => name,
        "value" => value,
        "secret" => secret,
        "key_vault" => key_vault,
        "tags" => tags,
    }
    KeyVaultRef {
        "secret_identifier" => secret_identifier,
        "identity_client_id" => identity_client_id,
    }
    KeyVault {
        "name" => name,
        "access" => access,
        "apim_permissions" => apim_permissions,
        "grants" => grants,
        "secrets" => secrets,
    }
    VaultSecret {
        "name" => name,
        "value" => value,
        "enabled" => enabled,
        "version" => version,
        "expires" => expires,
    }
    Fragment {
        "name" => name,
        "xml" => xml,
    }
    ScopeDocuments {
        "global" => global,
        "workspace" => workspace,
        "product" => product,
        "api" => api,
    }
    HttpResponse {
        "status" => status,
        "headers" => headers,
        "body" => body,
        "delay_ms" => delay_ms,
    }
    HttpMock {
        "method" => method,
        "url_prefix" => url_prefix,
        "status" => status,
        "headers" => headers,
        "body" => body,
        "delay_ms" => delay_ms,
    }
    Request {
        "method" => method,
        "url" => url,
        "headers" => headers,
        "body" => body,
        "ip" => ip,
        "at" => at,
        "content_safety" => content_safety,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTRACT_EXAMPLE: &str = r#"{
  "api": {"name": "orders", "path": "orders", "service_url": "https://backend.contoso.com/api",
          "operation": {"name": "get-order", "method": "GET", "url_template": "/items/{id}"}},
  "product": {"name": "starter"},
  "subscription": {"id": "sub-1", "name": "demo", "key": "0123456789abcdef"},
  "user": {"id": "u1", "email": "ada@contoso.com", "groups": ["developers"]},
  "identity": {"type": "system", "client_id": null},
  "named_values": [
    {"name": "backend-url", "value": "https://backend.contoso.com"},
    {"name": "api-key", "value": "literal-secret", "secret": true},
    {"name": "kv-backend-key",
     "key_vault": {"secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-key",
                   "identity_client_id": null}}
  ],
  "key_vaults": [
    {"name": "contoso-kv", "access": "access-policy",
     "apim_permissions": ["get", "list"],
     "secrets": [{"name": "backend-key", "value": "s3cr3t-from-vault", "enabled": true}]}
  ],
  "fragments": [{"name": "common-headers", "xml": "<fragment>…</fragment>"}],
  "scopes": {"global": "<policies>…</policies>", "product": "…", "api": "…"},
  "backend": {"status": 200, "headers": {"Content-Type": ["application/json"]}, "body": "{\"ok\":true}"},
  "http_mocks": [{"method": "GET", "url_prefix": "https://idp.contoso.com/token",
                  "status": 200, "headers": {}, "body": "…"}],
  "now": "2026-01-01T00:00:00Z",
  "request": {"method": "GET", "url": "https://contoso.azure-api.net/orders/items/42?verbose=true",
              "headers": {"Accept": ["application/json"]}, "body": "", "ip": "203.0.113.7"},
  "requests": [],
  "some_future_field": {"ignored": true}
}"#;

    #[test]
    fn the_contract_example_reads() {
        let s = Scenario::from_json(CONTRACT_EXAMPLE).unwrap();
        assert_eq!(
            s.api
                .as_ref()
                .unwrap()
                .operation
                .as_ref()
                .unwrap()
                .url_template,
            "/items/{id}"
        );
        assert_eq!(s.identity.as_ref().unwrap().kind, IdentityKind::System);
        assert!(s.named_value("KV-BACKEND-KEY").unwrap().is_secret());
        assert_eq!(s.key_vaults[0].access, VaultAccess::AccessPolicy);
        assert!(s.key_vaults[0].secrets[0].enabled);
        assert_eq!(
            s.backend
                .as_ref()
                .unwrap()
                .headers
                .get("content-type")
                .unwrap(),
            ["application/json"]
        );
        assert_eq!(
            s.request.as_ref().unwrap().ip.as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(s.secret_values(), ["literal-secret", "s3cr3t-from-vault"]);
    }

    #[test]
    fn round_trips_through_json() {
        let s = Scenario::from_json(CONTRACT_EXAMPLE).unwrap();
        let again = Scenario::from_json(&s.to_json_pretty()).unwrap();
        assert_eq!(s, again);
    }

    #[test]
    fn header_values_may_be_one_string_and_keep_their_order() {
        let s = Scenario::from_json(r#"{"request": {"headers": {"B": "2", "a": ["1", "x"]}}}"#)
            .unwrap();
        let h = &s.request.unwrap().headers;
        assert_eq!(h.iter().map(|(n, _)| n).collect::<Vec<_>>(), ["B", "a"]);
        assert_eq!(h.get("A").unwrap(), ["1", "x"]);
    }

    #[test]
    fn errors_say_where() {
        let err = Scenario::from_json("{\n  \"request\": {\"method\": 5}\n}").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    const AI_GATEWAY: &str = r#"{
  "backends": [
    {"id": "eastus", "url": "https://eastus.openai.azure.com/openai",
     "credentials": {"header": {"api-key": "{{eastus-key}}"}, "query": {"tenant": ["contoso"]}},
     "circuit_breaker": {"rules": [{"name": "throttled",
        "failure_condition": {"count": 1, "interval": "PT1M",
                              "status_code_ranges": [{"min": 429, "max": 429}]},
        "trip_duration": "PT1M", "accept_retry_after": true}]},
     "responses": [{"status": 429, "headers": {"Retry-After": "10"}}, {"status": 200}]},
    {"id": "pool", "type": "pool",
     "pool": {"services": [{"id": "eastus", "priority": 1, "weight": 3}]}}
  ],
  "content_safety": {"categories": {"Hate": 2}, "blocklist_hits": ["b"], "attack_detected": true},
  "requests": [{"url": "https://x/", "content_safety": {"categories": {"Violence": 6}}}]
}"#;

    #[test]
    fn the_ai_gateway_fields_read_and_round_trip() {
        let s = Scenario::from_json(AI_GATEWAY).unwrap();
        let b = s.backend_entity("EASTUS").unwrap();
        assert_eq!(b.kind, BackendKind::Single);
        assert_eq!(
            b.credentials.header.get("api-key").unwrap(),
            ["{{eastus-key}}"]
        );
        let rule = &b.circuit_breaker.as_ref().unwrap().rules[0];
        assert!(rule.accept_retry_after);
        assert_eq!(rule.failure_condition.status_code_ranges[0].max, 429);
        assert_eq!(b.responses.len(), 2);
        let p = s.backend_entity("pool").unwrap();
        assert_eq!(p.kind, BackendKind::Pool);
        assert_eq!(p.pool.as_ref().unwrap().services[0].weight, Some(3));
        assert_eq!(s.content_safety.as_ref().unwrap().categories["Hate"], 2);
        assert_eq!(
            s.requests[0].content_safety.as_ref().unwrap().categories["Violence"],
            6
        );
        assert_eq!(Scenario::from_json(&s.to_json_pretty()).unwrap(), s);
        // The literal query credential is a secret; the named-value reference is not.
        assert_eq!(s.secret_values(), ["contoso"]);
    }

    #[test]
    fn fields_lists_every_top_level_field() {
        let mut s = Scenario::from_json(CONTRACT_EXAMPLE).unwrap();
        let ai = Scenario::from_json(AI_GATEWAY).unwrap();
        s.backends = ai.backends;
        s.content_safety = ai.content_safety;
        s.requests = ai.requests;
        let v: serde_json::Value = serde_json::from_str(&s.to_json_pretty()).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields = FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }

    #[test]
    fn defaults_are_sensible() {
        let s = Scenario::from_json("{}").unwrap();
        assert_eq!(s, Scenario::default());
        let secret = VaultSecret::default();
        assert!(secret.enabled);
        assert_eq!(HttpResponse::default().status, 200);
    }
}
