//! `ringfence`: trade, provide liquidity and administer Ringfence markets from the command line.
//! Signs with a Solana keypair file like the `solana` CLI. Human output by default, `--json` for
//! scripts; `--dry-run` simulates and prints the compute units and the outcome. Every failure is a
//! readable message naming the program error.
use std::path::PathBuf;
use std::process::ExitCode;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AnchorDeserialize;
use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use ringfence_client::{ata, now_unix, Client};
use ringfence_sdk::ix::{self, MarketKeys, PositionAccounts};
use ringfence_sdk::ringfence::instructions::HealthView;
use ringfence_sdk::{pda, Market, Side, TriggerArgs, TriggerKind};
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[derive(Parser)]
#[command(name = "ringfence", version, about = "Ringfence isolated-margin perpetuals")]
struct Cli {
    /// JSON-RPC URL.
    #[arg(long, short = 'u', global = true, env = "RINGFENCE_RPC_URL", default_value = "http://127.0.0.1:8899")]
    url: String,
    /// Keypair file that signs (the `solana` CLI format).
    #[arg(long, short = 'k', global = true, env = "RINGFENCE_KEYPAIR")]
    keypair: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long, global = true)]
    json: bool,
    /// Simulate only: print compute units and the outcome, send nothing.
    #[arg(long, global = true)]
    dry_run: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Markets: list, show.
    #[command(subcommand)]
    Markets(MarketsCmd),
    /// Positions: open, increase, add-margin, remove-margin, decrease, close, tp, sl, standby,
    /// transfer, claim, list.
    #[command(subcommand)]
    Position(PositionCmd),
    /// Limit orders: place, cancel, list.
    #[command(subcommand)]
    Order(OrderCmd),
    /// Liquidity: deposit, withdraw, value.
    #[command(subcommand)]
    Lp(LpCmd),
    /// Administration: create markets, set parameters, pause.
    #[command(subcommand)]
    Admin(AdminCmd),
}

#[derive(Subcommand)]
enum MarketsCmd {
    List,
    Show { market: Pubkey },
}

#[derive(Clone, Copy, ValueEnum)]
enum SideArg {
    Long,
    Short,
}

#[derive(Subcommand)]
enum PositionCmd {
    /// Opens a position: COLLATERAL tokens (fee included) at LEVERAGE (notional = collateral x leverage).
    Open {
        #[arg(long)]
        market: Pubkey,
        #[arg(long, value_enum)]
        side: SideArg,
        /// Collateral in whole tokens (decimals allowed).
        #[arg(long)]
        collateral: String,
        #[arg(long)]
        leverage: String,
        /// Position id (default: the first free one).
        #[arg(long)]
        id: Option<u64>,
        #[command(flatten)]
        slippage: Slippage,
    },
    AddMargin {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[arg(long)]
        amount: String,
    },
    RemoveMargin {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[arg(long)]
        amount: String,
    },
    /// Adds SIZE of notional (whole tokens) at the oracle price, depositing DEPOSIT more collateral.
    Increase {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[arg(long)]
        size: String,
        /// Collateral to add with it (whole tokens; the open fee and the borrow fee owed come out of
        /// the collateral).
        #[arg(long, default_value = "0")]
        deposit: String,
        #[command(flatten)]
        slippage: Slippage,
    },
    /// Closes SIZE of notional (whole tokens).
    Decrease {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[arg(long)]
        size: String,
        #[command(flatten)]
        slippage: Slippage,
    },
    Close {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        slippage: Slippage,
    },
    /// Hands your open position, with its vault, to the wallet of NEW_OWNER_KEYPAIR (which co-signs).
    Transfer {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        /// Keypair file of the new owner (a transfer needs both signatures).
        #[arg(long)]
        new_owner_keypair: std::path::PathBuf,
    },
    /// Sets (or with --price 0 clears) the take-profit: a keeper closes SIZE (default all) once the
    /// exit price reaches PRICE, for FEE escrowed in the vault.
    Tp {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        trigger: TriggerOpts,
    },
    /// Sets (or with --price 0 clears) the stop-loss (as `tp`, for a price moving against you).
    Sl {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        trigger: TriggerOpts,
    },
    /// Standby margin: add, withdraw, rule (automatic top-ups from it).
    #[command(subcommand)]
    Standby(StandbyCmd),
    /// Claims your position's residual into your token account: the whole vault of a liquidated or
    /// keeper-closed position (closing it), or the proceeds of keeper-run partial closes of an open one.
    Claim {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
    },
    /// Lists positions with PnL, health, liquidation and bankruptcy prices (the program's view).
    /// Signs nothing: `--owner` (default: the `--keypair`'s, if any) or every owner's with `--all`.
    List {
        #[arg(long)]
        market: Pubkey,
        /// Whose positions.
        #[arg(long, conflicts_with = "all")]
        owner: Option<Pubkey>,
        /// Every owner's positions in the market.
        #[arg(long)]
        all: bool,
    },
}

/// A take-profit or stop-loss.
#[derive(clap::Args, Clone, Debug)]
struct TriggerOpts {
    /// Trigger price (quote units; 0 clears the trigger and refunds its fee).
    #[arg(long)]
    price: String,
    /// Notional to close, whole tokens (default: the whole position).
    #[arg(long)]
    size: Option<String>,
    /// Execution fee for the keeper, whole tokens, escrowed in the position's vault.
    #[arg(long, default_value = "0.1")]
    fee: String,
}

#[derive(Subcommand)]
enum StandbyCmd {
    /// Parks AMOUNT (whole tokens) in the position's vault as standby margin (not collateral).
    Add {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[arg(long)]
        amount: String,
    },
    /// Takes AMOUNT of standby back into your token account.
    Withdraw {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        #[arg(long)]
        amount: String,
    },
    /// Top-up rule: while equity < RATIO x the maintenance requirement, a keeper moves STEP of
    /// standby into collateral per call for FEE. `--ratio 0 --step 0 --fee 0` clears it.
    Rule {
        #[arg(long)]
        market: Pubkey,
        #[command(flatten)]
        which: Which,
        /// Multiple of the maintenance requirement (1 to 5; e.g. 1.5).
        #[arg(long)]
        ratio: String,
        /// Collateral moved per top-up, whole tokens.
        #[arg(long)]
        step: String,
        /// The keeper's fee per top-up, whole tokens (paid from the standby).
        #[arg(long, default_value = "0.01")]
        fee: String,
    },
}

