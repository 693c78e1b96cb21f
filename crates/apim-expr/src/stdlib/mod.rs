//! The .NET library subset: name resolution, conversions, operators, construction, and
//! member/method dispatch by receiver type. Each submodule covers one family of types.

mod convert;
pub use convert::b64_encode;
mod crypto;
mod format;
mod host;
mod jsonlib;
mod linq;
mod regexlib;
mod strings;

use std::cell::RefCell;
use std::rc::Rc;

pub(crate) use crypto::{Hasher, Jwt};
pub(crate) use format::{align, format_value};
pub(crate) use regexlib::{GroupObj, MatchObj, RegexObj};
pub(crate) use strings::{escape_data_into, url_decode};

use crate::ast::{BinOp, Span, TypeRef, UnOp};
use crate::interp::{ArgVal, Exc, Interp, NRE, R, RuntimeError, full_type_name, throw};
use crate::json::{J, JNode};
use crate::time::{self, TICKS_PER_SECOND};
use crate::value::{Dict, Host, List, Obj, V, Value, to_display};

/// Types that policy expressions may name (after dropping namespaces and aliases).
const TYPES: &[&str] = &[
    "String",
    "Int32",
    "Int64",
    "Int16",
    "UInt32",
    "UInt64",
    "Double",
    "Single",
    "Decimal",
    "Boolean",
    "Byte",
    "SByte",
    "Char",
    "Object",
    "DateTime",
    "DateTimeOffset",
    "TimeSpan",
    "Guid",
    "Convert",
    "Math",
    "Encoding",
    "Uri",
    "WebUtility",
    "HttpUtility",
    "JObject",
    "JArray",
    "JToken",
    "JValue",
    "JProperty",
    "JsonConvert",
    "Formatting",
    "Regex",
    "RegexOptions",
    "StringComparison",
    "StringComparer",
    "StringSplitOptions",
    "Array",
    "BitConverter",
    "Enumerable",
    "SHA256",
    "SHA1",
    "SHA512",
    "SHA384",
    "MD5",
    "HMACSHA256",
    "HMACSHA1",
    "HMACSHA512",
    "HMACSHA384",
    "HMACMD5",
    "IPAddress",
    "XDocument",
    "XElement",
    "XNamespace",
    "XName",
    "XAttribute",
    "Environment",
    "ExpressionSyntaxExtensions",
    "JTokenType",
    "DateTimeKind",
    "Base64FormattingOptions",
    "UriKind",
    "CultureInfo",
    "NumberStyles",
    "DateTimeStyles",
    "StringBuilder",
    "List",
    "Dictionary",
    "Random",
    "Exception",
    "Enum",
    "Math",
    "TimeZoneInfo",
    "DayOfWeek",
    "UriPartial",
    "HashSet",
    "Tuple",
    "KeyValuePair",
    "Jwt",
    "IResponse",
    "RSA",
    "X509Certificate2",
    "MidpointRounding",
];

/// `string` → `String`, `int` → `Int32`, …; other names unchanged.
pub(crate) fn canonical_type(n: &str) -> String {
    canonical_type_str(n).to_string()
}

/// [`canonical_type`] without a copy.
pub(crate) fn canonical_type_str(n: &str) -> &str {
    match n {
        "string" => "String",
        "int" => "Int32",
        "long" => "Int64",
        "short" => "Int16",
        "uint" => "UInt32",
        "ulong" => "UInt64",
        "ushort" => "UInt16",
        "bool" => "Boolean",
        "double" => "Double",
        "float" => "Single",
        "decimal" => "Decimal",
        "byte" => "Byte",
        "sbyte" => "SByte",
        "char" => "Char",
        "object" | "dynamic" => "Object",
        "HttpUtility" => "WebUtility",
        "SHA256Managed" | "SHA256CryptoServiceProvider" => "SHA256",
        "SHA1Managed" | "SHA1CryptoServiceProvider" => "SHA1",
        "SHA512Managed" => "SHA512",
        "MD5CryptoServiceProvider" => "MD5",
        other => other,
    }
}

pub(crate) fn resolve_name(n: &str) -> Option<Value> {
    let c = canonical_type(n);
    if TYPES.contains(&c.as_str()) || c != n {
        return Some(Value::new(V::Type(Rc::from(c.as_str()))));
    }
    if matches!(n, "System" | "Newtonsoft" | "Microsoft") {
        return Some(Value::new(V::Namespace(Rc::from(n))));
    }
    None
}

pub(crate) fn resolve_qualified(ns: &str, name: &str) -> Value {
    let c = canonical_type(name);
    if TYPES.contains(&c.as_str()) {
        return Value::new(V::Type(Rc::from(c.as_str())));
    }
    Value::new(V::Namespace(Rc::from(format!("{ns}.{name}").as_str())))
}

/// Extension methods that APIM lets you call on a null string.
pub(crate) fn accepts_null_receiver(name: &str) -> bool {
    matches!(
        name,
        "AsJwt" | "AsBasic" | "TryParseJwt" | "TryParseBasic" | "IsNullOrEmpty"
    )
}

// ---------- small helpers used by every submodule ----------

pub(crate) fn arg(args: &[ArgVal], i: usize) -> Option<&Value> {
    args.get(i).map(|a| &a.value)
}

pub(crate) fn arg_span(args: &[ArgVal], i: usize, span: Span) -> Span {
    args.get(i).map_or(span, |a| a.span)
}

pub(crate) fn named<'a>(args: &'a [ArgVal], name: &str) -> Option<&'a Value> {
    args.iter()
        .find(|a| a.name.as_deref() == Some(name))
        .map(|a| &a.value)
}

pub(crate) fn any_secret(args: &[ArgVal]) -> bool {
    args.iter().any(|a| shallow_secret(&a.value))
}

/// Taint of a value, looking a little way into containers.
pub(crate) fn shallow_secret(v: &Value) -> bool {
    let mut budget = 64;
    v.deep_secret(&mut budget)
}

pub(crate) fn str_arg<'a>(args: &'a [ArgVal], i: usize, span: Span, what: &str) -> R<&'a str> {
    match arg(args, i).map(|v| &v.v) {
        Some(V::Str(s)) => Ok(s),
        Some(V::Null) => throw(
            "ArgumentNullException",
            format!("Value cannot be null. (Parameter '{what}')"),
            arg_span(args, i, span),
        ),
        Some(_) => throw(
            "InvalidCastException",
            format!(
                "Argument {} must be a string, not '{}'",
                i + 1,
                full_type_name(arg(args, i).unwrap_or(&Value::null()))
            ),
            arg_span(args, i, span),
        ),
        None => throw(
            "CompilationError",
            format!("missing argument '{what}'"),
            span,
        ),
    }
}

pub(crate) fn int_arg(args: &[ArgVal], i: usize, span: Span, what: &str) -> R<i64> {
    match arg(args, i).and_then(num_of) {
        Some(Num::I(i)) => Ok(i),
        Some(Num::F(f)) if f.fract() == 0.0 => Ok(f as i64),
        _ => throw(
            "CompilationError",
            format!("argument '{what}' must be an integer"),
            arg_span(args, i, span),
        ),
    }
}

pub(crate) fn wrong_args<T>(what: &str, span: Span) -> R<T> {
    throw(
        "CompilationError",
        format!("No overload for method '{what}' takes these arguments"),
        span,
    )
}

pub(crate) fn no_member<T>(v: &Value, name: &str, span: Span) -> R<T> {
    throw(
        "CompilationError",
        format!(
            "'{}' does not contain a definition for '{name}' (or it is not supported by this simulator)",
            full_type_name(v)
        ),
        span,
    )
}

pub(crate) fn str_val(s: &str, secret: bool) -> Value {
    Value::string(s).with_secret(secret)
}

/// A numeric view of a value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    I(i64),
    F(f64),
}

