//! Decoding Ringfence events from transaction logs.
//!
//! Anchor's `emit!` writes `Program data: <base64(discriminator || borsh)>`. Only lines logged
//! while Ringfence itself is the executing program are accepted: another program that CPIs into
//! Ringfence cannot forge a Ringfence event by logging the same bytes.
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use ringfence::events::*;

use crate::PROGRAM_ID;

#[derive(Debug, Clone)]
pub enum Event {
    MarketInitialized(MarketInitialized),
    PositionOpened(PositionOpened),
    MarginAdded(MarginAdded),
    MarginRemoved(MarginRemoved),
    PositionDecreased(PositionDecreased),
    PositionClosed(PositionClosed),
    PositionLiquidated(PositionLiquidated),
    LiquidityDeposited(LiquidityDeposited),
    LiquidityWithdrawn(LiquidityWithdrawn),
    AdminProposed(AdminProposed),
    AdminAccepted(AdminAccepted),
    MarketChangeScheduled(MarketChangeScheduled),
    MarketChangeCancelled(MarketChangeCancelled),
    MarketParamsUpdated(MarketParamsUpdated),
    PauseSet(PauseSet),
}

fn decode(bytes: &[u8]) -> Option<Event> {
    fn body<T: AnchorDeserialize + Discriminator>(bytes: &[u8]) -> Option<T> {
        let rest = bytes.strip_prefix(T::DISCRIMINATOR)?;
        T::deserialize(&mut &rest[..]).ok()
    }
    body(bytes)
        .map(Event::MarketInitialized)
        .or_else(|| body(bytes).map(Event::PositionOpened))
        .or_else(|| body(bytes).map(Event::MarginAdded))
        .or_else(|| body(bytes).map(Event::PositionLiquidated))
}

/// Events emitted by Ringfence in a transaction's logs, in order.
pub fn parse_logs<S: AsRef<str>>(logs: &[S]) -> Vec<Event> {
    let program = PROGRAM_ID.to_string();
    let mut stack: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in logs {
        let line = line.as_ref();
        let Some(rest) = line.strip_prefix("Program ") else { continue };
        if let Some(data) = rest.strip_prefix("data: ") {
            if stack.last() == Some(&program) {
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data.trim()) {
                    out.extend(decode(&bytes));
                }
            }
        } else if let Some((id, tail)) = rest.split_once(' ') {
            if tail.starts_with("invoke [") {
                stack.push(id.to_string());
            } else if tail == "success" || tail.starts_with("failed") {
                stack.pop();
            }
        }
    }
    out
}