#[derive(Subcommand)]
enum OrderCmd {
    /// Places a limit open: COLLATERAL tokens (fee included) at LEVERAGE, filled by a keeper once
    /// the entry price reaches LIMIT (a long at or below, a short at or above), before EXPIRY.
    Place {
        #[arg(long)]
        market: Pubkey,
        #[arg(long, value_enum)]
        side: SideArg,
        #[arg(long)]
        collateral: String,
        #[arg(long)]
        leverage: String,
        /// Limit price (quote units).
        #[arg(long)]
        limit: String,
        /// Seconds until it expires (then anyone may close it, refunding you in full).
        #[arg(long, default_value_t = 86_400)]
        expiry_secs: i64,
        /// The filling keeper's fee, whole tokens.
        #[arg(long, default_value = "0.1")]
        fee: String,
        /// Take-profit price set on the position when it opens.
        #[arg(long)]
        tp: Option<String>,
        /// Stop-loss price set on the position when it opens.
        #[arg(long)]
        sl: Option<String>,
        /// Order id, also the id of the position it opens (default: the first free one).
        #[arg(long)]
        id: Option<u64>,
    },
    /// Cancels your order ID, refunding everything.
    Cancel {
        #[arg(long)]
        market: Pubkey,
        #[arg(long)]
        id: u64,
    },
    /// Lists open limit orders.
    List {
        #[arg(long)]
        market: Pubkey,
        /// Whose orders (default: every owner's).
        #[arg(long)]
        owner: Option<Pubkey>,
    },
}

/// The trader's bound on a trade at the oracle price: the worst acceptable execution price, as a
/// slippage from the price previewed from the oracle now, and a deadline.
#[derive(clap::Args, Clone, Copy, Debug)]
struct Slippage {
    /// Worst acceptable execution price: this many basis points worse than the previewed one.
    #[arg(long, default_value_t = 100)]
    slippage_bps: u64,
    /// The trade must execute within this many seconds (cluster clock).
    #[arg(long, default_value_t = 60)]
    deadline_secs: i64,
}

/// Which existing position: by its own address, or by id among the signer's positions on the
/// market (found by the position accounts' own fields, never by re-deriving an address).
#[derive(clap::Args, Clone, Copy, Debug)]
#[group(required = true, multiple = false)]
struct Which {
    /// The position's id (one of the signer's positions on the market).
    #[arg(long)]
    id: Option<u64>,
    /// The position account's address.
    #[arg(long)]
    position: Option<Pubkey>,
}

