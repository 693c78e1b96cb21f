//! Import: read the policies (and named values) out of an ARM template or an APIOps artifacts
//! folder, so existing infrastructure can be pasted into the playground.
//!
//! ARM templates ([`import_arm`]): resources of the five policy types anywhere, nested
//! `resources` and inner `Microsoft.Resources/deployments` templates included, with their scope
//! and names. Names are evaluated when they use only `parameters()` (with a default),
//! `variables()`, `format()` and `concat()`; otherwise the name is shown as written. A policy
//! *value* must be a literal string: one that is an ARM expression (`[concat(…)]`,
//! `[parameters(…)]` …) is reported as not importable, since the document only exists once ARM
//! evaluates it. Linked policies (`xml-link`, `rawxml-link`) are reported the same way.
//!
//! Formats: `rawxml` values are returned exactly as stored. `xml` values (the default format)
//! are strict XML, with the policy expressions entity-escaped; they are returned as APIM's
//! `rawxml` view shows them: the expression bodies unescaped (`@(a &amp;&amp; b)` becomes
//! `@(a && b)`) and every literal part of the XML kept exactly as written (entities included).
//! A document whose expressions were not escaped comes back unchanged; so does one whose
//! unescaped form would not read back cleanly (with a warning), so nothing is ever lost.
//!
//! APIOps folders ([`import_apiops`]): the extractor's layout (`policy.xml`,
//! `apis/<api>/policy.xml`, `apis/<api>/operations/<op>/policy.xml`, `products/<p>/policy.xml`,
//! `policy fragments/<name>/policy.xml`, `named values/<name>/namedValueInformation.json`),
//! given as (relative path, content) pairs so that the core stays I/O-free. APIOps stores
//! policies as rawxml.

use super::{Scope, codes};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::syntax;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// What an import found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Import {
    pub policies: Vec<ImportedPolicy>,
    pub named_values: Vec<ImportedNamedValue>,
    /// Policies that could not be imported (errors), conversions and notes. Their spans are
    /// empty; the message says which resource or file.
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedPolicy {
    pub scope: Scope,
    pub service: Option<String>,
    pub product: Option<String>,
    pub api: Option<String>,
    pub operation: Option<String>,
    pub fragment: Option<String>,
    /// How the template stored it.
    pub format: PolicyFormat,
    /// The document as APIM's rawxml view (and the playground's editor) shows it.
    pub xml: String,
    /// Where it was found: `resources[2]`, `resources[0].resources[1]`, `apis/orders/policy.xml`.
    pub source: String,
    /// The `{{named values}}` the document references, in order.
    pub named_value_refs: Vec<String>,
}

