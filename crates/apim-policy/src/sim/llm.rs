//! The AI-gateway policies (Learn: llm-token-limit, azure-openai-token-limit,
//! llm-emit-token-metric, azure-openai-emit-token-metric, llm-/azure-openai-semantic-cache-
//! lookup/store, llm-content-safety): token counts from the mock backend's `usage`, a
//! documented prompt estimate, an exact-match stand-in for the semantic cache and a mock
//! content-safety verdict from the scenario (docs/scenario.md).
//!
//! Prompt estimate (deterministic, documented in docs/scenario.md): every text of the request's
//! JSON body (`messages[].content`, a string or parts with `text`; `prompt`; `input`) counts
//! ⌈characters / 4⌉ tokens; each chat message adds 4 and a chat prompt 3 more (the reply's
//! priming), as OpenAI's counting guide does for its chat format.

use super::engine::{Cached, Ex, Loc, Run, Stop};
use super::json::{self, J};
use super::output::HttpResponseOut;
use crate::catalog::Section;
use apim_expr::{MessageBody, Value};

/// The largest token count the simulator keeps for one response or limit.
const MAX_TOKENS: f64 = 1e12;

/// Token counts of a response (`usage` of an OpenAI-style JSON body).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub prompt: Option<u64>,
    pub completion: Option<u64>,
    pub total: Option<u64>,
}

impl Usage {
    pub fn of(body: &str) -> Usage {
        let usage = json::parse(body);
        let usage = usage.as_ref().and_then(|j| j.get("usage"));
        let n = |k: &str| {
            usage
                .and_then(|u| u.get(k))
                .and_then(J::as_f64)
                .filter(|v| *v >= 0.0)
                // Bounded, so that sums of counts cannot overflow.
                .map(|v| v.min(MAX_TOKENS) as u64)
        };
        Usage {
            prompt: n("prompt_tokens"),
            completion: n("completion_tokens"),
            total: n("total_tokens"),
        }
    }

    /// Total tokens: `total_tokens`, else prompt + completion.
    pub fn total(&self) -> Option<u64> {
        self.total.or(match (self.prompt, self.completion) {
            (None, None) => None,
            (p, c) => Some(p.unwrap_or(0) + c.unwrap_or(0)),
        })
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.prompt {
            parts.push(format!("prompt {p}"));
        }
        if let Some(c) = self.completion {
            parts.push(format!("completion {c}"));
        }
        parts.join(", ")
    }
}

/// A token limit waiting for the backend's usage.
pub(crate) struct TokenPending {
    pub loc: Loc,
    pub key: String,
    pub tpm: bool,
    /// (counter key, period index) of the quota.
    pub quota: Option<(String, i64)>,
    pub estimate: Option<u64>,
    pub consumed_header: Option<String>,
    pub consumed_variable: Option<String>,
}

/// A token metric waiting for the backend's usage.
pub(crate) struct MetricPending {
    pub loc: Loc,
    pub namespace: String,
    pub dimensions: Vec<(String, String)>,
    pub value: Option<String>,
}

/// The prompt of a request body: its texts and the number of chat messages.
struct Prompt {
    texts: Vec<String>,
    messages: usize,
    /// `role: content` lines, for the semantic cache key.
    key: String,
    stream: bool,
}

