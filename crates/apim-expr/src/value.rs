//! Runtime values: the .NET objects an expression can hold, each with a taint flag.
//!
//! **Taint**: every [`Value`] has a `secret` flag. A value computed from a secret operand is
//! secret too (strings, bytes, numbers, collections, JSON built from it). Two exceptions keep
//! the masking useful: `bool` results (comparisons, `Contains`, …) and sizes/positions
//! (`Length`, `Count`, `IndexOf`) are never secret. Mutable containers (lists, dictionaries,
//! StringBuilder, JSON nodes, byte arrays) keep the taint of what was put into them, so
//! [`Value::is_secret`] looks inside them.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::ast::Lambda;
use crate::context::{Response, Url};
use crate::json::JNode;
use crate::time;
use crate::xml::XNode;

/// A runtime value with its taint flag.
#[derive(Clone, Debug)]
pub struct Value {
    pub(crate) v: V,
    pub(crate) secret: bool,
}

pub(crate) type Shared<T> = Rc<RefCell<T>>;

/// How deep recursive walks (taint, `ToString`) look into nested values.
const MAX_WALK_DEPTH: usize = 48;

#[derive(Clone, Debug)]
pub(crate) enum V {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    Decimal(f64),
    Char(char),
    Str(Rc<str>),
    /// Ticks (100 ns) since 0001-01-01, UTC.
    DateTime(i64),
    /// Ticks since 0001-01-01 UTC, offset always +00:00.
    DateTimeOffset(i64),
    TimeSpan(i64),
    Guid(u128),
    Bytes(Shared<Bytes>),
    List(Shared<List>),
    Dict(Shared<Dict>),
    Json(JNode),
    Xml(XNode),
    Obj(Rc<Obj>),
    Lambda(Rc<Lambda>),
    /// A type name used as a value: the target of a static member access.
    Type(Rc<str>),
    /// A namespace prefix (`System`, `System.Text`): resolves to a type on member access.
    Namespace(Rc<str>),
    /// An enum member, e.g. `StringComparison.OrdinalIgnoreCase`.
    Enum(&'static str, Rc<str>),
    /// A view of the host's [`crate::Context`].
    Host(Host),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Bytes {
    pub data: Vec<u8>,
    pub secret: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct List {
    pub items: Vec<Value>,
    /// `Some(element type)` for arrays (fixed size), `None` for `List<T>` / sequences.
    pub array_of: Option<Rc<str>>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Dict {
    pub entries: Vec<(Value, Value)>,
    pub ignore_case: bool,
    /// Element type names for ToString/type checks.
    pub types: (Rc<str>, Rc<str>),
}

/// Parts of the context object model that expressions reach through `context.`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Host {
    Context,
    Request,
    Response,
    Variables,
    RequestBody,
    ResponseBody,
    Api,
    Operation,
    Product,
    Subscription,
    User,
    Deployment,
    LastError,
}

/// Host and library objects.
#[derive(Debug)]
pub(crate) enum Obj {
    /// Headers, URL query, JWT claims: name → values, `GetValueOrDefault` joins with `,`.
    MultiMap {
        entries: Vec<(String, Vec<String>)>,
        ignore_case: bool,
        type_name: &'static str,
    },
    Url(Url),
    Uri(Url),
    /// `IResponse` (send-request's response variable); shared so its body can be consumed.
    Response(RefCell<Response>),
    /// The body of an `IResponse` value.
    ResponseBody(Rc<Obj>),
    Jwt(crate::stdlib::Jwt),
    Basic {
        user: String,
        password: String,
    },
    StringBuilder(RefCell<(String, bool)>),
    Regex(crate::stdlib::RegexObj),
    Match(crate::stdlib::MatchObj),
    Group(crate::stdlib::GroupObj),
    Hasher(crate::stdlib::Hasher),
    Random(RefCell<u64>),
    Encoding(&'static str),
    Pair(Value, Value),
    Anon(Vec<(String, Value)>),
    StringComparer(bool),
    XNamespace(String),
    XName(String, String),
    /// A thrown or constructed exception: type (full name) and message.
    Exception(String, String),
    /// `Match.Groups`: (name, group) in group-number order.
    Groups(Vec<(String, crate::stdlib::GroupObj)>),
    /// An element of `GroupBy`: the key and the items.
    Grouping(Value, Vec<Value>),
}

impl Value {
    pub(crate) fn new(v: V) -> Self {
        Value { v, secret: false }
    }
    pub(crate) fn with_secret(mut self, secret: bool) -> Self {
        self.secret |= secret;
        self
    }
    pub fn null() -> Self {
        Value::new(V::Null)
    }
    pub fn bool(b: bool) -> Self {
        Value::new(V::Bool(b))
    }
    pub fn int(i: i32) -> Self {
        Value::new(V::Int(i))
    }
    pub fn long(i: i64) -> Self {
        Value::new(V::Long(i))
    }
    pub fn double(d: f64) -> Self {
        Value::new(V::Double(d))
    }
    pub fn string(s: &str) -> Self {
        Value::new(V::Str(Rc::from(s)))
    }
    /// A string the host knows is secret (a secret named value, a Key Vault secret).
    pub fn secret_string(s: &str) -> Self {
        Value::string(s).with_secret(true)
    }
    pub(crate) fn obj(o: Obj) -> Self {
        Value::new(V::Obj(Rc::new(o)))
    }
    pub(crate) fn list(items: Vec<Value>, array_of: Option<&str>) -> Self {
        Value::new(V::List(Rc::new(RefCell::new(List {
            items,
            array_of: array_of.map(Rc::from),
        }))))
    }
    pub(crate) fn bytes(data: Vec<u8>, secret: bool) -> Self {
        Value::new(V::Bytes(Rc::new(RefCell::new(Bytes { data, secret })))).with_secret(secret)
    }
    pub(crate) fn string_array(items: &[String], secret: bool) -> Self {
        Value::list(
            items
                .iter()
                .map(|s| Value::string(s).with_secret(secret))
                .collect(),
            Some("String"),
        )
    }

    /// A JSON value parsed from text (`JToken.Parse`), for the host's own variables.
    pub fn json(text: &str) -> Result<Self, String> {
        crate::json::parse(text, &[])
            .map(|n| Value::new(V::Json(n)))
            .map_err(|e| e.message)
    }

    /// An `IResponse` (what `send-request` stores in its response variable).
    pub fn response(r: Response) -> Self {
        Value::obj(Obj::Response(RefCell::new(r)))
    }

    /// If this value is an `IResponse`, a copy of it (its body as it is now: maybe consumed).
    pub fn as_response(&self) -> Option<Response> {
        match &self.v {
            V::Obj(o) => match &**o {
                Obj::Response(r) => Some(r.borrow().clone()),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.v, V::Null)
    }

    /// `Some(b)` for a `bool` (or a JSON boolean); what `<when condition>` needs.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.v {
            V::Bool(b) => Some(*b),
            V::Json(j) => j.as_bool(),
            _ => None,
        }
    }

    /// The string if this is a `string` (not a conversion).
    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.v {
            V::Int(i) => Some(i64::from(*i)),
            V::Long(i) => Some(*i),
            V::Json(j) => j.as_i64(),
            _ => None,
        }
    }

    /// Is this value (or anything inside it) derived from a secret?
    #[inline]
    pub fn is_secret(&self) -> bool {
        if self.secret {
            return true;
        }
        // Only containers have insides to look at (most values are strings and numbers);
        // the walk's budget is this call's own, so skipping it for the rest changes nothing.
        if !matches!(
            self.v,
            V::Bytes(_) | V::List(_) | V::Dict(_) | V::Json(_) | V::Obj(_)
        ) {
            return false;
        }
        let mut budget = 10_000usize;
        self.deep_secret(&mut budget)
    }

    pub(crate) fn deep_secret(&self, budget: &mut usize) -> bool {
        self.deep_secret_at(budget, 0)
    }

    fn deep_secret_at(&self, budget: &mut usize, depth: usize) -> bool {
        if self.secret {
            return true;
        }
        if *budget == 0 || depth > MAX_WALK_DEPTH {
            return false;
        }
        *budget -= 1;
        match &self.v {
            V::Bytes(b) => b.borrow().secret,
            V::List(l) => l
                .borrow()
                .items
                .iter()
                .any(|v| v.deep_secret_at(budget, depth + 1)),
            V::Dict(d) => d.borrow().entries.iter().any(|(k, v)| {
                k.deep_secret_at(budget, depth + 1) || v.deep_secret_at(budget, depth + 1)
            }),
            V::Json(j) => j.deep_secret(budget),
            V::Obj(o) => match &**o {
                Obj::StringBuilder(sb) => sb.borrow().1,
                Obj::Pair(a, b) => {
                    a.deep_secret_at(budget, depth + 1) || b.deep_secret_at(budget, depth + 1)
                }
                Obj::Anon(f) => f.iter().any(|(_, v)| v.deep_secret_at(budget, depth + 1)),
                Obj::Response(r) => r.borrow().body.as_ref().is_some_and(|b| b.secret),
                _ => false,
            },
            _ => false,
        }
    }

    /// How APIM turns an expression's result into an attribute or text value: .NET
    /// `ToString()`, with `null` as the empty string.
    pub fn to_policy_string(&self) -> String {
        to_display(self)
    }

    /// The .NET type name, e.g. `String`, `Int32`, `JObject`.
    pub fn type_name(&self) -> String {
        type_name(self)
    }
    /// [`Value::type_name`] without a copy for the types whose names are fixed (all but
    /// arrays and exceptions).
    pub fn type_name_str(&self) -> Cow<'static, str> {
        type_name_cow(self)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::string(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::string(&s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::bool(b)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::int(i)
    }
}

/// .NET's short type names (`System.` dropped).
pub(crate) fn type_name(v: &Value) -> String {
    type_name_cow(v).into_owned()
}

/// [`type_name`], borrowed for every type but arrays and exceptions.
pub(crate) fn type_name_cow(v: &Value) -> Cow<'static, str> {
    match &v.v {
        V::Null => "null".into(),
        V::Bool(_) => "Boolean".into(),
        V::Int(_) => "Int32".into(),
        V::Long(_) => "Int64".into(),
        V::Double(_) => "Double".into(),
        V::Decimal(_) => "Decimal".into(),
        V::Char(_) => "Char".into(),
        V::Str(_) => "String".into(),
        V::DateTime(_) => "DateTime".into(),
        V::DateTimeOffset(_) => "DateTimeOffset".into(),
        V::TimeSpan(_) => "TimeSpan".into(),
        V::Guid(_) => "Guid".into(),
        V::Bytes(_) => "Byte[]".into(),
        V::List(l) => match &l.borrow().array_of {
            Some(t) => format!("{t}[]").into(),
            None => "List`1".into(),
        },
        V::Dict(_) => "Dictionary`2".into(),
        V::Json(j) => j.type_name().into(),
        V::Xml(x) => x.type_name().into(),
        V::Lambda(_) => "Func`2".into(),
        V::Type(_) | V::Namespace(_) => "Type".into(),
        V::Enum(t, _) => (*t).into(),
        V::Host(h) => match h {
            Host::Context => "IProxyRequestContext",
            Host::Request => "IRequest",
            Host::Response => "IResponse",
            Host::Variables => "IReadOnlyDictionary`2",
            Host::RequestBody | Host::ResponseBody => "IMessageBody",
            Host::Api => "IApi",
            Host::Operation => "IOperation",
            Host::Product => "IProduct",
            Host::Subscription => "ISubscription",
            Host::User => "IUser",
            Host::Deployment => "IDeployment",
            Host::LastError => "ProxyError",
        }
        .into(),
        V::Obj(o) => match &**o {
            Obj::MultiMap { type_name, .. } => *type_name,
            Obj::Url(_) => "IUrl",
            Obj::Uri(_) => "Uri",
            Obj::Response(_) => "IResponse",
            Obj::ResponseBody(_) => "IMessageBody",
            Obj::Jwt(_) => "Jwt",
            Obj::Basic { .. } => "BasicAuthCredentials",
            Obj::StringBuilder(_) => "StringBuilder",
            Obj::Regex(_) => "Regex",
            Obj::Match(_) => "Match",
            Obj::Group(_) => "Group",
            Obj::Hasher(h) => h.type_name(),
            Obj::Random(_) => "Random",
            Obj::Encoding(_) => "Encoding",
            Obj::Pair(..) => "KeyValuePair`2",
            Obj::Anon(_) => "<>f__AnonymousType",
            Obj::StringComparer(_) => "StringComparer",
            Obj::XNamespace(_) => "XNamespace",
            Obj::XName(..) => "XName",
            Obj::Exception(t, _) => {
                return t
                    .rsplit('.')
                    .next()
                    .unwrap_or("Exception")
                    .to_string()
                    .into();
            }
            Obj::Groups(_) => "GroupCollection",
            Obj::Grouping(..) => "Grouping`2",
        }
        .into(),
    }
}

/// `Object.ToString()` as .NET prints it (null: empty string).
pub(crate) fn to_display(v: &Value) -> String {
    to_display_at(v, 0)
}

fn to_display_at(v: &Value, depth: usize) -> String {
    if depth > MAX_WALK_DEPTH {
        return "…".into();
    }
    match &v.v {
        V::Null => String::new(),
        V::Bool(true) => "True".into(),
        V::Bool(false) => "False".into(),
        V::Int(i) => i.to_string(),
        V::Long(i) => i.to_string(),
        V::Double(d) => fmt_double(*d),
        V::Decimal(d) => fmt_decimal(*d),
        V::Char(c) => c.to_string(),
        V::Str(s) => String::from(&**s),
        V::DateTime(t) => time::format_datetime(*t, "G", false),
        V::DateTimeOffset(t) => time::format_datetime(*t, "G", true),
        V::TimeSpan(t) => time::format_timespan(*t),
        V::Guid(g) => fmt_guid(*g, 'D'),
        V::Bytes(_) => "System.Byte[]".into(),
        V::List(l) => match &l.borrow().array_of {
            Some(t) => format!("System.{t}[]"),
            None => "System.Collections.Generic.List`1[System.Object]".into(),
        },
        V::Dict(d) => {
            let d = d.borrow();
            format!(
                "System.Collections.Generic.Dictionary`2[System.{},System.{}]",
                d.types.0, d.types.1
            )
        }
        V::Json(j) => j.to_display(),
        V::Xml(x) => x.to_xml_string(),
        V::Lambda(_) => "System.Func`2".into(),
        V::Type(t) | V::Namespace(t) => String::from(&**t),
        V::Enum(_, n) => String::from(&**n),
        V::Host(_) => format!(
            "Microsoft.WindowsAzure.ApiManagement.Proxy.{}",
            type_name(v)
        ),
        V::Obj(o) => match &**o {
            Obj::Url(u) => u.to_string(),
            Obj::Uri(u) => u.to_string(),
            Obj::StringBuilder(sb) => sb.borrow().0.clone(),
            Obj::Match(m) => m.value.clone(),
            Obj::Group(g) => g.value.clone(),
            Obj::Regex(r) => r.pattern.clone(),
            Obj::Pair(k, val) => format!(
                "[{}, {}]",
                to_display_at(k, depth + 1),
                to_display_at(val, depth + 1)
            ),
            Obj::Anon(fields) => {
                let mut s = String::from("{ ");
                for (i, (n, val)) in fields.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    let _ = write!(s, "{n} = {}", to_display_at(val, depth + 1));
                }
                s.push_str(" }");
                s
            }
            Obj::XNamespace(n) => n.clone(),
            Obj::XName(ns, n) if ns.is_empty() => n.clone(),
            Obj::XName(ns, n) => format!("{{{ns}}}{n}"),
            Obj::Encoding(e) => format!("System.Text.{e}"),
            Obj::Exception(t, m) => format!("{t}: {m}"),
            _ => format!("System.{}", type_name(v)),
        },
    }
}

/// `Guid.ToString(format)`: `D` (default), `N`, `B`, `P`.
pub(crate) fn fmt_guid(g: u128, f: char) -> String {
    let h = format!("{g:032x}");
    let d = format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or(""),
        h.get(8..12).unwrap_or(""),
        h.get(12..16).unwrap_or(""),
        h.get(16..20).unwrap_or(""),
        h.get(20..32).unwrap_or("")
    );
    match f.to_ascii_uppercase() {
        'N' => h,
        'B' => format!("{{{d}}}"),
        'P' => format!("({d})"),
        _ => d,
    }
}

