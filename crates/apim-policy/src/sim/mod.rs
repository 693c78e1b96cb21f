//! The gateway simulator: run requests through a policy the way the APIM gateway would, with
//! the scenario's named values, mock Key Vault, mock backend and `http_mocks`, and show
//! every step.
//!
//! ```text
//! simulate(policy, &scenario, &SimOptions { reveal_secrets: false }) -> Result<SimOutput, SimError>
//! ```
//!
//! [`SimOutput`] serialises to exactly the contract's output JSON
//! (`shared/spec/cli-and-scenario.md`); each [`TraceStep`] also carries, in Rust only, the
//! element's byte span and its [`DocRef`] (the policy, a parent scope or a fragment) so the
//! editor can highlight the line. [`SimError`] means the simulation could not run: the policy
//! (or a scope document or fragment) has lint errors that stop APIM from accepting it, or the
//! scenario is unusable.
//!
//! Modules: `engine` (gateway state, sections, values, errors, HTTP to the mocks),
//! `policies` (one function per simulated policy), `llm` (the AI-gateway policies),
//! `backends` (backend entities, pools, circuit breakers), `vault` (mock Key Vault and managed
//! identities), `jwt` (JWT decoding, HS* and RS* signatures), `liquid` (set-body templates),
//! `convert` (json-to-xml, xml-to-json), `json` (an order-keeping JSON value), `output`
//! (the result types and masking).
//!
//! Determinism: no clock (times come from the scenario), no randomness except the
//! expression context's seeded generator, ordered maps only; the same scenario gives the same
//! output byte for byte.

mod backends;
mod convert;
mod engine;
use crate::json;
mod jwt;
mod liquid;
mod llm;
mod output;
mod policies;
mod vault;

pub use output::{
    DocRef, ErrorInfo, HttpRequestOut, HttpResponseOut, Masker, Outcome, RequestResult, SimError,
    SimOutput, TraceStep,
};

use crate::catalog::Section;
use crate::diagnostic::Severity;
use crate::lint::{self, LintOptions};
use crate::scenario::{self, Scenario};
use crate::time::Timestamp;
use apim_expr::{Context, DateTime, MessageBody, Url};
use engine::{Gateway, Loaded, Run, Stop};

/// How to simulate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimOptions {
    /// Show secret values instead of `***`.
    pub reveal_secrets: bool,
}

/// The policies the simulator runs faithfully; any other policy is reported in the trace as
/// not simulated and passes through.
pub const SIMULATED_POLICIES: &[&str] = &[
    "authentication-basic",
    "authentication-certificate",
    "authentication-managed-identity",
    "azure-openai-emit-token-metric",
    "azure-openai-semantic-cache-lookup",
    "azure-openai-semantic-cache-store",
    "azure-openai-token-limit",
    "base",
    "cache-lookup",
    "cache-lookup-value",
    "cache-remove-value",
    "cache-store",
    "cache-store-value",
    "check-header",
    "choose",
    "cors",
    "emit-metric",
    "find-and-replace",
    "forward-request",
    "include-fragment",
    "ip-filter",
    "json-to-xml",
    "limit-concurrency",
    "llm-content-safety",
    "llm-emit-token-metric",
    "llm-semantic-cache-lookup",
    "llm-semantic-cache-store",
    "llm-token-limit",
    "log-to-eventhub",
    "mock-response",
    "quota",
    "quota-by-key",
    "rate-limit",
    "rate-limit-by-key",
    "retry",
    "return-response",
    "rewrite-uri",
    "send-one-way-request",
    "send-request",
    "set-backend-service",
    "set-body",
    "set-header",
    "set-method",
    "set-query-parameter",
    "set-status",
    "set-variable",
    "trace",
    "validate-azure-ad-token",
    "validate-jwt",
    "wait",
    "xml-to-json",
];

