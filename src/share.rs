//! Share links: the workspace (policy, scenario, example id) as JSON in the URL fragment,
//! `#s=<deflate-raw, base64url>`. Nothing is sent anywhere: the fragment never reaches a server.
//!
//! This module is the pure part (what goes into the link, reading it back, leaving secrets
//! out); the compression runs in the browser (`ApimCodec` in the editor bundle, bound in
//! [`crate::bridge`]).

use crate::state::Workspace;
use serde::Serialize;
use serde_json::Value;

/// The fragment prefix of a share link.
pub const PREFIX: &str = "#s=";
const VERSION: u32 = 1;

/// What stands in for a secret value that was left out of a link.
pub const PLACEHOLDER: &str = "<left out of the share link>";

/// The link's JSON: the workspace's fields beside the format version `v`.
#[derive(Serialize)]
struct Payload<'a> {
    v: u32,
    #[serde(flatten)]
    workspace: &'a Workspace,
}

/// Reading a link back takes two plain passes over the JSON (the version, then the workspace,
/// which ignores `v`) rather than `#[serde(flatten)]`, whose buffering deserializer cost the
/// app's first load about 3 KB gzipped; the workspace's own reader is the one autosave uses.
/// What [`payload`] produced: the JSON to compress, and what it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub json: String,
    /// Human descriptions of the secrets that were replaced ("secret named value api-key").
    pub left_out: Vec<String>,
}

/// The JSON a share link carries. Unless `include_secrets`, secret values in the scenario are
/// replaced with [`PLACEHOLDER`]; a scenario that is not valid JSON (mid-edit) cannot be
/// searched for secrets and is left out whole.
pub fn payload(workspace: &Workspace, include_secrets: bool) -> Prepared {
    let mut workspace = workspace.clone();
    let mut left_out = Vec::new();
    if !include_secrets && !workspace.scenario.trim().is_empty() {
        match serde_json::from_str::<Value>(&workspace.scenario) {
            Ok(mut scenario) => {
                left_out = strip_secrets(&mut scenario);
                if !left_out.is_empty() {
                    workspace.scenario =
                        serde_json::to_string_pretty(&scenario).unwrap_or_default();
                }
            }
            Err(_) => {
                workspace.scenario = String::new();
                left_out.push("the scenario (it is not valid JSON right now)".to_string());
            }
        }
    }
    let json = serde_json::to_string(&Payload {
        v: VERSION,
        workspace: &workspace,
    })
    .unwrap_or_default();
    Prepared { json, left_out }
}

/// Read a share link's JSON back.
pub fn parse(json: &str) -> Result<Workspace, String> {
    let damaged = |e: String| format!("the link's content is damaged ({e})");
    let v: Value = serde_json::from_str(json).map_err(|e| damaged(e.to_string()))?;
    let version = v
        .get("v")
        .ok_or_else(|| damaged("missing field `v`".to_string()))?;
    if version.as_u64() != Some(u64::from(VERSION)) {
        return Err(format!(
            "the link was made by a newer version of the playground (format {version})"
        ));
    }
    Workspace::read(&v).map_err(damaged)
}

/// The compressed token of a `location.hash`, if it is a share link.
pub fn token(hash: &str) -> Option<&str> {
    hash.strip_prefix(PREFIX).filter(|t| !t.is_empty())
}

