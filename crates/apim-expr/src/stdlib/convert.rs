//! Primitive types: parsing (`int.Parse`, `TryParse`), `Convert`, `Math`, `DateTime`,
//! `DateTimeOffset`, `TimeSpan`, `Guid`, `BitConverter`, `Array`, `Enumerable`, `Char`,
//! `Random`, and the members of those values.

use std::cell::RefCell;

use super::*;
use crate::value::fmt_guid;

/// Base64 with the standard alphabet and padding (`Convert.ToBase64String`).
pub fn b64_encode(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(
                    A.get(((n >> (18 - 6 * i)) & 63) as usize)
                        .map_or('A', |c| *c as char),
                );
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Convert.FromBase64String`: whitespace ignored, padding required.
pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let pad = clean.iter().rev().take_while(|b| **b == b'=').count();
    if pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let body = clean.len() - pad;
    for (ci, chunk) in clean.chunks(4).enumerate() {
        let mut n = 0u32;
        let mut valid = 0;
        for (j, &c) in chunk.iter().enumerate() {
            let pos = ci * 4 + j;
            let v = if pos >= body {
                if c != b'=' {
                    return None;
                }
                0
            } else {
                valid += 1;
                val(c)?
            };
            n = (n << 6) | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let take = match valid {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(bytes.get(..take).unwrap_or(&[]));
    }
    Some(out)
}

pub(crate) fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut t: String = s.trim_end_matches('=').replace('-', "+").replace('_', "/");
    while !t.len().is_multiple_of(4) {
        t.push('=');
    }
    b64_decode(&t)
}

pub(crate) fn parse_guid(s: &str) -> Option<u128> {
    let t = s.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .or_else(|| t.strip_prefix('(').and_then(|x| x.strip_suffix(')')))
        .unwrap_or(t);
    let hex: String = if t.len() == 36 {
        let b = t.as_bytes();
        if [8, 13, 18, 23].iter().any(|&i| b.get(i) != Some(&b'-')) {
            return None;
        }
        t.chars().filter(|c| *c != '-').collect()
    } else if t.len() == 32 {
        t.to_string()
    } else {
        return None;
    };
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

/// .NET's `Guid.ToByteArray` layout: the first three groups little-endian.
pub(crate) fn guid_to_bytes(g: u128) -> Vec<u8> {
    let b = g.to_be_bytes();
    let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    order
        .iter()
        .map(|&i| b.get(i).copied().unwrap_or(0))
        .collect()
}

pub(crate) fn guid_from_bytes(d: &[u8]) -> u128 {
    let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut b = [0u8; 16];
    for (slot, &i) in b.iter_mut().zip(order.iter()) {
        *slot = d.get(i).copied().unwrap_or(0);
    }
    u128::from_be_bytes(b)
}

fn format_err<T>(s: &str, span: Span) -> R<T> {
    throw(
        "FormatException",
        format!("The input string '{s}' was not in a correct format."),
        span,
    )
}

fn parse_int(s: &str, bits: u32, span: Span) -> R<i64> {
    let t = s.trim();
    let t2 = t.replace(',', "");
    let v: i64 = match t2.parse::<i64>() {
        Ok(v) => v,
        Err(_)
            if !t2.is_empty()
                && t2
                    .trim_start_matches(['-', '+'])
                    .bytes()
                    .all(|b| b.is_ascii_digit()) =>
        {
            return throw(
                "OverflowException",
                format!("Value was either too large or too small for an Int{bits}."),
                span,
            );
        }
        Err(_) => return format_err(s, span),
    };
    if bits == 32 && i32::try_from(v).is_err() {
        return throw(
            "OverflowException",
            "Value was either too large or too small for an Int32.",
            span,
        );
    }
    Ok(v)
}

fn parse_f64(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', "");
    match t.as_str() {
        "NaN" => Some(f64::NAN),
        "Infinity" | "∞" => Some(f64::INFINITY),
        "-Infinity" | "-∞" => Some(f64::NEG_INFINITY),
        _ if t.is_empty()
            || t.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') =>
        {
            None
        }
        _ => t.parse().ok(),
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `T.Parse(s)` for a primitive type name.
fn parse_as(ty: &str, s: &str, span: Span) -> R<Value> {
    match ty {
        "Int32" | "Int16" | "Byte" => Ok(Value::int(parse_int(s, 32, span)? as i32)),
        "Int64" => Ok(Value::long(parse_int(s, 64, span)?)),
        "Double" | "Single" => match parse_f64(s) {
            Some(d) => Ok(Value::double(d)),
            None => format_err(s, span),
        },
        "Decimal" => match parse_f64(s) {
            Some(d) => Ok(Value::new(V::Decimal(d))),
            None => format_err(s, span),
        },
        "Boolean" => match parse_bool(s) {
            Some(b) => Ok(Value::bool(b)),
            None => throw(
                "FormatException",
                format!("String '{s}' was not recognized as a valid Boolean."),
                span,
            ),
        },
        "Guid" => match parse_guid(s) {
            Some(g) => Ok(Value::new(V::Guid(g))),
            None => throw(
                "FormatException",
                "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
                span,
            ),
        },
        "DateTime" | "DateTimeOffset" => match time::parse_datetime(s) {
            Some(t) => Ok(Value::new(if ty == "DateTime" {
                V::DateTime(t)
            } else {
                V::DateTimeOffset(t)
            })),
            None => throw(
                "FormatException",
                format!("String '{s}' was not recognized as a valid DateTime."),
                span,
            ),
        },
        "TimeSpan" => match time::parse_timespan(s) {
            Some(t) => Ok(Value::new(V::TimeSpan(t))),
            None => throw(
                "FormatException",
                format!("String '{s}' was not recognized as a valid TimeSpan."),
                span,
            ),
        },
        _ => throw(
            "CompilationError",
            format!("'{ty}' has no Parse method"),
            span,
        ),
    }
}

/// Round half to even (`Math.Round`'s default) to `digits` decimals.
fn round_even(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    let y = x * p;
    let r = y.round();
    let r = if (y - y.trunc()).abs() == 0.5 {
        2.0 * (y / 2.0).round()
    } else {
        r
    };
    r / p
}

fn to_int_conv(v: &Value, bits: u32, span: Span) -> R<i64> {
    match &v.v {
        V::Null => Ok(0),
        V::Str(s) => parse_int(s, bits, span),
        V::Bool(b) => Ok(i64::from(*b)),
        V::Char(c) => Ok(i64::from(u32::from(*c))),
        V::Double(d) | V::Decimal(d) => {
            let r = round_even(*d, 0);
            let lim = if bits == 32 {
                f64::from(i32::MAX)
            } else {
                i64::MAX as f64
            };
            if r.is_nan() || r.abs() > lim + 1.0 {
                return throw(
                    "OverflowException",
                    format!("Value was either too large or too small for an Int{bits}."),
                    span,
                );
            }
            Ok(r as i64)
        }
        V::Json(_) => match num_of(v) {
            Some(Num::I(i)) => Ok(i),
            Some(Num::F(f)) => Ok(round_even(f, 0) as i64),
            None => parse_int(&to_display(v), bits, span),
        },
        _ => match num_of(v) {
            Some(Num::I(i)) => {
                if bits == 32 && i32::try_from(i).is_err() {
                    return throw(
                        "OverflowException",
                        "Value was either too large or too small for an Int32.",
                        span,
                    );
                }
                Ok(i)
            }
            _ => throw(
                "InvalidCastException",
                format!(
                    "Unable to cast object of type '{}' to type 'System.IConvertible'.",
                    full_type_name(v)
                ),
                span,
            ),
        },
    }
}

fn bytes_of(v: Option<&Value>, span: Span) -> R<(Vec<u8>, bool)> {
    match v.map(|v| &v.v) {
        Some(V::Bytes(b)) => {
            let b = b.borrow();
            Ok((b.data.clone(), b.secret))
        }
        Some(V::List(l)) => Ok((
            l.borrow()
                .items
                .iter()
                .map(|x| as_f64(x).unwrap_or(0.0) as u8)
                .collect(),
            false,
        )),
        Some(V::Null) => throw(
            "ArgumentNullException",
            "Value cannot be null. (Parameter 'inArray')",
            span,
        ),
        _ => wrong_args("byte[] argument", span),
    }
}

pub(crate) fn static_call(
    it: &mut Interp,
    ty: &str,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let a0 = arg(args, 0);
    let secret = any_secret(args);
    match (ty, name) {
        (_, "Parse") if ty != "Convert" && ty != "IPAddress" => {
            let s = str_arg(args, 0, span, "s")?.to_string();
            parse_as(ty, &s, span)
        }
        (_, "TryParse") if ty != "IPAddress" => {
            let s = match a0.map(|v| &v.v) {
                Some(V::Str(s)) => s.to_string(),
                _ => {
                    it.outs = vec![super::default_of(&TypeRef::simple(ty, span))];
                    return Ok(Value::bool(false));
                }
            };
            match parse_as(ty, &s, span) {
                Ok(v) => {
                    it.outs = vec![v.with_secret(secret)];
                    Ok(Value::bool(true))
                }
                Err(Exc::Err(_)) => {
                    it.outs = vec![super::default_of(&TypeRef::simple(ty, span))];
                    Ok(Value::bool(false))
                }
                Err(e) => Err(e),
            }
        }
        ("DateTime" | "DateTimeOffset", "ParseExact" | "TryParseExact") => {
            let s = str_arg(args, 0, span, "s")?.to_string();
            let r = parse_as(ty, &s, span);
            if name == "TryParseExact" {
                let ok = r.is_ok();
                it.outs = vec![r.unwrap_or_else(|_| Value::new(V::DateTime(0)))];
                return Ok(Value::bool(ok));
            }
            r
        }
        ("DateTime", "SpecifyKind") => Ok(a0.cloned().unwrap_or_else(Value::null)),
        ("DateTime", "DaysInMonth") => {
            let y = int_arg(args, 0, span, "year")?.clamp(-1, 10_000);
            let m = int_arg(args, 1, span, "month")?;
            if !(1..=12).contains(&m) {
                return throw(
                    "ArgumentOutOfRangeException",
                    "Month must be between one and twelve. (Parameter 'month')",
                    span,
                );
            }
            Ok(Value::int(time::days_in_month(y, m) as i32))
        }
        ("DateTime", "IsLeapYear") => {
            Ok(Value::bool(time::is_leap(int_arg(args, 0, span, "year")?)))
        }
        ("DateTimeOffset", "FromUnixTimeSeconds" | "FromUnixTimeMilliseconds") => {
            let n = int_arg(args, 0, span, "seconds")?;
            let ticks = if name == "FromUnixTimeSeconds" {
                n.checked_mul(TICKS_PER_SECOND)
            } else {
                n.checked_mul(10_000)
            };
            dt_checked(
                ticks.and_then(|t| t.checked_add(time::UNIX_EPOCH_TICKS)),
                true,
                span,
            )
            .map(|v| v.with_secret(secret))
        }
        ("TimeSpan", _) if name.starts_with("From") => {
            let x = a0.and_then(as_f64).unwrap_or(0.0);
            let per = match name {
                "FromTicks" => 1.0,
                "FromMilliseconds" => 1e4,
                "FromSeconds" => 1e7,
                "FromMinutes" => 6e8,
                "FromHours" => 3.6e10,
                "FromDays" => 8.64e11,
                _ => return wrong_args(name, span),
            };
            let t = (x * per).round();
            if !t.is_finite() || t.abs() > 9.2e18 {
                return throw(
                    "OverflowException",
                    "TimeSpan overflowed because the duration is too long.",
                    span,
                );
            }
            Ok(Value::new(V::TimeSpan(t as i64)).with_secret(secret))
        }
        ("Guid", "NewGuid") => {
            let hi = it.ctx.next_random();
            let lo = it.ctx.next_random();
            let mut g = (u128::from(hi) << 64) | u128::from(lo);
            // Version 4, RFC 4122 variant.
            g = (g & !(0xF << 76)) | (0x4 << 76);
            g = (g & !(0x3 << 62)) | (0x2 << 62);
            Ok(Value::new(V::Guid(g)))
        }
        ("Convert", _) => convert_call(it, name, args, span),
        ("Math", _) => math_call(name, args, span),
        ("BitConverter", "GetBytes") => {
            let bytes = match a0.map(|v| &v.v) {
                Some(V::Int(i)) => i.to_le_bytes().to_vec(),
                Some(V::Long(i)) => i.to_le_bytes().to_vec(),
                Some(V::Double(d)) => d.to_le_bytes().to_vec(),
                Some(V::Bool(b)) => vec![u8::from(*b)],
                Some(V::Char(c)) => (*c as u16).to_le_bytes().to_vec(),
                _ => return wrong_args("BitConverter.GetBytes", span),
            };
            Ok(Value::bytes(bytes, secret))
        }
        ("BitConverter", "ToInt32" | "ToInt64" | "ToInt16" | "ToUInt32" | "ToUInt16") => {
            let (b, s) = bytes_of(a0, span)?;
            let at = arg(args, 1).and_then(Value::as_i64).unwrap_or(0).max(0) as usize;
            let n = match name {
                "ToInt64" => 8,
                "ToInt32" | "ToUInt32" => 4,
                _ => 2,
            };
            let Some(sl) = b.get(at..at.saturating_add(n)) else {
                return throw(
                    "ArgumentException",
                    "Destination array is not long enough to copy all the items in the collection. Check array index and length.",
                    span,
                );
            };
            let mut buf = [0u8; 8];
            for (d, x) in buf.iter_mut().zip(sl) {
                *d = *x;
            }
            let v = match name {
                "ToInt64" => Value::long(i64::from_le_bytes(buf)),
                "ToInt32" => Value::int(i32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]])),
                "ToUInt32" => Value::long(i64::from(u32::from_le_bytes([
                    buf[0], buf[1], buf[2], buf[3],
                ]))),
                "ToInt16" => Value::int(i32::from(i16::from_le_bytes([buf[0], buf[1]]))),
                _ => Value::int(i32::from(u16::from_le_bytes([buf[0], buf[1]]))),
            };
            Ok(v.with_secret(s))
        }
        ("BitConverter", "ToString") => {
            let (b, s) = bytes_of(a0, span)?;
            let start = arg(args, 1).and_then(Value::as_i64).unwrap_or(0).max(0) as usize;
            let len = arg(args, 2)
                .and_then(Value::as_i64)
                .map_or(b.len().saturating_sub(start), |n| n.max(0) as usize);
            let Some(sl) = b.get(start..start.saturating_add(len)) else {
                return throw(
                    "ArgumentOutOfRangeException",
                    "Index was out of range.",
                    span,
                );
            };
            let out: Vec<String> = sl.iter().map(|x| format!("{x:02X}")).collect();
            it.mk_str(out.join("-"), s, span)
        }
        ("Array", "Copy") => {
            let (src, si, dst, di, n) = match args.len() {
                3 => (a0, 0, arg(args, 1), 0, int_arg(args, 2, span, "length")?),
                5 => (
                    a0,
                    int_arg(args, 1, span, "sourceIndex")?,
                    arg(args, 2),
                    int_arg(args, 3, span, "destinationIndex")?,
                    int_arg(args, 4, span, "length")?,
                ),
                _ => return wrong_args("Array.Copy", span),
            };
            let (si, di, n) = (si.max(0) as usize, di.max(0) as usize, n.max(0) as usize);
            match (src.map(|v| &v.v), dst.map(|v| &v.v)) {
                (Some(V::Bytes(s)), Some(V::Bytes(d))) => {
                    let data: Vec<u8> = match s.borrow().data.get(si..si.saturating_add(n)) {
                        Some(x) => x.to_vec(),
                        None => {
                            return throw(
                                "ArgumentException",
                                "Source array was not long enough. Check the source index, length, and the array's lower bounds. (Parameter 'sourceArray')",
                                span,
                            );
                        }
                    };
                    let sec = s.borrow().secret;
                    let mut d = d.borrow_mut();
                    match d.data.get_mut(di..di.saturating_add(n)) {
                        Some(x) => x.copy_from_slice(&data),
                        None => {
                            return throw(
                                "ArgumentException",
                                "Destination array was not long enough. Check the destination index, length, and the array's lower bounds. (Parameter 'destinationArray')",
                                span,
                            );
                        }
                    }
                    d.secret |= sec;
                }
                (Some(V::List(s)), Some(V::List(d))) => {
                    let data: Vec<Value> = match s.borrow().items.get(si..si.saturating_add(n)) {
                        Some(x) => x.to_vec(),
                        None => {
                            return throw(
                                "ArgumentException",
                                "Source array was not long enough.",
                                span,
                            );
                        }
                    };
                    let mut d = d.borrow_mut();
                    match d.items.get_mut(di..di.saturating_add(n)) {
                        Some(x) => x.clone_from_slice(&data),
                        None => {
                            return throw(
                                "ArgumentException",
                                "Destination array was not long enough.",
                                span,
                            );
                        }
                    }
                }
                _ => return wrong_args("Array.Copy", span),
            }
            Ok(Value::null())
        }
        ("Array", "Reverse") => {
            match a0.map(|v| &v.v) {
                Some(V::Bytes(b)) => b.borrow_mut().data.reverse(),
                Some(V::List(l)) => l.borrow_mut().items.reverse(),
                _ => return wrong_args("Array.Reverse", span),
            }
            Ok(Value::null())
        }
        ("Array", "Sort") => {
            if let Some(V::List(l)) = a0.map(|v| &v.v) {
                let mut items = l.borrow().items.clone();
                linq::sort_values(&mut items);
                l.borrow_mut().items = items;
            }
            Ok(Value::null())
        }
        ("Array", "IndexOf") => {
            let items = iterate(it, a0.unwrap_or(&Value::null()), span)?;
            let x = arg(args, 1).cloned().unwrap_or_else(Value::null);
            Ok(Value::int(
                items
                    .iter()
                    .position(|v| values_equal(v, &x))
                    .map_or(-1, |i| i as i32),
            ))
        }
        ("Array", "Exists" | "Find" | "FindAll" | "TrueForAll") => {
            let items = iterate(it, a0.unwrap_or(&Value::null()), span)?;
            let f = arg(args, 1).cloned().unwrap_or_else(Value::null);
            let lname = match name {
                "Exists" => "Any",
                "Find" => "FirstOrDefault",
                "FindAll" => "Where",
                _ => "All",
            };
            linq::apply(
                it,
                items,
                lname,
                &[],
                &[ArgVal {
                    name: None,
                    value: f,
                    span,
                }],
                span,
            )
        }
        ("Array", "Empty") | ("Enumerable", "Empty") => {
            let _ = generics;
            Ok(Value::list(Vec::new(), Some("Object")))
        }
        ("Enumerable", "Range") => {
            let start = int_arg(args, 0, span, "start")?;
            let n = int_arg(args, 1, span, "count")?.max(0) as usize;
            it.check_count(n, span)?;
            it.charge(n / 8, span)?;
            Ok(Value::list(
                (0..n as i64)
                    .map(|i| Value::int((start + i) as i32))
                    .collect(),
                None,
            ))
        }
        ("Enumerable", "Repeat") => {
            let x = a0.cloned().unwrap_or_else(Value::null);
            let n = int_arg(args, 1, span, "count")?.max(0) as usize;
            it.check_count(n, span)?;
            it.charge(n / 8, span)?;
            Ok(Value::list(vec![x; n], None))
        }
        ("Char", _) => {
            let c = match a0.map(|v| &v.v) {
                Some(V::Char(c)) => *c,
                Some(V::Str(s)) => {
                    let i = arg(args, 1).and_then(Value::as_i64).unwrap_or(0).max(0) as usize;
                    s.chars().nth(i).unwrap_or('\0')
                }
                _ => return wrong_args(name, span),
            };
            Ok(match name {
                "IsDigit" | "IsNumber" => Value::bool(c.is_ascii_digit() || c.is_numeric()),
                "IsLetter" => Value::bool(c.is_alphabetic()),
                "IsLetterOrDigit" => Value::bool(c.is_alphanumeric()),
                "IsWhiteSpace" => Value::bool(c.is_whitespace()),
                "IsUpper" => Value::bool(c.is_uppercase()),
                "IsLower" => Value::bool(c.is_lowercase()),
                "IsPunctuation" => Value::bool(c.is_ascii_punctuation()),
                "IsControl" => Value::bool(c.is_control()),
                "ToUpper" | "ToUpperInvariant" => {
                    Value::new(V::Char(c.to_uppercase().next().unwrap_or(c)))
                }
                "ToLower" | "ToLowerInvariant" => {
                    Value::new(V::Char(c.to_lowercase().next().unwrap_or(c)))
                }
                "ToString" => Value::string(&c.to_string()),
                "GetNumericValue" => Value::double(c.to_digit(10).map_or(-1.0, f64::from)),
                _ => return wrong_args(name, span),
            }
            .with_secret(secret))
        }
        ("IPAddress", "Parse" | "TryParse") => {
            let s = str_arg(args, 0, span, "ipString")?.trim().to_string();
            let parsed = s
                .parse::<std::net::IpAddr>()
                .ok()
                .map(|ip| Value::string(&ip.to_string()).with_secret(secret));
            if name == "TryParse" {
                let ok = parsed.is_some();
                it.outs = vec![parsed.unwrap_or_else(Value::null)];
                return Ok(Value::bool(ok));
            }
            parsed.ok_or(()).or_else(|()| {
                throw(
                    "FormatException",
                    "An invalid IP address was specified.",
                    span,
                )
            })
        }
        ("Object", "Equals") => Ok(Value::bool(match (a0, arg(args, 1)) {
            (Some(a), Some(b)) => values_equal(a, b),
            _ => false,
        })),
        ("Object", "ReferenceEquals") => Ok(Value::bool(match (a0, arg(args, 1)) {
            (Some(a), Some(b)) => match (&a.v, &b.v) {
                (V::Null, V::Null) => true,
                (V::Str(x), V::Str(y)) => std::rc::Rc::ptr_eq(x, y),
                _ => {
                    values_equal(a, b)
                        && !matches!(a.v, V::Int(_) | V::Long(_) | V::Double(_) | V::Bool(_))
                }
            },
            _ => false,
        })),
        ("Enum", "Parse" | "TryParse") => wrong_args(name, span),
        _ => throw(
            "CompilationError",
            format!("'{ty}.{name}' is not supported in policy expressions (or by this simulator)"),
            span,
        ),
    }
}

fn convert_call(it: &mut Interp, name: &str, args: &[ArgVal], span: Span) -> R<Value> {
    let a0 = arg(args, 0).cloned().unwrap_or_else(Value::null);
    let secret = any_secret(args);
    let v = match name {
        "ToBase64String" => {
            let (b, s) = bytes_of(Some(&a0), span)?;
            let (off, len) = match (
                arg(args, 1).and_then(Value::as_i64),
                arg(args, 2).and_then(Value::as_i64),
            ) {
                (Some(o), Some(l)) => (o.max(0) as usize, l.max(0) as usize),
                _ => (0, b.len()),
            };
            let Some(sl) = b.get(off..off.saturating_add(len)) else {
                return throw(
                    "ArgumentOutOfRangeException",
                    "Index was out of range. (Parameter 'offset')",
                    span,
                );
            };
            return it.mk_str(b64_encode(sl), s || secret, span);
        }
        "FromBase64String" => {
            let s = str_arg(args, 0, span, "s")?;
            match b64_decode(s) {
                Some(b) => Value::bytes(b, secret),
                None => {
                    return throw(
                        "FormatException",
                        "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.",
                        span,
                    );
                }
            }
        }
        "ToHexString" => {
            let (b, s) = bytes_of(Some(&a0), span)?;
            let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
            return it.mk_str(hex, s || secret, span);
        }
        "FromHexString" => {
            let s = str_arg(args, 0, span, "s")?;
            if s.len() % 2 != 0 {
                return throw(
                    "FormatException",
                    "The input is not a valid hex string as its length is not a multiple of 2.",
                    span,
                );
            }
            let mut out = Vec::new();
            for i in (0..s.len()).step_by(2) {
                match s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => out.push(b),
                    None => {
                        return throw(
                            "FormatException",
                            "The input is not a valid hex string as it contains a non-hex character.",
                            span,
                        );
                    }
                }
            }
            Value::bytes(out, secret)
        }
        "ToInt32" | "ToInt64" | "ToInt16" | "ToByte" | "ToUInt32" | "ToUInt64" | "ToSByte" => {
            let bits = if name == "ToInt64" || name == "ToUInt64" {
                64
            } else {
                32
            };
            let n = match (&a0.v, arg(args, 1).and_then(Value::as_i64)) {
                (V::Str(s), Some(base)) if matches!(base, 2 | 8 | 10 | 16) => {
                    let t = s.trim();
                    let t = if base == 16 {
                        t.trim_start_matches("0x").trim_start_matches("0X")
                    } else {
                        t
                    };
                    match u64::from_str_radix(t, base as u32) {
                        Ok(v) => match name {
                            "ToByte" if v > 255 => {
                                return throw(
                                    "OverflowException",
                                    "Value was either too large or too small for an unsigned byte.",
                                    span,
                                );
                            }
                            "ToInt32" => i64::from(v as u32 as i32),
                            "ToInt16" => i64::from(v as u16 as i16),
                            _ => v as i64,
                        },
                        Err(_) => {
                            return throw(
                                "FormatException",
                                "Could not find any recognizable digits.",
                                span,
                            );
                        }
                    }
                }
                _ => to_int_conv(&a0, bits, span)?,
            };
            match name {
                "ToByte" if !(0..=255).contains(&n) => {
                    return throw(
                        "OverflowException",
                        "Value was either too large or too small for an unsigned byte.",
                        span,
                    );
                }
                "ToInt64" | "ToUInt32" | "ToUInt64" => Value::long(n),
                _ => Value::int(n as i32),
            }
        }
        "ToDouble" | "ToDecimal" | "ToSingle" => {
            let d = match &a0.v {
                V::Null => 0.0,
                V::Str(s) => match parse_f64(s) {
                    Some(d) => d,
                    None => return format_err(s, span),
                },
                V::Bool(b) => f64::from(u8::from(*b)),
                _ => match as_f64(&a0) {
                    Some(d) => d,
                    None => {
                        return throw(
                            "InvalidCastException",
                            format!(
                                "Unable to cast object of type '{}' to type 'System.IConvertible'.",
                                full_type_name(&a0)
                            ),
                            span,
                        );
                    }
                },
            };
            if name == "ToDecimal" {
                Value::new(V::Decimal(d))
            } else {
                Value::double(d)
            }
        }
        "ToBoolean" => match &a0.v {
            V::Bool(b) => Value::bool(*b),
            V::Null => Value::bool(false),
            V::Str(s) => match parse_bool(s) {
                Some(b) => Value::bool(b),
                None => {
                    return throw(
                        "FormatException",
                        format!("String '{s}' was not recognized as a valid Boolean."),
                        span,
                    );
                }
            },
            _ => match as_f64(&a0) {
                Some(d) => Value::bool(d != 0.0),
                None => return throw("InvalidCastException", "Invalid cast.", span),
            },
        },
        "ToString" => {
            if let (Some(n), Some(base)) = (a0.as_i64(), arg(args, 1).and_then(Value::as_i64)) {
                let s = match base {
                    2 => format!(
                        "{:b}",
                        n as u64
                            & if matches!(a0.v, V::Int(_)) {
                                0xFFFF_FFFF
                            } else {
                                u64::MAX
                            }
                    ),
                    8 => format!("{:o}", n),
                    16 => format!(
                        "{:x}",
                        if matches!(a0.v, V::Int(_)) {
                            u64::from(n as i32 as u32)
                        } else {
                            n as u64
                        }
                    ),
                    _ => n.to_string(),
                };
                return it.mk_str(s, secret, span);
            }
            match (&a0.v, arg(args, 1)) {
                (_, Some(Value { v: V::Str(f), .. })) => {
                    let f = f.to_string();
                    let s = format_value(it, &a0, &f, span)?;
                    return it.mk_str(s, secret, span);
                }
                _ => return it.mk_str(to_display(&a0), secret, span),
            }
        }
        "ToChar" => match &a0.v {
            V::Str(s) if s.chars().count() == 1 => {
                Value::new(V::Char(s.chars().next().unwrap_or('\0')))
            }
            _ => match a0.as_i64().and_then(|i| char::from_u32(i as u32)) {
                Some(c) => Value::new(V::Char(c)),
                None => {
                    return throw(
                        "FormatException",
                        "String must be exactly one character long.",
                        span,
                    );
                }
            },
        },
        "ToDateTime" => match &a0.v {
            V::Str(s) => parse_as("DateTime", s, span)?,
            V::DateTime(_) => a0.clone(),
            _ => return throw("InvalidCastException", "Invalid cast to DateTime.", span),
        },
        "IsDBNull" => Value::bool(false),
        _ => return wrong_args(&format!("Convert.{name}"), span),
    };
    Ok(v.with_secret(secret))
}

fn math_call(name: &str, args: &[ArgVal], span: Span) -> R<Value> {
    let a = arg(args, 0).cloned().unwrap_or_else(Value::null);
    let b = arg(args, 1).cloned();
    let secret = any_secret(args);
    let x = as_f64(&a).unwrap_or(f64::NAN);
    let both_int = matches!(
        (&a.v, b.as_ref().map(|b| &b.v)),
        (V::Int(_) | V::Long(_), Some(V::Int(_) | V::Long(_)) | None)
    );
    let keep = |d: f64| -> Value {
        match &a.v {
            V::Decimal(_) => Value::new(V::Decimal(d)),
            _ => Value::double(d),
        }
    };
    let v = match name {
        "Min" | "Max" => {
            let Some(b) = b else {
                return wrong_args(name, span);
            };
            if both_int {
                let (p, q) = (a.as_i64().unwrap_or(0), b.as_i64().unwrap_or(0));
                let r = if name == "Min" { p.min(q) } else { p.max(q) };
                if matches!((&a.v, &b.v), (V::Int(_), V::Int(_))) {
                    Value::int(r as i32)
                } else {
                    Value::long(r)
                }
            } else {
                let y = as_f64(&b).unwrap_or(f64::NAN);
                let r = if name == "Min" { x.min(y) } else { x.max(y) };
                if matches!(a.v, V::Decimal(_)) {
                    Value::new(V::Decimal(r))
                } else {
                    Value::double(r)
                }
            }
        }
        "Abs" => match &a.v {
            V::Int(i) => match i.checked_abs() {
                Some(v) => Value::int(v),
                None => {
                    return throw(
                        "OverflowException",
                        "Negating the minimum value of a twos complement number is invalid.",
                        span,
                    );
                }
            },
            V::Long(i) => Value::long(i.wrapping_abs()),
            _ => keep(x.abs()),
        },
        "Round" => {
            let mut digits = 0;
            let mut away = false;
            for extra in args.iter().skip(1) {
                match &extra.value.v {
                    V::Int(d) => digits = *d,
                    V::Enum(_, m) => away = &**m == "AwayFromZero",
                    _ => {}
                }
            }
            let r = if away {
                let p = 10f64.powi(digits);
                (x * p).round() / p
            } else {
                round_even(x, digits)
            };
            keep(r)
        }
        "Floor" => keep(x.floor()),
        "Ceiling" => keep(x.ceil()),
        "Truncate" => keep(x.trunc()),
        "Sqrt" => Value::double(x.sqrt()),
        "Pow" => Value::double(x.powf(b.as_ref().and_then(as_f64).unwrap_or(f64::NAN))),
        "Exp" => Value::double(x.exp()),
        "Log" => match b.as_ref().and_then(as_f64) {
            Some(base) => Value::double(x.log(base)),
            None => Value::double(x.ln()),
        },
        "Log10" => Value::double(x.log10()),
        "Log2" => Value::double(x.log2()),
        "Sign" => Value::int(if x > 0.0 {
            1
        } else if x < 0.0 {
            -1
        } else {
            0
        }),
        "Clamp" => {
            let lo = b.as_ref().and_then(as_f64).unwrap_or(f64::NAN);
            let hi = arg(args, 2).and_then(as_f64).unwrap_or(f64::NAN);
            let r = x.max(lo).min(hi);
            if both_int {
                Value::int(r as i32)
            } else {
                Value::double(r)
            }
        }
        _ => return wrong_args(&format!("Math.{name}"), span),
    };
    Ok(v.with_secret(secret))
}

pub(crate) fn time_member(v: &Value, name: &str, span: Span) -> R<Value> {
    let secret = v.secret;
    let r = match &v.v {
        V::DateTime(t) | V::DateTimeOffset(t) => {
            let p = time::parts(*t);
            let off = matches!(v.v, V::DateTimeOffset(_));
            match name {
                "Year" => Value::int(p.year as i32),
                "Month" => Value::int(p.month as i32),
                "Day" => Value::int(p.day as i32),
                "Hour" => Value::int(p.hour as i32),
                "Minute" => Value::int(p.minute as i32),
                "Second" => Value::int(p.second as i32),
                "Millisecond" => Value::int((p.frac / 10_000) as i32),
                "Ticks" | "UtcTicks" => Value::long(*t),
                "DayOfYear" => Value::int(p.doy as i32),
                "DayOfWeek" => Value::new(V::Enum(
                    "DayOfWeek",
                    [
                        "Sunday",
                        "Monday",
                        "Tuesday",
                        "Wednesday",
                        "Thursday",
                        "Friday",
                        "Saturday",
                    ]
                    .get(p.dow as usize)
                    .copied()
                    .unwrap_or("Sunday")
                    .into(),
                )),
                "Date" => Value::new(V::DateTime(t - t.rem_euclid(time::TICKS_PER_DAY))),
                "TimeOfDay" => Value::new(V::TimeSpan(t.rem_euclid(time::TICKS_PER_DAY))),
                "Kind" => Value::new(V::Enum("DateTimeKind", "Utc".into())),
                "UtcDateTime" | "DateTime" | "LocalDateTime" if off => Value::new(V::DateTime(*t)),
                "Offset" if off => Value::new(V::TimeSpan(0)),
                _ => return no_member(v, name, span),
            }
        }
        V::TimeSpan(t) => {
            let t = *t;
            let f = t as f64;
            match name {
                "Ticks" => Value::long(t),
                "TotalMilliseconds" => Value::double(f / 1e4),
                "TotalSeconds" => Value::double(f / 1e7),
                "TotalMinutes" => Value::double(f / 6e8),
                "TotalHours" => Value::double(f / 3.6e10),
                "TotalDays" => Value::double(f / 8.64e11),
                "Days" => Value::int((t / time::TICKS_PER_DAY) as i32),
                "Hours" => Value::int((t / (3600 * TICKS_PER_SECOND) % 24) as i32),
                "Minutes" => Value::int((t / (60 * TICKS_PER_SECOND) % 60) as i32),
                "Seconds" => Value::int((t / TICKS_PER_SECOND % 60) as i32),
                "Milliseconds" => Value::int((t / 10_000 % 1000) as i32),
                _ => return no_member(v, name, span),
            }
        }
        _ => return no_member(v, name, span),
    };
    Ok(r.with_secret(secret))
}

pub(crate) fn method(
    it: &mut Interp,
    v: &Value,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let secret = v.secret || any_secret(args);
    let a0 = arg(args, 0);
    if name == "ToString" {
        let s = match a0.map(|x| &x.v) {
            Some(V::Str(f)) => {
                let f = f.to_string();
                format_value(it, v, &f, span)?
            }
            _ => to_display(v),
        };
        return it.mk_str(s, secret, span);
    }
    if name == "CompareTo" {
        let o = a0.cloned().unwrap_or_else(Value::null);
        let lt = binary_op(it, BinOp::Lt, v, &o, span)?
            .as_bool()
            .unwrap_or(false);
        let gt = binary_op(it, BinOp::Gt, v, &o, span)?
            .as_bool()
            .unwrap_or(false);
        return Ok(Value::int(if lt {
            -1
        } else if gt {
            1
        } else {
            0
        }));
    }
    match &v.v {
        V::DateTime(t) | V::DateTimeOffset(t) => {
            let off = matches!(v.v, V::DateTimeOffset(_));
            let t = *t;
            let x = a0.and_then(as_f64).unwrap_or(0.0);
            let add = |ticks: f64| -> R<Value> {
                if !ticks.is_finite() || ticks.abs() > 4e18 {
                    return dt_checked(None, off, span);
                }
                dt_checked(t.checked_add(ticks.round() as i64), off, span)
            };
            let r = match name {
                "AddTicks" => add(x)?,
                "AddMilliseconds" => add(x * 1e4)?,
                "AddSeconds" => add(x * 1e7)?,
                "AddMinutes" => add(x * 6e8)?,
                "AddHours" => add(x * 3.6e10)?,
                "AddDays" => add(x * 8.64e11)?,
                "AddMonths" | "AddYears" => {
                    let n = x as i64 * if name == "AddYears" { 12 } else { 1 };
                    dt_checked(time::add_months(t, n), off, span)?
                }
                "Add" => match a0.map(|x| &x.v) {
                    Some(V::TimeSpan(d)) => dt_checked(t.checked_add(*d), off, span)?,
                    _ => return wrong_args("Add", span),
                },
                "Subtract" => match a0.map(|x| &x.v) {
                    Some(V::TimeSpan(d)) => dt_checked(t.checked_sub(*d), off, span)?,
                    Some(V::DateTime(o) | V::DateTimeOffset(o)) => Value::new(V::TimeSpan(t - o)),
                    _ => return wrong_args("Subtract", span),
                },
                "ToUniversalTime" | "ToLocalTime" | "ToOffset" => v.clone(),
                "ToUnixTimeSeconds" => {
                    Value::long((t - time::UNIX_EPOCH_TICKS).div_euclid(TICKS_PER_SECOND))
                }
                "ToUnixTimeMilliseconds" => {
                    Value::long((t - time::UNIX_EPOCH_TICKS).div_euclid(10_000))
                }
                "ToFileTimeUtc" | "ToFileTime" => Value::long(t - 504_911_232_000_000_000),
                "ToShortDateString" => Value::string(&time::format_datetime(t, "d", false)),
                "ToShortTimeString" => Value::string(&time::format_datetime(t, "t", false)),
                "ToLongDateString" => Value::string(&time::format_datetime(t, "D", false)),
                "ToLongTimeString" => Value::string(&time::format_datetime(t, "T", false)),
                "ToBinary" => Value::long(t),
                _ => return time_member(v, name, span).or_else(|_| no_member(v, name, span)),
            };
            Ok(r.with_secret(secret))
        }
        V::TimeSpan(t) => {
            let r = match (name, a0.map(|x| &x.v)) {
                ("Add", Some(V::TimeSpan(d))) => Value::new(V::TimeSpan(t.wrapping_add(*d))),
                ("Subtract", Some(V::TimeSpan(d))) => Value::new(V::TimeSpan(t.wrapping_sub(*d))),
                ("Negate", None) => Value::new(V::TimeSpan(t.wrapping_neg())),
                ("Duration", None) => Value::new(V::TimeSpan(t.wrapping_abs())),
                _ => return no_member(v, name, span),
            };
            Ok(r.with_secret(secret))
        }
        V::Guid(g) => match name {
            "ToByteArray" => Ok(Value::bytes(guid_to_bytes(*g), secret)),
            _ => no_member(v, name, span),
        },
        V::Enum(_, n) => match name {
            "HasFlag" => Ok(Value::bool(
                a0.is_some_and(|o| matches!(&o.v, V::Enum(_, m) if n.contains(&**m))),
            )),
            _ => no_member(v, name, span),
        },
        _ => {
            let _ = fmt_guid;
            no_member(v, name, span)
        }
    }
}

pub(crate) fn random_method(
    it: &mut Interp,
    state: &RefCell<u64>,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let _ = it;
    let next = || {
        let mut s = state.borrow_mut();
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let unit = |r: u64| (r >> 11) as f64 / (1u64 << 53) as f64;
    match name {
        "Next" => {
            let (lo, hi) = match (
                arg(args, 0).and_then(Value::as_i64),
                arg(args, 1).and_then(Value::as_i64),
            ) {
                (None, _) => (0, i64::from(i32::MAX)),
                (Some(max), None) => (0, max),
                (Some(min), Some(max)) => (min, max),
            };
            if hi < lo || (args.len() == 1 && hi < 0) {
                return throw(
                    "ArgumentOutOfRangeException",
                    "'minValue' cannot be greater than maxValue. (Parameter 'minValue')",
                    span,
                );
            }
            let r = lo + (unit(next()) * (hi - lo) as f64) as i64;
            Ok(Value::int(r.min(hi.max(lo + 1) - 1).max(lo) as i32))
        }
        "NextDouble" => Ok(Value::double(unit(next()))),
        "NextInt64" => Ok(Value::long((next() >> 1) as i64)),
        _ => throw(
            "CompilationError",
            format!("'Random' does not contain a definition for '{name}'"),
            span,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(b64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(b64_encode(b""), "");
        assert_eq!(b64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(b64_decode("aGVs bG8=").unwrap(), b"hello");
        assert!(b64_decode("aGVsbG8").is_none());
        assert!(b64_decode("a===").is_none());
        assert_eq!(b64url_decode("aGVsbG8").unwrap(), b"hello");
    }

    #[test]
    fn guid_bytes_round_trip() {
        let g = parse_guid("00112233-4455-6677-8899-aabbccddeeff").unwrap();
        let b = guid_to_bytes(g);
        assert_eq!(b[..4], [0x33, 0x22, 0x11, 0x00]);
        assert_eq!(guid_from_bytes(&b), g);
    }

    #[test]
    fn banker_rounding() {
        assert_eq!(round_even(2.5, 0), 2.0);
        assert_eq!(round_even(3.5, 0), 4.0);
        assert_eq!(round_even(-2.5, 0), -2.0);
    }
}
