//! The enumerated values of MM4 headers (spec/mms.md §1–§2): message types, status codes and
//! the small vocabularies of the forward request. Every parser is case-insensitive and keeps
//! an unknown value instead of failing (spec/mms.md §7); emitters write the canonical spelling.
use serde::Serialize;

/// Defines an enum of canonical tokens plus `Other(String)` for values a peer invented.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $token:literal $(| $alias:literal)*,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $($variant,)+
            /// A value outside the vocabulary, kept as received.
            Other(String),
        }

        impl $name {
            /// Case-insensitive match against the canonical tokens and known aliases.
            pub fn parse(value: &str) -> Self {
                let v = value.trim();
                $(
                    if v.eq_ignore_ascii_case($token) $(|| v.eq_ignore_ascii_case($alias))* {
                        return Self::$variant;
                    }
                )+
                Self::Other(v.to_string())
            }

            /// The canonical wire spelling (or the kept value for `Other`).
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $token,)+
                    Self::Other(v) => v,
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// `X-Mms-Message-Type` on MM4 (23.140 §8.4). Peers vary the case (`MM4_Forward.REQ`).
    MessageType {
        ForwardReq = "MM4_forward.REQ",
        ForwardRes = "MM4_forward.RES",
        DeliveryReportReq = "MM4_delivery_report.REQ",
        DeliveryReportRes = "MM4_delivery_report.RES",
        ReadReplyReq = "MM4_read_reply_report.REQ",
        ReadReplyRes = "MM4_read_reply_report.RES",
    }
}

impl MessageType {
    /// The six types in the order of spec/mms.md §1.
    pub const ALL: [MessageType; 6] = [
        MessageType::ForwardReq,
        MessageType::ForwardRes,
        MessageType::DeliveryReportReq,
        MessageType::DeliveryReportRes,
        MessageType::ReadReplyReq,
        MessageType::ReadReplyRes,
    ];

    /// Whether this is a .RES (an acknowledgement, never acknowledged itself).
    pub fn is_response(&self) -> bool {
        matches!(self, Self::ForwardRes | Self::DeliveryReportRes | Self::ReadReplyRes)
    }
}

vocabulary! {
    /// `X-Mms-Request-Status-Code` (spec/mms.md §2 A). Only `Ok` is success; the numeric `0`
    /// some Java clients send is kept as `Other` and so reads as a failure.
    RequestStatus {
        Ok = "Ok",
        Unspecified = "Error-unspecified",
        ServiceDenied = "Error-service-denied",
        MessageFormatCorrupt = "Error-message-format-corrupt",
        SendingAddressUnresolved = "Error-sending-address-unresolved",
        MessageNotFound = "Error-message-not-found",
        NetworkProblem = "Error-network-problem",
        ContentNotAccepted = "Error-content-not-accepted",
        UnsupportedMessage = "Error-unsupported-message",
    }
}

impl RequestStatus {
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok)
    }
}

vocabulary! {
    /// `X-Mms-MM-Status-Code` (spec/mms.md §2 B). We emit the British `Unrecognised` and read
    /// the US spelling as the same value; `Unreachable` and `ForwardedToMMBox` are kept as seen.
    MmStatus {
        Expired = "Expired",
        Retrieved = "Retrieved",
        Rejected = "Rejected",
        Deferred = "Deferred",
        Unrecognised = "Unrecognised" | "Unrecognized",
        Indeterminate = "Indeterminate",
        Forwarded = "Forwarded",
        Unreachable = "Unreachable",
    }
}

vocabulary! {
    /// `X-Mms-Read-Status` (spec/mms.md §2 D); RFC 4356 writes it in lower case.
    ReadStatus {
        Read = "Read",
        DeletedWithoutBeingRead = "Deleted without being read",
    }
}

vocabulary! {
    /// `X-Mms-Message-Class`.
    MessageClass {
        Personal = "Personal",
        Advertisement = "Advertisement",
        Informational = "Informational",
        Auto = "Auto",
    }
}

vocabulary! {
    /// `X-Mms-Priority`.
    Priority {
        Low = "Low",
        Normal = "Normal",
        High = "High",
    }
}

vocabulary! {
    /// `X-Mms-Sender-Visibility`.
    SenderVisibility {
        Hide = "Hide",
        Show = "Show",
    }
}

/// Reads a Yes/No header the way deployed peers write it: `yes`/`true`/`1` and
/// `no`/`false`/`0` in any case; anything else counts as absent (spec/mms.md §7).
pub fn parse_bool(value: &str) -> Option<bool> {
    let v = value.trim();
    if ["yes", "true", "1"].iter().any(|t| v.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if ["no", "false", "0"].iter().any(|t| v.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}

/// The wire form of a boolean MM4 header.
pub fn bool_str(v: bool) -> &'static str {
    if v { "Yes" } else { "No" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_are_case_insensitive_and_keep_unknowns() {
        assert_eq!(MessageType::parse("mm4_FORWARD.req"), MessageType::ForwardReq);
        assert_eq!(MessageType::parse(" MM4_Delivery_report.REQ "), MessageType::DeliveryReportReq);
        assert_eq!(
            MessageType::parse("MM7_submit.REQ"),
            MessageType::Other("MM7_submit.REQ".into())
        );
        assert_eq!(MmStatus::parse("Unrecognized"), MmStatus::Unrecognised);
        assert_eq!(MmStatus::Unrecognised.as_str(), "Unrecognised");
        assert_eq!(
            ReadStatus::parse("deleted WITHOUT being read"),
            ReadStatus::DeletedWithoutBeingRead
        );
        assert!(!RequestStatus::parse("0").is_ok());
        assert!(RequestStatus::parse("ok").is_ok());
        assert_eq!(RequestStatus::parse("error-NETWORK-problem"), RequestStatus::NetworkProblem);
    }

    #[test]
    fn booleans_follow_deployed_peers() {
        for (v, want) in [
            ("Yes", Some(true)),
            ("TRUE", Some(true)),
            ("1", Some(true)),
            ("no", Some(false)),
            ("0", Some(false)),
            ("maybe", None),
            ("", None),
        ] {
            assert_eq!(parse_bool(v), want, "{v:?}");
        }
    }
}
