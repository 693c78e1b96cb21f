//! The `context` object model as expressions see it: read-only views of [`crate::Context`],
//! message bodies (which reading consumes), header/query dictionaries, `IUrl`, `Uri` and
//! `IResponse`. Strings read from the context are tainted when they contain a known secret
//! (`Context::secrets`).

use std::rc::Rc;

use super::*;
use crate::context::{Body, Headers, Url};

fn host_str(it: &Interp, s: &str) -> Value {
    Value::string(s).with_secret(it.ctx.is_secret_text(s))
}

fn headers_value(h: &Headers) -> Value {
    Value::obj(Obj::MultiMap {
        entries: h.0.clone(),
        ignore_case: true,
        type_name: "IReadOnlyDictionary`2",
    })
}

fn query_value(u: &Url) -> Value {
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in &u.query {
        match entries.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(k)) {
            Some(slot) => slot.1.push(v.clone()),
            None => entries.push((k.clone(), vec![v.clone()])),
        }
    }
    Value::obj(Obj::MultiMap {
        entries,
        ignore_case: true,
        type_name: "IReadOnlyDictionary`2",
    })
}

thread_local! {
    /// The element type name of the context's string dictionaries, shared rather than
    /// allocated at each `context.Request.MatchedParameters`.
    static STRING_TYPE: Rc<str> = Rc::from("String");
}

fn string_dict(pairs: &[(String, String)], it: &Interp) -> Value {
    let string_type = STRING_TYPE.with(Rc::clone);
    let d = Dict {
        entries: pairs
            .iter()
            .map(|(k, v)| (Value::string(k), host_str(it, v)))
            .collect(),
        ignore_case: true,
        types: (string_type.clone(), string_type),
    };
    Value::new(V::Dict(Rc::new(std::cell::RefCell::new(d))))
}

fn dt(d: crate::context::DateTime) -> Value {
    Value::new(V::DateTime(d.ticks))
}

fn anon(fields: Vec<(&str, Value)>) -> Value {
    Value::obj(Obj::Anon(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    ))
}