/// `double.ToString()` as .NET Core 3.0+ prints it: the shortest round-trip digits, in
/// scientific notation (`1E+20`, `1E-05`) when the exponent is ≥ 15 or < -5.
pub fn fmt_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "∞".into() } else { "-∞".into() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.2345e20".
    let sci = format!("{d:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..15).contains(&exp) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let _ = write!(out, "E{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return out;
    }
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            let (a, b) = digits.split_at(int_len);
            out.push_str(a);
            out.push('.');
            out.push_str(b);
        }
    }
    out
}

/// `decimal.ToString()`: plain digits, never an exponent.
pub fn fmt_decimal(d: f64) -> String {
    let s = fmt_double(d);
    if !s.contains('E') {
        return s;
    }
    let mut s = format!("{d:.10}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

// ---------- iterative drops ----------
//
// Expressions can nest values arbitrarily deep with a loop (`l = new List<object> { l }`);
// dropping such a chain recursively would overflow the stack. These `Drop`s move the
// children of containers they solely own onto a work list instead.

/// Move the children of `v` out if nobody else holds its container.
fn drain_into(v: &mut Value, out: &mut Vec<Value>) {
    match &mut v.v {
        V::List(l) if Rc::strong_count(l) == 1 => {
            if let Ok(mut l) = l.try_borrow_mut() {
                out.append(&mut l.items);
            }
        }
        V::Dict(d) if Rc::strong_count(d) == 1 => {
            if let Ok(mut d) = d.try_borrow_mut() {
                for (k, x) in d.entries.drain(..) {
                    out.push(k);
                    out.push(x);
                }
            }
        }
        V::Obj(o) => {
            if let Some(o) = Rc::get_mut(o) {
                o.drain_into(out);
            }
        }
        _ => {}
    }
}

fn drop_all(mut stack: Vec<Value>) {
    while let Some(mut v) = stack.pop() {
        drain_into(&mut v, &mut stack);
        // `v` is dropped here with its children already moved out.
    }
}

impl Drop for List {
    fn drop(&mut self) {
        if !self.items.is_empty() {
            drop_all(std::mem::take(&mut self.items));
        }
    }
}

impl Drop for Dict {
    fn drop(&mut self) {
        if !self.entries.is_empty() {
            let mut stack = Vec::with_capacity(self.entries.len() * 2);
            for (k, v) in self.entries.drain(..) {
                stack.push(k);
                stack.push(v);
            }
            drop_all(stack);
        }
    }
}

impl Obj {
    fn drain_into(&mut self, out: &mut Vec<Value>) {
        match self {
            Obj::Pair(a, b) => {
                out.push(std::mem::replace(a, Value::null()));
                out.push(std::mem::replace(b, Value::null()));
            }
            Obj::Anon(f) => out.extend(f.drain(..).map(|(_, v)| v)),
            Obj::Grouping(k, items) => {
                out.push(std::mem::replace(k, Value::null()));
                out.append(items);
            }
            _ => {}
        }
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        let mut stack = Vec::new();
        self.drain_into(&mut stack);
        if !stack.is_empty() {
            drop_all(stack);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_dotnet() {
        for (d, s) in [
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e20, "1E+20"),
            (1e15, "1E+15"),
            (1e14, "100000000000000"),
            (123456789012345680000.0, "1.2345678901234568E+20"),
            (0.0001, "0.0001"),
            (0.00001, "1E-05"),
            (-2.5, "-2.5"),
            (3.0, "3"),
            (1.0 / 3.0, "0.3333333333333333"),
            (f64::MAX, "1.7976931348623157E+308"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(fmt_double(d), s);
        }
    }

    #[test]
    fn guid_formats() {
        let g = 0x0123456789abcdef0123456789abcdefu128;
        assert_eq!(fmt_guid(g, 'D'), "01234567-89ab-cdef-0123-456789abcdef");
        assert_eq!(fmt_guid(g, 'N'), "0123456789abcdef0123456789abcdef");
        assert_eq!(fmt_guid(g, 'B'), "{01234567-89ab-cdef-0123-456789abcdef}");
    }

    #[test]
    fn type_names_are_borrowed_when_fixed() {
        let values = [
            Value::null(),
            Value::bool(true),
            Value::int(1),
            Value::long(2),
            Value::string("s"),
            Value::string_array(&["a".to_string()], false),
            Value::list(Vec::new(), None),
            Value::obj(Obj::Exception("System.FormatException".into(), "m".into())),
        ];
        for v in &values {
            assert_eq!(v.type_name_str(), v.type_name());
        }
        assert!(matches!(
            Value::int(1).type_name_str(),
            Cow::Borrowed("Int32")
        ));
        assert_eq!(values[5].type_name_str(), "String[]");
        assert_eq!(values[7].type_name_str(), "FormatException");
    }

    #[test]
    fn secrets_are_found_in_values_and_inside_containers() {
        assert!(!Value::string("a").is_secret());
        assert!(Value::secret_string("a").is_secret());
        assert!(!Value::int(3).is_secret());
        assert!(Value::int(3).with_secret(true).is_secret());
        let inside = Value::list(vec![Value::int(1), Value::secret_string("s")], None);
        assert!(!inside.secret && inside.is_secret());
        assert!(!Value::list(vec![Value::string("x")], None).is_secret());
        assert!(Value::bytes(vec![1], true).is_secret());
    }
}
