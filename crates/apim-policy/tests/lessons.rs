//! Workshop lessons: the built-in course (every solution passes, every start fails step 1),
//! every check kind (a passing and a failing case each), loading errors with file:line:column,
//! "could not run" never passing, and bundles.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::lesson::{self, Lesson, Status};
use std::path::{Path, PathBuf};

fn course_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../courses/key-vault-workshop")
}

fn disk_reader(dir: &Path) -> impl Fn(&str) -> Result<String, String> + '_ {
    move |rel: &str| std::fs::read_to_string(dir.join(rel)).map_err(|e| e.to_string())
}

fn builtin() -> lesson::Course {
    let dir = course_dir();
    let text = std::fs::read_to_string(dir.join("course.json")).unwrap();
    lesson::load_course("course.json", &text, &disk_reader(&dir))
}

#[test]
fn the_builtin_course_loads_and_every_lesson_is_solvable() {
    let course = builtin();
    assert!(course.errors.is_empty(), "{:#?}", course.errors);
    assert_eq!(course.id, "key-vault-workshop");
    let kv = course
        .lessons
        .iter()
        .filter(|l| l.id.starts_with("kv-"))
        .count();
    let others = course.lessons.len() - kv;
    assert!(kv >= 8, "{kv} Key Vault lessons");
    assert!(others >= 4, "{others} other lessons");
    for l in &course.lessons {
        assert!(
            (2..=5).contains(&l.steps.len()),
            "{}: {} steps",
            l.id,
            l.steps.len()
        );
        assert!(l.text.len() > 200, "{}: the lesson text should teach", l.id);
        for (i, s) in l.steps.iter().enumerate() {
            assert!(
                s.hint.as_deref().is_some_and(|h| !h.is_empty()),
                "{} step {}: no hint",
                l.id,
                i + 1
            );
        }
        let sol_scenario = l
            .solution
            .scenario
            .as_deref()
            .or(l.start.scenario.as_deref());
        let solved = lesson::check(l, &l.solution.policy, sol_scenario);
        assert!(solved.passed, "{}: the solution fails: {solved:#?}", l.id);
        let started = lesson::check(l, &l.start.policy, l.start.scenario.as_deref());
        assert_ne!(
            started.steps[0].status,
            Status::Passed,
            "{}: the start passes step 1",
            l.id
        );
        assert!(!started.passed);
        assert!(
            lesson::validate(l).is_empty(),
            "{}: {:?}",
            l.id,
            lesson::validate(l)
        );
    }
}

#[test]
fn a_bundle_holds_the_same_course_and_needs_no_files() {
    let course = builtin();
    let text = lesson::bundle(&course);
    let again = lesson::load_bundle("key-vault-workshop.json", &text);
    assert!(again.errors.is_empty(), "{:#?}", again.errors);
    assert_eq!(again.lessons.len(), course.lessons.len());
    assert_eq!(again.title, course.title);
    for (a, b) in course.lessons.iter().zip(&again.lessons) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.start.policy, b.start.policy);
        assert_eq!(a.solution.policy, b.solution.policy);
        assert_eq!(a.start_scenario, b.start_scenario);
        assert_eq!(a.steps.len(), b.steps.len());
        for (x, y) in a.steps.iter().zip(&b.steps) {
            assert_eq!(x.check, y.check, "{}", a.id);
        }
        assert!(lesson::validate(b).is_empty(), "{}", b.id);
        // The student's starting scenario text is the bundle's JSON, readable on its own.
        if let Some(t) = &b.start.scenario {
            assert!(
                apim_policy::scenario::Scenario::from_json(t).is_ok(),
                "{}: {t}",
                b.id
            );
            assert!(t.starts_with('{') && t.ends_with("}\n"), "{}: {t:?}", b.id);
        }
    }
    assert!(!text.contains("policy_file") && !text.contains("scenario_file"));
}

// ---------------------------------------------------------------------------------------------
// Inline lessons for the check kinds.

const POLICY: &str = r#"<policies>
  <inbound>
    <base />
    <set-header name="x-api-key" exists-action="override">
      <value>{{backend-api-key}}</value>
    </set-header>
    <set-variable name="who" value="ada" />
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
    <set-header name="X-Served-By" exists-action="override">
      <value>gateway</value>
    </set-header>
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>"#;

const LEAKY: &str = r#"<policies>
  <inbound>
    <base />
    <trace source="t"><message>@("key " + "{{backend-api-key}}")</message></trace>
  </inbound>
  <backend><base /></backend>
  <outbound>
    <base />
    <set-header name="X-Key" exists-action="override"><value>{{backend-api-key}}</value></set-header>
    <set-body>{"key": "{{backend-api-key}}"}</set-body>
  </outbound>
  <on-error><base /></on-error>
</policies>"#;