pub(crate) fn member(it: &mut Interp, v: &Value, name: &str, span: Span) -> R<Value> {
    let V::Host(h) = &v.v else {
        return no_member(v, name, span);
    };
    let ctx = &*it.ctx;
    let s = |x: &str| host_str(it, x);
    let r = match (h, name) {
        (Host::Context, "Request") => Value::new(V::Host(Host::Request)),
        (Host::Context, "Response") => Value::new(V::Host(Host::Response)),
        (Host::Context, "Variables") => Value::new(V::Host(Host::Variables)),
        (Host::Context, "Api") => Value::new(V::Host(Host::Api)),
        (Host::Context, "Operation") => Value::new(V::Host(Host::Operation)),
        (Host::Context, "Deployment") => Value::new(V::Host(Host::Deployment)),
        (Host::Context, "Product") if ctx.product.is_some() => Value::new(V::Host(Host::Product)),
        (Host::Context, "Subscription") if ctx.subscription.is_some() => {
            Value::new(V::Host(Host::Subscription))
        }
        (Host::Context, "User") if ctx.user.is_some() => Value::new(V::Host(Host::User)),
        (Host::Context, "LastError") if ctx.last_error.is_some() => {
            Value::new(V::Host(Host::LastError))
        }
        (Host::Context, "Product" | "Subscription" | "User" | "LastError") => Value::null(),
        (Host::Context, "RequestId") => Value::new(V::Guid(ctx.request_id)),
        (Host::Context, "Timestamp") => dt(ctx.timestamp),
        (Host::Context, "Elapsed") => Value::new(V::TimeSpan(ctx.elapsed_ticks)),
        (Host::Context, "Tracing") => Value::bool(ctx.tracing),

        (Host::Request, "Method") => s(&ctx.request.method),
        (Host::Request, "Url") => Value::obj(Obj::Url(ctx.request.url.clone())),
        (Host::Request, "OriginalUrl") => Value::obj(Obj::Url(ctx.request.original_url.clone())),
        (Host::Request, "Headers") => headers_value(&ctx.request.headers),
        (Host::Request, "Body") if ctx.request.body.is_some() => {
            Value::new(V::Host(Host::RequestBody))
        }
        (Host::Request, "Body") => Value::null(),
        (Host::Request, "IpAddress") => s(&ctx.request.ip_address),
        (Host::Request, "MatchedParameters") => string_dict(&ctx.request.matched_parameters, it),
        (Host::Request, "Certificate" | "PrivateEndpointConnection") => Value::null(),

        (Host::Response, "StatusCode") => Value::int(ctx.response.status_code),
        (Host::Response, "StatusReason") => s(&ctx.response.status_reason),
        (Host::Response, "Headers") => headers_value(&ctx.response.headers),
        (Host::Response, "Body") if ctx.response.body.is_some() => {
            Value::new(V::Host(Host::ResponseBody))
        }
        (Host::Response, "Body") => Value::null(),

        (Host::Variables, "Count") => Value::int(ctx.variables.0.len() as i32),
        (Host::Variables, "Keys") => Value::list(
            ctx.variables
                .0
                .iter()
                .map(|(k, _)| Value::string(k))
                .collect(),
            None,
        ),
        (Host::Variables, "Values") => Value::list(
            ctx.variables.0.iter().map(|(_, v)| v.clone()).collect(),
            None,
        ),

        (Host::Api, "Id") => s(&ctx.api.id),
        (Host::Api, "Name") => s(&ctx.api.name),
        (Host::Api, "Path") => s(&ctx.api.path),
        (Host::Api, "Revision") => s(&ctx.api.revision),
        (Host::Api, "Version") => s(&ctx.api.version),
        (Host::Api, "IsCurrentRevision") => Value::bool(ctx.api.is_current_revision),
        (Host::Api, "ServiceUrl") => ctx
            .api
            .service_url
            .clone()
            .map_or_else(Value::null, |u| Value::obj(Obj::Url(u))),
        (Host::Api, "Protocols") => Value::string_array(&["https".to_string()], false),
        (Host::Api, "SubscriptionKeyParameterNames") => anon(vec![
            ("Header", Value::string("Ocp-Apim-Subscription-Key")),
            ("Query", Value::string("subscription-key")),
        ]),

        (Host::Operation, "Id") => s(&ctx.operation.id),
        (Host::Operation, "Method") => s(&ctx.operation.method),
        (Host::Operation, "Name") => s(&ctx.operation.name),
        (Host::Operation, "UrlTemplate") => s(&ctx.operation.url_template),

        (Host::Deployment, "GatewayId") => s(&ctx.deployment.gateway_id),
        (Host::Deployment, "Region") => s(&ctx.deployment.region),
        (Host::Deployment, "ServiceName") => s(&ctx.deployment.service_name),
        (Host::Deployment, "Certificates") => string_dict(&[], it),

        (Host::Product, _) => {
            let Some(p) = &ctx.product else {
                return throw("NullReferenceException", NRE, span);
            };
            match name {
                "Id" => s(&p.id),
                "Name" => s(&p.name),
                "ApprovalRequired" => Value::bool(p.approval_required),
                "SubscriptionRequired" => Value::bool(p.subscription_required),
                "SubscriptionLimit" => p.subscription_limit.map_or_else(Value::null, Value::int),
                "State" => Value::new(V::Enum(
                    "ProductState",
                    Rc::from(if p.state.is_empty() {
                        "Published"
                    } else {
                        p.state.as_str()
                    }),
                )),
                "Groups" => Value::list(
                    p.groups
                        .iter()
                        .map(|g| {
                            anon(vec![
                                ("Id", Value::string(g)),
                                ("Name", Value::string(g)),
                                ("BuiltIn", Value::bool(false)),
                            ])
                        })
                        .collect(),
                    None,
                ),
                "Apis" => Value::list(Vec::new(), None),
                _ => return no_member(v, name, span),
            }
        }
        (Host::Subscription, _) => {
            let Some(sub) = &ctx.subscription else {
                return throw("NullReferenceException", NRE, span);
            };
            match name {
                "Id" => s(&sub.id),
                "Name" => s(&sub.name),
                "Key" => s(&sub.key),
                "PrimaryKey" => s(&sub.primary_key),
                "SecondaryKey" => s(&sub.secondary_key),
                "CreatedDate" => dt(sub.created_date),
                "StartDate" => sub.start_date.map_or_else(Value::null, dt),
                "EndDate" => sub.end_date.map_or_else(Value::null, dt),
                _ => return no_member(v, name, span),
            }
        }
        (Host::User, _) => {
            let Some(u) = &ctx.user else {
                return throw("NullReferenceException", NRE, span);
            };
            match name {
                "Id" => s(&u.id),
                "Email" => s(&u.email),
                "FirstName" => s(&u.first_name),
                "LastName" => s(&u.last_name),
                "Note" => s(&u.note),
                "RegistrationDate" => dt(u.registration_date),
                "Groups" => Value::list(
                    u.groups
                        .iter()
                        .map(|g| {
                            anon(vec![
                                ("Id", Value::string(g)),
                                ("Name", Value::string(g)),
                                ("BuiltIn", Value::bool(false)),
                            ])
                        })
                        .collect(),
                    None,
                ),
                "Identities" => Value::list(
                    u.identities
                        .iter()
                        .map(|(p, id)| {
                            anon(vec![
                                ("Provider", Value::string(p)),
                                ("Id", Value::string(id)),
                            ])
                        })
                        .collect(),
                    None,
                ),
                _ => return no_member(v, name, span),
            }
        }
        (Host::LastError, _) => {
            let Some(e) = &ctx.last_error else {
                return throw("NullReferenceException", NRE, span);
            };
            match name {
                "Source" => s(&e.source),
                "Reason" => s(&e.reason),
                "Message" => s(&e.message),
                "Scope" => s(&e.scope),
                "Section" => s(&e.section),
                "Path" => s(&e.path),
                "PolicyId" => s(&e.policy_id),
                _ => return no_member(v, name, span),
            }
        }
        _ => return no_member(v, name, span),
    };
    Ok(r)
}

