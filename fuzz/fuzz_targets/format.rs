//! The formatter on arbitrary text: never panics; what it formats it formats idempotently.
#![no_main]

use apim_policy::format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(once) = format::format(&text) {
        let twice = format::format(&once).expect("formatted output formats again");
        assert_eq!(once, twice, "format is not idempotent");
    }
});
