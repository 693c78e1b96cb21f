//! What the exporter decides, one behaviour per test: refusals, warnings, defaults, escaping.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod export_common;

use apim_policy::Severity;
use apim_policy::export::{
    ApiVersion, ExportOptions, ExportOutput, Scope, Target, codes, export, import_arm,
};
use apim_policy::scenario::Scenario;
use export_common::*;

const SIMPLE: &str = "<policies>\n  <inbound>\n    <set-header name=\"x\" exists-action=\"override\">\n      <value>{{greeting}}</value>\n    </set-header>\n  </inbound>\n</policies>\n";

fn opts(target: Target, scope: Scope) -> ExportOptions {
    ExportOptions {
        target,
        scope: Some(scope),
        ..ExportOptions::default()
    }
}

fn ok(source: &str, options: &ExportOptions, scenario: Option<&Scenario>) -> ExportOutput {
    export(source, options, scenario).unwrap_or_else(|e| panic!("{e:#?}"))
}

fn codes_of(diagnostics: &[apim_policy::Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code).collect()
}

fn scenario_json(json: &str) -> Scenario {
    Scenario::from_json(json).unwrap()
}

#[test]
fn without_a_scenario_every_named_value_is_a_required_parameter_and_a_warning() {
    let out = ok(SIMPLE, &opts(Target::Arm, Scope::Api), None);
    assert_eq!(codes_of(&out.diagnostics), [codes::UNDEFINED_NAMED_VALUE]);
    let d = &out.diagnostics[0];
    assert_eq!(&SIMPLE[d.span.start..d.span.end], "{{greeting}}");
    assert!(
        out.text
            .contains("\"greetingValue\": {\n      \"type\": \"string\",\n      \"metadata\"")
    );
    assert!(
        out.text
            .contains("\"value\": \"[parameters('greetingValue')]\",\n        \"secret\": false")
    );
    // Defaults without a scenario.
    assert!(out.text.contains("\"defaultValue\": \"my-api\""));
    assert_eq!(out.file_name, "my-api-policy.json");
}

#[test]
fn a_reference_no_named_value_can_have_refuses_the_export() {
    let source = "<policies><inbound><set-header name=\"x\" exists-action=\"override\"><value>{{has space}}</value></set-header></inbound></policies>";
    let err = export(source, &opts(Target::Arm, Scope::Api), None).unwrap_err();
    assert_eq!(codes_of(&err), [codes::INVALID_NAMED_VALUE_NAME]);
    assert_eq!(&source[err[0].span.start..err[0].span.end], "{{has space}}");
}

#[test]
fn syntax_errors_refuse_the_export_with_the_parsers_diagnostics() {
    let err = export(
        "<policies><inbound></outbound></policies>",
        &opts(Target::Bicep, Scope::Api),
        None,
    )
    .unwrap_err();
    assert!(err.iter().all(|d| d.severity == Severity::Error));
    assert!(err.iter().any(|d| d.code == "APIM0003"), "{err:#?}");
}

#[test]
fn the_root_element_must_fit_the_scope() {
    let err = export(SIMPLE, &opts(Target::Arm, Scope::Fragment), None).unwrap_err();
    assert_eq!(err[0].code, codes::ROOT_MISMATCH);
    assert!(err[0].message.contains("<fragment>"), "{}", err[0].message);
    let fragment = "<fragment><set-header name=\"x\" exists-action=\"delete\" /></fragment>";
    let err = export(fragment, &opts(Target::Arm, Scope::Operation), None).unwrap_err();
    assert_eq!(err[0].code, codes::ROOT_MISMATCH);
    // An empty document is already a syntax error.
    let err = export("   ", &opts(Target::Arm, Scope::Global), None).unwrap_err();
    assert!(err.iter().all(|d| d.severity == Severity::Error) && !err.is_empty());
}

