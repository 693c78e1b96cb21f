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

/// An APIOps artifacts folder in a temp dir: the service's global policy, a product, an API
/// with an operation, a fragment.
fn apiops_folder(label: &str) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("apim-policy-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("policy.xml", CROSS_DOMAIN_GLOBAL);
    write("products/starter/policy.xml", QUOTA_PRODUCT);
    write("products/starter/productInformation.json", "{}");
    write("apis/orders/policy.xml", PLAIN_API);
    write("apis/orders/operations/get-order/policy.xml", PLAIN_API);
    write(
        "policy fragments/common/policy.xml",
        "<fragment>\n  <set-header name=\"x\" exists-action=\"delete\" />\n</fragment>\n",
    );
    write("named values/env/namedValueInformation.json", "{}");
    root
}

const QUOTA_PRODUCT: &str = "<policies>\n  <inbound>\n    <base />\n    <quota calls=\"100\" renewal-period=\"3600\" />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n";
const CROSS_DOMAIN_GLOBAL: &str = "<policies>\n  <inbound>\n    <cross-domain>\n      <cross-domain-policy>\n        <allow-http-request-headers-from domain=\"*\" headers=\"*\" />\n      </cross-domain-policy>\n    </cross-domain>\n  </inbound>\n  <backend>\n    <forward-request />\n  </backend>\n  <outbound />\n  <on-error />\n</policies>\n";
const PLAIN_API: &str = "<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n";

#[test]
fn an_apiops_folder_gives_each_file_its_scope() {
    let root = apiops_folder("apiops");
    // The product's quota and the global cross-domain are where they belong: no problem at all
    // (not even missing-base for the global policy).
    let out = apim_policy(&["lint", root.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("5 file(s) checked: 0 error(s), 0 warning(s)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One file given on its own keeps its scope, the root policy.xml too.
    for rel in ["products/starter/policy.xml", "policy.xml"] {
        let out = apim_policy(&["lint", root.join(rel).to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{rel}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // An explicit --scope wins over the path.
    let out = apim_policy(&[
        "lint",
        "--scope",
        "api",
        root.join("products/starter/policy.xml").to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("error[APIM0107]: <quota> is not allowed at api scope\n"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_file_of_unknown_scope_gets_warnings_naming_the_assumed_scope() {
    let dir = std::env::temp_dir().join(format!("apim-policy-unknown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("starter-product.xml");
    std::fs::write(&file, QUOTA_PRODUCT).unwrap();
    let out = apim_policy(&["lint", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning is not a failure: {stdout}"
    );
    assert!(
        stdout.contains("warning[APIM0107]: <quota> is not allowed at api scope (scope api assumed: no scope given and none can be read from the path; pass --scope)"),
        "{stdout}"
    );
    // A policy.xml with no APIOps folder around it says nothing either.
    let global = dir.join("policy.xml");
    std::fs::write(&global, CROSS_DOMAIN_GLOBAL).unwrap();
    let out = apim_policy(&["lint", "--format", "json", global.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = json.to_string();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("\"severity\":\"warning\""), "{text}");
    assert!(
        text.contains("<cross-domain> is not allowed at api scope (scope api assumed"),
        "{text}"
    );
    // With --scope the same file has the error.
    let out = apim_policy(&["lint", "--scope", "api", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[APIM0107]"), "{stdout}");
    assert!(!stdout.contains("assumed"), "{stdout}");
    // Standard input has no path: assumed too.
    let out = apim_policy_stdin(&["lint", "-"], QUOTA_PRODUCT);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("scope api assumed"));
    std::fs::remove_dir_all(&dir).unwrap();
}
