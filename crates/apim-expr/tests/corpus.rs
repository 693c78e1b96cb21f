//! Corpus measurement: every `@(…)`/`@{…}` of the real-world policies in
//! `crates/apim-policy/tests/corpus/` (one copy of the corpus serves every crate's tests).
//!
//! Expressions are found with [`apim_expr::scan::scan`] outside XML comments, XML entities are
//! decoded (the escaped `xml` format) and `{{named values}}` are replaced by `x-value` as APIM
//! substitutes them before compiling. Known failures are listed, with a reason each, in
//! `tests/expected-parse-failures.tsv` / `tests/expected-eval-failures.tsv`; the test fails when the set changes either way.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use apim_expr::{ExprKind, parse, scan};

pub struct Found {
    pub file: String,
    pub index: usize,
    pub kind: ExprKind,
    pub code: String,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "xml") {
            out.push(p);
        }
    }
}

fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find("-->").map(|j| j + 3).unwrap_or(after.len());
        out.extend(
            after[..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' }),
        );
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn substitute_named_values(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j)
                if after[..j]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
                    && j > 0 =>
            {
                out.push_str(&rest[..i]);
                out.push_str("x-value");
                rest = &after[j + 2..];
            }
            _ => {
                out.push_str(&rest[..i + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn corpus() -> Vec<Found> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../apim-policy/tests/corpus");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let mut found = Vec::new();
    for p in paths {
        let raw = std::fs::read_to_string(&p).unwrap();
        let text = blank_comments(&raw);
        let name = p
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut at = 0;
        let mut index = 0;
        while let Some(i) = text[at..].find('@').map(|i| i + at) {
            match scan::scan(&text, i) {
                Some(Ok(s)) => {
                    let code = decode_entities(&text[s.code_range()]);
                    found.push(Found {
                        file: name.clone(),
                        index,
                        kind: s.kind,
                        code: substitute_named_values(&code),
                    });
                    index += 1;
                    at = s.end;
                }
                Some(Err(_)) => {
                    // Unbalanced in the source: the linter reports it; not an expression here.
                    at = i + 1;
                }
                None => at = i + 1,
            }
        }
    }
    found
}

fn expected_failures(name: &str) -> BTreeSet<(String, usize)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.split('\t');
            let file = parts.next().unwrap().to_string();
            let index = parts.next().unwrap().parse().unwrap();
            (file, index)
        })
        .collect()
}

#[test]
fn corpus_parses() {
    let found = corpus();
    let mut failed = BTreeSet::new();
    for f in &found {
        let p = parse(&f.code, f.kind);
        if !p.errors.is_empty() {
            eprintln!(
                "PARSE FAIL {}\t{}\t{}\n    {}",
                f.file,
                f.index,
                p.errors[0].message,
                f.code
                    .replace('\n', " ")
                    .chars()
                    .take(200)
                    .collect::<String>()
            );
            failed.insert((f.file.clone(), f.index));
        }
    }
    let total = found.len();
    let ok = total - failed.len();
    let started = std::time::Instant::now();
    let bytes: usize = found.iter().map(|f| f.code.len()).sum();
    for f in &found {
        let _ = apim_expr::check(&f.code, f.kind);
    }
    println!(
        "corpus: check() of all {total} expressions ({bytes} bytes) took {:?} (this build's profile)",
        started.elapsed()
    );
    println!(
        "corpus: {ok}/{total} expressions parse ({:.1} %)",
        ok as f64 * 100.0 / total as f64
    );
    assert!(ok * 10 >= total * 9, "fewer than 90 % parse");
    let expected = expected_failures("expected-parse-failures.tsv");
    let new: Vec<_> = failed.difference(&expected).collect();
    let fixed: Vec<_> = expected.difference(&failed).collect();
    assert!(new.is_empty(), "new parse failures: {new:?}");
    assert!(
        fixed.is_empty(),
        "now parsing, remove from expected-parse-failures.tsv: {fixed:?}"
    );
}

// ---------- evaluation in a sample context ----------

