//! Which envelope recipients the gateway claims. No open relay: a recipient is accepted only when
//! it is the gateway's own domain (system user, bounce address for DSNs/MDNs, MM4 acks and
//! reports from the MMSC), a route claims it, or it is an MMS user at an MMSC domain.
use crate::config::Config;

use super::convert::{Converters, Direction};

/// Where a recipient leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Our own domain: reports (DSN/MDN) and MM4 messages from the MMSC for the gateway itself.
    Local,
    /// The route with this index in `config.routes`.
    Route(usize),
    /// An MMS user behind the MMSC.
    Mmsc,
}

/// The answer to one RCPT TO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accept(Target),
    /// 550 5.7.1: not ours to relay.
    RelayDenied,
    /// 451 4.3.3: ours, but this build cannot convert for it yet; the sender keeps it.
    NotCapable(String),
    /// 501 5.1.3: not a usable address.
    BadAddress,
}

/// Classifies a recipient (case-insensitive domain; globs as in the config). Routes are checked
/// first, so `FAX=+E164@<our hostname>` (spec/mms.md §3 "Inbound MM") reaches the fax route,
/// then our own domain (bounce and system addresses), then the MMSC's domains.
pub fn classify(config: &Config, converters: &Converters, rcpt: &str) -> Verdict {
    let Some((local, domain)) = rcpt.rsplit_once('@') else { return Verdict::BadAddress };
    if local.is_empty() || domain.is_empty() {
        return Verdict::BadAddress;
    }
    if let Some(i) = config.routes.iter().position(|r| r.claims(rcpt)) {
        let c = config.routes[i].convert;
        return if converters.has(Direction::FromMm(c)) {
            Verdict::Accept(Target::Route(i))
        } else {
            Verdict::NotCapable(format!("conversion to {c} is not available in this build"))
        };
    }
    if domain.eq_ignore_ascii_case(&config.server.hostname) {
        return Verdict::Accept(Target::Local);
    }
    if config.mmsc.domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
        return if converters.any_to_mm() {
            Verdict::Accept(Target::Mmsc)
        } else {
            Verdict::NotCapable("conversion to MMS is not available in this build".into())
        };
    }
    Verdict::RelayDenied
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Convert;

    #[test]
    fn claims_and_refusals() {
        let c = Config::embedded().unwrap();
        let none = Converters::default();
        assert_eq!(
            classify(&c, &none, "system-user@MM3GW.localhost"),
            Verdict::Accept(Target::Local)
        );
        assert_eq!(classify(&c, &none, "victim@example.com"), Verdict::RelayDenied);
        assert_eq!(classify(&c, &none, "nodomain"), Verdict::BadAddress);
        assert!(matches!(
            classify(&c, &none, "FAX=+4930123@fax.localhost"),
            Verdict::NotCapable(_)
        ));
        assert!(matches!(
            classify(&c, &none, "+4917012345/TYPE=PLMN@mms.localhost"),
            Verdict::NotCapable(_)
        ));
        let mut some = Converters::default();
        some.register(Direction::FromMm(Convert::Fax), Arc::new(|_, _| Ok(vec![])));
        assert_eq!(
            classify(&c, &some, "FAX=+4930123@fax.localhost"),
            Verdict::Accept(Target::Route(0))
        );
        assert!(matches!(
            classify(&c, &some, "+4930123@voicemail.localhost"),
            Verdict::NotCapable(_)
        ));
    }
}