pub(crate) fn iterate_host(it: &mut Interp, v: &Value, span: Span) -> R<Vec<Value>> {
    let _ = it;
    no_member(v, "GetEnumerator", span)
}

fn missing_key<T>(k: &str, span: Span) -> R<T> {
    throw(
        "Collections.Generic.KeyNotFoundException",
        format!("The given key '{k}' was not present in the dictionary."),
        span,
    )
}

pub(crate) fn index_get(it: &mut Interp, v: &Value, key: &Value, span: Span) -> R<Value> {
    match &v.v {
        V::Host(Host::Variables) => {
            let k = to_display(key);
            match it.ctx.variables.get(&k) {
                Some(x) => Ok(x.clone()),
                None => missing_key(&k, span),
            }
        }
        _ => no_member(v, "this[]", span),
    }
}

/// The type argument of `GetValueOrDefault<T>`, or the type of the default value.
fn wanted_type<'g>(
    generics: &'g [TypeRef],
    default: Option<&Value>,
    span: Span,
) -> Option<std::borrow::Cow<'g, TypeRef>> {
    if let Some(t) = generics.first() {
        return Some(std::borrow::Cow::Borrowed(t));
    }
    let d = default?;
    let name = match &d.v {
        V::Str(_) => "String",
        V::Int(_) => "Int32",
        V::Long(_) => "Int64",
        V::Bool(_) => "Boolean",
        V::Double(_) => "Double",
        _ => return None,
    };
    Some(std::borrow::Cow::Owned(TypeRef::simple(name, span)))
}

fn check_type(v: &Value, t: &TypeRef, span: Span) -> R<Value> {
    if matches!(v.v, V::Null) || is_instance(v, t) {
        return Ok(v.clone());
    }
    throw(
        "InvalidCastException",
        format!(
            "Unable to cast object of type '{}' to type '{}'.",
            full_type_name(v),
            full_type_of(t)
        ),
        span,
    )
}

fn full_type_of(t: &TypeRef) -> String {
    let n = canonical_type(&t.name);
    let base = match n.as_str() {
        "JObject" | "JArray" | "JToken" | "JValue" => format!("Newtonsoft.Json.Linq.{n}"),
        "IResponse" | "Jwt" => {
            format!("Microsoft.WindowsAzure.ApiManagement.Proxy.Gateway.Policies.Expressions.{n}")
        }
        _ => format!("System.{n}"),
    };
    format!("{base}{}", "[]".repeat(t.array as usize))
}

