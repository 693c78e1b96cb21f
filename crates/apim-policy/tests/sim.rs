//! The gateway simulator, end to end.
//!
//! * `fixtures`: every `tests/sim/<name>.policy.xml` + `<name>.scenario.json` pair (written by
//!   `tests/sim/gen_fixtures.py`) runs and its output JSON is an insta snapshot
//!   (`tests/snapshots/sim__<name>.snap`), reviewed by a person; `EXPECTED` also pins each
//!   fixture's outcome (and error reason) so a snapshot update cannot silently flip one.
//! * `examples`: every folder of `examples/` simulates with the outcome its README describes.
//! * determinism, the masking property, and the CLI-facing JSON shape.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::scenario::Scenario;
use apim_policy::sim::{DocRef, Outcome, SimOptions, SimOutput, simulate};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sim")
}

fn run(policy: &str, scenario: &Scenario, reveal: bool) -> SimOutput {
    simulate(
        policy,
        scenario,
        &SimOptions {
            reveal_secrets: reveal,
        },
    )
    .unwrap_or_else(|e| panic!("simulation could not run: {e}"))
}

/// Fixture → (outcome of each request, error reason of the last one).
const EXPECTED: &[(&str, &[&str], &str)] = &[
    ("authentication-basic-secret", &["forwarded"], ""),
    ("authentication-certificate", &["forwarded"], ""),
    ("authentication-managed-identity-missing", &["error"], ""),
    ("authentication-managed-identity-user", &["forwarded"], ""),
    ("azure-ad-token-ok", &["forwarded"], ""),
    (
        "azure-ad-token-wrong-client",
        &["error"],
        "TokenClaimValueNotAllowed",
    ),
    (
        "azure-openai-semantic-cache-ignore-system",
        &["forwarded", "returned", "forwarded"],
        "",
    ),
    ("azure-openai-token-limit-headers", &["forwarded"], ""),
    ("backend-credentials-named-value", &["forwarded"], ""),
    ("backend-id-unknown", &["error"], "BackendNotFound"),
    ("backend-pool-all-unavailable", &["forwarded"], ""),
    (
        "backend-pool-priority-failover",
        &["forwarded", "forwarded", "forwarded"],
        "",
    ),
    (
        "backend-pool-priority-weighted",
        &["forwarded", "forwarded", "forwarded", "forwarded"],
        "",
    ),
    (
        "backend-pool-round-robin",
        &["forwarded", "forwarded", "forwarded", "forwarded"],
        "",
    ),
    (
        "backend-pool-weighted",
        &["forwarded", "forwarded", "forwarded", "forwarded"],
        "",
    ),
    ("backend-section-missing", &["returned"], ""),
    (
        "cache-lookup-store",
        &["forwarded", "returned", "forwarded"],
        "",
    ),
    ("cache-values", &["forwarded", "forwarded"], ""),
    ("check-header-ok", &["forwarded"], ""),
    (
        "check-header-value-not-allowed",
        &["error"],
        "HeaderValueNotAllowed",
    ),
    ("choose-variables", &["forwarded"], ""),
    (
        "circuit-breaker-accept-retry-after",
        &["forwarded", "forwarded", "forwarded"],
        "",
    ),
    (
        "circuit-breaker-trip-503",
        &["forwarded", "forwarded", "returned", "forwarded"],
        "",
    ),
    ("cors-actual-request", &["forwarded"], ""),
    ("cors-preflight-mismatch", &["returned"], ""),
    (
        "expression-failure-on-error",
        &["error"],
        "ExpressionValueEvaluationFailure",
    ),
    ("find-and-replace-json-xml", &["forwarded"], ""),
    ("forward-request-fail-on-error", &["error"], ""),
    ("forward-request-timeout", &["error"], "Timeout"),
    ("fragment-in-scope", &["forwarded"], ""),
    ("headers-query-rewrite", &["forwarded"], ""),
    ("ip-filter-allow-range", &["forwarded"], ""),
    ("ip-filter-forbid", &["error"], "CallerIpNotAllowed"),
    ("jwt-bad-signature", &["error"], "TokenSignatureInvalid"),
    ("jwt-claim-value", &["error"], "TokenClaimValueNotAllowed"),
    ("jwt-expired", &["error"], "TokenExpired"),
    ("jwt-hs256-ok", &["forwarded"], ""),
    ("jwt-missing", &["error"], "TokenNotPresent"),
    ("jwt-not-yet-valid", &["error"], "JwtInvalid"),
    ("jwt-rs256-no-mock-not-verified", &["forwarded"], ""),
    ("jwt-rs256-openid-ok", &["forwarded"], ""),
    ("jwt-rs256-tampered", &["error"], "TokenSignatureInvalid"),
    ("jwt-within-clock-skew", &["forwarded"], ""),
    ("jwt-wrong-audience", &["error"], "TokenAudienceNotAllowed"),
    ("jwt-wrong-issuer", &["error"], "TokenIssuerNotAllowed"),
    (
        "kv-grants-per-identity-system-denied",
        &["error"],
        "Forbidden",
    ),
    ("kv-grants-per-identity-user-ok", &["forwarded"], ""),
    ("kv-missing-get-access-policy", &["error"], "Forbidden"),
    ("kv-missing-get-rbac", &["error"], "ForbiddenByRbac"),
    (
        "kv-no-system-identity",
        &["error"],
        "ManagedIdentityNotFound",
    ),
    ("kv-ok", &["forwarded"], ""),
    (
        "kv-rest-forbidden",
        &["error"],
        "ExpressionValueEvaluationFailure",
    ),
    ("kv-rest-http-mock-wins", &["forwarded"], ""),
    (
        "kv-rest-no-token",
        &["error"],
        "ExpressionValueEvaluationFailure",
    ),
    (
        "kv-rest-not-found",
        &["error"],
        "ExpressionValueEvaluationFailure",
    ),
    ("kv-rest-ok", &["forwarded"], ""),
    (
        "kv-rest-wrong-audience",
        &["error"],
        "ExpressionValueEvaluationFailure",
    ),
    ("kv-secret-disabled", &["error"], "SecretDisabled"),
    ("kv-secret-expired", &["error"], "SecretExpired"),
    ("kv-secret-missing", &["error"], "SecretNotFound"),
    (
        "kv-unknown-user-identity",
        &["error"],
        "ManagedIdentityNotFound",
    ),
    ("kv-vault-missing", &["error"], "VaultNotFound"),
    (
        "kv-versioned-identifier-wrong-version",
        &["error"],
        "SecretNotFound",
    ),
    (
        "llm-content-safety",
        &["forwarded", "forwarded", "error", "error", "error"],
        "ContentSafetyBlocked",
    ),
    (
        "llm-content-safety-eight-levels",
        &["error"],
        "ContentSafetyBlocked",
    ),
    ("llm-emit-token-metric", &["forwarded"], ""),
    (
        "llm-semantic-cache-miss-then-hit",
        &[
            "forwarded",
            "returned",
            "forwarded",
            "forwarded",
            "forwarded",
        ],
        "",
    ),
    (
        "llm-token-limit-counter-keys",
        &["forwarded", "forwarded", "forwarded", "error"],
        "TokenLimitExceeded",
    ),
    (
        "llm-token-limit-estimate",
        &["forwarded", "error"],
        "TokenLimitExceeded",
    ),
    (
        "llm-token-limit-quota-exceeded",
        &["forwarded", "forwarded", "error"],
        "TokenQuotaExceeded",
    ),
    (
        "llm-token-limit-tpm-exceeded",
        &["forwarded", "forwarded", "error"],
        "TokenLimitExceeded",
    ),
    ("mock-response", &["returned"], ""),
    ("named-value-with-expression", &["forwarded"], ""),
    ("operation-not-found", &["error"], "OperationNotFound"),
    (
        "operation-not-found-on-error",
        &["error"],
        "OperationNotFound",
    ),
    (
        "quota-by-key",
        &["forwarded", "forwarded", "error"],
        "QuotaExceeded",
    ),
    (
        "rate-limit-by-key-increment-condition",
        &["forwarded", "error", "error"],
        "RateLimitExceeded",
    ),
    (
        "rate-limit-subscription",
        &["forwarded", "forwarded", "error"],
        "RateLimitExceeded",
    ),
    ("retry-backend", &["forwarded"], ""),
    ("return-response", &["returned"], ""),
    ("rewrite-uri-no-copy", &["forwarded"], ""),
    ("scopes-base-order", &["forwarded"], ""),
    ("send-request-http-mock", &["forwarded"], ""),
    ("send-request-timeout-ignore-error", &["forwarded"], ""),
    (
        "send-request-unmocked-error",
        &["error"],
        "BackendConnectionFailure",
    ),
    ("set-body-expression", &["forwarded"], ""),
    ("set-body-liquid", &["forwarded"], ""),
    (
        "subscription-key-invalid",
        &["error"],
        "SubscriptionKeyInvalid",
    ),
    (
        "subscription-key-missing",
        &["error"],
        "SubscriptionKeyNotFound",
    ),
    ("subscription-key-query-accepted", &["forwarded"], ""),
    ("trace-log-metric-passthrough", &["forwarded"], ""),
    ("wait-and-limit-concurrency", &["forwarded"], ""),
    ("xml-to-json", &["forwarded"], ""),
];

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".policy.xml").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn fixtures() {
    let names = fixture_names();
    assert_eq!(
        names,
        EXPECTED.iter().map(|e| e.0.to_string()).collect::<Vec<_>>(),
        "every fixture has a line in EXPECTED, and every line a fixture"
    );
    let mut failures = Vec::new();
    for (name, outcomes, reason) in EXPECTED {
        let policy = std::fs::read_to_string(dir().join(format!("{name}.policy.xml"))).unwrap();
        let scenario = Scenario::from_json(
            &std::fs::read_to_string(dir().join(format!("{name}.scenario.json"))).unwrap(),
        )
        .unwrap();
        let out = run(&policy, &scenario, false);
        let got: Vec<&str> = out.results().iter().map(|r| r.outcome.as_str()).collect();
        let got_reason = out
            .results()
            .last()
            .and_then(|r| r.error.as_ref())
            .map(|e| e.reason.as_str())
            .unwrap_or("");
        if got != *outcomes || got_reason != *reason {
            failures.push(format!(
                "{name}: expected {outcomes:?} / {reason:?}, got {got:?} / {got_reason:?}"
            ));
        }
        insta::assert_snapshot!(name.to_string(), out.to_json_pretty());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What each example's README says happens.
const EXAMPLES: &[(&str, Option<&[Outcome]>)] = &[
    (
        "azure-openai-keyvault",
        Some(&[Outcome::Forwarded, Outcome::Forwarded, Outcome::Error]),
    ),
    ("backend-routing", Some(&[Outcome::Forwarded])),
    ("cors-preflight", Some(&[Outcome::Returned])),
    ("fragment", Some(&[Outcome::Forwarded])),
    ("jwt-hs256", Some(&[Outcome::Forwarded])),
    (
        "keyvault-send-request",
        Some(&[Outcome::Forwarded, Outcome::Forwarded]),
    ),
    ("mock-response", Some(&[Outcome::Returned])),
    ("on-error", Some(&[Outcome::Error])),
    (
        "priority-pool-failover",
        Some(&[Outcome::Forwarded, Outcome::Forwarded]),
    ),
    (
        "rate-limit-by-key",
        Some(&[
            Outcome::Forwarded,
            Outcome::Forwarded,
            Outcome::Forwarded,
            Outcome::Error,
            Outcome::Forwarded,
        ]),
    ),
    // APIM refuses the document: the simulation does not run.
    ("seed-blog", None),
    ("seed-named-value", Some(&[Outcome::Forwarded])),
    ("seed-permission-revoked", Some(&[Outcome::Error])),
];

fn example(id: &str) -> (String, Scenario) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(id);
    let policy = std::fs::read_to_string(root.join("policy.xml")).unwrap();
    let scenario =
        Scenario::from_json(&std::fs::read_to_string(root.join("scenario.json")).unwrap()).unwrap();
    (policy, scenario)
}

#[test]
fn every_example_simulates_as_its_readme_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut ids: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        EXAMPLES.iter().map(|e| e.0.to_string()).collect::<Vec<_>>(),
        "every example folder has an expectation here"
    );
    for (id, expected) in EXAMPLES {
        let (policy, scenario) = example(id);
        let result = simulate(&policy, &scenario, &SimOptions::default());
        match (expected, result) {
            (None, Err(e)) => assert!(e.message.contains("cannot run"), "{id}: {e}"),
            (None, Ok(_)) => panic!("{id}: APIM rejects this policy, the simulation must not run"),
            (Some(_), Err(e)) => panic!("{id}: {e}"),
            (Some(outcomes), Ok(out)) => {
                let got: Vec<Outcome> = out.results().iter().map(|r| r.outcome).collect();
                assert_eq!(&got, outcomes, "{id}");
                // No expression may fail in a shipped example unless that is its point.
                for r in out.results() {
                    if let Some(e) = &r.error {
                        assert_ne!(
                            e.reason, "ExpressionValueEvaluationFailure",
                            "{id}: {}",
                            e.message
                        );
                    }
                }
            }
        }
    }
    // The specific claims of the READMEs.
    let (p, s) = example("backend-routing");
    let out = run(&p, &s, false);
    assert_eq!(
        out.results()[0].backend_request.as_ref().unwrap().url,
        "https://orders-eu.contoso.com/api/items/42"
    );
    let (p, s) = example("rate-limit-by-key");
    let out = run(&p, &s, false);
    let r4 = &out.results()[3];
    assert_eq!(r4.response.status, 429);
    assert!(r4.response.headers.get("Retry-After").is_some());
    let (p, s) = example("keyvault-send-request");
    let out = run(&p, &s, false);
    let vault_calls = |i: usize| {
        out.results()[i]
            .trace
            .iter()
            .filter(|t| t.message.contains("mock Key Vault"))
            .count()
    };
    assert_eq!(
        (vault_calls(0), vault_calls(1)),
        (1, 0),
        "only the first request calls the vault"
    );
    let (p, s) = example("seed-named-value");
    let out = run(&p, &s, false);
    let backend = out.results()[0].backend_request.as_ref().unwrap();
    assert_eq!(backend.headers.get("x-api-key").unwrap(), ["***"]);
    let (p, s) = example("seed-permission-revoked");
    let out = run(&p, &s, false);
    let e = out.results()[0].error.as_ref().unwrap();
    for needle in [
        "backend-api-key",
        "contoso-kv",
        "Forbidden",
        "Get",
        "system-assigned managed identity",
    ] {
        assert!(
            e.message.contains(needle),
            "'{needle}' missing from: {}",
            e.message
        );
    }
    assert!(out.results()[0].response.status >= 500);
    let (p, s) = example("on-error");
    let out = run(&p, &s, false);
    assert_eq!(out.results()[0].response.status, 400);
    assert!(
        out.results()[0]
            .response
            .body
            .contains("\"error\": \"HeaderNotFound\"")
    );
    let (p, s) = example("azure-openai-keyvault");
    let out = run(&p, &s, false);
    let r = out.results();
    assert_eq!(
        r[0].backend_request
            .as_ref()
            .unwrap()
            .headers
            .get("api-key")
            .unwrap(),
        ["***"]
    );
    assert_eq!(header(&r[0], "x-ratelimit-remaining-tokens"), Some("74"));
    assert_eq!(header(&r[1], "x-tokens-consumed"), Some("45"));
    assert_eq!(r[2].response.status, 429);
    assert_eq!(header(&r[2], "Retry-After"), Some("40"));
    let (p, s) = example("priority-pool-failover");
    let out = run(&p, &s, false);
    let r = out.results();
    assert_eq!(backend_host(&r[0]), "contoso-westus.openai.azure.com");
    assert_eq!(backend_host(&r[1]), "contoso-eastus.openai.azure.com");
    assert!(r[0].response.body.contains("Answered by the secondary."));
    assert!(r[1].response.body.contains("Answered by the primary."));
    let (p, s) = example("fragment");
    let out = run(&p, &s, false);
    assert!(
        out.results()[0]
            .trace
            .iter()
            .any(|t| t.doc == DocRef::Fragment("correlation-headers".into()))
    );
}

