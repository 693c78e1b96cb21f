//! The gateway: state shared by a scenario's requests, and the run of one request through
//! the effective policy (scopes, sections, `<base/>`, fragments, errors, on-error).
//!
//! Evaluation order follows APIM (reference notes §0, §4): the innermost document's section
//! runs, `<base/>` runs the next broader scope's same section in place; inbound → backend
//! (the backend is called only by a `forward-request` in the effective backend section) →
//! outbound; any error skips the rest and runs on-error with `context.LastError` filled, over
//! the gateway's default error response (`{"statusCode": …, "message": …}`).
//! Policy-specific code is in `policies.rs`; this file has what every policy needs: values,
//! expressions, named values, trace steps, errors and HTTP calls to the mocks.

use super::output::{
    DocRef, ErrorInfo, HttpRequestOut, HttpResponseOut, Outcome, RequestResult, TraceStep,
};
use super::vault;
use crate::catalog::Section;
use crate::diagnostic::Span;
use crate::scenario::{self, Scenario};
use crate::syntax::{self, Document, Element, Expression, NodeId, NodeKind, Segment};
use crate::time::{Timestamp, parse_rfc3339};
use apim_expr::{Context, Limits, MessageBody, Parsed, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// Most policy executions in one request (retry loops and includes are bounded by it).
const MAX_POLICY_RUNS: u64 = 20_000;
/// Deepest nesting of `<base/>`, fragments, `choose` and other containers.
const MAX_DEPTH: usize = 64;

/// A parsed document with where it came from, and what every run of it needs to know about
/// its elements, worked out once when the scenario is loaded rather than at each step of
/// each request.
pub(crate) struct Doc {
    pub source: String,
    pub tree: Document,
    pub origin: DocRef,
    line_starts: Vec<usize>,
    /// Per node: the nearest element at or above it that is a policy.
    policy_of: Vec<Option<NodeId>>,
    /// Per node: its name as the catalog spells it, for a policy element (trace steps
    /// borrow it).
    catalog_name: Vec<Option<&'static str>>,
    /// Per node: its child elements (empty for other nodes).
    children: Vec<Vec<Child>>,
    /// Per node: its `LastError.Path` when the run reaches it from its section or fragment
    /// root (the same rule as [`Run::children`] applies at run time).
    paths: Vec<Rc<str>>,
    /// Per node: a section, `<fragment>` or `<policies>`: its children's paths start afresh.
    restarts: Vec<bool>,
}

/// A child element, with its `LastError.Path` segment.
struct Child {
    node: NodeId,
    /// `set-header[2]`, the name and its position among same-named siblings, for a policy,
    /// `when` or `otherwise` (the elements that add a segment to the path).
    seg: Option<Rc<str>>,
}

impl Doc {
    pub fn new(source: &str, origin: DocRef) -> Doc {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        let tree = syntax::parse(source);
        let n = tree.nodes().count();
        let mut doc = Doc {
            tree,
            source: source.to_string(),
            origin,
            line_starts,
            policy_of: vec![None; n],
            catalog_name: Vec::new(),
            children: Vec::with_capacity(n),
            paths: Vec::with_capacity(n),
            restarts: vec![false; n],
        };
        let empty: Rc<str> = Rc::from("");
        doc.paths.resize(n, empty.clone());
        doc.catalog_name = doc
            .tree
            .nodes()
            .map(|(_, node)| match &node.kind {
                NodeKind::Element(e) => crate::catalog::policy(&e.name).map(|p| p.element.name),
                _ => None,
            })
            .collect();
        let is_policy: Vec<bool> = doc.catalog_name.iter().map(Option::is_some).collect();
        for (id, node) in doc.tree.nodes() {
            let mut kids = Vec::new();
            if let NodeKind::Element(e) = &node.kind {
                if let Some(slot) = doc.restarts.get_mut(id.index()) {
                    *slot = Section::from_name(&e.name).is_some()
                        || e.name == "fragment"
                        || e.name == "policies";
                }
                // Same-named siblings are all in the path or none is: count only those.
                let mut counts: Vec<(&str, usize)> = Vec::new();
                for (c, ce) in doc.tree.child_elements(id) {
                    let in_path = is_policy.get(c.index()).copied().unwrap_or(false)
                        || ce.name == "when"
                        || ce.name == "otherwise";
                    let seg = in_path.then(|| {
                        let k = match counts.iter_mut().find(|(k, _)| *k == ce.name) {
                            Some((_, k)) => {
                                *k += 1;
                                *k
                            }
                            None => {
                                counts.push((ce.name.as_str(), 1));
                                1
                            }
                        };
                        let mut seg = String::with_capacity(ce.name.len() + 4);
                        seg.push_str(&ce.name);
                        seg.push('[');
                        crate::time::push_padded(&mut seg, k as u64, 1);
                        seg.push(']');
                        Rc::from(seg)
                    });
                    kids.push(Child { node: c, seg });
                }
            }
            doc.children.push(kids);
        }
        // Top down (an explicit stack: any depth): each element's policy and path from its
        // parent's. Top-level elements are their own root: no policy above, an empty path.
        let mut stack: Vec<(NodeId, Option<NodeId>)> = doc
            .tree
            .top_level
            .iter()
            .rev()
            .map(|&id| (id, None))
            .collect();
        while let Some((id, above)) = stack.pop() {
            let i = id.index();
            if doc.tree.element(id).is_none() {
                continue;
            }
            let policy = if is_policy.get(i).copied().unwrap_or(false) {
                Some(id)
            } else {
                above
            };
            if let Some(slot) = doc.policy_of.get_mut(i) {
                *slot = policy;
            }
            let own = doc.paths.get(i).cloned().unwrap_or_else(|| empty.clone());
            let restart = own.is_empty() || doc.restarts.get(i).copied().unwrap_or(false);
            let updates: Vec<(NodeId, Rc<str>)> = doc
                .children
                .get(i)
                .map(|kids| {
                    kids.iter()
                        .map(|c| (c.node, child_path(&own, restart, c)))
                        .collect()
                })
                .unwrap_or_default();
            for (c, path) in updates.into_iter().rev() {
                if let Some(slot) = doc.paths.get_mut(c.index()) {
                    *slot = path;
                }
                stack.push((c, policy));
            }
        }
        doc
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    /// The nearest policy element at or above `node`.
    pub fn policy_of(&self, node: NodeId) -> Option<&Element> {
        self.policy_of
            .get(node.index())
            .copied()
            .flatten()
            .and_then(|p| self.tree.element(p))
    }

    /// The element called `name` directly below the root.
    pub fn section(&self, name: &str) -> Option<NodeId> {
        let root = self.tree.root?;
        self.tree
            .child_elements(root)
            .find(|(_, e)| e.name == name)
            .map(|(id, _)| id)
    }
}

/// The `LastError.Path` of child `c` of an element whose own path is `parent` (`restart`:
/// the element is a section or document root, or its path is empty).
fn child_path(parent: &Rc<str>, restart: bool, c: &Child) -> Rc<str> {
    match &c.seg {
        None => parent.clone(),
        Some(seg) if restart => seg.clone(),
        Some(seg) => {
            let mut path = String::with_capacity(parent.len() + 1 + seg.len());
            path.push_str(parent);
            path.push('/');
            path.push_str(seg);
            Rc::from(path)
        }
    }
}

/// How the child elements of an element get their locations ([`Run::children`]), one at a
/// time.
pub(crate) struct Kids {
    pub len: usize,
    restart: bool,
    precomputed: bool,
}

impl Kids {
    pub fn of(loc: &Loc) -> Kids {
        let doc = &loc.doc;
        let len = doc.children.get(loc.node.index()).map_or(0, Vec::len);
        let restart =
            loc.path.is_empty() || doc.restarts.get(loc.node.index()).copied().unwrap_or(false);
        // The paths worked out when the document was loaded hold whenever the run reached
        // this element with the path it has there (always, but for a fragment's root).
        let own = doc.paths.get(loc.node.index());
        let precomputed = own.is_some_and(|p| Rc::ptr_eq(p, &loc.path) || **p == *loc.path);
        Kids {
            len,
            restart,
            precomputed,
        }
    }

    /// The `i`th child element's location.
    pub fn child(&self, loc: &Loc, i: usize) -> Option<Loc> {
        let doc = &loc.doc;
        let c = doc.children.get(loc.node.index())?.get(i)?;
        let path = match doc.paths.get(c.node.index()) {
            Some(p) if self.precomputed => p.clone(),
            _ => child_path(&loc.path, self.restart, c),
        };
        Some(loc.child(c.node, path))
    }
}

/// One scope level of the effective policy.
#[derive(Clone)]
pub(crate) struct Level {
    pub doc: usize,
    pub scope: &'static str,
}

/// A cached value or response with its expiry (milliseconds since the epoch).
pub(crate) struct Cached<T> {
    pub value: T,
    pub expires: i64,
}

/// State that outlives a request: the documents, counters and caches.
pub(crate) struct Gateway<'s> {
    pub sc: &'s Scenario,
    pub docs: Vec<Rc<Doc>>,
    /// Innermost first: the policy, then `scopes.api`, `product`, `workspace`, then global.
    pub levels: Vec<Level>,
    /// The scope name of the policy document (`operation` when `scopes.api` is given).
    pub fragments: Vec<(String, usize)>,
    pub secrets: Vec<String>,
    /// Sliding-window rate limits: counter key → call times (ms).
    pub rate: BTreeMap<String, Vec<i64>>,
    /// Quotas: counter key → (period index, calls, kilobytes).
    pub quota: BTreeMap<String, (i64, u64, u64)>,
    pub values: BTreeMap<String, Cached<Value>>,
    pub responses: BTreeMap<String, Cached<HttpResponseOut>>,
    /// The semantic cache (llm-/azure-openai-semantic-cache-*): exact prompt key → response.
    pub semantic: BTreeMap<String, Cached<HttpResponseOut>>,
    /// Token limits per counter key: tokens-per-minute (call time ms, tokens) and token
    /// quotas (period index, tokens).
    pub tokens: BTreeMap<String, Vec<(i64, u64)>>,
    pub token_quota: BTreeMap<String, (i64, u64)>,
    /// Backend entities: calls per backend (which mock response answers), the pools'
    /// smooth weighted round-robin state, and the circuit breakers.
    pub backends: super::backends::BackendState,
    parsed: PairMap<Rc<Parsed>>,
    /// Per (document, element): the ` (from named value …)` note of its trace step, which
    /// depends only on the element and the scenario.
    pub provenance: PairMap<Rc<str>>,
    pub limits: Limits,
    /// The longest trace of a request so far (at most [`TRACE_HINT_MAX`]): the next
    /// request's trace starts with room for that many steps instead of growing to it.
    trace_hint: usize,
    /// The most request headers, variables and query parameters a request has had so far
    /// (at most [`TRACE_HINT_MAX`] each): [`Run::reserve_hinted`] gives the next request that
    /// much room up front, so its policies do not grow those lists one doubling at a time.
    size_hints: [usize; 3],
}

/// Most trace steps a request's trace reserves room for up front.
const TRACE_HINT_MAX: usize = 1024;

/// A per-scenario cache keyed by (document, position or node).
pub(crate) type PairMap<V> = HashMap<(usize, usize), V, BuildHasherDefault<PairHasher>>;

/// A multiply-rotate hasher (FxHash's) for [`PairMap`]'s small integer keys, which come from
/// the documents, not from an adversary: SipHash's resistance to chosen keys buys nothing
/// there and costs more than the lookup.
#[derive(Default, Clone, Copy)]
pub(crate) struct PairHasher(u64);

impl PairHasher {
    fn add(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// The documents of a scenario, each parsed once: the policy, the parent scopes innermost
/// first, APIM's default global policy when `scopes.global` is missing, then the fragments.
pub(crate) struct Loaded {
    pub docs: Vec<Rc<Doc>>,
    pub levels: Vec<Level>,
    pub fragments: Vec<(String, usize)>,
}

impl Loaded {
    pub fn new(sc: &Scenario, policy: &str) -> Loaded {
        let mut docs = vec![Rc::new(Doc::new(policy, DocRef::Policy))];
        let mut levels = vec![Level {
            doc: 0,
            scope: super::policy_scope(sc).name(),
        }];
        for (scope, text) in [
            ("api", &sc.scopes.api),
            ("product", &sc.scopes.product),
            ("workspace", &sc.scopes.workspace),
            ("global", &sc.scopes.global),
        ] {
            if let Some(text) = text {
                docs.push(Rc::new(Doc::new(text, DocRef::Scope(scope))));
                levels.push(Level {
                    doc: docs.len() - 1,
                    scope,
                });
            }
        }
        if sc.scopes.global.is_none() {
            // APIM's default global policy (ApiManagementCreatePolicy.json).
            docs.push(Rc::new(Doc::new(
                "<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>",
                DocRef::Gateway,
            )));
            levels.push(Level {
                doc: docs.len() - 1,
                scope: "global",
            });
        }
        let mut fragments = Vec::new();
        for f in &sc.fragments {
            docs.push(Rc::new(Doc::new(&f.xml, DocRef::Fragment(f.name.clone()))));
            fragments.push((f.name.clone(), docs.len() - 1));
        }
        Loaded {
            docs,
            levels,
            fragments,
        }
    }
}

impl<'s> Gateway<'s> {
    pub fn new(sc: &'s Scenario, loaded: Loaded) -> Gateway<'s> {
        let Loaded {
            docs,
            levels,
            fragments,
        } = loaded;
        Gateway {
            sc,
            docs,
            levels,
            fragments,
            secrets: sc.secret_values().into_iter().map(str::to_string).collect(),
            rate: BTreeMap::new(),
            quota: BTreeMap::new(),
            values: BTreeMap::new(),
            responses: BTreeMap::new(),
            semantic: BTreeMap::new(),
            tokens: BTreeMap::new(),
            token_quota: BTreeMap::new(),
            backends: super::backends::BackendState::default(),
            parsed: PairMap::default(),
            provenance: PairMap::default(),
            limits: Limits {
                max_steps: 200_000,
                ..Limits::default()
            },
            trace_hint: 0,
            size_hints: [0; 3],
        }
    }
}

/// A text value with its taint.
#[derive(Debug, Clone, Default)]
pub(crate) struct Str {
    pub text: String,
    pub secret: bool,
}

/// Why execution stops early.
pub(crate) enum Stop {
    /// A policy answered (return-response, mock-response, CORS): skip to the end.
    Return,
    /// cache-lookup found the response: skip to outbound.
    CacheHit,
    Error(Box<ErrorInfo>),
}

pub(crate) type Ex<T> = Result<T, Stop>;

/// Where a policy element is.
#[derive(Clone)]
pub(crate) struct Loc {
    pub doc: Rc<Doc>,
    pub doc_index: usize,
    pub node: NodeId,
    pub level: usize,
    pub section: Section,
    /// `choose[1]/when[2]/set-header[1]`, for `LastError.Path`.
    pub path: Rc<str>,
    pub depth: usize,
}

impl Loc {
    pub fn element(&self) -> Option<&Element> {
        self.doc.tree.element(self.node)
    }
    pub fn span(&self) -> Option<Span> {
        self.doc.tree.node(self.node).map(|n| n.span)
    }
    pub fn name(&self) -> String {
        self.element()
            .map(|e| e.name.as_str().to_owned())
            .unwrap_or_default()
    }
    /// The policy this element belongs to (itself, or the nearest policy above a child
    /// element such as `<value>` or `<when>`): what `LastError.Source` names.
    pub fn policy_name(&self) -> String {
        self.policy_element()
            .map(|e| e.name.as_str().to_owned())
            .unwrap_or_else(|| self.name())
    }
    pub fn policy_element(&self) -> Option<&Element> {
        self.doc.policy_of(self.node)
    }
    /// [`Loc::policy_name`] for a trace step: borrowed from the catalog for a policy.
    pub fn policy_label(&self) -> Cow<'static, str> {
        let doc = &self.doc;
        let name = doc
            .policy_of
            .get(self.node.index())
            .copied()
            .flatten()
            .and_then(|p| doc.catalog_name.get(p.index()).copied().flatten());
        match name {
            Some(n) => Cow::Borrowed(n),
            None => Cow::Owned(self.policy_name()),
        }
    }
    /// A child element's location.
    pub fn child(&self, node: NodeId, path: Rc<str>) -> Loc {
        Loc {
            doc: self.doc.clone(),
            doc_index: self.doc_index,
            node,
            level: self.level,
            section: self.section,
            path,
            depth: self.depth + 1,
        }
    }
}

/// A message a policy builds (send-request, return-response).
#[derive(Debug, Clone, Default)]
pub(crate) struct Msg {
    pub method: String,
    pub url: String,
    pub headers: apim_expr::Headers,
    pub body: String,
    pub secret: bool,
}

/// An answer from the mocks.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: scenario::Headers,
    pub body: String,
    pub delay_ms: u64,
    /// Which mock answered, for the trace.
    pub from: String,
}

/// The run of one request.
pub(crate) struct Run<'g, 's> {
    pub gw: &'g mut Gateway<'s>,
    pub ctx: Context,
    pub now: Timestamp,
    pub levels: Vec<Level>,
    pub trace: Vec<TraceStep>,
    /// The backend base URL (service URL or set-backend-service's) and the operation path.
    pub base_url: String,
    pub op_path: String,
    pub backend_request: Option<HttpRequestOut>,
    pub forwarded: bool,
    /// Headers added to the final response (CORS, rate-limit counters).
    pub late_headers: Vec<(String, String)>,
    /// Counters incremented when the request completes (their increment-condition may read
    /// the response): (key, calls, renewal ms, condition).
    pub pending: Vec<Pending>,
    pub cache_key: Option<(String, i64)>,
    /// Output strings computed from secrets (masked unless revealed).
    pub tainted: Vec<String>,
    pub runs: u64,
    pub subscription_key_query: bool,
    /// The backend entity `set-backend-service backend-id=` chose (a single backend or a pool).
    pub backend_id: Option<String>,
    /// Token limits and token metrics waiting for the backend's usage.
    pub token_pending: Vec<super::llm::TokenPending>,
    pub metric_pending: Vec<super::llm::MetricPending>,
    /// The token usage of the last backend response (None: the backend was not called).
    pub usage: Option<super::llm::Usage>,
    /// The semantic cache key of this request and whether it was a hit.
    pub semantic_key: Option<(String, bool)>,
    /// The gateway answered 503 itself because a backend's circuit breaker is open.
    pub gateway_answered: bool,
    /// The mock content-safety verdict for this request, and whether it is the request's own.
    pub content_safety: Option<(scenario::ContentSafetyVerdict, bool)>,
}

pub(crate) struct Pending {
    pub loc: Loc,
    pub key: String,
    pub quota: bool,
    pub count: u64,
    pub condition: Option<Expression>,
}

impl<'g, 's> Run<'g, 's> {
    pub fn new(gw: &'g mut Gateway<'s>, ctx: Context, now: Timestamp) -> Self {
        let trace = Vec::with_capacity(gw.trace_hint);
        Run {
            gw,
            ctx,
            now,
            levels: Vec::new(),
            trace,
            base_url: String::new(),
            op_path: String::new(),
            backend_request: None,
            forwarded: false,
            late_headers: Vec::new(),
            pending: Vec::new(),
            cache_key: None,
            tainted: Vec::new(),
            runs: 0,
            subscription_key_query: false,
            backend_id: None,
            token_pending: Vec::new(),
            metric_pending: Vec::new(),
            usage: None,
            semantic_key: None,
            content_safety: None,
            gateway_answered: false,
        }
    }

    /// Room for as many request headers, variables and query parameters as the longest
    /// request so far had (called once the request's context is built).
    pub fn reserve_hinted(&mut self) {
        let [headers, variables, query] = self.gw.size_hints;
        let ctx = &mut self.ctx;
        let more = |have: usize, hint: usize| hint.saturating_sub(have);
        ctx.request
            .headers
            .0
            .reserve(more(ctx.request.headers.0.len(), headers));
        ctx.variables
            .0
            .reserve(more(ctx.variables.0.len(), variables));
        ctx.request
            .url
            .query
            .reserve(more(ctx.request.url.query.len(), query));
    }

    pub fn now_ms(&self) -> i64 {
        self.now.as_millis()
    }

    // ---------- trace ----------

    pub fn step(&mut self, loc: &Loc, message: impl Into<String>) {
        let (line, span) = match (&loc.doc.origin, loc.span()) {
            (DocRef::Gateway, _) | (_, None) => (None, None),
            (_, Some(span)) => (Some(loc.doc.line(span.start)), Some(span)),
        };
        self.trace.push(TraceStep {
            section: Cow::Borrowed(loc.section.name()),
            policy: loc.policy_label(),
            line,
            message: message.into(),
            span,
            doc: loc.doc.origin.clone(),
        });
    }

    pub fn gstep(
        &mut self,
        section: &'static str,
        policy: &'static str,
        message: impl Into<String>,
    ) {
        self.trace.push(TraceStep {
            section: Cow::Borrowed(section),
            policy: Cow::Borrowed(policy),
            line: None,
            message: message.into(),
            span: None,
            doc: DocRef::Gateway,
        });
    }

    pub fn taint(&mut self, s: &Str) {
        if s.secret && !s.text.is_empty() && !self.tainted.contains(&s.text) {
            self.tainted.push(s.text.clone());
        }
    }

    // ---------- errors ----------

    /// Set the gateway's default error response.
    pub fn error_response(&mut self, status: u16, message: &str, headers: &[(&str, String)]) {
        let mut h = apim_expr::Headers::default();
        h.set("Content-Type", vec!["application/json".into()]);
        for (k, v) in headers {
            h.append(k, v);
        }
        let body = format!(
            "{{\n  \"statusCode\": {status},\n  \"message\": {}\n}}",
            super::json::quote(message)
        );
        self.ctx.response = apim_expr::Response {
            status_code: i32::from(status),
            status_reason: reason_phrase(status).to_string(),
            headers: h,
            body: Some(MessageBody::text(&body)),
        };
    }

    /// Raise an error at `loc`: the default response for it, a trace step, and the stop.
    #[allow(clippy::too_many_arguments)]
    pub fn fail(
        &mut self,
        loc: &Loc,
        source: &str,
        reason: &str,
        message: String,
        status: u16,
        body_message: &str,
        headers: &[(&str, String)],
    ) -> Stop {
        self.error_response(status, body_message, headers);
        self.raise(loc, source, reason, message)
    }

    /// Raise an error at `loc` keeping the response as it is.
    pub fn raise(&mut self, loc: &Loc, source: &str, reason: &str, message: String) -> Stop {
        let info = ErrorInfo {
            source: source.to_string(),
            reason: reason.to_string(),
            message: message.clone(),
            scope: self
                .levels
                .get(loc.level)
                .map(|l| l.scope)
                .unwrap_or("api")
                .to_string(),
            section: loc.section.name().to_string(),
            path: loc.path.to_string(),
            policy_id: loc
                .policy_element()
                .and_then(|e| e.attribute("id"))
                .map(|a| a.value.text())
                .unwrap_or_default(),
        };
        let head = if reason.is_empty() {
            "error".to_string()
        } else {
            format!("error {reason}")
        };
        self.step(loc, format!("{head}: {message}"));
        Stop::Error(Box::new(info))
    }

    pub fn expression_failed(&mut self, loc: &Loc, detail: &str, message: &str) -> Stop {
        self.error_response(500, "Internal server error", &[]);
        let stop = self.raise(
            loc,
            &loc.policy_name(),
            "ExpressionValueEvaluationFailure",
            format!("Expression evaluation failed. {message}"),
        );
        if !detail.is_empty()
            && let Some(last) = self.trace.last_mut()
        {
            last.message.push_str(&format!(" ({detail})"));
        }
        stop
    }

    // ---------- values ----------

    /// The named value `name` as the gateway substitutes it.
    pub fn named_value(&mut self, loc: &Loc, name: &str) -> Ex<Str> {
        let sc = self.gw.sc;
        let Some(nv) = sc.named_value(name) else {
            // Only reachable without a scenario entry (the linter stops unknown names when it
            // knows them); APIM refuses such a policy, so say so.
            self.error_response(500, "Internal server error", &[]);
            return Err(self.raise(
                loc,
                &loc.policy_name(),
                "NamedValueNotFound",
                format!("the named value '{name}' does not exist (add it to the scenario's named_values)"),
            ));
        };
        let value = if let Some(kv) = &nv.key_vault {
            let Some((vault_name, secret_name, version)) =
                vault::parse_secret_id(&kv.secret_identifier)
            else {
                self.error_response(500, "Internal server error", &[]);
                return Err(self.raise(
                    loc,
                    &loc.policy_name(),
                    "InvalidSecretIdentifier",
                    format!(
                        "named value '{}': '{}' is not a Key Vault secret identifier (https://<vault>.vault.azure.net/secrets/<name>)",
                        nv.name, kv.secret_identifier
                    ),
                ));
            };
            let client = kv.identity_client_id.as_deref().filter(|c| !c.is_empty());
            match vault::read_secret(
                sc,
                &vault_name,
                &secret_name,
                version.as_deref(),
                client,
                self.now,
            ) {
                Ok(secret) => {
                    let who = vault::identity_label(client);
                    let mut msg = String::with_capacity(
                        nv.name.len() + vault_name.len() + secret.name.len() + who.len() + 48,
                    );
                    for part in [
                        "named value ",
                        &nv.name,
                        " resolved from Key Vault ",
                        &vault_name,
                        " (secret ",
                        &secret.name,
                        ") by ",
                        &who,
                    ] {
                        msg.push_str(part);
                    }
                    self.trace.push(TraceStep {
                        section: Cow::Borrowed(loc.section.name()),
                        policy: Cow::Borrowed("key-vault"),
                        line: loc
                            .span()
                            .filter(|_| loc.doc.origin != DocRef::Gateway)
                            .map(|s| loc.doc.line(s.start)),
                        message: msg,
                        span: loc.span(),
                        doc: loc.doc.origin.clone(),
                    });
                    return Ok(Str {
                        text: secret.value.clone(),
                        secret: true,
                    });
                }
                Err(f) => {
                    self.error_response(500, "Internal server error", &[]);
                    let kv_said = if f.status == 500 {
                        // The request never reached Key Vault (no identity, no vault).
                        String::new()
                    } else {
                        format!(" (Key Vault: {} {})", f.status, f.kv_message)
                    };
                    let message = format!(
                        "named value '{}' could not be read from Key Vault '{}' (secret '{}'): {}. {}.{kv_said}",
                        nv.name,
                        vault_name,
                        secret_name,
                        f.cause(),
                        capitalize(&f.advice),
                    );
                    return Err(self.raise(loc, &loc.policy_name(), f.cause(), message));
                }
            }
        } else {
            nv.value.clone().unwrap_or_default()
        };
        let secret = nv.is_secret();
        // A named value may hold a policy expression; it runs after substitution.
        let trimmed = value.trim();
        if trimmed.starts_with("@(") || trimmed.starts_with("@{") {
            let kind = if trimmed.starts_with("@(") {
                syntax::ExprKind::Single
            } else {
                syntax::ExprKind::Block
            };
            let code = trimmed
                .get(2..trimmed.len().saturating_sub(1))
                .unwrap_or("");
            let parsed = apim_expr::parse(code, kind);
            return match apim_expr::evaluate(&parsed, &mut self.ctx, &self.gw.limits) {
                Ok(v) => Ok(Str {
                    text: v.to_policy_string(),
                    secret: secret || v.is_secret(),
                }),
                Err(e) => {
                    Err(self.expression_failed(loc, &format!("in named value {name}"), &e.message))
                }
            };
        }
        Ok(Str {
            text: value,
            secret,
        })
    }

    /// Evaluate one expression (with `{{named values}}` substituted into its code first).
    pub fn eval_expr(&mut self, loc: &Loc, e: &Expression) -> Ex<(Value, bool)> {
        let mut code_secret = false;
        let key = (loc.doc_index, e.code_span.start);
        let parsed = match self.gw.parsed.get(&key) {
            Some(p) if e.named_values.is_empty() => p.clone(),
            _ => {
                let mut code = e.code.clone();
                for nv in &e.named_values {
                    let v = self.named_value(loc, &nv.name)?;
                    code_secret |= v.secret;
                    code = code.replace(&format!("{{{{{}}}}}", nv.name), &v.text);
                }
                let p = Rc::new(apim_expr::parse(&code, e.kind));
                self.gw.parsed.insert(key, p.clone());
                p
            }
        };
        if !e.named_values.is_empty() {
            for nv in &e.named_values {
                if self
                    .gw
                    .sc
                    .named_value(&nv.name)
                    .is_some_and(|n| n.is_secret())
                {
                    code_secret = true;
                }
            }
        }
        match apim_expr::evaluate(&parsed, &mut self.ctx, &self.gw.limits) {
            Ok(v) => {
                let secret = code_secret || v.is_secret();
                Ok((v, secret))
            }
            Err(err) => {
                let at = if e.named_values.is_empty() {
                    e.source_offset(err.span.start)
                } else {
                    e.span.start
                };
                let detail = format!(
                    "{}{} at line {}",
                    err.exception,
                    if err.limit { ", a simulator limit" } else { "" },
                    loc.doc.line(at)
                );
                Err(self.expression_failed(loc, &detail, &err.message))
            }
        }
    }

    /// An attribute or text value as text.
    pub fn eval_value(&mut self, loc: &Loc, v: &syntax::Value) -> Ex<Str> {
        if let Some(e) = v.whole_expression() {
            let (val, secret) = self.eval_expr(loc, e)?;
            let s = Str {
                text: val.to_policy_string(),
                secret: secret || val.is_secret(),
            };
            self.taint(&s);
            return Ok(s);
        }
        // One `{{named value}}` (a `<value>{{x}}</value>`): its text as it comes.
        if let [Segment::NamedValue(nv)] = v.segments.as_slice() {
            let s = self.named_value(loc, &nv.name)?;
            self.taint(&s);
            return Ok(s);
        }
        let mut out = Str::default();
        for seg in &v.segments {
            match seg {
                Segment::Literal { text, .. } => out.text.push_str(text),
                Segment::NamedValue(nv) => {
                    let s = self.named_value(loc, &nv.name)?;
                    out.secret |= s.secret;
                    out.text.push_str(&s.text);
                }
                Segment::Expression(e) => {
                    let (val, secret) = self.eval_expr(loc, e)?;
                    out.secret |= secret || val.is_secret();
                    out.text.push_str(&val.to_policy_string());
                }
            }
        }
        self.taint(&out);
        Ok(out)
    }

    /// A value kept with its type (set-variable, cache-store-value).
    pub fn eval_typed(&mut self, loc: &Loc, v: &syntax::Value) -> Ex<Value> {
        if let Some(e) = v.whole_expression() {
            let (val, secret) = self.eval_expr(loc, e)?;
            if secret
                && !val.is_secret()
                && let Some(s) = val.as_str()
            {
                let s = s.to_string();
                self.tainted.push(s.clone());
                return Ok(Value::secret_string(&s));
            }
            return Ok(val);
        }
        let s = self.eval_value(loc, v)?;
        Ok(if s.secret {
            Value::secret_string(&s.text)
        } else {
            Value::string(&s.text)
        })
    }

    /// An attribute of the element at `loc`, evaluated; `None` when absent.
    pub fn attr(&mut self, loc: &Loc, name: &str) -> Ex<Option<Str>> {
        let doc = loc.doc.clone();
        let Some(el) = doc.tree.element(loc.node) else {
            return Ok(None);
        };
        match el.attribute(name) {
            Some(a) => self.eval_value(loc, &a.value).map(Some),
            None => Ok(None),
        }
    }

    /// [`Run::attr`]'s text, borrowed from the document when the attribute is plain text
    /// (most are: names, actions, numbers), so reading it allocates nothing.
    pub fn attr_text<'l>(&mut self, loc: &'l Loc, name: &str) -> Ex<Option<Cow<'l, str>>> {
        let Some(a) = loc
            .doc
            .tree
            .element(loc.node)
            .and_then(|e| e.attribute(name))
        else {
            return Ok(None);
        };
        // A literal needs no evaluation, and its taint (none) changes nothing.
        if let Some(text) = a.value.as_literal() {
            return Ok(Some(text));
        }
        self.eval_value(loc, &a.value)
            .map(|s| Some(Cow::Owned(s.text)))
    }

    /// [`Run::attr_or`] as [`Run::attr_text`] reads it.
    pub fn attr_text_or<'l>(
        &mut self,
        loc: &'l Loc,
        name: &str,
        default: &'static str,
    ) -> Ex<Cow<'l, str>> {
        Ok(self.attr_text(loc, name)?.unwrap_or(Cow::Borrowed(default)))
    }

    pub fn attr_or(&mut self, loc: &Loc, name: &str, default: &str) -> Ex<String> {
        Ok(self
            .attr(loc, name)?
            .map(|s| s.text)
            .unwrap_or_else(|| default.to_string()))
    }

    pub fn attr_bool(&mut self, loc: &Loc, name: &str, default: bool) -> Ex<bool> {
        Ok(match self.attr_text(loc, name)? {
            Some(s) => {
                let s = s.trim();
                if s.eq_ignore_ascii_case("true") {
                    true
                } else if s.eq_ignore_ascii_case("false") {
                    false
                } else {
                    default
                }
            }
            None => default,
        })
    }

    pub fn attr_num(&mut self, loc: &Loc, name: &str) -> Ex<Option<f64>> {
        Ok(self
            .attr_text(loc, name)?
            .and_then(|s| s.trim().parse::<f64>().ok()))
    }

    /// The text content of the element at `loc` (text and CDATA), evaluated.
    pub fn text(&mut self, loc: &Loc) -> Ex<Str> {
        let doc = loc.doc.clone();
        let mut out: Option<Str> = None;
        // `Document::text_values`, without collecting them.
        let kids = doc
            .tree
            .element(loc.node)
            .map_or(&[][..], |e| &e.children[..]);
        for &c in kids {
            let Some(NodeKind::Text(v) | NodeKind::CData(v)) = doc.tree.node(c).map(|n| &n.kind)
            else {
                continue;
            };
            let s = self.eval_value(loc, v)?;
            match &mut out {
                None => out = Some(s),
                Some(o) => {
                    o.secret |= s.secret;
                    o.text.push_str(&s.text);
                }
            }
        }
        Ok(out.unwrap_or_default())
    }

    /// Child elements of `loc`'s element with their locations and XPath-style paths.
    pub fn children(&self, loc: &Loc) -> Vec<Loc> {
        let kids = Kids::of(loc);
        (0..kids.len).filter_map(|i| kids.child(loc, i)).collect()
    }

    /// The first child element called `name`.
    pub fn child_named(&self, loc: &Loc, name: &str) -> Option<Loc> {
        self.children(loc)
            .into_iter()
            .find(|c| c.element().is_some_and(|e| e.name == name))
    }

    // ---------- sections ----------

    /// Run the section of scope level `level` (and what its `<base/>` pulls in).
    pub fn run_section(&mut self, level: usize, section: Section, depth: usize) -> Ex<()> {
        let Some(lv) = self.levels.get(level).cloned() else {
            return Ok(());
        };
        let Some(doc) = self.gw.docs.get(lv.doc).cloned() else {
            return Ok(());
        };
        let Some(node) = doc.section(section.name()) else {
            return Ok(());
        };
        let path = doc
            .paths
            .get(node.index())
            .cloned()
            .unwrap_or_else(|| Rc::from(""));
        let loc = Loc {
            doc,
            doc_index: lv.doc,
            node,
            level,
            section,
            path,
            depth,
        };
        self.run_children(&loc)
    }

    pub fn run_children(&mut self, loc: &Loc) -> Ex<()> {
        if loc.depth > MAX_DEPTH {
            return Err(self.fail(
                loc,
                &loc.policy_name(),
                "",
                "the policy nests too deeply for the simulator".into(),
                500,
                "Internal server error",
                &[],
            ));
        }
        let kids = Kids::of(loc);
        for i in 0..kids.len {
            let Some(child) = kids.child(loc, i) else {
                continue;
            };
            self.runs += 1;
            if self.runs > MAX_POLICY_RUNS {
                return Err(self.fail(
                    &child,
                    &child.name(),
                    "",
                    format!(
                        "the simulator stopped after {MAX_POLICY_RUNS} policy runs in one request"
                    ),
                    500,
                    "Internal server error",
                    &[],
                ));
            }
            self.exec(&child)?;
        }
        Ok(())
    }

    // ---------- HTTP ----------

    /// The mock that answers a request: `http_mocks` first, then the mock Key Vault, then
    /// (for the backend) the scenario's `backend`.
    pub fn answer(
        &mut self,
        method: &str,
        url: &str,
        headers: &apim_expr::Headers,
        backend: bool,
    ) -> Option<Answer> {
        let sc = self.gw.sc;
        for (i, m) in sc.http_mocks.iter().enumerate() {
            let method_ok = m
                .method
                .as_deref()
                .is_none_or(|mm| mm.eq_ignore_ascii_case(method) || mm == "*");
            if method_ok && !m.url_prefix.is_empty() && url.starts_with(&m.url_prefix) {
                return Some(Answer {
                    status: m.status,
                    headers: m.headers.clone(),
                    body: m.body.clone(),
                    delay_ms: m.delay_ms.unwrap_or(0),
                    from: format!("http_mocks[{i}] ({})", m.url_prefix),
                });
            }
        }
        let auth = headers
            .get("Authorization")
            .and_then(|v| v.first())
            .cloned();
        if let Some(r) = vault::rest(sc, method, url, auth.as_deref(), self.now) {
            let mut h = scenario::Headers::default();
            h.set(
                "Content-Type",
                vec!["application/json; charset=utf-8".into()],
            );
            if r.status == 401 {
                h.set(
                    "WWW-Authenticate",
                    vec!["Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"".into()],
                );
            }
            return Some(Answer {
                status: r.status,
                headers: h,
                body: r.body,
                delay_ms: 0,
                from: format!("the mock Key Vault: {}", r.note),
            });
        }
        if backend {
            let b = sc.backend.clone().unwrap_or_default();
            return Some(Answer {
                status: b.status,
                headers: b.headers,
                body: b.body,
                delay_ms: b.delay_ms.unwrap_or(0),
                from: "the scenario's backend".into(),
            });
        }
        None
    }

    /// Is this text (or part of it) a known secret?
    pub fn contains_secret(&self, text: &str) -> bool {
        self.gw
            .secrets
            .iter()
            .chain(self.tainted.iter())
            .any(|s| !s.is_empty() && text.contains(s.as_str()))
    }

    /// Build the output of the request.
    pub fn finish(mut self, outcome: Outcome, error: Option<ErrorInfo>) -> RequestResult {
        // Token limits and token metrics count what the backend's usage says.
        self.settle_tokens();
        // Counters whose increment waits for the response (rate-limit-by-key, quota-by-key).
        let pending = std::mem::take(&mut self.pending);
        for p in pending {
            let counts = match &p.condition {
                None => true,
                Some(e) => match self.eval_expr(&p.loc, e) {
                    Ok((v, _)) => v.as_bool().unwrap_or(false),
                    Err(_) => {
                        // The error is in the trace; do not count.
                        self.trace.pop();
                        self.step(
                            &p.loc,
                            "increment-condition failed to evaluate: the call is not counted",
                        );
                        false
                    }
                },
            };
            if !counts {
                self.step(
                    &p.loc,
                    format!(
                        "increment-condition is false: the call is not counted for key '{}'",
                        p.key
                    ),
                );
                continue;
            }
            let now = self.now_ms();
            if p.quota {
                let entry = self.gw.quota.entry(p.key.clone()).or_insert((0, 0, 0));
                entry.1 += p.count;
            } else {
                let entry = self.gw.rate.entry(p.key.clone()).or_default();
                for _ in 0..p.count.min(10_000) {
                    entry.push(now);
                }
            }
        }
        // The context ends with the request: its response and variables move into the
        // result instead of being copied.
        let resp = std::mem::take(&mut self.ctx.response);
        let mut headers = scenario::Headers::default();
        headers
            .0
            .reserve(resp.headers.0.len() + self.late_headers.len());
        for (k, vs) in resp.headers.0 {
            // `scenario::Headers::set`, without copying the name and values.
            match headers
                .0
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(&k))
            {
                Some(slot) => slot.1 = vs,
                None => headers.0.push((k, vs)),
            }
        }
        for (k, v) in std::mem::take(&mut self.late_headers) {
            headers.append(&k, v);
        }
        let body = match resp.body {
            Some(b) if !b.consumed => String::from_utf8(b.content)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            _ => String::new(),
        };
        let status = u16::try_from(resp.status_code).unwrap_or(500);
        let response = HttpResponseOut {
            status,
            reason: if resp.status_reason.is_empty() {
                reason_phrase(status).to_string()
            } else {
                resp.status_reason
            },
            headers,
            body,
        };
        for (_, v) in &self.ctx.variables.0 {
            if v.is_secret() {
                let s = v.to_policy_string();
                if !s.is_empty() && !self.tainted.contains(&s) {
                    self.tainted.push(s);
                }
            }
        }
        let variable_count = self.ctx.variables.0.len();
        let variables = std::mem::take(&mut self.ctx.variables.0)
            .into_iter()
            .map(|(k, v)| {
                let json = variable_json(&v);
                (k, json)
            })
            .collect();
        // Derived secrets are masked like the scenario's own (and taint later requests).
        for t in std::mem::take(&mut self.tainted) {
            if !self.gw.secrets.contains(&t) {
                self.gw.secrets.push(t);
            }
        }
        self.gw.trace_hint = self.gw.trace_hint.max(self.trace.len()).min(TRACE_HINT_MAX);
        let sizes = [
            self.ctx.request.headers.0.len(),
            variable_count,
            self.ctx.request.url.query.len(),
        ];
        for (hint, n) in self.gw.size_hints.iter_mut().zip(sizes) {
            *hint = (*hint).max(n).min(TRACE_HINT_MAX);
        }
        RequestResult {
            outcome,
            backend_request: self.backend_request.take(),
            response,
            variables,
            trace: std::mem::take(&mut self.trace),
            error,
        }
    }
}

