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
    #[msg("max oracle price ages out of range (liquidation age must be at least the trade age)")]
    MaxPriceAgeOutOfRange,
    #[msg("open or close fee out of range")]
    TradeFeeOutOfRange,
    #[msg("max profit out of range")]
    MaxProfitOutOfRange,
    #[msg("borrow rates out of range (min above max, or max above the bound)")]
    BorrowRateOutOfRange,
    #[msg("timelock out of range")]
    TimelockOutOfRange,
    #[msg("pause flags out of range")]
    InvalidPauseFlags,

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
    #[msg("oracle price is older than the one last used on this position")]
    OraclePriceOlderThanPosition,
    #[msg("oracle price is older than the one last used on this market")]
    OraclePriceOlderThanMarket,

    // --- trading ---
    #[msg("amount must be greater than zero")]
    ZeroAmount,
    #[msg("collateral below the initial margin (leverage above the market maximum)")]
    LeverageTooHigh,
    #[msg("position is not liquidatable: equity at mark meets maintenance margin")]
    PositionHealthy,
    #[msg("collateral does not cover the open fee")]
    CollateralBelowFee,
    #[msg("pool free liquidity cannot fund the position's reserve")]
    InsufficientPoolLiquidity,
    #[msg("open interest would exceed the market's cap")]
    OpenInterestCapExceeded,
    #[msg("removing this margin would break the initial margin (fees and losses included)")]
    RemoveMarginBreaksInitialMargin,
    #[msg("decrease must be above zero and below the position size (use close_position)")]
    InvalidDecreaseSize,
    #[msg("the position's collateral cannot cover this decrease: close it instead")]
    DecreaseNotCovered,
    #[msg("this action is paused on this market")]
    MarketPaused,

    // --- liquidity ---
    #[msg("deposit too small to mint a share")]
    DepositTooSmall,
    #[msg("withdrawal exceeds the pool's free liquidity")]
    InsufficientFreeLiquidity,
    #[msg("withdrawal too small to pay out a token")]
    WithdrawTooSmall,
    #[msg("account is not the market's LP mint")]
    LpMintMismatch,

    // --- admin ---
    #[msg("signer is not the market admin")]
    NotAdmin,
    #[msg("signer is not the proposed admin")]
    NotPendingAdmin,
    #[msg("no change is pending")]
    NoPendingChange,
    #[msg("the pending change's timelock has not elapsed")]
    TimelockNotElapsed,

    // --- math ---
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("division by zero")]
    DivisionByZero,

    // --- added by the pool-soundness review (appended: codes above stay stable) ---
    #[msg("LP fee out of range (at most 1%, at least (open + close fee) / (2 * max profit))")]
    LpFeeOutOfRange,
    #[msg("minimum position size out of range (its keeper reward must be at least 3 token units)")]
    MinPositionSizeOutOfRange,
    #[msg("position size below the market's minimum (at open, or left after a decrease: close instead)")]
    PositionTooSmall,
    #[msg("a pool sweep is in progress (it can be replaced once complete or stale)")]
    SweepInProgress,
    #[msg("no live pool sweep (start one)")]
    SweepNotLive,
    #[msg("the pool sweep has not valued every open position, or is stale")]
    SweepNotComplete,
    #[msg("the pool sweep started, or its price was published, before the request: start a new one")]
    SweepPredatesRequest,
    #[msg("account is not the one recorded in the LP request")]
    RequestAccountMismatch,
    #[msg("account is not the market's LP escrow")]
    LpEscrowMismatch,
    #[msg("the LP request is too recent to cancel")]
    RequestTooRecent,
    #[msg("oracle publish time is further in the future than the allowed clock skew")]
    OraclePriceInFuture,
    #[msg("the LP request has already been executed (claim it)")]
    RequestAlreadyExecuted,
    #[msg("the LP request has not been executed yet")]
    RequestNotExecuted,
    #[msg("the sweep cannot be replaced while LP requests due at it are pending")]
    SweepRequestsDue,
    #[msg("LP requests are pending: the sweep needs a price newer than the newest one they knew of")]
    SweepPriceNotNewer,

    // --- added by the liquidation-liveness review (appended: codes above stay stable) ---
    #[msg("a change is already pending: cancel it or let it apply first")]
    ChangeAlreadyPending,
    #[msg("the position was liquidated: only its owner's claim_residual applies")]
    PositionNotOpen,
    #[msg("the position is open: nothing to claim")]
    PositionNotLiquidated,
    #[msg("the new parameters equal the current ones")]
    NoParamsChange,
    #[msg("the pending change was not applied within an hour of its effective time and lapsed")]
    PendingChangeLapsed,
    #[msg("the execution price is worse than the trader's acceptable price")]
    PriceWorseThanAcceptable,
    #[msg("the trade's deadline has passed")]
    TradeDeadlinePassed,
    #[msg("a position cannot be transferred to its own owner")]
    TransferToSelf,
    #[msg("the vault holds less than the position accounts for")]
    VaultBelowAccounted,
    #[msg("the position has no such trigger")]
    TriggerNotSet,
    #[msg("the exit price has not crossed the trigger price")]
    TriggerNotCrossed,
    #[msg("the oracle price was not published after the trigger or order was set")]
    PriceNotAfterOrder,
    #[msg("the position is liquidatable: liquidation takes precedence")]
    PositionLiquidatable,
    #[msg("the position has no top-up rule")]
    NoTopUpRule,
    #[msg("the position's equity is not below its top-up ratio")]
    TopUpNotDue,
    #[msg("the position has no standby margin")]
    NoStandby,
    #[msg("the amount exceeds the position's standby margin")]
    InsufficientStandby,
    #[msg("invalid top-up rule: a ratio needs a step, and the ratio must be at least 100%")]
    InvalidTopUpRule,
    #[msg("the order has expired")]
    OrderExpired,
    #[msg("the order has not expired")]
    OrderNotExpired,
    #[msg("the execution price has not reached the order's limit price")]
    LimitNotReached,
    #[msg("the position has no residual to claim")]
    NothingToClaim,
    #[msg("the order's expiry must be in the future, within the longest order life")]
    InvalidExpiry,
    #[msg("the order holds fewer lamports than the rent of the position it opens")]
    RentPrefundShort,
    #[msg("a limit order's position address is already in use")]
    OrderPositionInUse,
    #[msg("a cleared trigger (price 0) takes no size and no fee")]
    InvalidTrigger,
    #[msg("the bump does not derive the position's or vault's address")]
    InvalidBump,
    #[msg("the position account is not the order's position")]
    PositionMismatch,
    #[msg("the order account is already in use")]
    OrderAlreadyExists,
    #[msg("the position's profit is past its cap: close or decrease it before increasing")]
    ProfitCapReached,
    #[msg("the position is not in the state the transfer was signed for")]
    PositionChanged,
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
