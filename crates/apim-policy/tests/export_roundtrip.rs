//! Export then import gives back the same document, for every scope; and import reads what
//! people actually have: nested resources, the `xml` format, old property names, APIOps folders,
//! and refuses what it cannot read (`[concat(…)]` values, linked policies) with a clear message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod export_common;

use apim_policy::export::{
    ApiVersion, ExportOptions, ImportedValue, PolicyFormat, Scope, import_apiops, import_arm,
};
use apim_policy::{Severity, export::export};
use export_common::*;

fn export_arm(source: &str, scope: Scope, variant: &str, snippet: bool, v: ApiVersion) -> String {
    let options = ExportOptions {
        scope: Some(scope),
        fragment: Some(FRAGMENT_NAME.into()),
        snippet,
        api_version: v,
        ..ExportOptions::default()
    };
    export(source, &options, Some(&scenario(variant)))
        .unwrap()
        .text
}

#[test]
fn export_then_import_gives_back_the_same_document_for_every_scope() {
    for variant in VARIANTS {
        for scope in SCOPES {
            for v in [ApiVersion::V2022_08_01, ApiVersion::V2024_05_01] {
                let source = policy(scope);
                let text = export_arm(&source, scope, variant, false, v);
                let import = import_arm(&text).unwrap();
                let errors: Vec<_> = import
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect();
                assert!(errors.is_empty(), "{errors:#?}");
                let mine: Vec<_> = import
                    .policies
                    .iter()
                    .filter(|p| p.scope == scope)
                    .collect();
                assert_eq!(mine.len(), 1, "{variant}/{scope:?}: {:#?}", import.policies);
                let p = mine[0];
                assert_eq!(p.xml, source, "{variant}/{scope:?}");
                assert_eq!(p.format, PolicyFormat::Rawxml);
                assert_eq!(p.service.as_deref(), Some("apim-service"));
                match scope {
                    Scope::Api => assert_eq!(p.api.as_deref(), Some("orders")),
                    Scope::Operation => {
                        assert_eq!(p.api.as_deref(), Some("orders"));
                        assert_eq!(p.operation.as_deref(), Some("get-order"));
                    }
                    Scope::Product => assert_eq!(p.product.as_deref(), Some("starter")),
                    Scope::Fragment => assert_eq!(p.fragment.as_deref(), Some(FRAGMENT_NAME)),
                    Scope::Global => {}
                }
                // Every named value the document references was exported, and comes back.
                for name in &p.named_value_refs {
                    assert!(
                        import
                            .named_values
                            .iter()
                            .any(|nv| &nv.display_name == name),
                        "{variant}/{scope:?}: {name} missing from {:#?}",
                        import.named_values
                    );
                }
            }
        }
    }
}

#[test]
fn included_fragments_come_back_too() {
    let text = export_arm(
        &policy(Scope::Api),
        Scope::Api,
        "system",
        false,
        ApiVersion::default(),
    );
    let import = import_arm(&text).unwrap();
    let fragment = import
        .policies
        .iter()
        .find(|p| p.scope == Scope::Fragment)
        .unwrap();
    assert_eq!(fragment.fragment.as_deref(), Some("common-headers"));
    assert_eq!(fragment.xml, scenario("system").fragments[0].xml);
}

#[test]
fn named_values_come_back_with_their_kind_and_never_a_secret() {
    let text = export_arm(
        &policy(Scope::Api),
        Scope::Api,
        "system",
        false,
        ApiVersion::default(),
    );
    let import = import_arm(&text).unwrap();
    let get = |n: &str| {
        import
            .named_values
            .iter()
            .find(|nv| nv.display_name == n)
            .unwrap()
    };
    assert_eq!(
        get("environment-name").value,
        ImportedValue::Plain {
            value: "[not-an-arm-expression]".into()
        }
    );
    assert_eq!(get("environment-name").tags, ["env"]);
    assert_eq!(
        get("api-key").value,
        ImportedValue::Secret {
            parameter: Some("apiKeyValue".into())
        }
    );
    assert_eq!(
        get("kv-backend-key").value,
        ImportedValue::KeyVault {
            secret_identifier: "https://contoso-kv.vault.azure.net/secrets/backend-key".into(),
            identity_client_id: None
        }
    );
    let user = export_arm(
        &policy(Scope::Api),
        Scope::Api,
        "user",
        false,
        ApiVersion::default(),
    );
    let import = import_arm(&user).unwrap();
    let api_key = import
        .named_values
        .iter()
        .find(|nv| nv.display_name == "api-key")
        .unwrap();
    let ImportedValue::KeyVault {
        identity_client_id, ..
    } = &api_key.value
    else {
        panic!("{api_key:?}")
    };
    assert!(
        identity_client_id
            .as_deref()
            .unwrap()
            .contains("userAssignedIdentities")
    );
}

