use super::*;

fn plmn(s: &str) -> MmsAddress {
    MmsAddress::Plmn(s.to_owned())
}

/// Every form of spec/mms.md §3 and §7, with what it reads as and its canonical header form.
#[test]
fn mms_address_forms() {
    let cases: &[(&str, MmsAddress, &str)] = &[
        // §3 table
        ("+4917012345/TYPE=PLMN", plmn("+4917012345"), "+4917012345/TYPE=PLMN"),
        ("alice@example.com", MmsAddress::Email("alice@example.com".into()), "alice@example.com"),
        ("10.1.2.3/TYPE=IPv4", MmsAddress::Ipv4(Ipv4Addr::new(10, 1, 2, 3)), "10.1.2.3/TYPE=IPv4"),
        ("12345", MmsAddress::ShortCode("12345".into()), "12345"),
        ("INFO", MmsAddress::ShortCode("INFO".into()), "INFO"),
        (
            "system-user@mms.mnc001.mcc262.gprs",
            MmsAddress::Email("system-user@mms.mnc001.mcc262.gprs".into()),
            "system-user@mms.mnc001.mcc262.gprs",
        ),
        // §3 envelope forms read back as the address (domain dropped)
        (
            "+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs",
            plmn("+4917012345"),
            "+4917012345/TYPE=PLMN",
        ),
        // §7: lower-case type, bare +E164, national numbers, Mbuni's @domain
        ("+4917012345/type=plmn", plmn("+4917012345"), "+4917012345/TYPE=PLMN"),
        ("+4917012345/Type=Plmn@mms.example.net", plmn("+4917012345"), "+4917012345/TYPE=PLMN"),
        ("+4917012345", plmn("+4917012345"), "+4917012345/TYPE=PLMN"),
        ("017012345/TYPE=PLMN", plmn("017012345"), "017012345/TYPE=PLMN"),
        ("+49-170.12345/TYPE=PLMN", plmn("+49-170.12345"), "+49-170.12345/TYPE=PLMN"),
        ("+49 170 12345/TYPE=PLMN", plmn("+4917012345"), "+4917012345/TYPE=PLMN"),
        // display names, brackets, whitespace
        ("\"Jörg <Müller>\" <+4917012345/TYPE=PLMN>", plmn("+4917012345"), "+4917012345/TYPE=PLMN"),
        (
            "Alice <alice@example.com>",
            MmsAddress::Email("alice@example.com".into()),
            "alice@example.com",
        ),
        // the From of shared/interop/mime/mms-related.eml: an RFC 2047 display name
        (
            "=?utf-8?q?J=C3=B6rg_M=C3=BCller?= <sender@example.org>",
            MmsAddress::Email("sender@example.org".into()),
            "sender@example.org",
        ),
        (
            "  <alice@example.com>  ",
            MmsAddress::Email("alice@example.com".into()),
            "alice@example.com",
        ),
        ("\t+4917012345/TYPE=PLMN \r\n", plmn("+4917012345"), "+4917012345/TYPE=PLMN"),
        (
            "\"quoted \\\" name\" <bob@example.org>",
            MmsAddress::Email("bob@example.org".into()),
            "bob@example.org",
        ),
        (
            "\"john doe\"@example.org",
            MmsAddress::Email("\"john doe\"@example.org".into()),
            "\"john doe\"@example.org",
        ),
        // IPv4 and IPv6
        (
            "010.001.002.003/TYPE=IPV4",
            MmsAddress::Ipv4(Ipv4Addr::new(10, 1, 2, 3)),
            "10.1.2.3/TYPE=IPv4",
        ),
        (
            "2001:0db8:0000:0000:0000:0000:0000:0001/TYPE=IPv6",
            MmsAddress::Ipv6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            "2001:0DB8:0000:0000:0000:0000:0000:0001/TYPE=IPv6",
        ),
        (
            "2001:db8::1/type=ipv6",
            MmsAddress::Ipv6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            "2001:0DB8:0000:0000:0000:0000:0000:0001/TYPE=IPv6",
        ),
        // short codes (Gecko's test set)
        ("+123", MmsAddress::ShortCode("+123".into()), "+123"),
        ("*123", MmsAddress::ShortCode("*123".into()), "*123"),
        ("#123", MmsAddress::ShortCode("#123".into()), "#123"),
        ("+123456", MmsAddress::ShortCode("+123456".into()), "+123456"),
        ("+1234567", plmn("+1234567"), "+1234567/TYPE=PLMN"),
        ("Info_2", MmsAddress::ShortCode("Info_2".into()), "Info_2"),
        ("4917012345", MmsAddress::ShortCode("4917012345".into()), "4917012345"),
        // other address types
        (
            "sip-user/TYPE=x-sip",
            MmsAddress::Other { value: "sip-user".into(), addr_type: "x-sip".into() },
            "sip-user/TYPE=x-sip",
        ),
    ];
    for (input, expected, canonical) in cases {
        let parsed = MmsAddress::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(&parsed, expected, "{input:?}");
        assert_eq!(parsed.to_string(), *canonical, "{input:?}");
        // The canonical form reads back as the same address.
        assert_eq!(MmsAddress::parse(canonical).as_ref(), Ok(expected), "{canonical:?}");
        assert_eq!(canonical.parse::<MmsAddress>().as_ref(), Ok(expected));
    }
}

