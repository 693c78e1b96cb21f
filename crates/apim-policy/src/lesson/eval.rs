//! Running a lesson's checks against a student's policy and scenario.
//!
//! One [`Run`] per check of a whole lesson: the policy is parsed once, and lint results,
//! simulations and exports are computed at most once per scenario (and target) however many
//! steps use them. A check that cannot run (the policy does not parse, the student's scenario
//! is not valid JSON, the simulator or the exporter refuses) is [`Status::CouldNotRun`], which
//! never counts as passed, not even under `not`.

use super::check::{
    Check, ExportCheck, HeaderExpect, IdentifierForm, NamedValueCheck, NamedValueType, Node,
    OutcomeName, Place, PolicyCount, ScenarioRef, SimCheck, VaultAccessCheck,
};
use super::{Lesson, LessonReport, Status, StepResult};
use crate::diagnostic::{Diagnostic, Severity};
use crate::export::{self, ExportOptions, Target};
use crate::lint::{self, LintOptions};
use crate::scenario::Scenario;
use crate::sim::{self, Outcome, RequestResult, SimOptions, SimOutput};
use crate::syntax::{self, Document};
use crate::text::LineIndex;
use serde_json::Value;

enum Eval {
    Pass,
    Fail(Vec<String>),
    NotRun(Vec<String>),
}

struct Run<'a> {
    lesson: &'a Lesson,
    policy: &'a str,
    doc: Document,
    /// Why tree checks cannot run: the policy's first syntax error.
    syntax_error: Option<String>,
    student: Result<Option<Scenario>, String>,
    lints: Vec<(ScenarioRef, Vec<Diagnostic>)>,
    sims: Vec<(ScenarioRef, Result<SimOutput, String>)>,
    exports: Vec<(Target, ScenarioRef, Result<String, String>)>,
}

/// The `LintOptions` a scenario gives, as the app computes them: named values and fragments
/// are checked only once the scenario declares some.
fn lint_options(s: Option<&Scenario>) -> LintOptions {
    let Some(s) = s else {
        return LintOptions::default();
    };
    let mut o = LintOptions::from_scenario(s);
    if s.named_values.is_empty() {
        o.named_values = None;
    }
    if s.fragments.is_empty() {
        o.fragments = None;
    }
    o
}