pub(crate) fn num_of(v: &Value) -> Option<Num> {
    match &v.v {
        V::Int(i) => Some(Num::I(i64::from(*i))),
        V::Long(i) => Some(Num::I(*i)),
        V::Char(c) => Some(Num::I(i64::from(u32::from(*c)))),
        V::Double(d) | V::Decimal(d) => Some(Num::F(*d)),
        V::Json(j) => match j.0.borrow().j {
            J::Int(i) => Some(Num::I(i)),
            J::Float(f) => Some(Num::F(f)),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn as_f64(v: &Value) -> Option<f64> {
    match num_of(v)? {
        Num::I(i) => Some(i as f64),
        Num::F(f) => Some(f),
    }
}

/// Numeric rank for binary promotion: 0 int, 1 long, 2 double, 3 decimal.
fn rank(v: &Value) -> Option<u8> {
    match &v.v {
        V::Int(_) | V::Char(_) => Some(0),
        V::Long(_) => Some(1),
        V::Double(_) => Some(2),
        V::Decimal(_) => Some(3),
        V::Json(j) => match j.0.borrow().j {
            J::Int(i) if i32::try_from(i).is_ok() => Some(0),
            J::Int(_) => Some(1),
            J::Float(_) => Some(2),
            _ => None,
        },
        _ => None,
    }
}

/// After `x++` on an `int`, keep the result an `int` (the `1` literal is an int anyway).
pub(crate) fn same_numeric_type(cur: &Value, next: Value) -> Value {
    match (&cur.v, &next.v) {
        (V::Char(_), V::Int(i)) => {
            Value::new(V::Char(char::from_u32(*i as u32).unwrap_or('\0'))).with_secret(next.secret)
        }
        _ => next,
    }
}

// ---------- operators ----------

pub(crate) fn unary_op(op: UnOp, v: &Value, span: Span) -> R<Value> {
    let s = v.secret;
    let r = match (op, &v.v) {
        (UnOp::Not, V::Bool(b)) => V::Bool(!b),
        (UnOp::Not, V::Json(j)) if j.as_bool().is_some() => V::Bool(!j.as_bool().unwrap_or(false)),
        (UnOp::Neg, V::Int(i)) => V::Int(i.wrapping_neg()),
        (UnOp::Neg, V::Long(i)) => V::Long(i.wrapping_neg()),
        (UnOp::Neg, V::Double(d)) => V::Double(-d),
        (UnOp::Neg, V::Decimal(d)) => V::Decimal(-d),
        (UnOp::Neg, V::TimeSpan(t)) => V::TimeSpan(t.wrapping_neg()),
        (UnOp::Neg, V::Char(c)) => V::Int(-(*c as i32)),
        (UnOp::Plus, V::Int(_) | V::Long(_) | V::Double(_) | V::Decimal(_)) => v.v.clone(),
        (UnOp::BitNot, V::Int(i)) => V::Int(!i),
        (UnOp::BitNot, V::Long(i)) => V::Long(!i),
        _ => {
            let sym = match op {
                UnOp::Not => "!",
                UnOp::Neg => "-",
                UnOp::Plus => "+",
                UnOp::BitNot => "~",
                _ => "++",
            };
            return throw(
                "CompilationError",
                format!(
                    "Operator '{sym}' cannot be applied to operand of type '{}'",
                    full_type_name(v)
                ),
                span,
            );
        }
    };
    Ok(Value::new(r).with_secret(s && !matches!(op, UnOp::Not)))
}

fn op_sym(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Rem => "%",
        BinOp::Shl => "<<",
        BinOp::Shr => ">>",
        BinOp::Lt => "<",
        BinOp::Gt => ">",
        BinOp::Le => "<=",
        BinOp::Ge => ">=",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::And => "&&",
        BinOp::Or => "||",
        BinOp::Coalesce => "??",
    }
}

/// `a + b` on strings: both operands as text, without a copy of a string operand first.
fn concat_display(a: &Value, b: &Value) -> String {
    match (&a.v, &b.v) {
        (V::Str(x), V::Str(y)) => {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            s
        }
        (V::Str(x), _) => {
            let y = to_display(b);
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(&y);
            s
        }
        _ => {
            let mut s = to_display(a);
            match &b.v {
                V::Str(y) => s.push_str(y),
                _ => s.push_str(&to_display(b)),
            }
            s
        }
    }
}

pub(crate) fn binary_op(it: &mut Interp, op: BinOp, a: &Value, b: &Value, span: Span) -> R<Value> {
    let secret = shallow_secret(a) || shallow_secret(b);
    let bad = || -> R<Value> {
        throw(
            "CompilationError",
            format!(
                "Operator '{}' cannot be applied to operands of type '{}' and '{}'",
                op_sym(op),
                full_type_name(a),
                full_type_name(b)
            ),
            span,
        )
    };
    match op {
        BinOp::Eq => return Ok(Value::bool(values_equal(a, b))),
        BinOp::Ne => return Ok(Value::bool(!values_equal(a, b))),
        BinOp::Add => {
            if let V::Obj(o) = &a.v
                && let (Obj::XNamespace(ns), V::Str(n)) = (&**o, &b.v)
            {
                return Ok(Value::obj(Obj::XName(ns.clone(), n.to_string())));
            }
            let is_str = |v: &Value| matches!(v.v, V::Str(_));
            if is_str(a) || is_str(b) {
                return it.mk_str(concat_display(a, b), secret, span);
            }
            match (&a.v, &b.v) {
                (V::DateTime(t), V::TimeSpan(d)) | (V::TimeSpan(d), V::DateTime(t)) => {
                    return dt_checked(t.checked_add(*d), false, span)
                        .map(|v| v.with_secret(secret));
                }
                (V::DateTimeOffset(t), V::TimeSpan(d)) => {
                    return dt_checked(t.checked_add(*d), true, span)
                        .map(|v| v.with_secret(secret));
                }
                (V::TimeSpan(x), V::TimeSpan(y)) => {
                    return Ok(Value::new(V::TimeSpan(x.wrapping_add(*y))).with_secret(secret));
                }
                (V::Null, V::Null) => return Ok(Value::null()),
                _ => {}
            }
        }
        BinOp::Sub => match (&a.v, &b.v) {
            (V::DateTime(x), V::DateTime(y)) | (V::DateTimeOffset(x), V::DateTimeOffset(y)) => {
                return Ok(Value::new(V::TimeSpan(x.wrapping_sub(*y))).with_secret(secret));
            }
            (V::DateTime(t), V::TimeSpan(d)) => {
                return dt_checked(t.checked_sub(*d), false, span).map(|v| v.with_secret(secret));
            }
            (V::DateTimeOffset(t), V::TimeSpan(d)) => {
                return dt_checked(t.checked_sub(*d), true, span).map(|v| v.with_secret(secret));
            }
            (V::TimeSpan(x), V::TimeSpan(y)) => {
                return Ok(Value::new(V::TimeSpan(x.wrapping_sub(*y))).with_secret(secret));
            }
            _ => {}
        },
        BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
            let ord = match (&a.v, &b.v) {
                (V::DateTime(x), V::DateTime(y))
                | (V::DateTimeOffset(x), V::DateTimeOffset(y))
                | (V::TimeSpan(x), V::TimeSpan(y)) => Some(x.cmp(y)),
                (V::Null, _) | (_, V::Null) => return Ok(Value::bool(false)),
                _ => match (num_of(a), num_of(b)) {
                    (Some(Num::I(x)), Some(Num::I(y))) => Some(x.cmp(&y)),
                    (Some(x), Some(y)) => {
                        let (x, y) = (num_f(x), num_f(y));
                        if x.is_nan() || y.is_nan() {
                            return Ok(Value::bool(false));
                        }
                        x.partial_cmp(&y)
                    }
                    _ => None,
                },
            };
            let Some(ord) = ord else { return bad() };
            use std::cmp::Ordering::*;
            let r = match op {
                BinOp::Lt => ord == Less,
                BinOp::Gt => ord == Greater,
                BinOp::Le => ord != Greater,
                _ => ord != Less,
            };
            return Ok(Value::bool(r));
        }
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
            if let (Some(x), Some(y)) = (a.as_bool(), b.as_bool()) {
                return Ok(Value::bool(match op {
                    BinOp::BitAnd => x & y,
                    BinOp::BitOr => x | y,
                    _ => x ^ y,
                }));
            }
        }
        _ => {}
    }
    let (Some(ra), Some(rb)) = (rank(a), rank(b)) else {
        return bad();
    };
    let (Some(x), Some(y)) = (num_of(a), num_of(b)) else {
        return bad();
    };
    let r = ra.max(rb);
    let v = if r <= 1 {
        let (Num::I(x), Num::I(y)) = (x, y) else {
            return bad();
        };
        let res = match op {
            BinOp::Add => x.wrapping_add(y),
            BinOp::Sub => x.wrapping_sub(y),
            BinOp::Mul => x.wrapping_mul(y),
            BinOp::Div | BinOp::Rem if y == 0 => {
                return throw(
                    "DivideByZeroException",
                    "Attempted to divide by zero.",
                    span,
                );
            }
            BinOp::Div => x.wrapping_div(y),
            BinOp::Rem => x.wrapping_rem(y),
            BinOp::Shl => x.wrapping_shl(y as u32 & if r == 0 { 31 } else { 63 }),
            BinOp::Shr => {
                if r == 0 {
                    i64::from((x as i32).wrapping_shr(y as u32 & 31))
                } else {
                    x.wrapping_shr(y as u32 & 63)
                }
            }
            BinOp::BitAnd => x & y,
            BinOp::BitOr => x | y,
            BinOp::BitXor => x ^ y,
            _ => return bad(),
        };
        if r == 0 {
            // int arithmetic wraps at 32 bits (C#'s default unchecked context).
            V::Int(res as i32)
        } else {
            V::Long(res)
        }
    } else {
        let (x, y) = (num_f(x), num_f(y));
        let res = match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::Div if r == 3 && y == 0.0 => {
                return throw(
                    "DivideByZeroException",
                    "Attempted to divide by zero.",
                    span,
                );
            }
            BinOp::Div => x / y,
            BinOp::Rem => x % y,
            _ => return bad(),
        };
        if r == 3 {
            V::Decimal(res)
        } else {
            V::Double(res)
        }
    };
    Ok(Value::new(v).with_secret(secret))
}