#[test]
fn the_same_scenario_gives_byte_identical_output() {
    for name in fixture_names() {
        let policy = std::fs::read_to_string(dir().join(format!("{name}.policy.xml"))).unwrap();
        let scenario = Scenario::from_json(
            &std::fs::read_to_string(dir().join(format!("{name}.scenario.json"))).unwrap(),
        )
        .unwrap();
        let a = run(&policy, &scenario, false).to_json_pretty();
        let b = run(&policy, &scenario, false).to_json_pretty();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn trace_steps_carry_spans_into_their_document() {
    let (p, s) = example("seed-named-value");
    let out = run(&p, &s, false);
    let step = out.results()[0]
        .trace
        .iter()
        .find(|t| t.policy == "set-header")
        .unwrap();
    assert_eq!(step.doc, DocRef::Policy);
    let span = step.span.unwrap();
    assert!(p[span.start..span.end].starts_with("<set-header"));
    // Spans and documents are not part of the contract's JSON.
    let json = out.to_json_pretty();
    assert!(!json.contains("\"span\"") && !json.contains("\"doc\""));
}

/// A small deterministic generator (no new dependency for a property test).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

#[test]
fn secrets_never_leak_unless_revealed() {
    // Ways a secret can flow into the output: a header, a query parameter, a body, a
    // variable, a trace message, an error message, derived (Base64, upper case, a
    // substring join), through Key Vault, named values inside expressions, Basic auth.
    let uses = [
        r#"<set-header name="X-A" exists-action="override"><value>{{S}}</value></set-header>"#,
        r#"<set-header name="X-B" exists-action="override"><value>@("Key " + "{{S}}")</value></set-header>"#,
        r#"<set-query-parameter name="k" exists-action="override"><value>{{S}}</value></set-query-parameter>"#,
        r#"<set-variable name="v" value="{{S}}" />"#,
        r#"<set-variable name="b64" value="@(Convert.ToBase64String(Encoding.UTF8.GetBytes("{{S}}")))" />"#,
        r#"<set-variable name="up" value="@("{{S}}".ToUpper())" />"#,
        r#"<set-body>@("{\"k\":\"" + "{{S}}" + "\"}")</set-body>"#,
        r#"<trace source="t"><message>secret is {{S}}</message></trace>"#,
        r#"<authentication-basic username="u" password="{{S}}" />"#,
        r#"<set-header name="X-C" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("X-A", "") + "!")</value></set-header>"#,
        r#"<check-header name="X-Missing" failed-check-httpcode="401" failed-check-error-message="no {{S}}" ignore-case="true" />"#,
    ];
    let kinds = ["plain-secret", "key-vault"];
    let secrets = [
        "s3cr3t-value-1",
        "Zm9vYmFy-secret",
        "p@ss word!",
        "ünïcode-sëcret",
    ];
    let mut rng = Rng(42);
    for case in 0..120 {
        let secret = rng.pick(&secrets);
        let kind = rng.pick(&kinds);
        let n = 1 + (rng.next() as usize) % 4;
        let mut body = String::new();
        for _ in 0..n {
            let use_ = rng.pick(&uses);
            // authentication-basic "can only be used once in a policy section" (its page).
            if use_.starts_with("<authentication-basic") && body.contains("<authentication-basic") {
                continue;
            }
            body.push_str(use_);
            body.push('\n');
        }
        let policy = format!(
            "<policies><inbound><base />{body}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
        );
        let nv = if kind == "key-vault" {
            serde_json::json!({"name": "S", "key_vault": {"secret_identifier": "https://kv.vault.azure.net/secrets/s"}})
        } else {
            serde_json::json!({"name": "S", "value": secret, "secret": true})
        };
        let scenario = serde_json::json!({
            "named_values": [nv],
            "key_vaults": [{"name": "kv", "apim_permissions": ["get"], "secrets": [{"name": "s", "value": secret}]}],
            "backend": {"status": 200, "body": "ok"},
            "request": {"method": "POST", "url": "https://contoso.azure-api.net/x", "headers": {"X-Echo": [format!("hello {secret}")]}}
        });
        let scenario = Scenario::from_json(&scenario.to_string()).unwrap();
        let masked = run(&policy, &scenario, false).to_json_pretty();
        let raw =
            serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&masked).unwrap())
                .unwrap();
        let b64 = {
            use std::fmt::Write;
            let _ = String::new().write_str("");
            base64(secret.as_bytes())
        };
        for leak in [secret.to_string(), secret.to_uppercase(), b64.clone()] {
            assert!(
                !raw.contains(&leak),
                "case {case}: '{leak}' leaked in:\n{policy}\n{masked}"
            );
        }
        let revealed = run(&policy, &scenario, true).to_json_pretty();
        let revealed: serde_json::Value = serde_json::from_str(&revealed).unwrap();
        let text = serde_json::to_string(&revealed).unwrap();
        if body.contains("X-A\"") || body.contains("set-variable name=\"v\"") {
            assert!(
                text.contains(secret),
                "case {case}: the revealed output must show the secret"
            );
        }
        assert!(
            !text.contains("***") || body.contains("***"),
            "case {case}: nothing is masked when revealed"
        );
    }
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn invalid_inputs_refuse_to_run_with_a_reason() {
    let s = Scenario::from_json("{}").unwrap();
    let e = simulate("<policies/>", &s, &SimOptions::default()).unwrap_err();
    assert!(e.message.contains("no request"), "{e}");
    let s = Scenario::from_json(r#"{"request": {"url": "not a url"}}"#).unwrap();
    let e = simulate("<policies/>", &s, &SimOptions::default()).unwrap_err();
    assert!(e.message.contains("absolute URL"), "{e}");
    let s =
        Scenario::from_json(r#"{"now": "yesterday", "request": {"url": "https://a/b"}}"#).unwrap();
    let e = simulate("<policies/>", &s, &SimOptions::default()).unwrap_err();
    assert!(e.message.contains("RFC 3339"), "{e}");
    let s = Scenario::from_json(r#"{"request": {"url": "https://a/b"}}"#).unwrap();
    let e = simulate(
        "<policies><inbound><nope/></inbound></policies>",
        &s,
        &SimOptions::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("line 1"), "{e}");
}

#[test]
fn hostile_policies_end_quickly() {
    let s = Scenario::from_json(r#"{"request": {"url": "https://a/b"}}"#).unwrap();
    let spin = r#"<policies><inbound><set-variable name="x" value="@{ var i = 0; while (true) { i++; } return i; }" /></inbound></policies>"#;
    let out = run(spin, &s, false);
    assert_eq!(out.results()[0].outcome, Outcome::Error);
    let retry = r#"<policies><inbound><retry condition="@(true)" count="50" interval="1"><retry condition="@(true)" count="50" interval="1"><set-header name="a" exists-action="append"><value>x</value></set-header></retry></retry></inbound></policies>"#;
    let start = std::time::Instant::now();
    let out = run(retry, &s, false);
    assert!(start.elapsed().as_secs() < 10);
    assert!(!out.results().is_empty());
}

#[test]
fn conversions_say_why_they_do_not_apply() {
    let policy = |p: &str| {
        format!(
            "<policies><inbound><base />{p}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
        )
    };
    let scenario =
        |ctype: &str, accept: &str| {
            Scenario::from_json(&serde_json::json!({
            "backend": {"status": 200, "body": "ok"},
            "request": {"method": "POST", "url": "https://contoso.azure-api.net/x",
                "headers": {"Content-Type": [ctype], "Accept": [accept]}, "body": "{\"a\":1}"}
        }).to_string())
        .unwrap()
        };
    let message = |p: &str, s: &Scenario, name: &str| {
        run(&policy(p), s, false).results()[0]
            .trace
            .iter()
            .find(|t| t.policy == name)
            .map(|t| t.message.clone())
            .unwrap()
    };
    let plain = scenario("text/plain", "*/*");
    assert_eq!(
        message(
            r#"<json-to-xml apply="content-type-json" consider-accept-header="false" />"#,
            &plain,
            "json-to-xml"
        ),
        "Content-Type is 'text/plain', not JSON: not converted"
    );
    assert_eq!(
        message(
            r#"<xml-to-json kind="direct" apply="content-type-xml" consider-accept-header="false" />"#,
            &plain,
            "xml-to-json"
        ),
        "Content-Type is 'text/plain', not XML: not converted"
    );
    let json = scenario("application/json", "application/json");
    assert_eq!(
        message(
            r#"<json-to-xml apply="always" consider-accept-header="true" />"#,
            &json,
            "json-to-xml"
        ),
        "consider-accept-header is true and the request's Accept header does not ask for XML: not converted"
    );
    let xml = scenario("application/xml", "application/xml");
    assert_eq!(
        message(
            r#"<xml-to-json kind="direct" apply="always" consider-accept-header="true" />"#,
            &xml,
            "xml-to-json"
        ),
        "consider-accept-header is true and the request's Accept header does not ask for JSON: not converted"
    );
    // Converted: the new body keeps the old one's masking and gets its Content-Type.
    let out = run(
        &policy(r#"<json-to-xml apply="always" consider-accept-header="false" />"#),
        &json,
        false,
    );
    let sent = out.results()[0].backend_request.as_ref().unwrap();
    assert_eq!(
        sent.headers.get("Content-Type").unwrap(),
        ["application/xml"]
    );
}

fn fixture(name: &str) -> SimOutput {
    let policy = std::fs::read_to_string(dir().join(format!("{name}.policy.xml"))).unwrap();
    let scenario = Scenario::from_json(
        &std::fs::read_to_string(dir().join(format!("{name}.scenario.json"))).unwrap(),
    )
    .unwrap();
    run(&policy, &scenario, false)
}

fn header<'a>(r: &'a apim_policy::sim::RequestResult, name: &str) -> Option<&'a str> {
    r.response
        .headers
        .get(name)
        .and_then(|v| v.first())
        .map(String::as_str)
}

fn var(r: &apim_policy::sim::RequestResult, name: &str) -> serde_json::Value {
    r.variables
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or(serde_json::Value::Null)
}

fn backend_host(r: &apim_policy::sim::RequestResult) -> String {
    let url = &r.backend_request.as_ref().unwrap().url;
    url.split('/').nth(2).unwrap().to_string()
}

/// The claims the AI-gateway fixtures make, checked one by one (the snapshots hold the rest).
#[test]
fn token_limits_count_usage_and_answer_429_or_403() {
    // TPM 50, usage 30 per call: 30 left after one, 429 at 60 with the window's retry time.
    let out = fixture("llm-token-limit-tpm-exceeded");
    let r = out.results();
    assert_eq!(header(&r[0], "x-remaining-tokens"), Some("50"));
    assert_eq!(header(&r[0], "x-tokens-consumed"), Some("30"));
    assert_eq!(header(&r[0], "x-consumed-in-outbound"), Some("30"));
    assert_eq!(header(&r[1], "x-remaining-tokens"), Some("20"));
    assert_eq!(r[2].response.status, 429);
    assert_eq!(header(&r[2], "Retry-After"), Some("40"));
    assert_eq!(var(&r[2], "retryAfter"), 40);
    assert!(r[2].backend_request.is_none());
    assert!(r[2].response.body.contains("Token limit is exceeded"));
    // Quota 50 per hour: 403 with the custom retry header, until the next full hour.
    let out = fixture("llm-token-limit-quota-exceeded");
    let r = out.results();
    assert_eq!(var(&r[1], "remainingQuotaTokens"), 20);
    assert_eq!(r[2].response.status, 403);
    assert_eq!(header(&r[2], "x-retry-after"), Some("1800"));
    assert_eq!(header(&r[2], "Retry-After"), None);
    // With the estimate (26 tokens) the second call is refused before the backend sees it,
    // where the usage-only limit above lets it through; the variable moves from the estimate
    // to the usage.
    let out = fixture("llm-token-limit-estimate");
    let r = out.results();
    assert_eq!(
        r[0].backend_request
            .as_ref()
            .unwrap()
            .headers
            .get("x-estimated-in-inbound")
            .unwrap(),
        ["26"]
    );
    assert_eq!(header(&r[0], "x-consumed-in-outbound"), Some("30"));
    assert_eq!(var(&r[0], "remainingTokens"), 14);
    assert_eq!(r[1].response.status, 429);
    assert_eq!(header(&r[1], "Retry-After"), Some("50"));
    // Counter keys: beta has its own counter; alpha's third call is over.
    let out = fixture("llm-token-limit-counter-keys");
    let r = out.results();
    assert_eq!(header(&r[2], "x-remaining-tokens"), Some("50"));
    assert_eq!(r[3].response.status, 429);
    // azure-openai-token-limit: the headers and the metric with its dimensions.
    let out = fixture("azure-openai-token-limit-headers");
    let r = &out.results()[0];
    assert_eq!(header(r, "x-remaining-tokens"), Some("974"));
    assert_eq!(header(r, "x-tokens-consumed"), Some("30"));
    assert!(
        r.trace
            .iter()
            .any(|t| t.policy == "azure-openai-emit-token-metric"
                && t.section == "outbound"
                && t.message.contains("Total Tokens = 30")
                && t.message.contains("Client IP=203.0.113.7"))
    );
}

#[test]
fn metrics_semantic_cache_and_content_safety() {
    let out = fixture("llm-emit-token-metric");
    let steps: Vec<&str> = out.results()[0]
        .trace
        .iter()
        .filter(|t| t.policy == "llm-emit-token-metric")
        .map(|t| t.message.as_str())
        .collect();
    assert_eq!(steps.len(), 2);
    assert!(steps[0].contains("Deployment=gpt-4o"));
    assert!(steps[1].contains("Prompt Tokens = 19, Completion Tokens = 38, Total Tokens = 57"));
    // Miss, hit (same prompt and vary-by), miss (other vary-by), miss (other prompt), miss
    // (expired after 60 s).
    let out = fixture("llm-semantic-cache-miss-then-hit");
    let r = out.results();
    assert!(r[1].backend_request.is_none());
    assert_eq!(r[1].response.body, r[0].response.body);
    for (i, want) in ["miss", "hit", "miss", "miss", "miss"].iter().enumerate() {
        let step = r[i]
            .trace
            .iter()
            .find(|t| t.policy == "llm-semantic-cache-lookup")
            .unwrap();
        assert!(
            step.message.contains(&format!("semantic cache {want}")),
            "{i}: {}",
            step.message
        );
        assert!(step.message.contains("exact-match stand-in"));
    }
    // Content safety: allowed, allowed (Violence 3 reads as 2 in four levels), then blocked by
    // a category, a blocklist and Prompt Shields, each a 403 that on-error sees.
    let out = fixture("llm-content-safety");
    let r = out.results();
    assert_eq!(r[1].response.status, 200);
    for (i, why) in [
        (2, "Violence severity 6"),
        (3, "blocklist 'banned-words'"),
        (4, "Prompt Shields"),
    ] {
        assert_eq!(r[i].response.status, 403);
        assert!(r[i].error.as_ref().unwrap().message.contains(why), "{i}");
        assert_eq!(header(&r[i], "x-blocked-by"), Some("llm-content-safety"));
    }
}

#[test]
fn pools_and_circuit_breakers_route_deterministically() {
    let hosts =
        |name: &str| -> Vec<String> { fixture(name).results().iter().map(backend_host).collect() };
    assert_eq!(
        hosts("backend-pool-round-robin"),
        [
            "eastus.openai.azure.com",
            "westus.openai.azure.com",
            "sweden.openai.azure.com",
            "eastus.openai.azure.com"
        ]
    );
    assert_eq!(
        hosts("backend-pool-weighted"),
        [
            "eastus.openai.azure.com",
            "eastus.openai.azure.com",
            "westus.openai.azure.com",
            "eastus.openai.azure.com"
        ]
    );
    // 429 trips the primary's breaker for a minute; retry fails over to the secondary, which
    // also takes the call 30 s later; after the minute the primary answers again.
    assert_eq!(
        hosts("backend-pool-priority-failover"),
        [
            "secondary.openai.azure.com",
            "secondary.openai.azure.com",
            "primary.openai.azure.com"
        ]
    );
    // Weights 2:1 within priority 1 (a, b, then a again, which throttles: retry moves to b);
    // once b throttles too, priority 2 (c) answers.
    assert_eq!(
        hosts("backend-pool-priority-weighted"),
        [
            "a.openai.azure.com",
            "b.openai.azure.com",
            "b.openai.azure.com",
            "c.openai.azure.com"
        ]
    );
    // accept_retry_after: the breaker opens for the backend's Retry-After (10 s), not 5 min.
    assert_eq!(
        hosts("circuit-breaker-accept-retry-after"),
        [
            "secondary.openai.azure.com",
            "secondary.openai.azure.com",
            "primary.openai.azure.com"
        ]
    );
    let out = fixture("circuit-breaker-trip-503");
    let r = out.results();
    let statuses: Vec<u16> = r.iter().map(|r| r.response.status).collect();
    assert_eq!(statuses, [500, 502, 503, 200]);
    assert!(r[2].backend_request.is_none());
    assert_eq!(
        r[2].response.reason,
        "Backend orders-backend is temporarily unavailable"
    );
    // The gateway's own 503 is a response a retry condition reads: the samples' condition
    // stops retrying on "Backend pool … is temporarily unavailable".
    let out = fixture("backend-pool-all-unavailable");
    let r = &out.results()[0];
    assert_eq!(r.response.status, 503);
    assert_eq!(
        r.response.reason,
        "Backend pool openai-pool is temporarily unavailable"
    );
    assert!(
        r.trace
            .iter()
            .any(|t| t.policy == "retry" && t.message.contains("condition is false after 3 run(s)"))
    );
    // Credentials from a secret named value are added and masked.
    let out = fixture("backend-credentials-named-value");
    let b = out.results()[0].backend_request.as_ref().unwrap();
    assert_eq!(b.headers.get("api-key").unwrap(), ["***"]);
    // A literal credential is a secret too.
    assert!(b.url.ends_with("&code=***"), "{}", b.url);
}

#[test]
fn bad_backends_are_refused_before_running() {
    let s = Scenario::from_json(
        r#"{"backends": [{"id": "p", "type": "pool", "pool": {"services": [{"id": "p"}]}}],
            "request": {"url": "https://a/b"}}"#,
    )
    .unwrap();
    let e = simulate("<policies/>", &s, &SimOptions::default()).unwrap_err();
    assert!(e.message.contains("is a pool"), "{e}");
}

/// APIM refuses to save a policy whose literal backend-id names no backend (APIM0605), so the
/// simulator does not run it once the scenario declares its backends; without `backends` the
/// backends are unknown and it runs.
#[test]
fn a_literal_unknown_backend_id_is_refused_once_backends_are_declared() {
    let policy = "<policies><inbound><base /><set-backend-service backend-id=\"nowhere\" /></inbound>\
                  <backend><base /></backend><outbound><base /></outbound></policies>";
    let declared = Scenario::from_json(
        r#"{"backends": [{"id": "eastus", "url": "https://eastus.example.com"}],
            "request": {"url": "https://a/b"}}"#,
    )
    .unwrap();
    let e = simulate(policy, &declared, &SimOptions::default()).unwrap_err();
    assert!(
        e.message.contains("backend `nowhere` does not exist"),
        "{e}"
    );
    assert!(e.message.contains("APIM0605"), "{e}");
    let unknown = Scenario::from_json(r#"{"request": {"url": "https://a/b"}}"#).unwrap();
    assert!(simulate(policy, &unknown, &SimOptions::default()).is_ok());
}

/// The example in docs/scenario.md reads and runs as the page describes.
#[test]
fn the_scenario_docs_example_runs() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenario.md"),
    )
    .unwrap();
    let json = doc
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap();
    let scenario = Scenario::from_json(json).unwrap();
    let policy = r#"<policies>
    <inbound>
        <base />
        <llm-content-safety backend-id="content-safety">
            <categories>
                <category name="Violence" threshold="4" />
            </categories>
        </llm-content-safety>
        <set-backend-service backend-id="pool" />
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>"#;
    let out = run(policy, &scenario, false);
    let r = out.results();
    assert_eq!(r[0].response.status, 429);
    assert_eq!(
        r[0].backend_request
            .as_ref()
            .unwrap()
            .headers
            .get("api-key")
            .unwrap(),
        ["***"]
    );
    assert!(
        r[0].trace
            .iter()
            .any(|t| t.message.contains("circuit breaker of 'primary' trips"))
    );
    assert_eq!(r[1].response.status, 403);
    assert_eq!(r[1].error.as_ref().unwrap().reason, "ContentSafetyBlocked");
}

#[test]
fn evaluating_expressions_knows_the_token_limit_variables() {
    let policy = r#"<policies><inbound><base /><llm-token-limit counter-key="k" tokens-per-minute="10" estimate-prompt-tokens="false" remaining-tokens-variable-name="left" /><set-header name="x-left" exists-action="override"><value>@(context.Variables["left"].ToString())</value></set-header></inbound></policies>"#;
    let s = Scenario::from_json(r#"{"request": {"url": "https://a/b"}}"#).unwrap();
    let reports = apim_policy::sim::evaluate_expressions(policy, &s).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].result, Ok("100".to_string()));
}

