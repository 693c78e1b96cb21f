//! The `context` object model: plain data the simulator fills before evaluating and reads
//! back afterwards. Expressions see it read-only (except `Variables`, which `set-variable`
//! changes through the simulator, and body consumption, see [`Body::consumed`]).

use std::fmt::{self, Write as _};

use crate::time;
use crate::value::Value;

/// A point in time (UTC), in .NET ticks (100 ns since 0001-01-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct DateTime {
    pub ticks: i64,
}

impl DateTime {
    /// RFC 3339 / ISO 8601 (`2026-01-01T00:00:00Z`, with an optional offset and fraction).
    pub fn parse(s: &str) -> Option<DateTime> {
        time::parse_datetime(s).map(|ticks| DateTime { ticks })
    }
    pub fn from_unix_seconds(s: i64) -> DateTime {
        DateTime {
            ticks: time::UNIX_EPOCH_TICKS + s * time::TICKS_PER_SECOND,
        }
    }
    pub fn unix_seconds(self) -> i64 {
        (self.ticks - time::UNIX_EPOCH_TICKS).div_euclid(time::TICKS_PER_SECOND)
    }
    /// `2026-01-01T00:00:00Z` (fractions only when non-zero).
    pub fn to_rfc3339(self) -> String {
        if self.ticks % time::TICKS_PER_SECOND == 0 {
            time::format_datetime(self.ticks, "yyyy-MM-ddTHH:mm:ssZ", false)
        } else {
            time::format_datetime(self.ticks, "o", false)
        }
    }
}

/// The default scenario time: 2026-01-01T00:00:00Z.
pub const DEFAULT_NOW: DateTime = DateTime {
    ticks: 639_028_224_000_000_000,
};

/// HTTP headers: names case-insensitive, order kept, one entry per value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, Vec<String>)>);

impl Headers {
    pub fn get(&self, name: &str) -> Option<&Vec<String>> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
    /// Replace all values of `name`.
    pub fn set(&mut self, name: &str, values: Vec<String>) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => slot.1 = values,
            None => self.0.push((name.to_string(), values)),
        }
    }
    pub fn append(&mut self, name: &str, value: &str) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => slot.1.push(value.to_string()),
            None => self.0.push((name.to_string(), vec![value.to_string()])),
        }
    }
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
}

/// An absolute URL as APIM's `IUrl` exposes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Url {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    /// Starts with `/`.
    pub path: String,
    /// Decoded name/value pairs, in order; repeated names stay repeated.
    pub query: Vec<(String, String)>,
}

impl Url {
    pub fn parse(s: &str) -> Option<Url> {
        let (scheme, rest) = s.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        {
            return None;
        }
        let rest = rest.split('#').next().unwrap_or("");
        let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = rest.get(..auth_end)?;
        let after = rest.get(auth_end..)?;
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let default_port = match scheme.as_str() {
            "https" | "wss" => 443,
            "ftp" => 21,
            _ => 80,
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => match p.parse() {
                Ok(port) => (h, port),
                Err(_) if p.is_empty() => (h, default_port),
                Err(_) => return None,
            },
            _ => (authority, default_port),
        };
        if host.is_empty() {
            return None;
        }
        let (path, query) = match after.split_once('?') {
            Some((p, q)) => (p, q),
            None => (after, ""),
        };
        let path = if path.is_empty() { "/" } else { path };
        Some(Url {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: path.to_string(),
            query: parse_query(query),
        })
    }

    /// `?a=1&b=2` (empty when there is no query), re-encoded.
    pub fn query_string(&self) -> String {
        if self.query.is_empty() {
            return String::new();
        }
        let mut s = String::new();
        let _ = self.write_query(&mut s);
        s
    }