fn num_f(n: Num) -> f64 {
    match n {
        Num::I(i) => i as f64,
        Num::F(f) => f,
    }
}

pub(crate) fn dt_checked(t: Option<i64>, offset: bool, span: Span) -> R<Value> {
    match t {
        Some(t) if (0..=time::MAX_TICKS).contains(&t) => Ok(Value::new(if offset {
            V::DateTimeOffset(t)
        } else {
            V::DateTime(t)
        })),
        _ => throw(
            "ArgumentOutOfRangeException",
            "The added or subtracted value results in an un-representable DateTime. (Parameter 'value')",
            span,
        ),
    }
}

/// `==` as policies use it: by value for strings, numbers, dates, JSON values; by
/// reference for objects.
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    match (&a.v, &b.v) {
        (V::Null, V::Null) => true,
        (V::Null, _) | (_, V::Null) => false,
        (V::Str(x), V::Str(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Char(x), V::Char(y)) => x == y,
        (V::DateTime(x), V::DateTime(y))
        | (V::DateTimeOffset(x), V::DateTimeOffset(y))
        | (V::TimeSpan(x), V::TimeSpan(y)) => x == y,
        (V::Guid(x), V::Guid(y)) => x == y,
        (V::Enum(t1, n1), V::Enum(t2, n2)) => t1 == t2 && n1 == n2,
        (V::Json(x), V::Json(y)) => x.ptr_eq(y),
        (V::Json(j), other) | (other, V::Json(j)) => {
            let d = j.0.borrow();
            match (&d.j, other) {
                (J::Str(s), V::Str(t)) => s.as_str() == &**t,
                (J::Bool(x), V::Bool(y)) => x == y,
                _ => {
                    drop(d);
                    match (
                        num_of(&Value::new(V::Json(j.clone()))),
                        num_of(&Value::new(other.clone())),
                    ) {
                        (Some(x), Some(y)) => num_f(x) == num_f(y),
                        _ => false,
                    }
                }
            }
        }
        (V::Obj(x), V::Obj(y)) => Rc::ptr_eq(x, y),
        (V::List(x), V::List(y)) => Rc::ptr_eq(x, y),
        (V::Dict(x), V::Dict(y)) => Rc::ptr_eq(x, y),
        (V::Bytes(x), V::Bytes(y)) => Rc::ptr_eq(x, y),
        (V::Type(x), V::Type(y)) => x == y,
        (V::Host(x), V::Host(y)) => x == y,
        _ => match (num_of(a), num_of(b)) {
            (Some(Num::I(x)), Some(Num::I(y))) => x == y,
            (Some(x), Some(y)) => num_f(x) == num_f(y),
            _ => false,
        },
    }
}

/// `Equals` with ordinal or case-insensitive string comparison.
pub(crate) fn string_eq(a: &str, b: &str, ignore_case: bool) -> bool {
    if ignore_case {
        a.to_lowercase() == b.to_lowercase()
    } else {
        a == b
    }
}

// ---------- types, casts ----------

pub(crate) fn default_of(t: &TypeRef) -> Value {
    if t.array > 0 || t.nullable {
        return Value::null();
    }
    match canonical_type(&t.name).as_str() {
        "Int32" | "Int16" | "Byte" | "SByte" | "UInt32" => Value::int(0),
        "Int64" | "UInt64" => Value::long(0),
        "Double" | "Single" => Value::double(0.0),
        "Decimal" => Value::new(V::Decimal(0.0)),
        "Boolean" => Value::bool(false),
        "Char" => Value::new(V::Char('\0')),
        "DateTime" => Value::new(V::DateTime(0)),
        "TimeSpan" => Value::new(V::TimeSpan(0)),
        "Guid" => Value::new(V::Guid(0)),
        _ => Value::null(),
    }
}

/// Does `v` have runtime type `t` (for `is`, `as`, casts and `GetValueOrDefault<T>`)?
/// Unknown type names are accepted.
pub(crate) fn is_instance(v: &Value, t: &TypeRef) -> bool {
    let name = canonical_type_str(&t.name);
    if matches!(v.v, V::Null) {
        return false;
    }
    if t.array > 0 {
        return match &v.v {
            V::Bytes(_) => name == "Byte",
            V::List(l) => l
                .borrow()
                .array_of
                .as_deref()
                .is_some_and(|e| e == name || name == "Object"),
            _ => false,
        };
    }
    let jt = |v: &Value| match &v.v {
        V::Json(j) => Some(j.type_name()),
        _ => None,
    };
    match name {
        "Object" => true,
        "String" => matches!(v.v, V::Str(_)),
        "Int32" => matches!(v.v, V::Int(_)),
        "Int64" => matches!(v.v, V::Long(_)),
        "Double" | "Single" => matches!(v.v, V::Double(_)),
        "Decimal" => matches!(v.v, V::Decimal(_)),
        "Boolean" => matches!(v.v, V::Bool(_)),
        "Char" => matches!(v.v, V::Char(_)),
        "DateTime" => matches!(v.v, V::DateTime(_)),
        "DateTimeOffset" => matches!(v.v, V::DateTimeOffset(_)),
        "TimeSpan" => matches!(v.v, V::TimeSpan(_)),
        "Guid" => matches!(v.v, V::Guid(_)),
        "JToken" => jt(v).is_some(),
        "JContainer" => matches!(jt(v), Some("JObject" | "JArray" | "JProperty")),
        "JObject" | "JArray" | "JValue" | "JProperty" => jt(v) == Some(name),
        "XElement" | "XDocument" => matches!(&v.v, V::Xml(x) if x.type_name() == name),
        "XNode" | "XContainer" => matches!(v.v, V::Xml(_)),
        "IResponse" => {
            matches!(&v.v, V::Obj(o) if matches!(**o, Obj::Response(_)))
                || matches!(v.v, V::Host(Host::Response))
        }
        "Jwt" => matches!(&v.v, V::Obj(o) if matches!(**o, Obj::Jwt(_))),
        "BasicAuthCredentials" => matches!(&v.v, V::Obj(o) if matches!(**o, Obj::Basic { .. })),
        "StringBuilder" => matches!(&v.v, V::Obj(o) if matches!(**o, Obj::StringBuilder(_))),
        "Exception" => matches!(&v.v, V::Obj(o) if matches!(**o, Obj::Exception(..))),
        "List" | "IList" | "IEnumerable" | "ICollection" | "IReadOnlyList" => {
            matches!(v.v, V::List(_) | V::Bytes(_) | V::Str(_))
                || name != "List" && matches!(v.v, V::Dict(_) | V::Json(_))
        }
        "Dictionary" | "IDictionary" | "IReadOnlyDictionary" => {
            matches!(v.v, V::Dict(_))
                || matches!(&v.v, V::Obj(o) if matches!(**o, Obj::MultiMap { .. }))
                || matches!(v.v, V::Host(Host::Variables))
        }
        "Uri" => matches!(&v.v, V::Obj(o) if matches!(**o, Obj::Uri(_))),
        "IUrl" => matches!(&v.v, V::Obj(o) if matches!(**o, Obj::Url(_))),
        _ => true,
    }
}

fn invalid_cast(v: &Value, t: &str, span: Span) -> Exc {
    RuntimeError::new(
        "InvalidCastException",
        format!(
            "Unable to cast object of type '{}' to type '{}'.",
            full_type_name(v),
            t
        ),
        span,
    )
    .into()
}

