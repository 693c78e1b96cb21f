//! The web app's two budgets of issue 11 as `cargo bench` sees them, each printed with its goal
//! (the browser tests of `make test` measure both in Chromium and print them too):
//! - first load: the gzipped size of what the page fetches before the editor is editable,
//!   read from the last build in `dist/` (every `.wasm`/`.js`/`.css` but the simulator
//!   worker's, the panels' chunks, `split_*`/`chunk_*`, and the editor's, `editor-lazy-*`,
//!   which `tests/quality.test.mjs` checks are the only parts loaded later);
//! - keystroke: the lint share of a keystroke on the budget's 1,000-line policy, natively
//!   (`lint_cached`, what the editor runs per keystroke, for a one-letter edit and its undo).
//!
//!   cargo bench -p apim-policy --bench web
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/policies.rs"]
#[allow(dead_code)]
mod policies;

use apim_policy::lint::{ExpressionCache, LintOptions, lint_cached};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const FIRST_LOAD_GOAL_KB: f64 = 450.0;
const KEYSTROKE_GOAL_MS: f64 = 8.0;

fn gzipped(file: &Path) -> Option<usize> {
    let out = Command::new("gzip")
        .args(["-9", "-n", "-c"])
        .arg(file)
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout.len())
}

fn first_load() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    let Ok(entries) = std::fs::read_dir(&dist) else {
        println!("first load: no dist/ (build it with `make web`): not measured");
        return;
    };
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| [".wasm", ".js", ".css"].iter().any(|x| n.ends_with(x)))
        .filter(|n| {
            !["sim-worker", "split_", "chunk_", "editor-lazy-"]
                .iter()
                .any(|p| n.starts_with(p))
        })
        .collect();
    files.sort();
    let mut total = 0;
    let mut parts = Vec::new();
    for f in &files {
        let Some(size) = gzipped(&dist.join(f)) else {
            println!("first load: gzip could not read {f}: not measured");
            return;
        };
        total += size;
        parts.push(format!("{f} {:.1}", size as f64 / 1024.0));
    }
    let kb = total as f64 / 1024.0;
    println!(
        "first load (dist/, gzip -9): {kb:.1} KB (goal <= {FIRST_LOAD_GOAL_KB} KB: {}): {}",
        if kb <= FIRST_LOAD_GOAL_KB {
            "met"
        } else {
            "NOT met"
        },
        parts.join(", ")
    );
}

fn keystroke() {
    let text = policies::keystroke_policy();
    let edited = text.replacen("</policies>", "</policiex>", 1);
    let options = LintOptions::default();
    let mut cache = ExpressionCache::default();
    lint_cached(&text, &options, &mut cache);
    let mut times = Vec::new();
    for i in 0..201 {
        let t = Instant::now();
        let d = lint_cached(
            black_box(if i % 2 == 0 { &edited } else { &text }),
            &options,
            &mut cache,
        );
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(d.is_empty(), i % 2 == 1);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "keystroke: lint of the 1,000-line budget policy after a one-letter edit (lint_cached, native): {:.2} ms median \
(the browser's keystroke-to-diagnostics goal <= {KEYSTROKE_GOAL_MS} ms, of which this is the lint; the rest is the editor and the page: see `make test`'s budget line)",
        times[times.len() / 2]
    );
}

fn main() {
    first_load();
    keystroke();
}
