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
