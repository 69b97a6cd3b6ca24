//! SMIL reader, writer, derive and resolve: see `tests/fuzz_checks/mm.rs` for what is checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)] // each target uses one of the shared checks
#[path = "../../tests/fuzz_checks/mm.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::smil(data));
