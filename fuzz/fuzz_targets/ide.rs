//! Completion and hover at every kind of offset of arbitrary text: never panic, ranges in the
//! text (they run on every keystroke in the browser).
#![no_main]

use apim_policy::ide;
use apim_policy::lint::LintOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = LintOptions::default();
    let len = text.len();
    for offset in [0, len / 3, len / 2, len.saturating_sub(1), len, len + 5] {
        let c = ide::complete(&text, offset, &options);
        assert!(c.from <= c.to && c.to <= len, "completion range {}..{} of {len}", c.from, c.to);
        if let Some(h) = ide::hover(&text, offset, &options) {
            assert!(h.span.start <= h.span.end && h.span.end <= len);
        }
    }
    let _ = ide::outline(&apim_policy::syntax::parse(&text));
});