#[test]
fn a_snippet_pasted_into_a_template_imports_too() {
    for scope in SCOPES {
        let source = policy(scope);
        let snippet = export_arm(&source, scope, "user", true, ApiVersion::default());
        let template = format!(
            "{{\"parameters\": {{\"apimServiceName\": {{\"type\": \"string\", \"defaultValue\": \"prod-apim\"}}}}, \"resources\": {snippet}}}"
        );
        let import = import_arm(&template).unwrap();
        let p = import.policies.iter().find(|p| p.scope == scope).unwrap();
        assert_eq!(p.xml, source);
        assert_eq!(p.service.as_deref(), Some("prod-apim"));
        // The snippet on its own reads too (its names keep the parameter they come from).
        let alone = import_arm(&snippet).unwrap();
        let p = alone.policies.iter().find(|p| p.scope == scope).unwrap();
        assert_eq!(p.xml, source);
        assert_eq!(
            p.service.as_deref(),
            Some("[parameters('apimServiceName')]")
        );
    }
}

#[test]
fn the_xml_format_comes_back_as_apim_shows_it_in_rawxml() {
    let template = r#"{
      "resources": [{
        "type": "Microsoft.ApiManagement/service/apis/policies",
        "apiVersion": "2022-08-01",
        "name": "contoso/echo-api/policy",
        "properties": {
          "format": "xml",
          "value": "<policies><inbound><choose><when condition=\"@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;,&quot;&quot;) == &quot;a&amp;b&quot;)\"><set-header name=\"x\" exists-action=\"override\"><value>Tom &amp; Jerry</value></set-header></when></choose></inbound></policies>"
        }
      }]
    }"#;
    let import = import_arm(template).unwrap();
    let p = &import.policies[0];
    assert_eq!(p.format, PolicyFormat::Xml);
    assert_eq!(
        (p.service.as_deref(), p.api.as_deref()),
        (Some("contoso"), Some("echo-api"))
    );
    assert_eq!(
        p.xml,
        "<policies><inbound><choose><when condition=\"@(context.Request.Headers.GetValueOrDefault(\"x\",\"\") == \"a&b\")\"><set-header name=\"x\" exists-action=\"override\"><value>Tom &amp; Jerry</value></set-header></when></choose></inbound></policies>"
    );
    // What was imported reads back as the same policy with no new errors.
    assert!(
        apim_policy::lint(&p.xml)
            .iter()
            .all(|d| d.severity != Severity::Error)
    );
}

#[test]
fn a_format_less_value_is_xml_and_a_clean_one_is_returned_as_is() {
    let template = r#"{"resources": [{"type": "Microsoft.ApiManagement/service/policies", "apiVersion": "2021-08-01",
      "name": "[concat(parameters('svc'), '/policy')]",
      "properties": {"value": "<policies><inbound /><backend><forward-request /></backend><outbound /></policies>"}}],
      "parameters": {"svc": {"type": "string", "defaultValue": "apim-prod"}}}"#;
    let import = import_arm(template).unwrap();
    let p = &import.policies[0];
    assert_eq!(p.scope, Scope::Global);
    assert_eq!(p.service.as_deref(), Some("apim-prod"));
    assert_eq!(
        p.xml,
        "<policies><inbound /><backend><forward-request /></backend><outbound /></policies>"
    );
}

