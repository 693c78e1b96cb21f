//! Backend entities of the scenario (`backends`): single backends with their URL, credentials,
//! mock responses and circuit breakers, and load-balanced pools, as `set-backend-service
//! backend-id=` and `forward-request` use them (Learn: backends.md; the ARM schema's
//! `BackendPoolItem` and `CircuitBreakerRule`).
//!
//! Deterministic rules (docs/scenario.md):
//! - A pool sends each forward to its available members (circuit breaker closed) of the best
//!   priority (lowest value; absent = 0); within that group members take turns by smooth
//!   weighted round-robin (weight absent = 1), so equal weights are plain round-robin and
//!   weights 3:1 give a, a, b, a, a, a, b, a … exactly in proportion, with no randomness.
//! - A circuit breaker rule counts responses whose status is in its ranges (default 500–599)
//!   within `interval`; at `count` it trips for `trip_duration`, or for the backend's
//!   `Retry-After` seconds when `accept_retry_after` is set and the response has one. While it
//!   is open the gateway answers 503 without calling the backend (a pool skips the member).

use super::engine::{Answer, Ex, Loc, Run};
use crate::scenario::{Backend, BackendKind, HttpResponse, Scenario};
use crate::time::Timestamp;
use std::collections::BTreeMap;

/// Backend state shared by a scenario's requests.
#[derive(Default)]
pub(crate) struct BackendState {
    /// Calls so far per backend id (lower-case): which of its `responses` answers next.
    calls: BTreeMap<String, usize>,
    /// Smooth weighted round-robin: (pool, member) → current weight.
    current: BTreeMap<(String, String), i64>,
    /// (backend, rule index) → failure times (ms) within the rule's interval.
    failures: BTreeMap<(String, usize), Vec<i64>>,
    /// backend → (open until ms, rule name).
    open: BTreeMap<String, (i64, String)>,
}

/// Where a forward goes.
pub(crate) struct Target {
    pub id: String,
    pub url: String,
}

/// An ISO 8601 duration (`PT1M`, `PT30S`, `P1D`, `P1DT2H`, `P1W`) in milliseconds. Years and
/// months have no fixed length and are refused.
pub fn parse_duration(text: &str) -> Option<i64> {
    let s = text.trim();
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let mut total: f64 = 0.0;
    let mut in_time = false;
    let mut number = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if !in_time && number.is_empty() => in_time = true,
            d if d.is_ascii_digit() || d == '.' || d == ',' => {
                number.push(if d == ',' { '.' } else { d })
            }
            unit => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                let seconds = match (unit, in_time) {
                    ('W', false) => 604_800.0,
                    ('D', false) => 86_400.0,
                    ('H', true) => 3_600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
                total += n * seconds;
                any = true;
            }
        }
    }
    (any && number.is_empty() && total.is_finite() && total < 1e12)
        .then_some((total * 1000.0) as i64)
}

