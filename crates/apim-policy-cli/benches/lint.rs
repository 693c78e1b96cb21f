//! Whole-process lint figures of issue 11, measured as a user meets them: the release
//! `apim-policy lint FILE` process (start, read, parse, every rule, print) against
//! `xmllint --noout FILE` (libxml2's bare parse, Debian package libxml2-utils).
//!
//!   cargo bench -p apim-policy-cli --bench lint
//!
//! 1. The 3 MB generated policy of `apim-policy`'s lint bench: 7 alternated pairs (ours, then
//!    xmllint), the median of the per-pair time ratios and each side's peak memory.
//!    Goals: ratio <= 1.0, peak memory no higher than xmllint's.
//! 2. Scaling: copies of one 78-byte `set-header` at 1, 2, 4 and 8 MB: the median of 3 runs'
//!    time and peak memory, the growth from the previous size, and the memory beyond the input
//!    itself per input byte (peak minus the process's own baseline minus the input).
//!    Goals: doubling the input at most doubles time and memory; under 4 bytes per input byte.
//!
//! Peak memory is the child's maximum resident set as GNU time reports it (`/usr/bin/time -f
//! %M`); without it only times are printed. Benches print numbers; nothing here fails on them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "../../apim-policy/benches/support/policies.rs"]
#[allow(dead_code)]
mod policies;

const CLI: &str = env!("CARGO_BIN_EXE_apim-policy");
const GNU_TIME: &str = "/usr/bin/time";

/// One run: wall seconds and peak resident kilobytes (when GNU time is there).
struct Run {
    secs: f64,
    peak_kb: Option<u64>,
}