/// Replace the scenario's secret values in place; returns what was replaced. Secrets are the
/// values the simulator masks (secret named values, Key Vault secrets) plus the credentials a
/// scenario carries: the subscription key and the requests' `Authorization` and
/// `Ocp-Apim-Subscription-Key` headers.
pub fn strip_secrets(scenario: &mut Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(nvs) = scenario
        .get_mut("named_values")
        .and_then(Value::as_array_mut)
    {
        for nv in nvs {
            let secret = nv.get("secret").and_then(Value::as_bool) == Some(true);
            let name = nv
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            if secret && replace(nv, "value") {
                out.push(format!("secret named value {name}"));
            }
        }
    }
    if let Some(vaults) = scenario.get_mut("key_vaults").and_then(Value::as_array_mut) {
        for vault in vaults {
            let vault_name = vault
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            if let Some(secrets) = vault.get_mut("secrets").and_then(Value::as_array_mut) {
                for s in secrets {
                    let name = s
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_string();
                    if replace(s, "value") {
                        out.push(format!("Key Vault secret {vault_name}/{name}"));
                    }
                }
            }
        }
    }
    if let Some(sub) = scenario.get_mut("subscription")
        && replace(sub, "key")
    {
        out.push("subscription key".to_string());
    }
    // Backend credentials written out literally (a `{{named value}}` reference is not a
    // secret itself: the named value is handled above).
    if let Some(backends) = scenario.get_mut("backends").and_then(Value::as_array_mut) {
        for b in backends {
            let id = b
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            let Some(creds) = b.get_mut("credentials") else {
                continue;
            };
            for kind in ["header", "query"] {
                let Some(map) = creds.get_mut(kind).and_then(Value::as_object_mut) else {
                    continue;
                };
                for (name, value) in map.iter_mut() {
                    let literal = match &*value {
                        Value::String(v) => !v.contains("{{") && !v.is_empty(),
                        Value::Array(items) => items.iter().any(|i| {
                            i.as_str()
                                .is_some_and(|v| !v.contains("{{") && !v.is_empty())
                        }),
                        _ => false,
                    };
                    if literal && !is_placeholder(value) {
                        *value = Value::Array(vec![Value::String(PLACEHOLDER.to_string())]);
                        out.push(format!("{kind} {name} of backend {id}"));
                    }
                }
            }
        }
    }
    let mut requests: Vec<&mut Value> = Vec::new();
    let (single, several) = split_requests(scenario);
    requests.extend(single);
    requests.extend(several);
    for (i, request) in requests.into_iter().enumerate() {
        let Some(headers) = request.get_mut("headers").and_then(Value::as_object_mut) else {
            continue;
        };
        for (name, value) in headers.iter_mut() {
            let credential = name.eq_ignore_ascii_case("authorization")
                || name.eq_ignore_ascii_case("ocp-apim-subscription-key");
            if credential && !is_placeholder(value) {
                *value = Value::Array(vec![Value::String(PLACEHOLDER.to_string())]);
                out.push(format!("{name} header of request {}", i + 1));
            }
        }
    }
    out
}

fn split_requests(scenario: &mut Value) -> (Option<&mut Value>, Vec<&mut Value>) {
    let Some(obj) = scenario.as_object_mut() else {
        return (None, Vec::new());
    };
    let mut single = None;
    let mut several = Vec::new();
    for (key, value) in obj.iter_mut() {
        match key.as_str() {
            "request" => single = Some(value),
            "requests" => {
                if let Some(list) = value.as_array_mut() {
                    several.extend(list.iter_mut());
                }
            }
            _ => {}
        }
    }
    (single, several)
}

fn is_placeholder(v: &Value) -> bool {
    match v {
        Value::String(s) => s == PLACEHOLDER,
        Value::Array(items) => items.iter().all(is_placeholder),
        _ => false,
    }
}