#[test]
fn hostile_token_counts_and_retry_after_do_not_overflow() {
    let policy = r#"<policies><inbound><base /><llm-token-limit counter-key="k" tokens-per-minute="9000000000000000000" token-quota="9000000000000000000" token-quota-period="Yearly" estimate-prompt-tokens="true" /><set-backend-service backend-id="b" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"#;
    let s = Scenario::from_json(
        r#"{"backends": [{"id": "b", "url": "https://b",
              "circuit_breaker": {"rules": [{"failure_condition": {"count": 1, "interval": "PT1M", "status_code_ranges": [{"min": 200, "max": 599}]}, "trip_duration": "PT1M", "accept_retry_after": true}]},
              "response": {"status": 200, "headers": {"Retry-After": "9223372036854775807"},
                           "body": "{\"usage\":{\"prompt_tokens\":1e300,\"completion_tokens\":1e300,\"total_tokens\":1e308}}"}}],
            "requests": [{"url": "https://a/b", "method": "POST", "body": "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"},
                         {"url": "https://a/b", "method": "POST", "body": "{\"prompt\":\"x\"}"},
                         {"url": "https://a/b", "at": "2030-01-01T00:00:00Z"}]}"#,
    )
    .unwrap();
    let out = run(policy, &s, false);
    let statuses: Vec<u16> = out.results().iter().map(|r| r.response.status).collect();
    // Every status counts as a failure here: the 200 trips the breaker for its Retry-After,
    // capped at a year, so the second call is refused and the third (years later) passes.
    assert_eq!(statuses, [200, 503, 200], "{}", out.to_json_pretty());
    assert!(
        out.results()[0]
            .trace
            .iter()
            .any(|t| t.message.contains("1000000000000 tokens consumed"))
    );
}

