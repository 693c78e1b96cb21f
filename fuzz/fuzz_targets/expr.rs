//! The expression scanner and C# parser on arbitrary text: never panic, errors inside the code.
#![no_main]

use apim_expr::{ExprKind, scan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for kind in [ExprKind::Single, ExprKind::Block] {
        for err in apim_expr::check(&text, kind) {
            assert!(err.span.start <= err.span.end && err.span.end <= text.len());
        }
    }
    for (i, _) in text.match_indices('@') {
        if let Some(Ok(s)) = scan::scan(&text, i) {
            assert!(s.end <= text.len() && s.start == i);
        }
    }
});
