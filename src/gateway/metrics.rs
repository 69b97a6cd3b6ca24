//! Prometheus metrics (the official `prometheus-client` crate), served by [`super::http`].
//!
//! Counters end in `_total` on the wire (OpenMetrics text, which Prometheus scrapes natively).
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;

/// The purposes an outbound message can have (see `process::NewMessage::purpose`).
pub const PURPOSES: [&str; 8] = [
    "fax",
    "vpim",
    "ivm",
    "mm4-forward",
    "mm4-res",
    "mm4-delivery-report",
    "mm4-read-reply",
    "dsn",
];

/// Every metric the gateway keeps. Cloning shares the underlying values.
#[derive(Clone)]
pub struct Metrics {
    registry: std::sync::Arc<Registry>,
    pub accepted: Counter,
    pub delivered: Family<Labels, Counter>,
    pub delivery_failures: Family<Labels, Counter>,
    pub reports: Family<Labels, Counter>,
    pub tokens_refused: Counter,
    pub rejected: Family<Labels, Counter>,
    pub conversion_seconds: Histogram,
    pub time_to_250_seconds: Histogram,
    pub spool_messages: Gauge,
    pub connections: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut r = Registry::default();
        let accepted = Counter::default();
        let delivered = Family::<Labels, Counter>::default();
        let delivery_failures = Family::<Labels, Counter>::default();
        let reports = Family::<Labels, Counter>::default();
        let tokens_refused = Counter::default();
        let rejected = Family::<Labels, Counter>::default();
        let conversion_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let time_to_250_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let spool_messages = Gauge::default();
        let connections = Gauge::default();
        r.register(
            "mm3gw_messages_accepted",
            "Messages answered 250 (durably spooled)",
            accepted.clone(),
        );
        r.register(
            "mm3gw_messages_delivered",
            "Messages delivered to a next hop, by purpose",
            delivered.clone(),
        );
        r.register(
            "mm3gw_delivery_failures",
            "Messages given up (5xx or expired), by purpose",
            delivery_failures.clone(),
        );
        r.register("mm3gw_reports", "MM4 reports and DSN/MDNs built, by kind", reports.clone());
        r.register(
            "mm3gw_tokens_refused",
            "Returning DSN/MDN whose token did not verify",
            tokens_refused.clone(),
        );
        r.register("mm3gw_smtp_rejected", "SMTP refusals, by reason", rejected.clone());
        r.register(
            "mm3gw_conversion_seconds",
            "Time to route and convert one spooled message",
            conversion_seconds.clone(),
        );
        r.register(
            "mm3gw_time_to_250_seconds",
            "From the end of DATA to the 250 (spool write)",
            time_to_250_seconds.clone(),
        );
        r.register("mm3gw_spool_messages", "Entries in the spool", spool_messages.clone());
        r.register("mm3gw_smtp_connections", "Open SMTP connections", connections.clone());
        // Families render only the label values seen; create the known ones so every series
        // exists (at 0) from the start.
        for p in PURPOSES {
            let _ = delivered.get_or_create(&Self::label("purpose", p));
            let _ = delivery_failures.get_or_create(&Self::label("purpose", p));
        }
        for k in ["delivery-report", "read-reply", "dsn"] {
            let _ = reports.get_or_create(&Self::label("kind", k));
        }
        Metrics {
            registry: std::sync::Arc::new(r),
            accepted,
            delivered,
            delivery_failures,
            reports,
            tokens_refused,
            rejected,
            conversion_seconds,
            time_to_250_seconds,
            spool_messages,
            connections,
        }
    }

    /// One label helper: `[("kind", v)]`.
    pub fn label(name: &str, v: &str) -> Labels {
        vec![(name.to_owned(), v.to_owned())]
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut s = String::new();
        if encode(&mut s, &self.registry).is_err() {
            s.clear();
        }
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_the_required_names() {
        let m = super::Metrics::new();
        m.accepted.inc();
        m.delivered.get_or_create(&super::Metrics::label("purpose", "fax")).inc();
        let t = m.render();
        for name in [
            "mm3gw_messages_accepted_total 1",
            "mm3gw_messages_delivered_total{purpose=\"fax\"} 1",
            "mm3gw_delivery_failures_total",
            "mm3gw_reports_total",
            "mm3gw_tokens_refused_total 0",
            "mm3gw_conversion_seconds_bucket",
            "mm3gw_spool_messages 0",
        ] {
            assert!(t.contains(name), "{name} missing in\n{t}");
        }
    }
}