/// Replace `obj[key]` (a non-empty string) with the placeholder; false when there was none.
fn replace(obj: &mut Value, key: &str) -> bool {
    match obj.get_mut(key) {
        Some(v @ Value::String(_))
            if v.as_str()
                .is_some_and(|s| !s.is_empty() && s != PLACEHOLDER) =>
        {
            *v = Value::String(PLACEHOLDER.to_string());
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::state::ExportSettings;

    fn workspace(id: &str) -> Workspace {
        {
            let e = examples::find(id).unwrap();
            Workspace::of_example(e, e.texts().unwrap())
        }
    }

    #[test]
    fn a_link_round_trips_the_workspace_with_secrets_when_asked() {
        let w = workspace("jwt-hs256");
        let p = payload(&w, true);
        assert!(p.left_out.is_empty());
        assert_eq!(parse(&p.json).unwrap(), w);
    }

    #[test]
    fn secrets_are_left_out_by_default_and_listed() {
        let w = workspace("jwt-hs256");
        let p = payload(&w, false);
        assert_eq!(
            p.left_out,
            vec![
                "secret named value jwt-signing-key",
                "Authorization header of request 1"
            ]
        );
        let back = parse(&p.json).unwrap();
        assert_eq!(back.policy, w.policy);
        assert!(
            !back.scenario.contains("cGxheWdyb3VuZC1kZW1v"),
            "{}",
            back.scenario
        );
        assert!(!back.scenario.contains("eyJhbGci"));
        assert!(back.scenario.contains(PLACEHOLDER));

        let w = workspace("seed-named-value");
        let p = payload(&w, false);
        assert_eq!(
            p.left_out,
            vec!["Key Vault secret contoso-kv/backend-api-key"]
        );
        assert!(!p.json.contains("s3cr3t-from-vault"));
        // The Key Vault reference itself is not a secret and stays.
        assert!(p.json.contains("secret_identifier"));
    }

    #[test]
    fn literal_backend_credentials_are_left_out_and_references_kept() {
        let mut scenario: Value = serde_json::from_str(
            r#"{"backends": [{"id": "b", "url": "https://b",
                "credentials": {"header": {"api-key": ["k3y"], "x-ref": ["{{nv}}"]},
                                "query": {"code": "c0de"}}}]}"#,
        )
        .unwrap();
        let left_out = strip_secrets(&mut scenario);
        assert_eq!(
            left_out,
            ["header api-key of backend b", "query code of backend b"]
        );
        let creds = &scenario["backends"][0]["credentials"];
        assert_eq!(creds["header"]["api-key"][0], PLACEHOLDER);
        assert_eq!(creds["header"]["x-ref"][0], "{{nv}}");
        assert_eq!(creds["query"]["code"][0], PLACEHOLDER);
    }

    #[test]
    fn every_request_of_a_sequence_is_cleaned() {
        let mut scenario = serde_json::json!({
            "subscription": {"key": "0123"},
            "requests": [
                {"headers": {"ocp-apim-subscription-key": ["0123"]}},
                {"headers": {"Accept": ["*/*"]}}
            ]
        });
        let left = strip_secrets(&mut scenario);
        assert_eq!(
            left,
            vec![
                "subscription key",
                "ocp-apim-subscription-key header of request 1"
            ]
        );
        assert_eq!(scenario["requests"][1]["headers"]["Accept"][0], "*/*");
        // Idempotent: a placeholder is not a secret.
        assert!(strip_secrets(&mut scenario).is_empty());
    }

    #[test]
    fn an_invalid_scenario_is_left_out_whole() {
        let w = Workspace {
            policy: "<policies/>".into(),
            scenario: "{ \"named_values\": [".into(),
            example: None,
            export: Default::default(),
            lesson: None,
        };
        let p = payload(&w, false);
        assert_eq!(p.left_out.len(), 1);
        assert_eq!(parse(&p.json).unwrap().scenario, "");
        assert_eq!(parse(&payload(&w, true).json).unwrap(), w);
    }

    #[test]
    fn damaged_or_future_links_are_refused_with_a_reason() {
        assert!(parse("not json").unwrap_err().contains("damaged"));
        assert!(
            parse(r#"{"v":2,"policy":""}"#)
                .unwrap_err()
                .contains("newer")
        );
        assert!(parse(r#"{"policy":""}"#).unwrap_err().contains("damaged"));
        assert!(parse(r#"{"v":1}"#).unwrap_err().contains("damaged"));
        assert_eq!(token("#s=abc"), Some("abc"));
        assert_eq!(token("#s="), None);
        assert_eq!(token("#other"), None);
    }

    #[test]
    fn links_keep_their_format() {
        // The version beside the workspace's fields, as links made so far carry it.
        let w = Workspace {
            policy: "<policies />".into(),
            scenario: String::new(),
            example: Some("jwt-hs256".into()),
            export: ExportSettings {
                scope: Some(apim_policy::export::Scope::Product),
                ..ExportSettings::default()
            },
            lesson: None,
        };
        let json = payload(&w, true).json;
        assert_eq!(
            json,
            r#"{"v":1,"policy":"<policies />","scenario":"","example":"jwt-hs256","export":{"target":"arm","scope":"product","service":"","product":"","api":"","operation":"","fragment":"","snippet":false,"api_version":"2022-08-01"}}"#
        );
        assert_eq!(parse(&json).unwrap(), w);
        assert_eq!(
            parse(r#"{"example":null,"v":1,"policy":"x"}"#).unwrap(),
            Workspace {
                policy: "x".into(),
                ..Workspace::default()
            }
        );
    }

    #[test]
    fn a_lesson_link_carries_the_lesson_and_the_progress() {
        use crate::lessons::SharedLesson;
        let w = Workspace {
            policy: "<policies />".into(),
            lesson: Some(SharedLesson {
                course: "key-vault-workshop".into(),
                lesson: "kv-not-a-policy".into(),
                passed: vec![1, 2],
                ..SharedLesson::default()
            }),
            ..Workspace::default()
        };
        let json = payload(&w, false).json;
        assert!(
            json.contains(r#""lesson":{"course":"key-vault-workshop","lesson":"kv-not-a-policy","passed":[1,2]}"#),
            "{json}"
        );
        assert_eq!(parse(&json).unwrap(), w);
    }
}