#[test]
fn the_default_scope_follows_the_contract() {
    let fragment = "<fragment><set-header name=\"x\" exists-action=\"delete\" /></fragment>";
    assert_eq!(Scope::default_for(fragment), Scope::Fragment);
    assert_eq!(Scope::default_for(SIMPLE), Scope::Api);
    let out = ok(fragment, &ExportOptions::default(), None);
    assert_eq!(out.file_name, "fragment-my-fragment.json");
    let out = ok(SIMPLE, &ExportOptions::default(), None);
    assert!(
        out.text
            .contains("Microsoft.ApiManagement/service/apis/policies")
    );
}

#[test]
fn names_apim_rejects_refuse_the_export() {
    for (options, what) in [
        (
            ExportOptions {
                service: Some("1-bad".into()),
                ..opts(Target::Arm, Scope::Global)
            },
            "service",
        ),
        (
            ExportOptions {
                api: Some("a/b".into()),
                ..opts(Target::Arm, Scope::Api)
            },
            "API",
        ),
        (
            ExportOptions {
                operation: Some("x?".into()),
                ..opts(Target::Arm, Scope::Operation)
            },
            "operation",
        ),
        (
            ExportOptions {
                product: Some(String::new()),
                ..opts(Target::Arm, Scope::Product)
            },
            "product",
        ),
    ] {
        let err = export(SIMPLE, &options, None).unwrap_err();
        assert!(
            err.iter()
                .any(|d| d.code == codes::INVALID_NAME && d.message.contains(what)),
            "{what}: {err:#?}"
        );
    }
    let fragment = "<fragment><set-header name=\"x\" exists-action=\"delete\" /></fragment>";
    let options = ExportOptions {
        fragment: Some("-bad".into()),
        ..opts(Target::Arm, Scope::Fragment)
    };
    assert_eq!(
        export(fragment, &options, None).unwrap_err()[0].code,
        codes::INVALID_NAME
    );
}

