//! `string`, `char`, `StringBuilder`, `Encoding`, `Uri`/`WebUtility` escaping.
//! Indices count Unicode scalar values (.NET counts UTF-16 units: they differ only for
//! characters outside the Basic Multilingual Plane).

use std::fmt::Write as _;

use super::*;

pub(crate) fn escape_data_string(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let _ = escape_data_into(&mut o, s);
    o
}

/// `Uri.EscapeDataString` written straight into `w`: runs of unreserved characters as they
/// are, every other byte as `%XX`.
pub(crate) fn escape_data_into<W: std::fmt::Write + ?Sized>(
    w: &mut W,
    s: &str,
) -> std::fmt::Result {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            continue;
        }
        // `i` is at a byte that is not unreserved ASCII, so the run before it ends on a
        // character boundary.
        w.write_str(s.get(start..i).unwrap_or(""))?;
        write!(w, "%{b:02X}")?;
        start = i + 1;
    }
    w.write_str(s.get(start..).unwrap_or(""))
}

fn escape_uri_string(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

/// Decode `%XX` (and `+` as space when `plus` is set); malformed escapes stay as they are.
pub(crate) fn url_decode(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(h) = hex {
                out.push(h);
                i += 3;
                continue;
            }
        }
        out.push(if plus && c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn url_encode_form(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'!' | b'*' | b'(' | b')')
        {
            o.push(b as char);
        } else if b == b' ' {
            o.push('+');
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

fn html_encode(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (0xA0..0x100).contains(&(c as u32)) => {
                let _ = write!(o, "&#{};", c as u32);
            }
            c => o.push(c),
        }
    }
    o
}

fn html_decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

pub(crate) fn static_uri(it: &mut Interp, name: &str, args: &[ArgVal], span: Span) -> R<Value> {
    let secret = any_secret(args);
    let s = match name {
        "EscapeDataString" => escape_data_string(str_arg(args, 0, span, "stringToEscape")?),
        "UnescapeDataString" => url_decode(str_arg(args, 0, span, "stringToUnescape")?, false),
        "EscapeUriString" => escape_uri_string(str_arg(args, 0, span, "stringToEscape")?),
        "UrlEncode" => match arg(args, 0).map(|v| &v.v) {
            Some(V::Null) => return Ok(Value::null()),
            _ => url_encode_form(str_arg(args, 0, span, "value")?),
        },
        "UrlDecode" => match arg(args, 0).map(|v| &v.v) {
            Some(V::Null) => return Ok(Value::null()),
            _ => url_decode(str_arg(args, 0, span, "encodedValue")?, true),
        },
        "HtmlEncode" => match arg(args, 0).map(|v| &v.v) {
            Some(V::Null) => return Ok(Value::null()),
            _ => html_encode(str_arg(args, 0, span, "value")?),
        },
        "HtmlDecode" => html_decode(str_arg(args, 0, span, "value")?),
        "IsWellFormedUriString" => {
            let s = str_arg(args, 0, span, "uriString")?;
            let absolute =
                !matches!(arg(args, 1).map(|v| &v.v), Some(V::Enum(_, k)) if &**k == "Relative");
            let ok = if absolute {
                crate::context::Url::parse(s).is_some() && !s.contains(' ')
            } else {
                !s.contains(' ')
            };
            return Ok(Value::bool(ok));
        }
        "CheckHostName" => return Ok(Value::new(V::Enum("UriHostNameType", "Dns".into()))),
        _ => return wrong_args(name, span),
    };
    it.mk_str(s, secret, span)
}

fn comparison_ignores_case(v: Option<&Value>) -> bool {
    match v.map(|v| &v.v) {
        Some(V::Enum(_, n)) => n.ends_with("IgnoreCase"),
        Some(V::Obj(o)) => matches!(**o, Obj::StringComparer(true)),
        Some(V::Bool(b)) => *b,
        _ => false,
    }
}

fn cmp_strings(a: &str, b: &str, ignore_case: bool, ordinal: bool) -> i32 {
    let ord = if ignore_case {
        a.to_lowercase().cmp(&b.to_lowercase())
    } else if ordinal {
        // Ordinal compares UTF-16 code units; for BMP text that is char order.
        a.cmp(b)
    } else {
        // Culture-aware comparison puts lowercase before uppercase for equal letters.
        a.to_lowercase()
            .cmp(&b.to_lowercase())
            .then_with(|| b.cmp(a))
    };
    ord as i32
}

pub(crate) fn static_call(it: &mut Interp, name: &str, args: &[ArgVal], span: Span) -> R<Value> {
    let secret = any_secret(args);
    match name {
        "IsNullOrEmpty" => Ok(Value::bool(match arg(args, 0).map(|v| &v.v) {
            Some(V::Str(s)) => s.is_empty(),
            Some(V::Null) | None => true,
            Some(_) => false,
        })),
        "IsNullOrWhiteSpace" => Ok(Value::bool(match arg(args, 0).map(|v| &v.v) {
            Some(V::Str(s)) => s.trim().is_empty(),
            _ => true,
        })),
        "Join" => {
            let sep = match arg(args, 0).map(|v| &v.v) {
                Some(V::Str(s)) => s.to_string(),
                Some(V::Char(c)) => c.to_string(),
                _ => String::new(),
            };
            let items = rest_items(it, args, 1, span)?;
            let mut s = String::new();
            let mut sec = secret;
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(&sep);
                }
                sec |= shallow_secret(v);
                s.push_str(&to_display(v));
                it.check_len(s.len(), span)?;
            }
            it.mk_str(s, sec, span)
        }
        "Concat" => {
            let items = rest_items(it, args, 0, span)?;
            let mut s = String::new();
            let mut sec = secret;
            for v in &items {
                sec |= shallow_secret(v);
                s.push_str(&to_display(v));
                it.check_len(s.len(), span)?;
            }
            it.mk_str(s, sec, span)
        }
        "Format" => {
            // An IFormatProvider first argument (CultureInfo.InvariantCulture) is skipped.
            let skip = usize::from(matches!(
                arg(args, 0).map(|v| &v.v),
                Some(V::Enum("CultureInfo", _))
            ));
            let fmt = str_arg(args, skip, span, "format")?.to_string();
            let mut vals: Vec<Value> = args
                .iter()
                .skip(skip + 1)
                .map(|a| a.value.clone())
                .collect();
            if vals.len() == 1
                && let Some(V::List(l)) = vals.first().map(|v| &v.v)
            {
                let items = l.borrow().items.clone();
                vals = items;
            }
            let s = format::string_format(it, &fmt, &vals, span)?;
            let sec = secret || vals.iter().any(shallow_secret);
            it.mk_str(s, sec, span)
        }
        "Compare" | "CompareOrdinal" => {
            let a = arg(args, 0).map(to_display);
            let b = arg(args, 1).map(to_display);
            let ic = comparison_ignores_case(arg(args, 2));
            let r = match (
                arg(args, 0).map(|v| matches!(v.v, V::Null)),
                arg(args, 1).map(|v| matches!(v.v, V::Null)),
            ) {
                (Some(true), Some(true)) => 0,
                (Some(true), _) => -1,
                (_, Some(true)) => 1,
                _ => cmp_strings(
                    &a.unwrap_or_default(),
                    &b.unwrap_or_default(),
                    ic,
                    name == "CompareOrdinal"
                        || matches!(arg(args, 2).map(|v| &v.v), Some(V::Enum(_, n)) if n.starts_with("Ordinal")),
                ),
            };
            Ok(Value::int(r))
        }
        "Equals" => {
            let (a, b) = (arg(args, 0), arg(args, 1));
            let ic = comparison_ignores_case(arg(args, 2));
            Ok(Value::bool(match (a.map(|v| &v.v), b.map(|v| &v.v)) {
                (Some(V::Str(x)), Some(V::Str(y))) => string_eq(x, y, ic),
                (Some(V::Null), Some(V::Null)) => true,
                _ => false,
            }))
        }
        "Copy" => Ok(arg(args, 0).cloned().unwrap_or_else(Value::null)),
        _ => wrong_args(&format!("string.{name}"), span),
    }
}