#[test]
fn nested_children_old_property_names_and_inner_deployments_are_found() {
    let template = r#"{
      "resources": [{
        "type": "Microsoft.ApiManagement/service", "apiVersion": "2018-01-01", "name": "legacy",
        "resources": [
          {"type": "apis", "apiVersion": "2018-01-01", "name": "orders",
           "resources": [
             {"type": "policies", "apiVersion": "2018-01-01", "name": "policy",
              "properties": {"contentFormat": "rawxml", "policyContent": "<policies><inbound /></policies>"}},
             {"type": "operations", "name": "get", "resources": [
               {"type": "policies", "name": "policy", "properties": {"format": "rawxml", "value": "<policies><inbound><base /></inbound></policies>"}}]}
           ]},
          {"type": "properties", "apiVersion": "2018-01-01", "name": "old-style",
           "properties": {"displayName": "old-style", "value": "v"}}
        ]
      }, {
        "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
        "properties": {"mode": "Incremental",
          "parameters": {"service": {"value": "from-outer"}},
          "template": {"parameters": {"service": {"type": "string"}},
            "resources": [{"type": "Microsoft.ApiManagement/service/products/policies", "apiVersion": "2022-08-01",
              "name": "[format('{0}/{1}/policy', parameters('service'), 'gold')]",
              "properties": {"format": "rawxml", "value": "<policies><inbound><base /></inbound></policies>"}}]}}
      }]
    }"#;
    let import = import_arm(template).unwrap();
    let summary: Vec<String> = import
        .policies
        .iter()
        .map(|p| format!("{} @ {}", p.describe(), p.source))
        .collect();
    assert_eq!(
        summary,
        [
            "policy of API 'orders' (service 'legacy') @ resources[0].resources[0].resources[0]",
            "policy of operation 'get' of API 'orders' (service 'legacy') @ resources[0].resources[0].resources[1].resources[0]",
            "policy of product 'gold' (service 'from-outer') @ resources[1].properties.template.resources[0]",
        ]
    );
    assert_eq!(import.named_values[0].display_name, "old-style");
}

#[test]
fn expression_values_and_links_are_not_importable_and_say_why() {
    let template = r#"{"resources": [
      {"type": "Microsoft.ApiManagement/service/apis/policies", "apiVersion": "2022-08-01", "name": "s/a/policy",
       "properties": {"format": "rawxml", "value": "[concat('<policies>', parameters('inbound'), '</policies>')]"}},
      {"type": "Microsoft.ApiManagement/service/apis/policies", "apiVersion": "2022-08-01", "name": "s/b/policy",
       "properties": {"format": "rawxml-link", "value": "https://example.blob.core.windows.net/p.xml"}},
      {"type": "Microsoft.ApiManagement/service/apis/policies", "apiVersion": "2022-08-01", "name": "s/c/policy",
       "properties": {"format": "rawxml", "value": "<policies />"}}
    ]}"#;
    let import = import_arm(template).unwrap();
    assert_eq!(import.policies.len(), 1);
    assert_eq!(import.policies[0].api.as_deref(), Some("c"));
    let messages: Vec<&str> = import
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages[0].contains("resources[0] (policy of API 'a' (service 's')): not importable"),
        "{messages:?}"
    );
    assert!(messages[0].contains("concat()"), "{messages:?}");
    assert!(
        messages[1].contains("linked (rawxml-link: https://example.blob.core.windows.net/p.xml)"),
        "{messages:?}"
    );
    assert!(
        import
            .diagnostics
            .iter()
            .all(|d| d.severity == Severity::Error)
    );
}

#[test]
fn not_a_template_or_nothing_to_import_is_an_error() {
    let err = import_arm("{\n  \"resources\": [,]\n}").unwrap_err();
    assert!(err[0].message.starts_with("not JSON"), "{err:?}");
    // serde_json reports the position just after the offending comma (line 2).
    assert!(matches!(err[0].span.start, 17 | 18), "{err:?}");
    let err = import_arm("{\"a\": 1}").unwrap_err();
    assert!(err[0].message.contains("no \"resources\""));
    let err = import_arm("{\"resources\": [{\"type\": \"Microsoft.Storage/storageAccounts\"}]}")
        .unwrap_err();
    assert!(err[0].message.contains("holds no API Management policy"));
}

