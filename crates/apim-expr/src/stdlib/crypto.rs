//! Hashes and HMACs (`sha1`, `sha2`, `hmac` crates), and APIM's `AsJwt()` / `AsBasic()`
//! helpers. MD5 is not supported (no dependency for it); neither is `byte[].Encrypt`.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::convert::{b64_decode, b64url_decode};
use super::*;
use crate::json;

#[derive(Debug, Clone)]
pub(crate) struct Hasher {
    /// `SHA256`, `HMACSHA1`, …
    pub alg: &'static str,
    key: Option<Vec<u8>>,
    pub secret: bool,
}

impl Hasher {
    pub fn new(name: &str, key: Option<Vec<u8>>, secret: bool, span: Span) -> R<Hasher> {
        let alg: &'static str = match name {
            "SHA256" => "SHA256",
            "SHA1" => "SHA1",
            "SHA384" => "SHA384",
            "SHA512" => "SHA512",
            "HMACSHA256" => "HMACSHA256",
            "HMACSHA1" => "HMACSHA1",
            "HMACSHA384" => "HMACSHA384",
            "HMACSHA512" => "HMACSHA512",
            _ => {
                return throw(
                    "NotSupportedException",
                    format!("{name} is not supported by the policy simulator"),
                    span,
                );
            }
        };
        Ok(Hasher { alg, key, secret })
    }

    pub fn type_name(&self) -> &'static str {
        self.alg
    }

    pub fn key(&self) -> Option<Vec<u8>> {
        self.key.clone()
    }

    pub fn hash_size(&self) -> usize {
        match self.alg {
            "SHA1" | "HMACSHA1" => 160,
            "SHA384" | "HMACSHA384" => 384,
            "SHA512" | "HMACSHA512" => 512,
            _ => 256,
        }
    }

    pub fn compute(&self, data: &[u8]) -> Vec<u8> {
        let key = self.key.as_deref().unwrap_or(&[]);
        fn mac<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            match <M as KeyInit>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                }
                Err(_) => Vec::new(),
            }
        }
        match self.alg {
            "SHA1" => Sha1::digest(data).to_vec(),
            "SHA384" => Sha384::digest(data).to_vec(),
            "SHA512" => Sha512::digest(data).to_vec(),
            "HMACSHA256" => mac::<Hmac<Sha256>>(key, data),
            "HMACSHA1" => mac::<Hmac<Sha1>>(key, data),
            "HMACSHA384" => mac::<Hmac<Sha384>>(key, data),
            "HMACSHA512" => mac::<Hmac<Sha512>>(key, data),
            _ => Sha256::digest(data).to_vec(),
        }
    }
}

fn bytes_arg(args: &[ArgVal], i: usize, span: Span) -> R<(Vec<u8>, bool)> {
    match arg(args, i).map(|v| &v.v) {
        Some(V::Bytes(b)) => {
            let b = b.borrow();
            Ok((b.data.clone(), b.secret))
        }
        Some(V::Null) => throw(
            "ArgumentNullException",
            "Value cannot be null. (Parameter 'buffer')",
            span,
        ),
        _ => wrong_args("ComputeHash", span),
    }
}

pub(crate) fn static_call(
    it: &mut Interp,
    ty: &str,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    match name {
        "Create" => Ok(Value::obj(Obj::Hasher(Hasher::new(ty, None, false, span)?))),
        "HashData" if ty.starts_with("HMAC") => {
            let (key, ks) = bytes_arg(args, 0, span)?;
            let (data, ds) = bytes_arg(args, 1, span)?;
            it.charge(data.len() / 64, span)?;
            Ok(Value::bytes(
                Hasher::new(ty, Some(key), ks, span)?.compute(&data),
                ks || ds,
            ))
        }
        "HashData" => {
            let (data, ds) = bytes_arg(args, 0, span)?;
            it.charge(data.len() / 64, span)?;
            Ok(Value::bytes(
                Hasher::new(ty, None, false, span)?.compute(&data),
                ds,
            ))
        }
        _ => wrong_args(&format!("{ty}.{name}"), span),
    }
}

pub(crate) fn hasher_method(
    it: &mut Interp,
    h: &Hasher,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    match name {
        "ComputeHash" => {
            let (data, ds) = bytes_arg(args, 0, span)?;
            let data = match (
                arg(args, 1).and_then(Value::as_i64),
                arg(args, 2).and_then(Value::as_i64),
            ) {
                (Some(o), Some(n)) => {
                    match data.get(o.max(0) as usize..o.saturating_add(n).max(0) as usize) {
                        Some(d) => d.to_vec(),
                        None => {
                            return throw(
                                "ArgumentException",
                                "Offset and length were out of bounds for the array.",
                                span,
                            );
                        }
                    }
                }
                _ => data,
            };
            it.charge(data.len() / 64, span)?;
            Ok(Value::bytes(h.compute(&data), h.secret || ds))
        }
        _ => throw(
            "CompilationError",
            format!("'{}' does not contain a definition for '{name}'", h.alg),
            span,
        ),
    }
}