#[test]
fn mms_address_errors() {
    let cases: &[(&str, AddressError)] = &[
        ("", AddressError::Empty),
        ("   ", AddressError::Empty),
        ("<>", AddressError::Empty),
        ("Alice <alice@example.com", AddressError::Unbalanced("Alice <alice@example.com".into())),
        ("alice@example.com>", AddressError::Unbalanced("alice@example.com>".into())),
        ("/TYPE=PLMN", AddressError::BadPhoneNumber("/TYPE=PLMN".into())),
        ("+49abc/TYPE=PLMN", AddressError::BadPhoneNumber("+49abc/TYPE=PLMN".into())),
        ("+/TYPE=PLMN", AddressError::BadPhoneNumber("+/TYPE=PLMN".into())),
        ("+--/TYPE=PLMN", AddressError::BadPhoneNumber("+--/TYPE=PLMN".into())),
        ("1.2.3/TYPE=IPv4", AddressError::BadIpv4("1.2.3/TYPE=IPv4".into())),
        ("1.2.3.256/TYPE=IPv4", AddressError::BadIpv4("1.2.3.256/TYPE=IPv4".into())),
        ("1.2.3.4.5/TYPE=IPv4", AddressError::BadIpv4("1.2.3.4.5/TYPE=IPv4".into())),
        ("0001.2.3.4/TYPE=IPv4", AddressError::BadIpv4("0001.2.3.4/TYPE=IPv4".into())),
        ("2001:db8::zz/TYPE=IPv6", AddressError::BadIpv6("2001:db8::zz/TYPE=IPv6".into())),
        ("123/TYPE=", AddressError::BadAddressType("123/TYPE=".into())),
        ("123/TYPE=a b", AddressError::BadAddressType("123/TYPE=a b".into())),
        ("a<b/TYPE=x", AddressError::Unbalanced("a<b/TYPE=x".into())),
        ("+4917012345/TYPE=PLMN@", AddressError::BadDomain("+4917012345/TYPE=PLMN@".into())),
        ("alice@", AddressError::BadEmail("alice@".into())),
        ("@example.com", AddressError::BadEmail("@example.com".into())),
        ("al ice@example.com", AddressError::BadEmail("al ice@example.com".into())),
        ("alice@exa mple.com", AddressError::BadEmail("alice@exa mple.com".into())),
        ("two words", AddressError::Unrecognised("two words".into())),
        ("+49-170", AddressError::Unrecognised("+49-170".into())),
        ("**12", AddressError::Unrecognised("**12".into())),
        ("Jörg", AddressError::Unrecognised("Jörg".into())),
    ];
    for (input, expected) in cases {
        assert_eq!(MmsAddress::parse(input).as_ref(), Err(expected), "{input:?}");
    }
}

#[test]
fn envelope_forms() {
    let domain = "mms.mnc002.mcc262.gprs";
    let cases: &[(&str, &str)] = &[
        ("+4917012345/TYPE=PLMN", "+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"),
        ("alice@example.com", "alice@example.com"),
        ("10.1.2.3/TYPE=IPv4", "10.1.2.3/TYPE=IPv4@mms.mnc002.mcc262.gprs"),
        ("12345", "12345@mms.mnc002.mcc262.gprs"),
        ("INFO", "INFO@mms.mnc002.mcc262.gprs"),
        ("+4917012345", "+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"),
    ];
    for (input, expected) in cases {
        let address = MmsAddress::parse(input).expect(input);
        assert_eq!(address.envelope(domain), *expected, "{input:?}");
    }
    // The envelope form parses back to the address and its domain.
    let (address, dom) =
        MmsAddress::parse_envelope("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs").expect("parse");
    assert_eq!(address, plmn("+4917012345"));
    assert_eq!(dom.as_deref(), Some(domain));
    assert_eq!(MmsAddress::parse_envelope("+4917012345/TYPE=PLMN").map(|(_, d)| d), Ok(None));
}

