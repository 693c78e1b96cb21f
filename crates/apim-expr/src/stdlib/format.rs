//! .NET format strings: `ToString("N2")`, `string.Format("{0:X2}")`, interpolation holes.

use std::fmt::Write as _;

use super::*;
use crate::value::{fmt_double, fmt_guid};

/// Pad to `width` (right-aligned if positive, left-aligned if negative).
pub(crate) fn align(s: &str, width: i64) -> String {
    let n = s.chars().count() as i64;
    let pad = (width.abs() - n).max(0) as usize;
    let pad = " ".repeat(pad.min(1 << 16));
    if width >= 0 {
        pad + s
    } else {
        s.to_string() + &pad
    }
}

/// `value.ToString(format)`.
pub(crate) fn format_value(it: &mut Interp, v: &Value, fmt: &str, span: Span) -> R<String> {
    let _ = it;
    Ok(match &v.v {
        V::Int(_) | V::Long(_) | V::Double(_) | V::Decimal(_) => format_number(v, fmt, span)?,
        V::DateTime(t) => time::format_datetime(*t, fmt, false),
        V::DateTimeOffset(t) => time::format_datetime(*t, fmt, true),
        V::TimeSpan(t) => format_timespan(*t, fmt),
        V::Guid(g) => fmt_guid(*g, fmt.chars().next().unwrap_or('D')),
        V::Json(j) => {
            let n = Value::new(match j.0.borrow().j {
                J::Int(i) => V::Long(i),
                J::Float(f) => V::Double(f),
                _ => V::Null,
            });
            if matches!(n.v, V::Null) {
                to_display(v)
            } else {
                format_number(&n, fmt, span)?
            }
        }
        _ => to_display(v),
    })
}

fn format_timespan(t: i64, fmt: &str) -> String {
    if fmt.is_empty() || fmt == "c" || fmt == "t" || fmt == "T" || fmt == "g" {
        return time::format_timespan(t);
    }
    // Custom: hh, mm, ss, d, fff with `\` escapes.
    let a = t.unsigned_abs();
    let tps = TICKS_PER_SECOND as u64;
    let (d, h, m, s, f) = (
        a / (tps * 86_400),
        a / (tps * 3600) % 24,
        a / (tps * 60) % 60,
        a / tps % 60,
        a % tps,
    );
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        match c {
            'd' => {
                let _ = write!(out, "{d:0n$}");
            }
            'h' => {
                let _ = write!(out, "{h:0n$}");
            }
            'm' => {
                let _ = write!(out, "{m:0n$}");
            }
            's' => {
                let _ = write!(out, "{s:0n$}");
            }
            'f' | 'F' => {
                let digits = format!("{f:07}");
                out.push_str(digits.get(..n.min(7)).unwrap_or(""));
            }
            '\\' => {
                if let Some(&e) = chars.get(i + 1) {
                    out.push(e);
                }
                i += 2;
                continue;
            }
            '\'' => {
                let mut j = i + 1;
                while let Some(&q) = chars.get(j) {
                    if q == '\'' {
                        break;
                    }
                    out.push(q);
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            _ => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
        i += n;
    }
    out
}

fn group_thousands(int_part: &str) -> String {
    let digits: Vec<char> = int_part.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*c);
    }
    out
}

/// Fixed-point with `decimals` digits, rounding half away from zero like .NET.
fn fixed(x: f64, decimals: usize) -> String {
    let decimals = decimals.min(99);
    let s = format!("{:.*}", decimals, x);
    // Rust rounds half to even on the exact binary value; .NET rounds the shortest decimal
    // representation half away from zero. Redo ties from the shortest digits.
    let short = fmt_double(x.abs());
    if !short.contains('E')
        && let Some((_, frac)) = short.split_once('.')
        && frac.len() == decimals + 1
        && frac.ends_with('5')
    {
        let bumped = x + x.signum() * 0.5 * 10f64.powi(-(decimals as i32));
        return format!("{:.*}", decimals, bumped);
    }
    s
}