fn content_text(c: &J) -> String {
    match c {
        J::Str(s) => s.clone(),
        J::Arr(parts) => parts
            .iter()
            .filter_map(|p| match p {
                J::Str(s) => Some(s.clone()),
                _ => p.get("text").and_then(J::as_str).map(str::to_string),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn prompt_of(body: &str, ignore_system: bool) -> Option<Prompt> {
    let j = json::parse(body)?;
    let mut p = Prompt {
        texts: Vec::new(),
        messages: 0,
        key: String::new(),
        stream: matches!(j.get("stream"), Some(J::Bool(true))),
    };
    let mut found = false;
    if let Some(J::Arr(messages)) = j.get("messages") {
        found = true;
        for m in messages {
            let role = m.get("role").and_then(J::as_str).unwrap_or("");
            if ignore_system && role.eq_ignore_ascii_case("system") {
                continue;
            }
            let text = m.get("content").map(content_text).unwrap_or_default();
            p.messages += 1;
            p.key.push_str(&format!("{role}: {text}\n"));
            p.texts.push(text);
        }
    }
    for field in ["prompt", "input"] {
        match j.get(field) {
            Some(J::Str(s)) => {
                found = true;
                p.key.push_str(&format!("{field}: {s}\n"));
                p.texts.push(s.clone());
            }
            Some(J::Arr(items)) => {
                found = true;
                for i in items {
                    let s = i.to_text();
                    p.key.push_str(&format!("{field}: {s}\n"));
                    p.texts.push(s);
                }
            }
            _ => {}
        }
    }
    found.then_some(p)
}

/// The documented prompt estimate of a request body (0 without a prompt).
#[cfg(test)]
fn estimate_prompt_tokens(body: &str) -> u64 {
    prompt_of(body, false).map_or(0, |p| estimate(&p))
}

fn estimate(p: &Prompt) -> u64 {
    let text: u64 = p
        .texts
        .iter()
        .map(|t| (t.chars().count() as u64).div_ceil(4))
        .sum();
    let chat = if p.messages > 0 {
        4 * p.messages as u64 + 3
    } else {
        0
    };
    text + chat
}

/// The start (ms) of the quota period containing `now`, and of the next one.
fn quota_period(period: &str, now: i64) -> Option<(i64, i64)> {
    const DAY: i64 = 86_400_000;
    let days = now.div_euclid(DAY);
    let (y, m, _) = crate::time::civil_from_days(days);
    let day = |y: i64, m: i64, d: i64| crate::time::days_from_civil(y, m, d) * DAY;
    Some(match period.trim().to_ascii_lowercase().as_str() {
        "hourly" => {
            let start = now.div_euclid(3_600_000) * 3_600_000;
            (start, start + 3_600_000)
        }
        "daily" => (days * DAY, (days + 1) * DAY),
        "weekly" => {
            // ISO weeks start on Monday; 1970-01-01 was a Thursday.
            let monday = days - (days + 3).rem_euclid(7);
            (monday * DAY, (monday + 7) * DAY)
        }
        "monthly" => {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            (day(y, m, 1), day(ny, nm, 1))
        }
        "yearly" => (day(y, 1, 1), day(y + 1, 1, 1)),
        _ => return None,
    })
}

fn seconds_until(ms: i64) -> i64 {
    (ms.max(0) + 999) / 1000
}

impl Run<'_, '_> {
    fn request_body_text(&self) -> String {
        match &self.ctx.request.body {
            Some(b) => String::from_utf8_lossy(&b.content).into_owned(),
            None => String::new(),
        }
    }

    /// llm-token-limit / azure-openai-token-limit.
    pub(crate) fn p_token_limit(&mut self, loc: &Loc) -> Ex<()> {
        let policy = loc.name();
        let counter = self.attr_or(loc, "counter-key", "")?;
        let tpm = self
            .attr_num(loc, "tokens-per-minute")?
            .map(|v| v.max(0.0) as u64);
        let quota = self
            .attr_num(loc, "token-quota")?
            .map(|v| v.max(0.0) as u64);
        let period = self.attr_or(loc, "token-quota-period", "")?;
        let estimate_attr = self.attr_bool(loc, "estimate-prompt-tokens", false)?;
        let body = self.request_body_text();
        let prompt = prompt_of(&body, false);
        let stream = prompt.as_ref().is_some_and(|p| p.stream);
        let estimated = (estimate_attr || stream).then(|| prompt.as_ref().map_or(0, estimate));
        let now = self.now_ms();
        let est = estimated.unwrap_or(0);

        // Tokens per minute: a sliding 60 s window of consumed tokens.
        let tpm_key = format!("tpm:{counter}");
        let entries: Vec<(i64, u64)> = {
            let e = self.gw.tokens.entry(tpm_key.clone()).or_default();
            e.retain(|(t, _)| *t > now - 60_000);
            e.clone()
        };
        let used: u64 = entries.iter().map(|(_, n)| n).sum();
        let retry_header = self.attr_or(loc, "retry-after-header-name", "Retry-After")?;
        let retry_var = self.attr(loc, "retry-after-variable-name")?.map(|s| s.text);
        let mut parts = Vec::new();
        if let Some(limit) = tpm {
            let over = |used: u64| used >= limit || (estimated.is_some() && used + est > limit);
            if over(used) {
                // The first moment enough of the window's tokens have expired.
                let mut left = used;
                let mut wait = 60_000;
                for (t, n) in &entries {
                    left = left.saturating_sub(*n);
                    if !over(left) {
                        wait = t + 60_000 - now;
                        break;
                    }
                }
                let retry = seconds_until(wait);
                if let Some(v) = &retry_var {
                    self.ctx.variables.set(v, Value::long(retry));
                }
                self.set_remaining(loc, "remaining-tokens", 0)?;
                self.step(
                    loc,
                    format!(
                        "key '{counter}': {used} of {limit} tokens per minute used in the last 60 s{}",
                        match estimated {
                            Some(e) => format!(", and the prompt is estimated at {e} tokens"),
                            None => String::new(),
                        }
                    ),
                );
                let message = format!("Token limit is exceeded. Try again in {retry} seconds.");
                return Err(self.fail(
                    loc,
                    &policy,
                    "TokenLimitExceeded",
                    message.clone(),
                    429,
                    &message,
                    &[(&retry_header, retry.to_string())],
                ));
            }
            let remaining = limit.saturating_sub(used + est);
            self.set_remaining(loc, "remaining-tokens", remaining)?;
            parts.push(format!(
                "{used} of {limit} tokens per minute used; {remaining} remaining"
            ));
        }

        // Token quota: fixed calendar periods (UTC).
        let mut quota_slot = None;
        let window = quota.and_then(|q| match quota_period(&period, now) {
            Some(w) => Some((q, w)),
            None => {
                parts.push(format!("token-quota-period '{period}' is not Hourly, Daily, Weekly, Monthly or Yearly: the quota is not applied"));
                None
            }
        });
        if let Some((limit, (start, next))) = window {
            let qkey = format!("quota:{}:{counter}", period.to_ascii_lowercase());
            let used_q = {
                let e = self
                    .gw
                    .token_quota
                    .entry(qkey.clone())
                    .or_insert((start, 0));
                if e.0 != start {
                    *e = (start, 0);
                }
                e.1
            };
            if used_q >= limit || (estimated.is_some() && used_q + est > limit) {
                let retry = seconds_until(next - now);
                if let Some(v) = &retry_var {
                    self.ctx.variables.set(v, Value::long(retry));
                }
                self.set_remaining(loc, "remaining-quota-tokens", 0)?;
                self.step(
                    loc,
                    format!(
                        "key '{counter}': {used_q} of {limit} tokens of the {} quota used (the period ends {})",
                        period.to_ascii_lowercase(),
                        crate::time::Timestamp::from_seconds(next / 1000).to_rfc3339()
                    ),
                );
                let message = format!("Token quota is exceeded. Try again in {retry} seconds.");
                return Err(self.fail(
                    loc,
                    &policy,
                    "TokenQuotaExceeded",
                    message.clone(),
                    403,
                    &message,
                    &[(&retry_header, retry.to_string())],
                ));
            }
            let remaining = limit.saturating_sub(used_q + est);
            self.set_remaining(loc, "remaining-quota-tokens", remaining)?;
            parts.push(format!(
                "{used_q} of {limit} tokens of the {} quota used; {remaining} remaining",
                period.to_ascii_lowercase()
            ));
            quota_slot = Some((qkey, start));
        }
        let consumed_variable = self
            .attr(loc, "tokens-consumed-variable-name")?
            .map(|s| s.text);
        if let Some(v) = &consumed_variable {
            self.ctx.variables.set(v, Value::long(est as i64));
        }
        let consumed_header = self
            .attr(loc, "tokens-consumed-header-name")?
            .map(|s| s.text);
        let how = match (estimated, prompt.is_some()) {
            (Some(e), _) => format!(
                "; prompt estimated at {e} tokens ({}~4 characters per token, 4 per message)",
                if stream && !estimate_attr {
                    "stream is true, so the prompt is always estimated; "
                } else {
                    ""
                }
            ),
            (None, true) => {
                "; estimate-prompt-tokens is false: the backend's usage is counted when it answers"
                    .into()
            }
            (None, false) => {
                "; the request has no prompt (messages, prompt or input) in a JSON body".into()
            }
        };
        self.step(loc, format!("key '{counter}': {}{how}", parts.join("; ")));
        self.token_pending.push(super::llm::TokenPending {
            loc: loc.clone(),
            key: tpm_key,
            tpm: tpm.is_some(),
            quota: quota_slot,
            estimate: estimated,
            consumed_header,
            consumed_variable,
        });
        Ok(())
    }

    fn set_remaining(&mut self, loc: &Loc, what: &str, remaining: u64) -> Ex<()> {
        if let Some(v) = self.attr(loc, &format!("{what}-variable-name"))? {
            self.ctx.variables.set(
                &v.text,
                Value::long(i64::try_from(remaining).unwrap_or(i64::MAX)),
            );
        }
        if let Some(h) = self.attr(loc, &format!("{what}-header-name"))? {
            self.late_headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case(&h.text));
            self.late_headers.push((h.text, remaining.to_string()));
        }
        Ok(())
    }

    /// The backend answered: note its usage; tokens-consumed variables take the count.
    pub(crate) fn on_backend_usage(&mut self, body: &str) {
        let usage = Usage::of(body);
        self.usage = Some(usage);
        let pending: Vec<(Option<String>, Option<u64>)> = self
            .token_pending
            .iter()
            .map(|p| (p.consumed_variable.clone(), p.estimate))
            .collect();
        for (var, est) in pending {
            if let Some(v) = var {
                let n = usage.total().or(est).unwrap_or(0);
                self.ctx
                    .variables
                    .set(&v, Value::long(i64::try_from(n).unwrap_or(i64::MAX)));
            }
        }
    }

    /// At the end of the request: count the consumed tokens and send the token metrics (the
    /// steps are shown where the response is, after outbound or on-error).
    pub(crate) fn settle_tokens(&mut self) {
        let now = self.now_ms();
        let pending = std::mem::take(&mut self.token_pending);
        let metrics = std::mem::take(&mut self.metric_pending);
        // Without a backend response nothing was consumed and no token metric is sent.
        let Some(usage) = self.usage else {
            return;
        };
        let section = match self.trace.last() {
            Some(t) if t.section == "on-error" => Section::OnError,
            _ => Section::Outbound,
        };
        let at = |loc: &Loc| {
            let mut l = loc.clone();
            l.section = section;
            l
        };
        for p in pending {
            let (n, why) = match (usage.total(), p.estimate) {
                (Some(t), _) => {
                    let t = t.min(MAX_TOKENS as u64);
                    let d = usage.describe();
                    (
                        t,
                        if d.is_empty() {
                            format!("from the backend's usage: total {t}")
                        } else {
                            format!("from the backend's usage: {d}, total {t}")
                        },
                    )
                }
                (None, Some(e)) => (e, "the estimate: the response has no usage".to_string()),
                (None, None) => (
                    0,
                    "the response has no usage and estimate-prompt-tokens is false".to_string(),
                ),
            };
            if p.tpm {
                self.gw
                    .tokens
                    .entry(p.key.clone())
                    .or_default()
                    .push((now, n));
            }
            if let Some((qkey, start)) = &p.quota {
                let e = self
                    .gw
                    .token_quota
                    .entry(qkey.clone())
                    .or_insert((*start, 0));
                if e.0 == *start {
                    e.1 += n;
                }
            }
            if let Some(h) = &p.consumed_header {
                self.late_headers.push((h.clone(), n.to_string()));
            }
            let key = p.key.strip_prefix("tpm:").unwrap_or(&p.key).to_string();
            self.step(
                &at(&p.loc),
                format!("{n} tokens consumed for key '{key}' ({why})"),
            );
        }
        for m in metrics {
            let dims: Vec<String> = m
                .dimensions
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let show = |v: Option<u64>| v.map_or("unknown".to_string(), |n| n.to_string());
            let message = format!(
                "metrics sent to namespace '{}': Prompt Tokens = {}, Completion Tokens = {}, Total Tokens = {}{} [{}]",
                m.namespace,
                show(usage.prompt),
                show(usage.completion),
                show(usage.total()),
                m.value
                    .as_ref()
                    .map(|v| format!(", value {v}"))
                    .unwrap_or_default(),
                dims.join(", ")
            );
            self.step(&at(&m.loc), message);
        }
    }

    /// llm-emit-token-metric / azure-openai-emit-token-metric.
    pub(crate) fn p_emit_token_metric(&mut self, loc: &Loc) -> Ex<()> {
        let namespace = self.attr_or(loc, "namespace", "API Management")?;
        let value = self.attr(loc, "value")?.map(|s| s.text);
        let dimensions = self.dimensions(loc)?;
        let shown: Vec<String> = dimensions.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.step(
            loc,
            format!(
                "token metrics for namespace '{namespace}' with dimensions [{}]: counted from the backend's usage when it answers",
                shown.join(", ")
            ),
        );
        self.metric_pending.push(MetricPending {
            loc: loc.clone(),
            namespace,
            dimensions,
            value,
        });
        Ok(())
    }

    /// The `dimension` children of a metric policy, default dimensions filled in.
    pub(crate) fn dimensions(&mut self, loc: &Loc) -> Ex<Vec<(String, String)>> {
        let mut dims = Vec::new();
        for c in self.children(loc) {
            if c.name() != "dimension" {
                continue;
            }
            let n = self.attr_or(&c, "name", "")?;
            let v = match self.attr(&c, "value")? {
                Some(v) => v.text,
                None => self.default_dimension(&n),
            };
            dims.push((n, v));
        }
        Ok(dims)
    }

    fn default_dimension(&self, name: &str) -> String {
        let c = &self.ctx;
        match name {
            "API ID" => c.api.id.clone(),
            "Operation ID" => c.operation.id.clone(),
            "Product ID" => c.product.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            "User ID" => c.user.as_ref().map(|u| u.id.clone()).unwrap_or_default(),
            "Subscription ID" => c
                .subscription
                .as_ref()
                .map(|s| s.id.clone())
                .unwrap_or_default(),
            "Location" => c.deployment.region.clone(),
            "Gateway ID" => c.deployment.gateway_id.clone(),
            "Client IP" => c.request.ip_address.clone(),
            _ => String::new(),
        }
    }

    /// llm-semantic-cache-lookup / azure-openai-semantic-cache-lookup.
    pub(crate) fn p_semantic_lookup(&mut self, loc: &Loc) -> Ex<()> {
        let threshold = self.attr_or(loc, "score-threshold", "")?;
        let embeddings = self.attr_or(loc, "embeddings-backend-id", "")?;
        let ignore_system = self.attr_bool(loc, "ignore-system-messages", false)?;
        let max = self.attr_num(loc, "max-message-count")?;
        let mut vary = Vec::new();
        for c in self.children(loc) {
            if c.name() == "vary-by" {
                vary.push(self.text(&c)?.text);
            }
        }
        let body = self.request_body_text();
        let Some(prompt) = prompt_of(&body, ignore_system) else {
            self.step(
                loc,
                "the request has no prompt (messages, prompt or input in a JSON body): nothing is looked up",
            );
            return Ok(());
        };
        if let Some(max) = max
            && prompt.messages as f64 > max
        {
            self.step(
                loc,
                format!(
                    "{} messages are more than max-message-count {max}: caching is skipped",
                    prompt.messages
                ),
            );
            return Ok(());
        }
        let key = format!("{}|{}|{}", self.ctx.api.id, vary.concat(), prompt.key);
        let stand_in = format!(
            "exact-match stand-in for the embeddings similarity (embeddings backend '{embeddings}' is not called; score-threshold {threshold} is not applied: only an identical prompt{} matches)",
            if vary.is_empty() {
                String::new()
            } else {
                format!(" with the same vary-by value '{}'", vary.concat())
            }
        );
        let now = self.now_ms();
        match self.gw.semantic.get(&key) {
            Some(c) if c.expires > now => {
                let r = c.value.clone();
                let until = crate::time::Timestamp::from_seconds(c.expires / 1000).to_rfc3339();
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
                self.semantic_key = Some((key, true));
                self.step(
                    loc,
                    format!("semantic cache hit: the cached {} response (stored until {until}) is returned; the backend is not called and outbound runs. {stand_in}", r.status),
                );
                Err(Stop::CacheHit)
            }
            _ => {
                self.semantic_key = Some((key, false));
                self.step(
                    loc,
                    format!("semantic cache miss: the request goes on to the backend. {stand_in}"),
                );
                Ok(())
            }
        }
    }

    /// llm-semantic-cache-store / azure-openai-semantic-cache-store.
    pub(crate) fn p_semantic_store(&mut self, loc: &Loc) -> Ex<()> {
        let duration = self.attr_num(loc, "duration")?.unwrap_or(0.0).max(0.0);
        let Some((key, hit)) = self.semantic_key.clone() else {
            self.step(
                loc,
                "no semantic cache lookup ran for this request: nothing is stored",
            );
            return Ok(());
        };
        if hit {
            self.step(
                loc,
                "the response came from the semantic cache: not stored again",
            );
            return Ok(());
        }
        if self.ctx.response.status_code != 200 {
            self.step(
                loc,
                format!(
                    "status {} is not cached (only 200 responses are stored)",
                    self.ctx.response.status_code
                ),
            );
            return Ok(());
        }
        let expires = self.now_ms() + (duration * 1000.0) as i64;
        let value: HttpResponseOut = super::policies::response_out(&self.ctx.response);
        self.gw.semantic.insert(key, Cached { value, expires });
        self.step(
            loc,
            format!(
                "response stored in the semantic cache for {duration} s (keyed by the exact prompt)"
            ),
        );
        Ok(())
    }

    /// llm-content-safety with the scenario's mock verdict.
    pub(crate) fn p_content_safety(&mut self, loc: &Loc) -> Ex<()> {
        let backend = self.attr_or(loc, "backend-id", "")?;
        let shield = self.attr_bool(loc, "shield-prompt", false)?;
        let mut categories = Vec::new();
        let mut blocklists = Vec::new();
        let mut four = true;
        for c in self.children(loc) {
            match c.name().as_str() {
                "categories" => {
                    let ot = self.attr_or(&c, "output-type", "FourSeverityLevels")?;
                    four = !ot.trim().eq_ignore_ascii_case("EightSeverityLevels");
                    for cat in self.children(&c) {
                        if cat.name() != "category" {
                            continue;
                        }
                        let name = self.attr_or(&cat, "name", "")?;
                        let threshold = self.attr_num(&cat, "threshold")?.unwrap_or(0.0);
                        categories.push((name, threshold));
                    }
                }
                "blocklists" => {
                    for id in self.children(&c) {
                        if id.name() == "id" {
                            blocklists.push(self.text(&id)?.text.trim().to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        let body = self.request_body_text();
        let chars = prompt_of(&body, false)
            .map(|p| p.texts.iter().map(|t| t.chars().count()).sum::<usize>())
            .unwrap_or_else(|| body.chars().count());
        let verdict = self.content_safety.clone();
        let source = match &verdict {
            Some((_, own)) if *own => "this request's content_safety verdict",
            Some(_) => "the scenario's content_safety verdict",
            None => "no content_safety verdict in the scenario: the mock service finds nothing",
        };
        let verdict = verdict.map(|(v, _)| v);
        let verdict = verdict.unwrap_or_default();
        let mut found = Vec::new();
        let mut blocked = Vec::new();
        for (name, threshold) in &categories {
            let raw = verdict
                .categories
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map_or(0, |(_, v)| (*v).min(7));
            // FourSeverityLevels reports 0, 2, 4, 6.
            let severity = if four { raw - raw % 2 } else { raw };
            found.push(format!("{name} {severity}"));
            if f64::from(severity) >= *threshold {
                blocked.push(format!(
                    "{name} severity {severity} ≥ threshold {threshold}"
                ));
            }
        }
        for id in &blocklists {
            if verdict
                .blocklist_hits
                .iter()
                .any(|h| h.eq_ignore_ascii_case(id))
            {
                blocked.push(format!("blocklist '{id}' matched"));
            }
        }
        if shield && verdict.attack_detected {
            blocked.push("Prompt Shields detected a user prompt attack".into());
        }
        let summary = format!(
            "{chars} characters of request text checked through backend '{backend}' ({source}){}",
            if found.is_empty() {
                String::new()
            } else {
                format!("; severities: {}", found.join(", "))
            }
        );
        if blocked.is_empty() {
            self.step(loc, format!("{summary}: allowed"));
            return Ok(());
        }
        self.step(loc, summary);
        let message = format!(
            "Request failed content safety check: {}.",
            blocked.join("; ")
        );
        Err(self.fail(
            loc,
            "llm-content-safety",
            "ContentSafetyBlocked",
            message,
            403,
            "Request failed content safety check.",
            &[],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_documented_arithmetic() {
        // "Hello!" = 6 chars → 2; "You are terse." = 14 → 4; 2 messages → 8 + 3.
        let body = r#"{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Hello!"}]}"#;
        assert_eq!(estimate_prompt_tokens(body), 2 + 4 + 8 + 3);
        assert_eq!(estimate_prompt_tokens(r#"{"prompt":"abcdefgh"}"#), 2);
        assert_eq!(
            estimate_prompt_tokens(
                r#"{"messages":[{"role":"user","content":[{"type":"text","text":"abcde"}]}]}"#
            ),
            2 + 4 + 3
        );
        assert_eq!(estimate_prompt_tokens("not json"), 0);
    }

    #[test]
    fn usage_reads_openai_counts() {
        let u = Usage::of(r#"{"usage":{"prompt_tokens":10,"completion_tokens":5}}"#);
        assert_eq!(u.total(), Some(15));
        let u =
            Usage::of(r#"{"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":16}}"#);
        assert_eq!(u.total(), Some(16));
        assert_eq!(Usage::of("{}").total(), None);
    }

    #[test]
    fn quota_periods_are_calendar_windows() {
        // 2026-01-07T12:00:00Z is a Wednesday.
        let now = crate::time::parse_rfc3339("2026-01-07T12:30:00Z")
            .unwrap()
            .as_millis();
        let t = |s: &str| crate::time::parse_rfc3339(s).unwrap().as_millis();
        assert_eq!(
            quota_period("Hourly", now),
            Some((t("2026-01-07T12:00:00Z"), t("2026-01-07T13:00:00Z")))
        );
        assert_eq!(
            quota_period("Daily", now),
            Some((t("2026-01-07T00:00:00Z"), t("2026-01-08T00:00:00Z")))
        );
        assert_eq!(
            quota_period("Weekly", now),
            Some((t("2026-01-05T00:00:00Z"), t("2026-01-12T00:00:00Z")))
        );
        assert_eq!(
            quota_period("monthly", now),
            Some((t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z")))
        );
        assert_eq!(
            quota_period("Yearly", now),
            Some((t("2026-01-01T00:00:00Z"), t("2027-01-01T00:00:00Z")))
        );
        assert_eq!(quota_period("Indefinite", now), None);
    }
}
