//! Exact decimal amounts: what a trader types ("100.5") to base units and back, never through
//! floating point. Used by the CLI and the localnet tooling for token amounts (the mint's
//! decimals) and prices (`PRICE_DECIMALS`).

/// Parses a non-negative decimal (`"100"`, `"100.5"`, `".25"`) into base units with `decimals`
/// fractional digits; more fractional digits than that, signs, exponents or overflow are errors.
pub fn parse(text: &str, decimals: u8) -> Result<u64, String> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() {
        return Err(format!("{text:?} is not a number"));
    }
    if !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(format!("{text:?} is not a non-negative decimal number"));
    }
    let decimals = usize::from(decimals);
    if frac.len() > decimals {
        return Err(format!("{text:?} has more than {decimals} decimal places"));
    }
    let scale =
        10u128.checked_pow(u32::try_from(decimals).map_err(|_| "too many decimals")?).ok_or("too many decimals")?;
    let w: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| format!("{text:?} is too large"))? };
    let f: u128 = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<decimals$}");
        padded.parse().map_err(|_| format!("{text:?} is not a number"))?
    };
    let units = w.checked_mul(scale).and_then(|v| v.checked_add(f)).ok_or_else(|| format!("{text:?} is too large"))?;
    u64::try_from(units).map_err(|_| format!("{text:?} is too large"))
}

/// Formats base units with `decimals` fractional digits, exactly, without trailing zeros
/// (`1_500_000, 6` -> `"1.5"`; negative values through [`format_signed`]).
pub fn format(units: u64, decimals: u8) -> String {
    format_u128(u128::from(units), decimals)
}

/// As [`format`], for a signed amount (PnL, equity).
pub fn format_signed(units: i128, decimals: u8) -> String {
    let s = format_u128(units.unsigned_abs(), decimals);
    if units < 0 {
        format!("-{s}")
    } else {
        s
    }
}

fn format_u128(units: u128, decimals: u8) -> String {
    let scale = 10u128.pow(u32::from(decimals));
    let (w, f) = (units / scale, units % scale);
    if f == 0 {
        return w.to_string();
    }
    let frac = format!("{f:0>width$}", width = usize::from(decimals));
    format!("{w}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_round_trips() {
        assert_eq!(parse("100", 6), Ok(100_000_000));
        assert_eq!(parse("100.5", 6), Ok(100_500_000));
        assert_eq!(parse("0.000001", 6), Ok(1));
        assert_eq!(parse(".25", 2), Ok(25));
        assert_eq!(parse("0.1", 6), Ok(100_000)); // not 99_999 as 0.1 * 1e6 in f64 can give
        assert!(parse("0.0000001", 6).is_err());
        assert!(parse("-1", 6).is_err());
        assert!(parse("1e3", 6).is_err());
        assert!(parse("", 6).is_err());
        assert!(parse("18446744073709.551616", 6).is_err());
        assert_eq!(format(100_500_000, 6), "100.5");
        assert_eq!(format(1, 6), "0.000001");
        assert_eq!(format(7, 0), "7");
        assert_eq!(format_signed(-1_500_000, 6), "-1.5");
        for s in ["0", "1", "12.5", "0.000123", "99999999.999999"] {
            assert_eq!(format(parse(s, 6).unwrap(), 6), s);
        }
    }
}
