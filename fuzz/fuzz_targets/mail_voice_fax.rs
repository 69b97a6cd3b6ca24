//! VPIM/IVM and T.37 parsers on arbitrary bytes: documents rebuild byte for byte (checks shared with tests/mail_fuzz_regressions.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_checks/mail.rs"]
#[allow(dead_code)]
mod checks;

fuzz_target!(|data: &[u8]| checks::voice_fax(data));