pub(crate) fn method(
    it: &mut Interp,
    v: &Value,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let V::Host(h) = &v.v else {
        return no_member(v, name, span);
    };
    match (h, name) {
        (Host::Context, "Trace") => {
            let msg = args
                .last()
                .map(|a| to_display(&a.value))
                .unwrap_or_default();
            it.ctx.traces.push(msg);
            Ok(Value::null())
        }
        (Host::Variables, "ContainsKey") => {
            let k = str_arg(args, 0, span, "key")?;
            Ok(Value::bool(it.ctx.variables.contains(k)))
        }
        (Host::Variables, "GetValueOrDefault") => {
            let k = str_arg(args, 0, span, "name")?;
            let default = arg(args, 1);
            let want = wanted_type(generics, default, span);
            match it.ctx.variables.get(k) {
                Some(x) => match &want {
                    Some(t) => check_type(x, t, span),
                    None => Ok(x.clone()),
                },
                None => Ok(match (default, &want) {
                    (Some(d), _) => d.clone(),
                    (None, Some(t)) => default_of(t),
                    (None, None) => Value::null(),
                }),
            }
        }
        (Host::Variables, "TryGetValue") => {
            let k = str_arg(args, 0, span, "key")?;
            let found = it.ctx.variables.get(k).cloned();
            let ok = found.is_some();
            it.outs = vec![found.unwrap_or_else(Value::null)];
            Ok(Value::bool(ok))
        }
        (Host::RequestBody | Host::ResponseBody, _) => {
            let req = *h == Host::RequestBody;
            let secrets_hit = |b: &Body| b.secret;
            let mut body = if req {
                it.ctx.request.body.take()
            } else {
                it.ctx.response.body.take()
            };
            let r = match body.as_mut() {
                Some(b) => {
                    let _ = secrets_hit(b);
                    read_body(it, b, name, generics, args, span)
                }
                None => throw("NullReferenceException", NRE, span),
            };
            if req {
                it.ctx.request.body = body;
            } else {
                it.ctx.response.body = body;
            }
            r
        }
        (Host::Variables, _) => linq::method(it, v, name, generics, args, span),
        _ => no_member(v, name, span),
    }
}

/// `Body.As<T>(preserveContent)` and friends. Without `preserveContent: true` the body is
/// consumed: later reads see it empty.
fn read_body(
    it: &mut Interp,
    b: &mut Body,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let preserve = named(args, "preserveContent")
        .or_else(|| arg(args, 0))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let content = if b.consumed {
        Vec::new()
    } else {
        b.content.clone()
    };
    if !preserve {
        b.consumed = true;
    }
    let text = String::from_utf8_lossy(&content).into_owned();
    let secret = b.secret || it.ctx.is_secret_text(&text);
    match name {
        "As" => {
            let t = generics
                .first()
                .map_or_else(|| "String".to_string(), |t| canonical_type(&t.name));
            let is_bytes = generics.first().is_some_and(|t| t.array > 0);
            if is_bytes {
                return Ok(Value::bytes(content, secret));
            }
            match t.as_str() {
                "String" => it.mk_str(text, secret, span),
                "JObject" | "JArray" | "JToken" => jsonlib::parse_as(it, &text, secret, &t, span),
                "XNode" | "XElement" | "XDocument" => {
                    it.charge(text.len() / 16, span)?;
                    match crate::xml::parse(&text) {
                        Ok(doc) => {
                            let n = if t == "XElement" {
                                doc.element().unwrap_or(doc)
                            } else {
                                doc
                            };
                            Ok(Value::new(V::Xml(n)).with_secret(secret))
                        }
                        Err(m) => throw("Xml.XmlException", m, span),
                    }
                }
                _ => throw(
                    "InvalidOperationException",
                    format!(
                        "Body.As<{t}>() is not supported: use string, byte[], JObject, JToken, JArray, XNode, XElement or XDocument."
                    ),
                    span,
                ),
            }
        }
        "AsFormUrlEncodedContent" => {
            let mut entries: Vec<(String, Vec<String>)> = Vec::new();
            for (k, v) in crate::context::parse_query(&text) {
                match entries.iter_mut().find(|(n, _)| *n == k) {
                    Some(slot) => slot.1.push(v),
                    None => entries.push((k, vec![v])),
                }
            }
            Ok(Value::obj(Obj::MultiMap {
                entries,
                ignore_case: false,
                type_name: "IDictionary`2",
            })
            .with_secret(secret))
        }
        _ => throw(
            "CompilationError",
            format!("'IMessageBody' does not contain a definition for '{name}'"),
            span,
        ),
    }
}