#[test]
fn quotes_in_names_are_escaped_in_every_target() {
    let options = |target| ExportOptions {
        api: Some("it's \"quoted\"".into()),
        ..opts(target, Scope::Api)
    };
    let arm = ok(SIMPLE, &options(Target::Arm), None).text;
    assert!(
        arm.contains(r#""defaultValue": "it's \"quoted\"""#),
        "{arm}"
    );
    let bicep = ok(SIMPLE, &options(Target::Bicep), None).text;
    assert!(
        bicep.contains(r#"param apiName string = 'it\'s "quoted"'"#),
        "{bicep}"
    );
    let tf = ok(SIMPLE, &options(Target::Terraform), None).text;
    assert!(tf.contains(r#"default     = "it's \"quoted\"""#), "{tf}");
    assert!(
        tf.contains(r#"resource "azurerm_api_management_api_policy" "it_s_quoted""#),
        "{tf}"
    );
}

#[test]
fn an_unreadable_key_vault_identifier_refuses_and_a_versioned_one_is_made_versionless() {
    let bad = scenario_json(
        r#"{"named_values": [{"name": "greeting", "key_vault": {"secret_identifier": "https://example.com/greeting"}}]}"#,
    );
    let err = export(SIMPLE, &opts(Target::Arm, Scope::Api), Some(&bad)).unwrap_err();
    assert_eq!(codes_of(&err), [codes::BAD_SECRET_IDENTIFIER]);
    let versioned = scenario_json(
        r#"{"named_values": [{"name": "greeting", "key_vault": {"secret_identifier": "https://kv-one.vault.azure.net/secrets/greeting/abc123"}}],
        "key_vaults": [{"name": "kv-one", "access": "rbac"}]}"#,
    );
    for target in TARGETS {
        let out = ok(SIMPLE, &opts(target, Scope::Api), Some(&versioned));
        assert_eq!(codes_of(&out.diagnostics), [codes::VERSIONED_SECRET]);
        assert!(
            out.text
                .contains("https://kv-one.vault.azure.net/secrets/greeting"),
            "{}",
            out.text
        );
        assert!(!out.text.contains("abc123"), "{}", out.text);
    }
}

#[test]
fn the_system_identity_has_no_identity_client_id_and_a_user_assigned_one_does() {
    let system = ok(
        &policy(Scope::Api),
        &opts(Target::Arm, Scope::Api),
        Some(&scenario("system")),
    );
    assert!(!system.text.contains("identityClientId"));
    assert!(!system.text.contains("null"));
    let user = ok(
        &policy(Scope::Api),
        &opts(Target::Arm, Scope::Api),
        Some(&scenario("user")),
    );
    assert!(user.text.contains("\"identityClientId\": \"[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('userAssignedIdentityName')), '2023-01-31').clientId]\""), "{}", user.text);
    let tf = ok(
        &policy(Scope::Api),
        &opts(Target::Terraform, Scope::Api),
        Some(&scenario("system")),
    );
    assert!(!tf.text.contains("identity_client_id"));
}

#[test]
fn an_access_policy_vault_gets_one_add_resource_for_all_identities() {
    let s = scenario_json(
        r#"{
      "identity": {"type": "system-and-user", "client_id": "aaaaaaaa-0000-0000-0000-000000000001"},
      "named_values": [
        {"name": "a", "key_vault": {"secret_identifier": "https://kv-one.vault.azure.net/secrets/a"}},
        {"name": "b", "key_vault": {"secret_identifier": "https://kv-one.vault.azure.net/secrets/b", "identity_client_id": "aaaaaaaa-0000-0000-0000-000000000001"}}
      ],
      "key_vaults": [{"name": "kv-one", "access": "access-policy"}]}"#,
    );
    let source = "<policies><inbound><set-header name=\"x\" exists-action=\"override\"><value>{{a}}{{b}}</value></set-header></inbound></policies>";
    let out = ok(source, &opts(Target::Arm, Scope::Global), Some(&s));
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let t: serde_json::Value = serde_json::from_str(&out.text).unwrap();
    let policies: Vec<_> = t["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "Microsoft.KeyVault/vaults/accessPolicies")
        .collect();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0]["name"], "[format('{0}/{1}', 'kv-one', 'add')]");
    assert_eq!(
        policies[0]["properties"]["accessPolicies"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Both named values wait for it.
    let nv_deps: Vec<_> = t["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "Microsoft.ApiManagement/service/namedValues")
        .map(|r| r["dependsOn"][0].clone())
        .collect();
    assert_eq!(
        nv_deps,
        vec![
            serde_json::json!(
                "[resourceId('Microsoft.KeyVault/vaults/accessPolicies', 'kv-one', 'add')]"
            );
            2
        ]
    );
}

#[test]
fn an_rbac_vault_gets_a_deterministic_role_assignment_per_identity() {
    let s = scenario_json(
        r#"{"named_values": [{"name": "greeting", "key_vault": {"secret_identifier": "https://kv-one.vault.azure.net/secrets/greeting"}}],
        "key_vaults": [{"name": "kv-one", "access": "rbac"}]}"#,
    );
    let out = ok(SIMPLE, &opts(Target::Arm, Scope::Api), Some(&s));
    let again = ok(SIMPLE, &opts(Target::Arm, Scope::Api), Some(&s));
    assert_eq!(out, again);
    let t: serde_json::Value = serde_json::from_str(&out.text).unwrap();
    let ra = &t["resources"][0];
    assert_eq!(ra["type"], "Microsoft.Authorization/roleAssignments");
    assert_eq!(ra["properties"]["principalType"], "ServicePrincipal");
    assert!(
        ra["properties"]["roleDefinitionId"]
            .as_str()
            .unwrap()
            .contains("4633458b-17de-408a-b874-0445c86b69e6")
    );
    assert!(ra["name"].as_str().unwrap().starts_with("[guid(resourceId('Microsoft.KeyVault/vaults', 'kv-one'), resourceId('Microsoft.ApiManagement/service', parameters('apimServiceName'))"));
    assert_eq!(
        ra["scope"],
        "[format('Microsoft.KeyVault/vaults/{0}', 'kv-one')]"
    );
    let tf = ok(SIMPLE, &opts(Target::Terraform, Scope::Api), Some(&s)).text;
    assert!(
        tf.contains("role_definition_name = \"Key Vault Secrets User\""),
        "{tf}"
    );
    assert!(
        tf.contains("depends_on = [azurerm_role_assignment.kv_one_apim]"),
        "{tf}"
    );
}

#[test]
fn identity_and_vault_assumptions_are_warnings() {
    // The vault is unknown (RBAC assumed) and the service has no system identity.
    let s = scenario_json(
        r#"{"identity": {"type": "user", "client_id": "aaaaaaaa-0000-0000-0000-000000000001"},
        "named_values": [{"name": "greeting", "key_vault": {"secret_identifier": "https://kv-one.vault.azure.net/secrets/greeting"}}]}"#,
    );
    let out = ok(SIMPLE, &opts(Target::Bicep, Scope::Api), Some(&s));
    assert_eq!(
        codes_of(&out.diagnostics),
        [codes::UNKNOWN_IDENTITY, codes::VAULT_NOT_IN_SCENARIO]
    );
    assert!(
        out.text
            .contains("'Microsoft.Authorization/roleAssignments@2022-04-01'")
    );
    // A client id the service does not have.
    let s = scenario_json(
        r#"{"named_values": [{"name": "greeting", "key_vault": {"secret_identifier": "https://kv-one.vault.azure.net/secrets/greeting", "identity_client_id": "bbbbbbbb-0000-0000-0000-000000000002"}}],
        "key_vaults": [{"name": "kv-one", "access": "rbac"}]}"#,
    );
    let out = ok(SIMPLE, &opts(Target::Bicep, Scope::Api), Some(&s));
    assert_eq!(codes_of(&out.diagnostics), [codes::UNKNOWN_IDENTITY]);
    assert!(
        out.diagnostics[0]
            .message
            .contains("bbbbbbbb-0000-0000-0000-000000000002")
    );
}

#[test]
fn a_fragment_missing_from_the_scenario_is_a_warning_and_not_a_dependency() {
    let source =
        "<policies><inbound><include-fragment fragment-id=\"elsewhere\" /></inbound></policies>";
    let out = ok(
        source,
        &opts(Target::Arm, Scope::Api),
        Some(&Scenario::default()),
    );
    assert_eq!(codes_of(&out.diagnostics), [codes::MISSING_FRAGMENT]);
    assert!(!out.text.contains("policyFragments"), "{}", out.text);
    assert!(!out.text.contains("dependsOn"), "{}", out.text);
}

#[test]
fn bicep_documents_are_verbatim_unless_they_contain_the_delimiter() {
    let out = ok(SIMPLE, &opts(Target::Bicep, Scope::Api), None).text;
    let start = out.find("value: '''\n").unwrap() + "value: '''\n".len();
    let end = start + out[start..].find("'''").unwrap();
    assert_eq!(&out[start..end], SIMPLE);
    assert!(
        out.contains("loadTextContent('my-api-policy.xml')"),
        "{out}"
    );
    let tricky = "<policies><inbound><set-variable name=\"q\" value=\"@(\"'''\" + \"${x}\")\" /></inbound></policies>";
    let out = ok(tricky, &opts(Target::Bicep, Scope::Api), None).text;
    assert!(out.contains(r#"value: '<policies><inbound><set-variable name="q" value="@("\'\'\'" + "\${x}")" /></inbound></policies>'"#), "{out}");
}

#[test]
fn terraform_heredocs_keep_template_sequences_literal() {
    let source = "<policies><inbound><set-header name=\"x\" exists-action=\"override\"><value>${a} %{b} $${c}</value></set-header></inbound></policies>";
    let out = ok(source, &opts(Target::Terraform, Scope::Api), None).text;
    assert!(out.contains("xml_content         = <<XML\n<policies><inbound><set-header name=\"x\" exists-action=\"override\"><value>$${a} %%{b} $$${c}</value></set-header></inbound></policies>\nXML\n"), "{out}");
}

#[test]
fn arm_strings_that_look_like_expressions_are_escaped() {
    let s = scenario_json(
        r#"{"named_values": [{"name": "greeting", "value": "[hello]", "tags": ["[t]"]}]}"#,
    );
    let out = ok(SIMPLE, &opts(Target::Arm, Scope::Api), Some(&s));
    assert!(out.text.contains("\"value\": \"[[hello]\""), "{}", out.text);
    assert!(out.text.contains("\"[[t]\""), "{}", out.text);
    // Only a string that also ends with ']' is an expression (template-expressions docs).
    let s = scenario_json(
        r#"{"named_values": [{"name": "greeting", "value": "[not] an expression"}]}"#,
    );
    let out = ok(SIMPLE, &opts(Target::Arm, Scope::Api), Some(&s));
    assert!(
        out.text.contains("\"value\": \"[not] an expression\""),
        "{}",
        out.text
    );
    let import = import_arm(&out.text).unwrap();
    assert_eq!(import.policies[0].xml, SIMPLE);
}

#[test]
fn options_are_plain_json_for_the_web_app() {
    let options: ExportOptions = serde_json::from_str(
        r#"{"target": "terraform", "scope": "operation", "api": "orders", "snippet": true, "api_version": "2024-05-01"}"#,
    )
    .unwrap();
    assert_eq!(options.target, Target::Terraform);
    assert_eq!(options.scope, Some(Scope::Operation));
    assert_eq!(options.api_version, ApiVersion::V2024_05_01);
    let defaults: ExportOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(defaults, ExportOptions::default());
    let out = ok(SIMPLE, &options, None);
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["file_name"], "orders-my-operation-policy.snippet.tf");
    assert_eq!(json["diagnostics"][0]["code"], codes::UNDEFINED_NAMED_VALUE);
}

#[test]
fn any_input_gives_an_answer_and_never_panics() {
    let deep = format!("{}{}", "<policies>".repeat(500), "</policies>".repeat(500));
    let inputs = [
        "",
        "\u{0}",
        "<",
        "{{",
        "<policies>{{a}}{{",
        "<fragment>@(\"unterminated</fragment>",
        "<policies><inbound><include-fragment fragment-id=\"@(1)\" /></inbound></policies>",
        "<policies><inbound><send-request><set-url>https://x.vault.azure.net</set-url><authentication-managed-identity resource=\"r\" /></send-request></inbound></policies>",
        deep.as_str(),
    ];
    for input in inputs {
        for target in TARGETS {
            for scope in SCOPES {
                for snippet in [false, true] {
                    let options = ExportOptions {
                        snippet,
                        ..opts(target, scope)
                    };
                    let _ = export(input, &options, Some(&scenario("user")));
                    let _ = export(input, &options, None);
                }
            }
        }
        let _ = import_arm(input);
        let _ = apim_policy::export::import_apiops(&[("policy.xml".into(), input.into())]);
    }
}

#[test]
fn a_fragment_named_by_an_expression_is_reported_not_dropped() {
    let policy = "<policies>\n  <inbound>\n    <base />\n    <include-fragment fragment-id=\"@(&quot;common&quot;)\" />\n  </inbound>\n</policies>\n";
    let out = ok(policy, &opts(Target::Arm, Scope::Api), None);
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == codes::FRAGMENT_PROBLEM)
        .unwrap();
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.message.contains("not a literal"), "{}", d.message);
    assert_eq!(&policy[d.span.start..d.span.end], "@(&quot;common&quot;)");
}