/// Run the scenario's request(s) through `policy` (the innermost scope's document).
pub fn simulate(
    policy: &str,
    scenario: &Scenario,
    options: &SimOptions,
) -> Result<SimOutput, SimError> {
    let loaded = Loaded::new(scenario, policy);
    check_documents(&loaded, scenario)?;
    backends::validate(scenario).map_err(|m| plain_error(&m))?;
    let requests: Vec<&scenario::Request> = if scenario.requests.is_empty() {
        match &scenario.request {
            Some(r) => vec![r],
            None => {
                return Err(plain_error(
                    "the scenario has no request to simulate: add \"request\" (or \"requests\")",
                ));
            }
        }
    } else {
        scenario.requests.iter().collect()
    };
    // Check every request before running any, so a bad one stops the whole run up front.
    let mut prepared = Vec::new();
    for (i, req) in requests.iter().enumerate() {
        let at = engine::request_time(scenario, req).map_err(|m| plain_error(&m))?;
        let url = Url::parse(req.url.trim()).ok_or_else(|| {
            plain_error(&format!(
                "request{}.url ('{}') is not an absolute URL such as https://contoso.azure-api.net/orders/items/42",
                if scenario.requests.is_empty() {
                    String::new()
                } else {
                    format!("s[{i}]")
                },
                req.url
            ))
        })?;
        prepared.push((*req, at, url));
    }
    let mut gw = Gateway::new(scenario, loaded);
    let mut masker = Masker::new(scenario.secret_values());
    let mut results = Vec::new();
    for (i, (req, at, url)) in prepared.into_iter().enumerate() {
        let result = run_request(&mut gw, i, req, at, url);
        results.push(result);
    }
    if !options.reveal_secrets {
        for s in gw.secrets.clone() {
            masker.add(&s);
        }
        for r in &mut results {
            masker.mask_result(r);
        }
    }
    Ok(if scenario.requests.is_empty() {
        match results.pop() {
            Some(r) => SimOutput::Single(Box::new(r)),
            None => SimOutput::Many(Vec::new()),
        }
    } else {
        SimOutput::Many(results)
    })
}

/// One expression of a policy, evaluated on its own in the scenario's request context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprReport {
    /// The expression (`@(` … `)`) in the policy.
    pub span: crate::diagnostic::Span,
    /// It compiles (the C# subset parses, named values substituted).
    pub parsed: bool,
    /// The value as text, or the failure (`System.X: message`).
    pub result: Result<String, String>,
}