use apim_expr::{Context, Headers, Limits, MessageBody, Response, Url, Value, evaluate};

const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyLCJ0aWQiOiJ0ZW5hbnQiLCJhcHBpZCI6ImFwcCIsIm5vbmNlIjoibiIsInNjcCI6InJlYWQiLCJleHAiOjE4OTM0NTYwMDAsImF1ZCI6ImFwaSIsInJvbGVzIjpbImFkbWluIl19.sig";

/// The type an expression expects a variable to have, from `(T)context.Variables["v"]` or
/// `GetValueOrDefault<T>("v")` written in the code.
fn expected_type(code: &str, name: &str) -> Option<String> {
    let quoted = format!("\"{name}\"");
    for pat in [
        format!("context.Variables[{quoted}]"),
        "GetValueOrDefault<".to_string(),
    ] {
        let mut rest = code;
        while let Some(i) = rest.find(&pat) {
            let before = &rest[..i];
            let after = &rest[i + pat.len()..];
            if pat.starts_with("GetValue") {
                if let Some(close) = after.find('>')
                    && after[close..].starts_with(&format!(">({quoted}"))
                {
                    return Some(after[..close].to_string());
                }
            } else if let Some(open) = before.trim_end().strip_suffix(')')
                && let Some(j) = open.rfind('(')
            {
                return Some(open[j + 1..].to_string());
            }
            rest = after;
        }
    }
    None
}

fn variable_names(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for pat in [
        "Variables[\"",
        "GetValueOrDefault<",
        "Variables.GetValueOrDefault(\"",
        "ContainsKey(\"",
    ] {
        let mut rest = code;
        while let Some(i) = rest.find(pat) {
            rest = &rest[i + pat.len()..];
            let r = if pat == "GetValueOrDefault<" {
                match rest.find(">(\"") {
                    Some(j) => &rest[j + 3..],
                    None => continue,
                }
            } else {
                rest
            };
            if let Some(end) = r.find('"') {
                names.push(r[..end].to_string());
            }
        }
    }
    names
}