#[test]
fn e164_normalisation() {
    let germany = E164Policy { country_code: Some("49".into()), ..E164Policy::default() };
    let nanp = E164Policy {
        international_prefix: "011".into(),
        country_code: Some("+1".into()),
        national_prefix: "1".into(),
    };
    let italy = E164Policy {
        country_code: Some("39".into()),
        national_prefix: String::new(),
        ..E164Policy::default()
    };
    let none = E164Policy::default();
    let cases: &[(&str, &E164Policy, Result<&str, AddressError>)] = &[
        ("+4917012345", &none, Ok("+4917012345")),
        ("+49 (170) 123-45.6", &none, Ok("+49170123456")),
        ("004917012345", &none, Ok("+4917012345")),
        ("0049 170 12345", &germany, Ok("+4917012345")),
        ("017012345", &germany, Ok("+4917012345")),
        ("17012345", &germany, Ok("+4917012345")),
        ("01141791234567", &nanp, Ok("+41791234567")),
        ("0041791234567", &nanp, Ok("+41791234567")),
        ("1 (212) 555-0100", &nanp, Ok("+12125550100")),
        ("212-555-0100", &nanp, Ok("+12125550100")),
        ("06 1234 5678", &italy, Ok("+390612345678")),
        ("+123456789012345", &none, Ok("+123456789012345")),
        ("+1", &none, Ok("+1")),
        ("017012345", &none, Err(AddressError::NoCountryCode("017012345".into()))),
        ("+1234567890123456", &none, Err(AddressError::NotE164("+1234567890123456".into()))),
        ("+", &none, Err(AddressError::NotE164("+".into()))),
        ("", &germany, Err(AddressError::NotE164("".into()))),
        ("  ", &germany, Err(AddressError::NotE164("  ".into()))),
        ("+0123", &none, Err(AddressError::NotE164("+0123".into()))),
        ("000123", &none, Err(AddressError::NotE164("000123".into()))),
        ("+49 170 ABC", &none, Err(AddressError::NotE164("+49 170 ABC".into()))),
        ("+49/170", &none, Err(AddressError::NotE164("+49/170".into()))),
        ("++49170", &none, Err(AddressError::NotE164("++49170".into()))),
        ("+４９", &none, Err(AddressError::NotE164("+４９".into()))),
    ];
    for (input, policy, expected) in cases {
        let got = E164::parse(input, policy);
        assert_eq!(got.as_ref().map(E164::as_str), expected.as_ref().map(|s| *s), "{input:?}");
    }
    let n = E164::parse("+4917012345", &none).expect("valid");
    assert_eq!(n.digits(), "4917012345");
    assert_eq!(n.to_string(), "+4917012345");
    assert_eq!(serde_json::to_string(&n).expect("json"), "\"+4917012345\"");
}

#[test]
fn mms_address_to_e164() {
    let germany = E164Policy { country_code: Some("49".into()), ..E164Policy::default() };
    let cases: &[(&str, Result<&str, ()>)] = &[
        ("+4917012345/TYPE=PLMN", Ok("+4917012345")),
        ("017012345/TYPE=PLMN", Ok("+4917012345")),
        ("+49-170-12345/TYPE=PLMN", Ok("+4917012345")),
        ("alice@example.com", Err(())),
        ("12345", Err(())),
    ];
    for (input, expected) in cases {
        let address = MmsAddress::parse(input).expect(input);
        let got = address.to_e164(&germany);
        assert_eq!(got.as_ref().map(E164::as_str).map_err(|_| ()), *expected, "{input:?}");
    }
}