impl<'a> Run<'a> {
    fn new(lesson: &'a Lesson, policy: &'a str, scenario: Option<&str>) -> Self {
        let doc = syntax::parse(policy);
        let syntax_error = doc
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| {
                let lc = LineIndex::new(policy).line_col(d.span.start);
                format!(
                    "the policy does not parse (line {}, column {}: {} [{}])",
                    lc.line, lc.column, d.message, d.code
                )
            });
        let student = match scenario {
            None => Ok(lesson.start_scenario.clone()),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => Scenario::from_json(text).map(Some).map_err(|e| {
                format!(
                    "your scenario is not valid (line {}, column {}: {})",
                    e.line, e.column, e.message
                )
            }),
        };
        Run {
            lesson,
            policy,
            doc,
            syntax_error,
            student,
            lints: Vec::new(),
            sims: Vec::new(),
            exports: Vec::new(),
        }
    }

    fn scenario(&self, r: &ScenarioRef) -> Result<Option<Scenario>, String> {
        match r {
            ScenarioRef::Student => self.student.clone(),
            ScenarioRef::Lesson => Ok(self.lesson.start_scenario.clone()),
            ScenarioRef::None => Ok(None),
            ScenarioRef::Inline(s) => Ok(Some((**s).clone())),
        }
    }

    /// Why a check of lint code `code` cannot be trusted: the policy does not parse and `code`
    /// is a rule's, not the parser's.
    fn unparsed_for(&self, code: &str) -> Option<String> {
        if is_syntax_code(code) {
            None
        } else {
            self.syntax_error.clone()
        }
    }

    fn lint(&mut self, r: &ScenarioRef) -> Result<&[Diagnostic], String> {
        if let Some(i) = self.lints.iter().position(|(k, _)| k == r) {
            return Ok(self.lints.get(i).map(|(_, d)| d.as_slice()).unwrap_or(&[]));
        }
        let s = self.scenario(r)?;
        let diags = lint::check(&self.doc, self.policy, &lint_options(s.as_ref()));
        self.lints.push((r.clone(), diags));
        Ok(self.lints.last().map(|(_, d)| d.as_slice()).unwrap_or(&[]))
    }

    fn simulate(&mut self, r: &ScenarioRef) -> Result<&SimOutput, String> {
        if !self.sims.iter().any(|(k, _)| k == r) {
            let result = match self.scenario(r)? {
                None => Err(
                    "the simulation needs a scenario with a request, and there is none".to_string(),
                ),
                Some(s) => sim::simulate(self.policy, &s, &SimOptions::default()).map_err(|e| {
                    format!(
                        "the simulation could not run: {}",
                        sim::masker_for(&s).mask(&e.to_string())
                    )
                }),
            };
            self.sims.push((r.clone(), result));
        }
        match self.sims.iter().find(|(k, _)| k == r) {
            Some((_, Ok(out))) => Ok(out),
            Some((_, Err(e))) => Err(e.clone()),
            None => Err("the simulation could not run".into()),
        }
    }

    fn export(&mut self, target: Target, r: &ScenarioRef) -> Result<&str, String> {
        if !self.exports.iter().any(|(t, k, _)| *t == target && k == r) {
            let s = self.scenario(r)?;
            let options = ExportOptions {
                target,
                ..ExportOptions::default()
            };
            let result = export::export(self.policy, &options, s.as_ref())
                .map(|o| o.text)
                .map_err(|diags| {
                    let reasons: Vec<String> = diags
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .map(|d| format!("{} [{}]", d.message, d.code))
                        .collect();
                    format!(
                        "the {} export could not run: {}",
                        target.as_str(),
                        reasons.join("; ")
                    )
                });
            self.exports.push((target, r.clone(), result));
        }
        match self.exports.iter().find(|(t, k, _)| *t == target && k == r) {
            Some((_, _, Ok(text))) => Ok(text),
            Some((_, _, Err(e))) => Err(e.clone()),
            None => Err("the export could not run".into()),
        }
    }

    fn eval(&mut self, node: &Node) -> Eval {
        let result = self.eval_check(&node.check);
        match (result, &node.message) {
            (Eval::Fail(_), Some(m)) => Eval::Fail(vec![m.clone()]),
            (other, _) => other,
        }
    }

    fn eval_check(&mut self, check: &Check) -> Eval {
        let policy: &'a str = self.policy;
        match check {
            Check::All(list) => {
                let mut fails = Vec::new();
                let mut notrun = Vec::new();
                for n in list {
                    match self.eval(n) {
                        Eval::Pass => {}
                        Eval::Fail(m) => fails.extend(m),
                        Eval::NotRun(m) => notrun.extend(m),
                    }
                }
                if !notrun.is_empty() {
                    Eval::NotRun(notrun)
                } else if !fails.is_empty() {
                    Eval::Fail(fails)
                } else {
                    Eval::Pass
                }
            }
            Check::Any(list) => {
                let mut fails = Vec::new();
                let mut notrun = Vec::new();
                for n in list {
                    match self.eval(n) {
                        Eval::Pass => return Eval::Pass,
                        Eval::Fail(m) => fails.extend(m),
                        Eval::NotRun(m) => notrun.extend(m),
                    }
                }
                if !notrun.is_empty() {
                    Eval::NotRun(notrun)
                } else {
                    Eval::Fail(vec![format!(
                        "none of these holds: {}",
                        fails.join("; or ")
                    )])
                }
            }
            Check::Not(inner) => match self.eval(inner) {
                Eval::Pass => Eval::Fail(vec![format!(
                    "this must not hold: {}",
                    describe(&inner.check)
                )]),
                Eval::Fail(_) => Eval::Pass,
                Eval::NotRun(m) => Eval::NotRun(m),
            },
            Check::LintNoErrors { scenario } => match self.lint(scenario) {
                Err(e) => Eval::NotRun(vec![e]),
                Ok(diags) => {
                    let src = LineIndex::new(policy);
                    let errors: Vec<String> = diags
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .take(3)
                        .map(|d| {
                            let lc = src.line_col(d.span.start);
                            format!("line {}: {} [{}]", lc.line, d.message, d.code)
                        })
                        .collect();
                    if errors.is_empty() {
                        Eval::Pass
                    } else {
                        let n = lint::count(diags, Severity::Error);
                        Eval::Fail(vec![format!(
                            "the policy still has {n} error{}: {}",
                            if n == 1 { "" } else { "s" },
                            errors.join("; ")
                        )])
                    }
                }
            },
            // A document that does not parse has no trustworthy tree: a rule's code reported on
            // it is still a finding (a lacks-check fails with it), but its absence, or its
            // presence as a goal, says nothing then; only the parser's own codes can be checked.
            Check::LintHas { code, scenario } => {
                let unparsed = self.unparsed_for(code);
                match self.lint(scenario) {
                    Err(e) => Eval::NotRun(vec![e]),
                    Ok(_) if unparsed.is_some() => Eval::NotRun(unparsed.into_iter().collect()),
                    Ok(diags) if diags.iter().any(|d| d.code == code) => Eval::Pass,
                    Ok(_) => Eval::Fail(vec![format!("the linter does not report {code}")]),
                }
            }
            Check::LintLacks { code, scenario } => {
                let unparsed = self.unparsed_for(code);
                match self.lint(scenario) {
                    Err(e) => Eval::NotRun(vec![e]),
                    Ok(diags) => match diags.iter().find(|d| d.code == code) {
                        None if unparsed.is_some() => Eval::NotRun(unparsed.into_iter().collect()),
                        None => Eval::Pass,
                        Some(d) => {
                            let lc = LineIndex::new(policy).line_col(d.span.start);
                            Eval::Fail(vec![format!("line {}: {} [{code}]", lc.line, d.message)])
                        }
                    },
                }
            }
            Check::PolicyPresent(c) | Check::PolicyAbsent(c) => {
                if let Some(e) = &self.syntax_error {
                    return Eval::NotRun(vec![e.clone()]);
                }
                self.policy_count(c)
            }
            Check::Match(m) => {
                if let Some(e) = &self.syntax_error {
                    return Eval::NotRun(vec![e.clone()]);
                }
                let n = m.path.select(&self.doc).len();
                count_result(
                    n,
                    m.min,
                    m.max,
                    &format!("elements matching `{}`", m.path_text),
                )
            }
            Check::Simulate(s) => self.eval_sim(s),
            Check::Export(e) => self.eval_export(e),
            Check::NamedValue(nv) => match &self.student {
                Err(e) => Eval::NotRun(vec![e.clone()]),
                Ok(s) => named_value(s.as_ref(), nv),
            },
            Check::KeyVaultAccess(v) => match &self.student {
                Err(e) => Eval::NotRun(vec![e.clone()]),
                Ok(s) => vault_access(s.as_ref(), v),
            },
        }
    }

    fn policy_count(&self, c: &PolicyCount) -> Eval {
        let root = self.doc.root;
        let n = self
            .doc
            .nodes()
            .filter(|(id, node)| {
                let crate::syntax::NodeKind::Element(e) = &node.kind else {
                    return false;
                };
                if e.name != c.policy || Some(*id) == root {
                    return false;
                }
                match &c.section {
                    None => true,
                    Some(want) => section_of(&self.doc, *id).is_some_and(|s| s == *want),
                }
            })
            .count();
        let what = match &c.section {
            Some(s) => format!("<{}> in {s}", c.policy),
            None => format!("<{}>", c.policy),
        };
        count_result(n, c.min, c.max, &what)
    }

    fn eval_sim(&mut self, c: &SimCheck) -> Eval {
        let out = match self.simulate(&c.scenario) {
            Ok(o) => o,
            Err(e) => return Eval::NotRun(vec![e]),
        };
        let results = out.results();
        let (index, r) = match c.expect.request {
            Some(k) => (k, k.checked_sub(1).and_then(|i| results.get(i))),
            None => (results.len(), results.last()),
        };
        let Some(r) = r else {
            return Eval::Fail(vec![format!(
                "the scenario has {} request{}; this step looks at request {index}",
                results.len(),
                if results.len() == 1 { "" } else { "s" }
            )]);
        };
        let prefix = if results.len() > 1 {
            format!("request {index}: ")
        } else {
            String::new()
        };
        let fails: Vec<String> = sim_expectations(r, &c.expect)
            .into_iter()
            .map(|m| format!("{prefix}{m}"))
            .collect();
        if fails.is_empty() {
            Eval::Pass
        } else {
            Eval::Fail(fails)
        }
    }

    fn eval_export(&mut self, c: &ExportCheck) -> Eval {
        let text = match self.export(c.target, &c.scenario) {
            Ok(t) => t,
            Err(e) => return Eval::NotRun(vec![e]),
        };
        let types = resource_types(c.target, text);
        if types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&c.resource_type))
        {
            Eval::Pass
        } else {
            Eval::Fail(vec![format!(
                "the {} export deploys no {} (it has: {})",
                c.target.as_str(),
                c.resource_type,
                if types.is_empty() {
                    "nothing".to_string()
                } else {
                    types.join(", ")
                }
            )])
        }
    }
}

