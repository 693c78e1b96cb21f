//! Newtonsoft.Json (`JObject`, `JArray`, `JToken`, `JValue`, `JProperty`, `JsonConvert`)
//! and System.Xml.Linq (`XDocument`, `XElement`, `XNamespace`) members.

use std::rc::Rc;

use super::*;
use crate::json::{self, JData};
use crate::xml::{self, XData, XElem, XNode};

pub(crate) fn json_value(n: &JNode) -> Value {
    let s = n.0.borrow().secret;
    Value::new(V::Json(n.clone())).with_secret(s)
}

/// A token as a .NET string (`(string)token` on a value, JSON for containers).
pub(crate) fn token_value(n: &JNode) -> Value {
    let d = n.0.borrow();
    let v = match &d.j {
        J::Null => Value::null(),
        J::Str(s) => Value::string(s),
        J::Object(_) | J::Array(_) | J::Prop(..) => {
            drop(d);
            return Value::string(&n.to_display()).with_secret(n.deep_secret(&mut 1000));
        }
        _ => Value::string(&n.to_display()),
    };
    v.with_secret(d.secret)
}

fn conv_err<T>(from: &str, to: &str, span: Span) -> R<T> {
    throw(
        "ArgumentException",
        format!("Can not convert {from} to {to}."),
        span,
    )
}

/// Newtonsoft's explicit conversions `(T)token`. `None`: not a primitive target (the
/// caller checks the token type instead).
pub(crate) fn convert_token(it: &mut Interp, n: &JNode, to: &str, span: Span) -> R<Option<Value>> {
    let _ = it;
    let d = n.0.borrow();
    let kind = n.token_type();
    let r = match to {
        "String" => match &d.j {
            J::Null => Value::null(),
            J::Str(s) => Value::string(s),
            J::Bool(b) => Value::string(if *b { "True" } else { "False" }),
            J::Int(i) => Value::string(&i.to_string()),
            J::Float(f) => Value::string(&crate::value::fmt_double(*f)),
            _ => return conv_err(kind, "String", span),
        },
        "Int32" | "Int64" | "Int16" | "Byte" | "Double" | "Single" | "Decimal" => {
            let x: f64 = match &d.j {
                J::Int(i) => *i as f64,
                J::Float(f) => *f,
                J::Bool(b) => f64::from(u8::from(*b)),
                J::Str(s) => match s.trim().parse::<f64>() {
                    Ok(x) => x,
                    Err(_) => {
                        return throw(
                            "FormatException",
                            format!("The input string '{s}' was not in a correct format."),
                            span,
                        );
                    }
                },
                J::Null => return conv_err("Null", to, span),
                _ => return conv_err(kind, to, span),
            };
            match (to, &d.j) {
                ("Int32" | "Int16" | "Byte", J::Int(i)) => {
                    if i32::try_from(*i).is_err() {
                        return throw(
                            "OverflowException",
                            "Value was either too large or too small for an Int32.",
                            span,
                        );
                    }
                    Value::int(*i as i32)
                }
                ("Int32" | "Int16" | "Byte", _) => Value::int(x.round() as i32),
                ("Int64", J::Int(i)) => Value::long(*i),
                ("Int64", _) => Value::long(x.round() as i64),
                ("Decimal", _) => Value::new(V::Decimal(x)),
                _ => Value::double(x),
            }
        }
        "Boolean" => match &d.j {
            J::Bool(b) => Value::bool(*b),
            J::Int(i) => Value::bool(*i != 0),
            J::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Value::bool(true),
                "false" => Value::bool(false),
                _ => {
                    return throw(
                        "FormatException",
                        format!("String '{s}' was not recognized as a valid Boolean."),
                        span,
                    );
                }
            },
            _ => return conv_err(kind, "Boolean", span),
        },
        "DateTime" | "DateTimeOffset" => match &d.j {
            J::Str(s) => match time::parse_datetime(s) {
                Some(t) => Value::new(if to == "DateTime" {
                    V::DateTime(t)
                } else {
                    V::DateTimeOffset(t)
                }),
                None => {
                    return throw(
                        "FormatException",
                        format!("String '{s}' was not recognized as a valid DateTime."),
                        span,
                    );
                }
            },
            _ => return conv_err(kind, to, span),
        },
        "Guid" => match &d.j {
            J::Str(s) => match convert::parse_guid(s) {
                Some(g) => Value::new(V::Guid(g)),
                None => return throw("FormatException", "Unrecognized Guid format.", span),
            },
            _ => return conv_err(kind, "Guid", span),
        },
        _ => return Ok(None),
    };
    Ok(Some(r.with_secret(d.secret)))
}

/// `JToken.FromObject` / implicit conversion of a value into a token.
pub(crate) fn to_token(it: &mut Interp, v: &Value, span: Span) -> R<JNode> {
    to_token_depth(it, v, span, 0)
}