#[test]
fn streamed_prompts_are_estimated_and_responses_without_usage_count_the_estimate() {
    let policy = r#"<policies><inbound><base /><llm-token-limit counter-key="k" tokens-per-minute="1000" estimate-prompt-tokens="false" tokens-consumed-header-name="x-consumed" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"#;
    // "abcdefgh" = 2 tokens, one message: 2 + 4 + 3 = 9.
    let body = r#"{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"abcdefgh\"}]}"#;
    let s = Scenario::from_json(&format!(
        r#"{{"backend": {{"status": 200, "body": "data: {{}}"}},
            "request": {{"url": "https://a/b", "method": "POST", "body": "{body}"}}}}"#
    ))
    .unwrap();
    let out = run(policy, &s, false);
    let r = &out.results()[0];
    let steps: Vec<&str> = r
        .trace
        .iter()
        .filter(|t| t.policy == "llm-token-limit")
        .map(|t| t.message.as_str())
        .collect();
    assert!(
        steps[0].contains("prompt estimated at 9 tokens (stream is true"),
        "{steps:?}"
    );
    assert!(
        steps[1].contains("9 tokens consumed") && steps[1].contains("the estimate"),
        "{steps:?}"
    );
    assert_eq!(header(r, "x-consumed"), Some("9"));
}