/// The section (`inbound`, …) an element is in: the name of its ancestor below the root.
/// The codes the parser itself reports (XML syntax, nesting, size): they are about the text, so
/// they can be checked on a document that does not parse.
fn is_syntax_code(code: &str) -> bool {
    use crate::lint::codes;
    [
        codes::XML_SYNTAX,
        codes::UNCLOSED_ELEMENT,
        codes::MISMATCHED_END_TAG,
        codes::DUPLICATE_ATTRIBUTE,
        codes::DOCTYPE,
        codes::TOO_DEEP,
        codes::DOCUMENT_TOO_LARGE,
    ]
    .contains(&code)
}

fn section_of(doc: &Document, id: crate::syntax::NodeId) -> Option<String> {
    let root = doc.root?;
    let mut cur = id;
    loop {
        let parent = doc.parent(cur)?;
        if parent == root {
            return doc.element(cur).map(|e| e.name.to_string());
        }
        cur = parent;
    }
}

fn count_result(n: usize, min: usize, max: Option<usize>, what: &str) -> Eval {
    match max {
        Some(0) if n > 0 => Eval::Fail(vec![format!(
            "the policy still has {n} {what}; remove {}",
            if n == 1 { "it" } else { "them" }
        )]),
        Some(m) if n > m => Eval::Fail(vec![format!(
            "the policy has {n} {what}; at most {m} expected"
        )]),
        _ if n < min && n == 0 => Eval::Fail(vec![format!("the policy has no {what} yet")]),
        _ if n < min => Eval::Fail(vec![format!(
            "the policy has {n} {what}; at least {min} expected"
        )]),
        _ => Eval::Pass,
    }
}