fn full_name_of(t: &str) -> String {
    match t {
        "JObject" | "JArray" | "JValue" | "JToken" | "JProperty" => {
            format!("Newtonsoft.Json.Linq.{t}")
        }
        "IResponse" | "Jwt" => {
            format!("Microsoft.WindowsAzure.ApiManagement.Proxy.Gateway.Policies.Expressions.{t}")
        }
        _ => format!("System.{t}"),
    }
}

/// `(T)v`.
pub(crate) fn cast(it: &mut Interp, v: &Value, t: &TypeRef, span: Span) -> R<Value> {
    let name = canonical_type(&t.name);
    let secret = v.secret;
    if t.array > 0 {
        if matches!(v.v, V::Null) || is_instance(v, t) {
            return Ok(v.clone());
        }
        if let V::Json(j) = &v.v
            && (name == "String" || name == "Object")
            && let J::Array(items) = &j.0.borrow().j
        {
            let vals = items.iter().map(jsonlib::token_value).collect();
            return Ok(Value::list(vals, Some("String")).with_secret(secret));
        }
        return Err(invalid_cast(v, &format!("System.{name}[]"), span));
    }
    if let V::Json(j) = &v.v
        && let Some(r) = jsonlib::convert_token(it, j, &name, span)?
    {
        return Ok(r.with_secret(secret));
    }
    match &v.v {
        V::Null => {
            let value_type = matches!(
                name.as_str(),
                "Int32"
                    | "Int64"
                    | "Double"
                    | "Single"
                    | "Decimal"
                    | "Boolean"
                    | "Char"
                    | "Byte"
                    | "DateTime"
                    | "TimeSpan"
                    | "Guid"
                    | "Int16"
            );
            if value_type && !t.nullable {
                return throw("NullReferenceException", NRE, span);
            }
            return Ok(Value::null());
        }
        _ if name == "Object" => return Ok(v.clone()),
        _ => {}
    }
    let numeric = |n: Num, target: &str| -> Option<V> {
        Some(match (target, n) {
            ("Int32", Num::I(i)) => V::Int(i as i32),
            ("Int32", Num::F(f)) => V::Int(f as i32),
            ("Int16", Num::I(i)) => V::Int(i64::from(i as i16) as i32),
            ("Byte", Num::I(i)) => V::Int(i64::from(i as u8) as i32),
            ("Byte", Num::F(f)) => V::Int(i32::from(f as u8)),
            ("Int64" | "UInt64" | "UInt32", Num::I(i)) => V::Long(i),
            ("Int64" | "UInt64" | "UInt32", Num::F(f)) => V::Long(f as i64),
            ("Double" | "Single", n) => V::Double(num_f(n)),
            ("Decimal", n) => V::Decimal(num_f(n)),
            ("Char", Num::I(i)) => V::Char(char::from_u32(i as u32).unwrap_or('\u{fffd}')),
            _ => return None,
        })
    };
    if matches!(
        name.as_str(),
        "Int32"
            | "Int64"
            | "Int16"
            | "Byte"
            | "UInt32"
            | "UInt64"
            | "Double"
            | "Single"
            | "Decimal"
            | "Char"
    ) {
        if let Some(n) = num_of(v)
            && let Some(r) = numeric(n, &name)
        {
            return Ok(Value::new(r).with_secret(secret));
        }
        if let V::Enum(_, _) = v.v {
            return Ok(Value::int(0));
        }
        return Err(invalid_cast(v, &full_name_of(&name), span));
    }
    match (name.as_str(), &v.v) {
        ("DateTimeOffset", V::DateTime(t)) => {
            return Ok(Value::new(V::DateTimeOffset(*t)).with_secret(secret));
        }
        ("DateTime", V::DateTimeOffset(t)) => {
            return Ok(Value::new(V::DateTime(*t)).with_secret(secret));
        }
        _ => {}
    }
    if is_instance(v, t) {
        return Ok(v.clone());
    }
    if name == "IResponse" {
        return Err(invalid_cast(v, &full_name_of("IResponse"), span));
    }
    Err(invalid_cast(v, &full_name_of(&name), span))
}

/// Conversions that C# applies when a declared type receives a value: `double d = 1`,
/// `XNamespace ns = "…"`, `JToken t = "x"`.
pub(crate) fn implicit_convert(it: &mut Interp, t: &TypeRef, v: Value, span: Span) -> R<Value> {
    if t.array > 0 {
        if let (V::List(l), "Byte") = (&v.v, canonical_type(&t.name).as_str()) {
            let items = l.borrow().items.clone();
            let mut bytes = Vec::new();
            for i in items {
                bytes.push(as_f64(&i).unwrap_or(0.0) as u8);
            }
            return Ok(Value::bytes(bytes, v.secret));
        }
        return Ok(v);
    }
    let name = canonical_type(&t.name);
    match (name.as_str(), &v.v) {
        ("Double" | "Single", V::Int(_) | V::Long(_) | V::Char(_))
        | ("Decimal", V::Int(_) | V::Long(_))
        | ("Int64", V::Int(_) | V::Char(_))
        | ("Int32", V::Char(_)) => cast(it, &v, t, span),
        ("XNamespace", V::Str(s)) => Ok(Value::obj(Obj::XNamespace(s.to_string()))),
        ("XName", V::Str(s)) => Ok(Value::obj(Obj::XName(String::new(), s.to_string()))),
        ("JToken" | "JValue", V::Str(_) | V::Int(_) | V::Long(_) | V::Double(_) | V::Bool(_)) => {
            Ok(Value::new(V::Json(jsonlib::to_token(it, &v, span)?)))
        }
        ("DateTimeOffset", V::DateTime(x)) => {
            Ok(Value::new(V::DateTimeOffset(*x)).with_secret(v.secret))
        }
        _ => Ok(v),
    }
}

// ---------- construction ----------

pub(crate) fn new_array(
    it: &mut Interp,
    ty: Option<&TypeRef>,
    size: Option<usize>,
    items: Vec<Value>,
    span: Span,
) -> R<Value> {
    let elem = match ty {
        Some(t) => canonical_type(&t.name),
        None => items.first().map_or("Object".into(), |v| match &v.v {
            V::Str(_) => "String".into(),
            V::Int(_) => "Int32".into(),
            _ => crate::value::type_name(v),
        }),
    };
    let n = size.unwrap_or(items.len()).max(items.len());
    it.check_count(n, span)?;
    it.charge(n / 16, span)?;
    if elem == "Byte" {
        let mut bytes: Vec<u8> = items
            .iter()
            .map(|v| as_f64(v).unwrap_or(0.0) as u8)
            .collect();
        bytes.resize(n, 0);
        let secret = items.iter().any(|v| v.secret);
        return Ok(Value::bytes(bytes, secret));
    }
    let mut vals = items;
    let fill = ty.map_or_else(Value::null, |t| {
        default_of(&TypeRef {
            array: t.array.saturating_sub(1),
            ..t.clone()
        })
    });
    vals.resize(n, fill);
    Ok(Value::list(vals, Some(&elem)))
}

