//! Expression coverage of the simulator on the real-world corpus (tests/corpus/): every
//! expression of every policy is compiled and evaluated through `sim::evaluate_expressions`
//! (the simulator's context for a sample request, named values substituted first), and the
//! numbers are printed:
//!
//!   cargo test -p apim-policy --test sim_corpus -- --nocapture
//!
//! Evaluation failures are expected where an expression needs what the sample request does
//! not carry (a variable set by a send-request whose mock the sample does not have, a body
//! of another shape); the floor below only guards against regressions. Every policy of the
//! corpus is also simulated whole, which must never panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::scenario::Scenario;
use apim_policy::sim::{SimOptions, evaluate_expressions, simulate};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

/// A request with something in every place expressions commonly read.
fn sample_scenario(policy: &str) -> Scenario {
    let doc = apim_policy::syntax::parse(policy);
    let mut names: Vec<String> = doc
        .named_value_refs()
        .iter()
        .map(|n| n.name.clone())
        .collect();
    names.sort();
    names.dedup();
    // A JWT (HS256, not verified here) for AsJwt() and claim reads.
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2xvZ2luLmNvbnRvc28uY29tLyIsImF1ZCI6ImFwaTovL29yZGVycyIsInN1YiI6ImFkYUBjb250b3NvLmNvbSIsInNjb3BlIjoib3JkZXJzLnJlYWQgb3JkZXJzLndyaXRlIiwiaWF0IjoxNzY3MjIyMDAwLCJuYmYiOjE3NjcyMjIwMDAsImV4cCI6MTc5ODc2MTYwMH0.N-M-MnedI2WjwPvnPWV82fUtPTAzKM7I4FEuwRxRw6g";
    let scenario = serde_json::json!({
        "api": {"name": "orders", "path": "orders", "service_url": "https://backend.contoso.com/api"},
        "product": {"name": "starter"},
        "subscription": {"id": "sub-1", "name": "demo", "key": "0123456789abcdef"},
        "user": {"id": "u1", "email": "ada@contoso.com", "groups": ["developers"]},
        "named_values": names.iter().map(|n| serde_json::json!({"name": n, "value": format!("value-of-{n}")})).collect::<Vec<_>>(),
        "fragments": [],
        "request": {
            "method": "POST",
            "url": "https://contoso.azure-api.net/orders/items/42?verbose=true&id=42",
            "headers": {
                "Authorization": [format!("Bearer {jwt}")],
                "Content-Type": ["application/json"],
                "Accept": ["application/json"],
                "Ocp-Apim-Subscription-Key": ["0123456789abcdef"],
                "X-Forwarded-For": ["203.0.113.7"],
                "Host": ["contoso.azure-api.net"]
            },
            "body": "{\"id\":\"42\",\"name\":\"ada\",\"items\":[{\"sku\":\"x1\",\"qty\":2}],\"value\":\"v\"}",
            "ip": "203.0.113.7"
        }
    });
    Scenario::from_json(&scenario.to_string()).unwrap()
}

#[test]
fn corpus_expressions_through_the_simulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let (mut total, mut parsed, mut evaluated) = (0usize, 0usize, 0usize);
    let mut simulated = 0usize;
    let mut failures: Vec<(String, String)> = Vec::new();
    for path in &paths {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let scenario = sample_scenario(&text);
        let reports = evaluate_expressions(&text, &scenario).unwrap();
        for r in &reports {
            total += 1;
            parsed += usize::from(r.parsed);
            match &r.result {
                Ok(_) => evaluated += 1,
                Err(e) => failures.push((
                    path.strip_prefix(&root).unwrap().display().to_string(),
                    e.chars().take(160).collect(),
                )),
            }
        }
        // Whole-document simulation: runs or refuses, never panics.
        if simulate(&text, &scenario, &SimOptions::default()).is_ok() {
            simulated += 1;
        }
    }
    let pct = |n: usize| 100.0 * n as f64 / total.max(1) as f64;
    println!(
        "corpus: {} files, {total} expressions; parsed {parsed} ({:.1} %), evaluated without error {evaluated} ({:.1} %); {simulated} files simulated whole (the rest have lint errors APIM would reject)",
        paths.len(),
        pct(parsed),
        pct(evaluated)
    );
    if std::env::var_os("SHOW_FAILURES").is_some() {
        for (file, why) in &failures {
            println!("  {file}: {why}");
        }
    }
    assert!(
        pct(parsed) >= 90.0,
        "the issue requires ≥ 90 % of the corpus's expressions to parse"
    );
    assert!(pct(evaluated) >= 50.0, "evaluation coverage fell");
}