fn header_values(h: &crate::scenario::Headers, name: &str) -> Option<String> {
    h.get(name).map(|v| v.join(", "))
}

fn header_expect(have: Option<String>, e: &HeaderExpect, whose: &str, out: &mut Vec<String>) {
    match (have, e.absent) {
        (Some(v), true) => out.push(format!("{whose} still has the header {}: {v}", e.name)),
        (None, true) => {}
        (None, false) => out.push(format!("{whose} has no header {}", e.name)),
        (Some(v), false) => {
            if let Some(want) = &e.equals
                && v != *want
            {
                out.push(format!(
                    "{whose} header {} is '{v}', expected '{want}'",
                    e.name
                ));
            }
            if let Some(want) = &e.contains
                && !v.contains(want.as_str())
            {
                out.push(format!(
                    "{whose} header {} is '{v}', which does not contain '{want}'",
                    e.name
                ));
            }
        }
    }
}

fn error_summary(r: &RequestResult) -> String {
    match &r.error {
        Some(e) => format!(
            " ({}: {})",
            if e.reason.is_empty() {
                &e.source
            } else {
                &e.reason
            },
            e.message
        ),
        None => String::new(),
    }
}

fn sim_expectations(r: &RequestResult, e: &super::check::SimExpect) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(want) = e.outcome {
        let have = r.outcome;
        let same = matches!(
            (want, have),
            (OutcomeName::Forwarded, Outcome::Forwarded)
                | (OutcomeName::Returned, Outcome::Returned)
                | (OutcomeName::Error, Outcome::Error)
        );
        if !same {
            out.push(format!(
                "the request ended '{}', expected '{}'{}",
                have.as_str(),
                want.as_str(),
                error_summary(r)
            ));
        }
    }
    if let Some(want) = e.status
        && r.response.status != want
    {
        out.push(format!(
            "the response status is {}, expected {want}{}",
            r.response.status,
            error_summary(r)
        ));
    }
    if let Some(want) = e.backend_called {
        match (want, r.backend_request.is_some()) {
            (true, false) => out.push(format!("the backend was not called{}", error_summary(r))),
            (false, true) => {
                out.push("the backend was called; the gateway should answer on its own".into())
            }
            _ => {}
        }
    }
    if let Some(h) = &e.response_header {
        header_expect(
            header_values(&r.response.headers, &h.name),
            h,
            "the response",
            &mut out,
        );
    }
    if let Some(h) = &e.backend_header {
        match &r.backend_request {
            None if !h.absent => out.push(format!(
                "the backend was not called, so it got no header {}{}",
                h.name,
                error_summary(r)
            )),
            None => {}
            Some(b) => header_expect(
                header_values(&b.headers, &h.name),
                h,
                "the backend request",
                &mut out,
            ),
        }
    }
    if let Some(u) = &e.backend_url {
        match &r.backend_request {
            None => out.push(format!("the backend was not called{}", error_summary(r))),
            Some(b) => {
                let url = &b.url;
                if let Some(want) = &u.equals
                    && url != want
                {
                    out.push(format!("the backend was called at {url}, expected {want}"));
                }
                if let Some(want) = &u.starts_with
                    && !url.starts_with(want.as_str())
                {
                    out.push(format!(
                        "the backend was called at {url}, which does not start with {want}"
                    ));
                }
                if let Some(want) = &u.contains
                    && !url.contains(want.as_str())
                {
                    out.push(format!(
                        "the backend was called at {url}, which does not contain {want}"
                    ));
                }
            }
        }
    }
    if let Some(b) = &e.body {
        let body = &r.response.body;
        if let Some(want) = &b.equals
            && body.trim() != want.trim()
        {
            out.push(format!(
                "the response body is '{}', expected '{want}'",
                shorten(body)
            ));
        }
        if let Some(want) = &b.contains
            && !body.contains(want.as_str())
        {
            out.push(format!("the response body does not contain '{want}'"));
        }
        if let Some(bad) = &b.not_contains
            && body.contains(bad.as_str())
        {
            out.push(format!("the response body still contains '{bad}'"));
        }
        if let (Some(p), Some(want)) = (&b.json_path, &b.json_equals) {
            match serde_json::from_str::<Value>(body) {
                Err(_) => out.push(format!(
                    "the response body is not JSON: '{}'",
                    shorten(body)
                )),
                Ok(v) => match json_path_get(&v, p) {
                    None => out.push(format!("the response body has nothing at {p}")),
                    Some(have) if have != want => out.push(format!(
                        "the response body has {have} at {p}, expected {want}"
                    )),
                    Some(_) => {}
                },
            }
        }
    }
    if let Some(v) = &e.variable {
        let have = r
            .variables
            .iter()
            .find(|(k, _)| *k == v.name)
            .map(|(_, val)| val);
        match (have, v.absent) {
            (Some(_), true) => out.push(format!("the variable {} is still set", v.name)),
            (None, false) => out.push(format!("the variable {} is not set", v.name)),
            (Some(have), false) => {
                if let Some(want) = &v.equals
                    && have != want
                {
                    out.push(format!(
                        "the variable {} is {have}, expected {want}",
                        v.name
                    ));
                }
            }
            (None, true) => {}
        }
    }
    if let Some(t) = &e.trace {
        let found = r.trace.iter().find(|s| {
            t.policy.as_ref().is_none_or(|p| s.policy == *p)
                && t.section.as_ref().is_none_or(|x| s.section == *x)
                && t.message_contains
                    .as_ref()
                    .is_none_or(|m| s.message.contains(m.as_str()))
        });
        let what = describe_trace(t);
        match (found, t.absent) {
            (Some(s), true) => out.push(format!("the trace still has {what}: {}", s.message)),
            (None, false) => out.push(format!("the trace lacks {what}{}", error_summary(r))),
            _ => {}
        }
    }
    if let Some(x) = &e.error {
        match (&r.error, x.absent) {
            (Some(err), true) => out.push(format!("the request still fails: {}", err.message)),
            (None, false) => out.push("the request raised no error".into()),
            (Some(err), false) => {
                if let Some(want) = &x.reason
                    && err.reason != *want
                {
                    out.push(format!(
                        "the error's reason is '{}', expected '{want}'",
                        err.reason
                    ));
                }
                if let Some(want) = &x.message_contains
                    && !err.message.contains(want.as_str())
                {
                    out.push(format!(
                        "the error message '{}' does not contain '{want}'",
                        err.message
                    ));
                }
            }
            (None, true) => {}
        }
    }
    for place in &e.secret_not_in {
        const MASK: &str = "***";
        match place {
            Place::ResponseHeaders => {
                for (name, values) in r.response.headers.iter() {
                    if values.iter().any(|v| v.contains(MASK)) {
                        out.push(format!(
                            "the response header {name} carries a secret back to the caller"
                        ));
                    }
                }
            }
            Place::ResponseBody => {
                if r.response.body.contains(MASK) {
                    out.push("the response body carries a secret back to the caller".into());
                }
            }
            Place::Trace => {
                for s in &r.trace {
                    if matches!(&*s.policy, "trace" | "log-to-eventhub" | "emit-metric")
                        && s.message.contains(MASK)
                    {
                        out.push(format!(
                            "<{}> (line {}) writes a secret to the logs",
                            s.policy,
                            s.line.map(|l| l.to_string()).unwrap_or_else(|| "-".into())
                        ));
                    }
                }
            }
        }
    }
    out
}

