//! MM4 parser and inspector on arbitrary bytes, plus the emit→parse round trip for whatever
//! parses: our own output must always parse again to the same model.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mm3gw::mm::{self, Limits};

fuzz_target!(|data: &[u8]| {
    let limits =
        Limits { max_message_bytes: 1 << 20, max_parts: 64, max_depth: 8, max_recipients: 64 };
    if let Ok(parsed) = mm::parse(data, &limits) {
        let bytes = parsed.mm.to_bytes();
        let again = mm::parse(&bytes, &Limits::default()).expect("our output parses");
        assert_eq!(again.mm, parsed.mm);
    }
    let _ = mm3gw::inspect::inspect(data, &limits);
});