impl ImportedPolicy {
    /// "api 'orders' of service 'apim'", for headings.
    pub fn describe(&self) -> String {
        let q = |s: &Option<String>| format!("'{}'", s.as_deref().unwrap_or("?"));
        let what = match self.scope {
            Scope::Global => "global policy".to_string(),
            Scope::Product => format!("policy of product {}", q(&self.product)),
            Scope::Api => format!("policy of API {}", q(&self.api)),
            Scope::Operation => format!(
                "policy of operation {} of API {}",
                q(&self.operation),
                q(&self.api)
            ),
            Scope::Fragment => format!("policy fragment {}", q(&self.fragment)),
        };
        match &self.service {
            Some(s) => format!("{what} (service '{s}')"),
            None => what,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyFormat {
    Rawxml,
    Xml,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedNamedValue {
    /// The resource name (id).
    pub name: String,
    /// What `{{…}}` refers to.
    pub display_name: String,
    pub value: ImportedValue,
    pub tags: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ImportedValue {
    Plain {
        value: String,
    },
    /// A secret. Its value is never returned, even when the template spells it out.
    Secret {
        /// The parameter it comes from, when it does.
        parameter: Option<String>,
    },
    KeyVault {
        secret_identifier: String,
        /// As written (a client id, or an ARM expression that yields one).
        identity_client_id: Option<String>,
    },
    /// A value computed at deployment time, as written.
    Expression {
        expression: String,
    },
}

fn problem(code: &'static str, severity: Severity, message: String) -> Diagnostic {
    Diagnostic::new(code, severity, Span::default(), message)
}

// ---------------------------------------------------------------------------------------------
// ARM expressions (just enough to read resource names)

/// What an ARM template's `parameters()` and `variables()` give.
#[derive(Default)]
struct Context {
    parameters: BTreeMap<String, Option<Value>>,
    variables: BTreeMap<String, Value>,
}

impl Context {
    fn of(template: &Value, given: Option<&Value>) -> Context {
        let mut ctx = Context::default();
        if let Some(Value::Object(params)) = template.get("parameters") {
            for (name, p) in params {
                let passed = given
                    .and_then(|g| g.get(name))
                    .and_then(|p| p.get("value"))
                    .cloned();
                let default = p.get("defaultValue").cloned();
                ctx.parameters
                    .insert(name.to_ascii_lowercase(), passed.or(default));
            }
        }
        if let Some(Value::Object(vars)) = template.get("variables") {
            for (name, v) in vars {
                ctx.variables.insert(name.to_ascii_lowercase(), v.clone());
            }
        }
        ctx
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Ident(String),
    Open,
    Close,
    Comma,
    Other(char),
}

fn tokens(text: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {}
            '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next()? {
                        '\'' if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        '\'' => break,
                        c => s.push(c),
                    }
                }
                out.push(Token::Str(s));
            }
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            ',' => out.push(Token::Comma),
            c if c.is_alphanumeric() || c == '_' => {
                let mut s = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' || n == '-' {
                        s.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Ident(s));
            }
            c => out.push(Token::Other(c)),
        }
    }
    Some(out)
}

/// The first function an expression calls (for messages).
fn first_function(expression: &str) -> String {
    let body = expression.trim_start_matches('[');
    let name: String = body
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        "an expression".into()
    } else {
        format!("{name}()")
    }
}

struct Evaluator<'a> {
    ctx: &'a Context,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 32;

impl Evaluator<'_> {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn value(&mut self) -> Result<String, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("the expression nests too deeply".into());
        }
        let result = match self.next() {
            Some(Token::Str(s)) => Ok(s),
            Some(Token::Ident(name)) => {
                if self.next() != Some(Token::Open) {
                    return Err(format!("'{name}' is not a function call"));
                }
                let mut args = Vec::new();
                if self.tokens.get(self.pos) == Some(&Token::Close) {
                    self.pos += 1;
                } else {
                    loop {
                        args.push(self.value()?);
                        match self.next() {
                            Some(Token::Comma) => {}
                            Some(Token::Close) => break,
                            _ => return Err(format!("{name}() is not closed")),
                        }
                    }
                }
                self.call(&name, &args)
            }
            _ => Err("unexpected text".into()),
        };
        self.depth -= 1;
        match self.tokens.get(self.pos) {
            Some(Token::Other('.' | '[')) => Err("property access is not evaluated".into()),
            _ => result,
        }
    }

    fn call(&mut self, name: &str, args: &[String]) -> Result<String, String> {
        match name.to_ascii_lowercase().as_str() {
            "parameters" => {
                let key = args.first().ok_or("parameters() needs a name")?;
                match self.ctx.parameters.get(&key.to_ascii_lowercase()) {
                    Some(Some(Value::String(s))) => self.literal_or_nested(s),
                    // Unknown at import time: show where the value comes from.
                    _ => Ok(format!("[parameters('{key}')]")),
                }
            }
            "variables" => {
                let key = args.first().ok_or("variables() needs a name")?;
                match self.ctx.variables.get(&key.to_ascii_lowercase()) {
                    Some(Value::String(s)) => self.literal_or_nested(s),
                    _ => Err(format!("variables('{key}') is not a string")),
                }
            }
            "concat" => Ok(args.concat()),
            "format" => {
                let (fmt, rest) = args.split_first().ok_or("format() needs a format string")?;
                Ok(dotnet_format(fmt, rest))
            }
            other => Err(format!("{other}() is not evaluated")),
        }
    }

    /// A parameter default or variable may itself be an expression.
    fn literal_or_nested(&mut self, s: &str) -> Result<String, String> {
        match classify(s) {
            Str::Literal(l) => Ok(l),
            Str::Expression(body) => {
                let mut inner = Evaluator {
                    ctx: self.ctx,
                    tokens: tokens(&body).ok_or("unterminated string")?,
                    pos: 0,
                    depth: self.depth + 1,
                };
                if inner.depth > MAX_DEPTH {
                    return Err("the expression nests too deeply".into());
                }
                inner.value()
            }
        }
    }
}

