//! The flows of issue 8 §3 as pure functions: a test converter stands in for `interwork/`.
use std::sync::Arc;

use super::*;
use crate::gateway::convert::Outbound;
use crate::gateway::spool::Stage;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

fn config() -> Config {
    Config::from_toml(
        "[server]\nhostname = \"mm3gw.example.net\"\n[mmsc]\ndomains = [\"mms.example.net\"]\nnext_hop = \"file:out/mmsc\"\n\
         [[route]]\nname = \"fax\"\nrecipients = [\"FAX=*@*\"]\nconvert = \"fax\"\npeer_domain = \"offramp.example.net\"\nnext_hop = \"file:out/fax\"\n",
        "test",
    )
    .unwrap()
}

/// Stands in for the fax conversion: one message per recipient carrying the token Message-ID.
fn fake_fax() -> Converters {
    let mut c = Converters::default();
    c.register(
        Direction::FromMm(Convert::Fax),
        Arc::new(|m: &SpooledMessage<'_>, _| {
            if m.body.windows(7).any(|w| w == b"NOCONV!") {
                return Err(ConvertError::ContentNotAccepted("nothing a fax can carry".into()));
            }
            Ok(m.message_ids
                .iter()
                .map(|(rcpt, mid)| Outbound {
                    envelope: Envelope {
                        mail_from: "+4917012345/TYPE=PLMN@mm3gw.example.net".into(),
                        rcpt_to: vec![Rcpt::plain(rcpt)],
                        envid: None,
                        ret: None,
                    },
                    omissions: Vec::new(),
                    body: format!("Message-ID: {mid}\r\nSubject: fax\r\n\r\npage\r\n").into_bytes(),
                })
                .collect())
        }),
    );
    c
}

/// The usual setup: the test configuration and key, with these converters.
fn fixture(conv: Converters) -> (Config, Converters, Keys) {
    (config(), conv, Keys::new(KEY, None, "mm3gw.example.net"))
}

fn no_envid(_: &str) -> Option<String> {
    None
}

/// A processing context at `now` that knows no ENVIDs.
fn test_ctx<'a>(cfg: &'a Config, conv: &'a Converters, keys: &'a Keys, now: u64) -> Ctx<'a> {
    Ctx { config: cfg, converters: conv, keys, now, envid_lookup: &no_envid }
}

fn inbound(rcpt: &str, mail_from: &str) -> Entry {
    Entry {
        id: "0000000001-00000000000000aa".into(),
        stage: Stage::Inbound,
        envelope: Envelope {
            mail_from: mail_from.into(),
            rcpt_to: vec![Rcpt::plain(rcpt)],
            envid: None,
            ret: None,
        },
        created: 1_704_103_200,
        expires: 1_704_103_200 + 3600,
        attempts: 0,
        next_attempt: 0,
        last_error: None,
        size: 0,
        crc32: 0,
        held: None,
        origin: None,
    }
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/samples/inspect/{name}/input.eml", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
}

fn text(m: &NewMessage) -> String {
    String::from_utf8_lossy(&m.body).into_owned()
}

