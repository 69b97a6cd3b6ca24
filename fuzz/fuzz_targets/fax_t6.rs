//! See `mm3gw::fax::fuzzing::t6`; crashers go to tests/fuzz_regressions/fax_t6/.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mm3gw::fax::fuzzing::t6(data));
