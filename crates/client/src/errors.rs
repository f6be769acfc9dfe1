//! Program errors in words, for every client that prints a failure (CLI, keeper logs): the
//! program's own `RingfenceError` list — names and messages read from its source at compile time,
//! numbered as Anchor numbers them (6000 onwards, in order) — and the Anchor framework errors a
//! user can meet.

const SOURCE: &str = include_str!("../../../programs/ringfence/src/error.rs");

/// `(name, message)` of `RingfenceError` in declaration order (code = 6000 + index).
pub fn program_errors() -> Vec<(&'static str, &'static str)> {
    let body = SOURCE.split("pub enum RingfenceError {").nth(1).and_then(|b| b.split("\n}").next()).unwrap_or("");
    let mut out = Vec::new();
    let mut msg = "";
    for line in body.lines().map(str::trim) {
        if let Some(m) = line.strip_prefix("#[msg(\"").and_then(|m| m.strip_suffix("\")]")) {
            msg = m;
        } else if let Some(name) = line.strip_suffix(',') {
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) {
                out.push((name, msg));
                msg = "";
            }
        }
    }
    out
}

/// Anchor framework errors users meet, in words.
const ANCHOR: &[(u32, &str, &str)] = &[
    (2000, "ConstraintMut", "an account that must be writable is not"),
    (2003, "ConstraintRaw", "an account constraint was violated"),
    (2006, "ConstraintSeeds", "an address is not the program address its seeds derive"),
    (3001, "AccountDiscriminatorNotFound", "the account is not of the expected kind"),
    (3002, "AccountDiscriminatorMismatch", "the account is not of the expected kind"),
    (
        3007,
        "AccountOwnedByWrongProgram",
        "no such account of this program (closed, never created, or of another program)",
    ),
    (3010, "AccountNotSigner", "an account that must sign did not"),
    (3012, "AccountNotInitialized", "no such account (closed or never created)"),
];

/// The name and message of program error `code` (a Ringfence or an Anchor framework error).
pub fn describe_code(code: u32) -> Option<(String, String)> {
    if let Some((name, msg)) =
        code.checked_sub(6000).and_then(|i| program_errors().get(usize::try_from(i).ok()?).copied())
    {
        return Some((name.to_string(), msg.to_string()));
    }
    ANCHOR.iter().find(|(c, _, _)| *c == code).map(|(_, n, m)| (n.to_string(), m.to_string()))
}

/// The program error code in an error text: `custom program error: 0x1787` or `Custom(6023)`.
pub fn code_in(text: &str) -> Option<u32> {
    if let Some(hex) = text.split("custom program error: 0x").nth(1) {
        let hex: String = hex.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        return u32::from_str_radix(&hex, 16).ok();
    }
    let dec = text.split("Custom(").nth(1)?;
    dec.chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringfence_sdk::ringfence::error::RingfenceError;

    #[test]
    fn the_table_matches_the_program() {
        let all = program_errors();
        assert!(all.len() > 90);
        // Spot checks against the program's own numbering, first, middle and last.
        for (e, name) in [
            (RingfenceError::InitialMarginOutOfRange, "InitialMarginOutOfRange"),
            (RingfenceError::OraclePriceStale, "OraclePriceStale"),
            (RingfenceError::PositionLiquidatable, "PositionLiquidatable"),
            (RingfenceError::PositionChanged, "PositionChanged"),
        ] {
            let code = ringfence_sdk::error_code(e);
            assert_eq!(describe_code(code).map(|d| d.0), Some(name.to_string()), "code {code}");
        }
        assert!(all.iter().all(|(_, m)| !m.is_empty()), "every error has its message");
        assert_eq!(code_in("UiTransactionError(InstructionError(0, Custom(6023)))"), Some(6023));
        assert_eq!(code_in("custom program error: 0x1787"), Some(6023));
    }
}