fn scenario(permissions: &str) -> String {
    format!(
        r#"{{
  "api": {{ "name": "orders", "path": "orders", "service_url": "https://backend.contoso.com/api",
           "operation": {{ "name": "get-order", "method": "GET", "url_template": "/items/{{id}}" }} }},
  "named_values": [
    {{ "name": "backend-api-key",
      "key_vault": {{ "secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-api-key" }} }},
    {{ "name": "plain-one", "value": "hello" }},
    {{ "name": "secret-one", "value": "hunter2", "secret": true }},
    {{ "name": "pinned", "key_vault": {{ "secret_identifier": "https://contoso-kv.vault.azure.net/secrets/backend-api-key/0123abcd",
                                      "identity_client_id": "11111111-2222-3333-4444-555555555555" }} }}
  ],
  "key_vaults": [ {{ "name": "contoso-kv", "access": "access-policy", "apim_permissions": {permissions},
                    "secrets": [ {{ "name": "backend-api-key", "value": "s3cr3t-from-vault" }} ] }} ],
  "backend": {{ "status": 200, "headers": {{ "Content-Type": ["application/json"] }}, "body": "{{\"id\":\"42\",\"items\":[{{\"sku\":\"A-1\"}}]}}" }},
  "now": "2026-01-01T00:00:00Z",
  "request": {{ "method": "GET", "url": "https://contoso.azure-api.net/orders/items/42", "headers": {{}}, "body": "" }}
}}"#
    )
}

/// A one-step lesson around `check` (JSON text), its start and solution both `POLICY`.
fn one_step(check: &str) -> Result<Lesson, Vec<lesson::LoadError>> {
    let text = format!(
        r#"{{
  "id": "t",
  "title": "T",
  "text": "x",
  "start": {{ "policy": {policy}, "scenario": {scenario} }},
  "solution": {{ "policy": {policy} }},
  "steps": [ {{ "title": "only", "hint": "h", "check": {check} }} ]
}}"#,
        policy = serde_json::to_string(POLICY).unwrap(),
        scenario = scenario(r#"["get", "list"]"#),
    );
    let no_files = |p: &str| -> Result<String, String> { Err(format!("no file {p}")) };
    lesson::load_lesson("t.json", &text, &no_files)
}

fn status(check: &str, policy: &str, scenario: Option<&str>) -> (Status, Vec<String>) {
    let l = one_step(check).unwrap_or_else(|e| panic!("{check}: {e:?}"));
    let r = lesson::check(&l, policy, scenario);
    (r.steps[0].status, r.steps[0].problems.clone())
}

fn passes(check: &str) {
    let (s, p) = status(check, POLICY, None);
    assert_eq!(s, Status::Passed, "{check}: {p:?}");
}

fn fails(check: &str, needle: &str) {
    fails_with(check, POLICY, None, needle);
}

fn fails_with(check: &str, policy: &str, scenario: Option<&str>, needle: &str) {
    let (s, p) = status(check, policy, scenario);
    assert_eq!(s, Status::Failed, "{check}: {p:?}");
    assert!(
        p.iter().any(|m| m.contains(needle)),
        "{check}: {p:?} lacks {needle:?}"
    );
}

