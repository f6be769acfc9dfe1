use anchor_lang::prelude::*;
use ringfence_math::MathError;

/// Every rejection Ringfence makes. Constraint violations carry these too (`@ RingfenceError::…`).
#[error_code]
pub enum RingfenceError {
    // --- market parameters ---
    #[msg("initial margin out of range")]
    InitialMarginOutOfRange,
    #[msg("maintenance margin out of range or not below the initial margin")]
    MaintenanceMarginOutOfRange,
    #[msg("liquidation fee out of range or above the maintenance margin")]
    LiquidationFeeOutOfRange,
    #[msg("max oracle confidence out of range")]
    MaxConfidenceOutOfRange,
    #[msg("max oracle price age out of range")]
    MaxPriceAgeOutOfRange,

    // --- accounts ---
    #[msg("signer is not the position's owner")]
    OwnerMismatch,
    #[msg("account belongs to another market")]
    MarketMismatch,
    #[msg("token account is not this position's vault")]
    VaultMismatch,
    #[msg("token account is not the market's pool vault")]
    PoolVaultMismatch,
    #[msg("token account has the wrong mint")]
    MintMismatch,
    #[msg("token account is not owned by the expected wallet")]
    TokenOwnerMismatch,
    #[msg("account is not an initialized SPL Token account")]
    NotTokenAccount,
    #[msg("a position with this id already exists")]
    PositionAlreadyExists,
    #[msg("invalid position side")]
    InvalidSide,
    #[msg("account data has an unexpected size")]
    InvalidAccountData,

    // --- oracle ---
    #[msg("oracle account is not the market's pinned price account")]
    OracleAccountMismatch,
    #[msg("oracle update is for another price feed")]
    OracleFeedMismatch,
    #[msg("oracle update is not fully verified")]
    OracleNotFullyVerified,
    #[msg("oracle price is too old")]
    OraclePriceStale,
    #[msg("oracle price is zero or negative")]
    OraclePriceNotPositive,
    #[msg("oracle confidence interval is too wide")]
    OracleConfidenceTooWide,

    // --- trading ---
    #[msg("amount must be greater than zero")]
    ZeroAmount,
    #[msg("collateral below the initial margin (leverage above the market maximum)")]
    LeverageTooHigh,
    #[msg("position is not liquidatable: equity at mark meets maintenance margin")]
    PositionHealthy,

    // --- math ---
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("division by zero")]
    DivisionByZero,
}

impl From<MathError> for RingfenceError {
    fn from(e: MathError) -> Self {
        match e {
            MathError::Overflow => RingfenceError::MathOverflow,
            MathError::DivisionByZero => RingfenceError::DivisionByZero,
            MathError::NonPositivePrice => RingfenceError::OraclePriceNotPositive,
        }
    }
}

/// `?`-friendly conversion of math results into program errors.
pub trait MathResultExt<T> {
    fn or_err(self) -> Result<T>;
}

impl<T> MathResultExt<T> for core::result::Result<T, MathError> {
    fn or_err(self) -> Result<T> {
        self.map_err(|e| error!(RingfenceError::from(e)))
    }
}