/// Check the scenario's backends before anything runs: a mistake is named with its field.
pub fn validate(sc: &Scenario) -> Result<(), String> {
    for (i, b) in sc.backends.iter().enumerate() {
        let at = format!("backends[{i}] ('{}')", b.id);
        if b.id.trim().is_empty() {
            return Err(format!("backends[{i}] has no id"));
        }
        if sc
            .backends
            .iter()
            .take(i)
            .any(|o| o.id.eq_ignore_ascii_case(&b.id))
        {
            return Err(format!("{at}: another backend has the same id"));
        }
        match b.kind {
            BackendKind::Single => {
                if b.url.as_deref().is_none_or(|u| u.trim().is_empty()) {
                    return Err(format!(
                        "{at}: a single backend needs a url (or \"type\": \"pool\" with pool.services)"
                    ));
                }
            }
            BackendKind::Pool => {
                let services = b
                    .pool
                    .as_ref()
                    .map(|p| p.services.as_slice())
                    .unwrap_or(&[]);
                if services.is_empty() {
                    return Err(format!(
                        "{at}: a pool needs pool.services (at least one backend id)"
                    ));
                }
                for (j, m) in services.iter().enumerate() {
                    match sc.backend_entity(&m.id) {
                        None => {
                            return Err(format!(
                                "{at}: pool.services[{j}] names '{}', which is not one of the scenario's backends",
                                m.id
                            ));
                        }
                        Some(t) if t.kind == BackendKind::Pool => {
                            return Err(format!(
                                "{at}: pool.services[{j}] ('{}') is a pool; a pool holds single backends only",
                                m.id
                            ));
                        }
                        Some(_) => {}
                    }
                    for (what, v) in [("priority", m.priority), ("weight", m.weight)] {
                        if v.is_some_and(|v| v > 100) {
                            return Err(format!(
                                "{at}: pool.services[{j}].{what} must be between 0 and 100"
                            ));
                        }
                    }
                }
                if b.circuit_breaker.is_some() {
                    return Err(format!(
                        "{at}: circuit breakers belong to the pool's single backends, not to the pool"
                    ));
                }
            }
        }
        for (r, rule) in b
            .circuit_breaker
            .iter()
            .flat_map(|c| c.rules.iter())
            .enumerate()
        {
            let rat = format!("{at}: circuit_breaker.rules[{r}]");
            if rule.failure_condition.count == 0 {
                return Err(format!("{rat}.failure_condition.count must be at least 1"));
            }
            if parse_duration(&rule.failure_condition.interval).is_none() {
                return Err(format!(
                    "{rat}.failure_condition.interval ('{}') is not an ISO 8601 duration such as PT1M",
                    rule.failure_condition.interval
                ));
            }
            if parse_duration(&rule.trip_duration).is_none() {
                return Err(format!(
                    "{rat}.trip_duration ('{}') is not an ISO 8601 duration such as PT1M",
                    rule.trip_duration
                ));
            }
            for (k, range) in rule.failure_condition.status_code_ranges.iter().enumerate() {
                if range.min > range.max || range.min < 200 || range.max > 599 {
                    return Err(format!(
                        "{rat}.failure_condition.status_code_ranges[{k}] must have 200 <= min <= max <= 599"
                    ));
                }
            }
        }
    }
    Ok(())
}

fn key(id: &str) -> String {
    id.to_ascii_lowercase()
}

fn show_time(ms: i64) -> String {
    Timestamp::from_seconds(ms.div_euclid(1000)).to_rfc3339()
}

impl Run<'_, '_> {
    /// The breaker of backend `id` is open now: until when, and which rule.
    fn open_until(&self, id: &str) -> Option<(i64, String)> {
        let now = self.now_ms();
        self.gw
            .backends
            .open
            .get(&key(id))
            .filter(|(until, _)| *until > now)
            .cloned()
    }

    /// The single backend a forward to entity `id` goes to now; `None` when its breaker (or
    /// every pool member's) is open and the gateway has answered 503 itself.
    pub(crate) fn backend_target(&mut self, loc: &Loc, id: &str) -> Ex<Option<Target>> {
        let sc = self.gw.sc;
        let Some(b) = sc.backend_entity(id) else {
            return Err(self.fail(
                loc,
                "forward-request",
                "BackendNotFound",
                format!("the backend '{id}' is not one of the scenario's backends"),
                500,
                "Internal server error",
                &[],
            ));
        };
        if b.kind == BackendKind::Single {
            if let Some((until, rule)) = self.open_until(&b.id) {
                let message = format!(
                    "The backend '{}' is unavailable: its circuit breaker (rule '{rule}') is open until {}.",
                    b.id,
                    show_time(until)
                );
                let phrase = format!("Backend {} is temporarily unavailable", b.id);
                self.unavailable(loc, &phrase, &message);
                return Ok(None);
            }
            return Ok(Some(Target {
                id: b.id.clone(),
                url: b.url.clone().unwrap_or_default(),
            }));
        }
        let services = b
            .pool
            .as_ref()
            .map(|p| p.services.clone())
            .unwrap_or_default();
        let mut skipped = Vec::new();
        let mut available = Vec::new();
        for m in &services {
            match self.open_until(&m.id) {
                Some((until, _)) => skipped.push(format!(
                    "'{}' (circuit breaker open until {})",
                    m.id,
                    show_time(until)
                )),
                None => available.push(m.clone()),
            }
        }
        let Some(best) = available.iter().map(|m| m.priority.unwrap_or(0)).min() else {
            let message = format!(
                "Every backend of the pool '{}' is unavailable: {}.",
                b.id,
                skipped.join(", ")
            );
            let phrase = format!("Backend pool {} is temporarily unavailable", b.id);
            self.unavailable(loc, &phrase, &message);
            return Ok(None);
        };
        let group: Vec<_> = available
            .into_iter()
            .filter(|m| m.priority.unwrap_or(0) == best)
            .collect();
        let mut weights: Vec<i64> = group
            .iter()
            .map(|m| i64::from(m.weight.unwrap_or(1)))
            .collect();
        if weights.iter().all(|w| *w == 0) {
            weights = vec![1; group.len()];
        }
        let total: i64 = weights.iter().sum();
        let pool = key(&b.id);
        let mut pick: Option<(usize, i64)> = None;
        for (i, (m, w)) in group.iter().zip(&weights).enumerate() {
            let cur = self
                .gw
                .backends
                .current
                .entry((pool.clone(), key(&m.id)))
                .or_insert(0);
            *cur += w;
            if pick.is_none_or(|(_, best)| *cur > best) {
                pick = Some((i, *cur));
            }
        }
        let Some((index, _)) = pick else {
            let phrase = format!("Backend pool {} is temporarily unavailable", b.id);
            self.unavailable(
                loc,
                &phrase,
                &format!("The pool '{}' has no backend to send to.", b.id),
            );
            return Ok(None);
        };
        let chosen = group.get(index).map(|m| m.id.clone()).unwrap_or_default();
        if let Some(cur) = self
            .gw
            .backends
            .current
            .get_mut(&(pool.clone(), key(&chosen)))
        {
            *cur -= total;
        }
        let member = sc.backend_entity(&chosen);
        let url = member.and_then(|m| m.url.clone()).unwrap_or_default();
        let names: Vec<String> = group
            .iter()
            .zip(&weights)
            .map(|(m, w)| format!("{} (weight {w})", m.id))
            .collect();
        let mut message = format!(
            "pool '{}': chose '{chosen}' from priority {best} [{}]",
            b.id,
            names.join(", ")
        );
        if !skipped.is_empty() {
            message.push_str(&format!("; skipped {}", skipped.join(", ")));
        }
        self.step(loc, message);
        Ok(Some(Target {
            id: member.map(|m| m.id.clone()).unwrap_or(chosen),
            url,
        }))
    }

