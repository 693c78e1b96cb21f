//! `apim-policy simulate` as CI uses it: the contract's JSON, the text table, exit codes
//! (0 ran, 1 could not run, 2 usage/I-O) and masking on stdout and stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::{Command, Output};

fn apim_policy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apim-policy"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))
        .output()
        .expect("run apim-policy")
}

#[test]
fn json_output_has_the_contract_shape_and_masks_secrets() {
    let out = apim_policy(&[
        "simulate",
        "--scenario",
        "seed-named-value/scenario.json",
        "seed-named-value/policy.xml",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("s3cr3t-from-vault"), "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "outcome",
        "backend_request",
        "response",
        "variables",
        "trace",
        "error",
    ] {
        assert!(keys.contains(&k), "{k} missing: {keys:?}");
    }
    assert_eq!(v["outcome"], "forwarded");
    assert_eq!(v["backend_request"]["headers"]["x-api-key"][0], "***");
    let step = &v["trace"][0];
    let fields: Vec<&str> = step
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields.len(), 4, "{fields:?}");
}

#[test]
fn reveal_secrets_shows_them() {
    let out = apim_policy(&[
        "simulate",
        "--reveal-secrets",
        "--scenario",
        "seed-named-value/scenario.json",
        "seed-named-value/policy.xml",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("s3cr3t-from-vault"));
}

#[test]
fn an_error_outcome_still_exits_0_and_text_is_a_table() {
    let out = apim_policy(&[
        "simulate",
        "--format",
        "text",
        "--scenario",
        "seed-permission-revoked/scenario.json",
        "seed-permission-revoked/policy.xml",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("SECTION"), "{stdout}");
    assert!(stdout.contains("outcome: error"), "{stdout}");
    assert!(stdout.contains("Get and List"), "{stdout}");
    assert!(stdout.contains("backend request: none"), "{stdout}");
}

#[test]
fn a_policy_apim_rejects_exits_1_with_the_reason() {
    let out = apim_policy(&[
        "simulate",
        "--scenario",
        "seed-blog/scenario.json",
        "seed-blog/policy.xml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("key-vault-configuration"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn usage_and_io_problems_exit_2() {
    let out = apim_policy(&[
        "simulate",
        "--scenario",
        "nope.json",
        "seed-blog/policy.xml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = apim_policy(&["simulate", "seed-blog/policy.xml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_invalid_scenario_exits_1_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("apim-sim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\n  \"request\": {\"method\": 5}\n}").unwrap();
    let out = apim_policy(&[
        "simulate",
        "--scenario",
        bad.to_str().unwrap(),
        "seed-blog/policy.xml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
    // Secrets in a refusal message are masked too.
    let scenario = dir.join("s.json");
    std::fs::write(
        &scenario,
        r#"{"named_values": [{"name": "k", "value": "hush-hush-value", "secret": true}], "request": {"url": "https://a/b"}}"#,
    )
    .unwrap();
    let policy = dir.join("p.xml");
    std::fs::write(
        &policy,
        "<policies><inbound><hush-hush-value /></inbound></policies>",
    )
    .unwrap();
    let out = apim_policy(&[
        "simulate",
        "--scenario",
        scenario.to_str().unwrap(),
        policy.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("hush-hush-value"), "{stderr}");
}
