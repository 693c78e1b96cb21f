//! Lesson checks on a large policy: every step of each built-in lesson checked against its
//! solution padded to about 2,000 lines (set-variable / set-header / choose blocks in inbound),
//! natively. One check of a lesson parses the policy once, lints it once per scenario, and
//! simulates and exports at most once per scenario (and target). The goal (< 100 ms per check
//! in the web worker) is printed beside the numbers; nothing is asserted.
//!
//!   cargo bench -p apim-policy --bench lesson
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::lesson;
use std::path::Path;
use std::time::{Duration, Instant};

const TARGET_LINES: usize = 2_000;
const GOAL: Duration = Duration::from_millis(100);

/// `policy` with padding after `<inbound>` until it has about `TARGET_LINES` lines.
fn pad(policy: &str) -> String {
    let mut block = String::new();
    let mut i = 0;
    while policy.lines().count() + block.lines().count() < TARGET_LINES {
        block.push_str(&format!(
            r#"    <set-variable name="pad-{i}" value="@(context.Request.Method + "-{i}")" />
    <set-header name="X-Pad-{i}" exists-action="override">
      <value>@((string)context.Variables["pad-{i}"])</value>
    </set-header>
    <choose>
      <when condition="@(context.Request.Headers.ContainsKey("X-Never-{i}"))">
        <set-query-parameter name="never-{i}" exists-action="override">
          <value>1</value>
        </set-query-parameter>
      </when>
    </choose>
"#
        ));
        i += 1;
    }
    match policy.find("<inbound>") {
        Some(at) => {
            let after = at + "<inbound>".len();
            format!("{}\n{block}{}", &policy[..after], &policy[after..])
        }
        None => policy.to_string(),
    }
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../courses/key-vault-workshop");
    let read = |rel: &str| std::fs::read_to_string(dir.join(rel)).map_err(|e| e.to_string());
    let text = std::fs::read_to_string(dir.join("course.json")).unwrap();
    let course = lesson::load_course("course.json", &text, &read);
    assert!(course.errors.is_empty(), "{:?}", course.errors);
    println!(
        "lesson check: every step of a lesson against its solution padded to ~{TARGET_LINES} lines (goal < {} ms per check)",
        GOAL.as_millis()
    );
    println!(
        "{:<28} {:>6} {:>6} {:>10} {:>10}  solution still passes",
        "lesson", "lines", "steps", "median", "max"
    );
    let mut worst = Duration::ZERO;
    for l in &course.lessons {
        let policy = pad(&l.solution.policy);
        let scenario = l
            .solution
            .scenario
            .as_deref()
            .or(l.start.scenario.as_deref());
        let first = lesson::check(l, &policy, scenario);
        let mut times = Vec::new();
        for _ in 0..9 {
            let t = Instant::now();
            let r = lesson::check(l, &policy, scenario);
            times.push(t.elapsed());
            std::hint::black_box(r);
        }
        times.sort();
        let median = times[times.len() / 2];
        let max = *times.last().unwrap();
        worst = worst.max(median);
        println!(
            "{:<28} {:>6} {:>6} {:>8.2}ms {:>8.2}ms  {}",
            l.id,
            policy.lines().count(),
            l.steps.len(),
            median.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
            if first.passed { "yes" } else { "no" }
        );
    }
    println!(
        "slowest lesson (median): {:.2} ms, goal < {} ms: {}",
        worst.as_secs_f64() * 1e3,
        GOAL.as_millis(),
        if worst < GOAL { "met" } else { "NOT met" }
    );
}