    /// `?k=v&…`, escaped, written into `w` (nothing without a query).
    fn write_query<W: fmt::Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        for (i, (k, v)) in self.query.iter().enumerate() {
            w.write_char(if i == 0 { '?' } else { '&' })?;
            crate::stdlib::escape_data_into(w, k)?;
            w.write_char('=')?;
            crate::stdlib::escape_data_into(w, v)?;
        }
        Ok(())
    }

    /// About how long [`Url::write_into`] writes it (room to reserve: the parts, `://`, a
    /// port, and each query pair's `?`/`&` and `=`; escapes may add more).
    pub fn len_hint(&self) -> usize {
        self.scheme.len()
            + self.host.len()
            + self.path.len()
            + 9
            + self
                .query
                .iter()
                .map(|(k, v)| k.len() + v.len() + 2)
                .sum::<usize>()
    }

    /// Append the URL as [`fmt::Display`] writes it (no intermediate formatter or string).
    pub fn write_into(&self, out: &mut String) {
        out.reserve(self.len_hint());
        out.push_str(&self.scheme);
        out.push_str("://");
        out.push_str(&self.host);
        if !self.default_port() {
            let _ = write!(out, ":{}", self.port);
        }
        out.push_str(&self.path);
        let _ = self.write_query(out);
    }

    fn default_port(&self) -> bool {
        matches!(
            (self.scheme.as_str(), self.port),
            ("https", 443) | ("http", 80)
        )
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.scheme)?;
        f.write_str("://")?;
        f.write_str(&self.host)?;
        if !self.default_port() {
            write!(f, ":{}", self.port)?;
        }
        f.write_str(&self.path)?;
        self.write_query(f)
    }
}

pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                crate::stdlib::url_decode(k, true),
                crate::stdlib::url_decode(v, true),
            )
        })
        .collect()
}

/// A message body. Reading it with `As<T>()` without `preserveContent: true` consumes it:
/// `consumed` becomes true and later reads see an empty body (the simulator must forward an
/// empty body then, as APIM does).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    pub content: Vec<u8>,
    pub consumed: bool,
    /// The content is (or contains) a secret.
    pub secret: bool,
}

impl Body {
    pub fn text(s: &str) -> Body {
        Body {
            content: s.as_bytes().to_vec(),
            consumed: false,
            secret: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub url: Url,
    pub original_url: Url,
    pub headers: Headers,
    pub body: Option<Body>,
    pub ip_address: String,
    /// Template parameters matched by the operation (`{id}` → `42`).
    pub matched_parameters: Vec<(String, String)>,
}

/// `context.Response` and `IResponse` (the value `send-request` stores).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub status_code: i32,
    pub status_reason: String,
    pub headers: Headers,
    pub body: Option<Body>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Api {
    pub id: String,
    pub name: String,
    pub path: String,
    pub revision: String,
    pub version: String,
    pub is_current_revision: bool,
    pub service_url: Option<Url>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub name: String,
    pub url_template: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub approval_required: bool,
    pub subscription_required: bool,
    pub subscription_limit: Option<i32>,
    /// `Published` or `NotPublished`.
    pub state: String,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub name: String,
    pub key: String,
    pub primary_key: String,
    pub secondary_key: String,
    pub created_date: DateTime,
    pub start_date: Option<DateTime>,
    pub end_date: Option<DateTime>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub note: String,
    pub registration_date: DateTime,
    pub groups: Vec<String>,
    /// (provider, id)
    pub identities: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub gateway_id: String,
    pub region: String,
    pub service_name: String,
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment {
            gateway_id: "managed".into(),
            region: "West Europe".into(),
            service_name: "contoso".into(),
        }
    }
}

/// `context.LastError`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LastError {
    pub source: String,
    pub reason: String,
    pub message: String,
    pub scope: String,
    pub section: String,
    pub path: String,
    pub policy_id: String,
}

/// `context.Variables`: name → value, in insertion order, names case-sensitive.
#[derive(Debug, Clone, Default)]
pub struct Variables(pub Vec<(String, Value)>);