pub(crate) fn object_member(it: &mut Interp, o: &Rc<Obj>, name: &str, span: Span) -> R<Value> {
    let v = Value::new(V::Obj(o.clone()));
    let r = match &**o {
        Obj::Url(u) => match name {
            "Scheme" => host_str(it, &u.scheme),
            "Host" => host_str(it, &u.host),
            "Port" => Value::int(i32::from(u.port)),
            "Path" => host_str(it, &u.path),
            "Query" => query_value(u),
            "QueryString" => host_str(it, &u.query_string()),
            _ => return no_member(&v, name, span),
        },
        Obj::Uri(u) => {
            let s = u.to_string();
            match name {
                "AbsoluteUri" | "OriginalString" => host_str(it, &s),
                "AbsolutePath" | "LocalPath" => host_str(it, &u.path),
                "PathAndQuery" => host_str(it, &format!("{}{}", u.path, u.query_string())),
                "Query" => host_str(it, &u.query_string()),
                "Host" | "DnsSafeHost" | "IdnHost" => host_str(it, &u.host),
                "Port" => Value::int(i32::from(u.port)),
                "Scheme" => host_str(it, &u.scheme),
                "Authority" => {
                    let def = matches!((u.scheme.as_str(), u.port), ("https", 443) | ("http", 80));
                    host_str(
                        it,
                        &if def {
                            u.host.clone()
                        } else {
                            format!("{}:{}", u.host, u.port)
                        },
                    )
                }
                "Fragment" | "UserInfo" => Value::string(""),
                "IsAbsoluteUri" => Value::bool(true),
                "IsDefaultPort" => Value::bool(matches!(
                    (u.scheme.as_str(), u.port),
                    ("https", 443) | ("http", 80)
                )),
                "Segments" => {
                    let mut segs = vec!["/".to_string()];
                    let parts: Vec<&str> = u.path.trim_start_matches('/').split('/').collect();
                    let n = parts.len();
                    for (i, p) in parts.into_iter().enumerate() {
                        if p.is_empty() && i + 1 == n {
                            continue;
                        }
                        segs.push(if i + 1 < n {
                            format!("{p}/")
                        } else {
                            p.to_string()
                        });
                    }
                    Value::string_array(&segs, false)
                }
                _ => return no_member(&v, name, span),
            }
        }
        Obj::Response(r) => {
            let r = r.borrow();
            match name {
                "StatusCode" => Value::int(r.status_code),
                "StatusReason" => host_str(it, &r.status_reason),
                "Headers" => headers_value(&r.headers),
                "Body" if r.body.is_some() => Value::obj(Obj::ResponseBody(o.clone())),
                "Body" => Value::null(),
                _ => return no_member(&v, name, span),
            }
        }
        _ => return no_member(&v, name, span),
    };
    Ok(r)
}

pub(crate) fn object_method(
    it: &mut Interp,
    v: &Value,
    o: &Obj,
    name: &str,
    generics: &[TypeRef],
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    match (o, name) {
        (Obj::Url(u), "ToString") => Ok(host_str(it, &u.to_string())),
        (Obj::Url(u), "ToUri") => Ok(Value::obj(Obj::Uri(u.clone()))),
        (Obj::Uri(u), "ToString") => Ok(host_str(it, &u.to_string())),
        (Obj::Uri(u), "GetLeftPart") => {
            let part = match arg(args, 0).map(|v| &v.v) {
                Some(V::Enum(_, p)) => p.to_string(),
                _ => "Path".into(),
            };
            let mut base = u.clone();
            base.query.clear();
            let s = match part.as_str() {
                "Scheme" => format!("{}://", u.scheme),
                "Authority" => {
                    base.path = String::new();
                    base.to_string()
                }
                "Query" => u.to_string(),
                _ => base.to_string(),
            };
            Ok(host_str(it, &s))
        }
        (Obj::ResponseBody(resp), _) => {
            let Obj::Response(cell) = &**resp else {
                return no_member(v, name, span);
            };
            let mut body = cell.borrow_mut().body.take();
            let r = match body.as_mut() {
                Some(b) => read_body(it, b, name, generics, args, span),
                None => throw("NullReferenceException", NRE, span),
            };
            cell.borrow_mut().body = body;
            r
        }
        _ => no_member(v, name, span),
    }
}

