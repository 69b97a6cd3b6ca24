//! MDN parser on arbitrary bytes; a parsed disposition written back by our builder parses to
//! the same type and modifiers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mm3gw::mail::mdn::{self, MdnReport};
use mm3gw::mail::{Head, Limits, Mailbox};
use mm3gw::mm;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        mime: mm::Limits {
            max_message_bytes: 1 << 20,
            max_parts: 64,
            max_depth: 8,
            max_recipients: 64,
        },
        max_report_recipients: 32,
        max_report_part_bytes: 64 * 1024,
    };
    let Ok(m) = mdn::parse(data, &limits) else { return };
    let _ = m.read_status();
    let _ = m.disposition.is_error();
    let report = MdnReport {
        head: Head::new(Mailbox::new("a@example.net"), 0, "id@example.net"),
        notification_to: "b@example.net".into(),
        reporting_ua: "example.net".into(),
        mdn_gateway: None,
        original_recipient: None,
        final_recipient: "a@example.net".into(),
        original_message_id: None,
        disposition: m.disposition.clone(),
        human_text: String::new(),
    };
    // Dispositions with line breaks or separators inside a token are refused or reparse
    // differently; only a clean one must survive.
    let clean = |s: &str| s.bytes().all(|b| b.is_ascii_graphic() && !b";/,(".contains(&b));
    let d = &m.disposition;
    if !(clean(d.kind.as_str()) && d.modifiers.iter().all(|x| clean(x))) {
        return;
    }
    let built = mdn::build(&report).expect("a clean disposition builds");
    let again = mdn::parse(&built.bytes, &Limits::default()).expect("our MDN parses");
    assert_eq!(again.disposition.kind, d.kind);
    assert_eq!(again.disposition.modifiers, d.modifiers);
});
