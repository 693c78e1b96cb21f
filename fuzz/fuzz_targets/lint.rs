//! The whole linter (every rule) on arbitrary text: never panics; spans and fixes stay in range
//! and every fix applies.
#![no_main]

use apim_policy::{fix, lint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for d in lint::lint(&text) {
        assert!(d.span.start <= d.span.end && d.span.end <= text.len());
        if let Some(f) = &d.fix {
            assert!(fix::apply(&text, &f.edits).is_some(), "{} fix does not apply: {:?}", d.code, f);
        }
    }
});
