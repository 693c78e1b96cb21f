//! One function per simulated policy, following Microsoft's policy reference
//! (`articles/api-management/<name>-policy.md`, summarised in the reference notes §2). Each
//! writes at least one trace step; a policy that is not simulated writes a step saying so and
//! passes through.

use super::convert;
use super::engine::{Ex, Kids, Loc, Msg, Pending, Run, Stop, Str, reason_phrase};
use super::json::{self, J};
use super::jwt;
use super::liquid;
use super::output::HttpResponseOut;
use super::vault;
use super::{SIMULATED_POLICIES, join_url};
use crate::catalog::Section;
use crate::scenario;
use crate::syntax::NodeKind;
use apim_expr::{MessageBody, Url, Value};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Point `context.Request.Url` at base URL + operation path, with `query`.
pub(crate) fn set_backend_url(run: &mut Run<'_, '_>, query: Vec<(String, String)>) {
    let joined = join_url(&run.base_url, &run.op_path);
    match Url::parse(&joined) {
        Some(mut u) => {
            u.query = query;
            run.ctx.request.url = u;
        }
        None => {
            run.ctx.request.url.path = run.op_path.clone();
            run.ctx.request.url.query = query;
        }
    }
}

/// A parsed set-header / set-query-parameter (`'l`: the element's location, which the name
/// is borrowed from when it is plain text).
struct NameOp<'l> {
    name: Cow<'l, str>,
    action: Action,
    values: Vec<Str>,
}

/// `exists-action`, read as the gateway does (trimmed, any case; unknown ones override).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Action {
    Override,
    Skip,
    Append,
    Delete,
}

impl Action {
    fn parse(text: &str) -> Action {
        let t = text.trim();
        if t.eq_ignore_ascii_case("delete") {
            Action::Delete
        } else if t.eq_ignore_ascii_case("skip") {
            Action::Skip
        } else if t.eq_ignore_ascii_case("append") {
            Action::Append
        } else {
            Action::Override
        }
    }
}

/// A trace message: `parts` one after the other, with room for `extra` more bytes (what the
/// caller appends next), so building it grows the string at most once.
fn message(parts: &[&str], extra: usize) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + extra);
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Append `x` as `{x}` displays it: whole numbers (the usual periods and durations)
/// without the formatting machinery.
fn push_number(out: &mut String, x: f64) {
    if x.fract() == 0.0 && (0.0..9.0e15).contains(&x) && x.is_sign_positive() {
        crate::time::push_padded(out, x as u64, 1);
    } else {
        let _ = write!(out, "{x}");
    }
}

/// Bytes [`push_values`] writes.
fn values_len(values: &[Str]) -> usize {
    values.iter().map(|v| v.text.len() + 2).sum()
}

/// Append the values joined with `, `.
fn push_values(out: &mut String, values: &[Str]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&v.text);
    }
}

/// Apply a set-header to `h`; the trace message, with room for `extra` more bytes.
fn apply_header(h: &mut apim_expr::Headers, op: NameOp<'_>, extra: usize) -> String {
    let exists = h.get(&op.name).is_some();
    match op.action {
        Action::Delete => {
            h.remove(&op.name);
            message(&["deleted header ", &op.name], extra)
        }
        Action::Skip if exists => message(&["header ", &op.name, " exists: skipped"], extra),
        Action::Append => {
            for v in &op.values {
                h.append(&op.name, &v.text);
            }
            let mut msg = message(
                &["appended header ", &op.name, ": "],
                values_len(&op.values) + extra,
            );
            push_values(&mut msg, &op.values);
            msg
        }
        Action::Skip | Action::Override => {
            let mut msg = message(
                &["set header ", &op.name, " = "],
                values_len(&op.values) + extra,
            );
            push_values(&mut msg, &op.values);
            let values: Vec<String> = if op.values.is_empty() {
                vec![String::new()]
            } else {
                op.values.into_iter().map(|v| v.text).collect()
            };
            h.set(&op.name, values);
            msg
        }
    }
}

/// Is the section working on the request (inbound, backend) or the response?
fn on_request(section: Section) -> bool {
    matches!(section, Section::Inbound | Section::Backend)
}

pub(crate) fn response_out(r: &apim_expr::Response) -> HttpResponseOut {
    let mut headers = scenario::Headers::default();
    for (k, v) in &r.headers.0 {
        headers.set(k, v.clone());
    }
    HttpResponseOut {
        status: u16::try_from(r.status_code).unwrap_or(500),
        reason: r.status_reason.clone(),
        headers,
        body: body_text(r.body.as_ref()),
    }
}

fn body_text(b: Option<&MessageBody>) -> String {
    match b {
        Some(b) if !b.consumed => String::from_utf8_lossy(&b.content).into_owned(),
        _ => String::new(),
    }
}