fn describe_trace(t: &super::check::TraceExpect) -> String {
    let mut s = match &t.policy {
        Some(p) => format!("a {p} step"),
        None => "a step".to_string(),
    };
    if let Some(x) = &t.section {
        s.push_str(&format!(" in {x}"));
    }
    if let Some(m) = &t.message_contains {
        s.push_str(&format!(" saying '{m}'"));
    }
    s
}

fn shorten(s: &str) -> String {
    let mut t: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        t.push('…');
    }
    t
}

/// `$.a.b[0]` / `a.b[0]` as keys and indexes; `Err` says why not.
pub fn json_path_segments(p: &str) -> Result<Vec<super::jsonpos::Seg>, String> {
    use super::jsonpos::Seg;
    let rest = p.strip_prefix('$').unwrap_or(p);
    let mut out = Vec::new();
    let mut chars = rest.char_indices().peekable();
    let mut name = String::new();
    let flush = |name: &mut String, out: &mut Vec<Seg>| {
        if !name.is_empty() {
            out.push(Seg::Key(std::mem::take(name)));
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            '.' => {
                flush(&mut name, &mut out);
                if i + 1 == rest.len() {
                    return Err(format!("'{p}' ends with '.'"));
                }
            }
            '[' => {
                flush(&mut name, &mut out);
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some((_, ']')) => break,
                        Some((_, d)) if d.is_ascii_digit() => digits.push(d),
                        _ => return Err(format!("'{p}': an index is written [0]")),
                    }
                }
                out.push(Seg::Index(
                    digits
                        .parse()
                        .map_err(|_| format!("'{p}': an index is written [0]"))?,
                ));
            }
            c => name.push(c),
        }
    }
    flush(&mut name, &mut out);
    Ok(out)
}

