//! JWT decoding and signature checks for `validate-jwt` / `validate-azure-ad-token`.
//!
//! HS256/384/512 use the `hmac`/`sha2` crates. RS256/384/512 (PKCS#1 v1.5) use a small
//! Montgomery modular exponentiation below: verification needs only `s^e mod n` and a
//! comparison, so a full RSA crate (and its size in the browser bundle) is not needed. PS*
//! and ES* signatures are not verified; the caller says so in the trace.

use super::json::{self, J};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// A decoded (not yet verified) JWS.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub header: J,
    pub payload: J,
    /// `header.payload` as it appears in the token: what the signature covers.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

impl Decoded {
    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(J::as_str).unwrap_or("")
    }
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(J::as_str)
    }
    /// A numeric claim (seconds since the epoch for `exp`, `nbf`).
    pub fn seconds(&self, claim: &str) -> Option<i64> {
        self.payload
            .get(claim)
            .and_then(J::as_f64)
            .map(|f| f as i64)
    }
    /// A claim's values: a string, or each element of an array, as text.
    pub fn claim_values(&self, claim: &str) -> Option<Vec<String>> {
        match self.payload.get(claim)? {
            J::Arr(items) => Some(items.iter().map(J::to_text).collect()),
            J::Null => None,
            v => Some(vec![v.to_text()]),
        }
    }
}

/// Split and decode a compact JWS. Five segments (JWE) are refused with a reason.
pub fn decode(token: &str) -> Result<Decoded, String> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    if parts.len() == 5 {
        return Err("the token is encrypted (JWE); decryption is not simulated".into());
    }
    let [h, p, s] = parts.as_slice() else {
        return Err(format!(
            "the token has {} dot-separated parts, a JWT has 3",
            parts.len()
        ));
    };
    let part = |seg: &str, what: &str| -> Result<J, String> {
        let bytes = json::b64_decode(seg).ok_or_else(|| format!("the {what} is not base64url"))?;
        let text = String::from_utf8(bytes).map_err(|_| format!("the {what} is not UTF-8"))?;
        json::parse(&text).ok_or_else(|| format!("the {what} is not JSON"))
    };
    let header = part(h, "header")?;
    let payload = part(p, "payload")?;
    let signature = json::b64_decode(s).ok_or("the signature is not base64url")?;
    Ok(Decoded {
        header,
        payload,
        signing_input: format!("{h}.{p}"),
        signature,
    })
}

/// Check an HMAC signature (`HS256`, `HS384`, `HS512`); `None` for other algorithms.
pub fn verify_hmac(alg: &str, key: &[u8], input: &[u8], sig: &[u8]) -> Option<bool> {
    fn check<M: Mac + KeyInit>(key: &[u8], input: &[u8], sig: &[u8]) -> bool {
        match <M as KeyInit>::new_from_slice(key) {
            Ok(mut mac) => {
                mac.update(input);
                mac.verify_slice(sig).is_ok()
            }
            Err(_) => false,
        }
    }
    match alg {
        "HS256" => Some(check::<Hmac<Sha256>>(key, input, sig)),
        "HS384" => Some(check::<Hmac<Sha384>>(key, input, sig)),
        "HS512" => Some(check::<Hmac<Sha512>>(key, input, sig)),
        _ => None,
    }
}

/// HMAC-SHA256 (to sign test tokens).
#[cfg(test)]
pub fn hs256(key: &[u8], input: &[u8]) -> Vec<u8> {
    match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(input);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Check an RSA PKCS#1 v1.5 signature (`RS256`, `RS384`, `RS512`) with the public key
/// (`n`, `e` big-endian); `None` for other algorithms.
pub fn verify_rsa(alg: &str, n: &[u8], e: &[u8], input: &[u8], sig: &[u8]) -> Option<bool> {
    // DER DigestInfo prefixes (RFC 8017 §9.2, note 1).
    const SHA256_PREFIX: &[u8] = &[
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    const SHA384_PREFIX: &[u8] = &[
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
        0x05, 0x00, 0x04, 0x30,
    ];
    const SHA512_PREFIX: &[u8] = &[
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
        0x05, 0x00, 0x04, 0x40,
    ];
    let (prefix, digest): (&[u8], Vec<u8>) = match alg {
        "RS256" => (SHA256_PREFIX, Sha256::digest(input).to_vec()),
        "RS384" => (SHA384_PREFIX, Sha384::digest(input).to_vec()),
        "RS512" => (SHA512_PREFIX, Sha512::digest(input).to_vec()),
        _ => return None,
    };
    let n = strip_zeros(n);
    // Keys below 512 bits or above 8192 bits are refused (bounded work).
    if n.len() < 64 || n.len() > 1024 || e.is_empty() || e.len() > 8 {
        return Some(false);
    }
    let k = n.len();
    let m = match modpow(strip_zeros(sig), e, n) {
        Some(m) => m,
        None => return Some(false),
    };
    // EM = 0x00 0x01 PS(0xff…) 0x00 DigestInfo, exactly k bytes.
    let t_len = prefix.len() + digest.len();
    if k < t_len + 11 {
        return Some(false);
    }
    let mut em = vec![0x00, 0x01];
    em.extend(std::iter::repeat_n(0xff, k - t_len - 3));
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(&digest);
    let mut got = vec![0u8; k.saturating_sub(m.len())];
    got.extend_from_slice(&m);
    Some(got == em)
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(first..).unwrap_or(&[])
}

/// Big-endian bytes → little-endian 32-bit limbs, `len` limbs.
fn limbs(b: &[u8], len: usize) -> Vec<u32> {
    let mut out = vec![0u32; len];
    for (i, byte) in b.iter().rev().enumerate() {
        if let Some(l) = out.get_mut(i / 4) {
            *l |= u32::from(*byte) << (8 * (i % 4));
        }
    }
    out
}

fn to_bytes(l: &[u32]) -> Vec<u8> {
    let mut out: Vec<u8> = l.iter().rev().flat_map(|x| x.to_be_bytes()).collect();
    let first = out.iter().position(|&x| x != 0).unwrap_or(out.len());
    out.drain(..first);
    out
}

fn at(v: &[u32], i: usize) -> u64 {
    u64::from(v.get(i).copied().unwrap_or(0))
}

fn set(v: &mut [u32], i: usize, x: u64) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x as u32;
    }
}