/// Evaluate every expression of `policy` in document order, each in the context of the
/// scenario's (first) request as the simulator builds it; `set-variable` values are stored
/// as they go, so later expressions see them. For the editor's "evaluate" view and the
/// corpus coverage numbers. Secrets are not masked here: callers mask what they show.
pub fn evaluate_expressions(
    policy: &str,
    scenario: &Scenario,
) -> Result<Vec<ExprReport>, SimError> {
    let default_req = scenario::Request {
        url: "https://contoso.azure-api.net/".into(),
        ..scenario::Request::default()
    };
    let req = scenario
        .request
        .as_ref()
        .or(scenario.requests.first())
        .unwrap_or(&default_req);
    let at = engine::request_time(scenario, req).map_err(|m| plain_error(&m))?;
    let url = Url::parse(req.url.trim())
        .ok_or_else(|| plain_error("the request's url is not an absolute URL"))?;
    let mut gw = Gateway::new(scenario, Loaded::new(scenario, policy));
    let (mut run, _) = prepare(&mut gw, 0, req, at, url);
    run.levels = run.gw.levels.clone();
    let Some(doc) = run.gw.docs.first().cloned() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (id, node) in doc.tree.nodes() {
        let (element, values): (crate::syntax::NodeId, Vec<&crate::syntax::Value>) =
            match &node.kind {
                crate::syntax::NodeKind::Element(e) => {
                    (id, e.attributes.iter().map(|a| &a.value).collect())
                }
                crate::syntax::NodeKind::Text(v) => match node.parent {
                    Some(p) => (p, vec![v]),
                    None => continue,
                },
                _ => continue,
            };
        let section = std::iter::once(element)
            .chain(doc.tree.ancestors(element))
            .filter_map(|a| doc.tree.element(a))
            .find_map(|e| Section::from_name(&e.name))
            .unwrap_or(Section::Inbound);
        let loc = engine::Loc {
            doc: doc.clone(),
            doc_index: 0,
            node: element,
            level: 0,
            section,
            path: std::rc::Rc::from(""),
            depth: 0,
        };
        // Policies that set variables without an expression of their own get a sample value,
        // so that later expressions reading them can be evaluated.
        if let crate::syntax::NodeKind::Element(el) = &node.kind {
            let var = |attr: &str| el.attribute(attr).and_then(|a| a.value.literal());
            let sample = match el.name.as_str() {
                "send-request" => var("response-variable-name").map(|n| {
                    let mut headers = apim_expr::Headers::default();
                    headers.set("Content-Type", vec!["application/json".into()]);
                    (
                        n,
                        apim_expr::Value::response(apim_expr::Response {
                            status_code: 200,
                            status_reason: "OK".into(),
                            headers,
                            body: Some(MessageBody::text(
                                r#"{"value":"sample","access_token":"sample-token","id":"1"}"#,
                            )),
                        }),
                    )
                }),
                "authentication-managed-identity" => var("output-token-variable-name")
                    .map(|n| (n, apim_expr::Value::string("sample-token"))),
                "cache-lookup-value" => {
                    var("variable-name").map(|n| (n, apim_expr::Value::string("cached-sample")))
                }
                _ => None,
            };
            if let Some((name, value)) = sample {
                run.ctx.variables.set(&name, value);
            }
            // The token limits' counters are numbers.
            if matches!(
                el.name.as_str(),
                "llm-token-limit" | "azure-openai-token-limit"
            ) {
                for attr in [
                    "remaining-tokens-variable-name",
                    "remaining-quota-tokens-variable-name",
                    "tokens-consumed-variable-name",
                    "retry-after-variable-name",
                ] {
                    if let Some(n) = var(attr) {
                        run.ctx.variables.set(&n, apim_expr::Value::long(100));
                    }
                }
            }
        }
        for v in values {
            for e in v.expressions() {
                let parsed =
                    !e.unbalanced && apim_expr::check(&e.checkable_code(), e.kind).is_empty();
                let result = match run.eval_expr(&loc, e) {
                    Ok((val, _)) => {
                        let el = doc.tree.element(element);
                        if let Some(el) = el
                            && el.name == "set-variable"
                            && let Some(name) = el.attribute("name").and_then(|a| a.value.literal())
                        {
                            run.ctx.variables.set(&name, val.clone());
                        }
                        Ok(val.to_policy_string())
                    }
                    Err(_) => Err(run
                        .trace
                        .last()
                        .map(|t| t.message.clone())
                        .unwrap_or_else(|| "failed".into())),
                };
                out.push(ExprReport {
                    span: e.span,
                    parsed,
                    result,
                });
            }
        }
    }
    Ok(out)
}

/// The secret values a scenario's output is masked with (for front ends that print other
/// text, such as error messages, about the same scenario).
pub fn masker_for(scenario: &Scenario) -> Masker {
    Masker::new(scenario.secret_values())
}

fn plain_error(message: &str) -> SimError {
    SimError {
        message: message.to_string(),
        line: None,
        column: None,
    }
}

/// The scope the POLICY document is attached at: the contract's innermost document is the
/// operation's when `scopes.api` holds the API's own document, otherwise the API's (an
/// `api.operation` alone only says which requests match; the API's policy applies to it too).
/// The gateway names the level the same way in `context.LastError.Scope`.
pub(crate) fn policy_scope(scenario: &Scenario) -> crate::catalog::Scope {
    if scenario.scopes.api.is_some() {
        crate::catalog::Scope::Operation
    } else {
        crate::catalog::Scope::Api
    }
}