fn json_path_get<'v>(v: &'v Value, p: &str) -> Option<&'v Value> {
    use super::jsonpos::Seg;
    let mut cur = v;
    for seg in json_path_segments(p).ok()? {
        cur = match seg {
            Seg::Key(k) => cur.get(k.as_str())?,
            Seg::Index(i) => cur.get(i)?,
        };
    }
    Some(cur)
}

/// The resource types an export deploys (declarations of existing resources excluded).
pub fn resource_types(target: Target, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    match target {
        Target::Arm => {
            fn walk(v: &Value, out: &mut Vec<String>) {
                if let Some(list) = v.get("resources").and_then(Value::as_array) {
                    for r in list {
                        if let Some(t) = r.get("type").and_then(Value::as_str) {
                            out.push(t.to_string());
                        }
                        walk(r, out);
                    }
                }
            }
            if let Ok(v) = serde_json::from_str::<Value>(text) {
                walk(&v, &mut out);
            }
        }
        Target::Bicep => {
            for line in text.lines() {
                let l = line.trim_start();
                if let Some(rest) = l.strip_prefix("resource ")
                    && !rest.contains(" existing")
                    && let Some(start) = rest.find('\'')
                    && let Some(t) = rest.get(start + 1..)
                {
                    let end = t.find(['@', '\'']).unwrap_or(t.len());
                    out.push(t.get(..end).unwrap_or(t).to_string());
                }
            }
        }
        Target::Terraform => {
            for line in text.lines() {
                if let Some(rest) = line.trim_start().strip_prefix("resource \"")
                    && let Some(end) = rest.find('"')
                {
                    out.push(rest.get(..end).unwrap_or(rest).to_string());
                }
            }
        }
    }
    out.dedup();
    out
}

