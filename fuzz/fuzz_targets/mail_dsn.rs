//! DSN parser on arbitrary bytes; whatever parses maps to an MM status without panicking, and
//! rebuilding its recipients as our own DSN parses back to the same actions and statuses.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mm3gw::mail::dsn::{self, DsnRecipient, DsnReport};
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
    let Ok(d) = dsn::parse(data, &limits) else { return };
    let recipients: Vec<DsnRecipient> = d
        .recipients
        .iter()
        .filter_map(|r| {
            let _ = r.mm_status();
            let status = r.status?;
            let addr = r.final_recipient.as_ref()?.address.clone();
            let ok = !addr.is_empty() && !addr.contains(['\r', '\n', '\0']);
            ok.then(|| DsnRecipient {
                original_recipient: None,
                final_recipient: addr,
                action: r.action.clone(),
                status,
                diagnostic_code: None,
                last_attempt_date: None,
            })
        })
        .filter(|r| !matches!(&r.action, dsn::Action::Other(a) if a.is_empty() || a.contains(['\r', '\n'])))
        .collect();
    if recipients.is_empty() {
        return;
    }
    let report = DsnReport {
        head: Head::new(Mailbox::new("a@example.net"), 0, "id@example.net"),
        return_path: "b@example.net".into(),
        reporting_mta: "example.net".into(),
        dsn_gateway: None,
        original_envelope_id: None,
        arrival_date: None,
        recipients: recipients.clone(),
        human_text: String::new(),
        original_headers: None,
    };
    let Ok(built) = dsn::build(&report) else { return };
    let again = dsn::parse(&built.bytes, &Limits::default()).expect("our DSN parses");
    let got: Vec<_> =
        again.recipients.iter().map(|r| (r.action.as_str().to_string(), r.status)).collect();
    let want: Vec<_> =
        recipients.iter().map(|r| (r.action.as_str().to_string(), Some(r.status))).collect();
    assert_eq!(got, want);
});