#[test]
fn fax_addresses() {
    let e164 = |s: &str| FaxNumber::Global(E164::parse(s, &E164Policy::default()).expect(s));
    type Expect =
        (FaxNumber, Option<&'static str>, &'static [(&'static str, &'static str)], &'static str);
    let cases: &[(&str, Expect, &str)] = &[
        (
            "FAX=+12125550100/T33S=123@fax.example.net",
            (e164("+12125550100"), Some("123"), &[], "fax.example.net"),
            "FAX=+12125550100/T33S=123@fax.example.net",
        ),
        // RFC 3192 §4.2 examples
        (
            "FAX=+3940226338@faxworld.org",
            (e164("+3940226338"), None, &[], "faxworld.org"),
            "FAX=+3940226338@faxworld.org",
        ),
        (
            "FAX=+12027653000/T33S=1387@faxworld.org",
            (e164("+12027653000"), Some("1387"), &[], "faxworld.org"),
            "FAX=+12027653000/T33S=1387@faxworld.org",
        ),
        (
            "/FAX=+33-1-88335215/@faxworld.org",
            (e164("+33188335215"), None, &[], "faxworld.org"),
            "FAX=+33188335215@faxworld.org",
        ),
        // RFC 3191 §4.2 example, case-insensitive selector and keyword, quotes, brackets
        (
            "fax=+1.202.7653000/t33s=6377@faxserv.org",
            (e164("+12027653000"), Some("6377"), &[], "faxserv.org"),
            "FAX=+12027653000/T33S=6377@faxserv.org",
        ),
        (
            "\"/FAX=+12125550100/\"@offramp.example",
            (e164("+12125550100"), None, &[], "offramp.example"),
            "FAX=+12125550100@offramp.example",
        ),
        (
            "Fax Desk <Fax=+12125550100@offramp.example>",
            (e164("+12125550100"), None, &[], "offramp.example"),
            "FAX=+12125550100@offramp.example",
        ),
        // unknown qualifiers are kept and passed on (RFC 3191 §2)
        (
            "FAX=+12125550100/X-Cover=no/T33S=9@offramp.example",
            (e164("+12125550100"), Some("9"), &[("X-Cover", "no")], "offramp.example"),
            "FAX=+12125550100/T33S=9/X-Cover=no@offramp.example",
        ),
        (
            "FAX=+12125550100/NOTE=two words@offramp.example",
            (e164("+12125550100"), None, &[("NOTE", "two words")], "offramp.example"),
            "\"FAX=+12125550100/NOTE=two words\"@offramp.example",
        ),
        // other dialling schemes (no leading +)
        (
            "FAX=0301234567@offramp.example",
            (FaxNumber::Local("0301234567".into()), None, &[], "offramp.example"),
            "FAX=0301234567@offramp.example",
        ),
        (
            "FAX=+12125550100@[192.0.2.1]",
            (e164("+12125550100"), None, &[], "[192.0.2.1]"),
            "FAX=+12125550100@[192.0.2.1]",
        ),
    ];
    for (input, (number, t33s, qualifiers, host), canonical) in cases {
        let fax = FaxAddress::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(&fax.number, number, "{input:?}");
        assert_eq!(fax.t33s.as_deref(), *t33s, "{input:?}");
        let q: Vec<(&str, &str)> =
            fax.qualifiers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(&q, qualifiers, "{input:?}");
        assert_eq!(fax.host, *host, "{input:?}");
        assert_eq!(fax.to_string(), *canonical, "{input:?}");
        assert_eq!(FaxAddress::parse(canonical).as_ref(), Ok(&fax), "{canonical:?}");
    }
    let built = FaxAddress::new(
        E164::parse("+4930123", &E164Policy::default()).expect("e164"),
        "off.example",
    );
    assert_eq!(built.to_string(), "FAX=+4930123@off.example");
}

#[test]
fn fax_address_errors() {
    let cases: &[(&str, &str)] = &[
        ("", "no @host"),
        ("FAX=+12125550100", "no @host"),
        ("FAX=+12125550100@", "missing or invalid host after @"),
        ("FAX=+12125550100@bad host", "missing or invalid host after @"),
        ("+12125550100@offramp.example", "the service selector is not FAX="),
        ("VOICE=+12125550100@offramp.example", "the service selector is not FAX="),
        ("FAX=+--@offramp.example", "not an E.164 number"),
        ("FAX=+@offramp.example", "not an E.164 number"),
        ("FAX=+1234567890123456@offramp.example", "not an E.164 number"),
        ("FAX=+1212555x0100@offramp.example", "not an E.164 number"),
        ("FAX=@offramp.example", "the number is not a phone number"),
        ("FAX=12a@offramp.example", "the number is not a phone number"),
        (
            "FAX=+12125550100/T33S=1/T33S=2@o.example",
            "several T33S subaddresses: one address per subaddress",
        ),
        ("FAX=+12125550100/T33S=12#3@o.example", "a T33S subaddress is digits only"),
        ("FAX=+12125550100/T33S=@o.example", "a T33S subaddress is digits only"),
        ("FAX=+12125550100/T33S@o.example", "a qualifier without ="),
        ("FAX=+12125550100/a b=1@o.example", "invalid qualifier keyword"),
        ("FAX=+12125550100/X=\u{7f}@o.example", "a qualifier value that is not printable ASCII"),
        ("F AX=+12125550100@o.example", "invalid service selector"),
        ("<FAX=+12125550100@o.example", "unbalanced angle brackets"),
    ];
    for (input, reason) in cases {
        assert_eq!(
            FaxAddress::parse(input),
            Err(AddressError::BadFax { address: (*input).to_owned(), reason }),
            "{input:?}"
        );
    }
}

#[test]
fn vpim_addresses() {
    type Expect = (&'static str, Option<&'static str>, Option<&'static str>, &'static str);
    let cases: &[(&str, Expect, &str)] = &[
        // RFC 3801 §4.1.1 forms
        ("2722@vm.example.net", ("2722", None, None, "vm.example.net"), "2722@vm.example.net"),
        (
            "2722+111@vm.example.net",
            ("2722", Some("111"), None, "vm.example.net"),
            "2722+111@vm.example.net",
        ),
        (
            "+16135550100@vm.example.net",
            ("+16135550100", None, None, "vm.example.net"),
            "+16135550100@vm.example.net",
        ),
        (
            "+16135550100+230@vm.example.net",
            ("+16135550100", Some("230"), None, "vm.example.net"),
            "+16135550100+230@vm.example.net",
        ),
        (
            "2125550100@vm.example.net",
            ("2125550100", None, None, "vm.example.net"),
            "2125550100@vm.example.net",
        ),
        // RFC 3804 §4.2.1 submission forms
        (
            "VPIM=6137637582@vm.example.net",
            ("6137637582", None, None, "vm.example.net"),
            "6137637582@vm.example.net",
        ),
        (
            "VPIM=7035255550/EXT=227@vm.example.net",
            ("7035255550", Some("227"), None, "vm.example.net"),
            "7035255550+227@vm.example.net",
        ),
        (
            "vpim=+14165977230/dl=93@vm.example.net",
            ("+14165977230", None, Some("93"), "vm.example.net"),
            "+14165977230/DL=93@vm.example.net",
        ),
        (
            "/VPIM=+1-613-763-7582/@vm.example.net",
            ("+16137637582", None, None, "vm.example.net"),
            "+16137637582@vm.example.net",
        ),
        (
            "\"VPIM=+16137637582/Ext=5\"@vm.example.net",
            ("+16137637582", Some("5"), None, "vm.example.net"),
            "+16137637582+5@vm.example.net",
        ),
        (
            "Voice Mail <+16135550100@vm.example.net>",
            ("+16135550100", None, None, "vm.example.net"),
            "+16135550100@vm.example.net",
        ),
    ];
    for (input, (number, ext, dl, domain), canonical) in cases {
        let v = VpimAddress::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(
            (
                v.number.as_str(),
                v.extension.as_deref(),
                v.distribution_list.as_deref(),
                v.domain.as_str()
            ),
            (*number, *ext, *dl, *domain),
            "{input:?}"
        );
        assert_eq!(v.to_string(), *canonical, "{input:?}");
        assert_eq!(VpimAddress::parse(canonical).as_ref(), Ok(&v), "{canonical:?}");
    }
    let built = VpimAddress::new(
        E164::parse("+12125550100", &E164Policy::default()).expect("e164"),
        "vm.example",
    );
    assert_eq!(built.to_string(), "+12125550100@vm.example");
    assert_eq!(built.e164().map(|n| n.digits().to_owned()).as_deref(), Some("12125550100"));
    assert_eq!(VpimAddress::parse("2722@vm.example").expect("mailbox").e164(), None);
}

#[test]
fn vpim_address_errors() {
    let cases: &[(&str, &str)] = &[
        ("2722", "no @host"),
        ("2722@", "missing or invalid host after @"),
        ("VOICE=+3940226338@vm.example", "the service selector is not VPIM="),
        ("AMIS=+1/401+3278144+@vm.example", "the service selector is not VPIM="),
        ("FAX=+12125550100@vm.example", "the service selector is not VPIM="),
        ("alice@vm.example", "the mailbox is not a number"),
        ("@vm.example", "the mailbox is not a number"),
        ("+0123@vm.example", "not an E.164 number"),
        ("+1234567890123456@vm.example", "not an E.164 number"),
        ("2722+111/EXT=5@vm.example", "the extension or list is given twice"),
        ("2722+@vm.example", "an extension or list is 1 to 15 digits"),
        ("2722+12a@vm.example", "an extension or list is 1 to 15 digits"),
        ("2722/DL=1234567890123456@vm.example", "an extension or list is 1 to 15 digits"),
    ];
    for (input, reason) in cases {
        assert_eq!(
            VpimAddress::parse(input),
            Err(AddressError::BadVpim { address: (*input).to_owned(), reason }),
            "{input:?}"
        );
    }
}

#[test]
fn serialises_as_strings() {
    let a = MmsAddress::parse("+4917012345/type=plmn").expect("plmn");
    assert_eq!(serde_json::to_string(&a).expect("json"), "\"+4917012345/TYPE=PLMN\"");
    let f = FaxAddress::parse("FAX=+12125550100@o.example").expect("fax");
    assert_eq!(serde_json::to_string(&f).expect("json"), "\"FAX=+12125550100@o.example\"");
    let v = VpimAddress::parse("2722+1@vm.example").expect("vpim");
    assert_eq!(serde_json::to_string(&v).expect("json"), "\"2722+1@vm.example\"");
}

/// Every parser, fed truncations and byte-level mutations of valid addresses and random text,
/// returns a value or an error; whatever parses also formats and re-parses to itself.
#[test]
fn no_panic_and_stable_round_trip() {
    let seeds = [
        "\"Jörg Müller\" <+4917012345/TYPE=PLMN@mms.example>",
        "2001:db8::1/TYPE=IPv6",
        "\"/FAX=+1-212-555-0100/T33S=12/X=y/\"@offramp.example",
        "VPIM=+16135550100/EXT=230/DL=9@vm.example",
        "alice@example.com",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let policy = E164Policy { country_code: Some("49".into()), ..E164Policy::default() };
    let mut parsed = 0usize;
    let mut check = |input: &str| {
        if let Ok(a) = MmsAddress::parse(input) {
            parsed += 1;
            let canonical = a.to_string();
            // The canonical form of an email or short code is the input itself; of a device
            // address, a form that reads back the same.
            assert_eq!(
                MmsAddress::parse(&canonical).as_ref(),
                Ok(&a),
                "{input:?} -> {canonical:?}"
            );
            let _ = a.envelope("d.example");
            let _ = a.to_e164(&policy);
        }
        if let Ok(f) = FaxAddress::parse(input) {
            parsed += 1;
            let canonical = f.to_string();
            assert_eq!(
                FaxAddress::parse(&canonical).as_ref(),
                Ok(&f),
                "{input:?} -> {canonical:?}"
            );
        }
        if let Ok(v) = VpimAddress::parse(input) {
            parsed += 1;
            let canonical = v.to_string();
            assert_eq!(
                VpimAddress::parse(&canonical).as_ref(),
                Ok(&v),
                "{input:?} -> {canonical:?}"
            );
        }
        if let Ok(n) = E164::parse(input, &policy) {
            assert!(n.as_str().starts_with('+') && n.digits().len() <= 15, "{input:?}");
        }
    };
    for seed in seeds {
        for (cut, _) in seed.char_indices() {
            check(&seed[..cut]);
            check(&seed[cut..]);
        }
        for _ in 0..2000 {
            let mut bytes = seed.as_bytes().to_vec();
            for _ in 0..=(next() % 3) {
                let at = (next() % bytes.len() as u64) as usize;
                const ALPHABET: &[u8] =
                    b"+/=@<>\"\\ .-:#*0123456789abcdefTYPEPLMNFAXT33SVPIMEXTDL\x7f";
                bytes[at] = ALPHABET[(next() % ALPHABET.len() as u64) as usize];
            }
            check(&String::from_utf8_lossy(&bytes));
        }
    }
    assert!(parsed > 1000, "mutations still parse often enough to test round trips: {parsed}");
}

#[test]
fn policy_from_config() {
    let policy: E164Policy = toml::from_str("country_code = \"49\"").expect("toml");
    assert_eq!(
        policy,
        E164Policy { country_code: Some("49".into()), ..E164Policy::default() },
        "unset fields keep their defaults"
    );
    assert!(toml::from_str::<E164Policy>("contry_code = \"49\"").is_err(), "typos are refused");
}