fn named_value(s: Option<&Scenario>, c: &NamedValueCheck) -> Eval {
    let nv = s.and_then(|s| {
        s.named_values
            .iter()
            .find(|n| n.name.eq_ignore_ascii_case(&c.name))
    });
    let Some(nv) = nv else {
        return if c.absent {
            Eval::Pass
        } else {
            Eval::Fail(vec![format!(
                "the scenario declares no named value '{}' yet",
                c.name
            )])
        };
    };
    if c.absent {
        return Eval::Fail(vec![format!(
            "the scenario still declares the named value '{}'",
            c.name
        )]);
    }
    let mut out = Vec::new();
    let kind = match (&nv.key_vault, nv.secret) {
        (Some(_), _) => NamedValueType::KeyVault,
        (None, true) => NamedValueType::Secret,
        (None, false) => NamedValueType::Plain,
    };
    let kind_name = |k: NamedValueType| match k {
        NamedValueType::Plain => "a plain value",
        NamedValueType::Secret => "a secret value",
        NamedValueType::KeyVault => "a Key Vault reference",
    };
    if let Some(want) = c.kind
        && want != kind
    {
        out.push(format!(
            "the named value '{}' is {}; it should be {}",
            c.name,
            kind_name(kind),
            kind_name(want)
        ));
    }
    if let Some(form) = c.identifier {
        match &nv.key_vault {
            None => out.push(format!(
                "the named value '{}' has no Key Vault secret identifier",
                c.name
            )),
            Some(kv) => {
                let id = kv.secret_identifier.trim();
                let parts: Vec<&str> = id
                    .split_once("/secrets/")
                    .map(|(_, rest)| rest.split('/').filter(|p| !p.is_empty()).collect())
                    .unwrap_or_default();
                match (form, parts.len()) {
                    (_, 0) => out.push(format!(
                        "'{id}' is not a Key Vault secret identifier (https://<vault>.vault.azure.net/secrets/<name>)"
                    )),
                    (IdentifierForm::Versionless, 1) | (IdentifierForm::Versioned, 2) => {}
                    (IdentifierForm::Versionless, _) => out.push(format!(
                        "'{id}' names one version of the secret, so the named value will not follow a rotation; drop the version"
                    )),
                    (IdentifierForm::Versioned, _) => out.push(format!(
                        "'{id}' has no version; pin one (…/secrets/<name>/<version>)"
                    )),
                }
            }
        }
    }
    if let Some(want) = &c.identity {
        let have = nv
            .key_vault
            .as_ref()
            .and_then(|k| k.identity_client_id.as_deref())
            .filter(|s| !s.trim().is_empty());
        match (want.as_str(), have) {
            ("system", None) => {}
            ("system", Some(id)) => out.push(format!(
                "the named value '{}' is read by the user-assigned identity {id}; remove identity_client_id to use the system-assigned one",
                c.name
            )),
            ("user", Some(_)) => {}
            ("user", None) => out.push(format!(
                "the named value '{}' is read by the system-assigned identity; set identity_client_id to the user-assigned identity's client id",
                c.name
            )),
            (id, Some(h)) if h.eq_ignore_ascii_case(id) => {}
            (id, h) => out.push(format!(
                "the named value '{}' should be read by the identity with client id {id} (it has {})",
                c.name,
                h.unwrap_or("none: the system-assigned identity")
            )),
        }
    }
    if out.is_empty() {
        Eval::Pass
    } else {
        Eval::Fail(out)
    }
}