    /// The gateway's own 503 for a backend it will not call: a response (not an error), so a
    /// `retry` condition and outbound see it, with the status reason the Microsoft samples'
    /// retry conditions test for ("Backend pool … is temporarily unavailable").
    fn unavailable(&mut self, loc: &Loc, phrase: &str, message: &str) {
        self.error_response(503, phrase, &[]);
        self.ctx.response.status_reason = phrase.to_string();
        self.gateway_answered = true;
        self.step(
            loc,
            format!("{message} The gateway answers 503 \"{phrase}\" without calling a backend."),
        );
    }

    /// The mock answer of backend `target`: its `responses` (per call) or `response`, else
    /// what answers any backend call (`http_mocks`, the scenario's `backend`).
    pub(crate) fn backend_answer(
        &mut self,
        target: &Target,
        method: &str,
        url: &str,
        headers: &apim_expr::Headers,
    ) -> Option<Answer> {
        let sc = self.gw.sc;
        let b: Option<&Backend> = sc.backend_entity(&target.id);
        let n = {
            let c = self.gw.backends.calls.entry(key(&target.id)).or_insert(0);
            *c += 1;
            *c - 1
        };
        let own: Option<(HttpResponse, String)> = b.and_then(|b| {
            if let Some(last) = b.responses.len().checked_sub(1) {
                let i = n.min(last);
                b.responses
                    .get(i)
                    .map(|r| (r.clone(), format!("backend '{}' (responses[{i}])", b.id)))
            } else {
                b.response
                    .clone()
                    .map(|r| (r, format!("backend '{}'", b.id)))
            }
        });
        match own {
            Some((r, from)) => Some(Answer {
                status: r.status,
                headers: r.headers,
                body: r.body,
                delay_ms: r.delay_ms.unwrap_or(0),
                from,
            }),
            None => self.answer(method, url, headers, true),
        }
    }