#[test]
fn lint_checks() {
    passes(r#"{"kind": "lint-no-errors"}"#);
    fails_with(
        r#"{"kind": "lint-no-errors"}"#,
        "<policies><inbound><key-vault-configuration /></inbound></policies>",
        None,
        "APIM0105",
    );
    passes(r#"{"kind": "lint-lacks", "code": "APIM0105"}"#);
    fails_with(
        r#"{"kind": "lint-lacks", "code": "APIM0105"}"#,
        "<policies><inbound><key-vault-configuration /></inbound></policies>",
        None,
        "[APIM0105]",
    );
    fails(
        r#"{"kind": "lint-has", "code": "APIM0105"}"#,
        "does not report APIM0105",
    );
    let (s, _) = status(
        r#"{"kind": "lint-has", "code": "APIM0105"}"#,
        "<policies><inbound><key-vault-configuration /></inbound></policies>",
        None,
    );
    assert_eq!(s, Status::Passed);
}

#[test]
fn policy_presence_and_counts() {
    passes(r#"{"kind": "policy-present", "policy": "set-header"}"#);
    passes(
        r#"{"kind": "policy-present", "policy": "set-header", "section": "outbound", "max": 1}"#,
    );
    passes(r#"{"kind": "policy-present", "policy": "set-header", "min": 2, "max": 2}"#);
    fails(
        r#"{"kind": "policy-present", "policy": "set-header", "min": 3}"#,
        "at least 3",
    );
    fails(
        r#"{"kind": "policy-present", "policy": "set-header", "max": 1}"#,
        "at most 1",
    );
    fails(
        r#"{"kind": "policy-present", "policy": "cors", "section": "inbound"}"#,
        "no <cors> in inbound",
    );
    passes(r#"{"kind": "policy-absent", "policy": "cors"}"#);
    passes(r#"{"kind": "policy-absent", "policy": "set-variable", "section": "outbound"}"#);
    fails(
        r#"{"kind": "policy-absent", "policy": "set-variable"}"#,
        "remove it",
    );
}

#[test]
fn match_checks_use_the_path_syntax() {
    passes(
        r#"{"kind": "match", "path": "inbound/set-header[@name='x-api-key']/value[named-value('backend-api-key')]"}"#,
    );
    passes(r#"{"kind": "match", "path": "//set-header", "min": 2, "max": 2}"#);
    passes(r#"{"kind": "match", "path": "outbound/set-header/value[literal()]"}"#);
    passes(r#"{"kind": "match", "path": "inbound/set-header/value[literal()]", "absent": true}"#);
    fails(
        r#"{"kind": "match", "path": "inbound/set-header[@name='X-Other']"}"#,
        "no elements matching `inbound/set-header[@name='X-Other']`",
    );
    fails(
        r#"{"kind": "match", "path": "inbound/set-header[@name='x-api-key']/value[literal()]",
            "message": "set-header x-api-key still holds a literal; use {{backend-api-key}}"}"#,
        "set-header x-api-key still holds a literal; use {{backend-api-key}}",
    );
    fails(
        r#"{"kind": "match", "path": "//set-header", "absent": true}"#,
        "remove them",
    );
}

#[test]
fn simulate_checks() {
    passes(
        r#"{"kind": "simulate", "outcome": "forwarded", "status": 200, "backend_called": true}"#,
    );
    fails(
        r#"{"kind": "simulate", "outcome": "returned"}"#,
        "ended 'forwarded'",
    );
    fails(r#"{"kind": "simulate", "status": 404}"#, "status is 200");
    fails(
        r#"{"kind": "simulate", "backend_called": false}"#,
        "the backend was called",
    );
    passes(r#"{"kind": "simulate", "backend_header": {"name": "X-API-KEY", "equals": "***"}}"#);
    fails(
        r#"{"kind": "simulate", "backend_header": {"name": "x-api-key", "equals": "plain"}}"#,
        "is '***'",
    );
    fails(
        r#"{"kind": "simulate", "backend_header": {"name": "x-api-key", "absent": true}}"#,
        "still has the header",
    );
    passes(
        r#"{"kind": "simulate", "response_header": {"name": "X-Served-By", "contains": "gate"}}"#,
    );
    fails(
        r#"{"kind": "simulate", "response_header": {"name": "X-Nope"}}"#,
        "has no header X-Nope",
    );
    passes(
        r#"{"kind": "simulate", "body": {"contains": "\"id\"", "not_contains": "s3cr3t", "json_path": "$.items[0].sku", "json_equals": "A-1"}}"#,
    );
    fails(
        r#"{"kind": "simulate", "body": {"json_path": "$.items[0].sku", "json_equals": "B"}}"#,
        "at $.items[0].sku",
    );
    fails(
        r#"{"kind": "simulate", "body": {"equals": "{}"}}"#,
        "expected '{}'",
    );
    fails(
        r#"{"kind": "simulate", "body": {"not_contains": "42"}}"#,
        "still contains '42'",
    );
    passes(r#"{"kind": "simulate", "variable": {"name": "who", "equals": "ada"}}"#);
    fails(
        r#"{"kind": "simulate", "variable": {"name": "who", "equals": "bob"}}"#,
        "expected \"bob\"",
    );
    fails(
        r#"{"kind": "simulate", "variable": {"name": "nobody"}}"#,
        "is not set",
    );
    passes(
        r#"{"kind": "simulate", "trace": {"policy": "key-vault", "section": "inbound", "message_contains": "resolved from Key Vault"}}"#,
    );
    fails(
        r#"{"kind": "simulate", "trace": {"policy": "send-request"}}"#,
        "lacks a send-request step",
    );
    fails(
        r#"{"kind": "simulate", "trace": {"policy": "set-header", "absent": true}}"#,
        "still has a set-header step",
    );
    passes(r#"{"kind": "simulate", "error": {"absent": true}}"#);
    fails(
        r#"{"kind": "simulate", "error": {"reason": "Forbidden"}}"#,
        "raised no error",
    );
    // The student's scenario: the vault grants nothing, so the named value fails with 403.
    let denied = scenario("[]");
    fails_with(
        r#"{"kind": "simulate", "outcome": "forwarded"}"#,
        POLICY,
        Some(&denied),
        "Forbidden",
    );
    let (s, _) = status(
        r#"{"kind": "simulate", "error": {"reason": "Forbidden", "message_contains": "contoso-kv"}, "status": 500}"#,
        POLICY,
        Some(&denied),
    );
    assert_eq!(s, Status::Passed);
    // "lesson" ignores the student's scenario.
    let (s, _) = status(
        r#"{"kind": "simulate", "scenario": "lesson", "outcome": "forwarded"}"#,
        POLICY,
        Some(&denied),
    );
    assert_eq!(s, Status::Passed);
    // A request number beyond the scenario's.
    fails(
        r#"{"kind": "simulate", "request": 3, "outcome": "forwarded"}"#,
        "looks at request 3",
    );
}

#[test]
fn secrets_must_not_reach_the_caller_or_the_trace() {
    let all =
        r#"{"kind": "simulate", "secret_not_in": ["response_headers", "response_body", "trace"]}"#;
    passes(all);
    let (s, p) = status(all, LEAKY, None);
    assert_eq!(s, Status::Failed);
    assert!(
        p.iter()
            .any(|m| m.contains("header X-Key carries a secret")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains("response body carries a secret")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains("<trace> (line 4) writes a secret")),
        "{p:?}"
    );
}

#[test]
fn export_checks() {
    passes(
        r#"{"kind": "export", "target": "arm", "resource_type": "Microsoft.KeyVault/vaults/accessPolicies"}"#,
    );
    passes(
        r#"{"kind": "export", "target": "bicep", "resource_type": "Microsoft.ApiManagement/service/namedValues"}"#,
    );
    passes(
        r#"{"kind": "export", "target": "terraform", "resource_type": "azurerm_key_vault_access_policy"}"#,
    );
    fails(
        r#"{"kind": "export", "target": "arm", "resource_type": "Microsoft.Authorization/roleAssignments"}"#,
        "deploys no Microsoft.Authorization/roleAssignments (it has: ",
    );
    // Bicep's `existing` declarations are not deployed resources.
    fails(
        r#"{"kind": "export", "target": "bicep", "resource_type": "Microsoft.ApiManagement/service"}"#,
        "deploys no",
    );
    // Without a scenario there is no named value to deploy with a vault permission.
    fails(
        r#"{"kind": "export", "target": "arm", "scenario": "none", "resource_type": "Microsoft.KeyVault/vaults/accessPolicies"}"#,
        "deploys no",
    );
}

#[test]
fn named_value_checks() {
    passes(
        r#"{"kind": "named-value", "name": "Backend-Api-Key", "type": "key_vault", "identifier": "versionless", "identity": "system"}"#,
    );
    passes(r#"{"kind": "named-value", "name": "plain-one", "type": "plain"}"#);
    passes(r#"{"kind": "named-value", "name": "secret-one", "type": "secret"}"#);
    passes(
        r#"{"kind": "named-value", "name": "pinned", "identifier": "versioned", "identity": "user"}"#,
    );
    passes(
        r#"{"kind": "named-value", "name": "pinned", "identity": "11111111-2222-3333-4444-555555555555"}"#,
    );
    passes(r#"{"kind": "named-value", "name": "gone", "absent": true}"#);
    fails(
        r#"{"kind": "named-value", "name": "plain-one", "type": "key_vault"}"#,
        "is a plain value; it should be a Key Vault reference",
    );
    fails(
        r#"{"kind": "named-value", "name": "secret-one", "type": "plain"}"#,
        "is a secret value",
    );
    fails(
        r#"{"kind": "named-value", "name": "pinned", "identifier": "versionless"}"#,
        "drop the version",
    );
    fails(
        r#"{"kind": "named-value", "name": "backend-api-key", "identifier": "versioned"}"#,
        "has no version",
    );
    fails(
        r#"{"kind": "named-value", "name": "pinned", "identity": "system"}"#,
        "remove identity_client_id",
    );
    fails(
        r#"{"kind": "named-value", "name": "backend-api-key", "identity": "user"}"#,
        "set identity_client_id",
    );
    fails(
        r#"{"kind": "named-value", "name": "missing"}"#,
        "declares no named value 'missing'",
    );
    fails(
        r#"{"kind": "named-value", "name": "plain-one", "absent": true}"#,
        "still declares",
    );
}

#[test]
fn key_vault_access_checks() {
    passes(
        r#"{"kind": "key-vault-access", "vault": "contoso-kv", "permissions": ["get", "list"], "model": "access-policy"}"#,
    );
    fails(
        r#"{"kind": "key-vault-access", "vault": "contoso-kv", "permissions": ["get"], "model": "rbac"}"#,
        "uses access policies; this step wants Azure RBAC",
    );
    fails(
        r#"{"kind": "key-vault-access", "vault": "other-kv", "permissions": ["get"]}"#,
        "no Key Vault 'other-kv'",
    );
    fails_with(
        r#"{"kind": "key-vault-access", "vault": "contoso-kv", "permissions": ["get", "list"]}"#,
        POLICY,
        Some(&scenario(r#"["get"]"#)),
        "the secret permission list",
    );
}

#[test]
fn combinators_all_any_not_and_custom_messages() {
    passes(r#"[{"kind": "policy-present", "policy": "base"}, {"kind": "lint-no-errors"}]"#);
    passes(r#"{"kind": "all", "checks": [{"kind": "policy-present", "policy": "base"}]}"#);
    let (s, p) = status(
        r#"{"kind": "all", "checks": [{"kind": "policy-present", "policy": "cors"}, {"kind": "policy-present", "policy": "quota"}]}"#,
        POLICY,
        None,
    );
    assert_eq!(s, Status::Failed);
    assert_eq!(p.len(), 2, "every failing part is listed: {p:?}");
    passes(
        r#"{"kind": "any", "checks": [{"kind": "policy-present", "policy": "cors"}, {"kind": "policy-present", "policy": "base"}]}"#,
    );
    fails(
        r#"{"kind": "any", "checks": [{"kind": "policy-present", "policy": "cors"}, {"kind": "policy-present", "policy": "quota"}]}"#,
        "none of these holds",
    );
    passes(r#"{"kind": "not", "check": {"kind": "policy-present", "policy": "cors"}}"#);
    fails(
        r#"{"kind": "not", "check": {"kind": "policy-present", "policy": "base"}}"#,
        "must not hold: the policy has <base>",
    );
    fails(
        r#"{"kind": "not", "check": {"kind": "policy-present", "policy": "base"}, "message": "no base here"}"#,
        "no base here",
    );
}

#[test]
fn a_check_that_cannot_run_never_passes() {
    let broken = "<policies><inbound><set-header name=\"a\"></inbound></policies>";
    let bad_json = "{ \"request\": ";
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            r#"{"kind": "policy-absent", "policy": "cors"}"#,
            broken,
            None,
        ),
        (
            r#"{"kind": "match", "path": "//x", "absent": true}"#,
            broken,
            None,
        ),
        (
            r#"{"kind": "not", "check": {"kind": "policy-present", "policy": "cors"}}"#,
            broken,
            None,
        ),
        (
            r#"{"kind": "not", "check": {"kind": "simulate", "outcome": "returned"}}"#,
            broken,
            None,
        ),
        (
            r#"{"kind": "any", "checks": [{"kind": "policy-present", "policy": "cors"}, {"kind": "simulate", "status": 1}]}"#,
            broken,
            None,
        ),
        (
            r#"{"kind": "simulate", "error": {"absent": true}}"#,
            POLICY,
            Some(bad_json),
        ),
        (r#"{"kind": "lint-no-errors"}"#, POLICY, Some(bad_json)),
        (
            r#"{"kind": "named-value", "name": "x", "absent": true}"#,
            POLICY,
            Some(bad_json),
        ),
        (
            r#"{"kind": "not", "check": {"kind": "named-value", "name": "x"}}"#,
            POLICY,
            Some(bad_json),
        ),
        (
            r#"{"kind": "export", "target": "arm", "resource_type": "x"}"#,
            broken,
            None,
        ),
        (
            r#"{"kind": "simulate", "outcome": "forwarded"}"#,
            POLICY,
            Some(r#"{"request": {"url": "not a url"}}"#),
        ),
    ];
    for (check, policy, scenario) in cases {
        let (s, p) = status(check, policy, *scenario);
        assert_eq!(
            s,
            Status::CouldNotRun,
            "{check} on {policy:?} / {scenario:?}: {p:?}"
        );
        assert!(!p.is_empty());
    }
    let (_, p) = status(r#"{"kind": "lint-no-errors"}"#, POLICY, Some(bad_json));
    assert!(
        p[0].contains("your scenario is not valid (line 1, column"),
        "{p:?}"
    );
    let (_, p) = status(
        r#"{"kind": "policy-absent", "policy": "cors"}"#,
        broken,
        None,
    );
    assert!(
        p[0].contains("the policy does not parse (line 1, column"),
        "{p:?}"
    );
    // The parser's own codes can be checked on a policy that does not parse (the linter reads
    // any text); a rule's code cannot: lacking APIM0105 on a broken tree would pass vacuously.
    let (s, _) = status(r#"{"kind": "lint-has", "code": "APIM0001"}"#, broken, None);
    assert_ne!(s, Status::CouldNotRun);
    for check in [
        r#"{"kind": "lint-lacks", "code": "APIM0105"}"#,
        r#"{"kind": "lint-has", "code": "APIM0105"}"#,
        r#"{"kind": "not", "check": {"kind": "lint-lacks", "code": "APIM0602"}}"#,
    ] {
        let (s, p) = status(check, broken, None);
        assert_eq!(s, Status::CouldNotRun, "{check}: {p:?}");
        assert!(p[0].contains("the policy does not parse"), "{p:?}");
    }
    let (s, _) = status(
        r#"{"kind": "lint-lacks", "code": "APIM0105"}"#,
        POLICY,
        None,
    );
    assert_eq!(s, Status::Passed);
}

// ---------------------------------------------------------------------------------------------
// Loading errors.

fn load_err(check: &str) -> lesson::LoadError {
    let e = one_step(check).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    e.into_iter().next().unwrap()
}

/// The 1-based line/column of `needle`'s first byte in the lesson text `one_step` builds.
fn pos_of(check: &str, needle: &str) -> (usize, usize) {
    let text = format!(
        r#"{{
  "id": "t",
  "title": "T",
  "text": "x",
  "start": {{ "policy": {policy}, "scenario": {scenario} }},
  "solution": {{ "policy": {policy} }},
  "steps": [ {{ "title": "only", "hint": "h", "check": {check} }} ]
}}"#,
        policy = serde_json::to_string(POLICY).unwrap(),
        scenario = scenario(r#"["get", "list"]"#),
    );
    let at = text.find(needle).unwrap();
    let idx = apim_policy::LineIndex::new(&text).line_col(at);
    (idx.line, idx.column)
}

#[test]
fn unknown_kinds_and_bad_paths_are_reported_where_they_are() {
    let check = r#"{"kind": "all", "checks": [{"kind": "lint-no-errors"}, {"kind": "polcy-present", "policy": "x"}]}"#;
    let e = load_err(check);
    assert!(
        e.message.contains("unknown check kind 'polcy-present'"),
        "{e}"
    );
    assert_eq!(
        (e.line, e.column),
        pos_of(check, "\"polcy-present\""),
        "{e}"
    );
    assert_eq!(e.file, "t.json");

    let check = r#"{"kind": "match", "path": "inbound/set-header[@name='x]"}"#;
    let e = load_err(check);
    assert!(
        e.message
            .starts_with("bad path: this string has no closing '"),
        "{e}"
    );
    // The column points at the opening quote of 'x inside the path string.
    let (line, col) = pos_of(check, "'x]");
    assert_eq!((e.line, e.column), (line, col), "{e}");

    for (check, needle, message) in [
        (
            r#"{"kind": "policy-present"}"#,
            "{\"kind\": \"policy-present\"}",
            "missing field `policy`",
        ),
        (
            r#"{"kind": "policy-present", "policy": "x", "sectoin": "inbound"}"#,
            "{\"kind\": \"policy-present\", \"policy\": \"x\", \"sectoin\"",
            "unknown field `sectoin`",
        ),
        (
            r#"{"kind": "policy-present", "policy": "x", "section": "inside"}"#,
            "\"inside\"",
            "'inside' is not a section",
        ),
        (
            r#"{"kind": "lint-has", "code": "APIM9999"}"#,
            "\"APIM9999\"",
            "not a diagnostic code",
        ),
        (
            r#"{"kind": "simulate", "outcome": "sideways"}"#,
            "{\"kind\": \"simulate\"",
            "unknown variant `sideways`",
        ),
        (
            r#"{"kind": "simulate", "scenario": "teacher"}"#,
            "\"teacher\"",
            "unknown scenario 'teacher'",
        ),
        (
            r#"{"kind": "simulate", "scenario_file": "x.json"}"#,
            "\"x.json\"",
            "cannot read 'x.json': no file x.json",
        ),
        (
            r#"{"kind": "simulate", "request": 0}"#,
            "0}",
            "counted from 1",
        ),
        (
            r#"{"kind": "simulate", "body": {"json_path": "$.a[x]", "json_equals": 1}}"#,
            "\"$.a[x]\"",
            "bad JSON path",
        ),
        (
            r#"{"kind": "export", "target": "pulumi", "resource_type": "x"}"#,
            "{\"kind\": \"export\"",
            "unknown variant `pulumi`",
        ),
        (r#"{"policy": "x"}"#, "{\"policy\"", "has no \"kind\""),
        (
            r#"{"kind": "not"}"#,
            "{\"kind\": \"not\"}",
            "needs \"check\"",
        ),
        (
            r#"{"kind": "any", "checks": []}"#,
            "[]",
            "empty list of checks",
        ),
        (
            r#"{"kind": "match", "path": "a", "absent": true, "min": 1}"#,
            "{\"kind\": \"match\"",
            "either absent or min/max",
        ),
        (
            r#"{"kind": "policy-present", "policy": "x", "min": 3, "max": 2}"#,
            "2}",
            "max (2) is below min (3)",
        ),
    ] {
        let e = load_err(check);
        assert!(e.message.contains(message), "{check}: {e}");
        assert_eq!((e.line, e.column), pos_of(check, needle), "{check}: {e}");
    }
}

#[test]
fn broken_lesson_files_give_file_line_and_column() {
    let no_files = |p: &str| -> Result<String, String> { Err(format!("no file {p}")) };
    // A JSON syntax error: serde_json's position.
    let e = lesson::load_lesson(
        "a/l.json",
        "{\n  \"id\": \"x\",\n  \"title\": 3\n}",
        &no_files,
    )
    .unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].file.as_str(), e[0].line), ("a/l.json", 3), "{}", e[0]);
    assert!(e[0].message.contains("invalid type"), "{}", e[0]);
    let e = lesson::load_lesson("l.json", "{\n  \"id\": \"x\",,\n}", &no_files).unwrap_err();
    assert_eq!((e[0].line, e[0].column), (2, 13), "{}", e[0]);
    // An unknown field of the lesson.
    let text = r#"{"id": "x", "title": "t", "start": {"policy": "<policies/>"}, "solution": {"policy": "<policies/>"}, "stepz": []}"#;
    let e = lesson::load_lesson("l.json", text, &no_files).unwrap_err();
    assert!(e[0].message.contains("unknown field `stepz`"), "{}", e[0]);
    // A referenced file that is missing: the error is at the reference.
    let text = "{\"id\": \"x\", \"title\": \"t\",\n \"start\": {\"policy_file\": \"start.xml\"},\n \"solution\": {\"policy\": \"<policies/>\"},\n \"steps\": [{\"title\": \"s\", \"check\": {\"kind\": \"lint-no-errors\"}}]}";
    let e = lesson::load_lesson("course/one/lesson.json", text, &no_files).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].line, e[0].column), (2, 27), "{}", e[0]);
    assert!(
        e[0].message.contains("cannot read 'course/one/start.xml'"),
        "{}",
        e[0]
    );
    // A referenced scenario that is not valid JSON: that file's position, and where it was referenced.
    let files = |p: &str| -> Result<String, String> {
        match p {
            "one/s.json" => Ok("{\n  \"request\": {\n    \"url\": 42\n  }\n}".into()),
            _ => Err("missing".into()),
        }
    };
    let text = "{\"id\": \"x\", \"title\": \"t\",\n \"start\": {\"policy\": \"<policies/>\", \"scenario_file\": \"s.json\"},\n \"solution\": {\"policy\": \"<policies/>\"},\n \"steps\": [{\"title\": \"s\", \"check\": {\"kind\": \"lint-no-errors\"}}]}";
    let e = lesson::load_lesson("one/lesson.json", text, &files).unwrap_err();
    assert_eq!(e[0].file, "one/s.json", "{}", e[0]);
    assert_eq!(e[0].line, 3, "{}", e[0]);
    assert!(
        e[0].message.contains("referenced at one/lesson.json:2:"),
        "{}",
        e[0]
    );
    // A bad id, a lesson without steps, both policy and policy_file.
    let text = r#"{"id": "Not OK", "title": "t", "start": {"policy": "a", "policy_file": "b"}, "solution": {"policy": "<policies/>"}, "steps": []}"#;
    let e = lesson::load_lesson("l.json", text, &no_files).unwrap_err();
    assert_eq!(e.len(), 3, "{e:?}");
    // "scenario": "lesson" needs a starting scenario.
    let text = r#"{"id": "x", "title": "t", "start": {"policy": "a"}, "solution": {"policy": "b"}, "steps": [{"title": "s", "check": {"kind": "simulate", "scenario": "lesson"}}]}"#;
    let e = lesson::load_lesson("l.json", text, &no_files).unwrap_err();
    assert!(
        e[0].message
            .contains("needs the lesson to have a starting scenario"),
        "{}",
        e[0]
    );
}

#[test]
fn one_broken_lesson_does_not_stop_the_course() {
    let good = r#"{"id": "good", "title": "t", "start": {"policy": "<policies/>"}, "solution": {"policy": "<policies><inbound><base /></inbound></policies>"}, "steps": [{"title": "s", "check": {"kind": "policy-present", "policy": "base"}}]}"#;
    let bad = "{\"id\": \"bad\", \"title\": \"t\",\n \"start\": {\"policy\": \"x\"}, \"solution\": {\"policy\": \"x\"},\n \"steps\": [{\"title\": \"s\", \"check\": {\"kind\": \"nope\"}}]}";
    let files = |p: &str| -> Result<String, String> {
        match p {
            "1/lesson.json" => Ok(good.into()),
            "2.json" => Ok(bad.into()),
            "3/lesson.json" => Ok(good.to_string()),
            _ => Err("No such file or directory".into()),
        }
    };
    let course = lesson::load_course(
        "course.json",
        r#"{"id": "c", "title": "C", "lessons": ["1", "2.json", "missing", "3/"]}"#,
        &files,
    );
    assert_eq!(course.lessons.len(), 1);
    assert_eq!(course.lessons[0].id, "good");
    let msgs: Vec<String> = course.errors.iter().map(ToString::to_string).collect();
    assert_eq!(msgs.len(), 3, "{msgs:#?}");
    assert!(
        msgs[0].starts_with("2.json:3:45: unknown check kind 'nope'"),
        "{msgs:#?}"
    );
    assert!(
        msgs[1].starts_with("course.json:1:54: cannot read 'missing/lesson.json'"),
        "{msgs:#?}"
    );
    assert!(msgs[2].contains("already has the id 'good'"), "{msgs:#?}");

    // The same in a bundle: positions are in the bundle file.
    let bundle = format!(
        "{{\"format\": \"apim-policy-course\", \"version\": 1, \"id\": \"c\", \"title\": \"C\",\n\"lessons\": [\n{good},\n{bad}\n]}}"
    );
    let course = lesson::load_bundle("b.json", &bundle);
    assert_eq!(course.lessons.len(), 1);
    assert_eq!(course.lessons[0].file, "b.json#/lessons/0");
    assert_eq!(course.errors.len(), 1, "{:?}", course.errors);
    assert_eq!(
        course.errors[0].to_string(),
        "b.json:6:45: unknown check kind 'nope'; the kinds are all, any, not, lint-no-errors, lint-has, lint-lacks, policy-present, policy-absent, match, simulate, export, named-value, key-vault-access"
    );
    // File references in a bundle are errors.
    let bundle = "{\"format\": \"apim-policy-course\", \"version\": 1, \"id\": \"c\", \"title\": \"C\", \"lessons\": [{\"id\": \"x\", \"title\": \"t\", \"start\": {\"policy_file\": \"a.xml\"}, \"solution\": {\"policy\": \"b\"}, \"steps\": [{\"title\": \"s\", \"check\": {\"kind\": \"lint-no-errors\"}}]}]}";
    let course = lesson::load_bundle("b.json", bundle);
    assert!(
        course.errors[0]
            .message
            .contains("a bundle is self-contained"),
        "{:?}",
        course.errors
    );
    // Not a bundle at all, and broken JSON.
    let course = lesson::load_bundle(
        "b.json",
        "{\"format\": \"zip\", \"version\": 1, \"id\": \"c\", \"title\": \"C\", \"lessons\": []}",
    );
    assert!(
        course.errors[0].message.contains("not a version 1"),
        "{:?}",
        course.errors
    );
    let course = lesson::load_bundle("b.json", "{\n\"format\": ");
    assert_eq!((course.errors[0].line, course.lessons.len()), (2, 0));
}

#[test]
fn validate_reports_a_solution_that_fails_and_a_start_that_passes() {
    let text = r#"{"id": "x", "title": "t", "start": {"policy": "<policies><inbound><base /></inbound></policies>"}, "solution": {"policy": "<policies><inbound /></policies>"}, "steps": [{"title": "has base", "check": {"kind": "policy-present", "policy": "base"}}]}"#;
    let no_files = |_: &str| -> Result<String, String> { Err("none".into()) };
    let l = lesson::load_lesson("x.json", text, &no_files).unwrap();
    let problems = lesson::validate(&l);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("the solution does not pass step 1 (has base)"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("the starting point already passes step 1"),
        "{problems:?}"
    );
}

#[test]
fn results_serialise_for_the_app() {
    let l = one_step(r#"{"kind": "policy-present", "policy": "cors"}"#).unwrap();
    let r = lesson::check(&l, POLICY, None);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["steps"][0]["status"], "failed");
    assert_eq!(v["steps"][0]["step"], 1);
    let lesson_json = serde_json::to_string(&l).unwrap();
    assert!(
        lesson_json.contains("\"kind\":\"policy-present\""),
        "{lesson_json}"
    );
}

#[test]
fn columns_count_characters_after_non_ascii_text() {
    let no_files = |_: &str| -> Result<String, String> { Err("none".into()) };
    let ascii =
        lesson::load_lesson("l.json", "{\"id\": \"e\", \"title\": 3}", &no_files).unwrap_err();
    let wide =
        lesson::load_lesson("l.json", "{\"id\": \"é\", \"title\": 3}", &no_files).unwrap_err();
    assert_eq!(
        ascii[0].column, wide[0].column,
        "{} vs {}",
        ascii[0], wide[0]
    );
}

#[test]
fn the_schema_and_the_guide_cover_every_check_kind() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let schema = std::fs::read_to_string(root.join("docs/lesson.schema.json")).unwrap();
    let guide = std::fs::read_to_string(root.join("docs/lessons.md")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let kinds: Vec<&str> = v["$defs"]["check"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["properties"]["kind"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, lesson::KINDS, "the schema's kinds");
    for k in lesson::KINDS {
        assert!(
            guide.contains(&format!("### `{k}`")),
            "docs/lessons.md has no section for {k}"
        );
    }
}

/// The JSON Schema accepts the built-in course (folder files and bundle) and rejects common
/// mistakes; needs python3 with jsonschema (as the ARM schema test does).
#[test]
fn the_schema_validates_the_course_files() {
    use std::process::Command;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bundle = lesson::bundle(&builtin());
    let tmp = std::env::temp_dir().join(format!("apim-lesson-schema-{}.json", std::process::id()));
    std::fs::write(&tmp, bundle).unwrap();
    let script = r#"
import json, sys, glob, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
files = sorted(glob.glob(sys.argv[2] + '/**/lesson.json', recursive=True)) + [sys.argv[2] + '/course.json', sys.argv[3]]
bad = 0
for f in files:
    for e in v.iter_errors(json.load(open(f))):
        print(f, e.message[:300]); bad += 1
lesson = json.load(open(files[0]))
for mistake in ({"kind": "polcy-present", "policy": "x"}, {"kind": "match"}, {"kind": "simulate", "outcome": "ok"}):
    lesson["steps"][0]["check"] = mistake
    if v.is_valid(lesson):
        print("accepted", mistake); bad += 1
print(len(files), "files")
sys.exit(1 if bad else 0)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(root.join("docs/lesson.schema.json"))
        .arg(course_dir())
        .arg(&tmp)
        .output()
        .expect("python3 with jsonschema is needed (scripts/setup.sh installs it)");
    let _ = std::fs::remove_file(&tmp);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn load_tells_lessons_courses_and_bundles_apart() {
    let course = builtin();
    let bundle = lesson::bundle(&course);
    let none = |_: &str| -> Result<String, String> { Err("none".into()) };
    let b = lesson::load_any("b.json", &bundle, &none);
    assert_eq!((b.lessons.len(), b.errors.len()), (14, 0));
    let dir = course_dir();
    let c = lesson::load_any(
        "course.json",
        &std::fs::read_to_string(dir.join("course.json")).unwrap(),
        &disk_reader(&dir),
    );
    assert_eq!((c.lessons.len(), c.errors.len()), (14, 0));
    let l = lesson::load_any(
        "01-not-a-policy/lesson.json",
        &std::fs::read_to_string(dir.join("01-not-a-policy/lesson.json")).unwrap(),
        &disk_reader(&dir),
    );
    assert_eq!((l.lessons.len(), l.errors.len()), (1, 0));
    assert_eq!(l.id, "kv-not-a-policy");
    let broken = lesson::load_any("x.json", "{\"steps\": [", &none);
    assert_eq!((broken.lessons.len(), broken.errors.len()), (0, 1));
}

#[test]
fn a_lesson_view_is_plain_data_without_checks() {
    let course = builtin();
    let l = &course.lessons[0];
    let v = l.view();
    assert_eq!(v.steps.len(), l.steps.len());
    assert_eq!(v.start.policy, l.start.policy);
    assert!(
        v.steps[0].check.contains("APIM0105"),
        "{}",
        v.steps[0].check
    );
    let json = serde_json::to_string(&v).unwrap();
    let back: lesson::LessonView = serde_json::from_str(&json).unwrap();
    assert_eq!(back, v);
}