pub(crate) fn construct(it: &mut Interp, t: &TypeRef, args: Vec<ArgVal>, span: Span) -> R<Value> {
    let name = canonical_type(&t.name);
    let secret = any_secret(&args);
    let a0 = arg(&args, 0).cloned();
    let v = match name.as_str() {
        "JObject" | "JArray" | "JProperty" | "JValue" => {
            return jsonlib::construct(it, &name, args, span);
        }
        "List" | "HashSet" | "Queue" | "Stack" | "Collection" => {
            let items = match &a0 {
                Some(v) if !matches!(v.v, V::Int(_)) => iterate(it, v, span)?,
                _ => Vec::new(),
            };
            let mut l = List {
                items,
                array_of: None,
            };
            if name == "HashSet" {
                let mut uniq: Vec<Value> = Vec::new();
                for v in std::mem::take(&mut l.items) {
                    if !uniq.iter().any(|u| values_equal(u, &v)) {
                        uniq.push(v);
                    }
                }
                l.items = uniq;
            }
            Value::new(V::List(Rc::new(RefCell::new(l))))
        }
        "Dictionary" | "SortedDictionary" => {
            let ignore_case = matches!(&a0, Some(Value { v: V::Obj(o), .. }) if matches!(**o, Obj::StringComparer(true)));
            let ty_name = |i: usize| -> Rc<str> {
                Rc::from(
                    t.args
                        .get(i)
                        .map_or("Object".into(), |a| canonical_type(&a.name))
                        .as_str(),
                )
            };
            let mut d = Dict {
                entries: Vec::new(),
                ignore_case,
                types: (ty_name(0), ty_name(1)),
            };
            if let Some(Value {
                v: V::Dict(src), ..
            }) = &a0
            {
                d.entries = src.borrow().entries.clone();
            }
            Value::new(V::Dict(Rc::new(RefCell::new(d))))
        }
        "StringBuilder" => {
            let s = match &a0 {
                Some(Value { v: V::Str(s), .. }) => s.to_string(),
                _ => String::new(),
            };
            Value::obj(Obj::StringBuilder(RefCell::new((s, secret))))
        }
        "String" => {
            // new string('x', n) / new string(char[])
            match (&a0.as_ref().map(|v| &v.v), arg(&args, 1)) {
                (Some(V::Char(c)), Some(n)) => {
                    let n = as_f64(n).unwrap_or(0.0).max(0.0) as usize;
                    it.check_len(n.saturating_mul(c.len_utf8()), span)?;
                    return it.mk_str(std::iter::repeat_n(*c, n).collect(), secret, span);
                }
                (Some(V::List(l)), _) => {
                    let s: String = l.borrow().items.iter().map(to_display).collect();
                    return it.mk_str(s, secret, span);
                }
                _ => return wrong_args("string", span),
            }
        }
        "Uri" => {
            let s = str_arg(&args, 0, span, "uriString")?;
            let base = match Value::clone(arg(&args, 0).unwrap_or(&Value::null())).v {
                V::Obj(ref o) => match &**o {
                    Obj::Uri(u) => Some(u.clone()),
                    _ => None,
                },
                _ => None,
            };
            let _ = base;
            match crate::context::Url::parse(s) {
                Some(u) => Value::obj(Obj::Uri(u)),
                None => {
                    return throw(
                        "UriFormatException",
                        "Invalid URI: The format of the URI could not be determined.",
                        span,
                    );
                }
            }
        }
        "Regex" => {
            let p = str_arg(&args, 0, span, "pattern")?.to_string();
            let opts = arg(&args, 1).cloned();
            Value::obj(Obj::Regex(regexlib::compile(&p, opts.as_ref(), span)?))
        }
        "Random" => {
            let seed = match &a0 {
                Some(v) => as_f64(v).unwrap_or(0.0) as u64 ^ 0x0005_DEEC_E66D,
                None => it.ctx.next_random(),
            };
            Value::obj(Obj::Random(RefCell::new(seed)))
        }
        "Guid" => match &a0.as_ref().map(|v| &v.v) {
            Some(V::Str(s)) => match convert::parse_guid(s) {
                Some(g) => Value::new(V::Guid(g)),
                None => return throw("FormatException", "Unrecognized Guid format.", span),
            },
            Some(V::Bytes(b)) => {
                let b = b.borrow();
                if b.data.len() != 16 {
                    return throw(
                        "ArgumentException",
                        "Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')",
                        span,
                    );
                }
                Value::new(V::Guid(convert::guid_from_bytes(&b.data)))
            }
            _ => Value::new(V::Guid(0)),
        },
        "DateTime" | "DateTimeOffset" => {
            let mut n = [1i64, 1, 1, 0, 0, 0];
            for (i, slot) in n.iter_mut().enumerate() {
                if let Some(v) = arg(&args, i)
                    && let Some(x) = as_f64(v)
                {
                    *slot = x as i64;
                }
            }
            match time::from_parts(n[0], n[1], n[2], n[3], n[4], n[5]) {
                Some(t) => Value::new(if name == "DateTime" {
                    V::DateTime(t)
                } else {
                    V::DateTimeOffset(t)
                }),
                None => {
                    return throw(
                        "ArgumentOutOfRangeException",
                        "Year, Month, and Day parameters describe an un-representable DateTime.",
                        span,
                    );
                }
            }
        }
        "TimeSpan" => {
            let nums: Vec<i64> = args
                .iter()
                .filter_map(|a| as_f64(&a.value))
                .map(|f| f as i64)
                .collect();
            // i128: user-supplied parts cannot overflow; out-of-range spans are an error.
            let n: Vec<i128> = nums.iter().map(|x| i128::from(*x)).collect();
            let tps = i128::from(TICKS_PER_SECOND);
            let ticks = match n.as_slice() {
                [t] => *t,
                [h, m, s] => (h * 3600 + m * 60 + s) * tps,
                [d, h, m, s] => ((d * 24 + h) * 3600 + m * 60 + s) * tps,
                [d, h, m, s, ms] => ((d * 24 + h) * 3600 + m * 60 + s) * tps + ms * 10_000,
                _ => 0,
            };
            let Ok(ticks) = i64::try_from(ticks) else {
                return throw(
                    "ArgumentOutOfRangeException",
                    "TimeSpan overflowed because the duration is too long.",
                    span,
                );
            };
            Value::new(V::TimeSpan(ticks))
        }
        "HMACSHA256" | "HMACSHA1" | "HMACSHA512" | "HMACSHA384" | "HMACMD5" | "SHA256" | "SHA1"
        | "SHA512" | "SHA384" | "MD5" => {
            let key = match &a0.as_ref().map(|v| &v.v) {
                Some(V::Bytes(b)) => Some(b.borrow().data.clone()),
                _ if name.starts_with("HMAC") => Some(Vec::new()),
                _ => None,
            };
            Value::obj(Obj::Hasher(crypto::Hasher::new(&name, key, secret, span)?))
        }
        "Exception"
        | "ArgumentException"
        | "InvalidOperationException"
        | "ArgumentNullException"
        | "FormatException"
        | "NotSupportedException"
        | "NotImplementedException"
        | "UnauthorizedAccessException"
        | "KeyNotFoundException"
        | "ApplicationException" => {
            let msg = match &a0 {
                Some(v) => to_display(v),
                None => format!("Exception of type 'System.{name}' was thrown."),
            };
            Value::obj(Obj::Exception(format!("System.{name}"), msg))
        }
        "XDocument" | "XElement" => return jsonlib::construct_xml(it, &name, args, span),
        "XAttribute" => {
            let (ns, n) = xname_of(arg(&args, 0));
            let v = arg(&args, 1).map(to_display).unwrap_or_default();
            Value::new(V::Xml(crate::xml::XNode::new(
                crate::xml::XData::Attribute {
                    ns,
                    name: n,
                    value: v,
                },
            )))
        }
        "KeyValuePair" => Value::obj(Obj::Pair(
            a0.unwrap_or_else(Value::null),
            arg(&args, 1).cloned().unwrap_or_else(Value::null),
        )),
        "Object" => Value::obj(Obj::Anon(Vec::new())),
        "X509Certificate2"
        | "RSACryptoServiceProvider"
        | "RSACng"
        | "AesManaged"
        | "Aes"
        | "StringReader"
        | "XmlDocument"
        | "MemoryStream"
        | "StreamReader" => {
            return throw(
                "NotSupportedException",
                format!("'{name}' is not supported by the policy simulator"),
                span,
            );
        }
        _ => {
            return throw(
                "CompilationError",
                format!(
                    "The type '{}' cannot be created in a policy expression",
                    t.name
                ),
                span,
            );
        }
    };
    Ok(v.with_secret(secret))
}

pub(crate) fn xname_of(v: Option<&Value>) -> (String, String) {
    match v.map(|v| &v.v) {
        Some(V::Obj(o)) => match &**o {
            Obj::XName(ns, n) => (ns.clone(), n.clone()),
            _ => (String::new(), String::new()),
        },
        Some(V::Str(s)) => match s.strip_prefix('{').and_then(|r| r.split_once('}')) {
            Some((ns, n)) => (ns.to_string(), n.to_string()),
            None => (String::new(), s.to_string()),
        },
        _ => (String::new(), String::new()),
    }
}

// ---------- exceptions ----------

pub(crate) fn exception_value(e: &RuntimeError) -> Value {
    Value::obj(Obj::Exception(e.exception.clone(), e.message.clone()))
}

pub(crate) fn throw_value(v: &Value, span: Span) -> Exc {
    match &v.v {
        V::Obj(o) => {
            if let Obj::Exception(t, m) = &**o {
                let mut e = RuntimeError::new("Exception", m.clone(), span);
                e.exception = t.clone();
                return e.into();
            }
            RuntimeError::new(
                "InvalidCastException",
                "only exceptions can be thrown",
                span,
            )
            .into()
        }
        V::Null => RuntimeError::new("NullReferenceException", NRE, span).into(),
        _ => RuntimeError::new(
            "InvalidCastException",
            "only exceptions can be thrown",
            span,
        )
        .into(),
    }
}

// ---------- enumeration ----------