fn sample_value(ty: Option<&str>) -> Value {
    match ty.map(str::trim) {
        Some("int") => Value::int(3600),
        Some("long") => Value::long(1_767_225_600_000),
        Some("double") => Value::double(42.0),
        Some("bool") => Value::bool(false),
        Some("JObject") => Value::json(r#"{"access_token":"token","refresh_token":"refresh","id_token":"id","expires_in":3600,"status":200,"reason":"OK","body":{},"value":"v","topic":"t","subject":"s","id":"1","eventType":"e","eventTime":"2026-01-01T00:00:00Z","data":{},"dataVersion":"1","metadataVersion":"1"}"#).unwrap(),
        Some("JArray") => Value::json(r#"[{"a":1}]"#).unwrap(),
        Some("IResponse") => Value::response(Response {
            status_code: 200,
            status_reason: "OK".into(),
            headers: Headers(vec![("Content-Type".into(), vec!["application/json".into()]), ("Set-Cookie".into(), vec!["a=b; path=/".into()])]),
            body: Some(MessageBody::text(r#"{"access_token":"token","value":"secret-value","status":"ok","expires_in":3600,"values":[],"results":[{"geometry":{"location":{"lat":1,"lng":2}}}]}"#)),
        }),
        Some("Jwt") => {
            let mut ctx = Context::default();
            let p = parse(&format!("\"{JWT}\".AsJwt()"), ExprKind::Single);
            evaluate(&p, &mut ctx, &Limits::default()).unwrap()
        }
        _ => Value::string("x-value"),
    }
}

/// A plausible request: headers (a bearer JWT, basic auth is not set), a JSON body, and
/// every variable the expression mentions set (to a string unless the code casts it).
pub fn sample_context(code: &str) -> Context {
    let mut ctx = Context::default();
    let url = Url::parse(
        "https://contoso.azure-api.net/echo/resource?param1=value1&api-version=2024-01-01",
    )
    .unwrap();
    ctx.request.url = url.clone();
    ctx.request.original_url = url;
    ctx.request.method = "POST".into();
    ctx.request.headers = Headers(vec![
        ("Authorization".into(), vec![format!("Bearer {JWT}")]),
        ("Content-Type".into(), vec!["application/json".into()]),
        ("Accept".into(), vec!["application/json".into()]),
        (
            "Ocp-Apim-Subscription-Key".into(),
            vec!["0123456789abcdef".into()],
        ),
        (
            "X-Forwarded-For".into(),
            vec!["203.0.113.7, 10.0.0.1".into()],
        ),
        ("Cookie".into(), vec!["oidc-x-value=abc; session=s".into()]),
        ("Origin".into(), vec!["https://app.contoso.com".into()]),
    ]);
    ctx.request.body = Some(MessageBody::text(
        r#"{"name":"ada","id":42,"items":[{"sku":"a","qty":1}],"usage":{"total_tokens":10,"prompt_tokens":4,"completion_tokens":6}}"#,
    ));
    ctx.request.matched_parameters = vec![
        ("id".into(), "42".into()),
        ("place".into(), "paris".into()),
        ("latlong".into(), "1,2".into()),
        ("storageAccountName".into(), "acct".into()),
        ("containerName".into(), "c".into()),
        ("blobName".into(), "b".into()),
        ("Goober".into(), "g".into()),
    ];
    ctx.product = Some(apim_expr::Product {
        id: "starter".into(),
        name: "Starter".into(),
        ..Default::default()
    });
    ctx.user = Some(apim_expr::User {
        id: "u1".into(),
        email: "ada@contoso.com".into(),
        ..Default::default()
    });
    ctx.subscription = Some(apim_expr::Subscription {
        id: "sub-1".into(),
        name: "demo".into(),
        key: "0123456789abcdef".into(),
        ..Default::default()
    });
    ctx.last_error = Some(apim_expr::LastError {
        source: "configuration".into(),
        reason: "OperationNotFound".into(),
        message: "Unable to match incoming request to an operation.".into(),
        scope: "api".into(),
        section: "inbound".into(),
        ..Default::default()
    });
    ctx.response.headers = Headers(vec![
        ("Set-Cookie".into(), vec!["a=b; path=/".into()]),
        ("Content-Type".into(), vec!["application/json".into()]),
    ]);
    ctx.response.body = Some(MessageBody::text(
        r#"{"usage":{"total_tokens":10,"prompt_tokens":4,"completion_tokens":6},"value":[]}"#,
    ));
    for name in variable_names(code) {
        let ty = expected_type(code, &name);
        ctx.variables.set(&name, sample_value(ty.as_deref()));
    }
    ctx
}

#[test]
fn corpus_evaluates() {
    let found = corpus();
    let mut parsed = 0;
    let mut evaluated = 0;
    let mut failed = BTreeSet::new();
    for f in &found {
        let p = parse(&f.code, f.kind);
        if !p.errors.is_empty() {
            continue;
        }
        parsed += 1;
        let mut ctx = sample_context(&f.code);
        match evaluate(&p, &mut ctx, &Limits::default()) {
            Ok(_) => evaluated += 1,
            Err(e) => {
                eprintln!(
                    "EVAL FAIL {}\t{}\t{}: {}\n    {}",
                    f.file,
                    f.index,
                    e.exception,
                    e.message,
                    f.code
                        .replace('\n', " ")
                        .chars()
                        .take(160)
                        .collect::<String>()
                );
                failed.insert((f.file.clone(), f.index));
            }
        }
    }
    let total = found.len();
    println!(
        "corpus: {parsed}/{total} parse, {evaluated}/{total} evaluate without error in the sample context ({evaluated}/{parsed} of those that parse)"
    );
    let expected = expected_failures("expected-eval-failures.tsv");
    let new: Vec<_> = failed.difference(&expected).collect();
    let fixed: Vec<_> = expected.difference(&failed).collect();
    assert!(new.is_empty(), "new evaluation failures: {new:?}");
    assert!(
        fixed.is_empty(),
        "now evaluating, remove from expected-eval-failures.tsv: {fixed:?}"
    );
}
