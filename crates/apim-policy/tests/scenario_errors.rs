//! What reading a scenario says, exactly: the messages and positions of serde's derived
//! readers, which `scenario.rs`'s hand-written `read_fields!` readers replaced (to shrink the web
//! app). Every row was recorded from the derived readers; the app shows these messages as they
//! are (`scenario-json-error`), and a browser test matches one of them.

use apim_policy::scenario::Scenario;

/// (scenario JSON, what `Scenario::from_json` gives: the error as displayed, or `ok: ` and the
/// scenario written back, whitespace collapsed).
const CASES: &[(&str, &str)] = &[
    (
        "{\n  \"request\": {\"method\": 5}\n}",
        "line 2, column 25: invalid type: integer `5`, expected a string",
    ),
    (
        "{\"backend\": {\"status\": \"abc\"}}",
        "line 1, column 28: invalid type: string \"abc\", expected u16",
    ),
    (
        "{\"backend\": {\"status\": 70000}}",
        "line 1, column 28: invalid value: integer `70000`, expected u16",
    ),
    (
        "{\"backend\": {\"status\": -1}}",
        "line 1, column 25: invalid value: integer `-1`, expected u16",
    ),
    (
        "{\"backend\": {\"status\": 1.5}}",
        "line 1, column 26: invalid type: floating point `1.5`, expected u16",
    ),
    (
        "{\"backend\": {\"status\": null}}",
        "line 1, column 27: invalid type: null, expected u16",
    ),
    (
        "{\"backend\": \"x\"}",
        "line 1, column 15: invalid type: string \"x\", expected struct HttpResponse",
    ),
    (
        "{\"backend\": 3}",
        "line 1, column 13: invalid type: integer `3`, expected struct HttpResponse",
    ),
    (
        "{\"backend\": []}",
        "ok: { \"backend\": { \"status\": 200, \"headers\": {}, \"body\": \"\" } }",
    ),
    (
        "{\"backend\": [200]}",
        "ok: { \"backend\": { \"status\": 200, \"headers\": {}, \"body\": \"\" } }",
    ),
    (
        "{\"api\": {\"name\": \"a\", \"name\": \"b\"}}",
        "line 1, column 28: duplicate field `name`",
    ),
    (
        "{\"api\": {\"name\": \"a\"}, \"api\": {\"name\": \"b\"}}",
        "line 1, column 28: duplicate field `api`",
    ),
    (
        "{\"backends\": [{\"id\": \"a\", \"type\": \"nope\"}]}",
        "line 1, column 40: unknown variant `nope`, expected `single` or `pool`",
    ),
    (
        "{\"backends\": [{\"id\": \"a\", \"type\": 1}]}",
        "line 1, column 35: expected value",
    ),
    (
        "{\"backends\": [{\"id\": \"a\", \"credentials\": null}]}",
        "line 1, column 45: invalid type: null, expected struct BackendCredentials",
    ),
    (
        "{\"backends\": [{\"id\": \"a\", \"pool\": {\"services\": [{\"id\": \"b\", \"weight\": -2}]}}]}",
        "line 1, column 72: invalid value: integer `-2`, expected u32",
    ),
    (
        "{\"backends\": [{\"id\": \"a\", \"circuit_breaker\": {\"rules\": [{\"failure_condition\": {\"status_code_ranges\": [{\"min\": \"x\"}]}}]}}]}",
        "line 1, column 113: invalid type: string \"x\", expected u16",
    ),
    (
        "{\"content_safety\": {\"categories\": {\"Hate\": 300}}}",
        "line 1, column 46: invalid value: integer `300`, expected u8",
    ),
    (
        "{\"key_vaults\": [{\"name\": \"v\", \"access\": \"rbac\", \"secrets\": [{\"name\": \"s\", \"enabled\": \"yes\"}]}]}",
        "line 1, column 90: invalid type: string \"yes\", expected a boolean",
    ),
    (
        "{\"identity\": {\"type\": \"weird\"}}",
        "line 1, column 29: unknown variant `weird`, expected one of `system`, `user`, `system-and-user`, `none`",
    ),
    (
        "{\"named_values\": [{\"name\": \"n\", \"key_vault\": {\"secret_identifier\": 5}}]}",
        "line 1, column 68: invalid type: integer `5`, expected a string",
    ),
    (
        "{\"unknown\": {\"deep\": [1, 2, {\"x\": null}]}, \"now\": \"t\"}",
        "ok: { \"now\": \"t\" }",
    ),
    ("[]", "ok: {}"),
    (
        "{\"backend\": [201, {\"a\": \"b\"}, \"body\", 5, 6]}",
        "line 1, column 42: trailing characters",
    ),
    (
        "{\"backend\": [201, {\"a\": \"b\"}, \"body\", 5]}",
        "ok: { \"backend\": { \"status\": 201, \"headers\": { \"a\": [ \"b\" ] }, \"body\": \"body\", \"delay_ms\": 5 } }",
    ),
    (
        "{\"backend\": [201, 7]}",
        "line 1, column 19: invalid type: integer `7`, expected an object of header names to a list of values (or one string)",
    ),
    (
        "null",
        "line 1, column 4: invalid type: null, expected struct Scenario",
    ),
    (
        "{\"request\": {\"headers\": {\"a\": 5}}}",
        "line 1, column 31: invalid type: integer `5`, expected a string or a list of strings",
    ),
    (
        "{\"requests\": [{\"url\": \"u\", \"content_safety\": {\"attack_detected\": 1}}]}",
        "line 1, column 66: invalid type: integer `1`, expected a boolean",
    ),
    (
        "{\"http_mocks\": [{\"url_prefix\": \"p\",\n \"delay_ms\": \"x\"}]}",
        "line 2, column 16: invalid type: string \"x\", expected u64",
    ),
    (
        "{\"scopes\": {\"global\": 1}}",
        "line 1, column 23: invalid type: integer `1`, expected a string",
    ),
];

fn outcome(json: &str) -> String {
    match Scenario::from_json(json) {
        Ok(s) => format!(
            "ok: {}",
            s.to_json_pretty()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Err(e) => e.to_string(),
    }
}

#[test]
fn messages_and_positions_are_serde_derives() {
    let mut wrong = Vec::new();
    for (json, expected) in CASES {
        let got = outcome(json);
        if got != *expected {
            wrong.push(format!("{json}\n  expected: {expected}\n  got:      {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