/// `format()`'s .NET composite formatting: `{0}`, `{1}` and the `{{`/`}}` escapes.
fn dotnet_format(fmt: &str, args: &[String]) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut index = String::new();
                for n in chars.by_ref() {
                    if n == '}' {
                        break;
                    }
                    index.push(n);
                }
                let i: Option<usize> = index
                    .split([',', ':'])
                    .next()
                    .and_then(|s| s.trim().parse().ok());
                match i.and_then(|i| args.get(i)) {
                    Some(a) => out.push_str(a),
                    None => {
                        out.push('{');
                        out.push_str(&index);
                        out.push('}');
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

enum Str {
    Literal(String),
    /// The expression's body, without the brackets.
    Expression(String),
}

/// ARM's rule: a string that starts with `[` and ends with `]` is an expression, unless it
/// starts with `[[`, which stands for a literal `[`.
fn classify(s: &str) -> Str {
    if s.starts_with('[') && s.ends_with(']') {
        if let Some(rest) = s.strip_prefix("[[") {
            return Str::Literal(format!("[{rest}"));
        }
        return Str::Expression(s.get(1..s.len() - 1).unwrap_or_default().to_string());
    }
    Str::Literal(s.to_string())
}

/// A name or other string, evaluated when possible; otherwise shown as written.
fn evaluate(s: &str, ctx: &Context) -> String {
    match classify(s) {
        Str::Literal(l) => l,
        Str::Expression(body) => {
            let Some(tokens) = tokens(&body) else {
                return s.to_string();
            };
            let mut e = Evaluator {
                ctx,
                tokens,
                pos: 0,
                depth: 0,
            };
            match e.value() {
                Ok(v) if e.pos >= e.tokens.len() => v,
                _ => s.to_string(),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Policy documents

/// The `xml` format's document as APIM's rawxml view shows it (see the module docs).
fn xml_to_raw(value: &str) -> (String, bool) {
    let doc = syntax::parse(value);
    let mut escaped: Vec<(Span, &str)> = doc
        .expressions()
        .into_iter()
        .filter(|e| e.escaped)
        .map(|e| (e.code_span, e.code.as_str()))
        .collect();
    if escaped.is_empty() {
        return (value.to_string(), true);
    }
    escaped.sort_by_key(|(span, _)| span.start);
    let mut out = String::with_capacity(value.len());
    let mut at = 0;
    for (span, code) in escaped {
        let Some(before) = value.get(at..span.start) else {
            return (value.to_string(), false);
        };
        out.push_str(before);
        out.push_str(code);
        at = span.end;
    }
    out.push_str(value.get(at..).unwrap_or_default());
    let errors = |d: &syntax::Document| {
        d.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    };
    if errors(&syntax::parse(&out)) > errors(&doc) {
        return (value.to_string(), false);
    }
    (out, true)
}

fn refs_of(xml: &str) -> Vec<String> {
    let doc = syntax::parse(xml);
    let mut out: Vec<String> = Vec::new();
    for r in doc.named_value_refs() {
        if !out.iter().any(|n| n.eq_ignore_ascii_case(&r.name)) {
            out.push(r.name.clone());
        }
    }
    out
}

/// A fragment's value without its `<fragment>` wrapper (as the REST API's responses show it)
/// gets the wrapper back, so the playground reads it as a fragment.
fn wrap_fragment(xml: String, source: &str, diagnostics: &mut Vec<Diagnostic>) -> String {
    let doc = syntax::parse(&xml);
    if doc.root_element().is_some_and(|r| r.name == "fragment") {
        return xml;
    }
    diagnostics.push(problem(
        codes::FRAGMENT_WRAPPED,
        Severity::Info,
        format!("{source}: the fragment's value has no <fragment> root (the REST API returns it that way); wrapped in <fragment>…</fragment>"),
    ).with_help("Nothing to do in the playground; a file deployed as a fragment should keep the <fragment> root."));
    format!("<fragment>\n{}\n</fragment>", xml.trim())
}

// ---------------------------------------------------------------------------------------------
// ARM templates

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Policy(Scope),
    NamedValue,
    Unsupported,
    Other,
}

fn kind_of(full_type: &str) -> Kind {
    match full_type.to_ascii_lowercase().as_str() {
        "microsoft.apimanagement/service/policies" => Kind::Policy(Scope::Global),
        "microsoft.apimanagement/service/products/policies" => Kind::Policy(Scope::Product),
        "microsoft.apimanagement/service/apis/policies" => Kind::Policy(Scope::Api),
        "microsoft.apimanagement/service/apis/operations/policies" => {
            Kind::Policy(Scope::Operation)
        }
        "microsoft.apimanagement/service/policyfragments" => Kind::Policy(Scope::Fragment),
        "microsoft.apimanagement/service/namedvalues"
        | "microsoft.apimanagement/service/properties" => Kind::NamedValue,
        t if t.starts_with("microsoft.apimanagement/service/")
            && (t.ends_with("/policies") || t.ends_with("/policyfragments")) =>
        {
            Kind::Unsupported
        }
        _ => Kind::Other,
    }
}

struct ArmReader {
    out: Import,
}

/// Read an ARM template's policies and named values (or those of a bare array of resources,
/// such as an exported snippet). `Err` when the text is not a template (not JSON, or no
/// `resources`) or holds nothing importable and nothing reportable.
pub fn import_arm(text: &str) -> Result<Import, Vec<Diagnostic>> {
    let text = text.trim_start_matches('\u{feff}');
    let template: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let offset = offset_of(text, e.line(), e.column());
            return Err(vec![
                Diagnostic::error(
                    codes::NOT_A_TEMPLATE,
                    Span::new(offset, (offset + 1).min(text.len())),
                    format!("not JSON: {e}"),
                )
                .with_help("Import an ARM template (JSON): compile Bicep first with az bicep build, and import an APIOps artifacts folder as a folder."),
            ]);
        }
    };
    // A bare array of resources (an exported snippet) reads as a template holding them.
    let template = match template {
        Value::Array(resources) => serde_json::json!({ "resources": resources }),
        other => other,
    };
    if template.get("resources").is_none() {
        return Err(vec![
            problem(
                codes::NOT_A_TEMPLATE,
                Severity::Error,
                "not an ARM template: it has no \"resources\"".into(),
            )
            .with_help("Import the template itself (a parameters file is not one) or a JSON array of resources."),
        ]);
    }
    let mut reader = ArmReader {
        out: Import::default(),
    };
    let ctx = Context::of(&template, None);
    reader.template(&template, &ctx, "", 0);
    finish(reader.out, "the template")
}

fn finish(import: Import, what: &str) -> Result<Import, Vec<Diagnostic>> {
    if import.policies.is_empty()
        && import
            .diagnostics
            .iter()
            .all(|d| d.severity != Severity::Error)
    {
        let mut diagnostics = import.diagnostics;
        diagnostics.push(problem(
            codes::NOTHING_FOUND,
            Severity::Error,
            format!("{what} holds no API Management policy or policy fragment"),
        ).with_help("Import the template or folder that deploys the policies (linked templates are not followed), or extract the service with APIOps."));
        return Err(diagnostics);
    }
    Ok(import)
}

/// Byte offset of serde_json's 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (offset + column.saturating_sub(1)).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

impl ArmReader {
    fn template(&mut self, template: &Value, ctx: &Context, prefix: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match template.get("resources") {
            Some(Value::Array(list)) => {
                for (i, r) in list.iter().enumerate() {
                    self.resource(r, None, ctx, &format!("{prefix}resources[{i}]"), depth);
                }
            }
            // languageVersion 2.0: resources keyed by symbolic name.
            Some(Value::Object(map)) => {
                for (key, r) in map {
                    if r.get("existing").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    self.resource(r, None, ctx, &format!("{prefix}resources['{key}']"), depth);
                }
            }
            _ => {}
        }
    }

    fn resource(
        &mut self,
        r: &Value,
        parent: Option<(&str, &[String])>,
        ctx: &Context,
        source: &str,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(rtype) = r.get("type").and_then(Value::as_str) else {
            return;
        };
        let full_type = match parent {
            Some((parent_type, _)) if !rtype.contains('/') => format!("{parent_type}/{rtype}"),
            _ => rtype.to_string(),
        };
        let own: Vec<String> = r
            .get("name")
            .and_then(Value::as_str)
            .map(|n| evaluate(n, ctx).split('/').map(str::to_string).collect())
            .unwrap_or_default();
        // A child's name has one segment per type segment after the namespace; a nested child
        // usually gives only its own.
        let expected = full_type.split('/').count().saturating_sub(1);
        let segments: Vec<String> = match parent {
            Some((_, parent_segments)) if own.len() < expected => {
                let mut s = parent_segments.to_vec();
                s.extend(own);
                s
            }
            _ => own,
        };
        match kind_of(&full_type) {
            Kind::Policy(scope) => self.policy(r, scope, &segments, source),
            Kind::NamedValue => self.named_value(r, &segments, ctx, source),
            Kind::Unsupported => self.out.diagnostics.push(problem(
                codes::UNSUPPORTED_SCOPE,
                Severity::Warning,
                format!("{source}: {full_type} is a scope the playground does not model; skipped"),
            ).with_help("To check it anyway, paste its document into the editor and choose the closest scope.")),
            Kind::Other => {}
        }
        if full_type.eq_ignore_ascii_case("Microsoft.Resources/deployments")
            && let Some(inner) = r.get("properties").and_then(|p| p.get("template"))
        {
            let given = r.get("properties").and_then(|p| p.get("parameters"));
            let inner_ctx = Context::of(inner, given);
            self.template(
                inner,
                &inner_ctx,
                &format!("{source}.properties.template."),
                depth + 1,
            );
        }
        if let Some(Value::Array(children)) = r.get("resources") {
            for (i, child) in children.iter().enumerate() {
                self.resource(
                    child,
                    Some((&full_type, &segments)),
                    ctx,
                    &format!("{source}.resources[{i}]"),
                    depth + 1,
                );
            }
        }
    }

    fn policy(&mut self, r: &Value, scope: Scope, segments: &[String], source: &str) {
        let props = r.get("properties");
        let get = |key: &str| props.and_then(|p| p.get(key));
        // Before API version 2019-01-01 the properties were policyContent and contentFormat.
        let value = get("value").or_else(|| get("policyContent"));
        let format = get("format")
            .or_else(|| get("contentFormat"))
            .and_then(Value::as_str)
            .unwrap_or("xml")
            .to_ascii_lowercase();
        let seg = |i: usize| segments.get(i).cloned();
        let mut policy = ImportedPolicy {
            scope,
            service: seg(0),
            product: None,
            api: None,
            operation: None,
            fragment: None,
            format: PolicyFormat::Rawxml,
            xml: String::new(),
            source: source.to_string(),
            named_value_refs: Vec::new(),
        };
        match scope {
            Scope::Product => policy.product = seg(1),
            Scope::Api => policy.api = seg(1),
            Scope::Operation => {
                policy.api = seg(1);
                policy.operation = seg(2);
            }
            Scope::Fragment => policy.fragment = seg(1),
            Scope::Global => {}
        }
        let what = format!("{source} ({})", policy.describe());
        let Some(Value::String(raw)) = value else {
            self.out.diagnostics.push(problem(
                codes::UNREADABLE_RESOURCE,
                Severity::Error,
                format!("{what}: properties.value is missing or not a string"),
            ).with_help("Give the policy document as a string in properties.value (with format rawxml)."));
            return;
        };
        if format.ends_with("-link") {
            self.out.diagnostics.push(problem(
                codes::LINKED_POLICY,
                Severity::Error,
                format!("{what}: the policy is linked ({format}: {raw}), not in the template; download it and open the file instead"),
            ).with_help("Open the downloaded document in the editor, or put it in the template (format rawxml, the document as value) and import that."));
            return;
        }
        let text = match classify(raw) {
            Str::Literal(l) => l,
            Str::Expression(_) => {
                self.out.diagnostics.push(
                    problem(
                        codes::EXPRESSION_VALUE,
                        Severity::Error,
                        format!(
                            "{what}: not importable, the policy value is an ARM expression using {}, so the document only exists once ARM evaluates it",
                            first_function(raw)
                        ),
                    )
                    .with_help("Deploy it and export the policy from APIM (or the portal), or replace the expression with the document text (loadTextContent in Bicep does that)."),
                );
                return;
            }
        };
        let text = if format == "xml" {
            policy.format = PolicyFormat::Xml;
            let (converted, clean) = xml_to_raw(&text);
            if !clean {
                self.out.diagnostics.push(problem(
                    codes::XML_FORMAT_KEPT,
                    Severity::Warning,
                    format!("{what}: the xml-format document's expressions could not be unescaped safely; returned as written (entity-escaped)"),
                ).with_help("Lint the imported document to find the broken expression; when fixing the template, prefer format rawxml."));
            }
            converted
        } else {
            text
        };
        policy.xml = if scope == Scope::Fragment {
            wrap_fragment(text, &what, &mut self.out.diagnostics)
        } else {
            text
        };
        policy.named_value_refs = refs_of(&policy.xml);
        self.out.policies.push(policy);
    }

    fn named_value(&mut self, r: &Value, segments: &[String], ctx: &Context, source: &str) {
        let props = r.get("properties");
        let get = |key: &str| props.and_then(|p| p.get(key));
        let name = segments.get(1).cloned().unwrap_or_default();
        let display_name = get("displayName")
            .and_then(Value::as_str)
            .map_or_else(|| name.clone(), |d| evaluate(d, ctx));
        let secret = get("secret").and_then(Value::as_bool).unwrap_or(false);
        let tags = match get("tags") {
            Some(Value::Array(t)) => t
                .iter()
                .filter_map(Value::as_str)
                .map(|t| evaluate(t, ctx))
                .collect(),
            _ => Vec::new(),
        };
        let value = if let Some(kv) = get("keyVault").filter(|kv| kv.is_object()) {
            let text = |key: &str| {
                kv.get(key)
                    .and_then(Value::as_str)
                    .map(|s| match classify(s) {
                        Str::Literal(l) => l,
                        Str::Expression(_) => s.to_string(),
                    })
            };
            ImportedValue::KeyVault {
                secret_identifier: text("secretIdentifier").unwrap_or_default(),
                identity_client_id: text("identityClientId"),
            }
        } else {
            match get("value").and_then(Value::as_str) {
                None if secret => ImportedValue::Secret { parameter: None },
                None => ImportedValue::Expression {
                    expression: String::new(),
                },
                Some(v) => match classify(v) {
                    Str::Literal(_) if secret => {
                        self.out.diagnostics.push(problem(
                            codes::LITERAL_SECRET,
                            Severity::Warning,
                            format!("{source}: the secret named value '{display_name}' is written literally in the template (not shown); pass it as a securestring parameter"),
                        ).with_help("Pass it as a securestring parameter, or better make it Key Vault-backed; and rotate the secret, since it has been exposed."));
                        ImportedValue::Secret { parameter: None }
                    }
                    Str::Literal(l) => ImportedValue::Plain { value: l },
                    Str::Expression(body) if secret => ImportedValue::Secret {
                        parameter: single_parameter(&body),
                    },
                    Str::Expression(_) => {
                        let evaluated = evaluate(v, ctx);
                        if evaluated == v || evaluated.contains("[parameters(") {
                            ImportedValue::Expression {
                                expression: v.to_string(),
                            }
                        } else {
                            ImportedValue::Plain { value: evaluated }
                        }
                    }
                },
            }
        };
        self.out.named_values.push(ImportedNamedValue {
            name,
            display_name,
            value,
            tags,
            source: source.to_string(),
        });
    }
}

/// `parameters('x')` → `x`.
fn single_parameter(body: &str) -> Option<String> {
    match tokens(body)?.as_slice() {
        [Token::Ident(f), Token::Open, Token::Str(name), Token::Close]
            if f.eq_ignore_ascii_case("parameters") =>
        {
            Some(name.clone())
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// APIOps

/// Read an APIOps artifacts folder, given as (path relative to the artifacts root, content)
/// pairs (`/` or `\` separators). Files APIOps writes for other resources are ignored.
pub fn import_apiops(files: &[(String, String)]) -> Result<Import, Vec<Diagnostic>> {
    let mut out = Import::default();
    let mut sorted: Vec<(String, &str)> = files
        .iter()
        .map(|(p, c)| {
            let path = p.replace('\\', "/");
            let path = path
                .trim_start_matches("./")
                .trim_start_matches('/')
                .to_string();
            (path, c.trim_start_matches('\u{feff}'))
        })
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut workspaces_seen = false;
    for (path, content) in sorted {
        let parts: Vec<&str> = path.split('/').collect();
        let policy = |scope: Scope| ImportedPolicy {
            scope,
            service: None,
            product: None,
            api: None,
            operation: None,
            fragment: None,
            format: PolicyFormat::Rawxml,
            xml: content.to_string(),
            source: path.clone(),
            named_value_refs: refs_of(content),
        };
        match parts.as_slice() {
            ["policy.xml"] => out.policies.push(policy(Scope::Global)),
            ["apis", api, "policy.xml"] => out.policies.push(ImportedPolicy {
                api: Some((*api).to_string()),
                ..policy(Scope::Api)
            }),
            ["apis", api, "operations", op, "policy.xml"] => out.policies.push(ImportedPolicy {
                api: Some((*api).to_string()),
                operation: Some((*op).to_string()),
                ..policy(Scope::Operation)
            }),
            ["products", product, "policy.xml"] => out.policies.push(ImportedPolicy {
                product: Some((*product).to_string()),
                ..policy(Scope::Product)
            }),
            ["policy fragments", name, "policy.xml"] => {
                let mut p = ImportedPolicy {
                    fragment: Some((*name).to_string()),
                    ..policy(Scope::Fragment)
                };
                p.xml = wrap_fragment(p.xml, &path, &mut out.diagnostics);
                p.named_value_refs = refs_of(&p.xml);
                out.policies.push(p);
            }
            ["named values", name, "namedValueInformation.json"] => {
                apiops_named_value(name, content, &path, &mut out);
            }
            ["workspaces", ..] if !workspaces_seen => {
                workspaces_seen = true;
                out.diagnostics.push(problem(
                    codes::UNSUPPORTED_SCOPE,
                    Severity::Warning,
                    "workspaces/…: workspace artifacts are a scope the playground does not model; skipped".into(),
                ).with_help("To check a workspace's policy anyway, open its policy.xml in the editor and choose the closest scope."));
            }
            ["workspaces", ..] => {}
            [.., last] if last.eq_ignore_ascii_case("policy.xml") => out.diagnostics.push(problem(
                codes::UNREADABLE_RESOURCE,
                Severity::Error,
                format!("{path}: not where APIOps keeps a policy (policy.xml, apis/<api>/…, products/<product>/…, policy fragments/<name>/…); skipped"),
            ).with_help("Move it to where APIOps keeps the policy of its scope, or open the file in the editor directly.")),
            _ => {}
        }
    }
    finish(out, "the folder")
}

fn apiops_named_value(name: &str, content: &str, path: &str, out: &mut Import) {
    let parsed: Result<Value, _> = serde_json::from_str(content);
    let Ok(json) = parsed else {
        out.diagnostics.push(
            problem(
                codes::UNREADABLE_RESOURCE,
                Severity::Error,
                format!("{path}: not valid JSON; skipped"),
            )
            .with_help(
                "Fix the file: APIOps writes {\"properties\": {\"displayName\": …, \"value\": …}}.",
            ),
        );
        return;
    };
    let props = json.get("properties").unwrap_or(&json);
    let get = |key: &str| props.get(key);
    let display_name = get("displayName")
        .and_then(Value::as_str)
        .unwrap_or(name)
        .to_string();
    let secret = get("secret").and_then(Value::as_bool).unwrap_or(false);
    let value = if let Some(kv) = get("keyVault").filter(|k| k.is_object()) {
        ImportedValue::KeyVault {
            secret_identifier: kv
                .get("secretIdentifier")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            identity_client_id: kv
                .get("identityClientId")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    } else if secret {
        if get("value").is_some() {
            out.diagnostics.push(problem(
                codes::LITERAL_SECRET,
                Severity::Warning,
                format!("{path}: the secret named value '{display_name}' is stored in the file (not shown)"),
            ).with_help("Keep the secret out of the folder: make the named value Key Vault-backed, or supply its value when deploying; and rotate the secret, since it has been exposed."));
        }
        ImportedValue::Secret { parameter: None }
    } else {
        ImportedValue::Plain {
            value: get("value")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }
    };
    let tags = match get("tags") {
        Some(Value::Array(t)) => t
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    out.named_values.push(ImportedNamedValue {
        name: name.to_string(),
        display_name,
        value,
        tags,
        source: path.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context::of(
            &serde_json::json!({
                "parameters": {"apimName": {"type": "string", "defaultValue": "svc"},
                               "api": {"type": "string"}},
                "variables": {"v": "[concat('a', 'b')]"}
            }),
            None,
        )
    }

    #[test]
    fn names_evaluate_the_common_functions() {
        let c = ctx();
        assert_eq!(
            evaluate(
                "[format('{0}/{1}/{2}', parameters('apimName'), 'orders', 'policy')]",
                &c
            ),
            "svc/orders/policy"
        );
        assert_eq!(
            evaluate("[concat(parameters('apimName'), '/', variables('v'))]", &c),
            "svc/ab"
        );
        assert_eq!(
            evaluate("[format('{0}/x', parameters('api'))]", &c),
            "[parameters('api')]/x"
        );
        assert_eq!(evaluate("[[literal]", &c), "[literal]");
        assert_eq!(evaluate("[tolower('X')]", &c), "[tolower('X')]");
        assert_eq!(
            evaluate("[format('it''s {{0}} {0}', 'x')]", &c),
            "it's {0} x"
        );
        assert_eq!(evaluate("plain/name", &c), "plain/name");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("[{}'x'{}]", "concat(".repeat(200), ")".repeat(200));
        assert_eq!(evaluate(&deep, &ctx()), deep);
    }

    #[test]
    fn xml_format_expressions_are_unescaped_and_literals_kept() {
        let xml = "<policies><inbound><choose><when condition=\"@(context.Request.Headers.GetValueOrDefault(&quot;a&quot;,&quot;&quot;) != &quot;&quot; &amp;&amp; 1 &lt; 2)\"><set-header name=\"x\" exists-action=\"override\"><value>a &amp; b</value></set-header></when></choose></inbound></policies>";
        let (raw, clean) = xml_to_raw(xml);
        assert!(clean);
        assert_eq!(
            raw,
            "<policies><inbound><choose><when condition=\"@(context.Request.Headers.GetValueOrDefault(\"a\",\"\") != \"\" && 1 < 2)\"><set-header name=\"x\" exists-action=\"override\"><value>a &amp; b</value></set-header></when></choose></inbound></policies>"
        );
        let plain = "<policies><inbound><base /></inbound></policies>";
        assert_eq!(xml_to_raw(plain), (plain.to_string(), true));
    }
}