fn to_token_depth(it: &mut Interp, v: &Value, span: Span, depth: usize) -> R<JNode> {
    if depth > json::MAX_DEPTH {
        return throw(
            "JsonSerializationException",
            "Self referencing loop detected.",
            span,
        );
    }
    it.charge(1, span)?;
    let s = v.secret;
    let j = match &v.v {
        V::Json(n) => {
            if let J::Prop(..) = n.0.borrow().j {
                return Ok(n.clone());
            }
            return Ok(n.clone());
        }
        V::Null => J::Null,
        V::Bool(b) => J::Bool(*b),
        V::Int(i) => J::Int(i64::from(*i)),
        V::Long(i) => J::Int(*i),
        V::Double(d) | V::Decimal(d) => J::Float(*d),
        V::Char(c) => J::Str(c.to_string()),
        V::Str(x) => J::Str(x.to_string()),
        V::DateTime(t) => J::Str(time::format_datetime(
            *t,
            "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ",
            false,
        )),
        V::DateTimeOffset(t) => J::Str(time::format_datetime(
            *t,
            "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz",
            true,
        )),
        V::TimeSpan(t) => J::Str(time::format_timespan(*t)),
        V::Guid(g) => J::Str(crate::value::fmt_guid(*g, 'D')),
        V::Bytes(b) => J::Str(convert::b64_encode(&b.borrow().data)),
        V::List(_) => {
            let items = iterate(it, v, span)?;
            let mut out = Vec::new();
            for i in &items {
                out.push(to_token_depth(it, i, span, depth + 1)?);
            }
            J::Array(out)
        }
        V::Dict(d) => {
            let entries = d.borrow().entries.clone();
            let mut out = Vec::new();
            for (k, val) in &entries {
                out.push((to_display(k), to_token_depth(it, val, span, depth + 1)?));
            }
            J::Object(out)
        }
        V::Obj(o) => match &**o {
            Obj::Anon(fields) => {
                let mut out = Vec::new();
                for (k, val) in fields {
                    out.push((k.clone(), to_token_depth(it, val, span, depth + 1)?));
                }
                J::Object(out)
            }
            Obj::MultiMap { entries, .. } => J::Object(
                entries
                    .iter()
                    .map(|(k, vals)| {
                        (
                            k.clone(),
                            JNode::new(J::Array(
                                vals.iter().map(|x| JNode::new(J::Str(x.clone()))).collect(),
                            )),
                        )
                    })
                    .collect(),
            ),
            Obj::Pair(k, val) => J::Object(vec![
                ("Key".into(), to_token_depth(it, k, span, depth + 1)?),
                ("Value".into(), to_token_depth(it, val, span, depth + 1)?),
            ]),
            Obj::Uri(u) | Obj::Url(u) => J::Str(u.to_string()),
            Obj::StringBuilder(sb) => J::Str(sb.borrow().0.clone()),
            _ => J::Str(to_display(v)),
        },
        V::Enum(_, n) => J::Str(n.to_string()),
        _ => J::Str(to_display(v)),
    };
    Ok(JNode::with_secret(j, s))
}

pub(crate) fn children(j: &JNode) -> Vec<Value> {
    match &j.0.borrow().j {
        J::Object(m) => m
            .iter()
            .map(|(k, v)| Value::new(V::Json(JNode::new(J::Prop(k.clone(), v.clone())))))
            .collect(),
        J::Array(a) => a.iter().map(json_value).collect(),
        J::Prop(_, v) => vec![json_value(v)],
        _ => Vec::new(),
    }
}

/// Add `child` to `parent` without creating a cycle (a token that contains its new parent
/// is copied, as Newtonsoft copies tokens that already have a parent).
fn adoptable(parent: &JNode, child: JNode) -> JNode {
    if child.contains(parent, 0) {
        child.deep_clone(0)
    } else {
        child
    }
}

fn container_len(j: &JNode) -> usize {
    match &j.0.borrow().j {
        J::Object(m) => m.len(),
        J::Array(a) => a.len(),
        _ => 0,
    }
}

fn set_prop(it: &mut Interp, obj: &JNode, name: &str, val: JNode, span: Span, add: bool) -> R<()> {
    let val = adoptable(obj, val);
    let n = container_len(obj) + 1;
    it.check_count(n, span)?;
    let mut d = obj.0.borrow_mut();
    let J::Object(m) = &mut d.j else {
        return throw(
            "InvalidOperationException",
            "Can not set a property on this token.",
            span,
        );
    };
    if let Some(slot) = m.iter_mut().find(|(k, _)| k == name) {
        if add {
            drop(d);
            return throw(
                "ArgumentException",
                format!(
                    "Can not add property {name} to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object."
                ),
                span,
            );
        }
        slot.1 = val;
    } else {
        m.push((name.to_string(), val));
    }
    Ok(())
}