#[test]
fn each_document_is_linted_at_its_own_scope() {
    // quota is product-only: APIM refuses it in an API (or operation) policy, so the
    // simulator must refuse it too, not run it with an "assumed scope" warning.
    let quota = r#"<policies><inbound><base /><quota calls="10" renewal-period="60" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"#;
    let plain = "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>";
    let request = r#""request": {"url": "https://contoso.azure-api.net/orders/items/42"}"#;
    let api = r#""api": {"name": "orders", "path": "orders", "service_url": "https://backend.contoso.com/api"}"#;
    let s = Scenario::from_json(&format!("{{{api}, {request}}}")).unwrap();
    let e = simulate(quota, &s, &SimOptions::default()).unwrap_err();
    assert!(
        e.message.contains("the policy, line 1") && e.message.contains("quota"),
        "{e}"
    );
    // Below scopes.api the policy is the operation's: still refused.
    let s = Scenario::from_json(&format!(
        "{{{api}, \"scopes\": {{\"api\": {}}}, {request}}}",
        serde_json::to_string(plain).unwrap()
    ))
    .unwrap();
    let e = simulate(quota, &s, &SimOptions::default()).unwrap_err();
    assert!(e.message.contains("the policy, line 1"), "{e}");
    // In scopes.api the same quota is refused as well, named by its scope.
    let s = Scenario::from_json(&format!(
        "{{{api}, \"scopes\": {{\"api\": {}}}, {request}}}",
        serde_json::to_string(quota).unwrap()
    ))
    .unwrap();
    let e = simulate(plain, &s, &SimOptions::default()).unwrap_err();
    assert!(e.message.contains("scopes.api, line 1"), "{e}");
    // In the product's document it is where it belongs, and it runs and counts.
    let s = Scenario::from_json(&format!(
        "{{{api}, \"product\": {{\"name\": \"starter\"}}, \"scopes\": {{\"product\": {}}}, {request}}}",
        serde_json::to_string(quota).unwrap()
    ))
    .unwrap();
    let out = run(plain, &s, false);
    let r = &out.results()[0];
    assert_eq!(r.outcome, Outcome::Forwarded, "{}", out.to_json_pretty());
    assert!(
        r.trace
            .iter()
            .any(|t| t.policy == "quota" && t.doc == DocRef::Scope("product")),
        "{}",
        out.to_json_pretty()
    );
}