/// A decoded (not validated) JWT.
#[derive(Debug, Clone, Default)]
pub(crate) struct Jwt {
    pub header: Vec<(String, Vec<String>)>,
    pub claims: Vec<(String, Vec<String>)>,
}

fn claim_values(n: &JNode) -> Vec<String> {
    match &n.0.borrow().j {
        J::Str(s) => vec![s.clone()],
        J::Array(a) => a
            .iter()
            .map(|x| match &x.0.borrow().j {
                J::Str(s) => s.clone(),
                _ => x.serialize(false),
            })
            .collect(),
        _ => vec![n.serialize(false)],
    }
}

fn json_pairs(bytes: &[u8]) -> Option<Vec<(String, Vec<String>)>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let node = json::parse(text, &[]).ok()?;
    let d = node.0.borrow();
    let J::Object(m) = &d.j else { return None };
    Some(
        m.iter()
            .map(|(k, v)| (k.clone(), claim_values(v)))
            .collect(),
    )
}

/// `AsJwt()`: decode `[Bearer ]header.payload.signature`; `None` if malformed.
pub(crate) fn parse_jwt(s: &str) -> Option<Jwt> {
    let t = s.trim();
    let t = match t.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("bearer ") => t.get(7..)?.trim(),
        _ => t,
    };
    let mut parts = t.split('.');
    let (h, p, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(Jwt {
        header: json_pairs(&b64url_decode(h)?)?,
        claims: json_pairs(&b64url_decode(p)?)?,
    })
}

/// `AsBasic()`: `Basic base64(user:password)` (the scheme is optional).
pub(crate) fn parse_basic(s: &str) -> Option<(String, String)> {
    let t = s.trim();
    let t = match t.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("basic ") => t.get(6..)?.trim(),
        _ => t,
    };
    let raw = b64_decode(t)?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

fn first<'a>(m: &'a [(String, Vec<String>)], k: &str) -> Option<&'a str> {
    m.iter()
        .find(|(n, _)| n == k)
        .and_then(|(_, v)| v.first())
        .map(String::as_str)
}

fn unix_claim(j: &Jwt, k: &str) -> Value {
    match first(&j.claims, k).and_then(|s| s.parse::<f64>().ok()) {
        Some(secs) => Value::new(V::DateTime(
            time::UNIX_EPOCH_TICKS + (secs * TICKS_PER_SECOND as f64) as i64,
        )),
        None => Value::null(),
    }
}

pub(crate) fn member(v: &Value, o: &Obj, name: &str, span: Span) -> R<Value> {
    let secret = v.secret;
    let r = match o {
        Obj::Jwt(j) => {
            let s = |k: &str| first(&j.claims, k).map_or_else(Value::null, Value::string);
            match name {
                "Algorithm" => first(&j.header, "alg").map_or_else(Value::null, Value::string),
                "Type" => first(&j.header, "typ").map_or_else(Value::null, Value::string),
                "Id" => s("jti"),
                "Issuer" => s("iss"),
                "Subject" => s("sub"),
                "Audiences" => Value::string_array(
                    j.claims
                        .iter()
                        .find(|(n, _)| n == "aud")
                        .map(|(_, v)| v.as_slice())
                        .unwrap_or(&[]),
                    false,
                ),
                "ExpirationTime" => unix_claim(j, "exp"),
                "IssuedAt" => unix_claim(j, "iat"),
                "NotBefore" => unix_claim(j, "nbf"),
                "Claims" => Value::obj(Obj::MultiMap {
                    entries: j.claims.clone(),
                    ignore_case: false,
                    type_name: "IReadOnlyDictionary`2",
                }),
                _ => return no_member(v, name, span),
            }
        }
        Obj::Basic { user, password } => match name {
            "UserId" => Value::string(user),
            "Password" => Value::string(password),
            _ => return no_member(v, name, span),
        },
        _ => return no_member(v, name, span),
    };
    Ok(r.with_secret(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn known_vectors() {
        let h = Hasher::new("SHA256", None, false, Span::default())
            .ok()
            .unwrap();
        assert_eq!(
            hex(&h.compute(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let m = Hasher::new("HMACSHA256", Some(b"key".to_vec()), false, Span::default())
            .ok()
            .unwrap();
        assert_eq!(
            hex(&m.compute(b"The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        let s1 = Hasher::new("HMACSHA1", Some(b"key".to_vec()), false, Span::default())
            .ok()
            .unwrap();
        assert_eq!(
            hex(&s1.compute(b"The quick brown fox jumps over the lazy dog")),
            "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"
        );
    }

    #[test]
    fn jwt_and_basic() {
        // {"alg":"HS256","typ":"JWT"}.{"sub":"1234567890","name":"John Doe","iat":1516239022}
        let t = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let j = parse_jwt(t).unwrap();
        assert_eq!(first(&j.header, "alg"), Some("HS256"));
        assert_eq!(first(&j.claims, "iat"), Some("1516239022"));
        assert!(parse_jwt("a.b").is_none());
        assert_eq!(
            parse_basic("Basic dXNlcjpwYTpzcw=="),
            Some(("user".into(), "pa:ss".into()))
        );
        assert_eq!(parse_basic("Basic !!"), None);
    }
}