fn add_to(it: &mut Interp, target: &JNode, v: &Value, span: Span) -> R<()> {
    let tok = to_token(it, v, span)?;
    let is_obj = matches!(target.0.borrow().j, J::Object(_));
    if is_obj {
        let prop = match &tok.0.borrow().j {
            J::Prop(n, v) => Some((n.clone(), v.clone())),
            _ => None,
        };
        match prop {
            Some((n, val)) => return set_prop(it, target, &n, val, span, true),
            None => {
                return throw(
                    "ArgumentException",
                    format!(
                        "Can not add {} to Newtonsoft.Json.Linq.JObject.",
                        tok.type_name().replace('J', "Newtonsoft.Json.Linq.J")
                    ),
                    span,
                );
            }
        }
    }
    let tok = adoptable(target, tok);
    let n = container_len(target) + 1;
    it.check_count(n, span)?;
    match &mut target.0.borrow_mut().j {
        J::Array(a) => {
            a.push(tok);
            Ok(())
        }
        _ => throw(
            "InvalidOperationException",
            "Can not add a token to this JToken.",
            span,
        ),
    }
}

pub(crate) fn construct(it: &mut Interp, name: &str, args: Vec<ArgVal>, span: Span) -> R<Value> {
    let secret = any_secret(&args);
    let node = match name {
        "JObject" => {
            let o = JNode::new(J::Object(Vec::new()));
            for a in &args {
                match &a.value.v {
                    V::Json(j) if matches!(j.0.borrow().j, J::Object(_)) => {
                        for c in children(&j.deep_clone(0)) {
                            add_to(it, &o, &c, span)?;
                        }
                    }
                    V::List(_) => {
                        for c in iterate(it, &a.value, span)? {
                            add_to(it, &o, &c, span)?;
                        }
                    }
                    _ => add_to(it, &o, &a.value, span)?,
                }
            }
            o
        }
        "JArray" => {
            let arr = JNode::new(J::Array(Vec::new()));
            for a in &args {
                match &a.value.v {
                    V::List(_) | V::Bytes(_) => {
                        for c in iterate(it, &a.value, span)? {
                            add_to(it, &arr, &c, span)?;
                        }
                    }
                    V::Json(j) if matches!(j.0.borrow().j, J::Array(_)) => {
                        for c in children(&j.deep_clone(0)) {
                            add_to(it, &arr, &c, span)?;
                        }
                    }
                    _ => add_to(it, &arr, &a.value, span)?,
                }
            }
            arr
        }
        "JProperty" => {
            let n = str_arg(&args, 0, span, "name")?.to_string();
            let rest: Vec<&ArgVal> = args.iter().skip(1).collect();
            let val = match rest.as_slice() {
                [one] => to_token(it, &one.value, span)?,
                [] => JNode::new(J::Null),
                many => {
                    let arr = JNode::new(J::Array(Vec::new()));
                    for a in many {
                        add_to(it, &arr, &a.value, span)?;
                    }
                    arr
                }
            };
            JNode::new(J::Prop(n, val))
        }
        _ => match arg(&args, 0) {
            Some(v) => to_token(it, v, span)?.deep_clone(0),
            None => JNode::new(J::Null),
        },
    };
    Ok(Value::new(V::Json(node)).with_secret(secret))
}

fn parse_text(it: &mut Interp, s: &str, secret: bool, span: Span) -> R<JNode> {
    it.charge(s.len() / 16, span)?;
    it.check_len(s.len(), span)?;
    let secrets = it.ctx.secrets.clone();
    match json::parse(s, &secrets) {
        Ok(n) => {
            if secret {
                taint_strings(&n, 0);
            }
            Ok(n)
        }
        Err(e) => throw("Newtonsoft.Json.JsonReaderException", e.message, span),
    }
}

fn taint_strings(n: &JNode, depth: usize) {
    if depth > json::MAX_DEPTH {
        return;
    }
    let mut d = n.0.borrow_mut();
    let JData { j, secret } = &mut *d;
    match j {
        J::Str(_) | J::Int(_) | J::Float(_) => *secret = true,
        J::Object(m) => m.iter().for_each(|(_, v)| taint_strings(v, depth + 1)),
        J::Array(a) => a.iter().for_each(|v| taint_strings(v, depth + 1)),
        J::Prop(_, v) => taint_strings(v, depth + 1),
        _ => {}
    }
}

