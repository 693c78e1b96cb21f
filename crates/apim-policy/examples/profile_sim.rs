//! Simulate the bench's inputs repeatedly (for profilers):
//! `cargo run --release -p apim-policy --example profile_sim -- MODE [N]` where MODE is
//! `single` (the pipeline, one request per call), `many` (100 requests per call), `long`
//! (the 1,000-line policy) or `print-long` (print the 1,000-line policy and its outcome).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../benches/sim_inputs/mod.rs"]
mod sim_inputs;

use apim_policy::sim::{SimOptions, simulate};
use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "many".into());
    let n: u32 = args.next().map_or(100, |s| s.parse().unwrap());
    let options = SimOptions::default();
    let (policy, scenario, per_call) = match mode.as_str() {
        "single" => (sim_inputs::pipeline(), sim_inputs::scenario(), 1),
        "many" => (sim_inputs::pipeline(), sim_inputs::scenario_of(100), 100),
        "long" | "print-long" => (sim_inputs::long_policy(), sim_inputs::long_scenario(), 1),
        other => panic!("unknown mode {other}: single, many, long or print-long"),
    };
    if mode == "print-long" {
        let out = simulate(&policy, &scenario, &options).unwrap();
        println!("{policy}");
        println!("{}", out.to_json_pretty());
        return;
    }
    let start = std::time::Instant::now();
    for _ in 0..n {
        black_box(simulate(black_box(&policy), &scenario, &options).unwrap());
    }
    let per = start.elapsed().as_secs_f64() / f64::from(n * per_call);
    println!(
        "{mode}: {:.1} µs per request, {:.0} requests/s",
        per * 1e6,
        1.0 / per
    );
}