#[test]
fn a_fragment_without_its_wrapper_is_wrapped() {
    let template = r#"{"resources": [{"type": "Microsoft.ApiManagement/service/policyFragments", "apiVersion": "2022-08-01",
      "name": "s/json-to-xml", "properties": {"format": "rawxml", "value": "<json-to-xml apply=\"always\" consider-accept-header=\"false\" />"}}]}"#;
    let import = import_arm(template).unwrap();
    assert_eq!(
        import.policies[0].xml,
        "<fragment>\n<json-to-xml apply=\"always\" consider-accept-header=\"false\" />\n</fragment>"
    );
    assert_eq!(import.diagnostics[0].severity, Severity::Info);
}

fn apiops_folder() -> Vec<(String, String)> {
    let files = [
        ("policy.xml", policy(Scope::Global)),
        ("apis/orders/apiInformation.json", "{}".to_string()),
        ("apis/orders/policy.xml", policy(Scope::Api)),
        ("apis/orders/operations/get-order/policy.xml", policy(Scope::Operation)),
        ("products/starter/policy.xml", policy(Scope::Product)),
        ("policy fragments/backend-context/policy.xml", policy(Scope::Fragment)),
        (
            "policy fragments/backend-context/policyFragmentInformation.json",
            "{\"properties\": {\"description\": \"x\"}}".to_string(),
        ),
        (
            "named values/backend-url/namedValueInformation.json",
            "{\"properties\": {\"displayName\": \"backend-url\", \"value\": \"https://b\", \"secret\": false, \"tags\": [\"t\"]}}".to_string(),
        ),
        (
            "named values/kv-backend-key/namedValueInformation.json",
            "{\"properties\": {\"displayName\": \"kv-backend-key\", \"secret\": true, \"keyVault\": {\"secretIdentifier\": \"https://contoso-kv.vault.azure.net/secrets/backend-key\"}}}".to_string(),
        ),
        (
            "named values/api-key/namedValueInformation.json",
            "{\"properties\": {\"displayName\": \"api-key\", \"secret\": true, \"value\": \"leaked-by-someone\"}}".to_string(),
        ),
        ("workspaces/ws1/apis/a/policy.xml", "<policies />".to_string()),
        ("misc/policy.xml", "<policies />".to_string()),
    ];
    files.into_iter().map(|(p, c)| (p.to_string(), c)).collect()
}

#[test]
fn an_apiops_folder_gives_back_every_scope() {
    let import = import_apiops(&apiops_folder()).unwrap();
    for scope in SCOPES {
        let p = import.policies.iter().find(|p| p.scope == scope).unwrap();
        assert_eq!(p.xml, policy(scope), "{scope:?}");
    }
    let op = import
        .policies
        .iter()
        .find(|p| p.scope == Scope::Operation)
        .unwrap();
    assert_eq!(
        (op.api.as_deref(), op.operation.as_deref()),
        (Some("orders"), Some("get-order"))
    );
    let names: Vec<(&str, &ImportedValue)> = import
        .named_values
        .iter()
        .map(|nv| (nv.display_name.as_str(), &nv.value))
        .collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&("api-key", &ImportedValue::Secret { parameter: None })));
    // The secret in the file is reported, never returned.
    assert!(!format!("{import:?}").contains("leaked-by-someone"));
    let messages: Vec<&str> = import
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.starts_with("workspaces/")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("misc/policy.xml")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("'api-key' is stored in the file")),
        "{messages:?}"
    );
}

#[test]
fn windows_paths_and_byte_order_marks_are_fine() {
    let files = vec![(
        "apis\\orders\\policy.xml".to_string(),
        format!("\u{feff}{}", policy(Scope::Api)),
    )];
    let import = import_apiops(&files).unwrap();
    assert_eq!(import.policies[0].xml, policy(Scope::Api));
    assert!(import_apiops(&[]).is_err());
}