/// Parse JSON text as `T` (`JObject`, `JArray`, `JToken`): Newtonsoft's messages on mismatch.
pub(crate) fn parse_as(it: &mut Interp, s: &str, secret: bool, want: &str, span: Span) -> R<Value> {
    if s.trim().is_empty() && want != "JToken" {
        return throw(
            "Newtonsoft.Json.JsonReaderException",
            format!("Error reading {want} from JsonReader. Path '', line 0, position 0."),
            span,
        );
    }
    let n = parse_text(it, s, secret, span)?;
    let t = n.type_name();
    let ok = match want {
        "JObject" => t == "JObject",
        "JArray" => t == "JArray",
        _ => true,
    };
    if !ok {
        let cur = match n.0.borrow().j {
            J::Array(_) => "StartArray",
            J::Object(_) => "StartObject",
            J::Str(_) => "String",
            J::Int(_) => "Integer",
            J::Float(_) => "Float",
            J::Bool(_) => "Boolean",
            _ => "Null",
        };
        let what = if want == "JObject" {
            "an object"
        } else {
            "an array"
        };
        return throw(
            "Newtonsoft.Json.JsonReaderException",
            format!(
                "Error reading {want} from JsonReader. Current JsonReader item is not {what}: {cur}. Path '', line 1, position 1."
            ),
            span,
        );
    }
    Ok(Value::new(V::Json(n)).with_secret(secret))
}

fn formatting_indented(v: Option<&Value>) -> bool {
    matches!(v.map(|v| &v.v), Some(V::Enum(_, n)) if &**n == "Indented")
}

pub(crate) fn static_call(
    it: &mut Interp,
    ty: &str,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let secret = any_secret(args);
    match (ty, name) {
        ("JObject" | "JArray" | "JToken" | "JValue", "Parse") => {
            let s = str_arg(args, 0, span, "json")?.to_string();
            parse_as(it, &s, secret, ty, span)
        }
        ("JObject" | "JArray" | "JToken", "FromObject") => {
            let v = arg(args, 0).cloned().unwrap_or_else(Value::null);
            let n = to_token(it, &v, span)?.deep_clone(0);
            let t = n.type_name();
            if (ty == "JObject" && t != "JObject") || (ty == "JArray" && t != "JArray") {
                return throw(
                    "ArgumentException",
                    format!(
                        "Object serialized to {}. {ty} instance expected.",
                        n.token_type()
                    ),
                    span,
                );
            }
            Ok(Value::new(V::Json(n)).with_secret(secret))
        }
        ("JValue", "CreateString") => Ok(Value::new(V::Json(JNode::with_secret(
            J::Str(arg(args, 0).map(to_display).unwrap_or_default()),
            secret,
        )))),
        ("JValue", "CreateNull") => Ok(Value::new(V::Json(JNode::new(J::Null)))),
        ("JsonConvert", "SerializeObject") => {
            let v = arg(args, 0).cloned().unwrap_or_else(Value::null);
            let indented = formatting_indented(arg(args, 1));
            let n = to_token(it, &v, span)?;
            let s = match &n.0.borrow().j {
                J::Prop(..) => {
                    let mut t = String::from(if indented { "{\n  " } else { "{" });
                    t.push_str(&n.serialize(indented));
                    t.push_str(if indented { "\n}" } else { "}" });
                    t
                }
                _ => n.serialize(indented),
            };
            it.mk_str(s, secret || v.is_secret(), span)
        }
        ("JsonConvert", "DeserializeObject") => {
            let s = str_arg(args, 0, span, "value")?.to_string();
            let target = generics
                .first()
                .map(|t| (canonical_type(&t.name), t.array > 0));
            match target {
                None | Some((_, false))
                    if target.as_ref().is_none_or(|(t, _)| {
                        matches!(t.as_str(), "Object" | "JToken" | "JObject" | "JArray")
                    }) =>
                {
                    let want = target.map_or("JToken".to_string(), |(t, _)| {
                        if t == "Object" { "JToken".into() } else { t }
                    });
                    parse_as(it, &s, secret, &want, span)
                }
                Some((t, is_array)) => {
                    let n = parse_text(it, &s, secret, span)?;
                    let tr = TypeRef {
                        name: t.clone(),
                        args: generics.first().map(|g| g.args.clone()).unwrap_or_default(),
                        array: u8::from(is_array),
                        nullable: false,
                        span,
                    };
                    to_object(it, &n, &tr, span)
                }
                None => parse_as(it, &s, secret, "JToken", span),
            }
        }
        ("XDocument" | "XElement", "Parse") => {
            let s = str_arg(args, 0, span, "text")?.to_string();
            it.charge(s.len() / 16, span)?;
            match xml::parse(&s) {
                Ok(doc) => {
                    let n = if ty == "XElement" {
                        doc.element().unwrap_or(doc)
                    } else {
                        doc
                    };
                    Ok(Value::new(V::Xml(n)).with_secret(secret))
                }
                Err(m) => throw("Xml.XmlException", m, span),
            }
        }
        ("XNamespace", "Get") => Ok(Value::obj(Obj::XNamespace(
            str_arg(args, 0, span, "namespaceName")?.to_string(),
        ))),
        _ => throw(
            "CompilationError",
            format!("'{ty}.{name}' is not supported in policy expressions (or by this simulator)"),
            span,
        ),
    }
}