#[test]
fn forward_req_to_a_fax_route_is_converted_acknowledged_and_tokenised() {
    let (cfg, conv, keys) = fixture(fake_fax());
    let ctx = test_ctx(&cfg, &conv, &keys, 1_704_103_260);
    let e = inbound(
        "FAX=+12125550100@mm3gw.example.net",
        "+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs",
    );
    let plan = process(&e, &sample("fwd-photo-text-smil"), &ctx);
    assert!(plan.hold.is_none());
    assert_eq!(plan.messages.len(), 2, "{:?}", plan.events);
    let fax = &plan.messages[0];
    assert_eq!(fax.purpose, "fax");
    assert_eq!(fax.next_hop, NextHop::File("out/fax".into()));
    assert_eq!(fax.envelope.ret.as_deref(), Some("HDRS"));
    assert_eq!(fax.envelope.mail_from, "+4917012345@mm3gw.example.net", "DSNs come back here");
    assert_eq!(fax.envelope.envid.as_ref().map(String::len), Some(23));
    assert_eq!(fax.envelope.rcpt_to[0].notify.as_deref(), Some("SUCCESS,FAILURE"));
    assert_eq!(
        fax.envelope.rcpt_to[0].orcpt.as_deref(),
        Some("FAX=+12125550100@mm3gw.example.net")
    );
    let fr = fax.on_failure.as_ref().unwrap();
    assert_eq!(
        (fr.mm_id.as_str(), fr.recipient.as_str()),
        ("\"M-0001@mms.example.net\"", "+12125550100/TYPE=PLMN")
    );
    let res = &plan.messages[1];
    assert_eq!(res.purpose, "mm4-res");
    assert_eq!(res.envelope.mail_from, "system-user@mm3gw.example.net");
    assert_eq!(res.envelope.rcpt_to, vec![Rcpt::plain("system-user@mms.mnc002.mcc262.gprs")]);
    let t = text(res);
    for h in [
        "X-Mms-Message-Type: MM4_forward.RES",
        "X-Mms-Transaction-ID: \"T-0001@mms.example.net\"",
        "X-Mms-Message-ID: \"M-0001@mms.example.net\"",
        "X-Mms-Request-Status-Code: Ok",
    ] {
        assert!(t.contains(h), "{h} missing in\n{t}");
    }
    let parsed = Mm4::parse(&res.body).unwrap();
    assert_eq!(parsed.message_type, MessageType::ForwardRes);

    // The DSN for that fax comes back to any instance with the same key: an MM4 delivery report.
    let mid = text(fax).lines().next().unwrap().trim_start_matches("Message-ID: ").to_owned();
    let dsn = String::from_utf8(sample("dsn-delivered")).unwrap().replace(
        "--===============4850263963412459576==--",
        &format!("--===============4850263963412459576==\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {mid}\r\nSubject: fax\r\n\r\n--===============4850263963412459576==--"),
    );
    assert!(dsn.contains(&mid));
    let other_instance = Keys::new(KEY, None, "mm3gw.example.net");
    let ctx2 = test_ctx(&cfg, &conv, &other_instance, 1_704_103_300);
    let plan =
        process(&inbound("+4917012345/TYPE=PLMN@mm3gw.example.net", ""), dsn.as_bytes(), &ctx2);
    assert_eq!(plan.messages.len(), 1, "{:?}", plan.events);
    let dr = &plan.messages[0];
    assert_eq!(dr.purpose, "mm4-delivery-report");
    assert_eq!(dr.envelope.rcpt_to, vec![Rcpt::plain("system-user@mms.mnc002.mcc262.gprs")]);
    let t = text(dr);
    for h in [
        "X-Mms-Message-Type: MM4_delivery_report.REQ",
        "X-Mms-Message-ID: \"M-0001@mms.example.net\"",
        "X-Mms-MM-Status-Code: Retrieved",
        "From: +12125550100/TYPE=PLMN",
        "To: +4917012345/TYPE=PLMN",
        "X-Mms-Forward-To-Originator-UA: Yes",
    ] {
        assert!(t.contains(h), "{h} missing in\n{t}");
    }

    // A forged token is refused and reports nothing.
    let forged = dsn.replace(&mid[5..15], "AAAAAAAAAA");
    let plan = process(&inbound("x@mm3gw.example.net", ""), forged.as_bytes(), &ctx2);
    assert!(plan.messages.is_empty());
    assert!(matches!(plan.events.as_slice(), [Event::TokenRefused { .. }]), "{:?}", plan.events);
    // A DSN with no token at all is uncorrelatable.
    let plan = process(&inbound("x@mm3gw.example.net", ""), &sample("dsn-delivered"), &ctx2);
    assert_eq!(plan.events, vec![Event::Uncorrelatable]);
}

