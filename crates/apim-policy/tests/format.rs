//! Formatter golden files (`tests/format/NAME.in.xml` → `NAME.out.xml`): the expected output is
//! exact and is itself a fixed point. `UPDATE_GOLDEN=1` rewrites the expected files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::format::format;
use std::path::Path;

#[test]
fn golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/format");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".in.xml"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 4, "golden inputs missing");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for input in inputs {
        let expected_path = input.to_string_lossy().replace(".in.xml", ".out.xml");
        let src = std::fs::read_to_string(&input).unwrap();
        let out = format(&src).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        if update {
            std::fs::write(&expected_path, &out).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap();
        assert_eq!(out, expected, "{}", input.display());
        assert_eq!(
            format(&expected).unwrap(),
            expected,
            "{expected_path} is not a fixed point"
        );
    }
}