/// `token.ToObject<T>()` and `DeserializeObject<T>`.
fn to_object(it: &mut Interp, n: &JNode, t: &TypeRef, span: Span) -> R<Value> {
    let name = canonical_type(&t.name);
    let secret = n.0.borrow().secret;
    if t.array > 0 || matches!(name.as_str(), "List" | "IList" | "IEnumerable") {
        let items: Vec<JNode> = match &n.0.borrow().j {
            J::Array(a) => a.clone(),
            _ => return conv_err(n.token_type(), "array", span),
        };
        let elem = if t.array > 0 {
            TypeRef {
                array: t.array - 1,
                ..t.clone()
            }
        } else {
            t.args
                .first()
                .cloned()
                .unwrap_or_else(|| TypeRef::simple("Object", span))
        };
        let mut out = Vec::new();
        for i in &items {
            out.push(to_object(it, i, &elem, span)?);
        }
        let elem_name = canonical_type(&elem.name);
        return Ok(Value::list(
            out,
            if t.array > 0 { Some(&elem_name) } else { None },
        ));
    }
    if matches!(
        name.as_str(),
        "Dictionary" | "IDictionary" | "IReadOnlyDictionary"
    ) {
        let entries: Vec<(String, JNode)> = match &n.0.borrow().j {
            J::Object(m) => m.clone(),
            _ => return conv_err(n.token_type(), "dictionary", span),
        };
        let vt = t
            .args
            .get(1)
            .cloned()
            .unwrap_or_else(|| TypeRef::simple("Object", span));
        let mut d = Dict {
            entries: Vec::new(),
            ignore_case: false,
            types: (
                Rc::from("String"),
                Rc::from(canonical_type(&vt.name).as_str()),
            ),
        };
        for (k, v) in &entries {
            d.entries
                .push((Value::string(k), to_object(it, v, &vt, span)?));
        }
        return Ok(Value::new(V::Dict(Rc::new(std::cell::RefCell::new(d)))));
    }
    if let Some(v) = convert_token(it, n, &name, span)? {
        return Ok(v);
    }
    match name.as_str() {
        "JObject" | "JArray" | "JValue" if n.type_name() != name => {
            conv_err(n.token_type(), &name, span)
        }
        _ => Ok(json_value(n).with_secret(secret)),
    }
}

pub(crate) fn member(it: &mut Interp, j: &JNode, name: &str, span: Span) -> R<Value> {
    let _ = it;
    let v = json_value(j);
    let d = j.0.borrow();
    Ok(match (name, &d.j) {
        ("Count", J::Object(m)) => Value::int(m.len() as i32),
        ("Count", J::Array(a)) => Value::int(a.len() as i32),
        ("Type", _) => Value::new(V::Enum("JTokenType", Rc::from(j.token_type()))),
        ("HasValues", J::Object(m)) => Value::bool(!m.is_empty()),
        ("HasValues", J::Array(a)) => Value::bool(!a.is_empty()),
        ("HasValues", J::Prop(..)) => Value::bool(true),
        ("HasValues", _) => Value::bool(false),
        ("First", J::Array(a)) => a.first().map_or_else(Value::null, json_value),
        ("Last", J::Array(a)) => a.last().map_or_else(Value::null, json_value),
        ("First", J::Object(m)) => m.first().map_or_else(Value::null, |(k, v)| {
            Value::new(V::Json(JNode::new(J::Prop(k.clone(), v.clone()))))
        }),
        ("Last", J::Object(m)) => m.last().map_or_else(Value::null, |(k, v)| {
            Value::new(V::Json(JNode::new(J::Prop(k.clone(), v.clone()))))
        }),
        ("Name" | "Key", J::Prop(n, _)) => Value::string(n),
        ("Value", J::Prop(_, v)) => json_value(v),
        ("Value", J::Str(s)) => Value::string(s).with_secret(d.secret),
        ("Value", J::Int(i)) => Value::long(*i).with_secret(d.secret),
        ("Value", J::Float(f)) => Value::double(*f).with_secret(d.secret),
        ("Value", J::Bool(b)) => Value::bool(*b),
        ("Value", J::Null) => Value::null(),
        ("Path", _) => Value::string(""),
        ("Parent" | "Root" | "Next" | "Previous", _) => Value::null(),
        _ => {
            drop(d);
            return no_member(&v, name, span);
        }
    })
}