pub(crate) fn format_number(v: &Value, fmt: &str, span: Span) -> R<String> {
    let is_int = matches!(v.v, V::Int(_) | V::Long(_));
    let x = as_f64(v).unwrap_or(0.0);
    let iv = v.as_i64().unwrap_or(x as i64);
    if fmt.is_empty() {
        return Ok(to_display(v));
    }
    let mut chars = fmt.chars();
    let spec = chars.next().unwrap_or('G');
    let rest: String = chars.collect();
    // .NET allows up to 999,999,999; 99 keeps the output bounded.
    let prec: Option<usize> = if rest.is_empty() {
        None
    } else {
        rest.parse::<usize>().ok().map(|p| p.min(99))
    };
    let standard = prec.is_some() || rest.is_empty();
    if standard && spec.is_ascii_alphabetic() {
        let neg = x < 0.0;
        let r = match spec.to_ascii_uppercase() {
            'N' => {
                let s = fixed(x.abs(), prec.unwrap_or(2));
                let (i, f) = s.split_once('.').unwrap_or((&s, ""));
                let mut o = String::new();
                if neg && s.chars().any(|c| c != '0' && c != '.') {
                    o.push('-');
                }
                o.push_str(&group_thousands(i));
                if !f.is_empty() {
                    o.push('.');
                    o.push_str(f);
                }
                o
            }
            'F' => {
                let s = fixed(x, prec.unwrap_or(2));
                if s.starts_with('-') && !s.chars().any(|c| c.is_ascii_digit() && c != '0') {
                    s.trim_start_matches('-').to_string()
                } else {
                    s
                }
            }
            'D' if is_int => {
                let w = prec.unwrap_or(0);
                if iv < 0 {
                    format!("-{:0w$}", iv.unsigned_abs())
                } else {
                    format!("{iv:0w$}")
                }
            }
            'X' if is_int => {
                let w = prec.unwrap_or(0);
                let u = if matches!(v.v, V::Int(_)) {
                    u64::from(iv as i32 as u32)
                } else {
                    iv as u64
                };
                if spec == 'x' {
                    format!("{u:0w$x}")
                } else {
                    format!("{u:0w$X}")
                }
            }
            'P' => {
                let s = format_number(
                    &Value::double(x * 100.0),
                    &format!("N{}", prec.unwrap_or(2)),
                    span,
                )?;
                format!("{s}%")
            }
            'C' => {
                let s = format_number(
                    &Value::double(x.abs()),
                    &format!("N{}", prec.unwrap_or(2)),
                    span,
                )?;
                if neg {
                    format!("(${s})")
                } else {
                    format!("${s}")
                }
            }
            'E' => {
                let p = prec.unwrap_or(6);
                let s = format!("{:.*e}", p, x);
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let e: i32 = e.parse().unwrap_or(0);
                let letter = if spec == 'e' { 'e' } else { 'E' };
                format!("{m}{letter}{}{:03}", if e < 0 { '-' } else { '+' }, e.abs())
            }
            'G' | 'R' => match prec {
                Some(p) if p > 0 && !is_int => {
                    let s = format!("{:.*e}", p.saturating_sub(1), x);
                    let back: f64 = s.parse().unwrap_or(x);
                    fmt_double(back)
                }
                _ => to_display(v),
            },
            _ => {
                return throw("FormatException", "Format specifier was invalid.", span);
            }
        };
        return Ok(r);
    }
    Ok(custom_number(x, fmt))
}

