//! `docs/rules.md` is generated from the rule registry and must stay in sync with it.
//! Regenerate: `UPDATE_DOCS=1 cargo test -p apim-policy --test docs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

#[test]
fn rules_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let generated = apim_policy::lint::registry::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/rules.md is stale: run UPDATE_DOCS=1 cargo test -p apim-policy --test docs"
    );
    for rule in apim_policy::lint::rules() {
        assert!(
            on_disk.contains(&format!("## {}", rule.code)),
            "{} missing from docs/rules.md",
            rule.code
        );
    }
}