impl Variables {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
    pub fn set(&mut self, name: &str, v: Value) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = v,
            None => self.0.push((name.to_string(), v)),
        }
    }
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(i).1)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Everything an expression can see. Build one per request with [`Context::default`] (or
/// [`Context::at`]) and fill the fields.
#[derive(Debug, Clone)]
pub struct Context {
    pub request: Request,
    pub response: Response,
    pub variables: Variables,
    pub api: Api,
    pub operation: Operation,
    pub product: Option<Product>,
    pub subscription: Option<Subscription>,
    pub user: Option<User>,
    pub deployment: Deployment,
    pub last_error: Option<LastError>,
    pub request_id: u128,
    /// When the request was received (`context.Timestamp`).
    pub timestamp: DateTime,
    /// The clock that `DateTime.UtcNow`/`Now` read. Never the system clock.
    pub now: DateTime,
    /// `context.Elapsed`, in ticks.
    pub elapsed_ticks: i64,
    pub tracing: bool,
    /// Messages from `context.Trace(message)`, in order.
    pub traces: Vec<String>,
    /// Known secret values: any string read from the context (headers, URL, body) that
    /// contains one of them is tainted.
    pub secrets: Vec<String>,
    /// State of the deterministic generator behind `Guid.NewGuid()` and `new Random()`.
    pub random_state: u64,
}

impl Default for Context {
    fn default() -> Self {
        Context::at(DEFAULT_NOW)
    }
}

impl Context {
    /// A context whose request arrives at `now`.
    pub fn at(now: DateTime) -> Self {
        let url = Url::parse("https://contoso.azure-api.net/").unwrap_or_default();
        Context {
            request: Request {
                method: "GET".into(),
                url: url.clone(),
                original_url: url,
                ip_address: "203.0.113.7".into(),
                ..Request::default()
            },
            response: Response {
                status_code: 200,
                status_reason: "OK".into(),
                ..Response::default()
            },
            variables: Variables::default(),
            api: Api::default(),
            operation: Operation::default(),
            product: None,
            subscription: None,
            user: None,
            deployment: Deployment::default(),
            last_error: None,
            request_id: 0x6a0f_4c1e_5b7d_4e2a_9c3b_8d1f_2e4a_6b70,
            timestamp: now,
            now,
            elapsed_ticks: 0,
            tracing: false,
            traces: Vec::new(),
            secrets: Vec::new(),
            random_state: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// Is this string derived from a known secret value?
    pub fn is_secret_text(&self, s: &str) -> bool {
        self.secrets
            .iter()
            .any(|x| !x.is_empty() && s.contains(x.as_str()))
    }

    /// Next deterministic 64-bit random number (splitmix64).
    pub fn next_random(&mut self) -> u64 {
        self.random_state = self.random_state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.random_state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("https://Contoso.azure-api.net/orders/items/42?verbose=true&a=%20b")
            .unwrap();
        assert_eq!(u.host, "contoso.azure-api.net");
        assert_eq!(u.port, 443);
        assert_eq!(u.path, "/orders/items/42");
        assert_eq!(
            u.query,
            vec![("verbose".into(), "true".into()), ("a".into(), " b".into())]
        );
        assert_eq!(
            u.to_string(),
            "https://contoso.azure-api.net/orders/items/42?verbose=true&a=%20b"
        );
        let u = Url::parse("http://localhost:8080").unwrap();
        assert_eq!((u.port, u.path.as_str()), (8080, "/"));
        assert_eq!(u.to_string(), "http://localhost:8080/");
        // Escapes at either end of a key or value, multi-byte characters, empty values.
        let mut u = Url::parse("https://a/").unwrap();
        u.query = vec![
            (" k&".into(), "é/ü~x".into()),
            ("plain".into(), String::new()),
            ("a.b-c_d".into(), "%".into()),
        ];
        let want = "?%20k%26=%C3%A9%2F%C3%BC~x&plain=&a.b-c_d=%25";
        assert_eq!(u.query_string(), want);
        assert_eq!(u.to_string(), format!("https://a/{want}"));
    }

    #[test]
    fn default_now() {
        assert_eq!(DEFAULT_NOW.to_rfc3339(), "2026-01-01T00:00:00Z");
        assert_eq!(DateTime::parse("2026-01-01T00:00:00Z"), Some(DEFAULT_NOW));
    }
}