#[test]
fn unconvertible_mm_gets_an_error_res_and_an_unrecognised_dr() {
    let (cfg, conv, keys) = fixture(fake_fax());
    let ctx = test_ctx(&cfg, &conv, &keys, 1_704_103_260);
    let body = String::from_utf8(sample("fwd-photo-text-smil"))
        .unwrap()
        .replace("Subject: Photo for the fax", "Subject: NOCONV!");
    let plan =
        process(&inbound("FAX=+12125550100@x.example", "a@mms.example.net"), body.as_bytes(), &ctx);
    let purposes: Vec<&str> = plan.messages.iter().map(|m| m.purpose.as_str()).collect();
    assert_eq!(purposes, ["mm4-delivery-report", "mm4-res"]);
    assert!(text(&plan.messages[0]).contains("X-Mms-MM-Status-Code: Unrecognised"));
    assert!(
        text(&plan.messages[1]).contains("X-Mms-Request-Status-Code: Error-content-not-accepted")
    );
}

#[test]
fn mdn_becomes_a_read_reply_and_res_from_the_mmsc_is_logged() {
    let (cfg, conv, keys) = fixture(fake_fax());
    let ctx = test_ctx(&cfg, &conv, &keys, 1_704_103_260);
    let token = Token {
        flags: Flags { delivery_report: false, rs_delivery_report: false, read_reply: true },
        time: 1,
        mm_id: "mid-1".into(),
        originator: "+4917012345/TYPE=PLMN".into(),
        originator_system: "system-user@mms.example.net".into(),
        recipient: "+12125550100@vm.example.net".into(),
    };
    let mdn = String::from_utf8(sample("mdn-displayed"))
        .unwrap()
        .replace("<x@mm3gw.example.net>", &keys.message_id(&token).unwrap());
    let plan =
        process(&inbound("+4917012345/TYPE=PLMN@mm3gw.example.net", ""), mdn.as_bytes(), &ctx);
    assert_eq!(plan.messages.len(), 1, "{:?}", plan.events);
    let t = text(&plan.messages[0]);
    assert!(
        t.contains("X-Mms-Message-Type: MM4_read_reply_report.REQ")
            && t.contains("X-Mms-Read-Status: Read"),
        "{t}"
    );

    let plan = process(
        &inbound("system-user@mm3gw.example.net", "system-user@mms.example.net"),
        &sample("fwd-res"),
        &ctx,
    );
    assert!(plan.messages.is_empty());
    assert!(
        matches!(&plan.events[..], [Event::ResponseReceived { status, .. }] if status == "Ok"),
        "{:?}",
        plan.events
    );
}

#[test]
fn missing_converter_holds_and_failure_reports_are_built() {
    let (cfg, none, keys) = fixture(Converters::default());
    let ctx = test_ctx(&cfg, &none, &keys, 1);
    let plan = process(&inbound("FAX=+1@x.example", "a@b"), &sample("fwd-photo-text-smil"), &ctx);
    assert!(plan.hold.is_some() && plan.messages.is_empty());

    let fr = FailureReport {
        mm_id: "\"mid\"".into(),
        originator: "+4917012345/TYPE=PLMN".into(),
        originator_system: "system-user@mms.example.net".into(),
        recipient: "+12125550100/TYPE=PLMN".into(),
        delivery_report: false,
        rs_delivery_report: true,
    };
    let m = failure_report(&fr, MmStatus::Expired, "lifetime exceeded", &cfg, "0000000001-ab", 5)
        .unwrap();
    let t = text(&m);
    assert!(
        t.contains("X-Mms-MM-Status-Code: Expired")
            && t.contains("X-Mms-Forward-To-Originator-UA: No"),
        "{t}"
    );
    assert_eq!(m.envelope.rcpt_to, vec![Rcpt::plain("system-user@mms.example.net")]);
    assert_eq!(m.expires, Some(5 + cfg.delivery.lifetime_s), "a fresh lifetime for the report");
}