/// The items of anything enumerable; container taint is passed on to the items.
pub(crate) fn iterate(it: &mut Interp, v: &Value, span: Span) -> R<Vec<Value>> {
    let s = v.secret;
    let items: Vec<Value> = match &v.v {
        V::Str(st) => st.chars().map(|c| Value::new(V::Char(c))).collect(),
        V::List(l) => l.borrow().items.clone(),
        V::Bytes(b) => {
            let b = b.borrow();
            b.data
                .iter()
                .map(|x| Value::int(i32::from(*x)).with_secret(b.secret))
                .collect()
        }
        V::Dict(d) => d
            .borrow()
            .entries
            .iter()
            .map(|(k, val)| Value::obj(Obj::Pair(k.clone(), val.clone())))
            .collect(),
        V::Json(j) => jsonlib::children(j),
        V::Xml(_) => return no_member(v, "GetEnumerator", span),
        V::Obj(o) => match &**o {
            Obj::MultiMap { entries, .. } => entries
                .iter()
                .map(|(k, vals)| {
                    Value::obj(Obj::Pair(
                        Value::string(k),
                        Value::string_array(vals, false),
                    ))
                })
                .collect(),
            Obj::Grouping(_, items) => items.clone(),
            Obj::Groups(g) => g
                .iter()
                .map(|(_, g)| Value::obj(Obj::Group(g.clone())))
                .collect(),
            Obj::Anon(_) | Obj::Pair(..) => return no_member(v, "GetEnumerator", span),
            _ => return no_member(v, "GetEnumerator", span),
        },
        V::Host(Host::Variables) => it
            .ctx
            .variables
            .0
            .iter()
            .map(|(k, val)| Value::obj(Obj::Pair(Value::string(k), val.clone())))
            .collect(),
        V::Host(_) => host::iterate_host(it, v, span)?,
        V::Null => {
            return throw(
                "ArgumentNullException",
                "Value cannot be null. (Parameter 'source')",
                span,
            );
        }
        _ => return no_member(v, "GetEnumerator", span),
    };
    it.charge(items.len() / 8, span)?;
    Ok(if s {
        items.into_iter().map(|x| x.with_secret(true)).collect()
    } else {
        items
    })
}

// ---------- dispatch ----------

pub(crate) fn static_member(it: &mut Interp, ty: &str, name: &str, span: Span) -> R<Value> {
    let e = |t: &'static str| Ok(Value::new(V::Enum(t, Rc::from(name))));
    match (ty, name) {
        ("String", "Empty") => Ok(Value::string("")),
        ("Int32", "MaxValue") => Ok(Value::int(i32::MAX)),
        ("Int32", "MinValue") => Ok(Value::int(i32::MIN)),
        ("Int64", "MaxValue") => Ok(Value::long(i64::MAX)),
        ("Int64", "MinValue") => Ok(Value::long(i64::MIN)),
        ("Double", "MaxValue") => Ok(Value::double(f64::MAX)),
        ("Double", "MinValue") => Ok(Value::double(f64::MIN)),
        ("Double", "NaN") => Ok(Value::double(f64::NAN)),
        ("Double", "PositiveInfinity") => Ok(Value::double(f64::INFINITY)),
        ("Double", "NegativeInfinity") => Ok(Value::double(f64::NEG_INFINITY)),
        ("Double", "Epsilon") => Ok(Value::double(f64::from_bits(1))),
        ("DateTime", "UtcNow" | "Now") => Ok(Value::new(V::DateTime(it.ctx.now.ticks))),
        ("DateTime", "Today") => Ok(Value::new(V::DateTime(
            it.ctx.now.ticks - it.ctx.now.ticks.rem_euclid(time::TICKS_PER_DAY),
        ))),
        ("DateTime", "MinValue") => Ok(Value::new(V::DateTime(0))),
        ("DateTime", "MaxValue") => Ok(Value::new(V::DateTime(time::MAX_TICKS))),
        ("DateTime", "UnixEpoch") => Ok(Value::new(V::DateTime(time::UNIX_EPOCH_TICKS))),
        ("DateTimeOffset", "UtcNow" | "Now") => Ok(Value::new(V::DateTimeOffset(it.ctx.now.ticks))),
        ("DateTimeOffset", "UnixEpoch") => {
            Ok(Value::new(V::DateTimeOffset(time::UNIX_EPOCH_TICKS)))
        }
        ("DateTimeOffset", "MinValue") => Ok(Value::new(V::DateTimeOffset(0))),
        ("TimeSpan", "Zero") => Ok(Value::new(V::TimeSpan(0))),
        ("TimeSpan", "MaxValue") => Ok(Value::new(V::TimeSpan(i64::MAX))),
        ("TimeSpan", "MinValue") => Ok(Value::new(V::TimeSpan(i64::MIN))),
        ("Guid", "Empty") => Ok(Value::new(V::Guid(0))),
        (
            "Encoding",
            "UTF8" | "ASCII" | "Unicode" | "Default" | "UTF32" | "BigEndianUnicode" | "Latin1",
        ) => {
            let n: &'static str = match name {
                "UTF8" | "Default" => "UTF8Encoding",
                "ASCII" => "ASCIIEncoding",
                "Unicode" => "UnicodeEncoding",
                "BigEndianUnicode" => "BigEndianUnicode",
                "Latin1" => "Latin1Encoding",
                _ => "UTF32Encoding",
            };
            Ok(Value::obj(Obj::Encoding(n)))
        }
        ("Math", "PI") => Ok(Value::double(std::f64::consts::PI)),
        ("Math", "E") => Ok(Value::double(std::f64::consts::E)),
        ("Environment", "NewLine") => Ok(Value::string("\r\n")),
        ("StringComparer", _) => Ok(Value::obj(Obj::StringComparer(name.contains("IgnoreCase")))),
        ("StringComparison", _) => e("StringComparison"),
        ("StringSplitOptions", _) => e("StringSplitOptions"),
        ("Formatting", _) => e("Formatting"),
        ("RegexOptions", _) => e("RegexOptions"),
        ("JTokenType", _) => e("JTokenType"),
        ("DateTimeKind", _) => e("DateTimeKind"),
        ("UriKind", _) => e("UriKind"),
        ("UriPartial", _) => e("UriPartial"),
        ("DayOfWeek", _) => e("DayOfWeek"),
        ("Base64FormattingOptions", _) => e("Base64FormattingOptions"),
        ("NumberStyles", _) => e("NumberStyles"),
        ("DateTimeStyles", _) => e("DateTimeStyles"),
        ("CultureInfo", _) => e("CultureInfo"),
        ("BitConverter", "IsLittleEndian") => Ok(Value::bool(true)),
        ("MidpointRounding", _) => e("MidpointRounding"),
        (_, "Name" | "FullName") => Ok(Value::string(ty)),
        _ => throw(
            "CompilationError",
            format!(
                "'{ty}' does not contain a definition for '{name}' (or it is not supported by this simulator)"
            ),
            span,
        ),
    }
}

pub(crate) fn static_call(
    it: &mut Interp,
    ty: &str,
    name: &str,
    generics: &[TypeRef],
    args: Vec<ArgVal>,
    span: Span,
) -> R<Value> {
    let secret = any_secret(&args);
    let r = match ty {
        "String" => strings::static_call(it, name, &args, span)?,
        "Int32" | "Int64" | "Int16" | "Double" | "Single" | "Decimal" | "Boolean" | "Byte"
        | "Guid" | "DateTime" | "DateTimeOffset" | "TimeSpan" | "Convert" | "Math"
        | "BitConverter" | "Char" | "Array" | "Enumerable" | "IPAddress" | "Object" | "Enum" => {
            convert::static_call(it, ty, name, generics, &args, span)?
        }
        "Uri" | "WebUtility" => strings::static_uri(it, name, &args, span)?,
        "JObject" | "JArray" | "JToken" | "JValue" | "JsonConvert" | "XDocument" | "XElement"
        | "XNamespace" => jsonlib::static_call(it, ty, name, generics, &args, span)?,
        "Regex" => regexlib::static_call(it, name, &args, span)?,
        "SHA256" | "SHA1" | "SHA512" | "SHA384" | "MD5" | "HMACSHA256" | "HMACSHA1"
        | "HMACSHA512" => crypto::static_call(it, ty, name, &args, span)?,
        "ExpressionSyntaxExtensions" => {
            let mut rest: Vec<ArgVal> = args;
            if rest.is_empty() {
                return wrong_args(name, span);
            }
            let recv = rest.remove(0).value;
            return method(it, &recv, name, generics, rest, span);
        }
        _ => {
            return throw(
                "CompilationError",
                format!(
                    "'{ty}.{name}' is not supported in policy expressions (or by this simulator)"
                ),
                span,
            );
        }
    };
    Ok(taint_result(r, secret, name))
}

