//! See `mm3gw::fax::fuzzing::t4`; crashers go to tests/fuzz_regressions/fax_t4/.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mm3gw::fax::fuzzing::t4(data));
