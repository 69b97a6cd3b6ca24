//! The properties the `smil`, `address` and `mm4` fuzz targets check, shared with the regression test
//! that replays their crashers (`tests/mm_fuzz_regressions.rs`), so both check the same thing.
//! Included by path from `fuzz/fuzz_targets/{smil,address}.rs`; it may use only `mm3gw` and std.

use mm3gw::mm::{
    self as mm,
    address::{E164, E164Policy, FaxAddress, MmsAddress, VpimAddress},
    smil::{self, PartRef, SmilLimits},
};

/// Tight limits, as fuzzing wants (a large input only costs time).
pub const FUZZ_LIMITS: SmilLimits =
    SmilLimits { max_bytes: 64 * 1024, max_slides: 64, max_depth: 16, max_media_per_slide: 8 };

/// SMIL: `parse` returns (no panic); what parses is written as SMIL that reads back, and
/// write-then-parse is then a fixed point. The input read as a part list (one part a line:
/// `type<TAB>id<TAB>location`) derives slides whose every `src` resolves to its own part.
pub fn smil(data: &[u8]) {
    if let Ok(p) = smil::parse(data, &FUZZ_LIMITS) {
        let written = smil::write(&p);
        let normalised = match smil::parse(written.as_bytes(), &SmilLimits::default()) {
            Ok(n) => n,
            Err(e) => panic!("own SMIL refused: {e}\n{written}"),
        };
        let again = smil::parse(smil::write(&normalised).as_bytes(), &SmilLimits::default());
        assert_eq!(again.as_ref(), Ok(&normalised), "write-then-parse is not stable");
    }
    let text = String::from_utf8_lossy(data);
    let parts: Vec<PartRef> = text
        .lines()
        .take(64)
        .map(|line| {
            let mut fields = line.splitn(3, '\t');
            PartRef {
                content_type: fields.next().unwrap_or("").to_ascii_lowercase(),
                content_id: fields.next().map(str::to_owned),
                content_location: fields.next().map(str::to_owned),
            }
        })
        .collect();
    let derived = smil::derive(&parts);
    let resolved: Vec<Option<usize>> = derived
        .slides
        .iter()
        .flat_map(|s| &s.media)
        .map(|m| smil::resolve(&m.src, &parts))
        .collect();
    let own: Vec<Option<usize>> = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            !p.content_type.split_once('/').is_some_and(|(_, sub)| sub.ends_with("smil"))
        })
        .map(|(i, _)| Some(i))
        .collect();
    assert_eq!(resolved, own, "derived srcs do not lead back to their parts");
    let reread = smil::parse(smil::write(&derived).as_bytes(), &SmilLimits::default());
    assert_eq!(reread.as_ref(), Ok(&derived), "derived presentation does not round-trip");
    let _ = smil::resolve(&text, &parts);
}

/// Addresses: every parser returns (no panic); whatever parses formats to a form that parses
/// back to the same value; E.164 results are `+` and at most 15 digits.
pub fn address(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(a) = MmsAddress::parse(&text) {
        let canonical = a.to_string();
        assert_eq!(MmsAddress::parse(&canonical).as_ref(), Ok(&a), "{text:?} -> {canonical:?}");
        let _ = a.envelope("mms.example");
    }
    if let Ok(f) = FaxAddress::parse(&text) {
        let canonical = f.to_string();
        assert_eq!(FaxAddress::parse(&canonical).as_ref(), Ok(&f), "{text:?} -> {canonical:?}");
    }
    if let Ok(v) = VpimAddress::parse(&text) {
        let canonical = v.to_string();
        assert_eq!(VpimAddress::parse(&canonical).as_ref(), Ok(&v), "{text:?} -> {canonical:?}");
    }
    let policies = [
        E164Policy::default(),
        E164Policy { country_code: Some("49".into()), ..E164Policy::default() },
        E164Policy {
            international_prefix: "011".into(),
            country_code: Some("1".into()),
            national_prefix: "1".into(),
        },
    ];
    for policy in &policies {
        if let Ok(n) = E164::parse(&text, policy) {
            let digits = n.digits();
            assert!(n.as_str().starts_with('+'), "{text:?} -> {n}");
            assert!((1..=15).contains(&digits.len()), "{text:?} -> {n}");
            assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{text:?} -> {n}");
            // Normalising a normalised number changes nothing.
            assert_eq!(E164::parse(n.as_str(), policy).as_ref(), Ok(&n));
        }
    }
}

/// MM4: `parse` and `inspect` return (no panic); what parses is emitted, and the emitted bytes
/// parse back to the model as emitted ([`mm3gw::mm::Mm4::as_emitted`]).
pub fn mm4(data: &[u8]) {
    let limits =
        mm::Limits { max_message_bytes: 1 << 20, max_parts: 64, max_depth: 8, max_recipients: 64 };
    if let Ok(parsed) = mm::parse(data, &limits) {
        let bytes = parsed.mm.to_bytes();
        let again = match mm::parse(&bytes, &mm::Limits::default()) {
            Ok(a) => a,
            Err(e) => panic!("own MM4 output refused: {e}"),
        };
        assert_eq!(again.mm, parsed.mm.as_emitted(), "emit-then-parse changed the model");
    }
    let _ = mm3gw::inspect::inspect(data, &limits);
}
