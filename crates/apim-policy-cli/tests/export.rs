//! `apim-policy export` and `apim-policy import` as CI uses them: output, messages, exit codes
//! (0 success, 1 refused / not importable, 2 usage or I/O problem).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn apim_policy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apim-policy"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/export"))
        .output()
        .expect("run apim-policy")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_apim-policy"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/export"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/export")
            .join(name),
    )
    .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

#[test]
fn export_arm_writes_the_template_on_stdout_and_notes_on_stderr() {
    let out = apim_policy(&[
        "export",
        "--target",
        "arm",
        "--scenario",
        "scenario.json",
        "api.xml",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let template: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(template["contentVersion"], "1.0.0.0");
    let kinds: Vec<&str> = template["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "Microsoft.Authorization/roleAssignments",
            "Microsoft.ApiManagement/service/namedValues",
            "Microsoft.ApiManagement/service/namedValues",
            "Microsoft.ApiManagement/service/policyFragments",
            "Microsoft.ApiManagement/service/apis/policies",
        ]
    );
    assert!(
        stderr.contains("suggested file name: orders-policy.json"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("vault-secret-do-not-print")
            && !stderr.contains("vault-secret-do-not-print")
    );
}

#[test]
fn export_bicep_and_terraform_with_names_and_snippets() {
    let out = apim_policy(&[
        "export",
        "--target",
        "bicep",
        "--snippet",
        "--scenario",
        "scenario.json",
        "--service",
        "prod-apim",
        "api.xml",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with("// "), "{stdout}");
    assert!(!stdout.contains("\nparam "), "{stdout}");
    assert!(stdout.contains(
        "resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2022-08-01' = {"
    ));
    assert!(stderr.contains("info[APIM0921]"), "{stderr}");
    assert!(stderr.contains("orders-policy.snippet.bicep"), "{stderr}");

    let out = apim_policy(&[
        "export",
        "--target",
        "terraform",
        "--scope",
        "operation",
        "--api",
        "billing",
        "--operation",
        "pay",
        "--service",
        "prod-apim",
        "--api-version",
        "2024-05-01",
        "api.xml",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("resource \"azurerm_api_management_api_operation_policy\" \"billing_pay\""),
        "{stdout}"
    );
    assert!(stdout.contains("default     = \"prod-apim\""), "{stdout}");
    // Without a scenario the named values are required variables, with a warning each.
    assert_eq!(stderr.matches("warning[APIM0910]").count(), 2, "{stderr}");
    assert!(stderr.contains("--> api.xml:5:36"), "{stderr}");
    assert!(stderr.contains("billing-pay-policy.tf"), "{stderr}");
}

#[test]
fn a_fragment_file_exports_as_a_fragment_named_after_the_file() {
    let out = apim_policy(&["export", "--target", "arm", "common-headers.xml"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("\"type\": \"Microsoft.ApiManagement/service/policyFragments\""));
    assert!(stdout.contains("'common-headers')]\""), "{stdout}");
    let out = apim_policy(&[
        "export",
        "--target",
        "arm",
        "--fragment",
        "renamed",
        "common-headers.xml",
    ]);
    assert!(text(&out.stdout).contains("'renamed')]\""));
}

#[test]
fn standard_input_works() {
    let out = with_stdin(&["export", "--target", "bicep", "-"], &fixture("api.xml"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--> <stdin>:5:36"));
}

#[test]
fn a_refused_export_exits_1_and_prints_nothing_on_stdout() {
    let out = with_stdin(
        &["export", "--target", "arm", "--scope", "fragment", "-"],
        &fixture("api.xml"),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("error[APIM0901]"), "{stderr}");
    assert!(
        stderr.contains("export refused: 1 error(s) in <stdin>"),
        "{stderr}"
    );
    let out = apim_policy(&[
        "export",
        "--target",
        "arm",
        "--scenario",
        "broken-scenario.json",
        "api.xml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("broken-scenario.json: invalid scenario: line"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn usage_and_io_problems_exit_2() {
    for args in [
        &["export", "--target", "arm", "missing.xml"][..],
        &[
            "export",
            "--target",
            "arm",
            "--scenario",
            "missing.json",
            "api.xml",
        ],
        &["export", "--target", "pulumi", "api.xml"],
        &["export", "api.xml"],
        &[
            "export",
            "--target",
            "arm",
            "--api-version",
            "2019-01-01",
            "api.xml",
        ],
        &["export", "--target", "arm", "apiops"],
        &["import", "missing.json"],
        &["import"],
    ] {
        let out = apim_policy(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    let out = apim_policy(&["import", "missing.json"]);
    assert!(text(&out.stderr).contains("missing.json"));
}

#[test]
fn export_then_import_prints_the_same_document() {
    let out = apim_policy(&[
        "export",
        "--target",
        "arm",
        "--scenario",
        "scenario.json",
        "--scope",
        "api",
        "api.xml",
    ]);
    let path = tmp("cli-roundtrip.json");
    std::fs::write(&path, &out.stdout).unwrap();
    let out = apim_policy(&["import", path.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains(&fixture("api.xml")), "{stdout}");
    assert!(stdout.contains(&fixture("common-headers.xml")), "{stdout}");
    assert!(stdout.contains("<!-- 2/2: policy of API 'orders' (service 'apim-service') from resources[4] (rawxml); named values: backend-url, api-key -->"), "{stdout}");
    assert!(stdout.contains("  api-key: Key Vault: https://contoso-kv.vault.azure.net/secrets/api-key (system-assigned identity)"), "{stdout}");
    assert!(
        stderr.contains("2 policies and 2 named value(s) imported"),
        "{stderr}"
    );
}

#[test]
fn import_reports_what_it_cannot_read_and_exits_1() {
    let out = apim_policy(&["import", "concat-template.json"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[APIM0951]: resources[0] (policy of API 'built' (service 'contoso')): not importable"), "{stderr}");
    assert!(stderr.contains("concat()"), "{stderr}");
    // The xml-format global policy is still printed, as rawxml.
    assert!(
        stdout
            .contains("global policy (service 'contoso') from resources[1] (xml, shown as rawxml)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("condition=\"@(context.Request.Method == \"GET\" && true)\""),
        "{stdout}"
    );
    let out = with_stdin(&["import", "-"], "not json");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not JSON"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn import_reads_an_apiops_folder() {
    let out = apim_policy(&["import", "apiops"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("policy of API 'orders' from apis/orders/policy.xml (rawxml)"),
        "{stdout}"
    );
    assert!(stdout.contains("policy of operation 'get-order' of API 'orders' from apis/orders/operations/get-order/policy.xml"), "{stdout}");
    assert!(
        stdout.contains(
            "policy fragment 'common-headers' from policy fragments/common-headers/policy.xml"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("policy of product 'starter'"), "{stdout}");
    assert!(stdout.contains(&fixture("api.xml")), "{stdout}");
    assert!(
        stdout.contains("  backend-url: plain: https://backend.contoso.com/api"),
        "{stdout}"
    );
    assert!(
        stderr.contains("4 policies and 2 named value(s) imported"),
        "{stderr}"
    );
}
