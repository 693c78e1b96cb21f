//! `apim-policy lesson check|validate|bundle`: exit codes (0 ok, 1 a step or a lesson fails,
//! 2 usage or I/O), text and JSON results, file:line:column errors, and the built-in course.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn apim_policy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apim-policy"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run apim-policy")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apim-lesson-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const L1: &str = "courses/key-vault-workshop/01-not-a-policy";

#[test]
fn validate_passes_on_the_builtin_course() {
    let out = apim_policy(&["lesson", "validate", "courses/key-vault-workshop"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("ok   kv-not-a-policy (4 steps)"),
        "{stdout}"
    );
    assert!(stdout.contains("14 lessons loaded, 0 errors"), "{stdout}");
}

#[test]
fn check_passes_the_solution_and_fails_the_start() {
    let lesson = format!("{L1}/lesson.json");
    let out = apim_policy(&[
        "lesson",
        "check",
        &lesson,
        "--policy",
        &format!("{L1}/solution.xml"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("4 of 4 steps passed"), "{stdout}");

    let out = apim_policy(&[
        "lesson",
        "check",
        &lesson,
        "--policy",
        &format!("{L1}/start.xml"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("1. Remove the element that is not a policy: FAILED"),
        "{stdout}"
    );
    assert!(stdout.contains("COULD NOT RUN"), "{stdout}");

    let out = apim_policy(&[
        "lesson",
        "check",
        &lesson,
        "--policy",
        &format!("{L1}/start.xml"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["lesson"], "kv-not-a-policy");
    assert_eq!(v["passed"], false);
    assert_eq!(v["steps"][0]["status"], "failed");
    assert_eq!(v["steps"][3]["status"], "could_not_run");
}

#[test]
fn check_uses_the_students_scenario() {
    let dir = "courses/key-vault-workshop/03-grant-access-policy";
    let lesson = format!("{dir}/lesson.json");
    let policy = format!("{dir}/solution.xml");
    // Without --scenario: the lesson's start, where the vault grants nothing.
    let out = apim_policy(&["lesson", "check", &lesson, "--policy", &policy]);
    assert_eq!(out.status.code(), Some(1));
    let out = apim_policy(&[
        "lesson",
        "check",
        &lesson,
        "--policy",
        &policy,
        "--scenario",
        &format!("{dir}/solution-scenario.json"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // An invalid scenario: steps that need it could not run, with the position.
    let tmp = temp_dir("bad-scenario");
    let bad = tmp.join("s.json");
    std::fs::write(&bad, "{\n  \"key_vaults\": [\n").unwrap();
    let out = apim_policy(&[
        "lesson",
        "check",
        &lesson,
        "--policy",
        &policy,
        "--scenario",
        bad.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("COULD NOT RUN"), "{stdout}");
    assert!(
        stdout.contains("your scenario is not valid (line 3, column"),
        "{stdout}"
    );
}

#[test]
fn check_picks_a_lesson_of_a_course() {
    let policy = format!("{L1}/solution.xml");
    let out = apim_policy(&[
        "lesson",
        "check",
        "courses/key-vault-workshop",
        "--policy",
        &policy,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("choose one with --lesson-id"));
    let out = apim_policy(&[
        "lesson",
        "check",
        "courses/key-vault-workshop",
        "--lesson-id",
        "kv-not-a-policy",
        "--policy",
        &policy,
    ]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn usage_and_io_problems_exit_2() {
    let out = apim_policy(&["lesson", "check", "nope.json", "--policy", "x.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.json"));
    let out = apim_policy(&[
        "lesson",
        "check",
        &format!("{L1}/lesson.json"),
        "--policy",
        "missing.xml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = apim_policy(&["lesson", "validate", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    let out = apim_policy(&["lesson", "bundle", &format!("{L1}/lesson.json")]);
    assert_eq!(out.status.code(), Some(2));
    let out = apim_policy(&["lesson"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn broken_lesson_files_name_file_line_and_column() {
    let tmp = temp_dir("broken");
    std::fs::write(
        tmp.join("course.json"),
        r#"{"id": "c", "title": "C", "lessons": ["good", "bad"]}"#,
    )
    .unwrap();
    std::fs::create_dir_all(tmp.join("good")).unwrap();
    std::fs::create_dir_all(tmp.join("bad")).unwrap();
    std::fs::write(
        tmp.join("good/start.xml"),
        "<policies><inbound /></policies>",
    )
    .unwrap();
    std::fs::write(
        tmp.join("good/lesson.json"),
        r#"{"id": "good", "title": "G", "start": {"policy_file": "start.xml"},
 "solution": {"policy": "<policies><inbound><base /></inbound></policies>"},
 "steps": [{"title": "base", "hint": "add it", "check": {"kind": "policy-present", "policy": "base"}}]}"#,
    )
    .unwrap();
    std::fs::write(
        tmp.join("bad/lesson.json"),
        "{\"id\": \"bad\", \"title\": \"B\", \"start\": {\"policy\": \"x\"}, \"solution\": {\"policy\": \"x\"},\n \"steps\": [{\"title\": \"s\", \"check\": {\"kind\": \"match\", \"path\": \"inbound//[1]\"}}]}",
    )
    .unwrap();
    let out = apim_policy(&["lesson", "validate", tmp.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let want = format!(
        "{}:2:72: bad path: expected an element name or '*'",
        tmp.join("bad/lesson.json").display()
    );
    assert!(stderr.contains(&want), "{stderr}\nwant: {want}");
    assert!(stdout.contains("ok   good (1 steps)"), "{stdout}");
    assert!(stdout.contains("1 lesson loaded, 1 error"), "{stdout}");
    // check refuses a lesson that does not load (exit 2), with the same message.
    let out = apim_policy(&[
        "lesson",
        "check",
        tmp.join("bad/lesson.json").to_str().unwrap(),
        "--policy",
        tmp.join("good/start.xml").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad path"));
    // bundle refuses a course with errors.
    let out = apim_policy(&["lesson", "bundle", tmp.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn bundle_writes_a_self_contained_course_that_validates() {
    let tmp = temp_dir("bundle");
    let file = tmp.join("key-vault-workshop.json");
    let out = apim_policy(&[
        "lesson",
        "bundle",
        "courses/key-vault-workshop",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "apim-policy-course");
    assert_eq!(v["lessons"].as_array().unwrap().len(), 14);
    assert!(!text.contains("_file\""), "no file references left");
    // The bundle alone (no course folder beside it) validates.
    let out = apim_policy(&["lesson", "validate", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And stdout by default.
    let out = apim_policy(&["lesson", "bundle", "courses/key-vault-workshop"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
}
