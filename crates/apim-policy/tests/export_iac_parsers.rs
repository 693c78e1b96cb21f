//! Every Bicep and Terraform golden file, parsed by real parsers and checked.
//!
//! `tests/fixtures/iac_check.py` parses Bicep with the `pycep-parser` package and Terraform
//! with `python-hcl2`, then checks what they parsed: resource types and API versions in the
//! shipped ARM schemas (Bicep resources are validated in their ARM form with
//! `arm_validate.py --strict`), the azurerm resources and data sources against the provider's
//! documented arguments and attributes (and their ARM properties against the schemas), every
//! reference resolved, secure/sensitive secret inputs, and no secret value of the scenarios
//! anywhere. A machine without python3 or the packages fails here with a message saying what
//! to install (`scripts/setup.sh` installs them); the test is never skipped.
//!
//! Deliberately broken files prove that the checker reports each kind of problem, so a
//! checker that passes everything cannot hide.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod export_common;

use apim_policy::export::{ApiVersion, ExportOptions, Target, export};
use export_common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGES: &str = "pycep-parser==0.7.1 python-hcl2==8.1.4 'jsonschema>=4.18'";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn checker() -> PathBuf {
    manifest().join("tests/fixtures/iac_check.py")
}

/// Fail (never skip) with a clear message when the checker cannot run here.
fn require_python() {
    let version = Command::new("python3").arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "python3 is needed to check the exported Bicep and Terraform files with real parsers \
         (scripts/setup.sh installs it, then: python3 -m pip install {PACKAGES})"
    );
    let check = Command::new("python3")
        .args(["-c", "import pycep, hcl2, jsonschema, referencing"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the Python packages pycep-parser, python-hcl2 and jsonschema are needed to check the \
         exported Bicep and Terraform files (scripts/setup.sh installs them; or: python3 -m pip \
         install {PACKAGES}):\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Every secret value of the golden files' scenarios, as a JSON file for `--secrets`.
fn secrets_file() -> PathBuf {
    let mut secrets: Vec<String> = Vec::new();
    for variant in VARIANTS {
        let scenario = scenario(variant);
        secrets.extend(scenario.secret_values().iter().map(|s| s.to_string()));
        secrets.extend(
            scenario
                .named_values
                .iter()
                .filter(|nv| nv.is_secret())
                .filter_map(|nv| nv.value.clone()),
        );
        secrets.extend(scenario.subscription.as_ref().map(|s| s.key.clone()));
    }
    secrets.sort();
    secrets.dedup();
    assert!(secrets.len() >= 3, "{secrets:?}");
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("iac-secrets.json");
    std::fs::write(&path, serde_json::to_string(&secrets).unwrap()).unwrap();
    path
}

/// Run the checker on files; its exit code and output.
fn run(target: &str, files: &[PathBuf], secrets: &Path) -> (Option<i32>, String) {
    let out = Command::new("python3")
        .arg(checker())
        .arg(target)
        .args(files)
        .arg("--schemas")
        .arg(manifest().join("tests/fixtures/arm-schemas"))
        .arg("--secrets")
        .arg(secrets)
        .output()
        .expect("run python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

fn goldens(extension: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for variant in VARIANTS {
        let dir = manifest().join("tests/golden/export").join(variant);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn check_goldens(target: &str, extension: &str) {
    require_python();
    let files = goldens(extension);
    // Both scenarios, five scopes, full and snippet.
    assert_eq!(files.len(), 20, "{files:#?}");
    let (code, output) = run(target, &files, &secrets_file());
    assert_eq!(
        code,
        Some(0),
        "the {target} checker reported problems (file:line: problem):\n{output}"
    );
    for file in &files {
        assert!(
            output.contains(&format!("ok: {}", file.display())),
            "{} was not checked:\n{output}",
            file.display()
        );
    }
}

/// Exports beyond the goldens: API version 2024-05-01, both scenarios, every scope, full and
/// snippet.
fn fresh_exports(target: Target) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("iac-2024-05-01-{target:?}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for variant in VARIANTS {
        let scenario = scenario(variant);
        for scope in SCOPES {
            for snippet in [false, true] {
                let options = ExportOptions {
                    target,
                    scope: Some(scope),
                    fragment: Some(FRAGMENT_NAME.into()),
                    snippet,
                    api_version: ApiVersion::V2024_05_01,
                    ..ExportOptions::default()
                };
                let out = export(&policy(scope), &options, Some(&scenario)).unwrap();
                let path = dir.join(format!("{variant}-{}", out.file_name));
                std::fs::write(&path, &out.text).unwrap();
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn every_bicep_golden_passes_the_real_parser_checks() {
    check_goldens("bicep", "bicep");
}

#[test]
fn every_terraform_golden_passes_the_real_parser_checks() {
    check_goldens("terraform", "tf");
}

/// Values with every character Bicep or HCL interprets, in plain and secret named values and in
/// a fragment: the exports must still parse, interpolate nothing, and leak no secret.
const TRICKY: &str = r#"{
  "identity": {"type": "user", "client_id": "11111111-2222-3333-4444-555555555555"},
  "named_values": [
    {"name": "environment-name", "value": "it's ${env} %{ if x } \"q\" \\ '''\nline two"},
    {"name": "backend-url", "value": "https://b.contoso.com/${path}?q=%{x}"},
    {"name": "api-key", "value": "p@ss\"w'0rd${x}%{y}[z]-do-not-leak", "secret": true},
    {"name": "kv-backend-key",
     "key_vault": {"secret_identifier": "https://kv-tricky.vault.azure.net/secrets/k",
                   "identity_client_id": "11111111-2222-3333-4444-555555555555"}}
  ],
  "key_vaults": [{"name": "kv-tricky", "access": "rbac",
                  "secrets": [{"name": "k", "value": "multi\nline\tvault secret do-not-leak"}]}],
  "fragments": [{"name": "common-headers",
                 "xml": "<fragment><set-header name=\"x\" exists-action=\"override\"><value>${not-a-var} %{ not-a-directive } ''' {{environment-name}}</value></set-header></fragment>"}]
}"#;

#[test]
fn exports_of_values_with_interpolation_characters_parse_and_leak_nothing() {
    require_python();
    let scenario = apim_policy::scenario::Scenario::from_json(TRICKY).unwrap();
    let mut secrets: Vec<String> = scenario
        .secret_values()
        .iter()
        .map(|s| s.to_string())
        .collect();
    secrets.extend(
        scenario
            .named_values
            .iter()
            .filter(|nv| nv.is_secret())
            .filter_map(|nv| nv.value.clone()),
    );
    assert!(secrets.len() >= 2, "{secrets:?}");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("iac-tricky");
    std::fs::create_dir_all(&dir).unwrap();
    let secrets_path = dir.join("secrets.json");
    std::fs::write(&secrets_path, serde_json::to_string(&secrets).unwrap()).unwrap();
    for (target, name) in [(Target::Bicep, "bicep"), (Target::Terraform, "terraform")] {
        let mut files = Vec::new();
        for scope in SCOPES {
            for snippet in [false, true] {
                let options = ExportOptions {
                    target,
                    scope: Some(scope),
                    fragment: Some(FRAGMENT_NAME.into()),
                    snippet,
                    ..ExportOptions::default()
                };
                let out = export(&policy(scope), &options, Some(&scenario)).unwrap();
                let prefix = if snippet { "snippet-" } else { "" };
                let path = dir.join(format!("{prefix}{}", out.file_name));
                std::fs::write(&path, &out.text).unwrap();
                files.push(path);
            }
        }
        let (code, output) = run(name, &files, &secrets_path);
        assert_eq!(
            code,
            Some(0),
            "the {name} checker reported problems:\n{output}"
        );
    }
}

#[test]
fn bicep_and_terraform_exports_for_api_version_2024_05_01_pass_too() {
    require_python();
    for (target, name) in [(Target::Bicep, "bicep"), (Target::Terraform, "terraform")] {
        let files = fresh_exports(target);
        assert_eq!(files.len(), 20);
        if target == Target::Bicep {
            let text = std::fs::read_to_string(&files[0]).unwrap();
            assert!(text.contains("@2024-05-01'"), "{text}");
        }
        let (code, output) = run(name, &files, &secrets_file());
        assert_eq!(
            code,
            Some(0),
            "the {name} checker reported problems:\n{output}"
        );
    }
}

/// A broken copy of a golden file: (file name, what to replace, by what, what must be reported).
struct Broken {
    name: &'static str,
    golden: &'static str,
    replace: &'static str,
    with: &'static str,
    expect: &'static str,
}

/// Write each broken file, check them all in one run, and demand each its own problem.
fn check_broken(target: &str, cases: &[Broken], secret: &str) {
    require_python();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("iac-broken-{target}"));
    std::fs::create_dir_all(&dir).unwrap();
    let secrets = dir.join("secrets.json");
    std::fs::write(&secrets, serde_json::to_string(&[secret]).unwrap()).unwrap();
    let mut files = Vec::new();
    for case in cases {
        let golden = manifest().join("tests/golden/export").join(case.golden);
        let text = std::fs::read_to_string(&golden).unwrap();
        assert!(
            text.contains(case.replace),
            "{}: {:?} not in {}",
            case.name,
            case.replace,
            golden.display()
        );
        let path = dir.join(case.name);
        std::fs::write(&path, text.replacen(case.replace, case.with, 1)).unwrap();
        files.push(path);
    }
    let (code, output) = run(target, &files, &secrets);
    assert_eq!(code, Some(1), "{output}");
    for (case, path) in cases.iter().zip(&files) {
        let prefix = format!("{}:", path.display());
        let mine: Vec<&str> = output.lines().filter(|l| l.starts_with(&prefix)).collect();
        assert!(
            mine.iter().any(|l| l.contains(case.expect)),
            "{}: expected a problem containing {:?}, got:\n{}",
            case.name,
            case.expect,
            mine.join("\n")
        );
        assert!(
            !output.contains(&format!("ok: {}", path.display())),
            "{}: passed:\n{output}",
            case.name
        );
    }
}

#[test]
fn the_bicep_checker_reports_broken_files() {
    let api = "user/orders-policy.bicep";
    check_broken(
        "bicep",
        &[
            Broken {
                name: "unresolved-parent.bicep",
                golden: api,
                replace: "  parent: apim\n  name: 'backend-url'",
                with: "  parent: apimService\n  name: 'backend-url'",
                expect: "unresolved parent 'apimService'",
            },
            Broken {
                name: "unresolved-depends-on.bicep",
                golden: api,
                replace: "    keyVaultContosoKvAccessPolicy\n  ]",
                with: "    keyVaultContosoKvPolicy\n  ]",
                expect: "unresolved dependsOn entry 'keyVaultContosoKvPolicy'",
            },
            Broken {
                name: "unresolved-param.bicep",
                golden: api,
                replace: "  name: apiName",
                with: "  name: '${apiNme}'",
                expect: "unresolved reference 'apiNme'",
            },
            Broken {
                name: "depends-on-a-param.bicep",
                golden: api,
                replace: "    keyVaultContosoKvAccessPolicy\n  ]",
                with: "    apiName\n  ]",
                expect: "dependsOn entry 'apiName' is a param, not a resource or module",
            },
            Broken {
                name: "snippet-unresolved.snippet.bicep",
                golden: "user/orders-policy.snippet.bicep",
                replace: "  parent: keyVaultContosoKv\n",
                with: "  parent: keyVaultOtherKv\n",
                expect: "unresolved parent 'keyVaultOtherKv'",
            },
            Broken {
                name: "unknown-type.bicep",
                golden: api,
                replace: "'Microsoft.ApiManagement/service/namedValues@2022-08-01' = {",
                with: "'Microsoft.ApiManagement/service/namedValue@2022-08-01' = {",
                expect: "unknown resource type 'Microsoft.ApiManagement/service/namedValue'",
            },
            Broken {
                name: "bad-api-version.bicep",
                golden: api,
                replace: "'Microsoft.ApiManagement/service/apis/policies@2022-08-01'",
                with: "'Microsoft.ApiManagement/service/apis/policies@2022-09-01'",
                expect: "has no API version '2022-09-01'",
            },
            Broken {
                name: "misspelled-property.bicep",
                golden: api,
                replace: "      secretIdentifier: 'https://contoso-kv",
                with: "      secretIdentifer: 'https://contoso-kv",
                expect: "property 'secretIdentifer' is not declared",
            },
            Broken {
                name: "bad-enum.bicep",
                golden: api,
                replace: "  name: 'add'",
                with: "  name: 'append'",
                expect: "\"append\" is not one of",
            },
            Broken {
                name: "secret-literal.bicep",
                golden: api,
                replace: "    value: 'https://backend.contoso.com/api'",
                with: "    value: 'key: do-not-leak-4711'",
                expect: "secret value 'do-not-leak-4711' appears",
            },
            Broken {
                name: "escaped-secret-literal.bicep",
                golden: api,
                replace: "    value: 'https://backend.contoso.com/api'",
                with: "    value: 'do-not-le\\u{61}k-4711'",
                expect: "secret value 'do-not-leak-4711' appears in a string literal",
            },
            Broken {
                name: "syntax-error.bicep",
                golden: api,
                replace: "resource apim 'Microsoft.ApiManagement/service@2022-08-01' existing = {",
                with: "resource apim 'Microsoft.ApiManagement/service@2022-08-01' existing = {{",
                expect: "Bicep syntax error",
            },
            Broken {
                name: "insecure-secret-param.bicep",
                golden: "system/orders-policy.bicep",
                replace: "@secure()\nparam apiKeyValue string",
                with: "param apiKeyValue string",
                expect: "comes from param 'apiKeyValue', which is not @secure()",
            },
            Broken {
                name: "unused-param.bicep",
                golden: api,
                replace: "param apiName string = 'orders'",
                with: "param apiName string = 'orders'\n\nparam unusedName string",
                expect: "param 'unusedName' is declared but never used",
            },
        ],
        "do-not-leak-4711",
    );
}

#[test]
fn the_terraform_checker_reports_broken_files() {
    let api = "user/orders-policy.tf";
    check_broken(
        "terraform",
        &[
            Broken {
                name: "unresolved-data.tf",
                golden: api,
                replace: "  key_vault_id       = data.azurerm_key_vault.contoso_kv.id",
                with: "  key_vault_id       = data.azurerm_key_vault.contoso.id",
                expect: "unresolved reference data.azurerm_key_vault.contoso",
            },
            Broken {
                name: "snippet-unresolved.snippet.tf",
                golden: "user/orders-policy.snippet.tf",
                replace: "data.azurerm_key_vault.contoso_kv.id",
                with: "data.azurerm_key_vault.other_kv.id",
                expect: "unresolved reference data.azurerm_key_vault.other_kv",
            },
            Broken {
                name: "wrong-provider.tf",
                golden: api,
                replace: "source  = \"hashicorp/azurerm\"",
                with: "source  = \"azure/azurerm\"",
                expect: "the azurerm provider is not required from hashicorp/azurerm",
            },
            Broken {
                name: "unresolved-var.tf",
                golden: api,
                replace: "  api_name            = var.api_name",
                with: "  api_name            = var.api_id",
                expect: "unresolved reference var.api_id",
            },
            Broken {
                name: "unresolved-depends-on.tf",
                golden: api,
                replace: "depends_on = [azurerm_role_assignment.contoso_rbac_kv_apim]",
                with: "depends_on = [azurerm_role_assignment.contoso_kv_apim]",
                expect: "depends_on names 'azurerm_role_assignment.contoso_kv_apim', which is not declared",
            },
            Broken {
                name: "unescaped-template.tf",
                golden: api,
                replace: "$${not-a-terraform-variable}",
                with: "${not-a-terraform-variable}",
                expect: "unresolved reference 'not-a-terraform-variable'",
            },
            Broken {
                name: "unescaped-directive.tf",
                golden: api,
                replace: "%%{ not-a-directive }",
                with: "%{ not-a-directive }",
                expect: "template directive",
            },
            Broken {
                name: "unknown-type.tf",
                golden: api,
                replace: "resource \"azurerm_api_management_policy_fragment\"",
                with: "resource \"azurerm_api_management_fragment\"",
                expect: "resource type 'azurerm_api_management_fragment' is not a documented azurerm resource",
            },
            Broken {
                name: "undocumented-argument.tf",
                golden: api,
                replace: "  display_name        = \"backend-url\"",
                with: "  displayname         = \"backend-url\"",
                expect: "'displayname' is not a documented argument",
            },
            Broken {
                name: "missing-argument.tf",
                golden: api,
                replace: "  api_name            = var.api_name\n",
                with: "",
                expect: "the required argument 'api_name' is missing",
            },
            Broken {
                name: "unknown-attribute.tf",
                golden: api,
                replace: "data.azurerm_user_assigned_identity.apim_identity.client_id",
                with: "data.azurerm_user_assigned_identity.apim_identity.clientid",
                expect: "has no attribute 'clientid'",
            },
            Broken {
                name: "key-vault-without-secret.tf",
                golden: api,
                replace: "  display_name        = \"api-key\"\n  secret              = true",
                with: "  display_name        = \"api-key\"\n  secret              = false",
                expect: "value_from_key_vault needs secret = true",
            },
            Broken {
                name: "secret-literal.tf",
                golden: api,
                replace: "  value               = \"https://backend.contoso.com/api\"",
                with: "  value               = \"key: do-not-leak-4711\"",
                expect: "secret value 'do-not-leak-4711' appears",
            },
            Broken {
                name: "escaped-secret-literal.tf",
                golden: api,
                replace: "  value               = \"https://backend.contoso.com/api\"",
                with: "  value               = \"do-not-le\\u0061k-4711\"",
                expect: "secret value 'do-not-leak-4711' appears in a string literal",
            },
            Broken {
                name: "insecure-secret-variable.tf",
                golden: "system/orders-policy.tf",
                replace: "  sensitive   = true\n",
                with: "",
                expect: "which is not sensitive = true",
            },
            Broken {
                name: "syntax-error.tf",
                golden: api,
                replace: "data \"azurerm_key_vault\" \"contoso_kv\" {",
                with: "data \"azurerm_key_vault\" \"contoso_kv\" {{",
                expect: "HCL syntax error",
            },
        ],
        "do-not-leak-4711",
    );
}

#[test]
fn without_its_packages_the_checker_fails_and_says_what_to_install() {
    require_python();
    // -S: no site-packages, so none of the parsers can be imported.
    let out = Command::new("python3")
        .arg("-S")
        .arg(checker())
        .arg("bicep")
        .arg(manifest().join("tests/golden/export/user/orders-policy.bicep"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("pip install 'pycep-parser==0.7.1' 'python-hcl2==8.1.4'"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