#[test]
fn hidden_senders_are_refused_and_expiry_bounds_retries() {
    let (cfg, conv, keys) = fixture(fake_fax());
    let ctx = test_ctx(&cfg, &conv, &keys, 1_704_103_260);
    let req = String::from_utf8(sample("fwd-photo-text-smil")).unwrap();
    let hidden = req
        .replace("X-Mms-Priority: High", "X-Mms-Priority: High\r\nX-Mms-Sender-Visibility: Hide");
    let plan = process(
        &inbound("FAX=+12125550100@x.example", "a@mms.example.net"),
        hidden.as_bytes(),
        &ctx,
    );
    let purposes: Vec<&str> = plan.messages.iter().map(|m| m.purpose.as_str()).collect();
    assert_eq!(purposes, ["mm4-delivery-report", "mm4-res"], "no fax leaves");
    assert!(text(&plan.messages[1]).contains("X-Mms-Request-Status-Code: Error-service-denied"));
    assert!(text(&plan.messages[0]).contains("X-Mms-MM-Status-Code: Rejected"));

    let expiring = req.replace("X-Mms-Priority: High", "X-Mms-Priority: High\r\nX-Mms-Expiry: 600");
    let plan = process(
        &inbound("FAX=+12125550100@x.example", "a@mms.example.net"),
        expiring.as_bytes(),
        &ctx,
    );
    // Relative to the MM's Date (Mon, 01 Jan 2024 10:00:00 +0000).
    assert_eq!(plan.messages[0].expires, Some(1_704_103_200 + 600));
}

#[test]
fn a_dsn_with_only_the_envid_is_matched_where_the_envid_is_known() {
    let (cfg, conv, keys) = fixture(fake_fax());
    let token = Token {
        flags: Flags { delivery_report: true, rs_delivery_report: false, read_reply: false },
        time: 1,
        mm_id: "mid-9".into(),
        originator: "+4917012345/TYPE=PLMN".into(),
        originator_system: "system-user@mms.example.net".into(),
        recipient: "FAX=+12125550100@offramp.example.net".into(),
    };
    let (mid, envid) = (keys.message_id(&token).unwrap(), keys.envid(&token));
    let dsn = String::from_utf8(sample("dsn-delivered")).unwrap().replace(
        "Reporting-MTA: dns; offramp.example.net",
        &format!("Reporting-MTA: dns; offramp.example.net\r\nOriginal-Envelope-Id: {envid}"),
    );
    let known = |e: &str| (e == envid).then(|| mid.clone());
    let ctx = Ctx { config: &cfg, converters: &conv, keys: &keys, now: 5, envid_lookup: &known };
    let plan =
        process(&inbound("+4917012345/TYPE=PLMN@mm3gw.example.net", ""), dsn.as_bytes(), &ctx);
    assert_eq!(plan.messages.len(), 1, "{:?}", plan.events);
    assert!(text(&plan.messages[0]).contains("X-Mms-Message-ID: mid-9"));
    let unknown = Ctx { envid_lookup: &|_| None, ..ctx };
    let plan =
        process(&inbound("+4917012345/TYPE=PLMN@mm3gw.example.net", ""), dsn.as_bytes(), &unknown);
    assert_eq!(plan.events, vec![Event::Uncorrelatable]);
}

#[test]
fn mmsc_delivery_reports_about_mms_not_built_here_are_not_found() {
    let (cfg, conv, keys) = fixture(fake_fax());
    let ctx = test_ctx(&cfg, &conv, &keys, 5);
    let plan = process(
        &inbound("system-user@mm3gw.example.net", "system-user@mms.example.net"),
        &sample("dr-req"),
        &ctx,
    );
    assert_eq!(plan.messages.len(), 1, "{:?}", plan.events);
    assert!(text(&plan.messages[0]).contains("X-Mms-Request-Status-Code: Error-message-not-found"));
}

#[test]
fn builtin_fax_conversion_reports_what_it_left_out() {
    let (cfg, conv, keys) = fixture(Converters::builtin());
    let ctx = test_ctx(&cfg, &conv, &keys, 1_704_103_260);
    let e = inbound(
        "FAX=+12125550100@mm3gw.example.net",
        "+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs",
    );
    let plan = process(&e, &sample("fwd-slides"), &ctx);
    assert!(plan.messages.iter().any(|m| m.purpose == "fax"), "{:?}", plan.events);
    let omitted: Vec<&Event> =
        plan.events.iter().filter(|ev| matches!(ev, Event::Omitted { .. })).collect();
    assert_eq!(omitted.len(), 1, "{:?}", plan.events);
    assert!(
        matches!(omitted[0], Event::Omitted { target, what } if target == "fax" && what.contains("audio/amr")),
        "{omitted:?}"
    );
}

