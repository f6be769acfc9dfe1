//! Counters and a Prometheus-style text endpoint on localhost.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Default)]
pub struct Metrics {
    pub positions_watched: AtomicU64,
    pub liquidations_sent: AtomicU64,
    pub liquidations_landed: AtomicU64,
    /// Liquidations the program rejected for another reason than a lost race: the keeper's rule
    /// and the program's disagreed (or the transport failed). Zero when the rule is one.
    pub liquidations_failed: AtomicU64,
    /// Liquidations that lost a race: the position was liquidated by someone else first, or a
    /// newer price was used on the market in between (`crate::lost_race`).
    pub liquidations_lost_races: AtomicU64,
    /// Price publish time to landed liquidation, last and max, milliseconds.
    pub last_latency_ms: AtomicU64,
    pub max_latency_ms: AtomicU64,
}

impl Metrics {
    pub fn set_watched(&self, n: usize) {
        self.positions_watched.store(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
    pub fn sent(&self) {
        self.liquidations_sent.fetch_add(1, Ordering::Relaxed);
    }
    pub fn landed(&self, latency_ms: u64) {
        self.liquidations_landed.fetch_add(1, Ordering::Relaxed);
        self.last_latency_ms.store(latency_ms, Ordering::Relaxed);
        self.max_latency_ms.fetch_max(latency_ms, Ordering::Relaxed);
    }
    pub fn failed(&self) {
        self.liquidations_failed.fetch_add(1, Ordering::Relaxed);
    }
    pub fn lost_race(&self) {
        self.liquidations_lost_races.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        format!(
            "ringfence_keeper_positions_watched {}\nringfence_keeper_liquidations_sent {}\nringfence_keeper_liquidations_landed {}\nringfence_keeper_liquidations_failed {}\nringfence_keeper_liquidations_lost_races {}\nringfence_keeper_last_latency_ms {}\nringfence_keeper_max_latency_ms {}\n",
            g(&self.positions_watched),
            g(&self.liquidations_sent),
            g(&self.liquidations_landed),
            g(&self.liquidations_failed),
            g(&self.liquidations_lost_races),
            g(&self.last_latency_ms),
            g(&self.max_latency_ms),
        )
    }
}

/// Serves `GET /metrics` (any path) on `addr` until the process stops.
pub async fn serve(addr: SocketAddr, m: Arc<Metrics>) {
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(target: "keeper", error = %e, %addr, "metrics endpoint unavailable");
            return;
        }
    };
    loop {
        let Ok((mut sock, _)) = listener.accept().await else { continue };
        let m = m.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            let body = m.render();
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        });
    }
}
