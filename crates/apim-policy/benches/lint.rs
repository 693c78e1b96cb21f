//! Linting throughput: a large generated policy and the whole real-world corpus, beside a bare
//! quick-xml event scan of the same bytes (so the ratio shows what parsing APIM's format and the
//! rules cost) and `xmllint --noout` on the same file (the goal: a full lint of a 3 MB
//! policy faster than xmllint parses it). The figures themselves (whole processes of the
//! release CLI, peak memory, scaling from 1 to 8 MB) come from
//! `cargo bench -p apim-policy-cli --bench lint`.
//!
//!   cargo bench -p apim-policy --bench lint
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

#[path = "support/policies.rs"]
#[allow(dead_code)]
mod policies;
use policies::large_policy;

fn corpus() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "xml") {
                out.push(String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"),
        &mut out,
    );
    out
}

fn quick_xml_scan(text: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => return n,
            Ok(_) => n += 1,
        }
    }
}

fn mb_per_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

/// Time `xmllint --noout` on the file (median of runs) and print it beside our own full lint.
fn compare_with_xmllint(text: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("large-policy.xml");
    std::fs::write(&file, text).unwrap();
    let mut xmllint = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        match std::process::Command::new("xmllint")
            .arg("--noout")
            .arg(&file)
            .status()
        {
            Ok(s) if s.success() => xmllint.push(t.elapsed().as_secs_f64()),
            Ok(s) => {
                println!("xmllint failed on the generated policy ({s}): not compared");
                return;
            }
            Err(_) => {
                println!("xmllint not installed (Debian: libxml2-utils): not compared");
                return;
            }
        }
    }
    let mut ours = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        black_box(apim_policy::lint(black_box(text)));
        ours.push(t.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let (x, o) = (median(&mut xmllint), median(&mut ours));
    println!(
        "large policy {:.1} MB: apim-policy lint {:.1} ms ({:.0} MB/s) vs xmllint --noout {:.1} ms ({:.0} MB/s, process included): lint is {:.1}x {}",
        text.len() as f64 / 1e6,
        o * 1e3,
        mb_per_s(text.len(), o),
        x * 1e3,
        mb_per_s(text.len(), x),
        if o < x { x / o } else { o / x },
        if o < x { "faster" } else { "slower" }
    );
}

fn bench(c: &mut Criterion) {
    let large = large_policy(3 * 1024 * 1024);
    compare_with_xmllint(&large);

    let mut group = c.benchmark_group("large-3MB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("quick-xml bare scan", |b| {
        b.iter(|| quick_xml_scan(black_box(&large)))
    });
    group.bench_function("parse", |b| {
        b.iter(|| apim_policy::syntax::parse(black_box(&large)))
    });
    group.bench_function("lint (parse + every rule)", |b| {
        b.iter(|| apim_policy::lint(black_box(&large)))
    });
    group.finish();

    let files = corpus();
    let total: usize = files.iter().map(String::len).sum();
    let mut group = c.benchmark_group("corpus-175-files");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("quick-xml bare scan", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| quick_xml_scan(black_box(f)))
                .sum::<usize>()
        })
    });
    group.bench_function("lint", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| apim_policy::lint(black_box(f)).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