/// Stands in for `interwork`'s fax mail -> MM: an MM4_forward.REQ whose Message-ID is the token.
fn fake_fax_to_mm() -> Converters {
    let mut c = Converters::default();
    c.register(
        Direction::ToMm(Convert::Fax),
        Arc::new(|m: &SpooledMessage<'_>, _| {
            let body = format!(
                "X-Mms-3GPP-MMS-Version: 6.16.0\r\nX-Mms-Message-Type: MM4_forward.REQ\r\n\
                 X-Mms-Transaction-ID: t\r\nX-Mms-Message-ID: {}\r\nFrom: a@example.org\r\n\
                 To: +4917012345/TYPE=PLMN\r\nContent-Type: text/plain\r\n\r\npage\r\n",
                m.mm_id.unwrap_or("")
            );
            Ok(vec![Outbound {
                envelope: Envelope {
                    mail_from: "a@example.org".into(),
                    rcpt_to: m.recipients.iter().map(Rcpt::plain).collect(),
                    envid: None,
                    ret: None,
                },
                body: body.into_bytes(),
                omissions: Vec::new(),
            }])
        }),
    );
    c
}

#[test]
fn a_read_report_about_an_mm_built_from_fax_becomes_an_mdn_to_disposition_notification_to() {
    let (cfg, conv, keys) = fixture(fake_fax_to_mm());
    let ctx = test_ctx(&cfg, &conv, &keys, 9);
    // The fax mail asks for an MDN at its return path (any case); its envelope asks for DSNs
    // on failure and delay.
    let fax = String::from_utf8(
        std::fs::read(format!("{}/samples/mail/fax-swaks.eml", env!("CARGO_MANIFEST_DIR")))
            .unwrap(),
    )
    .unwrap()
    .replacen(
        "Subject:",
        "Disposition-Notification-To: Fax User <FAX-user@example.org>\r\nSubject:",
        1,
    );
    let mut entry = inbound("+4917012345/TYPE=PLMN@mms.example.net", "fax-user@example.org");
    entry.envelope.envid = Some("E1".into());
    entry.envelope.rcpt_to[0].notify = Some("FAILURE,DELAY".into());
    entry.envelope.rcpt_to[0].orcpt = Some("+4917012345@mms.example.net".into());
    let plan = process(&entry, fax.as_bytes(), &ctx);
    assert_eq!(plan.messages.len(), 1, "{:?}", plan.events);
    let mm = &plan.messages[0];
    let df = mm.dsn_on_failure.as_ref().expect("the DSN request is kept");
    assert_eq!(
        (df.return_path.as_str(), df.envid.as_deref(), df.notify_delay),
        ("fax-user@example.org", Some("E1"), true)
    );
    let mm_id = header_value(&mm.body, "x-mms-message-id").unwrap();
    let token = keys.verify(&mm_id).unwrap();
    assert!(token.flags.read_reply && token.flags.rs_delivery_report);
    assert_eq!(token.originator_system, "FAX-user@example.org");

    // The MMSC's read report about that MM: an MDN (deleted) to the DNT address, RR.RES Ok.
    let rr = String::from_utf8(sample("rr-req"))
        .unwrap()
        .replace("\"M-0001@mms.example.net\"", &mm_id)
        .replace("X-Mms-MM-Read-Status", "X-Mms-Ack-Request: Yes\r\nX-Mms-MM-Read-Status");
    let plan = process(
        &inbound("system-user@mm3gw.example.net", "system-user@mms.example.net"),
        rr.as_bytes(),
        &ctx,
    );
    assert_eq!(plan.messages.len(), 2, "{:?}", plan.events);
    let mdn = &plan.messages[0];
    assert_eq!((mdn.purpose.as_str(), mdn.envelope.mail_from.as_str()), ("mdn", ""));
    assert_eq!(mdn.envelope.rcpt_to[0].address, "FAX-user@example.org");
    let parsed = crate::mail::mdn::parse(&mdn.body, &crate::mail::Limits::default()).unwrap();
    assert_eq!(parsed.disposition.value(), "manual-action/MDN-sent-automatically; deleted");
    assert_eq!(parsed.original_message_id.as_deref(), Some("swaks-1@example.net"));
    assert!(text(&plan.messages[1]).contains("X-Mms-Request-Status-Code: Ok"));

    // A DNT naming someone other than the return path asks for nothing (RFC 3798 §2.1).
    let third = fax.replace("<FAX-user@example.org>", "<someone-else@example.org>");
    let plan = process(&entry, third.as_bytes(), &ctx);
    let mm_id = header_value(&plan.messages[0].body, "x-mms-message-id").unwrap();
    let token = keys.verify(&mm_id).unwrap();
    assert!(!token.flags.read_reply && token.originator_system.is_empty());
    assert!(
        plan.events
            .iter()
            .any(|e| matches!(e, Event::Omitted { what, .. } if what.starts_with("read reply"))),
        "the dropped read reply is said: {:?}",
        plan.events
    );

    // Without Disposition-Notification-To: no MDN, still RES Ok.
    let fax_no_mdn =
        fax.replace("Disposition-Notification-To: Fax User <FAX-user@example.org>\r\n", "");
    let plan = process(&entry, fax_no_mdn.as_bytes(), &ctx);
    let mm_id = header_value(&plan.messages[0].body, "x-mms-message-id").unwrap();
    let rr =
        String::from_utf8(sample("rr-req")).unwrap().replace("\"M-0001@mms.example.net\"", &mm_id);
    let plan = process(
        &inbound("system-user@mm3gw.example.net", "system-user@mms.example.net"),
        rr.as_bytes(),
        &ctx,
    );
    assert!(plan.messages.is_empty(), "{:?}", plan.events);
    assert!(matches!(&plan.events[..], [Event::ReportNotNeeded { .. }]), "{:?}", plan.events);
}

