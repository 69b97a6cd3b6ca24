//! See `mm3gw::fax::fuzzing::tiff`; crashers go to tests/fuzz_regressions/fax_tiff/.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mm3gw::fax::fuzzing::tiff(data));