/// Custom numeric formats: `0`, `#`, `.`, `,`, `%`, literals in quotes.
fn custom_number(x: f64, fmt: &str) -> String {
    // Sections `pos;neg;zero`: use the first (and the second for negatives).
    let sections: Vec<&str> = fmt.split(';').collect();
    let (fmt, x, explicit_neg) = match sections.as_slice() {
        [_, neg, ..] if x < 0.0 => (*neg, -x, true),
        [first, ..] => (*first, x, false),
        [] => (fmt, x, false),
    };
    let percent = fmt.contains('%');
    let x = if percent { x * 100.0 } else { x };
    let (int_fmt, frac_fmt) = match fmt.split_once('.') {
        Some((a, b)) => (a, b),
        None => (fmt, ""),
    };
    let is_ph = |c: char| c == '0' || c == '#';
    let min_int = int_fmt.chars().filter(|c| *c == '0').count();
    let thousands = int_fmt.contains(',') && int_fmt.chars().any(is_ph);
    let max_frac = frac_fmt.chars().filter(|c| is_ph(*c)).count();
    let min_frac = frac_fmt
        .chars()
        .take_while(|c| *c == '0' || !is_ph(*c))
        .filter(|c| *c == '0')
        .count();
    let s = fixed(x.abs(), max_frac);
    let (ip, fp) = s.split_once('.').unwrap_or((&s, ""));
    let mut ip = ip.trim_start_matches('0').to_string();
    while ip.len() < min_int {
        ip.insert(0, '0');
    }
    let mut fp = fp.to_string();
    while fp.len() > min_frac && fp.ends_with('0') {
        fp.pop();
    }
    if thousands {
        ip = group_thousands(&ip);
    }
    let prefix: String = int_fmt
        .chars()
        .take_while(|c| !is_ph(*c) && *c != ',')
        .filter(|c| *c != '\'' && *c != '"')
        .collect();
    let suffix: String = frac_fmt
        .chars()
        .skip_while(|c| is_ph(*c))
        .chain(if frac_fmt.is_empty() {
            int_fmt
                .chars()
                .rev()
                .take_while(|c| !is_ph(*c) && *c != ',')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
        } else {
            Vec::new()
        })
        .filter(|c| *c != '\'' && *c != '"')
        .collect();
    let mut out = String::new();
    if x < 0.0
        && !explicit_neg
        && (ip.chars().any(|c| c.is_ascii_digit() && c != '0') || !fp.is_empty())
    {
        out.push('-');
    }
    out.push_str(&prefix);
    out.push_str(&ip);
    if !fp.is_empty() {
        out.push('.');
        out.push_str(&fp);
    }
    out.push_str(&suffix);
    out
}

/// `string.Format(format, args)`.
pub(crate) fn string_format(it: &mut Interp, fmt: &str, args: &[Value], span: Span) -> R<String> {
    let mut out = String::new();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let bad = || -> R<String> {
        throw(
            "FormatException",
            "Input string was not in a correct format.",
            span,
        )
    };
    while let Some(&c) = chars.get(i) {
        match c {
            '{' if chars.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '}' => return bad(),
            '{' => {
                let Some(close) = chars.iter().skip(i).position(|c| *c == '}').map(|p| p + i)
                else {
                    return bad();
                };
                let inner: String = chars.get(i + 1..close).unwrap_or(&[]).iter().collect();
                let (head, f) = match inner.split_once(':') {
                    Some((h, f)) => (h, Some(f)),
                    None => (inner.as_str(), None),
                };
                let (idx, al) = match head.split_once(',') {
                    Some((a, b)) => (a.trim(), Some(b.trim())),
                    None => (head.trim(), None),
                };
                let Ok(idx) = idx.parse::<usize>() else {
                    return bad();
                };
                let Some(v) = args.get(idx) else {
                    return throw(
                        "FormatException",
                        "Index (zero based) must be greater than or equal to zero and less than the size of the argument list.",
                        span,
                    );
                };
                let mut text = match f {
                    Some(f) => format_value(it, v, f, span)?,
                    None => to_display(v),
                };
                if let Some(a) = al {
                    let Ok(w) = a.parse::<i64>() else {
                        return bad();
                    };
                    text = align(&text, w);
                }
                out.push_str(&text);
                it.check_len(out.len(), span)?;
                i = close + 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: Value, fmt: &str) -> String {
        format_number(&v, fmt, Span::default()).unwrap()
    }

    #[test]
    fn numeric_formats() {
        assert_eq!(f(Value::double(1234.567), "N2"), "1,234.57");
        assert_eq!(f(Value::double(1234.567), "N"), "1,234.57");
        assert_eq!(f(Value::int(1234567), "N0"), "1,234,567");
        assert_eq!(f(Value::double(2.5), "F0"), "3");
        assert_eq!(f(Value::double(0.125), "F2"), "0.13");
        assert_eq!(f(Value::int(42), "D5"), "00042");
        assert_eq!(f(Value::int(255), "X2"), "FF");
        assert_eq!(f(Value::int(255), "x4"), "00ff");
        assert_eq!(f(Value::int(-1), "X"), "FFFFFFFF");
        assert_eq!(f(Value::double(0.1234), "P1"), "12.3%");
        assert_eq!(f(Value::double(1234.5), "0.00"), "1234.50");
        assert_eq!(f(Value::double(1234.5), "#,##0.0"), "1,234.5");
        assert_eq!(f(Value::int(7), "000"), "007");
        assert_eq!(f(Value::double(1.5), "#.##"), "1.5");
        assert_eq!(f(Value::double(12345.678), "E2"), "1.23E+004");
    }
}