#[test]
fn last_error_paths_name_the_nesting() {
    // context.LastError.Path for an error deep in choose/when/otherwise/retry, and in a
    // fragment (whose root starts the path afresh).
    let throw = r#"<set-variable name="x" value="@(((string)null).Length)" />"#;
    let case = |inbound: &str, fragments: &str| {
        let policy = format!(
            r#"<policies><inbound><base /><set-header name="a" exists-action="override"><value>1</value></set-header>{inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"#
        );
        let s = Scenario::from_json(&format!(
            r#"{{"fragments": [{fragments}], "request": {{"url": "https://contoso.azure-api.net/orders/1"}}}}"#
        ))
        .unwrap();
        let out = run(&policy, &s, false);
        let r = &out.results()[0];
        assert_eq!(r.outcome, Outcome::Error, "{}", out.to_json_pretty());
        r.error.as_ref().unwrap().path.clone()
    };
    assert_eq!(
        case(
            &format!(
                r#"<choose><when condition="@(false)"><set-header name="b" exists-action="override"><value>2</value></set-header></when><when condition="@(true)"><set-header name="c" exists-action="override"><value>3</value></set-header>{throw}</when></choose>"#
            ),
            ""
        ),
        "choose[1]/when[2]/set-variable[1]"
    );
    assert_eq!(
        case(
            &format!(
                r#"<choose><when condition="@(false)"><set-header name="b" exists-action="override"><value>2</value></set-header></when></choose><choose><when condition="@(false)"><set-header name="b" exists-action="override"><value>2</value></set-header></when><otherwise><retry condition="@(false)" count="1" interval="0"><set-header name="d" exists-action="override"><value>4</value></set-header>{throw}</retry></otherwise></choose>"#
            ),
            ""
        ),
        "choose[2]/otherwise[1]/retry[1]/set-variable[1]"
    );
    let fragment = serde_json::to_string(&format!(
        r#"<fragment><set-header name="f" exists-action="override"><value>5</value></set-header><choose><when condition="@(false)"><set-header name="g" exists-action="override"><value>6</value></set-header></when></choose><choose><when condition="@(true)">{throw}</when></choose></fragment>"#
    ))
    .unwrap();
    assert_eq!(
        case(
            r#"<choose><when condition="@(true)"><include-fragment fragment-id="f" /></when></choose>"#,
            &format!(r#"{{"name": "f", "xml": {fragment}}}"#)
        ),
        "choose[2]/when[1]/set-variable[1]"
    );
}
