//! `apim-policy fmt`: in-place rewriting, `--check`, standard input, and the exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const UGLY: &str = "<policies>\n<inbound>\n  <base/>\n</inbound>\n</policies>\n";
const PRETTY: &str = "<policies>\n    <inbound>\n        <base />\n    </inbound>\n</policies>\n";
const BROKEN: &str = "<policies>\n<inbound>\n</policies>\n";

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_apim-policy"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run apim-policy");
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apim-policy-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    dir
}

fn s(p: &std::path::Path) -> String {
    p.display().to_string()
}

#[test]
fn rewrites_files_in_place_and_leaves_formatted_ones_alone() {
    let dir = scratch("inplace");
    let ugly = dir.join("sub/a.xml");
    let pretty = dir.join("b.xml");
    std::fs::write(&ugly, UGLY).unwrap();
    std::fs::write(&pretty, PRETTY).unwrap();
    let before = std::fs::metadata(&pretty).unwrap().modified().unwrap();
    let out = run(&["fmt", &s(&dir)], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&ugly).unwrap(), PRETTY);
    assert_eq!(
        std::fs::metadata(&pretty).unwrap().modified().unwrap(),
        before
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 file(s) reformatted, 1 already formatted"),
        "{stderr}"
    );
}

#[test]
fn check_lists_files_that_would_change_and_exits_1() {
    let dir = scratch("check");
    let ugly = dir.join("a.xml");
    let pretty = dir.join("b.xml");
    std::fs::write(&ugly, UGLY).unwrap();
    std::fs::write(&pretty, PRETTY).unwrap();
    let out = run(&["fmt", "--check", &s(&ugly), &s(&pretty)], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", s(&ugly))
    );
    assert_eq!(
        std::fs::read_to_string(&ugly).unwrap(),
        UGLY,
        "--check never writes"
    );
    let out = run(&["fmt", "--check", &s(&pretty)], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let out = run(&["fmt", "-"], Some(UGLY));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), PRETTY);
    let out = run(&["fmt", "--check", "-"], Some(UGLY));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "<stdin>\n");
}

#[test]
fn documents_with_syntax_errors_are_left_alone_and_exit_1() {
    let dir = scratch("broken");
    let broken = dir.join("broken.xml");
    std::fs::write(&broken, BROKEN).unwrap();
    let out = run(&["fmt", &s(&broken)], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.xml:2:2: not formatted"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), BROKEN);

    let out = run(&["fmt", "-"], Some(BROKEN));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn invalid_utf8_is_never_rewritten() {
    let dir = scratch("utf8");
    let file = dir.join("latin1.xml");
    let bytes = b"<policies>\n<inbound><set-header name=\"x\"><value>caf\xe9</value></set-header></inbound>\n</policies>\n";
    std::fs::write(&file, bytes).unwrap();
    let out = run(&["fmt", &s(&file)], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
}

#[test]
fn a_missing_path_is_an_io_error_exit_2() {
    let out = run(&["fmt", "/nonexistent/policy.xml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/policy.xml"));
}
