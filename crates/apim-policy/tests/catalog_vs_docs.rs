//! `scripts/catalog-vs-docs.py` against the real catalog (`catalog::dump::to_json`) on synthetic
//! pages with planted differences (`fixtures/catalog-vs-docs/`): each one must be reported, the
//! explained one with its reason, and the conditional requirement as encoded. Needs `python3`
//! (standard library only); a machine without it fails here with a message, never skips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::catalog;
use std::path::Path;
use std::process::Command;

fn report() -> String {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = manifest.join("../../scripts/catalog-vs-docs.py");
    let fixture = manifest.join("tests/fixtures/catalog-vs-docs");
    let dir = std::env::temp_dir().join(format!("catalog-vs-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("catalog.json");
    std::fs::write(&json, catalog::dump::to_json()).unwrap();
    let out = Command::new("python3")
        .arg(&script)
        .arg(&fixture)
        .arg("--catalog")
        .arg(&json)
        .arg("--explained")
        .arg(fixture.join("explained.tsv"))
        .arg("--source")
        .arg("the test fixture")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "python3 is needed to run scripts/catalog-vs-docs.py (apt-get install python3): {e}"
            )
        });
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "the script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_dump_is_json_with_every_policy() {
    let json: serde_json::Value = serde_json::from_str(&catalog::dump::to_json()).unwrap();
    let policies = json["policies"].as_array().unwrap();
    assert_eq!(policies.len(), catalog::policies().len());
    let send = policies
        .iter()
        .find(|p| p["name"] == "send-request")
        .unwrap();
    assert_eq!(send["element"]["conditions"][0]["kind"], "required");
    assert_eq!(send["element"]["conditions"][0]["item"]["child"], "set-url");
    assert_eq!(
        send["element"]["conditions"][0]["when"]["is-not"][0],
        "copy"
    );
    let quota = policies
        .iter()
        .find(|p| p["name"] == "quota-by-key")
        .unwrap();
    assert!(
        quota["element"]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "increment-count" && a["default"] == "1")
    );
}

#[test]
fn every_planted_difference_is_reported() {
    let r = report();
    let unexplained = |needle: &str| {
        assert!(
            r.lines()
                .any(|l| l.starts_with("- **unexplained**") && l.contains(needle)),
            "not reported as unexplained: {needle}\n{r}"
        );
    };
    unexplained("attribute `decrement-count` is on the page, not in the catalog");
    unexplained("`counter-key`: docs say optional, catalog required");
    unexplained("`renewal-period`: docs default `600`, catalog `None`");
    unexplained("`calls`: docs say expressions allowed, catalog forbids them");
    unexplained("catalog attribute `increment-condition` is not on the page");
    // The note sits in an include: the script reads it.
    unexplained(
        "once_per_section: docs yes (This policy can only be used once in a policy section.), catalog no",
    );
    unexplained(
        "the policy index links `brand-new-thing-policy.md`; the catalog has no `brand-new-thing`",
    );
    // Pages the fixture lacks are listed, so a partial docs folder shows what it did not check.
    unexplained("no page `set-header-policy.md` in DOCS_DIR");
    // Explained, stale and note lines.
    assert!(
        r.contains("sections: docs {`inbound`, `outbound`}, catalog {`inbound`}. *Explained:* Planted: explained in the fixture."),
        "{r}"
    );
    assert!(r.contains("- `quota-by-key|no-such-difference`"), "{r}");
    assert!(
        r.contains("- **planted note**: Shown in its own section."),
        "{r}"
    );
    // The conditional requirement the catalog encodes is not a difference.
    assert!(
        r.contains("| send-request | <set-url> | No if mode=copy; otherwise yes. | <set-url> required when `mode` is not copy |"),
        "{r}"
    );
    assert!(!r.contains("send-request|child set-url"), "{r}");
    assert!(
        r.contains("| quota-by-key-policy.md | 01/02/2030 | ? |"),
        "{r}"
    );
    assert!(r.contains("Docs: the test fixture"), "{r}");
}