/// Refuse documents that APIM would not accept (lint errors), naming the first problems.
/// Each document is linted at its own scope, on the tree the simulation then runs.
fn check_documents(loaded: &Loaded, scenario: &Scenario) -> Result<(), SimError> {
    use crate::catalog::Scope;
    let options = LintOptions::from_scenario(scenario);
    let is_fragment = loaded
        .docs
        .first()
        .is_some_and(|d| d.tree.root_element().is_some_and(|r| r.name == "fragment"));
    let mut problems = Vec::new();
    for doc in &loaded.docs {
        // Every document at an explicit scope, so that a policy APIM refuses at that scope
        // (quota in an API policy) stays an error instead of an "assumed scope" warning.
        let (name, scope) = match &doc.origin {
            // A <fragment> given as the policy: linted as one, refused below with advice.
            DocRef::Policy if is_fragment => ("the policy".to_string(), Scope::Fragment),
            DocRef::Policy => ("the policy".to_string(), policy_scope(scenario)),
            DocRef::Scope(s) => (
                format!("scopes.{s}"),
                match *s {
                    "api" => Scope::Api,
                    "product" => Scope::Product,
                    "workspace" => Scope::Workspace,
                    _ => Scope::Global,
                },
            ),
            DocRef::Fragment(f) => (format!("fragment '{f}'"), Scope::Fragment),
            // APIM's own default global policy.
            DocRef::Gateway => continue,
        };
        let opts = options.clone().with_scope(scope);
        let index = crate::text::LineIndex::new(&doc.source);
        for d in lint::check(&doc.tree, &doc.source, &opts) {
            if d.severity == Severity::Error {
                let lc = index.line_col(d.span.start);
                problems.push(format!(
                    "{name}, line {}, column {}: {} [{}]",
                    lc.line, lc.column, d.message, d.code
                ));
            }
        }
    }
    if problems.is_empty() && is_fragment {
        problems.push(
            "the policy is a <fragment>: simulate a <policies> document that includes it with include-fragment".into(),
        );
    }
    if problems.is_empty() {
        return Ok(());
    }
    let total = problems.len();
    problems.truncate(10);
    let mut message = format!(
        "the simulation cannot run: APIM would not accept the document ({total} error{}):",
        if total == 1 { "" } else { "s" }
    );
    for p in &problems {
        message.push_str("\n  ");
        message.push_str(p);
    }
    if total > problems.len() {
        message.push_str(&format!("\n  … and {} more", total - problems.len()));
    }
    Err(plain_error(&message))
}

fn to_datetime(t: Timestamp) -> DateTime {
    let s = DateTime::from_unix_seconds(t.seconds);
    DateTime {
        ticks: s.ticks.saturating_add(i64::from(t.millis) * 10_000),
    }
}

/// The subscription key a request carries, and whether it came in the query.
fn subscription_key(req: &scenario::Request, url: &Url) -> Option<(String, bool)> {
    if let Some(v) = req
        .headers
        .get("Ocp-Apim-Subscription-Key")
        .and_then(|v| v.first())
    {
        return Some((v.clone(), false));
    }
    url.query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("subscription-key"))
        .map(|(_, v)| (v.clone(), true))
}

/// Match a path against an operation's URL template; the template parameters on success.
fn match_template(
    template: &str,
    path: &str,
    query: &[(String, String)],
) -> Option<Vec<(String, String)>> {
    let (tpath, tquery) = template.split_once('?').unwrap_or((template, ""));
    let tsegs: Vec<&str> = tpath.split('/').filter(|s| !s.is_empty()).collect();
    let psegs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut params = Vec::new();
    let mut i = 0;
    for (ti, t) in tsegs.iter().enumerate() {
        if *t == "*" || t.starts_with("{*") {
            if let Some(name) = t.strip_prefix("{*").and_then(|n| n.strip_suffix('}')) {
                params.push((name.to_string(), psegs.get(i..).unwrap_or(&[]).join("/")));
            }
            return (ti + 1 == tsegs.len()).then_some(params);
        }
        let p = psegs.get(i)?;
        if let Some(name) = t.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            params.push((name.to_string(), apim_url_decode(p)));
        } else if !t.eq_ignore_ascii_case(p) {
            // A segment may mix literal text and one parameter: `items({id})`.
            let (pre, rest) = t.split_once('{')?;
            let (name, post) = rest.split_once('}')?;
            let mid = p.strip_prefix(pre)?.strip_suffix(post)?;
            params.push((name.to_string(), apim_url_decode(mid)));
        }
        i += 1;
    }
    if i != psegs.len() {
        return None;
    }
    for pair in tquery.split('&').filter(|p| !p.is_empty()) {
        if let Some((k, v)) = pair.split_once('=')
            && let Some(name) = v.strip_prefix('{').and_then(|n| n.strip_suffix('}'))
        {
            let found = query.iter().find(|(qk, _)| qk == k)?;
            params.push((name.to_string(), found.1.clone()));
        }
    }
    Some(params)
}