/// Apply the taint rule: bool results and sizes/positions stay clean.
fn taint_result(r: Value, secret: bool, name: &str) -> Value {
    if !secret || matches!(r.v, V::Bool(_)) {
        return r;
    }
    if matches!(
        name,
        "Length"
            | "Count"
            | "LongCount"
            | "IndexOf"
            | "LastIndexOf"
            | "IndexOfAny"
            | "Compare"
            | "CompareTo"
            | "CompareOrdinal"
            | "GetHashCode"
            | "StatusCode"
    ) {
        return r;
    }
    r.with_secret(true)
}

pub(crate) fn member(it: &mut Interp, v: &Value, name: &str, span: Span) -> R<Value> {
    let secret = v.secret;
    let r = match &v.v {
        V::Host(_) => host::member(it, v, name, span)?,
        V::Str(s) => match name {
            "Length" => Value::int(s.chars().count() as i32),
            _ => return no_member(v, name, span),
        },
        V::List(l) => match name {
            "Length" | "Count" => Value::int(l.borrow().items.len() as i32),
            "LongLength" => Value::long(l.borrow().items.len() as i64),
            _ => return no_member(v, name, span),
        },
        V::Bytes(b) => match name {
            "Length" | "Count" => Value::int(b.borrow().data.len() as i32),
            _ => return no_member(v, name, span),
        },
        V::Dict(d) => {
            let d = d.borrow();
            match name {
                "Count" => Value::int(d.entries.len() as i32),
                "Keys" => Value::list(d.entries.iter().map(|(k, _)| k.clone()).collect(), None),
                "Values" => Value::list(d.entries.iter().map(|(_, v)| v.clone()).collect(), None),
                _ => return no_member(v, name, span),
            }
        }
        V::Json(j) => jsonlib::member(it, j, name, span)?,
        V::Xml(x) => jsonlib::xml_member(x, name, span)?,
        V::DateTime(_) | V::DateTimeOffset(_) | V::TimeSpan(_) => {
            convert::time_member(v, name, span)?
        }
        V::Obj(o) => match &**o {
            Obj::MultiMap { entries, .. } => match name {
                "Count" => Value::int(entries.len() as i32),
                "Keys" => Value::list(
                    entries.iter().map(|(k, _)| Value::string(k)).collect(),
                    None,
                ),
                "Values" => Value::list(
                    entries
                        .iter()
                        .map(|(_, v)| Value::string_array(v, false))
                        .collect(),
                    None,
                ),
                _ => return no_member(v, name, span),
            },
            Obj::Url(_) | Obj::Uri(_) | Obj::Response(_) => host::object_member(it, o, name, span)?,
            Obj::Jwt(_) | Obj::Basic { .. } => crypto::member(v, o, name, span)?,
            Obj::StringBuilder(sb) => match name {
                "Length" => Value::int(sb.borrow().0.chars().count() as i32),
                _ => return no_member(v, name, span),
            },
            Obj::Match(_) | Obj::Group(_) | Obj::Groups(_) => regexlib::member(v, o, name, span)?,
            Obj::Pair(k, val) => match name {
                "Key" => k.clone(),
                "Value" => val.clone(),
                _ => return no_member(v, name, span),
            },
            Obj::Grouping(k, items) => match name {
                "Key" => k.clone(),
                "Count" => Value::int(items.len() as i32),
                _ => return no_member(v, name, span),
            },
            Obj::Anon(fields) => match fields.iter().find(|(n, _)| n == name) {
                Some((_, val)) => val.clone(),
                None => return no_member(v, name, span),
            },
            Obj::Exception(t, m) => match name {
                "Message" => Value::string(m),
                "InnerException" => Value::null(),
                "StackTrace" => Value::string(""),
                "Source" => Value::string(t),
                _ => return no_member(v, name, span),
            },
            Obj::XName(ns, n) => match name {
                "LocalName" => Value::string(n),
                "NamespaceName" => Value::string(ns),
                "Namespace" => Value::obj(Obj::XNamespace(ns.clone())),
                _ => return no_member(v, name, span),
            },
            Obj::XNamespace(ns) => match name {
                "NamespaceName" => Value::string(ns),
                _ => return no_member(v, name, span),
            },
            Obj::Hasher(h) => match name {
                "Key" => Value::bytes(h.key().unwrap_or_default(), h.secret),
                "HashSize" => Value::int(h.hash_size() as i32),
                _ => return no_member(v, name, span),
            },
            Obj::Encoding(e) => match name {
                "WebName" | "EncodingName" | "BodyName" => Value::string(match *e {
                    "UTF8Encoding" => "utf-8",
                    "ASCIIEncoding" => "us-ascii",
                    "UnicodeEncoding" => "utf-16",
                    _ => "utf-8",
                }),
                _ => return no_member(v, name, span),
            },
            _ => return no_member(v, name, span),
        },
        V::Type(t) if name == "Name" || name == "FullName" => Value::string(t),
        _ => return no_member(v, name, span),
    };
    Ok(taint_result(r, secret, name))
}

pub(crate) fn member_set(
    _it: &mut Interp,
    v: &Value,
    name: &str,
    _val: Value,
    span: Span,
) -> R<()> {
    throw(
        "CompilationError",
        format!(
            "Property or indexer '{}.{name}' cannot be assigned to -- it is read only",
            full_type_name(v)
        ),
        span,
    )
}

pub(crate) fn index_get(it: &mut Interp, v: &Value, keys: &[Value], span: Span) -> R<Value> {
    let secret = v.secret || keys.iter().any(|k| k.secret);
    let key = keys.first().cloned().unwrap_or_else(Value::null);
    let oob = || -> R<Value> {
        throw(
            "IndexOutOfRangeException",
            "Index was outside the bounds of the array.",
            span,
        )
    };
    let idx = key.as_i64();
    let r = match &v.v {
        V::Str(s) => {
            let Some(i) = idx else {
                return wrong_args("this[]", span);
            };
            match usize::try_from(i).ok().and_then(|i| s.chars().nth(i)) {
                Some(c) => Value::new(V::Char(c)),
                None => return oob(),
            }
        }
        V::List(l) => {
            let Some(i) = idx else {
                return wrong_args("this[]", span);
            };
            let l = l.borrow();
            match usize::try_from(i).ok().and_then(|i| l.items.get(i)) {
                Some(x) => x.clone(),
                None if l.array_of.is_some() => return oob(),
                None => {
                    return throw(
                        "ArgumentOutOfRangeException",
                        "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
                        span,
                    );
                }
            }
        }
        V::Bytes(b) => {
            let Some(i) = idx else {
                return wrong_args("this[]", span);
            };
            match usize::try_from(i)
                .ok()
                .and_then(|i| b.borrow().data.get(i).copied())
            {
                Some(x) => Value::int(i32::from(x)),
                None => return oob(),
            }
        }
        V::Dict(d) => {
            let d = d.borrow();
            match dict_find(&d, &key) {
                Some(i) => d
                    .entries
                    .get(i)
                    .map(|e| e.1.clone())
                    .unwrap_or_else(Value::null),
                None => {
                    return throw(
                        "Collections.Generic.KeyNotFoundException",
                        format!(
                            "The given key '{}' was not present in the dictionary.",
                            to_display(&key)
                        ),
                        span,
                    );
                }
            }
        }
        V::Json(j) => jsonlib::index_get(it, j, &key, span)?,
        V::Host(_) => host::index_get(it, v, &key, span)?,
        V::Obj(o) => match &**o {
            Obj::MultiMap {
                entries,
                ignore_case,
                ..
            } => {
                let k = to_display(&key);
                match entries.iter().find(|(n, _)| {
                    if *ignore_case {
                        n.eq_ignore_ascii_case(&k)
                    } else {
                        *n == k
                    }
                }) {
                    Some((_, vals)) => {
                        let t = vals.iter().any(|s| it.ctx.is_secret_text(s));
                        Value::string_array(vals, t)
                    }
                    None => {
                        return throw(
                            "Collections.Generic.KeyNotFoundException",
                            format!("The given key '{k}' was not present in the dictionary."),
                            span,
                        );
                    }
                }
            }
            Obj::Groups(_) | Obj::Match(_) => regexlib::index(v, o, &key, span)?,
            Obj::StringBuilder(sb) => {
                let Some(i) = idx else {
                    return wrong_args("this[]", span);
                };
                match usize::try_from(i)
                    .ok()
                    .and_then(|i| sb.borrow().0.chars().nth(i))
                {
                    Some(c) => Value::new(V::Char(c)),
                    None => return oob(),
                }
            }
            _ => return no_member(v, "this[]", span),
        },
        _ => return no_member(v, "this[]", span),
    };
    Ok(r.with_secret(secret))
}

