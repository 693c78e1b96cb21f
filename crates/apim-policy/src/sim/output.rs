//! What a simulation produces, shaped exactly as the contract's output JSON
//! (`shared/spec/cli-and-scenario.md`), and the masking of secrets in it.
//!
//! Trace steps also carry, for the editor only, the byte span of the policy element and the
//! document it came from; those two fields are skipped when serialising, so the CLI's JSON has
//! exactly the contract's fields.

use crate::diagnostic::Span;
use crate::scenario::Headers;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::borrow::Cow;

/// The result of [`crate::sim::simulate`]: one request, or several (`requests`).
#[derive(Debug, Clone, PartialEq)]
pub enum SimOutput {
    Single(Box<RequestResult>),
    Many(Vec<RequestResult>),
}

impl Serialize for SimOutput {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SimOutput::Single(r) => r.serialize(s),
            SimOutput::Many(results) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("results", results)?;
                map.end()
            }
        }
    }
}

impl SimOutput {
    /// Every request's result, in order.
    pub fn results(&self) -> &[RequestResult] {
        match self {
            SimOutput::Single(r) => std::slice::from_ref(&**r),
            SimOutput::Many(v) => v,
        }
    }

    /// The contract's JSON, pretty-printed (what `apim-policy simulate` prints).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The backend was called and no error followed.
    Forwarded,
    /// A policy answered without the backend (return-response, mock-response, a CORS
    /// preflight, a cached response).
    Returned,
    /// An error was raised; on-error ran.
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Forwarded => "forwarded",
            Outcome::Returned => "returned",
            Outcome::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestResult {
    pub outcome: Outcome,
    /// `None` when the backend was not called.
    pub backend_request: Option<HttpRequestOut>,
    pub response: HttpResponseOut,
    /// `context.Variables` at the end, in the order they were first set.
    #[serde(serialize_with = "ordered_map")]
    pub variables: Vec<(String, serde_json::Value)>,
    pub trace: Vec<TraceStep>,
    pub error: Option<ErrorInfo>,
}

fn ordered_map<S: Serializer>(v: &[(String, serde_json::Value)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(v.len()))?;
    for (k, val) in v {
        map.serialize_entry(k, val)?;
    }
    map.end()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpRequestOut {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpResponseOut {
    pub status: u16,
    pub reason: String,
    pub headers: Headers,
    pub body: String,
}

/// Which document a trace step's element is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocRef {
    /// The policy being simulated (the editor's text).
    Policy,
    /// A parent scope's document from the scenario's `scopes` (`global`, `workspace`,
    /// `product`, `api`).
    Scope(&'static str),
    /// A policy fragment from the scenario's `fragments`.
    Fragment(String),
    /// No document: a built-in gateway step (operation matching, subscription check, the
    /// backend call, APIM's default global policy).
    Gateway,
}

impl DocRef {
    /// A short label: `policy`, `global scope`, `fragment common-headers`, `gateway`.
    pub fn label(&self) -> String {
        match self {
            DocRef::Policy => "policy".into(),
            DocRef::Scope(s) => format!("{s} scope"),
            DocRef::Fragment(f) => format!("fragment {f}"),
            DocRef::Gateway => "gateway".into(),
        }
    }
}

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStep {
    /// `inbound`, `backend`, `outbound`, `on-error`, or `gateway` for built-in steps.
    /// (Borrowed: every request's every step names one, and copying those few names was a
    /// noticeable share of a request's allocations.)
    pub section: Cow<'static, str>,
    /// The policy element's name (`set-header`), or the built-in step (`operation`,
    /// `subscription`, `forward-request`, `key-vault`, …); borrowed from the catalog for
    /// the policies it knows.
    pub policy: Cow<'static, str>,
    /// 1-based line of the element in its document (`doc`); `null` for built-in steps.
    pub line: Option<usize>,
    pub message: String,
    /// Byte span of the element in its document (editor highlighting; not serialised).
    #[serde(skip)]
    pub span: Option<Span>,
    /// The document the element is in (not serialised).
    #[serde(skip)]
    pub doc: DocRef,
}

/// `context.LastError` as the output's `error` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    pub source: String,
    pub reason: String,
    pub message: String,
    pub scope: String,
    pub section: String,
    pub path: String,
    pub policy_id: String,
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub message: String,
    /// Where in the scenario JSON, for scenario problems (1-based).
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for SimError {}

/// Replaces every occurrence of every secret value inside strings with `***`.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Vec<String>,
    /// Per secret (same order): its [`probe`] byte.
    probes: Vec<u8>,
}

/// The byte of `secret` least likely in ordinary text (trace messages, URLs, JSON): a text
/// without that byte cannot contain the secret, and looking for one byte is much cheaper
/// than looking for the secret, which most texts do not contain.
fn probe(secret: &str) -> u8 {
    secret.bytes().min_by_key(|&b| commonness(b)).unwrap_or(0)
}

/// How common a byte is in the simulator's output, roughly (higher: more common).
fn commonness(b: u8) -> u8 {
    match b {
        b' ' => 255,
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b'h' => 200,
        b'l' | b'd' | b'c' | b'u' | b'm' | b'f' | b'p' | b'g' | b'w' | b'y' | b'b' => 150,
        b'/' | b'.' | b'-' | b':' | b'"' | b'=' | b',' | b'_' | b'(' | b')' | b'\'' => 140,
        b'v' | b'k' | b'x' | b'j' | b'q' | b'z' => 100,
        b'0'..=b'9' => 90,
        b'A'..=b'Z' => 80,
        0x80.. => 10,
        _ => 50,
    }
}

impl Masker {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut m = Masker::default();
        for s in secrets {
            m.add(s);
        }
        m
    }

    pub fn add(&mut self, secret: &str) {
        // Values shorter than 3 characters would mask ordinary text ("1", "ok") everywhere.
        if secret.chars().count() < 3 || self.secrets.iter().any(|s| s == secret) {
            return;
        }
        self.secrets.push(secret.to_string());
        self.secrets
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        self.probes = self.secrets.iter().map(|s| probe(s)).collect();
    }

    /// Secrets that `text` may contain, with their probe bytes checked first.
    fn held<'a>(&'a self, text: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.secrets
            .iter()
            .zip(&self.probes)
            .filter(move |(s, p)| text.as_bytes().contains(p) && text.contains(s.as_str()))
            .map(|(s, _)| s)
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (s, p) in self.secrets.iter().zip(&self.probes) {
            if out.as_bytes().contains(p) && out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }

    fn mask_in_place(&self, text: &mut String) {
        // The secrets are longest first: a text shorter than the last holds none of them.
        if self
            .secrets
            .last()
            .is_none_or(|shortest| text.len() < shortest.len())
        {
            return;
        }
        if self.held(text).next().is_some() {
            *text = self.mask(text);
        }
    }

    /// [`Masker::mask_in_place`] for a text that is usually borrowed (copied only when it
    /// holds a secret).
    fn mask_cow(&self, text: &mut Cow<'static, str>) {
        if self.held(text).next().is_some() {
            *text = Cow::Owned(self.mask(text));
        }
    }

    fn mask_headers(&self, h: &mut Headers) {
        for (name, values) in &mut h.0 {
            self.mask_in_place(name);
            for v in values {
                self.mask_in_place(v);
            }
        }
    }

    fn mask_json(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => self.mask_in_place(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| self.mask_json(i)),
            serde_json::Value::Object(map) => {
                let old = std::mem::take(map);
                for (mut k, mut val) in old {
                    self.mask_in_place(&mut k);
                    self.mask_json(&mut val);
                    map.insert(k, val);
                }
            }
            _ => {}
        }
    }