pub(crate) fn index_get(it: &mut Interp, j: &JNode, key: &Value, span: Span) -> R<Value> {
    let _ = it;
    let d = j.0.borrow();
    match (&d.j, &key.v) {
        (J::Object(m), V::Str(k)) => Ok(m
            .iter()
            .find(|(n, _)| n.as_str() == &**k)
            .map_or_else(Value::null, |(_, v)| json_value(v))),
        (J::Object(_), _) => throw(
            "ArgumentException",
            format!(
                "Accessed JObject values with invalid key value: {}. Object property name expected.",
                to_display(key)
            ),
            span,
        ),
        (J::Array(a), _) => match key.as_i64() {
            Some(i) => match usize::try_from(i).ok().and_then(|i| a.get(i)) {
                Some(v) => Ok(json_value(v)),
                None => throw(
                    "ArgumentOutOfRangeException",
                    "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
                    span,
                ),
            },
            None => throw(
                "ArgumentException",
                format!(
                    "Accessed JArray values with invalid key value: \"{}\". Int32 array index expected.",
                    to_display(key)
                ),
                span,
            ),
        },
        (J::Prop(_, v), _) => {
            let v = v.clone();
            drop(d);
            index_get(it, &v, key, span)
        }
        _ => throw(
            "InvalidOperationException",
            format!(
                "Cannot access child value on Newtonsoft.Json.Linq.{}.",
                j.type_name()
            ),
            span,
        ),
    }
}

pub(crate) fn index_set(it: &mut Interp, j: &JNode, key: &Value, val: Value, span: Span) -> R<()> {
    let tok = to_token(it, &val, span)?;
    let is_obj = matches!(j.0.borrow().j, J::Object(_));
    if is_obj {
        let V::Str(k) = &key.v else {
            return throw(
                "ArgumentException",
                format!(
                    "Set JObject values with invalid key value: {}. Object property name expected.",
                    to_display(key)
                ),
                span,
            );
        };
        return set_prop(it, j, k, tok, span, false);
    }
    let tok = adoptable(j, tok);
    match &mut j.0.borrow_mut().j {
        J::Array(a) => match key
            .as_i64()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| a.get_mut(i))
        {
            Some(slot) => {
                *slot = tok;
                Ok(())
            }
            None => throw(
                "ArgumentOutOfRangeException",
                "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
                span,
            ),
        },
        J::Prop(_, v) => {
            *v = tok;
            Ok(())
        }
        _ => throw(
            "InvalidOperationException",
            format!(
                "Cannot set child value on Newtonsoft.Json.Linq.{}.",
                j.type_name()
            ),
            span,
        ),
    }
}

