//! No secret value from the scenario ever appears in an export: not in the text, the file name
//! or any diagnostic, for every target, scope, full or snippet, and several scenarios (secret
//! and Key Vault named values, vault secrets, a Key Vault named value that also carries a
//! value, a subscription key, secrets with characters each target escapes).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod export_common;

use apim_policy::export::{ExportOptions, export};
use apim_policy::scenario::Scenario;
use export_common::*;

const TRICKY: &str = r#"{
  "subscription": {"id": "s1", "name": "demo", "key": "subscription-key-do-not-leak-0123"},
  "identity": {"type": "user", "client_id": "11111111-2222-3333-4444-555555555555"},
  "named_values": [
    {"name": "environment-name", "value": "dev"},
    {"name": "backend-url", "value": "p@ss\"w'0rd${x}%{y}[z]-do-not-leak", "secret": true},
    {"name": "api-key", "value": "[arm-looking-secret-do-not-leak]", "secret": true, "tags": ["t"]},
    {"name": "kv-backend-key", "value": "kv-value-that-must-not-leak",
     "key_vault": {"secret_identifier": "https://kv-tricky.vault.azure.net/secrets/k",
                   "identity_client_id": "11111111-2222-3333-4444-555555555555"}}
  ],
  "key_vaults": [{"name": "kv-tricky", "access": "rbac",
                  "secrets": [{"name": "k", "value": "multi\nline\tvault secret do-not-leak"}]}],
  "fragments": [{"name": "common-headers",
                 "xml": "<fragment><set-header name=\"x\" exists-action=\"override\"><value>{{api-key}}</value></set-header></fragment>"}]
}"#;

const UNREFERENCED: &str = r#"{
  "named_values": [
    {"name": "unused-secret", "value": "unused-secret-do-not-leak", "secret": true},
    {"name": "api-key", "value": "referenced-secret-do-not-leak", "secret": true}
  ],
  "key_vaults": [{"name": "other-kv", "access": "access-policy",
                  "secrets": [{"name": "s", "value": "other-vault-secret-do-not-leak"}]}]
}"#;

fn scenarios() -> Vec<(String, Scenario)> {
    let mut out: Vec<(String, Scenario)> = VARIANTS
        .iter()
        .map(|v| (v.to_string(), scenario(v)))
        .collect();
    out.push(("tricky".into(), Scenario::from_json(TRICKY).unwrap()));
    out.push((
        "unreferenced".into(),
        Scenario::from_json(UNREFERENCED).unwrap(),
    ));
    out
}

/// The secret as written, and the forms a target could write it in.
fn forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap();
    let json = json.trim_matches('"').to_string();
    let mut out = vec![secret.to_string(), json];
    // The longest line, in case a target splits at line breaks.
    if let Some(longest) = secret.lines().max_by_key(|l| l.len()) {
        out.push(longest.to_string());
    }
    out.retain(|f| f.len() >= 4);
    out
}

#[test]
fn no_secret_value_appears_in_any_export() {
    let mut checked = 0;
    for (label, scenario) in scenarios() {
        let mut secrets: Vec<String> = scenario
            .secret_values()
            .iter()
            .map(|s| s.to_string())
            .collect();
        // A Key Vault named value's own value is secret too (is_secret), and so is the key.
        secrets.extend(
            scenario
                .named_values
                .iter()
                .filter(|nv| nv.is_secret())
                .filter_map(|nv| nv.value.clone()),
        );
        secrets.extend(scenario.subscription.as_ref().map(|s| s.key.clone()));
        assert!(secrets.len() >= 2, "{label}: {secrets:?}");
        for scope in SCOPES {
            for target in TARGETS {
                for snippet in [false, true] {
                    let options = ExportOptions {
                        target,
                        scope: Some(scope),
                        fragment: Some(FRAGMENT_NAME.into()),
                        snippet,
                        ..ExportOptions::default()
                    };
                    let result = export(&policy(scope), &options, Some(&scenario));
                    let everything = match &result {
                        Ok(out) => {
                            let mut all = vec![out.text.clone(), out.file_name.clone()];
                            for d in &out.diagnostics {
                                all.push(d.message.clone());
                                all.extend(d.help.clone());
                            }
                            all.join("\n")
                        }
                        Err(diagnostics) => diagnostics
                            .iter()
                            .map(|d| {
                                format!("{} {}", d.message, d.help.clone().unwrap_or_default())
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                    };
                    for secret in &secrets {
                        for form in forms(secret) {
                            assert!(
                                !everything.contains(&form),
                                "{label}/{scope:?}/{target:?}/snippet={snippet}: {form:?} leaked:\n{everything}"
                            );
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 4 * 5 * 3 * 2);
}

#[test]
fn secrets_become_secure_parameters() {
    let scenario = Scenario::from_json(TRICKY).unwrap();
    let options = |target| ExportOptions {
        target,
        scope: Some(apim_policy::export::Scope::Api),
        ..ExportOptions::default()
    };
    let source = policy(apim_policy::export::Scope::Api);
    let arm = export(
        &source,
        &options(apim_policy::export::Target::Arm),
        Some(&scenario),
    )
    .unwrap();
    assert!(
        arm.text
            .contains("\"backendUrlValue\": {\n      \"type\": \"securestring\""),
        "{}",
        arm.text
    );
    let bicep = export(
        &source,
        &options(apim_policy::export::Target::Bicep),
        Some(&scenario),
    )
    .unwrap();
    assert!(
        bicep
            .text
            .contains("@secure()\nparam backendUrlValue string\n"),
        "{}",
        bicep.text
    );
    let tf = export(
        &source,
        &options(apim_policy::export::Target::Terraform),
        Some(&scenario),
    )
    .unwrap();
    assert!(tf.text.contains("variable \"backend_url_value\" {\n  type        = string\n  description = \"Value of the secret named value 'backend-url'.\"\n  sensitive   = true\n}"), "{}", tf.text);
    // The Key Vault named value that also had a value says the value was left out.
    assert!(
        arm.diagnostics.iter().any(|d| d.code == "APIM0919"),
        "{:#?}",
        arm.diagnostics
    );
}