#[derive(Subcommand)]
enum LpCmd {
    /// Requests a deposit of AMOUNT, then waits up to WAIT seconds for its execution (by a keeper,
    /// or by this command itself once a price newer than the request is on chain) and claims the
    /// shares. `--wait 0` only requests (then `lp claim`).
    Deposit {
        #[arg(long)]
        market: Pubkey,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Requests burning SHARES (whole share tokens), then waits and claims as `deposit`.
    Withdraw {
        #[arg(long)]
        market: Pubkey,
        #[arg(long)]
        shares: String,
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Executes the signer's pending request if it can (a sweep at the on-chain price, when that
    /// price is newer than the request) and claims its shares or tokens.
    Claim {
        #[arg(long)]
        market: Pubkey,
        #[arg(long, default_value_t = 0)]
        wait: u64,
    },
    /// The pool's value at the oracle price and the value of one share.
    Value {
        #[arg(long)]
        market: Pubkey,
    },
}

#[derive(Subcommand)]
enum AdminCmd {
    /// Sets parameters from a JSON object of `RiskParams` fields (missing fields keep their value).
    SetParams {
        #[arg(long)]
        market: Pubkey,
        #[arg(long)]
        params: String,
    },
    /// Sets pause flags: any of open, margin, deposit (none to unpause).
    Pause {
        #[arg(long)]
        market: Pubkey,
        #[arg(value_delimiter = ',')]
        flags: Vec<String>,
    },
}

struct Ctx {
    client: Client,
    signer: Option<Keypair>,
    json: bool,
    dry_run: bool,
}

impl Ctx {
    fn signer(&self) -> Result<&Keypair> {
        self.signer
            .as_ref()
            .ok_or_else(|| anyhow!("this command signs: pass --keypair FILE (or set RINGFENCE_KEYPAIR)"))
    }

    async fn market(&self, key: &Pubkey) -> Result<(Market, MarketKeys)> {
        let m = self.client.market(key).await?;
        let keys = MarketKeys::of(key, &m);
        Ok((m, keys))
    }

    async fn decimals(&self, mint: &Pubkey) -> Result<u8> {
        use anchor_lang::solana_program::program_pack::Pack;
        let acc = self.client.rpc.get_account(mint).await?;
        Ok(anchor_spl::token::spl_token::state::Mint::unpack(&acc.data)?.decimals)
    }

    /// Fails in words when `owner`'s associated token account of `mint` is missing or holds less
    /// than `need` (the program would only say `NotTokenAccount` or an SPL Token error).
    async fn require_funded(&self, owner: &Pubkey, mint: &Pubkey, need: u64) -> Result<()> {
        let (token, _) = ata(owner, mint, owner);
        let hint = format!("fund it (on a local chain: ringfence-localnet faucet --market <MARKET> --to {owner})");
        match self.client.token_account_balance(&token).await? {
            None => bail!("{owner} has no token account of the collateral mint {mint} (expected {token}): {hint}"),
            Some(have) => {
                if have < need {
                    let f = self.fmt(mint).await?;
                    bail!(
                        "{owner}'s token account {token} holds {} of the {} needed: {hint}",
                        ringfence_sdk::amount::format(have, f.decimals),
                        ringfence_sdk::amount::format(need, f.decimals)
                    );
                }
                Ok(())
            }
        }
    }

    /// `units` of `mint` as the JSON's exact decimal string.
    async fn tok(&self, mint: &Pubkey, units: u64) -> Result<serde_json::Value> {
        Ok(self.fmt(mint).await?.amt(units))
    }

    async fn fmt(&self, mint: &Pubkey) -> Result<Fmt> {
        Ok(Fmt { decimals: self.decimals(mint).await? })
    }

    /// An amount typed in whole tokens (exact decimal, at most the mint's decimals) in base units.
    async fn units(&self, mint: &Pubkey, amount: &str) -> Result<u64> {
        let decimals = self.decimals(mint).await?;
        ringfence_sdk::amount::parse(amount, decimals).map_err(|e| anyhow!("amount: {e}"))
    }

    /// Sends (or simulates, with --dry-run) `ixs` signed by the signer, and reports.
    async fn run(&self, what: &str, ixs: Vec<Instruction>, extra: serde_json::Value) -> Result<()> {
        self.run_with(what, ixs, &[], extra).await
    }

    /// `run` with co-signers besides `--keypair`.
    async fn run_with(
        &self,
        what: &str,
        ixs: Vec<Instruction>,
        cosigners: &[&Keypair],
        extra: serde_json::Value,
    ) -> Result<()> {
        let signer = self.signer()?;
        if self.dry_run {
            let sim = self.client.simulate(&ixs, signer, cosigners).await?;
            let error = sim
                .error
                .as_ref()
                .map(|e| ringfence_client::program_error_name(&sim.logs.join("\n")).unwrap_or_else(|| e.clone()));
            if self.json {
                println!(
                    "{}",
                    json!({"action": what, "dry_run": true, "units": sim.units, "error": error, "details": extra})
                );
            } else {
                println!(
                    "{what} (dry run): {} compute units, {}",
                    sim.units.unwrap_or(0),
                    error.map_or("would succeed".to_string(), |e| format!("would fail: {e}"))
                );
            }
            return Ok(());
        }
        let sig = self.client.send(&ixs, signer, cosigners, 3).await.with_context(|| format!("{what} failed"))?;
        if self.json {
            println!("{}", json!({"action": what, "signature": sig, "details": extra}));
        } else {
            println!("{what}: done ({sig})");
        }
        Ok(())
    }

    /// Waits up to `wait` seconds for the signer's pending LP request to be executed: by a keeper,
    /// or by this command itself (all permissionless: a sweep, every position valued, the
    /// execution) as soon as the on-chain price is newer than the request. Then claims the shares
    /// or tokens into the signer's associated token account.
    async fn execute_own_request(&self, market: &Pubkey, wait: u64) -> Result<()> {
        if self.dry_run {
            return Ok(());
        }
        let signer = self.signer()?;
        let request = pda::lp_request(market, &signer.pubkey());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait);
        loop {
            let req = self.client.lp_request(&request).await?;
            if req.executed == 1 {
                break;
            }
            let (m, _) = self.market(market).await?;
            let published = self.client.price_update(&m.oracle).await?.price_message.publish_time;
            if published > req.after_publish_time {
                self.execute_request(market, &request).await?;
                break;
            }
            if std::time::Instant::now() >= deadline {
                bail!(
                    "the request waits for a price newer than the one on chain when it was made (a keeper \
                     executes it then); run `ringfence lp claim --market {market}` later"
                );
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        let req = self.client.lp_request(&request).await?;
        let (_, keys) = self.market(market).await?;
        let mint = if req.kind == 0 { keys.lp_mint } else { keys.collateral_mint };
        let (destination, create) = ata(&signer.pubkey(), &mint, &signer.pubkey());
        let claim = ix::claim_lp_request(&keys, &request, &signer.pubkey(), &destination);
        self.run("claim_lp_request", vec![create, claim], json!({"claimable": req.claimable})).await
    }

    async fn execute_request(&self, market: &Pubkey, request: &Pubkey) -> Result<()> {
        let signer = self.signer()?;
        let request = *request;
        let results = self
            .client
            .sweep_and_execute(market, signer, &[], &[request])
            .await
            .context("execute_lp_request failed")?;
        let sig = match results.into_iter().next() {
            Some((_, Ok(sig))) => sig,
            Some((_, Err(e))) => {
                return Err(e.context("execute_lp_request failed (the request stays; the keeper retries)"))
            }
            None => bail!("execute_lp_request: no request"),
        };
        if self.json {
            println!("{}", json!({"action": "execute_lp_request", "signature": sig}));
        } else {
            println!("execute_lp_request: done ({sig})");
        }
        Ok(())
    }
}

/// A program price (`PRICE_DECIMALS`) as an exact decimal string in quote units.
fn px(p: u64) -> String {
    ringfence_sdk::amount::format(p, u8::try_from(ringfence_sdk::math::PRICE_DECIMALS).unwrap_or(10))
}

/// Formats amounts of one mint as exact decimal strings in whole tokens: the JSON output's one
/// convention for every amount (`"100.5"`, `"-3.25"`).
struct Fmt {
    decimals: u8,
}

impl Fmt {
    fn amt(&self, units: u64) -> serde_json::Value {
        json!(ringfence_sdk::amount::format(units, self.decimals))
    }
    fn signed(&self, units: i128) -> serde_json::Value {
        json!(ringfence_sdk::amount::format_signed(units, self.decimals))
    }
}

/// A price typed in quote units (exact decimal) as the program's fixed point.
fn price_units(p: &str) -> Result<u64> {
    let decimals = u8::try_from(ringfence_sdk::math::PRICE_DECIMALS).map_err(|_| anyhow!("price decimals"))?;
    ringfence_sdk::amount::parse(p, decimals).map_err(|e| anyhow!("price: {e}"))
}

/// The notional of a `collateral` deposit at a typed `leverage`, read as traders read it:
/// leverage x the deposit net of the open fee (`ringfence_math::size_for_leverage`).
fn size_for(m: &Market, collateral: u64, leverage: &str) -> Result<u64> {
    let p = m.params;
    ringfence_sdk::math::size_for_leverage(
        collateral,
        leverage_e4(leverage)?,
        u64::from(p.open_fee_bps),
        u64::from(p.initial_margin_bps),
    )
    .map_err(|e| anyhow!("size: {e:?}"))
}

/// A leverage typed as traders read it ("10", "7.5"): ten-thousandths.
fn leverage_e4(text: &str) -> Result<u64> {
    let l = ringfence_sdk::amount::parse(text, 4).map_err(|e| anyhow!("leverage: {e}"))?;
    if l == 0 {
        bail!("leverage must be positive");
    }
    Ok(l)
}

fn side_of(s: SideArg) -> Side {
    match s {
        SideArg::Long => Side::Long,
        SideArg::Short => Side::Short,
    }
}

async fn set_trigger(ctx: &Ctx, market: &Pubkey, which: Which, kind: TriggerKind, t: TriggerOpts) -> Result<()> {
    let signer = ctx.signer()?;
    let (_, keys) = ctx.market(market).await?;
    let args = trigger_args(ctx, &keys, t.clone()).await?;
    let (token, _) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
    let (key, pos) = find_position(ctx, market, which).await?;
    let ix = ix::set_trigger(&token, &key, &pos, kind, args);
    let details = json!({"position": key.to_string(), "kind": format!("{kind:?}"), "price": t.price, "size": ctx.tok(&keys.collateral_mint, args.size).await?, "fee": ctx.tok(&keys.collateral_mint, args.fee).await?});
    ctx.run("set_trigger", vec![ix], details).await
}

async fn trigger_args(ctx: &Ctx, keys: &MarketKeys, t: TriggerOpts) -> Result<TriggerArgs> {
    let price = price_units(&t.price)?;
    if price == 0 {
        return Ok(TriggerArgs::default());
    }
    let size = match t.size {
        Some(s) => ctx.units(&keys.collateral_mint, &s).await?,
        None => 0,
    };
    Ok(TriggerArgs { price, size, fee: ctx.units(&keys.collateral_mint, &t.fee).await? })
}

async fn order(ctx: &Ctx, cmd: OrderCmd) -> Result<()> {
    match cmd {
        OrderCmd::Place { market, side, collateral, leverage, limit, expiry_secs, fee, tp, sl, id } => {
            let signer = ctx.signer()?;
            let (m, keys) = ctx.market(&market).await?;
            let collateral = ctx.units(&keys.collateral_mint, &collateral).await?;
            let size = size_for(&m, collateral, &leverage)?;
            let id = match id {
                Some(id) => id,
                None => {
                    let mut id = 0;
                    while ctx.client.rpc.get_account(&pda::position(&market, &signer.pubkey(), id)).await.is_ok()
                        || ctx.client.rpc.get_account(&pda::order(&market, &signer.pubkey(), id)).await.is_ok()
                    {
                        id += 1;
                    }
                    id
                }
            };
            let trigger = |p: Option<String>| -> Result<TriggerArgs> {
                Ok(match p {
                    Some(p) => TriggerArgs { price: price_units(&p)?, size: 0, fee: 0 },
                    None => TriggerArgs::default(),
                })
            };
            let fee = ctx.units(&keys.collateral_mint, &fee).await?;
            // Escrowed trigger fees: the same as the fill's fee.
            let with_fee = |t: TriggerArgs| if t.price > 0 { TriggerArgs { fee, ..t } } else { t };
            let spec = ix::OrderSpec {
                id,
                side: side_of(side),
                collateral,
                size,
                limit_price: price_units(&limit)?,
                expiry: ctx.client.cluster_time().await? + expiry_secs,
                exec_fee: fee,
                take_profit: with_fee(trigger(tp)?),
                stop_loss: with_fee(trigger(sl)?),
            };
            let (token, _) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
            let escrowed = spec.collateral + spec.exec_fee + spec.take_profit.fee + spec.stop_loss.fee;
            ctx.require_funded(&signer.pubkey(), &keys.collateral_mint, escrowed).await?;
            let (ix, order) = ix::place_limit_order(&signer.pubkey(), &token, &keys, &spec);
            let details = json!({"order": order.to_string(), "id": id, "collateral": ctx.tok(&keys.collateral_mint, collateral).await?, "size": ctx.tok(&keys.collateral_mint, size).await?,
                "limit_price": limit, "expiry": spec.expiry, "exec_fee": fee,
                "position": pda::position(&market, &signer.pubkey(), id).to_string()});
            ctx.run("place_limit_order", vec![ix], details).await
        }
        OrderCmd::Cancel { market, id } => {
            let signer = ctx.signer()?;
            let (_, keys) = ctx.market(&market).await?;
            let key = pda::order(&market, &signer.pubkey(), id);
            let o = ctx
                .client
                .order(&key)
                .await?
                .ok_or_else(|| anyhow!("no order {id} of {} on {market}", signer.pubkey()))?;
            let (token, create) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
            let ix = ix::cancel_limit_order(&token, &key, &o);
            ctx.run("cancel_limit_order", vec![create, ix], json!({"order": key.to_string(), "id": id})).await
        }
        OrderCmd::List { market, owner } => {
            let (_, keys) = ctx.market(&market).await?;
            let f = ctx.fmt(&keys.collateral_mint).await?;
            let trig = |t: &ringfence_sdk::Trigger| {
                if t.price == 0 {
                    serde_json::Value::Null
                } else {
                    json!({"price": px(t.price), "size": f.amt(t.size), "fee": f.amt(t.fee)})
                }
            };
            let mut rows = Vec::new();
            for (k, o) in ctx.client.orders(&market).await? {
                if owner.is_some_and(|w| w != o.owner) {
                    continue;
                }
                rows.push(json!({"order": k.to_string(), "owner": o.owner.to_string(), "id": o.id,
                    "side": if o.side == 0 {"long"} else {"short"}, "collateral": f.amt(o.collateral), "size": f.amt(o.size),
                    "limit_price": px(o.limit_price), "expiry": o.expiry, "placed_at": o.placed_at,
                    "exec_fee": f.amt(o.exec_fee), "position": o.position.to_string(),
                    "take_profit": trig(&o.take_profit), "stop_loss": trig(&o.stop_loss)}));
            }
            print_rows(ctx.json, &rows);
            Ok(())
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let signer = cli.keypair.as_deref().map(ringfence_client::read_keypair).transpose()?;
    let ctx = Ctx { client: Client::new(&cli.url), signer, json: cli.json, dry_run: cli.dry_run };
    match cli.cmd {
        Cmd::Markets(MarketsCmd::List) => {
            let accounts = ctx.client.rpc.get_program_accounts(&ringfence_sdk::PROGRAM_ID).await?;
            let mut out = Vec::new();
            for (k, a) in accounts {
                if let Ok(m) = ringfence_sdk::decode_account::<Market>(&a.data) {
                    let f = ctx.fmt(&m.collateral_mint).await?;
                    out.push(
                        json!({"market": k.to_string(), "feed_id": hex(&m.feed_id), "oracle": m.oracle.to_string(),
                        "collateral_mint": m.collateral_mint.to_string(),
                        "open_interest_long": f.amt(m.long.open_interest), "open_interest_short": f.amt(m.short.open_interest),
                        "positions_open": m.positions_open, "free_liquidity": f.amt(m.free_liquidity), "paused": m.paused}),
                    );
                }
            }
            print_rows(ctx.json, &out);
        }
        Cmd::Markets(MarketsCmd::Show { market }) => {
            let (m, _) = ctx.market(&market).await?;
            let f = ctx.fmt(&m.collateral_mint).await?;
            // Parameters as an object of the program's own field names (bps and seconds as
            // integers, amounts as exact decimal strings like every amount here).
            let mut params = serde_json::to_value(m.params)?;
            for k in ["max_open_interest_long", "max_open_interest_short", "min_position_size"] {
                if let Some(v) = params.get(k).and_then(serde_json::Value::as_u64) {
                    params[k] = f.amt(v);
                }
            }
            let v = json!({"market": market.to_string(), "admin": m.admin.to_string(), "collateral_mint": m.collateral_mint.to_string(),
                "feed_id": hex(&m.feed_id), "oracle": m.oracle.to_string(), "pool_vault": m.pool_vault.to_string(), "lp_mint": m.lp_mint.to_string(),
                "free_liquidity": f.amt(m.free_liquidity), "total_reserved": f.amt(m.total_reserved), "lp_supply": f.amt(m.lp_supply),
                "open_interest_long": f.amt(m.long.open_interest), "open_interest_short": f.amt(m.short.open_interest),
                "positions_open": m.positions_open, "borrow_index": m.borrow_index, "borrow_rate": m.borrow_rate,
                "paused": m.paused, "params": params});
            print_rows(ctx.json, &[v]);
        }
        Cmd::Position(cmd) => position(&ctx, cmd).await?,
        Cmd::Order(cmd) => order(&ctx, cmd).await?,
        Cmd::Lp(cmd) => lp(&ctx, cmd).await?,
        Cmd::Admin(cmd) => admin(&ctx, cmd).await?,
    }
    Ok(())
}

async fn position(ctx: &Ctx, cmd: PositionCmd) -> Result<()> {
    match cmd {
        PositionCmd::Open { market, side, collateral, leverage, id, slippage } => {
            let signer = ctx.signer()?;
            let (m, keys) = ctx.market(&market).await?;
            let collateral = ctx.units(&keys.collateral_mint, &collateral).await?;
            let size = size_for(&m, collateral, &leverage)?;
            let id = match id {
                Some(id) => id,
                None => {
                    let mut id = 0;
                    while ctx.client.rpc.get_account(&pda::position(&market, &signer.pubkey(), id)).await.is_ok() {
                        id += 1;
                    }
                    id
                }
            };
            let (token, _) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
            let side = side_of(side);
            let limit = trade_limit(ctx, &keys, side, true, slippage).await?;
            ctx.require_funded(&signer.pubkey(), &keys.collateral_mint, collateral).await?;
            let ix = ix::open_position(&signer.pubkey(), &token, &keys, id, side, collateral, size, limit);
            let details = json!({"id": id, "collateral": ctx.tok(&keys.collateral_mint, collateral).await?, "size": ctx.tok(&keys.collateral_mint, size).await?,
                "acceptable_price": px(limit.acceptable_price), "deadline": limit.deadline});
            ctx.run("open_position", vec![ix], details).await
        }
        PositionCmd::AddMargin { market, which, amount } => {
            let signer = ctx.signer()?;
            let (_, keys) = ctx.market(&market).await?;
            let amount = ctx.units(&keys.collateral_mint, &amount).await?;
            let (token, _) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
            let (key, pos) = find_position(ctx, &market, which).await?;
            ctx.require_funded(&signer.pubkey(), &keys.collateral_mint, amount).await?;
            let ix = ix::add_margin(&token, &key, &pos, amount);
            ctx.run("add_margin", vec![ix], json!({"position": key.to_string(), "id": pos.id, "amount": ctx.tok(&keys.collateral_mint, amount).await?})).await
        }
        PositionCmd::RemoveMargin { market, which, amount } => {
            let (a, keys, _) = accounts(ctx, &market, which).await?;
            let amount = ctx.units(&keys.collateral_mint, &amount).await?;
            ctx.run(
                "remove_margin",
                vec![ix::remove_margin(&a, amount)],
                json!({"position": a.position.to_string(), "amount": ctx.tok(&keys.collateral_mint, amount).await?}),
            )
            .await
        }
        PositionCmd::Increase { market, which, size, deposit, slippage } => {
            let (a, keys, pos) = accounts(ctx, &market, which).await?;
            let size = ctx.units(&keys.collateral_mint, &size).await?;
            let deposit = ctx.units(&keys.collateral_mint, &deposit).await?;
            let limit = trade_limit(ctx, &keys, pos.side()?, true, slippage).await?;
            ctx.run(
                "increase_position",
                vec![ix::increase_position(&a, size, deposit, limit)],
                json!({"position": a.position.to_string(), "size_delta": ctx.tok(&keys.collateral_mint, size).await?, "deposit": ctx.tok(&keys.collateral_mint, deposit).await?,
                    "acceptable_price": px(limit.acceptable_price), "deadline": limit.deadline}),
            )
            .await
        }
        PositionCmd::Decrease { market, which, size, slippage } => {
            let (a, keys, pos) = accounts(ctx, &market, which).await?;
            let size = ctx.units(&keys.collateral_mint, &size).await?;
            let limit = trade_limit(ctx, &keys, pos.side()?, false, slippage).await?;
            ctx.run(
                "decrease_position",
                vec![ix::decrease_position(&a, size, limit)],
                json!({"position": a.position.to_string(), "size_delta": ctx.tok(&keys.collateral_mint, size).await?,
                    "acceptable_price": px(limit.acceptable_price), "deadline": limit.deadline}),
            )
            .await
        }
        PositionCmd::Close { market, which, slippage } => {
            let (a, keys, pos) = accounts(ctx, &market, which).await?;
            let limit = trade_limit(ctx, &keys, pos.side()?, false, slippage).await?;
            let details = json!({"position": a.position.to_string(),
                "acceptable_price": px(limit.acceptable_price), "deadline": limit.deadline});
            ctx.run("close_position", vec![ix::close_position(&a, limit)], details).await
        }
        PositionCmd::Transfer { market, which, new_owner_keypair } => {
            let new_owner = ringfence_client::read_keypair(&new_owner_keypair)?;
            let (key, pos) = find_position(ctx, &market, which).await?;
            let ix = ix::transfer_position(&key, &pos, &new_owner.pubkey());
            let details = json!({"position": key.to_string(), "from": pos.owner.to_string(), "to": new_owner.pubkey().to_string()});
            ctx.run_with("transfer_position", vec![ix], &[&new_owner], details).await
        }
        PositionCmd::Tp { market, which, trigger } => {
            set_trigger(ctx, &market, which, TriggerKind::TakeProfit, trigger).await
        }
        PositionCmd::Sl { market, which, trigger } => {
            set_trigger(ctx, &market, which, TriggerKind::StopLoss, trigger).await
        }
        PositionCmd::Standby(cmd) => standby(ctx, cmd).await,
        PositionCmd::Claim { market, which } => {
            let signer = ctx.signer()?;
            let (_, keys) = ctx.market(&market).await?;
            let (key, pos) = find_position(ctx, &market, which).await?;
            if pos.is_open() && pos.residual == 0 {
                bail!("position {key} is open and has no residual: nothing to claim");
            }
            let (token, create) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
            let ix = ix::claim_residual(&token, &key, &pos);
            ctx.run(
                "claim_residual",
                vec![create, ix],
                json!({"position": key.to_string(), "id": pos.id, "residual": ctx.tok(&keys.collateral_mint, pos.residual).await?}),
            )
            .await
        }
        PositionCmd::List { market, owner, all } => {
            // Nothing is signed: the owner filter is --owner, else the keypair's, else everyone.
            let owner = match (owner, all, ctx.signer.as_ref()) {
                (Some(o), _, _) => Some(o),
                (None, false, Some(kp)) => Some(kp.pubkey()),
                _ => None,
            };
            let (_, keys) = ctx.market(&market).await?;
            let f = ctx.fmt(&keys.collateral_mint).await?;
            let mut rows = Vec::new();
            for (k, p) in ctx.client.positions(&market).await? {
                if owner.is_some_and(|o| p.owner != o) {
                    continue;
                }
                let status = match p.status {
                    ringfence_sdk::ringfence::state::status::OPEN => "open",
                    ringfence_sdk::ringfence::state::status::CLOSED => "closed",
                    _ => "liquidated",
                };
                let trig = |t: &ringfence_sdk::Trigger| {
                    if t.price == 0 {
                        serde_json::Value::Null
                    } else {
                        json!({"price": px(t.price), "size": f.amt(t.size), "fee": f.amt(t.fee), "set_at": t.set_at})
                    }
                };
                let mut row = json!({"position": k.to_string(), "owner": p.owner.to_string(), "id": p.id,
                    "side": if p.side == 0 {"long"} else {"short"}, "status": status, "vault": p.vault.to_string(),
                    "size": f.amt(p.size), "collateral": f.amt(p.collateral), "reserve": f.amt(p.reserve),
                    "entry_price": px(p.entry_price), "residual": f.amt(p.residual), "standby": f.amt(p.standby),
                    "topup_rule": if p.topup_step == 0 { serde_json::Value::Null } else {
                        json!({"ratio_bps": p.topup_ratio_bps, "step": f.amt(p.topup_step), "fee": f.amt(p.topup_fee)}) },
                    "take_profit": trig(&p.take_profit), "stop_loss": trig(&p.stop_loss)});
                if !p.is_open() {
                    // Liquidated or keeper-closed: only the residual waits in the vault for `position claim`.
                    rows.push(row);
                    continue;
                }
                // A read-only view, simulated unsigned and paid (never charged) by the owner.
                let sim = ctx.client.simulate_as(&[ix::position_health(&keys, &k, &p)], &p.owner).await?;
                let h = sim.return_data.as_deref().and_then(|d| HealthView::deserialize(&mut &d[..]).ok());
                if let Some(h) = h {
                    row["mark_price"] = json!(px(h.mark_price));
                    row["pnl"] = f.signed(h.pnl);
                    row["borrow_fee"] = f.amt(h.borrow_fee);
                    row["close_fee"] = f.amt(h.close_fee);
                    row["equity"] = f.signed(h.equity);
                    row["maintenance"] = f.amt(h.maintenance_requirement);
                    row["liquidatable"] = json!(h.liquidatable);
                    row["liquidation_price"] = threshold_json(&h.liquidation_price);
                    row["bankruptcy_price"] = threshold_json(&h.bankruptcy_price);
                } else {
                    let why =
                        sim.error.map(|e| ringfence_client::program_error_name(&sim.logs.join("\n")).unwrap_or(e));
                    row["health"] = json!(why.unwrap_or_else(|| "unavailable".into()));
                }
                rows.push(row);
            }
            print_rows(ctx.json, &rows);
            Ok(())
        }
    }
}

async fn standby(ctx: &Ctx, cmd: StandbyCmd) -> Result<()> {
    let signer = ctx.signer()?;
    let (market, which) = match &cmd {
        StandbyCmd::Add { market, which, .. }
        | StandbyCmd::Withdraw { market, which, .. }
        | StandbyCmd::Rule { market, which, .. } => (*market, *which),
    };
    let (_, keys) = ctx.market(&market).await?;
    let (token, _) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
    let (key, pos) = find_position(ctx, &market, which).await?;
    match cmd {
        StandbyCmd::Add { amount, .. } => {
            let amount = ctx.units(&keys.collateral_mint, &amount).await?;
            ctx.require_funded(&signer.pubkey(), &keys.collateral_mint, amount).await?;
            let ix = ix::add_standby(&token, &key, &pos, amount);
            ctx.run(
                "add_standby",
                vec![ix],
                json!({"position": key.to_string(), "amount": ctx.tok(&keys.collateral_mint, amount).await?}),
            )
            .await
        }
        StandbyCmd::Withdraw { amount, .. } => {
            let amount = ctx.units(&keys.collateral_mint, &amount).await?;
            let ix = ix::withdraw_standby(&token, &key, &pos, amount);
            ctx.run(
                "withdraw_standby",
                vec![ix],
                json!({"position": key.to_string(), "amount": ctx.tok(&keys.collateral_mint, amount).await?}),
            )
            .await
        }
        StandbyCmd::Rule { ratio, step, fee, .. } => {
            let ratio_bps = ringfence_sdk::amount::parse(&ratio, 4)
                .ok()
                .and_then(|r| u16::try_from(r).ok())
                .filter(|r| *r <= 50_000)
                .ok_or_else(|| anyhow!("ratio must be between 1 and 5 (0 clears the rule)"))?;
            let step = ctx.units(&keys.collateral_mint, &step).await?;
            let fee = ctx.units(&keys.collateral_mint, &fee).await?;
            let ix = ix::set_topup_rule(&key, &pos, ratio_bps, step, fee);
            let details = json!({"position": key.to_string(), "ratio_bps": ratio_bps, "step": ctx.tok(&keys.collateral_mint, step).await?, "fee": ctx.tok(&keys.collateral_mint, fee).await?});
            ctx.run("set_topup_rule", vec![ix], details).await
        }
    }
}

/// The signer's position `id` on `market`, found among the market's position accounts by its own
/// fields (owner and id), never by re-deriving an address.
async fn find_position(ctx: &Ctx, market: &Pubkey, which: Which) -> Result<(Pubkey, ringfence_sdk::Position)> {
    if let Some(key) = which.position {
        let p = ctx
            .client
            .position(&key)
            .await?
            .ok_or_else(|| anyhow!("no such position: {key} is not an open or claimable position account"))?;
        if p.market != *market {
            bail!("position {key} is on market {}, not {market}", p.market);
        }
        return Ok((key, p));
    }
    let owner = ctx.signer()?.pubkey();
    let id = which.id.unwrap_or_default();
    let mut found: Vec<_> =
        ctx.client.positions(market).await?.into_iter().filter(|(_, p)| p.owner == owner && p.id == id).collect();
    match found.len() {
        0 => bail!("no position {id} of {owner} on market {market}"),
        // Possible when a client opened one with a non-canonical bump: each is its own position.
        1 => Ok(found.remove(0)),
        n => bail!("{n} positions with id {id} of {owner} on market {market}: name one with --position"),
    }
}

async fn accounts(
    ctx: &Ctx,
    market: &Pubkey,
    which: Which,
) -> Result<(PositionAccounts, MarketKeys, ringfence_sdk::Position)> {
    let signer = ctx.signer()?;
    let (_, keys) = ctx.market(market).await?;
    let (token, _) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
    let (key, pos) = find_position(ctx, market, which).await?;
    Ok((PositionAccounts::of(&token, &keys, &key, &pos), keys, pos))
}

/// The trade bound: the execution price previewed from the oracle account now (its confidence
/// side against the trader, as the program prices the trade), `slippage_bps` worse, and a
/// deadline `deadline_secs` after the cluster clock.
async fn trade_limit(ctx: &Ctx, keys: &MarketKeys, side: Side, opening: bool, s: Slippage) -> Result<ix::TradeLimit> {
    let u = ctx.client.price_update(&keys.oracle).await?;
    let msg = &u.price_message;
    let mid = ringfence_sdk::math::normalize_price(msg.price, msg.exponent)
        .map_err(|e| anyhow!("oracle price unusable: {e:?}"))?;
    let conf = ringfence_sdk::math::normalize_conf(msg.conf, msg.exponent)
        .map_err(|e| anyhow!("oracle confidence unusable: {e:?}"))?;
    // The program's own execution price for this trade at that oracle price.
    let px = ringfence_sdk::ringfence::oracle::OraclePrice { price: mid, conf, publish_time: msg.publish_time };
    let preview = px.against_trader(side, opening).map_err(|e| anyhow!("oracle price unusable: {e}"))?;
    let deadline = ctx.client.cluster_time().await? + s.deadline_secs;
    Ok(ix::limit_with_slippage(side, opening, preview, s.slippage_bps, Some(deadline)))
}

async fn lp(ctx: &Ctx, cmd: LpCmd) -> Result<()> {
    match cmd {
        LpCmd::Claim { market, wait } => ctx.execute_own_request(&market, wait).await,
        LpCmd::Deposit { market, amount, wait } => {
            let signer = ctx.signer()?;
            let (_, keys) = ctx.market(&market).await?;
            let amount = ctx.units(&keys.collateral_mint, &amount).await?;
            let (token, _) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
            let (shares, create) = ata(&signer.pubkey(), &keys.lp_mint, &signer.pubkey());
            let ix = ix::request_deposit(&signer.pubkey(), &token, &shares, &keys, amount);
            ctx.run(
                "request_deposit",
                vec![create, ix],
                json!({"amount": ctx.tok(&keys.collateral_mint, amount).await?}),
            )
            .await?;
            if wait == 0 {
                return Ok(());
            }
            ctx.execute_own_request(&market, wait).await
        }
        LpCmd::Withdraw { market, shares, wait } => {
            let signer = ctx.signer()?;
            let (_, keys) = ctx.market(&market).await?;
            let amount = ctx.units(&keys.lp_mint, &shares).await?;
            let (token, create) = ata(&signer.pubkey(), &keys.collateral_mint, &signer.pubkey());
            let (lp, _) = ata(&signer.pubkey(), &keys.lp_mint, &signer.pubkey());
            let ix = ix::request_withdrawal(&signer.pubkey(), &token, &lp, &keys, amount);
            ctx.run("request_withdrawal", vec![create, ix], json!({"shares": ctx.tok(&keys.lp_mint, amount).await?}))
                .await?;
            if wait == 0 {
                return Ok(());
            }
            ctx.execute_own_request(&market, wait).await
        }
        LpCmd::Value { market } => {
            let (m, _) = ctx.market(&market).await?;
            let u = ctx.client.price_update(&m.oracle).await?;
            let mark = ringfence_sdk::math::normalize_price(u.price_message.price, u.price_message.exponent)
                .map_err(|e| anyhow!("oracle price unusable: {e:?}"))?;
            // The exact pool value at the oracle price now, position by position, with the program's
            // own accrual and valuation (what a sweep at this price would execute requests at).
            let mut m = m;
            m.accrue(now_unix()).map_err(|e| anyhow!("accrue: {e}"))?;
            m.sweep.borrow_index = m.borrow_index;
            // A sweep started now would value with the parameters in force now.
            m.sweep.maintenance_margin_bps = m.params.maintenance_margin_bps;
            m.sweep.liquidation_fee_bps = m.params.liquidation_fee_bps;
            m.sweep.close_fee_bps = m.params.close_fee_bps;
            let mut value = m.free_liquidity;
            for (_, p) in ctx.client.positions(&market).await?.into_iter().filter(|(_, p)| p.is_open()) {
                let v =
                    ringfence_sdk::ringfence::sweep::position_value(&p, &m, mark).map_err(|e| anyhow!("value: {e}"))?;
                value = value.checked_add(v).context("pool value overflow")?;
            }
            // Share values as exact decimals (9 places; `ringfence_math::share_prices`): tokens per
            // share, and what a deposit costs and a withdrawal pays per share net of the LP fee.
            let f = ctx.fmt(&m.collateral_mint).await?;
            let sp =
                ringfence_sdk::math::share_prices(value, m.lp_supply, m.dead_shares, u64::from(m.params.lp_fee_bps))
                    .map_err(|e| anyhow!("share prices: {e:?}"))?;
            let e9 = |v: u128| ringfence_sdk::amount::format(u64::try_from(v).unwrap_or(u64::MAX), 9);
            print_rows(
                ctx.json,
                &[json!({"market": market.to_string(), "pool_value": f.amt(value), "lp_supply": f.amt(m.lp_supply),
                "dead_shares": f.amt(m.dead_shares), "share_value": e9(sp.value),
                "deposit_cost_per_share": e9(sp.deposit_cost),
                "withdrawal_value_per_share": e9(sp.withdrawal_value),
                "free_liquidity": f.amt(m.free_liquidity), "total_reserved": f.amt(m.total_reserved),
                "pending_deposits": f.amt(m.pending_deposits), "mark_price": px(mark)})],
            );
            Ok(())
        }
    }
}

/// A liquidation or bankruptcy price as JSON: the price, or "never" / "any".
fn threshold_json(t: &ringfence_sdk::ringfence::state::PriceThreshold) -> serde_json::Value {
    use ringfence_sdk::ringfence::state::PriceThreshold;
    match t {
        PriceThreshold::At(p) => json!(px(*p)),
        PriceThreshold::Never => json!("never"),
        PriceThreshold::AnyPrice => json!("any"),
    }
}

async fn admin(ctx: &Ctx, cmd: AdminCmd) -> Result<()> {
    match cmd {
        AdminCmd::SetParams { market, params } => {
            let signer = ctx.signer()?;
            let (m, _) = ctx.market(&market).await?;
            // Current parameters, overlaid with the given fields; unknown fields are refused.
            let mut merged = serde_json::to_value(m.params)?;
            let given: serde_json::Value = serde_json::from_str(&params).context("--params must be a JSON object")?;
            let (Some(base), Some(over)) = (merged.as_object_mut(), given.as_object()) else {
                bail!("--params must be a JSON object");
            };
            for (k, v) in over {
                if !base.contains_key(k) {
                    bail!("unknown parameter {k}");
                }
                base.insert(k.clone(), v.clone());
            }
            let p: ringfence_sdk::RiskParams = serde_json::from_value(merged).context("--params")?;
            ctx.run(
                "set_params",
                vec![ix::set_params(&signer.pubkey(), &market, p)],
                json!({"params": serde_json::to_value(p)?}),
            )
            .await
        }
        AdminCmd::Pause { market, flags } => {
            let signer = ctx.signer()?;
            use ringfence_sdk::ringfence::state::pause;
            let mut bits = 0u8;
            for f in flags.iter().filter(|f| !f.is_empty() && f.as_str() != "none") {
                bits |= match f.as_str() {
                    "open" => pause::OPEN,
                    "deposit" => pause::DEPOSIT,
                    other => {
                        bail!("unknown pause flag {other} (open, deposit, none; exits and margin are never paused)")
                    }
                };
            }
            ctx.run("set_pause", vec![ix::set_pause(&signer.pubkey(), &market, bits)], json!({"paused": bits})).await
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn print_rows(json_out: bool, rows: &[serde_json::Value]) {
    if json_out {
        println!("{}", serde_json::Value::Array(rows.to_vec()));
        return;
    }
    if rows.is_empty() {
        println!("(none)");
    }
    for r in rows {
        if let Some(obj) = r.as_object() {
            let line: Vec<String> =
                obj.iter().map(|(k, v)| format!("{k}={}", v.as_str().map_or(v.to_string(), str::to_string))).collect();
            println!("{}", line.join("  "));
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
