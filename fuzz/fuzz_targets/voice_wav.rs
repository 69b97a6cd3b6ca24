//! Fuzzes the voice wav reader (see mm3gw::voice::fuzzing::wav); crashers go to
//! tests/fuzz_regressions/voice_wav/ and are replayed by tests/voice_fuzz_regressions.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mm3gw::voice::fuzzing::wav(data);
});
