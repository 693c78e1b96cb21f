//! Lint a file repeatedly (for profilers): `cargo run --release -p apim-policy --example profile_lint FILE [N]`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let n: usize = args.next().map_or(5, |s| s.parse().unwrap());
    let text = std::fs::read_to_string(path).unwrap();
    let t = std::time::Instant::now();
    let doc = apim_policy::syntax::parse(&text);
    println!("parse: {:?} ({} nodes)", t.elapsed(), doc.nodes().count());
    for _ in 0..n {
        let t = std::time::Instant::now();
        let d = apim_policy::lint(&text);
        println!("lint: {:?} ({} diagnostics)", t.elapsed(), d.len());
    }
}