/// Header/query/claim dictionaries: `GetValueOrDefault(name, default)` joins values with
/// a comma, the indexer gives `string[]`.
pub(crate) fn multimap_method(
    it: &mut Interp,
    v: &Value,
    o: &Obj,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let Obj::MultiMap {
        entries,
        ignore_case,
        ..
    } = o
    else {
        return no_member(v, name, span);
    };
    if is_multimap_lookup(name) {
        let src = Source::Entries(entries, *ignore_case);
        return multimap_lookup(it, v.secret, &src, name, args, span);
    }
    linq::method(it, v, name, &[], args, span)
}

/// The dictionary methods that only look one key up (no lambdas, nothing else read), so
/// they can read the context's headers in place: [`headers_lookup`].
pub(crate) fn is_multimap_lookup(name: &str) -> bool {
    matches!(name, "GetValueOrDefault" | "ContainsKey" | "TryGetValue")
}

fn multimap_find<'e>(
    entries: &'e [(String, Vec<String>)],
    ignore_case: bool,
    k: &str,
) -> Option<&'e Vec<String>> {
    entries
        .iter()
        .find(|(n, _)| {
            if ignore_case {
                n.eq_ignore_ascii_case(k)
            } else {
                n == k
            }
        })
        .map(|(_, vals)| vals)
}

/// Where a multimap lookup reads: a dictionary value's entries, or the context's request or
/// response headers.
enum Source<'e> {
    Entries(&'e [(String, Vec<String>)], bool),
    Headers(Host),
}

impl Source<'_> {
    fn values<'a>(&'a self, it: &'a Interp, k: &str) -> Option<&'a Vec<String>> {
        match self {
            Source::Entries(entries, ignore_case) => multimap_find(entries, *ignore_case, k),
            Source::Headers(Host::Response) => multimap_find(&it.ctx.response.headers.0, true, k),
            Source::Headers(_) => multimap_find(&it.ctx.request.headers.0, true, k),
        }
    }
}

/// `context.Request.Headers.GetValueOrDefault(…)` (or `Response`, or `ContainsKey`,
/// `TryGetValue`) without copying the headers into a dictionary value first: the same
/// answer as [`multimap_method`] on the value [`member`] gives for `Headers` (which is
/// never tainted itself).
pub(crate) fn headers_lookup(
    it: &mut Interp,
    host: Host,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    multimap_lookup(it, false, &Source::Headers(host), name, args, span)
}

/// One of the [`is_multimap_lookup`] methods on the multimap at `src`; `secret` is the
/// dictionary's own taint.
fn multimap_lookup(
    it: &mut Interp,
    secret: bool,
    src: &Source<'_>,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let taint = |it: &Interp, s: &str| secret || it.ctx.is_secret_text(s);
    match name {
        "GetValueOrDefault" => {
            let k = str_arg(args, 0, span, "name")?;
            let joined = src.values(it, k).map(|vals| match vals.as_slice() {
                [one] => {
                    let t = taint(it, one);
                    (Value::string(one).with_secret(t), one.len())
                }
                _ => {
                    let s = vals.join(",");
                    let t = taint(it, &s);
                    let n = s.len();
                    (Value::string(&s).with_secret(t), n)
                }
            });
            match joined {
                // `mk_str`'s checks, on the string already made.
                Some((v, len)) => {
                    it.check_len(len, span)?;
                    it.charge(len / 64, span)?;
                    Ok(v)
                }
                None => Ok(arg(args, 1).cloned().unwrap_or_else(Value::null)),
            }
        }
        "ContainsKey" => {
            let k = str_arg(args, 0, span, "key")?;
            Ok(Value::bool(src.values(it, k).is_some()))
        }
        "TryGetValue" => {
            let k = str_arg(args, 0, span, "key")?;
            let out = src.values(it, k).map(|vals| {
                let t = vals.iter().any(|s| taint(it, s));
                Value::string_array(vals, t)
            });
            let ok = out.is_some();
            it.outs = vec![out.unwrap_or_else(Value::null)];
            Ok(Value::bool(ok))
        }
        // Not reached: the callers ask `is_multimap_lookup` first.
        _ => no_member(&Value::null(), name, span),
    }
}
