//! Simulation speed, natively, each figure printed with its goal (issue 11):
//! - requests/s through a 51-policy pipeline (set-header, set-variable with expressions,
//!   choose, rate-limit-by-key, cache values, named values incl. a Key Vault one, a Liquid
//!   set-body in outbound), one request per `simulate` call (parse and lint included);
//! - the same pipeline inside a scenario of 100 requests (goal: >= 20k requests/s per core);
//! - one `simulate` call on a realistic 1,000-line policy (goal: under 2 ms).
//!
//!   cargo bench -p apim-policy --bench simulate
//!
//! The inputs are in `sim_inputs/mod.rs`; `examples/profile_sim.rs` runs the same ones for a
//! profiler (and prints the 1,000-line policy: `-- print-long`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod sim_inputs;

use apim_policy::scenario::Scenario;
use apim_policy::sim::{SimOptions, simulate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;

/// Goals of issue 11.
const GOAL_SCENARIO_RPS: f64 = 20_000.0;
const GOAL_LONG_MS: f64 = 2.0;

/// Policy elements (counting `choose`'s branches) and lines of a policy.
fn size(policy: &str) -> (usize, usize) {
    let doc = apim_policy::syntax::parse(policy);
    let policies = doc
        .nodes()
        .filter_map(|(_, n)| match &n.kind {
            apim_policy::syntax::NodeKind::Element(e) => Some(e),
            _ => None,
        })
        .filter(|e| apim_policy::catalog::policy(&e.name).is_some() || e.name == "when")
        .count();
    (policies, policy.lines().count())
}

/// Seconds per call: the median of `rounds` timings of `calls` calls each.
fn seconds_per_call(policy: &str, scenario: &Scenario, calls: u32, rounds: usize) -> f64 {
    let options = SimOptions::default();
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                black_box(simulate(black_box(policy), scenario, &options).unwrap());
            }
            start.elapsed().as_secs_f64() / f64::from(calls)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[rounds / 2]
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT MET" }
}

fn bench(c: &mut Criterion) {
    let options = SimOptions::default();
    let policy = sim_inputs::pipeline();
    let scenario = sim_inputs::scenario();
    let (count, _) = size(&policy);
    let out = simulate(&policy, &scenario, &options).unwrap();
    assert_eq!(
        out.results()[0].outcome.as_str(),
        "forwarded",
        "{}",
        out.to_json_pretty()
    );
    // Plain measurements first (medians of 5 rounds), so the figures are printed even
    // without criterion's report.
    let per = seconds_per_call(&policy, &scenario, 100, 5);
    println!(
        "simulate: {count}-policy pipeline, one request per call (parse and lint included): {:.0} µs per request, {:.0} requests/s",
        per * 1e6,
        1.0 / per
    );
    // 100 requests in one scenario: the documents are parsed and linted once, the gateway
    // state (rate-limit counters, caches) is shared.
    let many = sim_inputs::scenario_of(100);
    let per = seconds_per_call(&policy, &many, 3, 5) / 100.0;
    println!(
        "simulate: {count}-policy pipeline inside a 100-request scenario: {:.1} µs per request, {:.0} requests/s (goal >= {:.0}k/s per core: {})",
        per * 1e6,
        1.0 / per,
        GOAL_SCENARIO_RPS / 1000.0,
        verdict(1.0 / per >= GOAL_SCENARIO_RPS)
    );
    let long = sim_inputs::long_policy();
    let long_scenario = sim_inputs::long_scenario();
    let (long_count, lines) = size(&long);
    let out = simulate(&long, &long_scenario, &options).unwrap();
    assert_eq!(
        out.results()[0].outcome.as_str(),
        "forwarded",
        "{}",
        out.to_json_pretty()
    );
    let per = seconds_per_call(&long, &long_scenario, 20, 7);
    println!(
        "simulate: one call on a {lines}-line policy ({long_count} policies, {} KB, one request): {:.2} ms (goal < {GOAL_LONG_MS} ms: {})",
        long.len() / 1024,
        per * 1e3,
        verdict(per * 1e3 < GOAL_LONG_MS)
    );
    let mut g = c.benchmark_group("simulate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("51-policy pipeline, one request", |b| {
        b.iter(|| simulate(black_box(&policy), &scenario, &options).unwrap())
    });
    g.throughput(Throughput::Elements(100));
    g.bench_function("51-policy pipeline, 100-request scenario", |b| {
        b.iter(|| simulate(black_box(&policy), &many, &options).unwrap())
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("1,000-line policy, one request", |b| {
        b.iter(|| simulate(black_box(&long), &long_scenario, &options).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
