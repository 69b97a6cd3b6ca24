//! See `mm3gw::render::fuzzing::image`; crashers go to tests/fuzz_regressions/render_image/.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mm3gw::render::fuzzing::image(data));
