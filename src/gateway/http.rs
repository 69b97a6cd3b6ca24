//! A minimal HTTP/1.1 endpoint for operations: `GET /metrics` (Prometheus/OpenMetrics text) and
//! `GET /healthz` (`ok`, or 503 while shutting down). Requests are bounded in size and time;
//! anything else gets 404/405. No keep-alive: one request per connection.
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::metrics::Metrics;

const MAX_REQUEST: usize = 8192;

/// The response to a request head (pure; tested without sockets).
pub fn respond(head: &[u8], metrics: &Metrics, healthy: bool) -> Vec<u8> {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, ctype, body) = match (method, path) {
        ("GET", "/metrics") => (
            "200 OK",
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            metrics.render(),
        ),
        ("GET", "/healthz") if healthy => {
            ("200 OK", "text/plain; charset=utf-8", "ok\n".to_owned())
        }
        ("GET", "/healthz") => {
            ("503 Service Unavailable", "text/plain; charset=utf-8", "shutting down\n".to_owned())
        }
        ("GET", _) => ("404 Not Found", "text/plain; charset=utf-8", "not found\n".to_owned()),
        _ => ("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n".to_owned()),
    };
    format!("HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).into_bytes()
}

/// Serves until `shutdown` turns true.
pub async fn run(listener: TcpListener, metrics: Metrics, mut shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let Ok((mut sock, _)) = accepted else { continue };
        let metrics = metrics.clone();
        let healthy = !*shutdown.borrow();
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(512);
            let read = tokio::time::timeout(Duration::from_secs(5), async {
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n")
                    && !buf.windows(2).any(|w| w == b"\n\n")
                {
                    let n = sock.read(&mut chunk).await?;
                    if n == 0 || buf.len() + n > MAX_REQUEST {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                Ok::<_, std::io::Error>(())
            })
            .await;
            if matches!(read, Ok(Ok(()))) {
                let _ = sock.write_all(&respond(&buf, &metrics, healthy)).await;
            }
            let _ = sock.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn routes() {
        let m = super::Metrics::new();
        let ok =
            String::from_utf8(super::respond(b"GET /healthz HTTP/1.1\r\n\r\n", &m, true)).unwrap();
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n") && ok.ends_with("\r\n\r\nok\n"));
        let down =
            String::from_utf8(super::respond(b"GET /healthz HTTP/1.1\r\n\r\n", &m, false)).unwrap();
        assert!(down.starts_with("HTTP/1.1 503"));
        let metrics =
            String::from_utf8(super::respond(b"GET /metrics HTTP/1.0\r\n\r\n", &m, true)).unwrap();
        assert!(metrics.contains("mm3gw_messages_accepted_total 0"));
        assert!(
            String::from_utf8(super::respond(b"POST /x HTTP/1.1\r\n\r\n", &m, true))
                .unwrap()
                .starts_with("HTTP/1.1 405")
        );
        assert!(
            String::from_utf8(super::respond(b"\xff\xfe", &m, true))
                .unwrap()
                .starts_with("HTTP/1.1 405")
        );
    }
}