fn vault_access(s: Option<&Scenario>, c: &VaultAccessCheck) -> Eval {
    let vault = s.and_then(|s| {
        s.key_vaults
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(&c.vault))
    });
    let Some(vault) = vault else {
        return Eval::Fail(vec![format!("the scenario has no Key Vault '{}'", c.vault)]);
    };
    let mut out = Vec::new();
    if let Some(model) = c.model
        && model != vault.access
    {
        let name = |m: crate::scenario::VaultAccess| match m {
            crate::scenario::VaultAccess::AccessPolicy => "access policies",
            crate::scenario::VaultAccess::Rbac => "Azure RBAC",
        };
        out.push(format!(
            "Key Vault '{}' uses {}; this step wants {}",
            vault.name,
            name(vault.access),
            name(model)
        ));
    }
    let who = c.identity.as_deref().unwrap_or("system");
    let held: &[String] = match &vault.grants {
        Some(g) => g
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(who))
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[]),
        None => &vault.apim_permissions,
    };
    let missing: Vec<&str> = c
        .permissions
        .iter()
        .filter(|p| !held.iter().any(|h| h.eq_ignore_ascii_case(p)))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        let identity = if who == "system" {
            "the system-assigned identity".to_string()
        } else {
            format!("the identity {who}")
        };
        out.push(format!(
            "Key Vault '{}' does not grant {identity} the secret permission{} {}",
            vault.name,
            if missing.len() == 1 { "" } else { "s" },
            missing.join(" and ")
        ));
    }
    if out.is_empty() {
        Eval::Pass
    } else {
        Eval::Fail(out)
    }
}

/// A short statement of what a check requires (for `not` and the guide).
pub fn describe(check: &Check) -> String {
    match check {
        Check::All(l) => l
            .iter()
            .map(|n| describe(&n.check))
            .collect::<Vec<_>>()
            .join(" and "),
        Check::Any(l) => l
            .iter()
            .map(|n| describe(&n.check))
            .collect::<Vec<_>>()
            .join(" or "),
        Check::Not(n) => format!("not ({})", describe(&n.check)),
        Check::LintNoErrors { .. } => "the policy has no lint errors".into(),
        Check::LintHas { code, .. } => format!("the linter reports {code}"),
        Check::LintLacks { code, .. } => format!("the linter does not report {code}"),
        Check::PolicyPresent(c) => format!(
            "the policy has <{}>{}",
            c.policy,
            c.section
                .as_ref()
                .map(|s| format!(" in {s}"))
                .unwrap_or_default()
        ),
        Check::PolicyAbsent(c) => format!(
            "the policy has no <{}>{}",
            c.policy,
            c.section
                .as_ref()
                .map(|s| format!(" in {s}"))
                .unwrap_or_default()
        ),
        Check::Match(m) => format!("the policy has elements matching `{}`", m.path_text),
        Check::Simulate(_) => "the simulation gives the expected result".into(),
        Check::Export(e) => format!(
            "the {} export deploys {}",
            e.target.as_str(),
            e.resource_type
        ),
        Check::NamedValue(n) => format!("the scenario declares the named value '{}'", n.name),
        Check::KeyVaultAccess(v) => format!(
            "Key Vault '{}' grants {}",
            v.vault,
            v.permissions.join(" and ")
        ),
    }
}

/// Check every step of `lesson` against the student's work.
pub fn check(lesson: &Lesson, policy: &str, scenario: Option<&str>) -> LessonReport {
    let mut run = Run::new(lesson, policy, scenario);
    let steps: Vec<StepResult> = lesson
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let (status, mut problems) = match run.eval(&step.check) {
                Eval::Pass => (Status::Passed, Vec::new()),
                Eval::Fail(m) => (Status::Failed, m),
                Eval::NotRun(m) => (Status::CouldNotRun, m),
            };
            let mut seen = Vec::new();
            problems.retain(|p| {
                if seen.contains(p) {
                    false
                } else {
                    seen.push(p.clone());
                    true
                }
            });
            if status != Status::Passed && problems.is_empty() {
                problems.push(describe(&step.check.check));
            }
            StepResult {
                step: i + 1,
                title: step.title.clone(),
                status,
                problems,
            }
        })
        .collect();
    LessonReport {
        lesson: lesson.id.clone(),
        passed: steps.iter().all(|s| s.status == Status::Passed),
        steps,
    }
}