fn apim_url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Join a base URL and an operation path with exactly one `/`.
pub(crate) fn join_url(base: &str, path: &str) -> String {
    if path.is_empty() {
        return base.to_string();
    }
    let (base, path) = (base.trim_end_matches('/'), path.trim_start_matches('/'));
    let mut out = String::with_capacity(base.len() + 1 + path.len());
    out.push_str(base);
    out.push('/');
    out.push_str(path);
    out
}

/// What went wrong before the policies run.
struct Early {
    /// The request matches no operation (why).
    operation: Result<(), String>,
    /// The subscription check failed: (reason, message).
    subscription: Option<(String, String)>,
}

/// Build the request's context, match the operation and check the subscription.
fn prepare<'g, 's>(
    gw: &'g mut Gateway<'s>,
    index: usize,
    req: &scenario::Request,
    at: Timestamp,
    original: Url,
) -> (Run<'g, 's>, Early) {
    let sc = gw.sc;
    let mut ctx = Context::at(to_datetime(at));
    // Distinct, deterministic ids and random streams per request.
    ctx.request_id ^= (index as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C834);
    ctx.random_state = ctx
        .random_state
        .wrapping_add((index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    ctx.secrets = gw.secrets.clone();
    let method = if req.method.trim().is_empty() {
        "GET".to_string()
    } else {
        req.method.trim().to_ascii_uppercase()
    };
    ctx.request.method = method.clone();
    ctx.request.original_url = original.clone();
    ctx.request.ip_address = req.ip.clone().unwrap_or_else(|| "203.0.113.7".into());
    ctx.request.headers = apim_expr::Headers(req.headers.0.clone());
    ctx.request.body = (!req.body.is_empty()).then(|| {
        let mut b = MessageBody::text(&req.body);
        b.secret = gw.secrets.iter().any(|s| req.body.contains(s.as_str()));
        b
    });
    if let Some(api) = &sc.api {
        ctx.api = apim_expr::Api {
            id: api.name.clone(),
            name: api.name.clone(),
            path: api.path.trim_matches('/').to_string(),
            revision: api.revision.clone().unwrap_or_else(|| "1".into()),
            version: api.version.clone().unwrap_or_default(),
            is_current_revision: true,
            service_url: api.service_url.as_deref().and_then(Url::parse),
        };
        if let Some(op) = &api.operation {
            ctx.operation = apim_expr::Operation {
                id: op.name.clone(),
                method: op.method.to_ascii_uppercase(),
                name: op.name.clone(),
                url_template: op.url_template.clone(),
            };
        }
    }
    let now = at;
    let mut run = Run::new(gw, ctx, now);
    run.content_safety = match (&req.content_safety, &sc.content_safety) {
        (Some(v), _) => Some((v.clone(), true)),
        (None, Some(v)) => Some((v.clone(), false)),
        (None, None) => None,
    };
    // `{method} {url} from {ip} at {time}`, written in place.
    let mut msg =
        String::with_capacity(method.len() + req.url.len() + run.ctx.request.ip_address.len() + 64);
    msg.push_str(&method);
    msg.push(' ');
    original.write_into(&mut msg);
    msg.push_str(" from ");
    msg.push_str(&run.ctx.request.ip_address);
    msg.push_str(" at ");
    now.write_rfc3339(&mut msg);
    run.gstep("gateway", "request", msg);

    // Operation matching.
    let preflight = method == "OPTIONS"
        && req.headers.get("Origin").is_some()
        && req.headers.get("Access-Control-Request-Method").is_some();
    let mut op_path = original.path.clone();
    let mut matched = Ok(());
    if let Some(api) = &sc.api {
        let api_path = api.path.trim_matches('/');
        let rest = if api_path.is_empty() {
            Some(original.path.as_str())
        } else {
            // `/{api path}` or `/{api path}/…`, ASCII case-insensitively.
            let path = original.path.as_bytes();
            let under = path.first() == Some(&b'/')
                && path
                    .get(1..=api_path.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(api_path.as_bytes()))
                && matches!(path.get(api_path.len() + 1), None | Some(b'/'));
            if under {
                original.path.get(api_path.len() + 1..)
            } else {
                None
            }
        };
        match rest {
            None => {
                matched = Err(format!(
                    "the path {} is not below the API's path /{api_path}",
                    original.path
                ))
            }
            Some(rest) => {
                op_path = rest.to_string();
                if let Some(op) = &api.operation {
                    let want = if preflight {
                        req.headers
                            .get("Access-Control-Request-Method")
                            .and_then(|v| v.first())
                            .map(|m| m.trim().to_ascii_uppercase())
                            .unwrap_or_default()
                    } else {
                        method.clone()
                    };
                    let op_method = op.method.trim().to_ascii_uppercase();
                    let method_ok = op_method == want || op_method == "*";
                    match match_template(&op.url_template, rest, &original.query) {
                        Some(params) if method_ok => {
                            // `matched operation {name} ({method} {template})[ for the CORS
                            // preflight][; k = v, …]`, written in place.
                            let mut msg = String::with_capacity(
                                op.name.len()
                                    + op_method.len()
                                    + op.url_template.len()
                                    + params
                                        .iter()
                                        .map(|(k, v)| k.len() + v.len() + 5)
                                        .sum::<usize>()
                                    + 48,
                            );
                            msg.push_str("matched operation ");
                            msg.push_str(&op.name);
                            msg.push_str(" (");
                            msg.push_str(&op_method);
                            msg.push(' ');
                            msg.push_str(&op.url_template);
                            msg.push(')');
                            if preflight {
                                msg.push_str(" for the CORS preflight");
                            }
                            for (i, (k, v)) in params.iter().enumerate() {
                                msg.push_str(if i == 0 { "; " } else { ", " });
                                msg.push_str(k);
                                msg.push_str(" = ");
                                msg.push_str(v);
                            }
                            run.gstep("gateway", "operation", msg);
                            run.ctx.request.matched_parameters = params;
                        }
                        _ => {
                            matched = Err(format!(
                                "{want} {rest} does not match the operation {} ({op_method} {})",
                                op.name, op.url_template
                            ))
                        }
                    }
                } else {
                    run.gstep(
                        "gateway",
                        "operation",
                        format!(
                            "matched API {} (path /{api_path}); the scenario names no operation",
                            api.name
                        ),
                    );
                }
            }
        }
    }

    // Subscription.
    let key = subscription_key(req, &original);
    let mut sub_error: Option<(String, String)> = None;
    let required = sc.api.as_ref().is_some_and(|a| a.subscription_required);
    let mut applies = false;
    match (&key, &sc.subscription) {
        (Some((k, q)), Some(s)) if !s.key.is_empty() && *k == s.key => {
            applies = true;
            run.subscription_key_query = *q;
            run.gstep(
                "gateway",
                "subscription",
                format!(
                    "subscription key of '{}' accepted{}",
                    s.name,
                    sc.product
                        .as_ref()
                        .map(|p| format!(" (product {})", p.name))
                        .unwrap_or_default()
                ),
            );
        }
        (Some(_), _) if required => {
            sub_error = Some((
                "SubscriptionKeyInvalid".into(),
                "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.".into(),
            ));
        }
        (None, _) if required => {
            sub_error = Some((
                "SubscriptionKeyNotFound".into(),
                "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.".into(),
            ));
        }
        (Some(_), _) => run.gstep(
            "gateway",
            "subscription",
            "the request carries a subscription key that matches no subscription of the scenario; the API does not require one, so it runs anonymously",
        ),
        (None, _) => {}
    }
    if let Some((_, true)) = &key {
        run.subscription_key_query = true;
    }
    let with_product = applies || sc.subscription.is_none();
    if applies && let Some(s) = &sc.subscription {
        let created = to_datetime(Timestamp::from_seconds(1_735_689_600));
        run.ctx.subscription = Some(apim_expr::Subscription {
            id: s.id.clone(),
            name: s.name.clone(),
            key: s.key.clone(),
            primary_key: s.key.clone(),
            secondary_key: String::new(),
            created_date: created,
            start_date: Some(created),
            end_date: None,
        });
    }
    if with_product {
        if let Some(p) = &sc.product {
            run.ctx.product = Some(apim_expr::Product {
                id: p.id.clone().unwrap_or_else(|| p.name.clone()),
                name: p.name.clone(),
                approval_required: false,
                subscription_required: true,
                subscription_limit: None,
                state: "Published".into(),
                groups: Vec::new(),
            });
        }
        if let Some(u) = &sc.user {
            run.ctx.user = Some(apim_expr::User {
                id: u.id.clone(),
                email: u.email.clone().unwrap_or_default(),
                first_name: u.first_name.clone().unwrap_or_default(),
                last_name: u.last_name.clone().unwrap_or_default(),
                note: String::new(),
                registration_date: to_datetime(Timestamp::from_seconds(1_735_689_600)),
                groups: u.groups.clone(),
                identities: vec![(
                    "Basic".into(),
                    u.email.clone().unwrap_or_else(|| u.id.clone()),
                )],
            });
        }
    }
    // The effective scopes: the product's policy applies only to requests made under it.
    run.levels = run
        .gw
        .levels
        .iter()
        .filter(|l| l.scope != "product" || run.ctx.product.is_some())
        .cloned()
        .collect();

    // The backend URL: service URL + operation path + query.
    let (base, path) = match sc.api.as_ref().and_then(|a| a.service_url.clone()) {
        Some(s) => (s, op_path.clone()),
        None if sc.api.is_none() => (
            format!(
                "{}://{}{}",
                original.scheme,
                original.host,
                port_suffix(&original)
            ),
            original.path.clone(),
        ),
        None => ("https://backend.invalid".to_string(), op_path.clone()),
    };
    run.base_url = base;
    run.op_path = path;
    // The subscription key is the gateway's: it is not forwarded in the query either.
    let query: Vec<(String, String)> = original
        .query
        .iter()
        .filter(|(k, _)| {
            !(run.subscription_key_query && k.eq_ignore_ascii_case("subscription-key"))
        })
        .cloned()
        .collect();
    policies::set_backend_url(&mut run, query);
    run.reserve_hinted();

    (
        run,
        Early {
            operation: matched,
            subscription: sub_error,
        },
    )
}

fn run_request(
    gw: &mut Gateway<'_>,
    index: usize,
    req: &scenario::Request,
    at: Timestamp,
    original: Url,
) -> RequestResult {
    let sc = gw.sc;
    let (mut run, early) = prepare(gw, index, req, at, original.clone());
    let matched = early.operation;
    let sub_error = early.subscription;
    // Errors before the policies run: on-error still runs (global, product, API scopes).
    if let Err(why) = matched {
        run.error_response(404, "Resource not found", &[]);
        let info = ErrorInfo {
            source: "configuration".into(),
            reason: "OperationNotFound".into(),
            message: "Unable to match incoming request to an operation.".into(),
            scope: "api".into(),
            section: "inbound".into(),
            path: String::new(),
            policy_id: String::new(),
        };
        run.gstep(
            "gateway",
            "operation",
            format!("error OperationNotFound: {why}"),
        );
        // The operation's own document does not apply to a request that matched no operation.
        if sc.scopes.api.is_some() && !run.levels.is_empty() {
            run.levels.remove(0);
        }
        return on_error(run, info);
    }
    if let Some((reason, message)) = sub_error {
        let api_path = sc
            .api
            .as_ref()
            .map(|a| a.path.trim_matches('/').to_string())
            .unwrap_or_default();
        let realm = format!("{}://{}/{}", original.scheme, original.host, api_path);
        run.error_response(
            401,
            &message,
            &[(
                "WWW-Authenticate",
                format!("AzureApiManagementKey realm=\"{realm}\",name=\"Ocp-Apim-Subscription-Key\",type=\"header\""),
            )],
        );
        run.gstep(
            "gateway",
            "subscription",
            format!("error {reason}: {message}"),
        );
        let info = ErrorInfo {
            source: "authorization".into(),
            reason,
            message,
            scope: "api".into(),
            section: "inbound".into(),
            path: String::new(),
            policy_id: String::new(),
        };
        return on_error(run, info);
    }

    // inbound → backend → outbound
    let mut outcome = Outcome::Forwarded;
    match run.run_section(0, Section::Inbound, 0) {
        Ok(()) => {
            match run.run_section(0, Section::Backend, 0) {
                Ok(()) => {}
                Err(Stop::Return) => return finish_returned(run),
                Err(Stop::CacheHit) => {}
                Err(Stop::Error(e)) => return on_error(run, *e),
            }
            if !run.forwarded {
                if !run.gateway_answered {
                    run.gstep(
                        "backend",
                        "forward-request",
                        "no forward-request ran in the effective backend section: the backend was not called",
                    );
                }
                outcome = Outcome::Returned;
            }
        }
        Err(Stop::Return) => return finish_returned(run),
        Err(Stop::CacheHit) => outcome = Outcome::Returned,
        Err(Stop::Error(e)) => return on_error(run, *e),
    }
    match run.run_section(0, Section::Outbound, 0) {
        Ok(()) | Err(Stop::CacheHit) => {}
        Err(Stop::Return) => {
            let outcome = if run.forwarded {
                Outcome::Forwarded
            } else {
                Outcome::Returned
            };
            return run.finish(outcome, None);
        }
        Err(Stop::Error(e)) => return on_error(run, *e),
    }
    run.finish(outcome, None)
}

fn port_suffix(u: &Url) -> String {
    match (u.scheme.as_str(), u.port) {
        ("https", 443) | ("http", 80) => String::new(),
        (_, p) => format!(":{p}"),
    }
}

fn finish_returned(run: Run<'_, '_>) -> RequestResult {
    let outcome = if run.forwarded {
        Outcome::Forwarded
    } else {
        Outcome::Returned
    };
    run.finish(outcome, None)
}

/// Run on-error with `context.LastError` set, then finish with outcome `error`.
fn on_error(mut run: Run<'_, '_>, info: ErrorInfo) -> RequestResult {
    run.ctx.last_error = Some(apim_expr::LastError {
        source: info.source.clone(),
        reason: info.reason.clone(),
        message: info.message.clone(),
        scope: info.scope.clone(),
        section: info.section.clone(),
        path: info.path.clone(),
        policy_id: info.policy_id.clone(),
    });
    let mut error = info;
    match run.run_section(0, Section::OnError, 0) {
        Ok(()) | Err(Stop::Return) | Err(Stop::CacheHit) => {}
        Err(Stop::Error(e2)) => {
            run.gstep(
                "on-error",
                "on-error",
                "an error in on-error ends the request with the gateway's default error response",
            );
            error = *e2;
        }
    }
    run.finish(Outcome::Error, Some(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match() {
        assert_eq!(
            match_template("/items/{id}", "/items/42", &[]),
            Some(vec![("id".into(), "42".into())])
        );
        assert_eq!(match_template("/items/{id}", "/items/42/x", &[]), None);
        assert_eq!(match_template("/items", "/ITEMS", &[]), Some(vec![]));
        assert_eq!(
            match_template("/files/{*path}", "/files/a/b", &[]),
            Some(vec![("path".into(), "a/b".into())])
        );
        assert_eq!(
            match_template("/search?q={query}", "/search", &[("q".into(), "x".into())]),
            Some(vec![("query".into(), "x".into())])
        );
        assert_eq!(match_template("/", "/", &[]), Some(vec![]));
    }

    #[test]
    fn urls_join_with_one_slash() {
        assert_eq!(
            join_url("https://b/api/", "/items/1"),
            "https://b/api/items/1"
        );
        assert_eq!(join_url("https://b/api", "items"), "https://b/api/items");
        assert_eq!(join_url("https://b/api", ""), "https://b/api");
    }
}
