//! Fuzzes the voice wav reader (see mm3gw::voice::fuzzing::wav); crashers go to
//! tests/fuzz_regressions/voice_wav/ and are replayed by tests/voice_fuzz_regressions.rs.
#![no_main]

use std::sync::Once;

static QUIET: Once = Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // symphonia panics on some malformed containers (e.g. a zero TimeBase); mm3gw catches
    // those with catch_unwind and returns an error. libfuzzer-sys' panic hook would abort on
    // them anyway, so it is replaced: a panic that escapes mm3gw still aborts the run, because
    // libfuzzer-sys checks every call with catch_unwind itself.
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    mm3gw::voice::fuzzing::wav(data);
});
