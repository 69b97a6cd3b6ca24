//! Fuzzes the voice amr reader (see mm3gw::voice::fuzzing::amr); crashers go to
//! tests/fuzz_regressions/voice_amr/ and are replayed by tests/voice_fuzz_regressions.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mm3gw::voice::fuzzing::amr(data);
});