/// Run `program args…` with its output discarded; `Err` says why it could not be measured.
fn run(program: &str, args: &[&Path], ok: &[i32]) -> Result<Run, String> {
    let dir = bench_dir();
    let rss_file = dir.join("peak-rss.txt");
    let with_time = Path::new(GNU_TIME).exists();
    let mut cmd = if with_time {
        let mut c = Command::new(GNU_TIME);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    let t = Instant::now();
    let status = cmd.status().map_err(|e| format!("{program}: {e}"))?;
    let secs = t.elapsed().as_secs_f64();
    match status.code() {
        Some(c) if ok.contains(&c) => {}
        other => return Err(format!("{program} exited with {other:?}")),
    }
    let peak_kb = if with_time {
        std::fs::read_to_string(&rss_file)
            .ok()
            .and_then(|s| s.lines().last()?.trim().parse().ok())
    } else {
        None
    };
    Ok(Run { secs, peak_kb })
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn median_kb(v: &[Run]) -> Option<u64> {
    let mut kb: Vec<u64> = v.iter().filter_map(|r| r.peak_kb).collect();
    kb.sort_unstable();
    kb.get(kb.len() / 2).copied()
}

fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

// The CLI exits 1 when the document has errors (the generated documents exceed APIM's size
// limit): that is a finished lint, not a failure.
const LINT_OK: &[i32] = &[0, 1];

fn against_xmllint() {
    let file = bench_dir().join("large-policy.xml");
    let text = policies::large_policy(3 * 1024 * 1024);
    std::fs::write(&file, &text).unwrap();
    let lint_args: [&Path; 2] = [Path::new("lint"), &file];
    let xmllint_args: [&Path; 2] = [Path::new("--noout"), &file];
    // One untimed run each warms the page cache.
    if let Err(e) = run("xmllint", &xmllint_args, &[0]) {
        println!("xmllint --noout not measured ({e}); install Debian's libxml2-utils");
        return;
    }
    run(CLI, &lint_args, LINT_OK).unwrap();
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..7 {
        let o = run(CLI, &lint_args, LINT_OK).unwrap();
        let x = run("xmllint", &xmllint_args, &[0]).unwrap();
        ratios.push(o.secs / x.secs);
        ours.push(o);
        theirs.push(x);
    }
    let ratio = median(ratios);
    println!(
        "3 MB policy ({:.2} MB), 7 alternated whole-process pairs:",
        text.len() as f64 / 1e6
    );
    println!(
        "  apim-policy lint  {:7.1} ms median   xmllint --noout {:7.1} ms median",
        median(ours.iter().map(|r| r.secs).collect()) * 1e3,
        median(theirs.iter().map(|r| r.secs).collect()) * 1e3
    );
    println!(
        "  time ratio (median of pairs) {ratio:.2}   goal <= 1.0: {}",
        mark(ratio <= 1.0)
    );
    match (median_kb(&ours), median_kb(&theirs)) {
        (Some(o), Some(x)) => println!(
            "  peak memory {:.1} MB vs xmllint {:.1} MB   goal: no higher than xmllint's: {}",
            o as f64 / 1024.0,
            x as f64 / 1024.0,
            mark(o <= x)
        ),
        _ => println!("  peak memory not measured ({GNU_TIME} missing)"),
    }
}

fn scaling() {
    let dir = bench_dir();
    // The process's own resident memory (binary, catalog, allocator) on a one-statement file.
    let tiny = dir.join("scaling-tiny.xml");
    std::fs::write(&tiny, policies::repeated_policy(1)).unwrap();
    let base_kb = median_kb(
        &(0..3)
            .map(|_| run(CLI, &[Path::new("lint"), &tiny], LINT_OK).unwrap())
            .collect::<Vec<_>>(),
    );
    println!(
        "Scaling: copies of a {}-byte set-header (process baseline {}):",
        policies::SET_HEADER.len(),
        base_kb.map_or("not measured".into(), |k| format!(
            "{:.1} MB",
            k as f64 / 1024.0
        ))
    );
    println!(
        "  {:>5}  {:>9}  {:>11}  {:>10}  {:>12}  {:>16}",
        "input", "time", "time growth", "peak", "peak growth", "extra bytes/byte"
    );
    let mut previous: Option<(f64, Option<u64>)> = None;
    let mut all_met = true;
    for mb in [1usize, 2, 4, 8] {
        let copies = mb * 1024 * 1024 / policies::SET_HEADER.len();
        let text = policies::repeated_policy(copies);
        let file = dir.join(format!("scaling-{mb}mb.xml"));
        std::fs::write(&file, &text).unwrap();
        let args: [&Path; 2] = [Path::new("lint"), &file];
        run(CLI, &args, LINT_OK).unwrap();
        let runs: Vec<Run> = (0..3).map(|_| run(CLI, &args, LINT_OK).unwrap()).collect();
        let secs = median(runs.iter().map(|r| r.secs).collect());
        let peak = median_kb(&runs);
        let mut growth = |now: f64, before: f64| {
            let g = now / before;
            all_met &= g <= 2.0;
            format!("{g:.2}x {}", if g <= 2.0 { "ok" } else { "over" })
        };
        let (tg, mg) = match previous {
            Some((ps, pk)) => (
                growth(secs, ps),
                match (peak, pk) {
                    (Some(a), Some(b)) => growth(a as f64, b as f64),
                    _ => "-".into(),
                },
            ),
            None => ("-".into(), "-".into()),
        };
        let extra = match (peak, base_kb) {
            (Some(p), Some(b)) => {
                let per_byte =
                    (p.saturating_sub(b) as f64 * 1024.0 - text.len() as f64) / text.len() as f64;
                all_met &= per_byte < 4.0;
                format!(
                    "{per_byte:.1} {}",
                    if per_byte < 4.0 { "ok" } else { "over" }
                )
            }
            _ => "-".into(),
        };
        println!(
            "  {:>3}MB  {:>7.1}ms  {:>11}  {:>8.1}MB  {:>12}  {:>16}",
            mb,
            secs * 1e3,
            tg,
            peak.map_or(0.0, |k| k as f64 / 1024.0),
            mg,
            extra
        );
        previous = Some((secs, peak));
    }
    println!(
        "  goals: each doubling at most doubles time and peak; extra memory under 4 bytes per input byte: {}",
        mark(all_met)
    );
}

fn main() {
    // `cargo bench` passes `--bench` (and maybe a filter); there is nothing to filter here.
    println!("apim-policy CLI: {CLI}");
    against_xmllint();
    scaling();
}
