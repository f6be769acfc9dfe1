//! Counters and a Prometheus-style text endpoint on localhost.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Counters of one kind of keeper transaction.
#[derive(Default)]
pub struct Counters {
    pub sent: AtomicU64,
    pub landed: AtomicU64,
    /// Rejected by the program for another reason than a lost race: the keeper's rule and the
    /// program's disagreed (or the transport failed). Zero when the rule is one.
    pub failed: AtomicU64,
    /// Lost a race: someone else acted first (the position was liquidated, closed or topped up,
    /// the order filled or cancelled) or a newer price was used on the market in between
    /// (`crate::lost_race`).
    pub lost_races: AtomicU64,
}

/// The kinds of keeper transactions, each counted on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Liquidation,
    TopUp,
    Trigger,
    Order,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Liquidation, Kind::TopUp, Kind::Trigger, Kind::Order];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Liquidation => "liquidations",
            Kind::TopUp => "top_ups",
            Kind::Trigger => "triggers",
            Kind::Order => "orders",
        }
    }
}

#[derive(Default)]
pub struct Metrics {
    pub positions_watched: AtomicU64,
    pub orders_watched: AtomicU64,
    pub liquidations: Counters,
    pub top_ups: Counters,
    pub triggers: Counters,
    pub orders: Counters,
    /// Price publish time to landed liquidation, last and max, milliseconds.
    pub last_latency_ms: AtomicU64,
    pub max_latency_ms: AtomicU64,
}

impl Metrics {
    pub fn of(&self, kind: Kind) -> &Counters {
        match kind {
            Kind::Liquidation => &self.liquidations,
            Kind::TopUp => &self.top_ups,
            Kind::Trigger => &self.triggers,
            Kind::Order => &self.orders,
        }
    }
    pub fn set_watched(&self, n: usize) {
        self.positions_watched.store(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
    pub fn set_orders_watched(&self, n: usize) {
        self.orders_watched.store(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
    pub fn sent(&self, kind: Kind) {
        self.of(kind).sent.fetch_add(1, Ordering::Relaxed);
    }
    /// A landed transaction; `latency_ms` (price publish to landing) is tracked for liquidations.
    pub fn landed(&self, kind: Kind, latency_ms: u64) {
        self.of(kind).landed.fetch_add(1, Ordering::Relaxed);
        if kind == Kind::Liquidation {
            self.last_latency_ms.store(latency_ms, Ordering::Relaxed);
            self.max_latency_ms.fetch_max(latency_ms, Ordering::Relaxed);
        }
    }
    pub fn failed(&self, kind: Kind) {
        self.of(kind).failed.fetch_add(1, Ordering::Relaxed);
    }
    pub fn lost_race(&self, kind: Kind) {
        self.of(kind).lost_races.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut out = format!(
            "ringfence_keeper_positions_watched {}\nringfence_keeper_orders_watched {}\n",
            g(&self.positions_watched),
            g(&self.orders_watched)
        );
        for kind in Kind::ALL {
            let c = self.of(kind);
            let n = kind.name();
            out.push_str(&format!(
                "ringfence_keeper_{n}_sent {}\nringfence_keeper_{n}_landed {}\nringfence_keeper_{n}_failed {}\nringfence_keeper_{n}_lost_races {}\n",
                g(&c.sent),
                g(&c.landed),
                g(&c.failed),
                g(&c.lost_races)
            ));
        }
        out.push_str(&format!(
            "ringfence_keeper_last_latency_ms {}\nringfence_keeper_max_latency_ms {}\n",
            g(&self.last_latency_ms),
            g(&self.max_latency_ms)
        ));
        out
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
