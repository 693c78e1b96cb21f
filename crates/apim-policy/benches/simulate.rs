//! Simulation throughput: requests per second through a 50-policy pipeline (set-header,
//! set-variable with expressions, choose, rate-limit-by-key, cache values, named values incl.
//! a Key Vault one, a Liquid set-body in outbound), natively.
//!
//!   cargo bench -p apim-policy --bench simulate
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::scenario::Scenario;
use apim_policy::sim::{SimOptions, simulate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;

/// 50 policies in all (counting each policy element, `choose`'s branches included).
fn policy() -> String {
    let mut inbound = String::new();
    for i in 0..8 {
        inbound.push_str(&format!(
            r#"        <set-header name="X-H{i}" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("Accept", "") + "-{i}")</value></set-header>
        <set-variable name="v{i}" value="@(context.Request.MatchedParameters["id"] + "{i}")" />
        <choose>
            <when condition="@(context.Variables.GetValueOrDefault<string>("v{i}", "").Length > 2)">
                <set-query-parameter name="q{i}" exists-action="override"><value>{{{{plain}}}}</value></set-query-parameter>
            </when>
        </choose>
"#
        ));
    }
    format!(
        r#"<policies>
    <inbound>
        <base />
{inbound}        <set-header name="X-Key" exists-action="override"><value>{{{{kv-key}}}}</value></set-header>
        <rate-limit-by-key calls="1000000" renewal-period="60" counter-key="@(context.Request.IpAddress)" />
        <cache-lookup-value key="k" variable-name="cached" />
        <cache-store-value key="k" value="@("value")" duration="60" />
        <set-body>@{{ var o = context.Request.Body.As<JObject>(preserveContent: true); o["seen"] = true; return o.ToString(); }}</set-body>
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
        <set-body template="liquid">{{"id": "{{{{body.id}}}}", "status": "{{{{body.status | Upcase}}}}"}}</set-body>
        <set-header name="X-Out" exists-action="override"><value>done</value></set-header>
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>"#
    )
}

fn scenario() -> Scenario {
    Scenario::from_json(
        r#"{
  "api": {"name": "orders", "path": "orders", "service_url": "https://backend.contoso.com/api",
          "operation": {"name": "get-order", "method": "POST", "url_template": "/items/{id}"}},
  "named_values": [
    {"name": "plain", "value": "p"},
    {"name": "kv-key", "key_vault": {"secret_identifier": "https://kv.vault.azure.net/secrets/k"}}
  ],
  "key_vaults": [{"name": "kv", "apim_permissions": ["get"], "secrets": [{"name": "k", "value": "s3cr3t-value"}]}],
  "backend": {"status": 200, "headers": {"Content-Type": ["application/json"]}, "body": "{\"id\":\"42\",\"status\":\"shipped\"}"},
  "request": {"method": "POST", "url": "https://contoso.azure-api.net/orders/items/42",
              "headers": {"Accept": ["application/json"], "Content-Type": ["application/json"]},
              "body": "{\"a\":1}"}
}"#,
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let policy = policy();
    let scenario = scenario();
    let doc = apim_policy::syntax::parse(&policy);
    let count = doc
        .nodes()
        .filter_map(|(_, n)| match &n.kind {
            apim_policy::syntax::NodeKind::Element(e) => Some(e),
            _ => None,
        })
        .filter(|e| apim_policy::catalog::policy(&e.name).is_some() || e.name == "when")
        .count();
    let options = SimOptions::default();
    let out = simulate(&policy, &scenario, &options).unwrap();
    assert_eq!(
        out.results()[0].outcome.as_str(),
        "forwarded",
        "{}",
        out.to_json_pretty()
    );
    // A plain measurement first, so the number is printed even without criterion's report.
    let n = 300;
    let start = Instant::now();
    for _ in 0..n {
        black_box(simulate(black_box(&policy), &scenario, &options).unwrap());
    }
    let per = start.elapsed().as_secs_f64() / f64::from(n);
    println!(
        "simulate: {count}-policy pipeline, {:.0} µs per request, {:.0} requests/s (one request per call, including lint and parse)",
        per * 1e6,
        1.0 / per
    );
    // The same pipeline with 100 requests in one scenario: lint and parse happen once, so
    // this is the per-request cost of the pipeline itself (shared rate-limit/cache state).
    let mut many = scenario.clone();
    many.requests = (0..100).map(|_| many.request.clone().unwrap()).collect();
    let start = Instant::now();
    let rounds = 5;
    for _ in 0..rounds {
        black_box(simulate(black_box(&policy), &many, &options).unwrap());
    }
    let per = start.elapsed().as_secs_f64() / f64::from(rounds * 100);
    println!(
        "simulate: {count}-policy pipeline inside a 100-request scenario, {:.0} µs per request, {:.0} requests/s",
        per * 1e6,
        1.0 / per
    );
    let mut g = c.benchmark_group("simulate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("50-policy pipeline", |b| {
        b.iter(|| simulate(black_box(&policy), &scenario, &options).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
