//! The `apim-policy` binary as CI uses it: output and exit codes.
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
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run apim-policy")
}

#[test]
fn lint_reports_line_and_column_and_exits_1() {
    let out = apim_policy(&["lint", "tests/fixtures/broken.xml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[APIM0003]"), "{stdout}");
    assert!(
        stdout.contains("--> tests/fixtures/broken.xml:4:5"),
        "{stdout}"
    );
    assert!(stdout.contains("4 |   </outbound>"), "{stdout}");
}

#[test]
fn lint_of_a_clean_file_exits_0() {
    let out = apim_policy(&["lint", "tests/fixtures/clean.xml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_missing_file_is_an_io_problem_exit_2() {
    let out = apim_policy(&["lint", "tests/fixtures/does-not-exist.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does-not-exist.xml"));
}

fn apim_policy_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_apim-policy"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn lint_json_matches_the_contract_and_lists_every_file() {
    let out = apim_policy(&[
        "lint",
        "--format",
        "json",
        "tests/fixtures/broken.xml",
        "tests/fixtures/clean.xml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], "tests/fixtures/broken.xml");
    assert_eq!(files[1]["diagnostics"].as_array().unwrap().len(), 0);
    let d = &files[0]["diagnostics"][0];
    assert_eq!(d["code"], "APIM0003");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(5))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(4), Some(13))
    );
    assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()));
    assert_eq!(d["fix"]["edits"][0]["text"], "inbound");
    assert_eq!(
        v["summary"],
        serde_json::json!({"files": 2, "errors": 1, "warnings": 0, "infos": 0})
    );
}

#[test]
fn lint_sarif_is_sarif_2_1_0() {
    let out = apim_policy(&["lint", "--format", "sarif", "tests/fixtures/broken.xml"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "apim-policy");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "APIM0003");
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "APIM0003");
    assert_eq!(r["level"], "error");
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], 5);
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/broken.xml"
    );
}

#[test]
fn a_scenario_makes_unknown_named_values_errors() {
    let policy = "<policies><inbound><base /><set-header name=\"k\"><value>{{missing}}</value></set-header></inbound></policies>";
    let out = apim_policy_stdin(&["lint", "-"], policy);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = apim_policy_stdin(
        &["lint", "--scenario", "tests/fixtures/scenario.json", "-"],
        policy,
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error[APIM0602]: named value `missing` does not exist"),
        "{stdout}"
    );
    assert!(stdout.contains("--> <stdin>:1:58"), "{stdout}");
}

#[test]
fn an_unreadable_scenario_is_a_usage_problem() {
    let out = apim_policy(&[
        "lint",
        "--scenario",
        "tests/fixtures/broken.xml",
        "tests/fixtures/clean.xml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid scenario"));
}

#[test]
fn scope_changes_what_is_allowed() {
    let policy = "<policies><inbound><base /><quota calls=\"10\" renewal-period=\"3600\" /></inbound></policies>";
    assert_eq!(
        apim_policy_stdin(&["lint", "--scope", "product", "-"], policy)
            .status
            .code(),
        Some(0)
    );
    let out = apim_policy_stdin(&["lint", "--scope", "api", "-"], policy);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("APIM0107"));
}

#[test]
fn fix_rewrites_the_file_with_safe_fixes_only() {
    let dir = std::env::temp_dir().join(format!("apim-policy-fix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("p.xml");
    std::fs::write(
        &file,
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x\" exists-action=override><value>a &amp b</value></set-header>\n    <set-heder name=\"y\" />\n  </inbund>\n</policies>\n",
    )
    .unwrap();
    let out = apim_policy(&["lint", "--fix", file.to_str().unwrap()]);
    let fixed = std::fs::read_to_string(&file).unwrap();
    // Quotes, the bare `&` and the end tag are safe fixes; the "did you mean" rename is not.
    assert_eq!(
        fixed,
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x\" exists-action=\"override\"><value>a &amp; b</value></set-header>\n    <set-heder name=\"y\" />\n  </inbound>\n</policies>\n"
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("APIM0104"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_at_the_first_bad_byte() {
    let dir = std::env::temp_dir().join(format!("apim-policy-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("latin1.xml");
    std::fs::write(
        &file,
        b"<policies>\n  <inbound>\n    <base />\n    <!-- caf\xe9 -->\n  </inbound>\n</policies>\n",
    )
    .unwrap();
    let out = apim_policy(&["lint", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("error[APIM0001]: the file is not valid UTF-8"),
        "{stdout}"
    );
    assert!(stdout.contains("latin1.xml:4:13"), "{stdout}");
    // --fix leaves such a file alone rather than writing U+FFFD into it.
    let before = std::fs::read(&file).unwrap();
    apim_policy(&["lint", "--fix", file.to_str().unwrap()]);
    assert_eq!(std::fs::read(&file).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}