/// `a >= b` for equal-length limb vectors.
fn ge(a: &[u32], b: &[u32]) -> bool {
    for i in (0..a.len().max(b.len())).rev() {
        let (x, y) = (at(a, i), at(b, i));
        if x != y {
            return x > y;
        }
    }
    true
}

/// `a -= b` (a ≥ b).
fn sub(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0i64;
    for i in 0..a.len() {
        let d = at(a, i) as i64 - at(b, i) as i64 - borrow;
        if d < 0 {
            set(a, i, (d + (1i64 << 32)) as u64);
            borrow = 1;
        } else {
            set(a, i, d as u64);
            borrow = 0;
        }
    }
}

/// Montgomery product `a·b·R⁻¹ mod n` (CIOS), `k` limbs, `n` odd.
fn mont_mul(a: &[u32], b: &[u32], n: &[u32], n0inv: u32, k: usize) -> Vec<u32> {
    let mut t = vec![0u32; k + 2];
    for i in 0..k {
        let ai = at(a, i);
        let mut carry = 0u64;
        for j in 0..k {
            let s = at(&t, j) + ai * at(b, j) + carry;
            set(&mut t, j, s);
            carry = s >> 32;
        }
        let s = at(&t, k) + carry;
        set(&mut t, k, s);
        let hi = at(&t, k + 1) + (s >> 32);
        set(&mut t, k + 1, hi);
        let m = u64::from((at(&t, 0) as u32).wrapping_mul(n0inv));
        let mut carry = (at(&t, 0) + m * at(n, 0)) >> 32;
        for j in 1..k {
            let s = at(&t, j) + m * at(n, j) + carry;
            set(&mut t, j - 1, s);
            carry = s >> 32;
        }
        let s = at(&t, k) + carry;
        set(&mut t, k - 1, s);
        let hi = at(&t, k + 1) + (s >> 32);
        set(&mut t, k, hi);
        set(&mut t, k + 1, 0);
    }
    let mut r: Vec<u32> = t.iter().take(k + 1).copied().collect();
    let mut nn: Vec<u32> = n.to_vec();
    nn.push(0);
    if ge(&r, &nn) {
        sub(&mut r, &nn);
    }
    r.truncate(k);
    r
}

/// `base^e mod n` for odd `n`; `None` when `base ≥ n` or `n` is even.
fn modpow(base: &[u8], e: &[u8], n: &[u8]) -> Option<Vec<u8>> {
    let k = n.len().div_ceil(4);
    let nl = limbs(n, k);
    let bl = limbs(base, k);
    if base.len() > n.len() || ge(&bl, &nl) || at(&nl, 0) & 1 == 0 {
        return None;
    }
    // -n⁻¹ mod 2³² by Newton's iteration.
    let n0 = at(&nl, 0) as u32;
    let mut inv: u32 = 1;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
    }
    let n0inv = inv.wrapping_neg();
    // R² mod n by doubling 1 (2·32·k times).
    let mut r2 = vec![0u32; k + 1];
    set(&mut r2, 0, 1);
    let mut nn = nl.clone();
    nn.push(0);
    for _ in 0..(64 * k) {
        let mut carry = 0u64;
        for i in 0..=k {
            let v = (at(&r2, i) << 1) | carry;
            set(&mut r2, i, v);
            carry = v >> 32;
        }
        if ge(&r2, &nn) {
            sub(&mut r2, &nn);
        }
    }
    r2.truncate(k);
    let base_m = mont_mul(&bl, &r2, &nl, n0inv, k);
    let mut one = vec![0u32; k];
    set(&mut one, 0, 1);
    let mut acc = mont_mul(&one, &r2, &nl, n0inv, k);
    for byte in e {
        for bit in (0..8).rev() {
            acc = mont_mul(&acc, &acc, &nl, n0inv, k);
            if (byte >> bit) & 1 == 1 {
                acc = mont_mul(&acc, &base_m, &nl, n0inv, k);
            }
        }
    }
    let out = mont_mul(&acc, &one, &nl, n0inv, k);
    Some(to_bytes(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modpow_small_numbers() {
        // 4^13 mod 497 = 445
        assert_eq!(modpow(&[4], &[13], &[0x01, 0xf1]), Some(vec![0x01, 0xbd]));
        // 3^65537 mod 1000003 (odd) = 2^? computed by Python: pow(3, 65537, 1000003) = 596963
        let n = 1_000_003u32.to_be_bytes();
        let r = modpow(&[3], &[1, 0, 1], &n).unwrap();
        let mut v = 0u64;
        for b in r {
            v = v << 8 | u64::from(b);
        }
        assert_eq!(v, {
            let mut acc = 1u64;
            for _ in 0..65537 {
                acc = acc * 3 % 1_000_003;
            }
            acc
        });
    }

    #[test]
    fn hmac_round_trip() {
        let sig = hs256(b"key", b"a.b");
        assert_eq!(verify_hmac("HS256", b"key", b"a.b", &sig), Some(true));
        assert_eq!(verify_hmac("HS256", b"other", b"a.b", &sig), Some(false));
        assert_eq!(verify_hmac("PS256", b"key", b"a.b", &sig), None);
    }
}