#[test]
fn an_mm_toward_the_mmsc_that_fails_or_is_delayed_becomes_a_dsn_to_the_fax_sender() {
    let cfg = config();
    let df = DsnFailure {
        return_path: "FAX=+12125550100@onramp.example.net".into(),
        recipient: "+4917012345/TYPE=PLMN@mms.example.net".into(),
        orcpt: Some("+4917012345@mms.example.net".into()),
        envid: Some("E1".into()),
        message_id: Some("<fax-1@onramp.example.net>".into()),
        notify_delay: true,
        notify_failure: true,
    };
    let limits = crate::mail::Limits::default();
    for (kind, text, action, status) in [
        (DsnKind::Rejected, "550 5.7.1 no", "failed", "5.7.1"),
        (DsnKind::Expired, "450 4.2.1 no", "failed", "5.4.7"),
        // A delay keeps the next hop's 4.x.x; X.4.7 (expired) is not true yet.
        (DsnKind::Delayed, "450 4.2.1 no", "delayed", "4.2.1"),
        (DsnKind::Delayed, "450 busy no", "delayed", "4.0.0"),
    ] {
        let code = text[..3].parse().ok();
        let m = failure_dsn(&df, kind, text, code, &cfg, "id1", 100).unwrap();
        assert_eq!(m.envelope.mail_from, "");
        assert_eq!(m.envelope.rcpt_to[0].address, "FAX=+12125550100@onramp.example.net");
        assert_eq!(m.next_hop, cfg.delivery.relay);
        let dsn = crate::mail::dsn::parse(&m.body, &limits).unwrap();
        assert_eq!(dsn.original_envelope_id.as_deref(), Some("E1"));
        assert_eq!(dsn.returned_message_id.as_deref(), Some("fax-1@onramp.example.net"));
        let r = &dsn.recipients[0];
        assert_eq!((r.action.as_str(), r.status_raw.as_deref()), (action, Some(status)));
        assert_eq!(
            r.original_recipient.as_ref().map(|a| a.address.as_str()),
            Some("+4917012345@mms.example.net")
        );
        let body = String::from_utf8_lossy(&m.body);
        assert!(body.contains(&format!("Diagnostic-Code: smtp; {text}")), "{body}");
    }
    // A failure no SMTP server answered (connection refused, TLS): our own diagnostic type, and
    // no enhanced code to keep.
    let m =
        failure_dsn(&df, DsnKind::Rejected, "connect: refused", None, &cfg, "id2", 100).unwrap();
    let body = String::from_utf8_lossy(&m.body);
    assert!(body.contains("Diagnostic-Code: X-mm3gw; connect: refused"), "{body}");
    assert!(body.contains("Status: 5.0.0"), "{body}");
    // The delayed notice and the final failure are different messages.
    let delayed = failure_dsn(&df, DsnKind::Delayed, "x", None, &cfg, "id1", 100).unwrap();
    let failed = failure_dsn(&df, DsnKind::Expired, "x", None, &cfg, "id1", 100).unwrap();
    let id = |m: &NewMessage| crate::gateway::process::header_value(&m.body, "message-id");
    assert_ne!(id(&delayed), id(&failed));
}

