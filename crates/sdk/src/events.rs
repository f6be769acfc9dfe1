//! Decoding Ringfence events from transaction logs.
//!
//! Anchor's `emit!` writes `Program data: <base64(discriminator || borsh)>`. Only lines logged
//! while Ringfence itself is the executing program are accepted: another program that CPIs into
//! Ringfence cannot forge a Ringfence event by logging the same bytes.
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use ringfence::events::*;

use crate::PROGRAM_ID;

/// Declares [`Event`] and its decoder from one list, so the two cannot drift apart.
macro_rules! ringfence_events {
    ($($name:ident),+ $(,)?) => {
        /// Every event Ringfence emits.
        #[derive(Debug, Clone)]
        pub enum Event {
            $($name($name),)+
        }

        fn decode(bytes: &[u8]) -> Option<Event> {
            $(
                if let Some(rest) = bytes.strip_prefix($name::DISCRIMINATOR) {
                    return $name::deserialize(&mut &rest[..]).ok().map(Event::$name);
                }
            )+
            None
        }
    };
}

ringfence_events!(
    MarketInitialized,
    PositionOpened,
    PositionIncreased,
    MarginAdded,
    MarginRemoved,
    PositionDecreased,
    PositionClosed,
    PositionLiquidated,
    ResidualClaimed,
    PositionTransferred,
    SweepStarted,
    PositionsSwept,
    LpRequested,
    LpRequestExecuted,
    LpRequestCancelled,
    LpRequestClaimed,
    AdminProposed,
    AdminAccepted,
    MarketChangeScheduled,
    MarketChangeCancelled,
    MarketParamsUpdated,
    PauseSet,
    StandbyAdded,
    StandbyWithdrawn,
    TopUpRuleSet,
    StandbyApplied,
    TriggerSet,
    TriggerExecuted,
    OrderPlaced,
    OrderExecuted,
    OrderClosed,
);

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