    /// Mask every string of a result.
    pub fn mask_result(&self, r: &mut RequestResult) {
        if self.is_empty() {
            return;
        }
        if let Some(b) = &mut r.backend_request {
            self.mask_in_place(&mut b.method);
            self.mask_in_place(&mut b.url);
            self.mask_headers(&mut b.headers);
            self.mask_in_place(&mut b.body);
        }
        self.mask_in_place(&mut r.response.reason);
        self.mask_headers(&mut r.response.headers);
        self.mask_in_place(&mut r.response.body);
        for (k, v) in &mut r.variables {
            self.mask_in_place(k);
            self.mask_json(v);
        }
        for t in &mut r.trace {
            self.mask_in_place(&mut t.message);
            self.mask_cow(&mut t.policy);
        }
        if let Some(e) = &mut r.error {
            for f in [
                &mut e.source,
                &mut e.reason,
                &mut e.message,
                &mut e.scope,
                &mut e.section,
                &mut e.path,
                &mut e.policy_id,
            ] {
                self.mask_in_place(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_bytes_of_their_secrets() {
        for secret in ["s3cr3t-value", "abc", "Ünïcode-sécret", "   ", "p@ss w0rd"] {
            assert!(secret.as_bytes().contains(&probe(secret)), "{secret}");
        }
        // The rarest byte: a digit before letters, anything before a space.
        assert_eq!(probe("s3cr3t-value"), b'3');
        assert_eq!(probe("a b"), b'b');
    }

    #[test]
    fn masking_finds_every_secret_and_only_them() {
        let m = Masker::new(["s3cr3t-value", "k-123", "xyz"]);
        assert_eq!(m.mask("key s3cr3t-value!"), "key ***!");
        assert_eq!(m.mask("k-123 and xyz and k-12"), "*** and *** and k-12");
        assert_eq!(m.mask("nothing here 3"), "nothing here 3");
        let mut t = "a xyz b".to_string();
        m.mask_in_place(&mut t);
        assert_eq!(t, "a *** b");
        let mut t = "333 k-12 s3cr3t".to_string();
        m.mask_in_place(&mut t);
        assert_eq!(t, "333 k-12 s3cr3t");
        // A longer secret that contains a shorter one is replaced whole.
        let m = Masker::new(["abc", "xabcx"]);
        assert_eq!(m.mask("xabcx abc"), "*** ***");
    }
}
