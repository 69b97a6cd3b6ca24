//! Fuzzes the voice g726 reader (see mm3gw::voice::fuzzing::g726); crashers go to
//! tests/fuzz_regressions/voice_g726/ and are replayed by tests/voice_fuzz_regressions.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mm3gw::voice::fuzzing::g726(data);
});
