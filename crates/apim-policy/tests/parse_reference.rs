//! The parser's fast tokenizer reads exactly what quick-xml reads: `parse` (fast tokenizer, with
//! quick-xml for the rest) and `parse_reference` (quick-xml for everything) give the same
//! document (every node, span and diagnostic) on every policy of the repository (the corpus,
//! the simulator's, linter's, formatter's and exporter's fixtures, the courses, the examples),
//! and on broken variants of each: cut off at many points, and with one byte of markup (`<`,
//! `>`, a quote, `/`, `-`, `]`, `!`, `?`, `&`) deleted or doubled. The `parse` fuzz target
//! compares the two on any input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::syntax::{parse, parse_reference};
use std::path::{Path, PathBuf};

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

fn policies() -> Vec<(String, String)> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    xml_files(&crate_dir.join("tests"), &mut paths);
    xml_files(&crate_dir.join("../apim-policy-cli/tests"), &mut paths);
    xml_files(&crate_dir.join("../../courses"), &mut paths);
    xml_files(&crate_dir.join("../../examples"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            (p.display().to_string(), text)
        })
        .collect()
}

fn same(text: &str, what: &str) {
    let fast = parse(text);
    let reference = parse_reference(text);
    assert!(
        fast == reference,
        "{what}: the fast tokenizer differs from quick-xml\nfast: {:#?}\nreference: {:#?}",
        fast.diagnostics,
        reference.diagnostics
    );
}

#[test]
fn the_fast_tokenizer_reads_every_policy_as_quick_xml_does() {
    let all = policies();
    assert!(all.len() > 330, "only {} policies found", all.len());
    for (name, text) in &all {
        same(text, name);
    }
}

#[test]
fn the_fast_tokenizer_reads_broken_policies_as_quick_xml_does() {
    let mut variants = 0;
    for (name, text) in policies() {
        let bounds: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        // Cut off at 24 points spread over the text.
        for k in 1..24 {
            let at = bounds[bounds.len() * k / 24];
            same(&text[..at], &format!("{name} cut at {at}"));
            variants += 1;
        }
        // One byte of markup deleted, or doubled, at up to 24 places spread over the text.
        let marks: Vec<usize> = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| b"<>\"'/-]!?&".contains(b))
            .map(|(i, _)| i)
            .collect();
        let step = (marks.len() / 24).max(1);
        for &at in marks.iter().step_by(step) {
            let deleted = format!("{}{}", &text[..at], &text[at + 1..]);
            same(&deleted, &format!("{name} without byte {at}"));
            let doubled = format!("{}{}", &text[..=at], &text[at..]);
            same(&doubled, &format!("{name} with byte {at} doubled"));
            variants += 2;
        }
    }
    assert!(variants > 10_000, "only {variants} variants");
}

#[test]
fn the_fast_tokenizer_reads_unusual_markup_as_quick_xml_does() {
    for text in [
        "",
        "<",
        "<>",
        "</>",
        "<a/>",
        "<a/ >",
        "<a//>",
        "< a></a>",
        "<a></a >",
        "<a>text</a>trailing",
        "\u{feff}<a/>",
        "\u{feff}\u{feff}<a/>",
        "<a>x</a>\u{feff}<b/>",
        "<a>\u{feff}</a>",
        "<a><!----></a>",
        "<a><!---></a>",
        "<a><!-->--></a>",
        "<a><!--->x<--->--></a>",
        "<a><!-- a -- b --></a>",
        "<a><![CDATA[]]></a>",
        "<a><![CDATA[]]]></a>",
        "<a><![CDATA[ x ]] ]]></a>",
        "<a><![cdata[x]]></a>",
        "<a><!DOCTYPE x></a>",
        "<!DOCTYPE a [<!ENTITY x 'y'>]><a/>",
        "<?xml version=\"1.0\"?><a/>",
        "<a><?pi x?></a>",
        "<a b=\">\"/>",
        "<a b='>' c=\"'\"></a>",
        "<a b=\"<\"></a>",
        "<a b=\"x\n<c/>",
        "<a b=\"x\n</a>",
        "</a\n<b/>",
        "<a>&amp;&lt;&bogus;&</a>",
        "<a>@(x < y)</a>",
        "<a b=\"@(x > 1 ? \"<\" : \"/>\")\"/>",
        "<a>@(\"unterminated)</a>",
        "<_a/>",
        "<:a/>",
        "<1a/>",
        "<é/>",
        "<a></b></a>",
        "<a><b></a>",
        "text<a/>",
        "<a/><b/>",
        "<a>]]></a>",
    ] {
        same(text, &format!("{text:?}"));
    }
}