/// `params object[]` or one enumerable argument from position `from`.
fn rest_items(it: &mut Interp, args: &[ArgVal], from: usize, span: Span) -> R<Vec<Value>> {
    let rest: Vec<&ArgVal> = args.iter().skip(from).collect();
    if let [one] = rest.as_slice() {
        match &one.value.v {
            V::List(_) | V::Json(_) | V::Dict(_) => return iterate(it, &one.value, span),
            V::Obj(o) if matches!(**o, Obj::MultiMap { .. } | Obj::Grouping(..)) => {
                return iterate(it, &one.value, span);
            }
            _ => {}
        }
    }
    Ok(rest.into_iter().map(|a| a.value.clone()).collect())
}

pub(crate) fn null_receiver(it: &mut Interp, name: &str, args: &[ArgVal], span: Span) -> R<Value> {
    match name {
        "AsJwt" | "AsBasic" => Ok(Value::null()),
        "TryParseJwt" | "TryParseBasic" => {
            it.outs = vec![Value::null()];
            Ok(Value::bool(false))
        }
        "IsNullOrEmpty" => Ok(Value::bool(true)),
        _ => {
            let _ = args;
            throw("NullReferenceException", NRE, span)
        }
    }
}

fn chars_of(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn out_of_range(param: &str, msg: &str, span: Span) -> R<Value> {
    throw(
        "ArgumentOutOfRangeException",
        format!("{msg} (Parameter '{param}')"),
        span,
    )
}

/// Find `needle` in `hay` (as char indices) from `start`.
fn find_chars(hay: &[char], needle: &[char], start: usize, ignore_case: bool) -> Option<usize> {
    if needle.is_empty() {
        return Some(start.min(hay.len()));
    }
    let eq = |a: char, b: char| {
        if ignore_case {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    let last = hay.len().checked_sub(needle.len())?;
    (start..=last).find(|&i| {
        hay.get(i..i + needle.len())
            .is_some_and(|w| w.iter().zip(needle).all(|(a, b)| eq(*a, *b)))
    })
}

fn rfind_chars(hay: &[char], needle: &[char], ignore_case: bool) -> Option<usize> {
    if needle.is_empty() {
        return Some(hay.len().saturating_sub(1));
    }
    let last = hay.len().checked_sub(needle.len())?;
    (0..=last).rev().find(|&i| {
        hay.get(i..i + needle.len()).is_some_and(|w| {
            w.iter().zip(needle).all(|(a, b)| {
                if ignore_case {
                    a.to_lowercase().eq(b.to_lowercase())
                } else {
                    a == b
                }
            })
        })
    })
}

fn needle_of(v: Option<&Value>, span: Span) -> R<String> {
    match v.map(|v| &v.v) {
        Some(V::Str(s)) => Ok(s.to_string()),
        Some(V::Char(c)) => Ok(c.to_string()),
        Some(V::Null) => throw(
            "ArgumentNullException",
            "Value cannot be null. (Parameter 'value')",
            span,
        ),
        _ => wrong_args("string method", span),
    }
}

fn trim_set(args: &[ArgVal]) -> Option<Vec<char>> {
    if args.is_empty() {
        return None;
    }
    let mut set = Vec::new();
    for a in args {
        match &a.value.v {
            V::Char(c) => set.push(*c),
            V::List(l) => set.extend(l.borrow().items.iter().filter_map(|v| match v.v {
                V::Char(c) => Some(c),
                _ => None,
            })),
            V::Str(s) => set.extend(s.chars()),
            _ => {}
        }
    }
    Some(set)
}

fn trim_with(s: &str, set: &Option<Vec<char>>, start: bool, end: bool) -> String {
    let pred = |c: char| match set {
        Some(set) => set.contains(&c),
        None => c.is_whitespace(),
    };
    let mut r = s;
    if start {
        r = r.trim_start_matches(pred);
    }
    if end {
        r = r.trim_end_matches(pred);
    }
    r.to_string()
}

/// `Split` in all its overloads.
fn split(s: &str, args: &[ArgVal]) -> Vec<String> {
    let mut seps: Vec<String> = Vec::new();
    let mut remove_empty = false;
    let mut trim = false;
    let mut count: Option<usize> = None;
    for a in args {
        match &a.value.v {
            V::Char(c) => seps.push(c.to_string()),
            V::Str(x) => seps.push(x.to_string()),
            V::List(l) => seps.extend(l.borrow().items.iter().map(to_display)),
            V::Enum(_, n) => {
                remove_empty |= n.contains("RemoveEmptyEntries");
                trim |= n.contains("TrimEntries");
            }
            V::Int(n) => count = Some((*n).max(0) as usize),
            V::Null => {}
            _ => {}
        }
    }
    seps.retain(|x| !x.is_empty());
    let mut parts: Vec<String> = Vec::new();
    if count == Some(0) {
        return parts;
    }
    let mut cur = String::new();
    let mut rest = s;
    'outer: while !rest.is_empty() {
        if count.is_some_and(|c| parts.len() + 1 >= c) {
            break;
        }
        let found = if seps.is_empty() {
            rest.chars()
                .next()
                .filter(|c| c.is_whitespace())
                .map(|c| c.len_utf8())
        } else {
            seps.iter()
                .find(|x| rest.starts_with(x.as_str()))
                .map(String::len)
        };
        match found {
            Some(len) => {
                parts.push(std::mem::take(&mut cur));
                rest = rest.get(len..).unwrap_or("");
                continue 'outer;
            }
            None => {
                let c = rest.chars().next().unwrap_or(' ');
                cur.push(c);
                rest = rest.get(c.len_utf8()..).unwrap_or("");
            }
        }
    }
    cur.push_str(rest);
    parts.push(cur);
    if trim {
        parts = parts.into_iter().map(|p| p.trim().to_string()).collect();
    }
    if remove_empty {
        parts.retain(|p| !p.is_empty());
    }
    parts
}

pub(crate) fn method(
    it: &mut Interp,
    v: &Value,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let secret = v.secret;
    if let V::Char(c) = v.v {
        return match name {
            "ToString" => Ok(str_val(&c.to_string(), secret)),
            "Equals" => Ok(Value::bool(
                arg(args, 0).is_some_and(|o| values_equal(v, o)),
            )),
            "CompareTo" => Ok(Value::int(arg(args, 0).and_then(num_of).map_or(
                1,
                |n| match n {
                    Num::I(o) => (i64::from(u32::from(c))).cmp(&o) as i32,
                    Num::F(_) => 0,
                },
            ))),
            _ => no_member(v, name, span),
        };
    }
    let V::Str(s) = &v.v else {
        return no_member(v, name, span);
    };
    let s: &str = s;
    it.charge(s.len() / 256, span)?;
    let a0 = arg(args, 0);
    let r = match name {
        "ToString" | "Clone" | "Normalize" => v.clone(),
        "Length" => Value::int(s.chars().count() as i32),
        "ToLower" | "ToLowerInvariant" => str_val(&s.to_lowercase(), secret),
        "ToUpper" | "ToUpperInvariant" => str_val(&s.to_uppercase(), secret),
        "Trim" => str_val(&trim_with(s, &trim_set(args), true, true), secret),
        "TrimStart" => str_val(&trim_with(s, &trim_set(args), true, false), secret),
        "TrimEnd" => str_val(&trim_with(s, &trim_set(args), false, true), secret),
        "Equals" => {
            let ic = comparison_ignores_case(arg(args, 1));
            Value::bool(match a0.map(|v| &v.v) {
                Some(V::Str(o)) => string_eq(s, o, ic),
                _ => false,
            })
        }
        "CompareTo" => {
            let o = a0.map(to_display).unwrap_or_default();
            Value::int(cmp_strings(s, &o, false, false))
        }
        "Contains" => {
            let n = needle_of(a0, span)?;
            let ic = comparison_ignores_case(arg(args, 1));
            Value::bool(if ic {
                s.to_lowercase().contains(&n.to_lowercase())
            } else {
                s.contains(n.as_str())
            })
        }
        "StartsWith" | "EndsWith" => {
            let n = needle_of(a0, span)?;
            let ic = comparison_ignores_case(arg(args, 1));
            let (h, n) = if ic {
                (s.to_lowercase(), n.to_lowercase())
            } else {
                (s.to_string(), n)
            };
            Value::bool(if name == "StartsWith" {
                h.starts_with(&n)
            } else {
                h.ends_with(&n)
            })
        }
        "IndexOf" | "LastIndexOf" => {
            let n = chars_of(&needle_of(a0, span)?);
            let hay = chars_of(s);
            let (mut start, mut ic) = (0usize, false);
            for a in args.iter().skip(1) {
                match &a.value.v {
                    V::Int(i) if *i >= 0 => start = *i as usize,
                    V::Int(_) => {
                        return out_of_range(
                            "startIndex",
                            "Index was out of range. Must be non-negative and less than the size of the collection.",
                            span,
                        );
                    }
                    V::Enum(..) => ic = comparison_ignores_case(Some(&a.value)),
                    _ => {}
                }
            }
            if start > hay.len() {
                return out_of_range(
                    "startIndex",
                    "Index was out of range. Must be non-negative and less than the size of the collection.",
                    span,
                );
            }
            let r = if name == "IndexOf" {
                find_chars(&hay, &n, start, ic)
            } else {
                rfind_chars(&hay, &n, ic)
            };
            Value::int(r.map_or(-1, |i| i as i32))
        }
        "IndexOfAny" => {
            let set = trim_set(args).unwrap_or_default();
            Value::int(
                s.chars()
                    .position(|c| set.contains(&c))
                    .map_or(-1, |i| i as i32),
            )
        }
        "Substring" => {
            let chars = chars_of(s);
            let start = int_arg(args, 0, span, "startIndex")?;
            if start < 0 || start as usize > chars.len() {
                return out_of_range(
                    "startIndex",
                    "startIndex cannot be larger than length of string.",
                    span,
                );
            }
            let start = start as usize;
            let len = match arg(args, 1) {
                Some(_) => int_arg(args, 1, span, "length")?,
                None => (chars.len() - start) as i64,
            };
            if len < 0 || start.saturating_add(len as usize) > chars.len() {
                return out_of_range(
                    "length",
                    "Index and length must refer to a location within the string.",
                    span,
                );
            }
            let sub: String = chars
                .get(start..start.saturating_add(len as usize))
                .unwrap_or(&[])
                .iter()
                .collect();
            str_val(&sub, secret)
        }
        "Remove" => {
            let chars = chars_of(s);
            let start = int_arg(args, 0, span, "startIndex")?;
            if start < 0 || start as usize > chars.len() {
                return out_of_range(
                    "startIndex",
                    "startIndex must be less than length of string.",
                    span,
                );
            }
            let start = start as usize;
            let count = match arg(args, 1) {
                Some(_) => int_arg(args, 1, span, "count")?.max(0) as usize,
                None => chars.len() - start,
            };
            if start.saturating_add(count) > chars.len() {
                return out_of_range(
                    "count",
                    "Index and count must refer to a location within the string.",
                    span,
                );
            }
            let mut out: String = chars.get(..start).unwrap_or(&[]).iter().collect();
            out.extend(chars.get(start + count..).unwrap_or(&[]).iter());
            str_val(&out, secret)
        }
        "Insert" => {
            let chars = chars_of(s);
            let at = int_arg(args, 0, span, "startIndex")?;
            if at < 0 || at as usize > chars.len() {
                return out_of_range("startIndex", "Index was out of range.", span);
            }
            let ins = str_arg(args, 1, span, "value")?;
            let mut out: String = chars.get(..at as usize).unwrap_or(&[]).iter().collect();
            out.push_str(ins);
            out.extend(chars.get(at as usize..).unwrap_or(&[]).iter());
            return it.mk_str(out, secret || any_secret(args), span);
        }
        "Replace" => {
            let old = needle_of(a0, span)?;
            if old.is_empty() {
                return throw(
                    "ArgumentException",
                    "String cannot be of zero length. (Parameter 'oldValue')",
                    span,
                );
            }
            let new = match arg(args, 1).map(|v| &v.v) {
                Some(V::Null) | None => String::new(),
                _ => needle_of(arg(args, 1), span)?,
            };
            let ic = comparison_ignores_case(arg(args, 2));
            let out = if ic {
                replace_ignore_case(s, &old, &new)
            } else {
                s.replace(old.as_str(), &new)
            };
            return it.mk_str(out, secret || any_secret(args), span);
        }
        "Split" => {
            let parts = split(s, args);
            it.check_count(parts.len(), span)?;
            Value::string_array(&parts, secret)
        }
        "PadLeft" | "PadRight" => {
            let w = int_arg(args, 0, span, "totalWidth")?;
            if w < 0 {
                return out_of_range("totalWidth", "Non-negative number required.", span);
            }
            let c = match arg(args, 1).map(|v| &v.v) {
                Some(V::Char(c)) => *c,
                _ => ' ',
            };
            let n = s.chars().count();
            let count = (w as usize).saturating_sub(n);
            it.check_len(count.saturating_mul(c.len_utf8()) + s.len(), span)?;
            let pad: String = std::iter::repeat_n(c, count).collect();
            let out = if name == "PadLeft" {
                pad + s
            } else {
                s.to_string() + &pad
            };
            str_val(&out, secret)
        }
        "ToCharArray" => Value::list(
            s.chars().map(|c| Value::new(V::Char(c))).collect(),
            Some("Char"),
        )
        .with_secret(secret),
        "AsJwt" => crypto::parse_jwt(s).map_or_else(Value::null, |j| Value::obj(Obj::Jwt(j))),
        "TryParseJwt" => {
            let j = crypto::parse_jwt(s);
            let ok = j.is_some();
            it.outs =
                vec![j.map_or_else(Value::null, |j| Value::obj(Obj::Jwt(j)).with_secret(secret))];
            Value::bool(ok)
        }
        "AsBasic" => crypto::parse_basic(s).map_or_else(Value::null, |(u, p)| {
            Value::obj(Obj::Basic {
                user: u,
                password: p,
            })
        }),
        "TryParseBasic" => {
            let b = crypto::parse_basic(s);
            let ok = b.is_some();
            it.outs = vec![b.map_or_else(Value::null, |(u, p)| {
                Value::obj(Obj::Basic {
                    user: u,
                    password: p,
                })
                .with_secret(secret)
            })];
            Value::bool(ok)
        }
        "GetTypeCode" => Value::new(V::Enum("TypeCode", "String".into())),
        _ => return linq::method(it, v, name, generics, args, span),
    };
    Ok(r)
}

fn replace_ignore_case(s: &str, old: &str, new: &str) -> String {
    let hay = chars_of(s);
    let needle = chars_of(old);
    let mut out = String::new();
    let mut i = 0;
    while i < hay.len() {
        match find_chars(&hay, &needle, i, true) {
            Some(j) => {
                out.extend(hay.get(i..j).unwrap_or(&[]).iter());
                out.push_str(new);
                i = j + needle.len().max(1);
            }
            None => {
                out.extend(hay.get(i..).unwrap_or(&[]).iter());
                break;
            }
        }
    }
    out
}

pub(crate) fn builder_method(
    it: &mut Interp,
    v: &Value,
    o: &Obj,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let Obj::StringBuilder(sb) = o else {
        return no_member(v, name, span);
    };
    let secret = any_secret(args);
    match name {
        "Append" | "AppendLine" => {
            let text = match (arg(args, 0), arg(args, 1)) {
                (Some(Value { v: V::Char(c), .. }), Some(n)) => {
                    let n = as_f64(n).unwrap_or(0.0).max(0.0) as usize;
                    it.check_len(n, span)?;
                    std::iter::repeat_n(*c, n).collect()
                }
                (Some(x), _) => to_display(x),
                (None, _) => String::new(),
            };
            let mut b = sb.borrow_mut();
            b.0.push_str(&text);
            if name == "AppendLine" {
                b.0.push_str("\r\n");
            }
            b.1 |= secret;
            it.check_len(b.0.len(), span)?;
            it.charge(text.len() / 64, span)?;
        }
        "AppendFormat" => {
            let fmt = str_arg(args, 0, span, "format")?.to_string();
            let vals: Vec<Value> = args.iter().skip(1).map(|a| a.value.clone()).collect();
            let text = format::string_format(it, &fmt, &vals, span)?;
            let mut b = sb.borrow_mut();
            b.0.push_str(&text);
            b.1 |= secret;
            it.check_len(b.0.len(), span)?;
        }
        "Insert" => {
            let at = int_arg(args, 0, span, "index")?.max(0) as usize;
            let text = arg(args, 1).map(to_display).unwrap_or_default();
            let mut b = sb.borrow_mut();
            let chars: Vec<char> = b.0.chars().collect();
            if at > chars.len() {
                return out_of_range("index", "Index was out of range.", span);
            }
            let mut s: String = chars.get(..at).unwrap_or(&[]).iter().collect();
            s.push_str(&text);
            s.extend(chars.get(at..).unwrap_or(&[]).iter());
            b.0 = s;
            b.1 |= secret;
            it.check_len(b.0.len(), span)?;
        }
        "Replace" => {
            let old = needle_of(arg(args, 0), span)?;
            let new = arg(args, 1).map(to_display).unwrap_or_default();
            if old.is_empty() {
                return throw(
                    "ArgumentException",
                    "String cannot be of zero length. (Parameter 'oldValue')",
                    span,
                );
            }
            let mut b = sb.borrow_mut();
            b.0 = b.0.replace(&old, &new);
            b.1 |= secret;
            it.check_len(b.0.len(), span)?;
        }
        "Remove" => {
            let start = int_arg(args, 0, span, "startIndex")?.max(0) as usize;
            let len = int_arg(args, 1, span, "length")?.max(0) as usize;
            let mut b = sb.borrow_mut();
            let chars: Vec<char> = b.0.chars().collect();
            if start.saturating_add(len) > chars.len() {
                return out_of_range("length", "Index was out of range.", span);
            }
            let mut s: String = chars.get(..start).unwrap_or(&[]).iter().collect();
            s.extend(chars.get(start + len..).unwrap_or(&[]).iter());
            b.0 = s;
        }
        "Clear" => {
            sb.borrow_mut().0.clear();
        }
        "ToString" => {
            let b = sb.borrow();
            return Ok(str_val(&b.0, b.1));
        }
        _ => return no_member(v, name, span),
    }
    Ok(v.clone())
}

pub(crate) fn encoding_method(
    it: &mut Interp,
    e: &str,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let secret = any_secret(args);
    match name {
        "GetBytes" => {
            let s = match arg(args, 0).map(|v| &v.v) {
                Some(V::Str(s)) => s.to_string(),
                Some(V::List(l)) => l.borrow().items.iter().map(to_display).collect(),
                Some(V::Null) => {
                    return throw(
                        "ArgumentNullException",
                        "Value cannot be null. (Parameter 's')",
                        span,
                    );
                }
                _ => return wrong_args("GetBytes", span),
            };
            let bytes: Vec<u8> = match e {
                "ASCIIEncoding" => s
                    .chars()
                    .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                    .collect(),
                "Latin1Encoding" => s
                    .chars()
                    .map(|c| {
                        if (c as u32) < 256 {
                            c as u32 as u8
                        } else {
                            b'?'
                        }
                    })
                    .collect(),
                "UnicodeEncoding" => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                "BigEndianUnicode" => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
                "UTF32Encoding" => s.chars().flat_map(|c| (c as u32).to_le_bytes()).collect(),
                _ => s.into_bytes(),
            };
            it.check_len(bytes.len(), span)?;
            Ok(Value::bytes(bytes, secret))
        }
        "GetString" => {
            let Some(Value { v: V::Bytes(b), .. }) = arg(args, 0) else {
                return match arg(args, 0).map(|v| &v.v) {
                    Some(V::Null) => throw(
                        "ArgumentNullException",
                        "Value cannot be null. (Parameter 'bytes')",
                        span,
                    ),
                    _ => wrong_args("GetString", span),
                };
            };
            let b = b.borrow();
            let (start, len) = match (arg(args, 1), arg(args, 2)) {
                (Some(i), Some(n)) => (
                    as_f64(i).unwrap_or(0.0).max(0.0) as usize,
                    as_f64(n).unwrap_or(0.0).max(0.0) as usize,
                ),
                _ => (0, b.data.len()),
            };
            let Some(data) = b.data.get(start..start.saturating_add(len)) else {
                return out_of_range(
                    "index",
                    "Index and count must refer to a location within the buffer.",
                    span,
                );
            };
            let s = match e {
                "ASCIIEncoding" => data
                    .iter()
                    .map(|&c| if c < 128 { c as char } else { '?' })
                    .collect(),
                "Latin1Encoding" => data.iter().map(|&c| c as char).collect(),
                "UnicodeEncoding" | "BigEndianUnicode" => {
                    let units: Vec<u16> = data
                        .chunks(2)
                        .map(|c| {
                            let pair = [
                                c.first().copied().unwrap_or(0),
                                c.get(1).copied().unwrap_or(0),
                            ];
                            if e == "UnicodeEncoding" {
                                u16::from_le_bytes(pair)
                            } else {
                                u16::from_be_bytes(pair)
                            }
                        })
                        .collect();
                    String::from_utf16_lossy(&units)
                }
                _ => String::from_utf8_lossy(data).into_owned(),
            };
            it.mk_str(s, secret || b.secret, span)
        }
        "GetByteCount" => {
            let s = str_arg(args, 0, span, "s")?;
            Ok(Value::int(match e {
                "ASCIIEncoding" | "Latin1Encoding" => s.chars().count(),
                "UnicodeEncoding" | "BigEndianUnicode" => s.encode_utf16().count() * 2,
                _ => s.len(),
            } as i32))
        }
        "GetPreamble" => Ok(Value::bytes(Vec::new(), false)),
        _ => throw(
            "CompilationError",
            format!("'Encoding' does not contain a definition for '{name}'"),
            span,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data_string("a b/ü"), "a%20b%2F%C3%BC");
        assert_eq!(url_decode("a%20b+c%zz", true), "a b c%zz");
        assert_eq!(url_encode_form("a b&c"), "a+b%26c");
        assert_eq!(
            html_encode("<a href=\"x\">"),
            "&lt;a href=&quot;x&quot;&gt;"
        );
    }
}