fn seconds_text(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

impl Run<'_, '_> {
    /// Run one policy element.
    pub(crate) fn exec(&mut self, loc: &Loc) -> Ex<()> {
        let doc = loc.doc.clone();
        let name = doc.tree.element(loc.node).map_or("", |e| e.name.as_str());
        match name {
            "base" => self.p_base(loc),
            "choose" => self.p_choose(loc),
            "set-variable" => self.p_set_variable(loc),
            "set-header" => self.p_set_header(loc),
            "set-query-parameter" => self.p_set_query_parameter(loc),
            "rewrite-uri" => self.p_rewrite_uri(loc),
            "set-backend-service" => self.p_set_backend_service(loc),
            "set-method" => {
                let m = self.text(loc)?;
                let m = m.text.trim().to_ascii_uppercase();
                self.ctx.request.method = m.clone();
                self.step(loc, format!("request method set to {m}"));
                Ok(())
            }
            "set-status" => {
                let code = self.attr_num(loc, "code")?.unwrap_or(200.0) as i32;
                let reason = self
                    .attr(loc, "reason")?
                    .map(|s| s.text)
                    .unwrap_or_else(|| reason_phrase(u16::try_from(code).unwrap_or(0)).to_string());
                self.ctx.response.status_code = code;
                self.ctx.response.status_reason = reason.clone();
                self.step(loc, format!("status set to {code} {reason}"));
                Ok(())
            }
            "set-body" => self.p_set_body(loc),
            "return-response" => self.p_return_response(loc),
            "mock-response" => self.p_mock_response(loc),
            "forward-request" => self.p_forward_request(loc),
            "send-request" => self.p_send_request(loc, false),
            "send-one-way-request" => self.p_send_request(loc, true),
            "retry" => self.p_retry(loc),
            "wait" => self.p_wait(loc),
            "limit-concurrency" => {
                let key = self.attr_or(loc, "key", "")?;
                let max = self.attr_or(loc, "max-count", "")?;
                self.step(
                    loc,
                    format!("key '{key}': 1 of at most {max} concurrent requests (the simulator sends requests one at a time)"),
                );
                self.run_children(loc)
            }
            "include-fragment" => self.p_include_fragment(loc),
            "check-header" => self.p_check_header(loc),
            "ip-filter" => self.p_ip_filter(loc),
            "cors" => self.p_cors(loc),
            "validate-jwt" => self.p_validate_jwt(loc, false),
            "validate-azure-ad-token" => self.p_validate_jwt(loc, true),
            "authentication-basic" => self.p_auth_basic(loc),
            "authentication-managed-identity" => self.p_auth_mi(loc, None).map(|_| ()),
            "authentication-certificate" => {
                let which = match (
                    self.attr(loc, "thumbprint")?,
                    self.attr(loc, "certificate-id")?,
                ) {
                    (Some(t), _) => format!("with thumbprint {}", t.text),
                    (_, Some(c)) => format!("'{}'", c.text),
                    _ => "from the body attribute".into(),
                };
                self.step(
                    loc,
                    format!("the client certificate {which} is presented to the backend (certificates are not part of the scenario, so it is not checked)"),
                );
                Ok(())
            }
            "rate-limit" => self.p_rate_limit(loc, false),
            "rate-limit-by-key" => self.p_rate_limit(loc, true),
            "quota" => self.p_quota(loc, false),
            "quota-by-key" => self.p_quota(loc, true),
            "cache-lookup" => self.p_cache_lookup(loc),
            "cache-store" => self.p_cache_store(loc),
            "cache-lookup-value" => self.p_cache_lookup_value(loc),
            "cache-store-value" => self.p_cache_store_value(loc),
            "cache-remove-value" => {
                let key = self.attr_or(loc, "key", "")?;
                let had = self.gw.values.remove(&key).is_some();
                self.step(
                    loc,
                    format!(
                        "cache value '{key}' {}",
                        if had { "removed" } else { "was not cached" }
                    ),
                );
                Ok(())
            }
            "find-and-replace" => self.p_find_and_replace(loc),
            "json-to-xml" => self.p_json_to_xml(loc),
            "xml-to-json" => self.p_xml_to_json(loc),
            "trace" => self.p_trace(loc),
            "log-to-eventhub" => {
                let logger = self.attr_or(loc, "logger-id", "")?;
                let msg = self.text(loc)?;
                self.step(
                    loc,
                    format!("event hub logger '{logger}' receives: {}", msg.text),
                );
                Ok(())
            }
            "emit-metric" => self.p_emit_metric(loc),
            "llm-token-limit" | "azure-openai-token-limit" => self.p_token_limit(loc),
            "llm-emit-token-metric" | "azure-openai-emit-token-metric" => {
                self.p_emit_token_metric(loc)
            }
            "llm-semantic-cache-lookup" | "azure-openai-semantic-cache-lookup" => {
                self.p_semantic_lookup(loc)
            }
            "llm-semantic-cache-store" | "azure-openai-semantic-cache-store" => {
                self.p_semantic_store(loc)
            }
            "llm-content-safety" => self.p_content_safety(loc),
            other => {
                debug_assert!(!SIMULATED_POLICIES.contains(&other));
                self.step(
                    loc,
                    format!("{other} is not simulated: the request passes through unchanged"),
                );
                Ok(())
            }
        }
    }

    fn p_base(&mut self, loc: &Loc) -> Ex<()> {
        let next = loc.level + 1;
        match self.levels.get(next).cloned() {
            Some(parent) => {
                let default = self
                    .gw
                    .docs
                    .get(parent.doc)
                    .is_some_and(|d| d.origin == super::output::DocRef::Gateway);
                let has_section = self
                    .gw
                    .docs
                    .get(parent.doc)
                    .is_some_and(|d| d.section(loc.section.name()).is_some());
                let note = if default {
                    " (APIM's default global policy)"
                } else if has_section {
                    ""
                } else {
                    " (that document has none)"
                };
                self.step(
                    loc,
                    message(
                        &[
                            "runs the ",
                            parent.scope,
                            " scope's ",
                            loc.section.name(),
                            " section",
                            note,
                        ],
                        0,
                    ),
                );
                self.run_section(next, loc.section, loc.depth + 1)
            }
            None => {
                self.step(loc, "no broader scope: nothing to run");
                Ok(())
            }
        }
    }

    fn condition(&mut self, loc: &Loc, attr: &str) -> Ex<bool> {
        let doc = loc.doc.clone();
        let Some(a) = doc.tree.element(loc.node).and_then(|e| e.attribute(attr)) else {
            return Ok(false);
        };
        if let Some(e) = a.value.whole_expression() {
            let (v, _) = self.eval_expr(loc, e)?;
            return match v.as_bool() {
                Some(b) => Ok(b),
                None => Err(self.expression_failed(
                    loc,
                    "",
                    &format!(
                        "The {attr} must be a Boolean, but the expression returned {} '{}'.",
                        v.type_name(),
                        v.to_policy_string()
                    ),
                )),
            };
        }
        let s = self.eval_value(loc, &a.value)?;
        Ok(s.text.trim().eq_ignore_ascii_case("true"))
    }

    fn p_choose(&mut self, loc: &Loc) -> Ex<()> {
        let kids = Kids::of(loc);
        for child in (0..kids.len).filter_map(|i| kids.child(loc, i)) {
            let Some(el) = child.element() else { continue };
            match el.name.as_str() {
                "when" => {
                    let line = child.span().map(|s| child.doc.line(s.start)).unwrap_or(0);
                    let holds = self.condition(&child, "condition")?;
                    let mut msg = String::with_capacity(48);
                    msg.push_str("the when on line ");
                    crate::time::push_padded(&mut msg, line as u64, 1);
                    msg.push_str(if holds {
                        " is true: running it"
                    } else {
                        " is false"
                    });
                    self.step(loc, msg);
                    if holds {
                        return self.run_children(&child);
                    }
                }
                "otherwise" => {
                    self.step(loc, "no when is true: running otherwise");
                    return self.run_children(&child);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn p_set_variable(&mut self, loc: &Loc) -> Ex<()> {
        let name = self.attr_text_or(loc, "name", "")?;
        let doc = loc.doc.clone();
        let value = match doc
            .tree
            .element(loc.node)
            .and_then(|e| e.attribute("value"))
        {
            Some(a) => self.eval_typed(loc, &a.value)?,
            None => Value::string(""),
        };
        let mut msg = message(
            &["set variable ", &name, " = "],
            value.as_str().map_or(32, |s| s.len() + 32),
        );
        if let Some(s) = value.as_str() {
            msg.push('"');
            msg.push_str(s);
            msg.push('"');
        } else if let Some(r) = value.as_response() {
            let _ = write!(msg, "IResponse {} {}", r.status_code, r.status_reason);
        } else {
            msg.push_str(&value.to_policy_string());
        }
        if value.is_secret() {
            let s = value.to_policy_string();
            self.taint(&Str {
                text: s,
                secret: true,
            });
        }
        msg.push_str(" (");
        msg.push_str(&value.type_name_str());
        msg.push(')');
        self.step(loc, msg);
        self.ctx.variables.set(&name, value);
        Ok(())
    }

    fn name_op<'l>(&mut self, loc: &'l Loc) -> Ex<NameOp<'l>> {
        let name = self.attr_text_or(loc, "name", "")?;
        let action = Action::parse(&self.attr_text_or(loc, "exists-action", "override")?);
        let mut values = Vec::new();
        let kids = Kids::of(loc);
        for c in (0..kids.len).filter_map(|i| kids.child(loc, i)) {
            if c.element().is_some_and(|e| e.name == "value") {
                values.push(self.text(&c)?);
            }
        }
        Ok(NameOp {
            name,
            action,
            values,
        })
    }

    fn p_set_header(&mut self, loc: &Loc) -> Ex<()> {
        let op = self.name_op(loc)?;
        if [
            "content-length",
            "connection",
            "keep-alive",
            "transfer-encoding",
        ]
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&op.name))
        {
            self.step(
                loc,
                format!(
                    "the gateway does not let policies change {}: ignored",
                    op.name
                ),
            );
            return Ok(());
        }
        let provenance = self.provenance(loc);
        let (side, headers) = if on_request(loc.section) {
            (" (request)", &mut self.ctx.request.headers)
        } else {
            (" (response)", &mut self.ctx.response.headers)
        };
        let mut msg = apply_header(headers, op, side.len() + provenance.len());
        msg.push_str(side);
        msg.push_str(&provenance);
        self.step(loc, msg);
        Ok(())
    }

    /// ` (from named value x, Key Vault v)` when an element's values use named values
    /// (worked out once per element and scenario).
    fn provenance(&mut self, loc: &Loc) -> std::rc::Rc<str> {
        let key = (loc.doc_index, loc.node.index());
        if let Some(p) = self.gw.provenance.get(&key) {
            return p.clone();
        }
        let p: std::rc::Rc<str> = self.find_provenance(loc).into();
        self.gw.provenance.insert(key, p.clone());
        p
    }

    fn find_provenance(&self, loc: &Loc) -> String {
        let mut names = Vec::new();
        for id in loc.doc.tree.descendants(loc.node) {
            let values: Vec<&crate::syntax::Value> = match loc.doc.tree.node(id).map(|n| &n.kind) {
                Some(NodeKind::Element(e)) => e.attributes.iter().map(|a| &a.value).collect(),
                Some(NodeKind::Text(v)) | Some(NodeKind::CData(v)) => vec![v],
                _ => Vec::new(),
            };
            for v in values {
                for nv in v.named_values() {
                    let label = match self.gw.sc.named_value(&nv.name) {
                        Some(n) => match &n.key_vault {
                            Some(k) => match vault::parse_secret_id(&k.secret_identifier) {
                                Some((vault, _, _)) => {
                                    format!("named value {}, Key Vault {vault}", n.name)
                                }
                                None => format!("named value {}", n.name),
                            },
                            None if n.secret => format!("secret named value {}", n.name),
                            None => format!("named value {}", n.name),
                        },
                        None => format!("named value {}", nv.name),
                    };
                    if !names.contains(&label) {
                        names.push(label);
                    }
                }
            }
        }
        if names.is_empty() {
            String::new()
        } else {
            format!(" (from {})", names.join("; "))
        }
    }

    fn p_set_query_parameter(&mut self, loc: &Loc) -> Ex<()> {
        let NameOp {
            name,
            action,
            values,
        } = self.name_op(loc)?;
        let name: &str = &name;
        let exists = self.ctx.request.url.query.iter().any(|(k, _)| k == name);
        // Room for "; backend URL now " and the URL after the query change.
        let extra = 18
            + self.ctx.request.url.len_hint()
            + values_len(&values)
            + values.len() * (name.len() + 2);
        let q = &mut self.ctx.request.url.query;
        let mut msg = match action {
            Action::Delete => {
                q.retain(|(k, _)| k != name);
                message(&["deleted query parameter ", name], extra)
            }
            Action::Skip if exists => {
                message(&["query parameter ", name, " exists: skipped"], extra)
            }
            Action::Append => {
                for v in &values {
                    q.push((name.to_string(), v.text.clone()));
                }
                let mut msg = message(&["appended query parameter ", name, " = "], extra);
                push_values(&mut msg, &values);
                msg
            }
            Action::Skip | Action::Override => {
                let pos = q.iter().position(|(k, _)| k == name).unwrap_or(q.len());
                q.retain(|(k, _)| k != name);
                let pos = pos.min(q.len());
                let mut msg = message(&["set query parameter ", name, " = "], extra);
                push_values(&mut msg, &values);
                for (i, v) in values.into_iter().enumerate() {
                    q.insert(pos + i, (name.to_string(), v.text));
                }
                msg
            }
        };
        msg.push_str("; backend URL now ");
        self.ctx.request.url.write_into(&mut msg);
        self.step(loc, msg);
        Ok(())
    }

    fn p_rewrite_uri(&mut self, loc: &Loc) -> Ex<()> {
        let template = self.attr_or(loc, "template", "")?;
        let copy = self.attr_bool(loc, "copy-unmatched-params", true)?;
        // {param} from the operation's URL template.
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(rest.get(..open).unwrap_or(""));
            let after = rest.get(open + 1..).unwrap_or("");
            match after.find('}') {
                Some(close) => {
                    let name = after.get(..close).unwrap_or("");
                    match self
                        .ctx
                        .request
                        .matched_parameters
                        .iter()
                        .find(|(k, _)| k == name)
                    {
                        Some((_, v)) => out.push_str(v),
                        None => out.push_str(&format!("{{{name}}}")),
                    }
                    rest = after.get(close + 1..).unwrap_or("");
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        let (path, tq) = out.split_once('?').unwrap_or((&out, ""));
        let mut query = apim_expr::context::parse_query(tq);
        if copy {
            // Parameters named in the operation's template were "matched": not copied.
            let op_template = self.ctx.operation.url_template.clone();
            let matched: Vec<String> = op_template
                .split_once('?')
                .map(|(_, q)| {
                    q.split('&')
                        .filter_map(|p| p.split_once('=').map(|(k, _)| k.to_string()))
                        .collect()
                })
                .unwrap_or_default();
            for (k, v) in self.ctx.request.url.query.clone() {
                if !matched.contains(&k) && !query.iter().any(|(qk, _)| *qk == k) {
                    query.push((k, v));
                }
            }
        }
        self.op_path = if path.starts_with('/') || path.is_empty() {
            path.to_string()
        } else {
            format!("/{path}")
        };
        set_backend_url(self, query);
        self.step(
            loc,
            format!("rewrote the URL: backend URL now {}", self.ctx.request.url),
        );
        Ok(())
    }

    fn p_set_backend_service(&mut self, loc: &Loc) -> Ex<()> {
        if let Some(base) = self.attr(loc, "base-url")? {
            self.base_url = base.text.trim().to_string();
            self.backend_id = None;
            let q = self.ctx.request.url.query.clone();
            set_backend_url(self, q);
            self.step(
                loc,
                format!(
                    "backend base URL set to {}: backend URL now {}",
                    self.base_url, self.ctx.request.url
                ),
            );
        } else if let Some(id) = self.attr(loc, "backend-id")? {
            let id = id.text.trim().to_string();
            let sc = self.gw.sc;
            match sc.backend_entity(&id) {
                Some(b) if b.kind == scenario::BackendKind::Pool => {
                    let members: Vec<String> = b
                        .pool
                        .iter()
                        .flat_map(|p| p.services.iter())
                        .map(|m| {
                            let mut s = m.id.clone();
                            if let Some(p) = m.priority {
                                s.push_str(&format!(" priority {p}"));
                            }
                            if let Some(w) = m.weight {
                                s.push_str(&format!(" weight {w}"));
                            }
                            s
                        })
                        .collect();
                    self.backend_id = Some(b.id.clone());
                    self.step(
                        loc,
                        format!(
                            "backend pool '{}' [{}]: forward-request picks a member for each call",
                            b.id,
                            members.join(", ")
                        ),
                    );
                }
                Some(b) => {
                    self.backend_id = Some(b.id.clone());
                    self.base_url = b.url.clone().unwrap_or_default().trim().to_string();
                    let q = self.ctx.request.url.query.clone();
                    set_backend_url(self, q);
                    self.step(
                        loc,
                        format!(
                            "backend '{}': backend URL now {}",
                            b.id, self.ctx.request.url
                        ),
                    );
                }
                None if sc.backends.is_empty() => self.step(
                    loc,
                    format!("backend-id '{id}': the scenario declares no backends, so the URL stays {} (add the backend to the scenario's backends)", self.ctx.request.url),
                ),
                None => {
                    let known: Vec<&str> = sc.backends.iter().map(|b| b.id.as_str()).collect();
                    return Err(self.fail(
                        loc,
                        "set-backend-service",
                        "BackendNotFound",
                        format!(
                            "the backend '{id}' is not one of the scenario's backends ({})",
                            known.join(", ")
                        ),
                        500,
                        "Internal server error",
                        &[],
                    ));
                }
            }
        } else {
            self.step(loc, "no base-url or backend-id: nothing changes");
        }
        Ok(())
    }

    /// The content of a set-body element as text (`input` is what Liquid's `body` sees).
    fn body_content(&mut self, loc: &Loc, input: Option<(String, String)>) -> Ex<Str> {
        let doc = loc.doc.clone();
        let Some(el) = doc.tree.element(loc.node) else {
            return Ok(Str::default());
        };
        let template = self.attr_text_or(loc, "template", "none")?;
        let only_text = el.children.iter().all(|c| {
            matches!(
                doc.tree.node(*c).map(|n| &n.kind),
                Some(NodeKind::Text(_)) | Some(NodeKind::CData(_)) | Some(NodeKind::Comment)
            )
        });
        if template.eq_ignore_ascii_case("liquid") {
            let raw = doc
                .source
                .get(el.content_span().start..el.content_span().end)
                .unwrap_or("");
            // Named values are substituted before the template runs.
            let mut text = raw.to_string();
            let mut secret = false;
            for v in doc.tree.text_values(loc.node) {
                for nv in v.named_values() {
                    // `{{ body.x }}` is Liquid output, not a named value, unless one has that name.
                    if self.gw.sc.named_value(&nv.name).is_none() {
                        continue;
                    }
                    let s = self.named_value(loc, &nv.name)?;
                    secret |= s.secret;
                    text = text.replace(&format!("{{{{{}}}}}", nv.name), &s.text);
                }
            }
            let text = text
                .strip_prefix("<![CDATA[")
                .and_then(|t| t.strip_suffix("]]>"))
                .map(str::to_string)
                .unwrap_or(text);
            let (body, ctype) = input.unwrap_or_default();
            let out = liquid::render(&text, &self.ctx, &body, &ctype);
            return Ok(match out {
                Ok(s) => Str { text: s, secret },
                Err(e) => {
                    self.step(loc, format!("Liquid template error: {e}"));
                    Str::default()
                }
            });
        }
        if only_text {
            return self.text(loc);
        }
        // Mixed content (an XML body written inline): the markup as written.
        let raw = doc
            .source
            .get(el.content_span().start..el.content_span().end)
            .unwrap_or("");
        let mut text = raw.trim().to_string();
        let mut secret = false;
        for nv in crate::syntax::named_value_refs(raw, 0) {
            let s = self.named_value(loc, &nv.name)?;
            secret |= s.secret;
            text = text.replace(&format!("{{{{{}}}}}", nv.name), &s.text);
        }
        Ok(Str { text, secret })
    }

    fn p_set_body(&mut self, loc: &Loc) -> Ex<()> {
        let req = on_request(loc.section);
        let (body, headers) = if req {
            (&self.ctx.request.body, &self.ctx.request.headers)
        } else {
            (&self.ctx.response.body, &self.ctx.response.headers)
        };
        // Liquid's input, read before anything is evaluated (an expression may consume the
        // body); not copied when the template is plainly not Liquid.
        let template = loc
            .element()
            .and_then(|e| e.attribute("template"))
            .map(|a| a.value.as_literal());
        let liquid = match template {
            None => false,
            Some(Some(t)) => t.eq_ignore_ascii_case("liquid"),
            Some(None) => true,
        };
        let input = if liquid {
            (
                body_text(body.as_ref()),
                headers
                    .get("Content-Type")
                    .and_then(|v| v.first())
                    .cloned()
                    .unwrap_or_default(),
            )
        } else {
            (String::new(), String::new())
        };
        let s = self.body_content(loc, Some(input))?;
        self.taint(&s);
        let mut b = MessageBody::text(&s.text);
        b.secret = s.secret;
        let len = s.text.len();
        if req {
            self.ctx.request.body = Some(b);
        } else {
            self.ctx.response.body = Some(b);
        }
        // `{request|response} body set ({len} bytes): {the first 120 characters, line
        // breaks as spaces}[…]`, written in place.
        let head = s
            .text
            .char_indices()
            .nth(120)
            .map_or(s.text.len(), |(i, _)| i);
        let shown = s.text.get(..head).unwrap_or("");
        let mut msg = message(
            &[if req { "request" } else { "response" }, " body set ("],
            shown.len() + 40,
        );
        crate::time::push_padded(&mut msg, len as u64, 1);
        msg.push_str(" bytes): ");
        for part in shown.split_inclusive(['\n', '\r']) {
            match part.strip_suffix(['\n', '\r']) {
                Some(line) => {
                    msg.push_str(line);
                    msg.push(' ');
                }
                None => msg.push_str(part),
            }
        }
        if head < s.text.len() {
            msg.push('…');
        }
        self.step(loc, msg);
        Ok(())
    }

    /// Apply set-status / set-header / set-body children to a response.
    fn build_response(&mut self, loc: &Loc, mut r: apim_expr::Response) -> Ex<apim_expr::Response> {
        for c in self.children(loc) {
            match c.name().as_str() {
                "set-status" => {
                    r.status_code = self.attr_num(&c, "code")?.unwrap_or(200.0) as i32;
                    r.status_reason =
                        self.attr(&c, "reason")?.map(|s| s.text).unwrap_or_else(|| {
                            reason_phrase(u16::try_from(r.status_code).unwrap_or(0)).to_string()
                        });
                }
                "set-header" => {
                    let op = self.name_op(&c)?;
                    apply_header(&mut r.headers, op, 0);
                }
                "set-body" => {
                    // A Liquid template inside return-response gets an empty input.
                    let s = self.body_content(&c, None)?;
                    self.taint(&s);
                    let mut b = MessageBody::text(&s.text);
                    b.secret = s.secret;
                    r.body = Some(b);
                }
                _ => {}
            }
        }
        Ok(r)
    }

    fn p_return_response(&mut self, loc: &Loc) -> Ex<()> {
        let base = match self.attr(loc, "response-variable-name")? {
            Some(name) => match self
                .ctx
                .variables
                .get(&name.text)
                .and_then(Value::as_response)
            {
                Some(r) => r,
                None => {
                    return Err(self.fail(
                        loc,
                        "return-response",
                        "",
                        format!("the variable '{}' does not hold a response", name.text),
                        500,
                        "Internal server error",
                        &[],
                    ));
                }
            },
            None => apim_expr::Response {
                status_code: 200,
                status_reason: "OK".into(),
                ..apim_expr::Response::default()
            },
        };
        let r = self.build_response(loc, base)?;
        self.step(
            loc,
            format!(
                "the gateway answers {} {} without calling the backend",
                r.status_code, r.status_reason
            ),
        );
        self.ctx.response = r;
        Err(Stop::Return)
    }

    fn p_mock_response(&mut self, loc: &Loc) -> Ex<()> {
        let code = self.attr_num(loc, "status-code")?.unwrap_or(200.0) as i32;
        let ctype = self.attr(loc, "content-type")?.map(|s| s.text);
        let mut r = apim_expr::Response {
            status_code: code,
            status_reason: reason_phrase(u16::try_from(code).unwrap_or(0)).to_string(),
            ..apim_expr::Response::default()
        };
        if let Some(ct) = &ctype {
            r.headers.set("Content-Type", vec![ct.clone()]);
        }
        self.step(
            loc,
            format!("the gateway answers {code} {} with an empty body (mock-response takes its body from the API definition's examples, which are not part of the scenario)", r.status_reason),
        );
        self.ctx.response = r;
        Err(Stop::Return)
    }

    fn p_forward_request(&mut self, loc: &Loc) -> Ex<()> {
        let timeout = self.attr_num(loc, "timeout")?.unwrap_or(300.0);
        let fail_on_error = self.attr_bool(loc, "fail-on-error-status-code", false)?;
        // A backend entity (or a pool's member) chosen by set-backend-service backend-id.
        let target = match self.backend_id.clone() {
            Some(id) => match self.backend_target(loc, &id)? {
                Some(t) => Some(t),
                // The breaker is open: the gateway answered 503 itself.
                None => return Ok(()),
            },
            None => None,
        };
        if let Some(t) = &target {
            self.base_url = t.url.trim().to_string();
            let q = self.ctx.request.url.query.clone();
            set_backend_url(self, q);
        }
        let method = self.ctx.request.method.clone();
        let mut headers = self.ctx.request.headers.clone();
        // The subscription key is the gateway's, not the backend's.
        headers.remove("Ocp-Apim-Subscription-Key");
        let mut url = String::new();
        if let Some(b) = target
            .as_ref()
            .and_then(|t| self.gw.sc.backend_entity(&t.id))
        {
            let mut backend_url = self.ctx.request.url.clone();
            // The backend's credentials: headers and query parameters the gateway adds.
            let creds = b.credentials.clone();
            let mut shown = Vec::new();
            for (name, values) in creds.header.iter() {
                let mut out = Vec::new();
                for v in values {
                    out.push(self.credential_value(loc, v)?.text);
                }
                shown.push(format!("header {name}: {}", out.join(", ")));
                headers.set(name, out);
            }
            for (name, values) in creds.query.iter() {
                backend_url
                    .query
                    .retain(|(k, _)| !k.eq_ignore_ascii_case(name));
                for v in values {
                    let v = self.credential_value(loc, v)?.text;
                    shown.push(format!("query {name}={v}"));
                    backend_url.query.push((name.to_string(), v));
                }
            }
            if !shown.is_empty() {
                self.step(
                    loc,
                    format!("backend '{}' credentials: {}", b.id, shown.join("; ")),
                );
            }
            backend_url.write_into(&mut url);
        } else {
            // No credentials to add: the request's URL as it is, without a copy.
            self.ctx.request.url.write_into(&mut url);
        }
        let body = body_text(self.ctx.request.body.as_ref());
        // The mocks read the request (not `backend_request`), so it is recorded after they
        // answered, moving the headers into it.
        let answer = match &target {
            Some(t) => self.backend_answer(t, &method, &url, &headers),
            None => self.answer(&method, &url, &headers, true),
        };
        let mut out_headers = scenario::Headers::default();
        for (k, v) in headers.0 {
            // `scenario::Headers::set`, without copying the name and values.
            match out_headers
                .0
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(&k))
            {
                Some(slot) => slot.1 = v,
                None => out_headers.0.push((k, v)),
            }
        }
        self.backend_request = Some(super::output::HttpRequestOut {
            method: method.clone(),
            url: url.clone(),
            headers: out_headers,
            body,
        });
        self.forwarded = true;
        let Some(a) = answer else {
            return Ok(());
        };
        if a.delay_ms as f64 > timeout * 1000.0 {
            return Err(self.fail(
                loc,
                "forward-request",
                "Timeout",
                format!("The backend did not answer {method} {url} within {timeout} seconds (it takes {} ms).", a.delay_ms),
                500,
                "Internal server error",
                &[],
            ));
        }
        let mut h = apim_expr::Headers::default();
        for (k, v) in a.headers.iter() {
            h.set(k, v.to_vec());
        }
        let mut b = MessageBody::text(&a.body);
        b.secret = self.contains_secret(&a.body);
        self.ctx.response = apim_expr::Response {
            status_code: i32::from(a.status),
            status_reason: reason_phrase(a.status).to_string(),
            headers: h,
            body: (!a.body.is_empty()).then_some(b),
        };
        // `{method} {url} → {status} {reason} (from {mock})`.
        let mut msg = message(&[&method, " ", &url, " → "], a.from.len() + 40);
        crate::time::push_padded(&mut msg, u64::from(a.status), 1);
        msg.push(' ');
        msg.push_str(reason_phrase(a.status));
        msg.push_str(" (from ");
        msg.push_str(&a.from);
        msg.push(')');
        self.step(loc, msg);
        self.on_backend_usage(&a.body);
        if let Some(t) = &target {
            self.record_breaker(loc, &t.id, a.status, &a.headers);
        }
        if fail_on_error && a.status >= 400 {
            return Err(self.raise(
                loc,
                "forward-request",
                "",
                format!(
                    "The backend answered {} and fail-on-error-status-code is true.",
                    a.status
                ),
            ));
        }
        Ok(())
    }

    /// authentication-managed-identity: a token for `resource`. With `into = Some(msg)` the
    /// header goes on that message (inside send-request).
    fn p_auth_mi(&mut self, loc: &Loc, into: Option<&mut Msg>) -> Ex<Option<String>> {
        let resource = self.attr_or(loc, "resource", "")?;
        let client = self
            .attr(loc, "client-id")?
            .map(|s| s.text)
            .filter(|s| !s.is_empty());
        let var = self
            .attr(loc, "output-token-variable-name")?
            .map(|s| s.text);
        let ignore = self.attr_bool(loc, "ignore-error", false)?;
        match vault::mi_token(self.gw.sc, client.as_deref(), &resource, self.now) {
            Ok(token) => {
                let who = vault::identity_label(client.as_deref());
                match (&var, into) {
                    (Some(v), _) => {
                        self.ctx.variables.set(v, Value::string(&token));
                        self.step(
                            loc,
                            format!("mock token for {resource} from {who} stored in variable {v}"),
                        );
                    }
                    (None, Some(msg)) => {
                        msg.headers
                            .set("Authorization", vec![format!("Bearer {token}")]);
                        self.step(
                            loc,
                            format!("Authorization: Bearer <mock token for {resource} from {who}>"),
                        );
                    }
                    (None, None) => {
                        self.ctx
                            .request
                            .headers
                            .set("Authorization", vec![format!("Bearer {token}")]);
                        self.step(
                            loc,
                            format!("Authorization: Bearer <mock token for {resource} from {who}>"),
                        );
                    }
                }
                Ok(Some(token))
            }
            Err(why) if ignore => {
                self.step(
                    loc,
                    format!(
                        "no token ({why}); ignore-error is true, so the request goes on without one"
                    ),
                );
                Ok(None)
            }
            Err(why) => Err(self.fail(
                loc,
                "authentication-managed-identity",
                "",
                format!("No managed identity token for {resource}: {why}."),
                500,
                "Internal server error",
                &[],
            )),
        }
    }

    fn p_send_request(&mut self, loc: &Loc, one_way: bool) -> Ex<()> {
        let mode = self.attr_or(loc, "mode", "new")?.to_ascii_lowercase();
        let var = self.attr(loc, "response-variable-name")?.map(|s| s.text);
        let timeout = self.attr_num(loc, "timeout")?.unwrap_or(60.0);
        let ignore = self.attr_bool(loc, "ignore-error", false)?;
        let mut msg = Msg {
            method: "GET".into(),
            ..Msg::default()
        };
        if mode == "copy" {
            msg.method = self.ctx.request.method.clone();
            msg.url = self.ctx.request.url.to_string();
            msg.headers = self.ctx.request.headers.clone();
            if loc.section != Section::Outbound {
                msg.body = body_text(self.ctx.request.body.as_ref());
            }
        }
        for c in self.children(loc) {
            match c.name().as_str() {
                "set-url" => msg.url = self.text(&c)?.text.trim().to_string(),
                "set-method" => msg.method = self.text(&c)?.text.trim().to_ascii_uppercase(),
                "set-header" => {
                    let op = self.name_op(&c)?;
                    apply_header(&mut msg.headers, op, 0);
                }
                "set-body" => {
                    let s = self.body_content(&c, None)?;
                    msg.secret |= s.secret;
                    self.taint(&s);
                    msg.body = s.text;
                }
                "authentication-managed-identity" => {
                    self.p_auth_mi(&c, Some(&mut msg))?;
                }
                "authentication-certificate" => {
                    self.step(&c, "the client certificate is presented (certificates are not part of the scenario)");
                }
                "proxy" => self.step(&c, "the call goes through the proxy (not simulated)"),
                _ => {}
            }
        }
        let what = if one_way {
            "send-one-way-request"
        } else {
            "send-request"
        };
        let answer = self.answer(&msg.method, &msg.url, &msg.headers, false);
        let result: Result<apim_expr::Response, (String, String)> = match answer {
            None => Err((
                "BackendConnectionFailure".into(),
                format!(
                    "No http_mocks entry answers {} {} (the simulator has no network: add one to the scenario).",
                    msg.method, msg.url
                ),
            )),
            Some(a) if a.delay_ms as f64 > timeout * 1000.0 => Err((
                "Timeout".into(),
                format!(
                    "{} {} did not answer within {timeout} seconds (it takes {} ms).",
                    msg.method, msg.url, a.delay_ms
                ),
            )),
            Some(a) => {
                self.step(
                    loc,
                    format!(
                        "{} {} → {} {} (from {})",
                        msg.method,
                        msg.url,
                        a.status,
                        reason_phrase(a.status),
                        a.from
                    ),
                );
                let mut h = apim_expr::Headers::default();
                for (k, v) in a.headers.iter() {
                    h.set(k, v.to_vec());
                }
                let mut b = MessageBody::text(&a.body);
                b.secret = self.contains_secret(&a.body);
                Ok(apim_expr::Response {
                    status_code: i32::from(a.status),
                    status_reason: reason_phrase(a.status).to_string(),
                    headers: h,
                    body: Some(b),
                })
            }
        };
        if one_way {
            if let Err((_, why)) = result {
                self.step(
                    loc,
                    format!("{why} (one-way requests never fail the pipeline)"),
                );
            }
            return Ok(());
        }
        match result {
            Ok(r) => {
                if let Some(v) = var {
                    self.step(loc, format!("response stored in variable {v}"));
                    self.ctx.variables.set(&v, Value::response(r));
                }
                Ok(())
            }
            Err((reason, why)) if ignore => {
                self.step(
                    loc,
                    format!("{why} ignore-error is true: the variable is null"),
                );
                if let Some(v) = var {
                    self.ctx.variables.set(&v, Value::null());
                }
                let _ = reason;
                Ok(())
            }
            Err((reason, why)) => {
                Err(self.fail(loc, what, &reason, why, 500, "Internal server error", &[]))
            }
        }
    }

    fn p_retry(&mut self, loc: &Loc) -> Ex<()> {
        let count = self.attr_num(loc, "count")?.unwrap_or(1.0).clamp(0.0, 50.0) as u32;
        let interval = self.attr_num(loc, "interval")?.unwrap_or(0.0);
        let delta = self.attr_num(loc, "delta")?;
        let max_interval = self.attr_num(loc, "max-interval")?;
        let fast = self.attr_bool(loc, "first-fast-retry", false)?;
        self.run_children(loc)?;
        for attempt in 1..=count {
            if !self.condition(loc, "condition")? {
                self.step(
                    loc,
                    format!("condition is false after {} run(s): done", attempt),
                );
                return Ok(());
            }
            let wait = if fast && attempt == 1 {
                0.0
            } else {
                match (delta, max_interval) {
                    (Some(d), Some(m)) => (interval + (2f64.powi(attempt as i32) - 1.0) * d).min(m),
                    (Some(d), None) => interval + f64::from(attempt - 1) * d,
                    _ => interval,
                }
            };
            self.step(
                loc,
                format!("condition is true: retry {attempt} of {count} after {wait} s (the simulator does not wait)"),
            );
            self.run_children(loc)?;
        }
        if count > 0 && self.condition(loc, "condition")? {
            self.step(
                loc,
                format!("condition is still true but all {count} retries are used"),
            );
        }
        Ok(())
    }

    fn p_wait(&mut self, loc: &Loc) -> Ex<()> {
        let mode = self.attr_or(loc, "for", "all")?.to_ascii_lowercase();
        let children = self.children(loc);
        if mode == "any" {
            self.step(loc, "for=\"any\": the first child finishes first in the simulator; the others are cancelled");
            if let Some(first) = children.first() {
                self.exec(first)?;
            }
            return Ok(());
        }
        self.step(
            loc,
            format!(
                "runs its {} children (in parallel in APIM, one after another here)",
                children.len()
            ),
        );
        for c in &children {
            self.exec(c)?;
        }
        Ok(())
    }

    fn p_include_fragment(&mut self, loc: &Loc) -> Ex<()> {
        let id = self.attr_or(loc, "fragment-id", "")?;
        let Some(&(_, index)) = self.gw.fragments.iter().find(|(n, _)| *n == id) else {
            return Err(self.fail(
                loc,
                "include-fragment",
                "",
                format!("the fragment '{id}' does not exist (add it to the scenario's fragments)"),
                500,
                "Internal server error",
                &[],
            ));
        };
        let Some(doc) = self.gw.docs.get(index).cloned() else {
            return Ok(());
        };
        let Some(root) = doc.tree.root else {
            return Ok(());
        };
        self.step(loc, format!("includes fragment {id}"));
        let floc = Loc {
            doc,
            doc_index: index,
            node: root,
            level: loc.level,
            section: loc.section,
            path: loc.path.clone(),
            depth: loc.depth + 1,
        };
        self.run_children(&floc)
    }

    fn p_check_header(&mut self, loc: &Loc) -> Ex<()> {
        let name = self.attr_or(loc, "name", "")?;
        let code = self
            .attr_num(loc, "failed-check-httpcode")?
            .unwrap_or(401.0) as u16;
        let message = self.attr_or(loc, "failed-check-error-message", "")?;
        let ignore_case = self.attr_bool(loc, "ignore-case", false)?;
        let mut allowed = Vec::new();
        for c in self.children(loc) {
            if c.name() == "value" {
                allowed.push(self.text(&c)?.text);
            }
        }
        let Some(values) = self.ctx.request.headers.get(&name).cloned() else {
            return Err(self.fail(
                loc,
                "check-header",
                "HeaderNotFound",
                message.clone(),
                code,
                &message,
                &[],
            ));
        };
        if allowed.is_empty() {
            self.step(loc, format!("header {name} is present"));
            return Ok(());
        }
        let eq = |a: &str, b: &str| {
            if ignore_case {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let joined = values.join(",");
        let ok = allowed
            .iter()
            .any(|a| eq(a, &joined) || values.iter().any(|v| eq(a, v.trim())));
        if ok {
            self.step(loc, format!("header {name} has an allowed value"));
            Ok(())
        } else {
            Err(self.fail(
                loc,
                "check-header",
                "HeaderValueNotAllowed",
                message.clone(),
                code,
                &message,
                &[],
            ))
        }
    }

    fn p_ip_filter(&mut self, loc: &Loc) -> Ex<()> {
        let action = self.attr_or(loc, "action", "allow")?.to_ascii_lowercase();
        let ip_text = self.ctx.request.ip_address.clone();
        let Ok(ip) = ip_text.trim().parse::<std::net::IpAddr>() else {
            return Err(self.fail(
                loc,
                "ip-filter",
                "FailedToParseCallerIP",
                format!("Failed to parse the caller IP address '{ip_text}'."),
                403,
                "Forbidden",
                &[],
            ));
        };
        let num = |a: &std::net::IpAddr| -> u128 {
            match a {
                std::net::IpAddr::V4(v) => u128::from(u32::from(*v)),
                std::net::IpAddr::V6(v) => u128::from(*v),
            }
        };
        let mut matched = false;
        for c in self.children(loc) {
            match c.name().as_str() {
                "address" => {
                    let a = self.text(&c)?.text;
                    if a.trim().parse::<std::net::IpAddr>().is_ok_and(|a| a == ip) {
                        matched = true;
                    }
                }
                "address-range" => {
                    let from = self
                        .attr_or(&c, "from", "")?
                        .trim()
                        .parse::<std::net::IpAddr>();
                    let to = self
                        .attr_or(&c, "to", "")?
                        .trim()
                        .parse::<std::net::IpAddr>();
                    if let (Ok(f), Ok(t)) = (from, to)
                        && f.is_ipv4() == ip.is_ipv4()
                        && num(&f) <= num(&ip)
                        && num(&ip) <= num(&t)
                    {
                        matched = true;
                    }
                }
                _ => {}
            }
        }
        match (action.as_str(), matched) {
            ("allow", true) => {
                self.step(loc, format!("caller IP {ip} is allowed"));
                Ok(())
            }
            ("allow", false) => Err(self.fail(
                loc,
                "ip-filter",
                "CallerIpNotAllowed",
                format!("Caller IP address {ip} is not allowed. Access denied."),
                403,
                "Forbidden",
                &[],
            )),
            (_, true) => Err(self.fail(
                loc,
                "ip-filter",
                "CallerIpBlocked",
                format!("Caller IP address {ip} is blocked. Access denied."),
                403,
                "Forbidden",
                &[],
            )),
            (_, false) => {
                self.step(loc, format!("caller IP {ip} is not in the forbidden list"));
                Ok(())
            }
        }
    }

    fn list(&mut self, loc: &Loc, container: &str, item: &str) -> Ex<Option<Vec<String>>> {
        let Some(c) = self.child_named(loc, container) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for i in self.children(&c) {
            if i.name() == item {
                out.push(self.text(&i)?.text.trim().to_string());
            }
        }
        Ok(Some(out))
    }

    fn p_cors(&mut self, loc: &Loc) -> Ex<()> {
        let credentials = self.attr_bool(loc, "allow-credentials", false)?;
        let terminate = self.attr_bool(loc, "terminate-unmatched-request", false)?;
        let origins = self
            .list(loc, "allowed-origins", "origin")?
            .unwrap_or_default();
        let methods = self.list(loc, "allowed-methods", "method")?;
        let headers = self
            .list(loc, "allowed-headers", "header")?
            .unwrap_or_default();
        let expose = self
            .list(loc, "expose-headers", "header")?
            .unwrap_or_default();
        let max_age = match self.child_named(loc, "allowed-methods") {
            Some(c) => self
                .attr_num(&c, "preflight-result-max-age")?
                .unwrap_or(0.0),
            None => 0.0,
        };
        let h = &self.ctx.request.headers;
        let Some(origin) = h.get("Origin").and_then(|v| v.first()).cloned() else {
            self.step(loc, "no Origin header: not a cross-origin request");
            return Ok(());
        };
        let origin_ok = origins.iter().any(|o| {
            o == "*"
                || o.trim_end_matches('/')
                    .eq_ignore_ascii_case(origin.trim_end_matches('/'))
        });
        let allow_origin = if origins.iter().any(|o| o == "*") && !credentials {
            "*".to_string()
        } else {
            origin.clone()
        };
        let acrm = h
            .get("Access-Control-Request-Method")
            .and_then(|v| v.first())
            .cloned();
        let method_list = methods.unwrap_or_else(|| vec!["GET".into(), "POST".into()]);
        if self.ctx.request.method == "OPTIONS"
            && let Some(want) = acrm
        {
            let want = want.trim().to_ascii_uppercase();
            let method_ok = method_list
                .iter()
                .any(|m| m == "*" || m.eq_ignore_ascii_case(&want));
            let requested: Vec<String> = h
                .get("Access-Control-Request-Headers")
                .map(|v| v.join(","))
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let missing: Vec<&String> = requested
                .iter()
                .filter(|r| {
                    !headers
                        .iter()
                        .any(|a| a == "*" || a.eq_ignore_ascii_case(r))
                })
                .collect();
            let mut r = apim_expr::Response {
                status_code: 200,
                status_reason: "OK".into(),
                ..apim_expr::Response::default()
            };
            if origin_ok && method_ok && missing.is_empty() {
                r.headers
                    .set("Access-Control-Allow-Origin", vec![allow_origin]);
                if credentials {
                    r.headers
                        .set("Access-Control-Allow-Credentials", vec!["true".into()]);
                }
                r.headers
                    .set("Access-Control-Allow-Methods", vec![want.clone()]);
                if !requested.is_empty() {
                    r.headers
                        .set("Access-Control-Allow-Headers", vec![requested.join(",")]);
                }
                if max_age > 0.0 {
                    r.headers.set(
                        "Access-Control-Max-Age",
                        vec![format!("{}", max_age as i64)],
                    );
                }
                self.step(loc, format!("preflight from {origin} for {want} is allowed: the gateway answers 200 with the CORS headers"));
            } else {
                let why = if !origin_ok {
                    format!("origin {origin} is not allowed")
                } else if !method_ok {
                    format!("method {want} is not allowed")
                } else {
                    format!(
                        "header(s) {} not allowed",
                        missing
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                self.step(loc, format!("preflight does not match ({why}): the gateway answers an empty 200 without CORS headers, so the browser blocks the call"));
            }
            self.ctx.response = r;
            return Err(Stop::Return);
        }
        if origin_ok {
            self.late_headers
                .push(("Access-Control-Allow-Origin".into(), allow_origin));
            if credentials {
                self.late_headers
                    .push(("Access-Control-Allow-Credentials".into(), "true".into()));
            }
            if !expose.is_empty() {
                self.late_headers
                    .push(("Access-Control-Expose-Headers".into(), expose.join(",")));
            }
            self.step(
                loc,
                format!("origin {origin} is allowed: CORS headers are added to the response"),
            );
            Ok(())
        } else if terminate && matches!(self.ctx.request.method.as_str(), "GET" | "HEAD") {
            self.step(loc, format!("origin {origin} is not allowed and terminate-unmatched-request is true: empty 200"));
            self.ctx.response = apim_expr::Response {
                status_code: 200,
                status_reason: "OK".into(),
                ..apim_expr::Response::default()
            };
            Err(Stop::Return)
        } else {
            self.step(loc, format!("origin {origin} is not allowed: no CORS headers, so the browser will refuse the response"));
            Ok(())
        }
    }

    fn p_auth_basic(&mut self, loc: &Loc) -> Ex<()> {
        let user = self.attr(loc, "username")?.unwrap_or_default();
        let pass = self.attr(loc, "password")?.unwrap_or_default();
        let value = format!(
            "Basic {}",
            json::b64_encode(format!("{}:{}", user.text, pass.text).as_bytes())
        );
        let s = Str {
            text: value.clone(),
            secret: user.secret || pass.secret,
        };
        self.taint(&s);
        if s.secret {
            let encoded = value.trim_start_matches("Basic ").to_string();
            self.taint(&Str {
                text: encoded,
                secret: true,
            });
        }
        self.ctx.request.headers.set("Authorization", vec![value]);
        let provenance = self.provenance(loc);
        self.step(
            loc,
            format!(
                "Authorization: Basic <base64 of {}:{}>{provenance}",
                user.text, pass.text
            ),
        );
        Ok(())
    }

    fn p_rate_limit(&mut self, loc: &Loc, by_key: bool) -> Ex<()> {
        let policy = loc.name();
        let mut calls = self.attr_num(loc, "calls")?.unwrap_or(0.0).max(0.0) as u64;
        let mut period = self
            .attr_num(loc, "renewal-period")?
            .unwrap_or(60.0)
            .max(1.0);
        let key = if by_key {
            let k = self.attr_text_or(loc, "counter-key", "")?;
            message(&["rate-limit-by-key:", &k], 0)
        } else {
            let Some(sub) = self.ctx.subscription.clone() else {
                self.step(loc, "rate-limit counts calls per subscription: this call has no subscription key, so it is not limited");
                return Ok(());
            };
            let scope = self.levels.get(loc.level).map(|l| l.scope).unwrap_or("api");
            // Per-API / per-operation limits inside the policy.
            let mut key = format!("rate-limit:{}:{scope}", sub.id);
            for c in self.children(loc) {
                if c.name() != "api" {
                    continue;
                }
                let n = self.attr_or(&c, "name", "")?;
                let id = self.attr_or(&c, "id", "")?;
                if n != self.ctx.api.name && id != self.ctx.api.id {
                    continue;
                }
                calls = self.attr_num(&c, "calls")?.map_or(calls, |v| v as u64);
                period = self.attr_num(&c, "renewal-period")?.unwrap_or(period);
                key.push_str(&format!(":api={}", self.ctx.api.name));
                for o in self.children(&c) {
                    let on = self.attr_or(&o, "name", "")?;
                    let oid = self.attr_or(&o, "id", "")?;
                    if o.name() == "operation"
                        && (on == self.ctx.operation.name || oid == self.ctx.operation.id)
                    {
                        calls = self.attr_num(&o, "calls")?.map_or(calls, |v| v as u64);
                        period = self.attr_num(&o, "renewal-period")?.unwrap_or(period);
                        key.push_str(&format!(":op={}", self.ctx.operation.name));
                    }
                }
            }
            key
        };
        let window = (period * 1000.0) as i64;
        let now = self.now_ms();
        if !self.gw.rate.contains_key(&key) {
            self.gw.rate.insert(key.clone(), Vec::new());
        }
        let (used, oldest) = match self.gw.rate.get_mut(&key) {
            Some(times) => {
                times.retain(|&t| t > now - window);
                (times.len() as u64, times.first().copied())
            }
            None => (0, None),
        };
        let shown_key = key
            .split_once(':')
            .map(|(_, k)| k)
            .unwrap_or(&key)
            .to_string();
        if used >= calls {
            let retry_ms = oldest.map_or(window, |t| t + window - now);
            let retry = (retry_ms.max(0) + 999) / 1000;
            if let Some(v) = self.attr(loc, "retry-after-variable-name")? {
                self.ctx.variables.set(&v.text, Value::int(retry as i32));
            }
            let header = self.attr_or(loc, "retry-after-header-name", "Retry-After")?;
            let message = format!("Rate limit is exceeded. Try again in {retry} seconds.");
            self.step(
                loc,
                format!("key '{shown_key}': {used} of {calls} calls used in the last {period} s"),
            );
            return Err(self.fail(
                loc,
                &policy,
                "RateLimitExceeded",
                message.clone(),
                429,
                &message,
                &[(&header, retry.to_string())],
            ));
        }
        let increment = if by_key {
            self.attr_num(loc, "increment-count")?
                .unwrap_or(1.0)
                .max(0.0) as u64
        } else {
            1
        };
        let doc = loc.doc.clone();
        let condition = doc
            .tree
            .element(loc.node)
            .and_then(|e| e.attribute("increment-condition"))
            .and_then(|a| a.value.whole_expression().cloned());
        let remaining = calls.saturating_sub(used + increment);
        if condition.is_some() {
            self.pending.push(Pending {
                loc: loc.clone(),
                key,
                quota: false,
                count: increment,
                condition,
            });
        } else if let Some(times) = self.gw.rate.get_mut(&key) {
            for _ in 0..increment.min(10_000) {
                times.push(now);
            }
        }
        if let Some(v) = self.attr(loc, "remaining-calls-variable-name")? {
            self.ctx
                .variables
                .set(&v.text, Value::int(remaining as i32));
        }
        if let Some(h) = self.attr(loc, "remaining-calls-header-name")? {
            self.late_headers.push((h.text, remaining.to_string()));
        }
        if let Some(h) = self.attr(loc, "total-calls-header-name")? {
            self.late_headers.push((h.text, calls.to_string()));
        }
        // `key '{shown_key}': call {n} of {calls} in {period} s; {remaining} remaining`.
        let mut msg = message(&["key '", &shown_key, "': call "], 64);
        crate::time::push_padded(&mut msg, used + increment, 1);
        msg.push_str(" of ");
        crate::time::push_padded(&mut msg, calls, 1);
        msg.push_str(" in ");
        push_number(&mut msg, period);
        msg.push_str(" s; ");
        crate::time::push_padded(&mut msg, remaining, 1);
        msg.push_str(" remaining");
        self.step(loc, msg);
        Ok(())
    }

    fn p_quota(&mut self, loc: &Loc, by_key: bool) -> Ex<()> {
        let policy = loc.name();
        let calls = self.attr_num(loc, "calls")?.map(|v| v.max(0.0) as u64);
        let bandwidth = self.attr_num(loc, "bandwidth")?.map(|v| v.max(0.0) as u64);
        let period = self
            .attr_num(loc, "renewal-period")?
            .unwrap_or(0.0)
            .max(0.0);
        let key = if by_key {
            format!("quota-by-key:{}", self.attr_or(loc, "counter-key", "")?)
        } else {
            match self.ctx.subscription.clone() {
                Some(s) => format!("quota:{}", s.id),
                None => {
                    self.step(loc, "quota counts calls per subscription: this call has no subscription key, so it is not counted");
                    return Ok(());
                }
            }
        };
        // Periods are counted from first-period-start (default 0001-01-01T00:00:00Z).
        let start = match self.attr(loc, "first-period-start")? {
            Some(s) => crate::time::parse_rfc3339(&s.text).map(|t| t.as_millis()),
            None => None,
        }
        .unwrap_or(crate::time::days_from_civil(1, 1, 1) * 86_400_000);
        let period_ms = (period * 1000.0) as i64;
        let now = self.now_ms();
        let index = if period_ms > 0 {
            (now - start).div_euclid(period_ms)
        } else {
            0
        };
        let next_ms = if period_ms > 0 {
            start + (index + 1) * period_ms - now
        } else {
            i64::MAX / 4
        };
        let (used_calls, used_kb) = {
            let entry = self.gw.quota.entry(key.clone()).or_insert((index, 0, 0));
            if entry.0 != index {
                *entry = (index, 0, 0);
            }
            (entry.1, entry.2)
        };
        let shown_key = key
            .split_once(':')
            .map(|(_, k)| k)
            .unwrap_or(&key)
            .to_string();
        let over_calls = calls.is_some_and(|c| used_calls >= c);
        let over_kb = bandwidth.is_some_and(|b| used_kb >= b);
        if over_calls || over_kb {
            let when = if period_ms > 0 {
                seconds_text(next_ms)
            } else {
                "never (renewal-period is 0)".into()
            };
            let message = if over_calls {
                format!("Out of call volume quota. Quota will be replenished in {when}.")
            } else {
                format!("Out of bandwidth quota. Quota will be replenished in {when}.")
            };
            let retry = if period_ms > 0 {
                ((next_ms + 999) / 1000).to_string()
            } else {
                "0".into()
            };
            return Err(self.fail(
                loc,
                &policy,
                "QuotaExceeded",
                message.clone(),
                403,
                &message,
                &[("Retry-After", retry)],
            ));
        }
        let doc = loc.doc.clone();
        let condition = doc
            .tree
            .element(loc.node)
            .and_then(|e| e.attribute("increment-condition"))
            .and_then(|a| a.value.whole_expression().cloned());
        // Bandwidth counts the request body now (the response's size is not known yet).
        let kb = if bandwidth.is_some() {
            body_text(self.ctx.request.body.as_ref())
                .len()
                .div_ceil(1024) as u64
        } else {
            0
        };
        if condition.is_some() {
            self.pending.push(Pending {
                loc: loc.clone(),
                key: key.clone(),
                quota: true,
                count: 1,
                condition,
            });
        } else if let Some(e) = self.gw.quota.get_mut(&key) {
            e.1 += 1;
        }
        if let Some(e) = self.gw.quota.get_mut(&key) {
            e.2 += kb;
        }
        let mut parts = Vec::new();
        if let Some(c) = calls {
            parts.push(format!("call {} of {c}", used_calls + 1));
        }
        if let Some(b) = bandwidth {
            parts.push(format!("{used_kb} of {b} KB used"));
        }
        self.step(
            loc,
            format!(
                "key '{shown_key}': {} in this {}",
                parts.join(", "),
                if period_ms > 0 {
                    format!("{period} s period")
                } else {
                    "unlimited period".into()
                }
            ),
        );
        Ok(())
    }

    fn p_cache_lookup(&mut self, loc: &Loc) -> Ex<()> {
        if self.ctx.request.method != "GET" {
            self.step(
                loc,
                format!(
                    "only GET responses are cached: {} is not looked up",
                    self.ctx.request.method
                ),
            );
            return Ok(());
        }
        let by_dev = self.attr_bool(loc, "vary-by-developer", false)?;
        let by_groups = self.attr_bool(loc, "vary-by-developer-groups", false)?;
        let mut key = format!(
            "{}|{}|{}",
            self.ctx.api.id, self.ctx.operation.id, self.ctx.request.url.path
        );
        for c in self.children(loc) {
            let which = c.name();
            let names = self.text(&c)?.text;
            for n in names.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                match which.as_str() {
                    "vary-by-header" => {
                        let v = self
                            .ctx
                            .request
                            .headers
                            .get(n)
                            .map(|v| v.join(","))
                            .unwrap_or_default();
                        key.push_str(&format!("|h:{n}={v}"));
                    }
                    "vary-by-query-parameter" => {
                        let v: Vec<&str> = self
                            .ctx
                            .request
                            .original_url
                            .query
                            .iter()
                            .filter(|(k, _)| k == n)
                            .map(|(_, v)| v.as_str())
                            .collect();
                        key.push_str(&format!("|q:{n}={}", v.join(",")));
                    }
                    _ => {}
                }
            }
        }
        if by_dev {
            key.push_str(&format!(
                "|u:{}",
                self.ctx
                    .user
                    .as_ref()
                    .map(|u| u.id.clone())
                    .unwrap_or_default()
            ));
        }
        if by_groups {
            key.push_str(&format!(
                "|g:{}",
                self.ctx
                    .user
                    .as_ref()
                    .map(|u| u.groups.join(","))
                    .unwrap_or_default()
            ));
        }
        let now = self.now_ms();
        match self.gw.responses.get(&key) {
            Some(c) if c.expires > now => {
                let r = c.value.clone();
                let mut h = apim_expr::Headers::default();
                for (k, v) in r.headers.iter() {
                    h.set(k, v.to_vec());
                }
                self.ctx.response = apim_expr::Response {
                    status_code: i32::from(r.status),
                    status_reason: r.reason.clone(),
                    headers: h,
                    body: Some(MessageBody::text(&r.body)),
                };
                self.cache_key = Some((key, 1));
                self.step(
                    loc,
                    format!("cache hit: the cached {} response (stored until {}) is returned; the backend is not called and outbound runs", r.status, crate::time::Timestamp::from_seconds(c.expires / 1000).to_rfc3339()),
                );
                Err(Stop::CacheHit)
            }
            _ => {
                self.step(loc, "cache miss: the request goes on to the backend");
                self.cache_key = Some((key, 0));
                Ok(())
            }
        }
    }

    fn p_cache_store(&mut self, loc: &Loc) -> Ex<()> {
        let duration = self.attr_num(loc, "duration")?.unwrap_or(0.0).max(0.0);
        let Some((key, hit)) = self.cache_key.clone() else {
            self.step(
                loc,
                "no cache-lookup ran for this request: nothing is stored",
            );
            return Ok(());
        };
        if hit == 1 {
            self.step(loc, "the response came from the cache: not stored again");
            return Ok(());
        }
        let store = match self.attr(loc, "cache-response")? {
            Some(s) => s.text.trim().eq_ignore_ascii_case("true"),
            None => self.ctx.response.status_code == 200,
        };
        if !store {
            self.step(
                loc,
                format!(
                    "status {} is not cached (only 200 unless cache-response says otherwise)",
                    self.ctx.response.status_code
                ),
            );
            return Ok(());
        }
        let expires = self.now_ms() + (duration * 1000.0) as i64;
        let value = response_out(&self.ctx.response);
        self.gw
            .responses
            .insert(key, super::engine::Cached { value, expires });
        self.step(
            loc,
            format!("response stored in the cache for {duration} s"),
        );
        Ok(())
    }

    fn p_cache_lookup_value(&mut self, loc: &Loc) -> Ex<()> {
        let key = self.attr_text_or(loc, "key", "")?;
        let var = self.attr_text_or(loc, "variable-name", "")?;
        let now = self.now_ms();
        match self.gw.values.get(&*key) {
            Some(c) if c.expires > now => {
                let v = c.value.clone();
                self.ctx.variables.set(&var, v);
                self.step(
                    loc,
                    message(&["cache hit for '", &key, "': variable ", &var, " set"], 0),
                );
            }
            _ => {
                let doc = loc.doc.clone();
                match doc
                    .tree
                    .element(loc.node)
                    .and_then(|e| e.attribute("default-value"))
                {
                    Some(a) => {
                        let v = self.eval_typed(loc, &a.value)?;
                        self.ctx.variables.set(&var, v);
                        self.step(
                            loc,
                            format!(
                                "cache miss for '{key}': variable {var} set to the default value"
                            ),
                        );
                    }
                    None => self.step(
                        loc,
                        message(
                            &[
                                "cache miss for '",
                                &key,
                                "': variable ",
                                &var,
                                " is not set",
                            ],
                            0,
                        ),
                    ),
                }
            }
        }
        Ok(())
    }

    fn p_cache_store_value(&mut self, loc: &Loc) -> Ex<()> {
        let key = self.attr_or(loc, "key", "")?;
        let duration = self.attr_num(loc, "duration")?.unwrap_or(0.0).max(0.0);
        let doc = loc.doc.clone();
        let value = match doc
            .tree
            .element(loc.node)
            .and_then(|e| e.attribute("value"))
        {
            Some(a) => self.eval_typed(loc, &a.value)?,
            None => Value::null(),
        };
        let expires = self.now_ms() + (duration * 1000.0) as i64;
        self.gw
            .values
            .insert(key.clone(), super::engine::Cached { value, expires });
        let mut msg = message(&["'", &key, "' stored for "], 96);
        push_number(&mut msg, duration);
        msg.push_str(" s (APIM stores asynchronously; the simulator stores at once)");
        self.step(loc, msg);
        Ok(())
    }

    fn body_mut(
        &mut self,
        section: Section,
    ) -> (&mut Option<MessageBody>, &mut apim_expr::Headers) {
        if on_request(section) {
            (&mut self.ctx.request.body, &mut self.ctx.request.headers)
        } else {
            (&mut self.ctx.response.body, &mut self.ctx.response.headers)
        }
    }

    fn p_find_and_replace(&mut self, loc: &Loc) -> Ex<()> {
        let from = self.attr(loc, "from")?.unwrap_or_default();
        let to = self.attr(loc, "to")?.unwrap_or_default();
        let (body, _) = self.body_mut(loc.section);
        let text = body_text(body.as_ref());
        let n = if from.text.is_empty() {
            0
        } else {
            text.matches(&from.text).count()
        };
        if n > 0 {
            self.replace_body(
                loc.section,
                &text.replace(&from.text, &to.text),
                to.secret,
                None,
            );
        }
        self.step(
            loc,
            format!(
                "replaced {n} occurrence(s) of '{}' with '{}'",
                from.text, to.text
            ),
        );
        Ok(())
    }

    /// Replace the section's body by `text`, secret when the old body was or when `secret`,
    /// and set its Content-Type when one is given.
    fn replace_body(
        &mut self,
        section: Section,
        text: &str,
        secret: bool,
        content_type: Option<&str>,
    ) {
        let (body, headers) = self.body_mut(section);
        let mut b = MessageBody::text(text);
        b.secret = secret || body.as_ref().is_some_and(|b| b.secret);
        *body = Some(b);
        if let Some(content_type) = content_type {
            headers.set("Content-Type", vec![content_type.into()]);
        }
    }

    /// Whether json-to-xml / xml-to-json converts this body, given its `apply` and
    /// `consider-accept-header`: a body of kind `from` (`json` or `xml`) when `apply` is
    /// `content-type-{from}`, and a request whose Accept header asks for `to` when the header is
    /// considered. A step says why not.
    fn conversion_applies(
        &mut self,
        loc: &Loc,
        apply: &str,
        consider: bool,
        from: &str,
        to: &str,
    ) -> bool {
        let ctype = self
            .body_mut(loc.section)
            .1
            .get("Content-Type")
            .map(|v| v.join(","))
            .unwrap_or_default();
        let (from_name, to_name) = (from.to_ascii_uppercase(), to.to_ascii_uppercase());
        if apply == format!("content-type-{from}") && !ctype.to_ascii_lowercase().contains(from) {
            self.step(
                loc,
                format!("Content-Type is '{ctype}', not {from_name}: not converted"),
            );
            return false;
        }
        if consider && !self.accept_wants(to) {
            self.step(loc, format!("consider-accept-header is true and the request's Accept header does not ask for {to_name}: not converted"));
            return false;
        }
        true
    }

    fn accept_wants(&self, what: &str) -> bool {
        self.ctx
            .request
            .headers
            .get("Accept")
            .is_some_and(|v| v.iter().any(|a| a.to_ascii_lowercase().contains(what)))
    }

    fn p_json_to_xml(&mut self, loc: &Loc) -> Ex<()> {
        let apply = self.attr_or(loc, "apply", "always")?;
        let consider = self.attr_bool(loc, "consider-accept-header", true)?;
        if !self.conversion_applies(loc, &apply, consider, "json", "xml") {
            return Ok(());
        }
        let text = body_text(self.body_mut(loc.section).0.as_ref());
        let Some(j) = json::parse(&text) else {
            self.step(loc, "the body is not JSON: not converted");
            return Ok(());
        };
        let xml = convert::json_to_xml(&j);
        self.replace_body(loc.section, &xml, false, Some("application/xml"));
        self.step(
            loc,
            format!("JSON body converted to XML ({} bytes)", xml.len()),
        );
        Ok(())
    }

    fn p_xml_to_json(&mut self, loc: &Loc) -> Ex<()> {
        let apply = self.attr_or(loc, "apply", "always")?;
        let kind = self.attr_or(loc, "kind", "javascript-friendly")?;
        let consider = self.attr_bool(loc, "consider-accept-header", true)?;
        let always_array = self.attr_bool(loc, "always-array-child-elements", false)?;
        if !self.conversion_applies(loc, &apply, consider, "xml", "json") {
            return Ok(());
        }
        let text = body_text(self.body_mut(loc.section).0.as_ref());
        let Some(j) = convert::xml_to_json(&text, kind == "direct", always_array) else {
            self.step(loc, "the body is not XML: not converted");
            return Ok(());
        };
        self.replace_body(loc.section, &j.to_json(), false, Some("application/json"));
        self.step(loc, format!("XML body converted to JSON ({kind})"));
        Ok(())
    }

    fn p_trace(&mut self, loc: &Loc) -> Ex<()> {
        let source = self.attr_or(loc, "source", "")?;
        let severity = self.attr_or(loc, "severity", "verbose")?;
        let mut message = String::new();
        let mut meta = Vec::new();
        for c in self.children(loc) {
            match c.name().as_str() {
                "message" => message = self.text(&c)?.text,
                "metadata" => {
                    let n = self.attr_or(&c, "name", "")?;
                    let v = self.attr_or(&c, "value", "")?;
                    meta.push(format!("{n}={v}"));
                }
                _ => {}
            }
        }
        if message.is_empty() {
            message = self.text(loc)?.text;
        }
        let meta = if meta.is_empty() {
            String::new()
        } else {
            format!(" [{}]", meta.join(", "))
        };
        self.step(loc, format!("[{severity}] {source}: {message}{meta}"));
        Ok(())
    }

    fn p_emit_metric(&mut self, loc: &Loc) -> Ex<()> {
        let name = self.attr_or(loc, "name", "")?;
        let ns = self.attr_or(loc, "namespace", "API Management")?;
        let value = self.attr_or(loc, "value", "1")?;
        let dims: Vec<String> = self
            .dimensions(loc)?
            .into_iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        self.step(
            loc,
            format!("metric {ns}/{name} = {value} [{}]", dims.join(", ")),
        );
        Ok(())
    }

    fn p_validate_jwt(&mut self, loc: &Loc, azure_ad: bool) -> Ex<()> {
        let policy = loc.name();
        let code = self
            .attr_num(loc, "failed-validation-httpcode")?
            .unwrap_or(401.0) as u16;
        let custom_message = self
            .attr(loc, "failed-validation-error-message")?
            .map(|s| s.text);
        let output_var = self
            .attr(loc, "output-token-variable-name")?
            .map(|s| s.text);
        let skew = self.attr_num(loc, "clock-skew")?.unwrap_or(0.0) as i64;
        let require_exp = self.attr_bool(loc, "require-expiration-time", true)?;
        let require_signed = self.attr_bool(loc, "require-signed-tokens", true)?;
        let tenant = if azure_ad {
            self.attr_or(loc, "tenant-id", "")?
        } else {
            String::new()
        };
        // The token.
        let header_name = self.attr(loc, "header-name")?.map(|s| s.text);
        let query_name = self.attr(loc, "query-parameter-name")?.map(|s| s.text);
        let token_value = self.attr(loc, "token-value")?.map(|s| s.text);
        let scheme = self.attr(loc, "require-scheme")?.map(|s| s.text);
        let token: Option<String> = if let Some(t) = token_value {
            Some(t)
        } else if let Some(q) = query_name {
            self.ctx
                .request
                .original_url
                .query
                .iter()
                .find(|(k, _)| *k == q)
                .map(|(_, v)| v.clone())
        } else {
            let h = header_name.unwrap_or_else(|| "Authorization".into());
            self.ctx
                .request
                .headers
                .get(&h)
                .and_then(|v| v.first())
                .map(|v| {
                    let v = v.trim();
                    let sch = scheme.clone().unwrap_or_else(|| "Bearer".into());
                    match v.split_once(' ') {
                        Some((s, rest))
                            if s.eq_ignore_ascii_case(&sch) || s.eq_ignore_ascii_case("bearer") =>
                        {
                            rest.trim().to_string()
                        }
                        _ => v.to_string(),
                    }
                })
        };
        let fail = |run: &mut Self, reason: &str, default: &str| -> Stop {
            let message = custom_message
                .clone()
                .unwrap_or_else(|| default.to_string());
            run.step(loc, format!("{reason}: {default}"));
            run.trace.pop();
            run.fail(loc, &policy, reason, message.clone(), code, &message, &[])
        };
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(fail(self, "TokenNotPresent", "JWT not present."));
        };
        let decoded = match jwt::decode(&token) {
            Ok(d) => d,
            Err(why) => {
                return Err(fail(
                    self,
                    "JwtInvalid",
                    &format!("JWT is not well formed: {why}."),
                ));
            }
        };
        let alg = decoded.alg().to_string();
        // Signature.
        let mut sym_keys: Vec<Vec<u8>> = Vec::new();
        let mut rsa_keys: Vec<(Option<String>, Vec<u8>, Vec<u8>)> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        if let Some(keys) = self.child_named(loc, "issuer-signing-keys") {
            for k in self.children(&keys) {
                if k.name() != "key" {
                    continue;
                }
                let n = self.attr(&k, "n")?.map(|s| s.text);
                let e = self.attr(&k, "e")?.map(|s| s.text);
                let id = self.attr(&k, "id")?.map(|s| s.text);
                if let (Some(n), Some(e)) = (n, e) {
                    if let (Some(n), Some(e)) = (json::b64_decode(&n), json::b64_decode(&e)) {
                        rsa_keys.push((id, n, e));
                    }
                } else if let Some(c) = self.attr(&k, "certificate-id")? {
                    notes.push(format!(
                        "certificate key '{}' is not part of the scenario",
                        c.text
                    ));
                } else {
                    let t = self.text(&k)?;
                    match json::b64_decode(t.text.trim()) {
                        Some(b) => sym_keys.push(b),
                        None => notes.push("a symmetric key is not base64".into()),
                    }
                }
            }
        }
        let mut config_urls = Vec::new();
        for c in self.children(loc) {
            if c.name() == "openid-config" {
                config_urls.push(self.attr_or(&c, "url", "")?);
            }
        }
        if azure_ad {
            config_urls.push(format!(
                "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"
            ));
        }
        let mut issuer_from_config: Vec<String> = Vec::new();
        for url in &config_urls {
            let (keys, issuer, note) = self.fetch_jwks(url);
            rsa_keys.extend(keys);
            issuer_from_config.extend(issuer);
            if let Some(n) = note {
                notes.push(n);
            }
        }
        let verified: Option<bool> = match alg.as_str() {
            "none" | "" => None,
            a if a.starts_with("HS") => {
                if sym_keys.is_empty() {
                    return Err(fail(
                        self,
                        "TokenSignatureKeyNotFound",
                        "Signature validation failed: no symmetric key in issuer-signing-keys.",
                    ));
                }
                Some(sym_keys.iter().any(|k| {
                    jwt::verify_hmac(a, k, decoded.signing_input.as_bytes(), &decoded.signature)
                        .unwrap_or(false)
                }))
            }
            a if a.starts_with("RS") => {
                if rsa_keys.is_empty() {
                    if notes.is_empty() {
                        return Err(fail(
                            self,
                            "TokenSignatureKeyNotFound",
                            "Signature validation failed: no RSA key (add issuer-signing-keys or openid-config).",
                        ));
                    }
                    self.step(
                        loc,
                        format!("the {a} signature was NOT verified: {}", notes.join("; ")),
                    );
                    None
                } else {
                    let kid = decoded.kid().map(str::to_string);
                    let candidates: Vec<&(Option<String>, Vec<u8>, Vec<u8>)> = rsa_keys
                        .iter()
                        .filter(|(id, _, _)| kid.is_none() || id.is_none() || *id == kid)
                        .collect();
                    if candidates.is_empty() {
                        return Err(fail(
                            self,
                            "TokenSignatureKeyNotFound",
                            "Signature validation failed: no key matches the token's kid.",
                        ));
                    }
                    Some(candidates.iter().any(|(_, n, e)| {
                        jwt::verify_rsa(
                            a,
                            n,
                            e,
                            decoded.signing_input.as_bytes(),
                            &decoded.signature,
                        )
                        .unwrap_or(false)
                    }))
                }
            }
            other => {
                self.step(loc, format!("the {other} signature was NOT verified: the simulator checks HS256/384/512 and RS256/384/512 only"));
                None
            }
        };
        match verified {
            Some(false) => {
                return Err(fail(
                    self,
                    "TokenSignatureInvalid",
                    "Signature validation failed.",
                ));
            }
            None if (alg == "none" || alg.is_empty()) && require_signed => {
                return Err(fail(
                    self,
                    "TokenSignatureInvalid",
                    "The token is not signed and require-signed-tokens is true.",
                ));
            }
            _ => {}
        }
        // Lifetime.
        let now = self.now.seconds;
        match decoded.seconds("exp") {
            Some(exp) if exp + skew <= now => {
                return Err(fail(
                    self,
                    "TokenExpired",
                    &format!(
                        "Lifetime validation failed. The token is expired (exp {}).",
                        crate::time::Timestamp::from_seconds(exp).to_rfc3339()
                    ),
                ));
            }
            None if require_exp => {
                return Err(fail(
                    self,
                    "JwtInvalid",
                    "Lifetime validation failed. The token has no expiration time (exp) and require-expiration-time is true.",
                ));
            }
            _ => {}
        }
        if let Some(nbf) = decoded.seconds("nbf")
            && nbf - skew > now
        {
            return Err(fail(
                self,
                "JwtInvalid",
                &format!(
                    "Lifetime validation failed. The token is not valid before {}.",
                    crate::time::Timestamp::from_seconds(nbf).to_rfc3339()
                ),
            ));
        }
        // Audiences and issuers.
        if let Some(auds) = self
            .list(loc, "audiences", "audience")?
            .filter(|a| !a.is_empty())
        {
            let token_auds = decoded.claim_values("aud").unwrap_or_default();
            if !token_auds.iter().any(|t| auds.contains(t)) {
                return Err(fail(
                    self,
                    "TokenAudienceNotAllowed",
                    &format!(
                        "Audience validation failed. Token audience {} is not allowed.",
                        token_auds.join(", ")
                    ),
                ));
            }
        }
        let mut issuers = self.list(loc, "issuers", "issuer")?.unwrap_or_default();
        if azure_ad {
            issuers.push(format!("https://login.microsoftonline.com/{tenant}/v2.0"));
            issuers.push(format!("https://sts.windows.net/{tenant}/"));
        }
        issuers.extend(issuer_from_config);
        if !issuers.is_empty() {
            let iss = decoded.claim_values("iss").unwrap_or_default();
            if !iss.iter().any(|i| issuers.contains(i)) {
                return Err(fail(
                    self,
                    "TokenIssuerNotAllowed",
                    &format!(
                        "Issuer validation failed. Issuer {} is not allowed.",
                        iss.join(", ")
                    ),
                ));
            }
        }
        if azure_ad {
            if let Some(apps) = self.list(loc, "client-application-ids", "application-id")? {
                let appid = decoded
                    .claim_values("appid")
                    .or_else(|| decoded.claim_values("azp"))
                    .unwrap_or_default();
                if !appid.iter().any(|a| apps.contains(a)) {
                    return Err(fail(
                        self,
                        "TokenClaimValueNotAllowed",
                        &format!(
                            "The client application {} is not in client-application-ids.",
                            appid.join(", ")
                        ),
                    ));
                }
            }
            if let Some(backs) = self
                .list(loc, "backend-application-ids", "application-id")?
                .filter(|b| !b.is_empty())
            {
                let auds = decoded.claim_values("aud").unwrap_or_default();
                if !auds
                    .iter()
                    .any(|a| backs.contains(a) || backs.iter().any(|b| a == &format!("api://{b}")))
                {
                    return Err(fail(
                        self,
                        "TokenAudienceNotAllowed",
                        "The token's audience is not one of backend-application-ids.",
                    ));
                }
            }
        }
        // Required claims.
        if let Some(claims) = self.child_named(loc, "required-claims") {
            for c in self.children(&claims) {
                if c.name() != "claim" {
                    continue;
                }
                let name = self.attr_or(&c, "name", "")?;
                let mode = self.attr_or(&c, "match", "all")?;
                let sep = self.attr(&c, "separator")?.map(|s| s.text);
                let mut wanted = Vec::new();
                for v in self.children(&c) {
                    if v.name() == "value" {
                        wanted.push(self.text(&v)?.text.trim().to_string());
                    }
                }
                let Some(mut have) = decoded.claim_values(&name) else {
                    return Err(fail(
                        self,
                        "TokenClaimNotFound",
                        &format!("Claim {name} is missing."),
                    ));
                };
                if let Some(sep) = sep.filter(|s| !s.is_empty()) {
                    have = have
                        .iter()
                        .flat_map(|h| {
                            h.split(sep.as_str())
                                .map(str::to_string)
                                .collect::<Vec<_>>()
                        })
                        .collect();
                }
                let ok = if wanted.is_empty() {
                    true
                } else if mode == "any" {
                    wanted.iter().any(|w| have.contains(w))
                } else {
                    wanted.iter().all(|w| have.contains(w))
                };
                if !ok {
                    return Err(fail(
                        self,
                        "TokenClaimValueNotAllowed",
                        &format!("Claim {name} has no allowed value (match=\"{mode}\")."),
                    ));
                }
            }
        }
        if let Some(v) = output_var {
            let code = format!("{}.AsJwt()", json::quote(&token));
            let parsed = apim_expr::parse(&code, apim_expr::ExprKind::Single);
            if let Ok(val) = apim_expr::evaluate(&parsed, &mut self.ctx, &self.gw.limits) {
                self.ctx.variables.set(&v, val);
            }
        }
        let sig = match verified {
            Some(true) => format!("{alg} signature verified"),
            Some(false) => format!("{alg} signature NOT verified"),
            None => format!("{alg} signature NOT verified"),
        };
        let sub = decoded
            .claim_values("sub")
            .map(|s| s.join(","))
            .unwrap_or_default();
        self.step(loc, format!("token accepted ({sig}; subject {sub})"));
        Ok(())
    }

    /// Keys from an OpenID configuration served by `http_mocks`: (keys, issuer, note).
    #[allow(clippy::type_complexity)]
    fn fetch_jwks(
        &mut self,
        url: &str,
    ) -> (
        Vec<(Option<String>, Vec<u8>, Vec<u8>)>,
        Option<String>,
        Option<String>,
    ) {
        let empty = apim_expr::Headers::default();
        let Some(cfg) = self.answer("GET", url, &empty, false) else {
            return (
                Vec::new(),
                None,
                Some(format!(
                    "no http_mocks entry serves the OpenID configuration {url}"
                )),
            );
        };
        let Some(cfg_json) = json::parse(&cfg.body) else {
            return (
                Vec::new(),
                None,
                Some(format!("the OpenID configuration at {url} is not JSON")),
            );
        };
        let issuer = cfg_json
            .get("issuer")
            .and_then(J::as_str)
            .map(str::to_string);
        let Some(jwks_uri) = cfg_json
            .get("jwks_uri")
            .and_then(J::as_str)
            .map(str::to_string)
        else {
            return (
                Vec::new(),
                issuer,
                Some(format!("the OpenID configuration at {url} has no jwks_uri")),
            );
        };
        let Some(set) = self
            .answer("GET", &jwks_uri, &empty, false)
            .and_then(|a| json::parse(&a.body))
        else {
            return (
                Vec::new(),
                issuer,
                Some(format!("no http_mocks entry serves the key set {jwks_uri}")),
            );
        };
        let mut keys = Vec::new();
        if let Some(J::Arr(items)) = set.get("keys") {
            for k in items {
                let n = k.get("n").and_then(J::as_str).and_then(json::b64_decode);
                let e = k.get("e").and_then(J::as_str).and_then(json::b64_decode);
                if let (Some(n), Some(e)) = (n, e) {
                    keys.push((k.get("kid").and_then(J::as_str).map(str::to_string), n, e));
                }
            }
        }
        (keys, issuer, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_join_their_parts_and_keep_room_for_more() {
        let m = message(&["set header ", "X-A", " = "], 16);
        assert_eq!(m, "set header X-A = ");
        assert!(m.capacity() >= m.len() + 16);
        let values = [
            Str {
                text: "a".into(),
                secret: false,
            },
            Str {
                text: "b c".into(),
                secret: true,
            },
        ];
        let mut m = m;
        push_values(&mut m, &values);
        assert_eq!(m, "set header X-A = a, b c");
        assert!(values_len(&values) >= "a, b c".len());
        let mut none = String::new();
        push_values(&mut none, &[]);
        assert_eq!(none, "");
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for x in [
            0.0,
            1.0,
            60.0,
            0.5,
            1e15,
            8.9e15,
            9.0e15,
            1e16,
            1e21,
            -0.0,
            -3.0,
            2.25,
            f64::NAN,
        ] {
            let mut s = String::new();
            push_number(&mut s, x);
            assert_eq!(s, format!("{x}"));
        }
    }

    #[test]
    fn exists_actions_are_trimmed_and_case_insensitive() {
        assert_eq!(Action::parse("delete"), Action::Delete);
        assert_eq!(Action::parse(" SKIP "), Action::Skip);
        assert_eq!(Action::parse("Append"), Action::Append);
        assert_eq!(Action::parse("override"), Action::Override);
        assert_eq!(Action::parse(""), Action::Override);
        assert_eq!(Action::parse("replace"), Action::Override);
    }

    #[test]
    fn headers_are_applied_with_their_messages() {
        let mut h = apim_expr::Headers::default();
        let op = |name: &'static str, action: &str, values: &[&str]| NameOp {
            name: Cow::Borrowed(name),
            action: Action::parse(action),
            values: values
                .iter()
                .map(|v| Str {
                    text: (*v).to_string(),
                    secret: false,
                })
                .collect(),
        };
        assert_eq!(
            apply_header(&mut h, op("X-A", "override", &["1", "2"]), 0),
            "set header X-A = 1, 2"
        );
        assert_eq!(h.get("x-a"), Some(&vec!["1".to_string(), "2".to_string()]));
        assert_eq!(
            apply_header(&mut h, op("X-A", "skip", &["3"]), 0),
            "header X-A exists: skipped"
        );
        assert_eq!(
            apply_header(&mut h, op("X-A", "append", &["3"]), 0),
            "appended header X-A: 3"
        );
        assert_eq!(h.get("X-A").map(Vec::len), Some(3));
        assert_eq!(
            apply_header(&mut h, op("X-B", "skip", &[]), 0),
            "set header X-B = "
        );
        assert_eq!(h.get("X-B"), Some(&vec![String::new()]));
        assert_eq!(
            apply_header(&mut h, op("X-A", "delete", &[]), 0),
            "deleted header X-A"
        );
        assert_eq!(h.get("X-A"), None);
    }
}
