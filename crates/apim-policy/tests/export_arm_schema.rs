//! Every exported ARM template validates against Microsoft's official ARM schemas.
//!
//! The validator (`tests/fixtures/arm-schemas/arm_validate.py`) and the schema files it needs
//! are copied into the repository (`tests/fixtures/arm-schemas/SOURCE.md`), so this runs
//! offline anywhere with `python3` and the `jsonschema` package (≥ 4.18). A machine without
//! them fails here with a message saying what to install; the test is never skipped.
//!
//! Checked: each full ARM golden file (both scenarios, every scope) with the validator's
//! command line, one process per file; the same files with `--strict` (properties the official
//! schema does not declare, which it does not forbid either); and the same exports with API
//! version 2024-05-01 with `--strict` (which reports everything the official mode does). A deliberately broken template proves the validator does
//! report problems, so a validator that silently passes everything cannot hide here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod export_common;

use apim_policy::export::{ApiVersion, ExportOptions, export};
use export_common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schemas() -> PathBuf {
    manifest().join("tests/fixtures/arm-schemas")
}

/// Fail (never skip) with a clear message when the validator cannot run here.
fn require_python() {
    let version = Command::new("python3").arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "python3 is needed to validate the exported ARM templates against Microsoft's schemas \
         (scripts/setup.sh installs it; on Debian/Ubuntu: apt-get install python3 python3-jsonschema)"
    );
    let check = Command::new("python3")
        .args([
            "-c",
            "import importlib.metadata as m, jsonschema, referencing; \
             v = tuple(int(x) for x in m.version('jsonschema').split('.')[:2]); \
             assert v >= (4, 18), v",
        ])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the Python package jsonschema >= 4.18 is needed to validate the exported ARM templates \
         (scripts/setup.sh installs it; or: python3 -m pip install 'jsonschema>=4.18'):\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

fn spawn(template: &Path, strict: bool) -> Child {
    let mut cmd = Command::new("python3");
    cmd.arg(schemas().join("arm_validate.py"))
        .arg(template)
        .arg("--schemas")
        .arg(schemas())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if strict {
        cmd.arg("--strict");
    }
    cmd.spawn().expect("run python3")
}

/// Run the validator's command line on each template, two at a time (the machines that run
/// this have two cores); return the failures.
fn validate_each(templates: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for pair in templates.chunks(2) {
        let children: Vec<(PathBuf, Child)> =
            pair.iter().map(|t| (t.clone(), spawn(t, false))).collect();
        for (path, child) in children {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() || !stdout.starts_with("ok: ") {
                failures.push(format!(
                    "{}: exit {:?}\n{stdout}{}",
                    path.display(),
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    failures
}

/// Run the validator (its `main`, exactly what the command line runs) on many templates in one
/// Python process, which saves a second of start-up per template; return the failures.
fn validate_batch(templates: &[PathBuf], strict: bool) -> Vec<String> {
    let script = r#"
import sys
sys.path.insert(0, sys.argv[1])
import arm_validate
for t in sys.argv[4:]:
    print('=== ' + t, flush=True)
    rc = arm_validate.main([t, '--schemas', sys.argv[1]] + (['--strict'] if sys.argv[2] == '1' else []))
    print('=== exit %d' % rc, flush=True)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(schemas())
        .arg(if strict { "1" } else { "0" })
        .arg("--")
        .args(templates)
        .stderr(Stdio::inherit())
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the validator crashed:\n{stdout}");
    let mut failures = Vec::new();
    let mut exits = 0;
    for block in stdout.split("=== ").filter(|b| !b.is_empty()) {
        if let Some(code) = block.strip_prefix("exit ") {
            exits += 1;
            assert_eq!(code.trim(), "0", "{stdout}");
        } else if !block.lines().nth(1).is_some_and(|l| l.starts_with("ok: ")) {
            failures.push(format!(
                "{}{}",
                if strict { "--strict " } else { "" },
                block
            ));
        }
    }
    assert_eq!(exits, templates.len(), "{stdout}");
    failures
}

fn golden_templates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for variant in VARIANTS {
        let dir = manifest().join("tests/golden/export").join(variant);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".json") && !name.ends_with(".snippet.json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_golden_arm_template_validates_against_the_official_schemas() {
    require_python();
    let templates = golden_templates();
    assert_eq!(templates.len(), 10, "{templates:#?}");
    let failures = validate_each(&templates);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_golden_arm_template_passes_the_strict_check() {
    require_python();
    let failures = validate_batch(&golden_templates(), true);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn templates_for_api_version_2024_05_01_validate_too() {
    require_python();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("export-2024-05-01");
    std::fs::create_dir_all(&dir).unwrap();
    let mut templates = Vec::new();
    for variant in VARIANTS {
        let scenario = scenario(variant);
        for scope in SCOPES {
            let options = ExportOptions {
                scope: Some(scope),
                fragment: Some(FRAGMENT_NAME.into()),
                api_version: ApiVersion::V2024_05_01,
                ..ExportOptions::default()
            };
            let out = export(&policy(scope), &options, Some(&scenario)).unwrap();
            assert!(out.text.contains("\"apiVersion\": \"2024-05-01\""));
            let path = dir.join(format!("{variant}-{}", out.file_name));
            std::fs::write(&path, &out.text).unwrap();
            templates.push(path);
        }
    }
    // --strict reports everything the official mode does, and more.
    let failures = validate_batch(&templates, true);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_validator_does_report_a_broken_template() {
    require_python();
    // What people get wrong: identityClientId null for the system identity, a literal child
    // name the schema rejects, and a format in the wrong case.
    let text =
        std::fs::read_to_string(manifest().join("tests/golden/export/user/orders-policy.json"))
            .unwrap();
    let mut template: serde_json::Value = serde_json::from_str(&text).unwrap();
    for r in template["resources"].as_array_mut().unwrap() {
        let kind = r["type"].as_str().unwrap().to_string();
        if kind.ends_with("/namedValues") && r["properties"].get("keyVault").is_some() {
            r["properties"]["keyVault"]["identityClientId"] = serde_json::Value::Null;
        }
        if kind.ends_with("/accessPolicies") {
            r["name"] = "contoso-kv/add".into();
        }
        if kind.ends_with("/apis/policies") {
            r["properties"]["format"] = "RAWXML".into();
        }
    }
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("broken-template.json");
    std::fs::write(&path, serde_json::to_string_pretty(&template).unwrap()).unwrap();
    let out = spawn(&path, false).wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("identityClientId: null is not of type string"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"contoso-kv/add\" is not one of"),
        "{stdout}"
    );
    assert!(stdout.contains("\"RAWXML\" is not one of"), "{stdout}");
}