pub(crate) fn dict_find(d: &Dict, key: &Value) -> Option<usize> {
    d.entries
        .iter()
        .position(|(k, _)| match (&k.v, &key.v, d.ignore_case) {
            (V::Str(a), V::Str(b), true) => {
                a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
            }
            _ => values_equal(k, key),
        })
}

pub(crate) fn index_set(
    it: &mut Interp,
    v: &Value,
    keys: &[Value],
    val: Value,
    span: Span,
) -> R<()> {
    let key = keys.first().cloned().unwrap_or_else(Value::null);
    match &v.v {
        V::List(l) => {
            let i = key.as_i64().unwrap_or(-1);
            let mut l = l.borrow_mut();
            let is_array = l.array_of.is_some();
            match usize::try_from(i).ok().and_then(|i| l.items.get_mut(i)) {
                Some(slot) => *slot = val,
                None if is_array => {
                    return throw(
                        "IndexOutOfRangeException",
                        "Index was outside the bounds of the array.",
                        span,
                    );
                }
                None => {
                    return throw(
                        "ArgumentOutOfRangeException",
                        "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
                        span,
                    );
                }
            }
            Ok(())
        }
        V::Bytes(b) => {
            let i = key.as_i64().unwrap_or(-1);
            let byte = as_f64(&val).unwrap_or(0.0) as i64 as u8;
            let mut b = b.borrow_mut();
            b.secret |= val.secret;
            match usize::try_from(i).ok().and_then(|i| b.data.get_mut(i)) {
                Some(slot) => *slot = byte,
                None => {
                    return throw(
                        "IndexOutOfRangeException",
                        "Index was outside the bounds of the array.",
                        span,
                    );
                }
            }
            Ok(())
        }
        V::Dict(d) => {
            let mut d = d.borrow_mut();
            match dict_find(&d, &key) {
                Some(i) => {
                    if let Some(e) = d.entries.get_mut(i) {
                        e.1 = val;
                    }
                }
                None => {
                    let n = d.entries.len() + 1;
                    it.check_count(n, span)?;
                    d.entries.push((key, val));
                }
            }
            Ok(())
        }
        V::Json(j) => jsonlib::index_set(it, j, &key, val, span),
        V::Host(Host::Variables) => throw(
            "CompilationError",
            "Property or indexer 'IReadOnlyDictionary<string, object>.this[string]' cannot be assigned to -- it is read only (use set-variable)",
            span,
        ),
        _ => no_member(v, "this[]", span),
    }
}

/// `context.Request.MatchedParameters[key]` for a string `key`: what [`index_get`] gives
/// on the dictionary value of `context.Request.MatchedParameters`, without building it.
pub(crate) fn matched_parameter(it: &mut Interp, key: &Value, span: Span) -> R<Value> {
    let V::Str(b) = &key.v else {
        return wrong_args("this[]", span);
    };
    // `dict_find` on a case-insensitive dictionary of strings.
    let ctx = &*it.ctx;
    let found = ctx
        .request
        .matched_parameters
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase())
        .map(|(_, v)| Value::string(v).with_secret(ctx.is_secret_text(v)));
    match found {
        Some(v) => Ok(v.with_secret(key.secret)),
        None => throw(
            "Collections.Generic.KeyNotFoundException",
            format!("The given key '{b}' was not present in the dictionary."),
            span,
        ),
    }
}

/// Whether `context.Request.Headers.NAME(…)` (or `Response`) can read the headers in place
/// ([`headers_method`]) rather than through a copy in a dictionary value.
pub(crate) fn is_headers_lookup(name: &str) -> bool {
    host::is_multimap_lookup(name)
}

/// `context.Request.Headers.NAME(args)` for an [`is_headers_lookup`] method: what
/// [`method`] gives on the value of `context.Request.Headers` (`host` is `Request` or
/// `Response`), without building that value.
pub(crate) fn headers_method(
    it: &mut Interp,
    host: Host,
    name: &str,
    args: Vec<ArgVal>,
    span: Span,
) -> R<Value> {
    it.charge(1, span)?;
    // The dictionary value itself is never tainted (`shallow_secret` is false for it).
    let secret = any_secret(&args);
    let r = host::headers_lookup(it, host, name, &args, span)?;
    Ok(taint_result(r, secret, name))
}

pub(crate) fn method(
    it: &mut Interp,
    v: &Value,
    name: &str,
    generics: &[TypeRef],
    args: Vec<ArgVal>,
    span: Span,
) -> R<Value> {
    it.charge(1, span)?;
    let secret = shallow_secret(v) || any_secret(&args);
    // Members every object has.
    match (name, args.len()) {
        ("GetType", 0) => {
            return Ok(Value::new(V::Type(Rc::from(
                crate::value::type_name(v).as_str(),
            ))));
        }
        ("GetHashCode", 0) => {
            let s = to_display(v);
            let h = s.bytes().fold(0x811c_9dc5u32, |h, b| {
                (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
            });
            return Ok(Value::int(h as i32));
        }
        ("Equals", 1) if !matches!(v.v, V::Str(_)) => {
            return Ok(Value::bool(
                arg(&args, 0).is_some_and(|o| values_equal(v, o)),
            ));
        }
        ("Dispose" | "Clear", 0) if matches!(&v.v, V::Obj(o) if matches!(**o, Obj::Hasher(_))) => {
            return Ok(Value::null());
        }
        _ => {}
    }
    let r = match &v.v {
        V::Null => strings::null_receiver(it, name, &args, span)?,
        V::Str(_) | V::Char(_) => strings::method(it, v, name, generics, &args, span)?,
        V::Host(_) => host::method(it, v, name, generics, &args, span)?,
        V::Json(j) => jsonlib::method(it, v, j, name, generics, &args, span)?,
        V::Xml(x) => jsonlib::xml_method(it, x, name, &args, span)?,
        V::Int(_)
        | V::Long(_)
        | V::Double(_)
        | V::Decimal(_)
        | V::Bool(_)
        | V::DateTime(_)
        | V::DateTimeOffset(_)
        | V::TimeSpan(_)
        | V::Guid(_)
        | V::Enum(..) => convert::method(it, v, name, &args, span)?,
        V::Lambda(l) if name == "Invoke" => {
            let l = l.clone();
            it.call_lambda(&l, args.into_iter().map(|a| a.value).collect(), span)?
        }
        V::Bytes(_) if matches!(name, "Encrypt" | "Decrypt") => {
            return throw(
                "NotSupportedException",
                format!(
                    "byte[].{name} (APIM's encryption helper) is not supported by the policy simulator"
                ),
                span,
            );
        }
        V::Obj(o) => match &**o {
            Obj::MultiMap { .. } => host::multimap_method(it, v, o, name, &args, span)?,
            Obj::Url(_) | Obj::Uri(_) | Obj::Response(_) | Obj::ResponseBody(_) => {
                host::object_method(it, v, o, name, generics, &args, span)?
            }
            Obj::StringBuilder(_) => strings::builder_method(it, v, o, name, &args, span)?,
            Obj::Regex(_) => regexlib::method(it, o, name, &args, span)?,
            Obj::Match(_) if name == "NextMatch" => regexlib::next_match(o),
            Obj::Hasher(h) => crypto::hasher_method(it, h, name, &args, span)?,
            Obj::Random(state) => convert::random_method(it, state, name, &args, span)?,
            Obj::Encoding(e) => strings::encoding_method(it, e, name, &args, span)?,
            Obj::Jwt(_) | Obj::Basic { .. } => return no_member(v, name, span),
            Obj::XNamespace(ns) if name == "GetName" => Value::obj(Obj::XName(
                ns.clone(),
                str_arg(&args, 0, span, "localName")?.into(),
            )),
            _ if name == "ToString" && args.is_empty() => Value::string(&to_display(v)),
            _ => linq::method(it, v, name, generics, &args, span)?,
        },
        _ if name == "ToString" && args.is_empty() => Value::string(&to_display(v)),
        V::Dict(_) => linq::dict_method(it, v, name, generics, &args, span)?,
        _ => linq::method(it, v, name, generics, &args, span)?,
    };
    Ok(taint_result(r, secret, name))
}