pub(crate) fn method(
    it: &mut Interp,
    v: &Value,
    j: &JNode,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let a0 = arg(args, 0).cloned();
    match name {
        "ToString" => {
            let indented = match &a0 {
                Some(f) => formatting_indented(Some(f)),
                None => {
                    return Ok(
                        Value::string(&j.to_display()).with_secret(j.deep_secret(&mut 10_000))
                    );
                }
            };
            let s = j.serialize(indented);
            return it.mk_str(s, j.deep_secret(&mut 10_000), span);
        }
        "Value" | "Values" if name == "Value" => {
            let target = match &a0 {
                Some(k) => index_get(it, j, k, span)?,
                None => json_value(j),
            };
            let V::Json(t) = &target.v else {
                return Ok(generics.first().map_or_else(Value::null, default_of));
            };
            let tr = generics
                .first()
                .cloned()
                .unwrap_or_else(|| TypeRef::simple("Object", span));
            return to_object(it, t, &tr, span);
        }
        "ToObject" => {
            let tr = generics
                .first()
                .cloned()
                .unwrap_or_else(|| TypeRef::simple("Object", span));
            return to_object(it, j, &tr, span);
        }
        "DeepClone" => return Ok(Value::new(V::Json(j.deep_clone(0))).with_secret(v.secret)),
        "SelectToken" => {
            let p = str_arg(args, 0, span, "path")?;
            return Ok(json::select_token(j, p).map_or_else(Value::null, |n| json_value(&n)));
        }
        "Children" | "Properties" | "Values" if args.is_empty() => {
            let items = match name {
                "Values" => match &j.0.borrow().j {
                    J::Object(m) => m.iter().map(|(_, v)| json_value(v)).collect(),
                    _ => children(j),
                },
                _ => children(j),
            };
            return Ok(Value::list(items, None));
        }
        "Property" => {
            let k = str_arg(args, 0, span, "name")?;
            return Ok(match &j.0.borrow().j {
                J::Object(m) => m
                    .iter()
                    .find(|(n, _)| n == k)
                    .map_or_else(Value::null, |(n, v)| {
                        Value::new(V::Json(JNode::new(J::Prop(n.clone(), v.clone()))))
                    }),
                _ => Value::null(),
            });
        }
        "GetValue" => {
            let Some(k) = &a0 else {
                return wrong_args(name, span);
            };
            let ic = matches!(arg(args, 1).map(|v| &v.v), Some(V::Enum(_, n)) if n.ends_with("IgnoreCase"));
            if ic {
                let k = to_display(k).to_lowercase();
                return Ok(match &j.0.borrow().j {
                    J::Object(m) => m
                        .iter()
                        .find(|(n, _)| n.to_lowercase() == k)
                        .map_or_else(Value::null, |(_, v)| json_value(v)),
                    _ => Value::null(),
                });
            }
            return index_get(it, j, k, span);
        }
        "ContainsKey" => {
            let k = str_arg(args, 0, span, "propertyName")?;
            return Ok(Value::bool(
                matches!(&j.0.borrow().j, J::Object(m) if m.iter().any(|(n, _)| n == k)),
            ));
        }
        "TryGetValue" => {
            let k = str_arg(args, 0, span, "propertyName")?.to_string();
            let found = match &j.0.borrow().j {
                J::Object(m) => m.iter().find(|(n, _)| *n == k).map(|(_, v)| json_value(v)),
                _ => None,
            };
            let ok = found.is_some();
            it.outs = vec![found.unwrap_or_else(Value::null)];
            return Ok(Value::bool(ok));
        }
        "Add" => {
            let is_obj = matches!(j.0.borrow().j, J::Object(_));
            if is_obj && args.len() == 2 {
                let k = str_arg(args, 0, span, "propertyName")?.to_string();
                let val = to_token(it, arg(args, 1).unwrap_or(&Value::null()), span)?;
                set_prop(it, j, &k, val, span, true)?;
            } else {
                add_to(it, j, a0.as_ref().unwrap_or(&Value::null()), span)?;
            }
            return Ok(Value::null());
        }
        "Remove" => {
            let mut d = j.0.borrow_mut();
            return Ok(match (&mut d.j, a0.as_ref().map(|v| &v.v)) {
                (J::Object(m), Some(V::Str(k))) => {
                    let before = m.len();
                    m.retain(|(n, _)| n.as_str() != &**k);
                    Value::bool(m.len() != before)
                }
                (J::Array(a), Some(V::Json(x))) => {
                    let before = a.len();
                    a.retain(|n| !n.ptr_eq(x));
                    Value::bool(a.len() != before)
                }
                _ => Value::bool(false),
            });
        }
        "RemoveAt" => {
            let i = int_arg(args, 0, span, "index")?;
            let mut d = j.0.borrow_mut();
            if let J::Array(a) = &mut d.j {
                if i < 0 || i as usize >= a.len() {
                    return throw(
                        "ArgumentOutOfRangeException",
                        "Index is equal to or greater than Count. (Parameter 'index')",
                        span,
                    );
                }
                a.remove(i as usize);
            }
            return Ok(Value::null());
        }
        "Insert" => {
            let i = int_arg(args, 0, span, "index")?.max(0) as usize;
            let tok = to_token(it, arg(args, 1).unwrap_or(&Value::null()), span)?;
            let tok = adoptable(j, tok);
            let mut d = j.0.borrow_mut();
            if let J::Array(a) = &mut d.j {
                if i > a.len() {
                    return throw(
                        "ArgumentOutOfRangeException",
                        "Index must be within the bounds of the List. (Parameter 'index')",
                        span,
                    );
                }
                a.insert(i, tok);
            }
            return Ok(Value::null());
        }
        "RemoveAll" | "Clear" => {
            match &mut j.0.borrow_mut().j {
                J::Object(m) => m.clear(),
                J::Array(a) => a.clear(),
                _ => {}
            }
            return Ok(Value::null());
        }
        "Replace" => {
            return throw(
                "NotSupportedException",
                "JToken.Replace is not supported by the policy simulator (tokens do not know their parent).",
                span,
            );
        }
        "Merge" => {
            if let Some(Value {
                v: V::Json(other), ..
            }) = &a0
            {
                let props: Vec<(String, JNode)> = match &other.0.borrow().j {
                    J::Object(m) => m.clone(),
                    _ => Vec::new(),
                };
                for (k, v) in props {
                    set_prop(it, j, &k, v.deep_clone(0), span, false)?;
                }
            }
            return Ok(Value::null());
        }
        "IndexOf" => {
            if let (J::Array(a), Some(x)) = (&j.0.borrow().j, &a0) {
                return Ok(Value::int(
                    a.iter()
                        .position(|n| values_equal(&json_value(n), x))
                        .map_or(-1, |i| i as i32),
                ));
            }
        }
        _ => {}
    }
    linq::method(it, v, name, generics, args, span)
}

// ---------- XML ----------

pub(crate) fn construct_xml(
    it: &mut Interp,
    name: &str,
    args: Vec<ArgVal>,
    span: Span,
) -> R<Value> {
    let secret = any_secret(&args);
    if name == "XDocument" {
        let root = args.iter().find_map(|a| match &a.value.v {
            V::Xml(x) if x.type_name() == "XElement" => Some(x.clone()),
            _ => None,
        });
        return Ok(Value::new(V::Xml(XNode::new(XData::Document(root)))).with_secret(secret));
    }
    let (ns, local) = xname_of(arg(&args, 0));
    if local.is_empty() {
        return throw(
            "ArgumentException",
            "The empty string '' is not a valid name.",
            span,
        );
    }
    let mut e = XElem::default();
    e.ns = ns;
    e.name = local;
    let el = XNode::new(XData::Element(e));
    for a in args.iter().skip(1) {
        add_xml_content(it, &el, &a.value, span, 0)?;
    }
    Ok(Value::new(V::Xml(el)).with_secret(secret))
}