#[test]
fn the_senders_notify_decides_which_dsns_a_failure_or_delay_gives() {
    let (cfg, conv, keys) = fixture(fake_fax_to_mm());
    let ctx = test_ctx(&cfg, &conv, &keys, 9);
    let fax = std::fs::read(format!("{}/samples/mail/fax-swaks.eml", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    // (NOTIFY, a DsnFailure kept, failed DSN wanted, delayed DSN wanted): RFC 3461 §4.1.
    for (notify, kept, failure, delay) in [
        (None, true, true, false),
        (Some("FAILURE,DELAY"), true, true, true),
        (Some("DELAY"), true, false, true),
        (Some("SUCCESS"), false, false, false),
        (Some("NEVER"), false, false, false),
    ] {
        let mut entry = inbound("+4917012345/TYPE=PLMN@mms.example.net", "fax-user@example.org");
        entry.envelope.rcpt_to[0].notify = notify.map(Into::into);
        let plan = process(&entry, &fax, &ctx);
        assert_eq!(plan.messages.len(), 1, "{notify:?}: {:?}", plan.events);
        let df = plan.messages[0].dsn_on_failure.as_ref();
        assert_eq!(df.is_some(), kept, "{notify:?}");
        if let Some(df) = df {
            assert_eq!((df.notify_failure, df.notify_delay), (failure, delay), "{notify:?}");
        }
    }
}

#[test]
fn ids_too_long_for_a_token_leave_without_one_and_say_so() {
    let (cfg, conv, keys) = fixture(Converters::builtin());
    let ctx = test_ctx(&cfg, &conv, &keys, 1_704_103_260);
    let e = inbound(
        "FAX=+12125550100@mm3gw.example.net",
        "+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs",
    );
    let long = format!("\"{}@mms.example.net\"", "M".repeat(900));
    let body = String::from_utf8(sample("fwd-photo-text-smil"))
        .unwrap()
        .replace("\"M-0001@mms.example.net\"", &long);
    let plan = process(&e, body.as_bytes(), &ctx);
    let fax = plan.messages.iter().find(|m| m.purpose == "fax").expect("the fax still leaves");
    let t = text(fax);
    let mid = t.lines().find_map(|l| l.strip_prefix("Message-ID: ")).unwrap();
    assert!(!mid.contains("m3.") && mid.len() < 100, "a local id: {mid}");
    // The MM asked for a delivery report, but a copy without a token asks for no DSN.
    assert!(fax.envelope.envid.is_none() && fax.envelope.ret.is_none(), "{:?}", fax.envelope);
    assert!(fax.envelope.rcpt_to.iter().all(|r| r.notify.is_none()), "{:?}", fax.envelope);
    assert!(t.lines().all(|l| l.len() <= 998));
    assert!(
        plan.events
            .iter()
            .any(|e| matches!(e, Event::Omitted { what, .. } if what.starts_with("report token"))),
        "{:?}",
        plan.events
    );
    let no_token = plan
        .events
        .iter()
        .filter(|e| matches!(e, Event::Omitted { what, .. } if what.starts_with("report token")));
    assert_eq!(no_token.count(), 1, "once per route");
}