/// A variable's value for the output JSON.
fn variable_json(v: &Value) -> serde_json::Value {
    if v.is_null() {
        return serde_json::Value::Null;
    }
    if let Some(b) = v.as_bool()
        && v.type_name_str() == "Boolean"
    {
        return serde_json::Value::Bool(b);
    }
    if let Some(s) = v.as_str() {
        return serde_json::Value::String(s.to_string());
    }
    if let Some(r) = v.as_response() {
        let body = match &r.body {
            Some(b) if !b.consumed => String::from_utf8_lossy(&b.content).into_owned(),
            _ => String::new(),
        };
        let mut headers = serde_json::Map::new();
        for (k, vs) in &r.headers.0 {
            headers.insert(k.clone(), serde_json::Value::from(vs.clone()));
        }
        return serde_json::json!({
            "status": r.status_code,
            "reason": r.status_reason,
            "headers": headers,
            "body": body,
        });
    }
    let text = v.to_policy_string();
    match &*v.type_name_str() {
        "Int32" | "Int64" => text
            .parse::<i64>()
            .map(serde_json::Value::from)
            .unwrap_or(serde_json::Value::String(text)),
        "Double" | "Decimal" | "Single" => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::String(text)),
        _ => serde_json::Value::String(text),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The reason phrase of a status code.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// The scenario's time for a request.
pub fn request_time(sc: &Scenario, req: &scenario::Request) -> Result<Timestamp, String> {
    let (field, text) = match (&req.at, &sc.now) {
        (Some(at), _) => ("request.at", at.as_str()),
        (None, Some(now)) => ("now", now.as_str()),
        (None, None) => return Ok(Timestamp::from_seconds(1_767_225_600)),
    };
    parse_rfc3339(text).ok_or_else(|| {
        format!("{field} ('{text}') is not an RFC 3339 time such as 2026-01-01T00:00:00Z")
    })
}