    /// Count a response of backend `id` against its circuit breaker rules; trip them.
    pub(crate) fn record_breaker(
        &mut self,
        loc: &Loc,
        id: &str,
        status: u16,
        headers: &crate::scenario::Headers,
    ) {
        let sc = self.gw.sc;
        let Some(b) = sc.backend_entity(id) else {
            return;
        };
        let now = self.now_ms();
        let rules = b
            .circuit_breaker
            .as_ref()
            .map(|c| c.rules.as_slice())
            .unwrap_or(&[]);
        for (i, rule) in rules.iter().enumerate() {
            let fc = &rule.failure_condition;
            let failed = if fc.status_code_ranges.is_empty() {
                (500..=599).contains(&status)
            } else {
                fc.status_code_ranges
                    .iter()
                    .any(|r| (r.min..=r.max).contains(&status))
            };
            if !failed {
                continue;
            }
            let interval = parse_duration(&fc.interval).unwrap_or(60_000);
            let times = self
                .gw
                .backends
                .failures
                .entry((key(&b.id), i))
                .or_default();
            times.push(now);
            times.retain(|&t| t > now - interval);
            let count = times.len();
            let name = if rule.name.is_empty() {
                format!("rules[{i}]")
            } else {
                rule.name.clone()
            };
            if count < fc.count as usize {
                self.step(
                    loc,
                    format!(
                        "circuit breaker of '{}', rule '{name}': failure {count} of {} within {}",
                        b.id, fc.count, fc.interval
                    ),
                );
                continue;
            }
            times.clear();
            let retry_after = headers
                .get("Retry-After")
                .and_then(|v| v.first())
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|s| *s >= 0)
                // At most a year: the time stays far from overflowing.
                .map(|s| s.min(31_536_000));
            let (duration, why) = match retry_after {
                Some(s) if rule.accept_retry_after => (
                    s * 1000,
                    format!("the backend's Retry-After: {s} (accept_retry_after)"),
                ),
                _ => (
                    parse_duration(&rule.trip_duration).unwrap_or(60_000),
                    format!("trip_duration {}", rule.trip_duration),
                ),
            };
            let until = now.saturating_add(duration);
            self.gw
                .backends
                .open
                .insert(key(&b.id), (until, name.clone()));
            self.step(
                loc,
                format!(
                    "circuit breaker of '{}' trips (rule '{name}': {count} failure(s) within {}): no requests go to it until {} ({why})",
                    b.id,
                    fc.interval,
                    show_time(until)
                ),
            );
        }
    }

    /// Resolve `{{named values}}` in a credential value.
    pub(crate) fn credential_value(&mut self, loc: &Loc, value: &str) -> Ex<super::engine::Str> {
        let mut out = super::engine::Str::default();
        let mut rest = value;
        while let Some(open) = rest.find("{{") {
            out.text.push_str(rest.get(..open).unwrap_or(""));
            let after = rest.get(open + 2..).unwrap_or("");
            match after.find("}}") {
                Some(close) => {
                    let name = after.get(..close).unwrap_or("").trim();
                    let v = self.named_value(loc, name)?;
                    out.secret |= v.secret;
                    out.text.push_str(&v.text);
                    rest = after.get(close + 2..).unwrap_or("");
                }
                None => {
                    out.text.push_str("{{");
                    rest = after;
                }
            }
        }
        out.text.push_str(rest);
        self.taint(&out);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations() {
        assert_eq!(parse_duration("PT1M"), Some(60_000));
        assert_eq!(parse_duration("PT30S"), Some(30_000));
        assert_eq!(parse_duration("P1D"), Some(86_400_000));
        assert_eq!(parse_duration("P1DT1H"), Some(90_000_000));
        assert_eq!(parse_duration("PT0.5S"), Some(500));
        assert_eq!(parse_duration("P1W"), Some(604_800_000));
        assert_eq!(parse_duration("P1M"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("1M"), None);
        assert_eq!(parse_duration("PT5"), None);
    }

    #[test]
    fn validation_names_the_field() {
        let sc = Scenario::from_json(
            r#"{"backends": [{"id": "p", "type": "pool", "pool": {"services": [{"id": "x"}]}}]}"#,
        )
        .unwrap();
        let e = validate(&sc).unwrap_err();
        assert!(e.contains("pool.services[0] names 'x'"), "{e}");
        let sc = Scenario::from_json(
            r#"{"backends": [{"id": "a", "url": "https://a", "circuit_breaker": {"rules": [{"failure_condition": {"count": 1, "interval": "one minute"}, "trip_duration": "PT1M"}]}}]}"#,
        )
        .unwrap();
        let e = validate(&sc).unwrap_err();
        assert!(e.contains("interval ('one minute')"), "{e}");
        let sc = Scenario::from_json(r#"{"backends": [{"id": "a"}]}"#).unwrap();
        assert!(validate(&sc).unwrap_err().contains("needs a url"));
    }
}