fn add_xml_content(it: &mut Interp, el: &XNode, v: &Value, span: Span, depth: usize) -> R<()> {
    if depth > 8 {
        return Ok(());
    }
    let item = match &v.v {
        V::Null => return Ok(()),
        V::Xml(x) => match &*x.0.borrow() {
            XData::Attribute { ns, name, value } => {
                if let XData::Element(e) = &mut *el.0.borrow_mut() {
                    e.attrs.push((ns.clone(), name.clone(), value.clone()));
                }
                return Ok(());
            }
            XData::Document(Some(r)) => r.clone(),
            _ => x.clone(),
        },
        V::List(_) => {
            for i in iterate(it, v, span)? {
                add_xml_content(it, el, &i, span, depth + 1)?;
            }
            return Ok(());
        }
        _ => XNode::new(XData::Text(to_display(v))),
    };
    if let XData::Element(e) = &mut *el.0.borrow_mut() {
        e.children.push(item);
    }
    Ok(())
}

pub(crate) fn xml_member(x: &XNode, name: &str, span: Span) -> R<Value> {
    let v = Value::new(V::Xml(x.clone()));
    Ok(match name {
        "Root" => x
            .element()
            .map_or_else(Value::null, |e| Value::new(V::Xml(e))),
        "Value" => Value::string(&x.value()),
        "Name" => match x.name() {
            Some((ns, n)) => Value::obj(Obj::XName(ns, n)),
            None => Value::null(),
        },
        "HasElements" => Value::bool(!x.elements(None).is_empty()),
        "IsEmpty" => {
            Value::bool(matches!(&*x.0.borrow(), XData::Element(e) if e.children.is_empty()))
        }
        "FirstNode" => x
            .element()
            .and_then(|e| match &*e.0.borrow() {
                XData::Element(el) => el.children.first().cloned(),
                _ => None,
            })
            .map_or_else(Value::null, |n| Value::new(V::Xml(n))),
        "Declaration" | "Parent" | "Document" => Value::null(),
        _ => return no_member(&v, name, span),
    })
}

pub(crate) fn xml_method(
    it: &mut Interp,
    x: &XNode,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let filter = if args.is_empty() {
        None
    } else {
        Some(xname_of(arg(args, 0)))
    };
    let f = filter.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
    let wrap = |n: XNode| Value::new(V::Xml(n));
    Ok(match name {
        "Element" => x
            .elements(f)
            .into_iter()
            .next()
            .map_or_else(Value::null, wrap),
        "Elements" => Value::list(x.elements(f).into_iter().map(wrap).collect(), None),
        "Descendants" => {
            let d = x.descendants(f);
            it.charge(d.len() / 8, span)?;
            Value::list(d.into_iter().map(wrap).collect(), None)
        }
        "DescendantsAndSelf" => {
            let mut d = vec![x.clone()];
            d.extend(x.descendants(f));
            Value::list(d.into_iter().map(wrap).collect(), None)
        }
        "Attribute" => {
            let (ns, n) = filter.unwrap_or_default();
            x.attribute(&ns, &n).map_or_else(Value::null, wrap)
        }
        "Attributes" => match &*x.0.borrow() {
            XData::Element(e) => Value::list(
                e.attrs
                    .iter()
                    .filter(|(ns, _, _)| ns != "xmlns")
                    .map(|(ns, n, v)| {
                        wrap(XNode::new(XData::Attribute {
                            ns: ns.clone(),
                            name: n.clone(),
                            value: v.clone(),
                        }))
                    })
                    .collect(),
                None,
            ),
            _ => Value::list(Vec::new(), None),
        },
        "ToString" => {
            let s = x.to_xml_string();
            return it.mk_str(s, false, span);
        }
        "Add" => {
            let target = x.element().unwrap_or_else(|| x.clone());
            for a in args {
                add_xml_content(it, &target, &a.value, span, 0)?;
            }
            Value::null()
        }
        "SetAttributeValue" => {
            let (ns, n) = xname_of(arg(args, 0));
            let val = arg(args, 1).map(to_display);
            if let XData::Element(e) = &mut *x.0.borrow_mut() {
                e.attrs.retain(|(a, b, _)| !(a == &ns && b == &n));
                if let Some(val) = val {
                    e.attrs.push((ns, n, val));
                }
            }
            Value::null()
        }
        "SetValue" => {
            let t = arg(args, 0).map(to_display).unwrap_or_default();
            if let XData::Element(e) = &mut *x.0.borrow_mut() {
                e.children = vec![XNode::new(XData::Text(t))];
            }
            Value::null()
        }
        _ => return no_member(&Value::new(V::Xml(x.clone())), name, span),
    })
}
