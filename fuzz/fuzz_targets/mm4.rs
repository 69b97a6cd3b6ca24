//! MM4 parser and inspector on arbitrary bytes, and the emit→parse round trip for whatever
//! parses (checks shared with tests/mm_fuzz_regressions.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_checks/mm.rs"]
#[allow(dead_code)]
mod checks;

fuzz_target!(|data: &[u8]| checks::mm4(data));
