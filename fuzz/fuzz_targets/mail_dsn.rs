//! DSN parser on arbitrary bytes: maps to MM statuses, rebuilds and reparses (checks shared with tests/mail_fuzz_regressions.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_checks/mail.rs"]
#[allow(dead_code)]
mod checks;

fuzz_target!(|data: &[u8]| checks::dsn(data));
