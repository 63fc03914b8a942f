//! The books: the account map, the sponsor's ledger imported as actuals, the monthly close
//! and the forecast against what happened (docs/domain.md, "Accounting actuals and the
//! monthly close"). The books are finance's: every service needs `edit-assumptions`, and
//! since the ledger's lines hold what people are paid (and every total of costs is made of
//! them), `read-pay` too.

use std::collections::BTreeMap;
use std::io::Read;

use bearing_core::access::Permission;
use bearing_core::actuals::{self, AccountMap, Category, FrozenForecast, Line, MonthActuals};
use bearing_core::{Date, EntityKind, Month};
use bearing_formats::Table;
use bearing_formats::ledger::Columns;
use bearing_store::{CloseRecord, MonthWrite, NewClose, Store};

use crate::{AppError, Change, Context, Result, audit};

/// Refuses those who may not keep the books (nor weigh hires, whose bands are pay).
pub(crate) fn require(ctx: &Context) -> Result<()> {
    ctx.require(Permission::EditAssumptions)?;
    ctx.require(Permission::ReadPay)
}

/// The account map in force: the organisation's chart with finance's mappings over it.
pub async fn account_map(store: &Store) -> Result<AccountMap> {
    Ok(AccountMap::with(
        store
            .list_accounts()
            .await?
            .into_iter()
            .map(|a| (a.code, a.category)),
    ))
}

/// One account of the map, or one the ledger uses that the map lacks.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccountLine {
    pub code: String,
    pub name: Option<String>,
    /// None for an account the ledger uses that is not mapped yet.
    pub category: Option<Category>,
    /// `default` (the organisation's chart), `mapped` (by finance) or `unmapped`.
    pub origin: &'static str,
    /// Ledger lines booked to it, and their sum in cents.
    pub lines: usize,
    pub amount_minor: i64,
}

/// Every account: the default chart, finance's mappings and the ledger's unmapped accounts
/// (first), with what the ledger booked to each.
pub async fn accounts(store: &Store, ctx: &Context) -> Result<Vec<AccountLine>> {
    require(ctx)?;
    let mapped = store.list_accounts().await?;
    let lines = store.list_actual_lines().await?;
    let mut list: BTreeMap<String, AccountLine> = actuals::DEFAULT_ACCOUNTS
        .iter()
        .map(|(code, name, category)| {
            let line = AccountLine {
                code: (*code).to_owned(),
                name: Some((*name).to_owned()),
                category: Some(*category),
                origin: "default",
                lines: 0,
                amount_minor: 0,
            };
            ((*code).to_owned(), line)
        })
        .collect();
    for a in mapped {
        list.insert(
            a.code.clone(),
            AccountLine {
                code: a.code,
                name: a.name,
                category: Some(a.category),
                origin: "mapped",
                lines: 0,
                amount_minor: 0,
            },
        );
    }
    for record in lines {
        let line = record.line;
        let entry = list
            .entry(line.account.clone())
            .or_insert_with(|| AccountLine {
                code: line.account.clone(),
                name: None,
                category: None,
                origin: "unmapped",
                lines: 0,
                amount_minor: 0,
            });
        if entry.name.is_none() {
            entry.name = line.account_name.clone();
        }
        entry.lines += 1;
        entry.amount_minor += line.amount_minor;
    }
    let mut list: Vec<AccountLine> = list.into_values().collect();
    list.sort_by_key(|a| (a.category.is_some(), a.code.clone()));
    Ok(list)
}

/// The accounts as a table, in every format.
pub fn accounts_table(list: &[AccountLine]) -> Table {
    let mut table = Table::new(["code", "name", "category", "origin", "lines", "amount"]);
    for a in list {
        table.push([
            Some(a.code.clone()),
            a.name.clone(),
            a.category.map(|c| c.as_str().to_owned()),
            Some(a.origin.to_owned()),
            Some(a.lines.to_string()),
            Some(cents(a.amount_minor)),
        ]);
    }
    table
}

/// Maps the account `code` to `category` (with its name, if given).
pub async fn map_account(
    store: &Store,
    ctx: &Context,
    code: &str,
    name: Option<&str>,
    category: Category,
) -> Result<()> {
    require(ctx)?;
    let code = code.trim();
    if code.is_empty() {
        return Err(AppError::invalid("account", "give the account's code"));
    }
    bearing_core::text::check(code, bearing_core::text::MAX_NAME)
        .map_err(|e| AppError::invalid("account", e))?;
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(name) = name {
        bearing_core::text::check(name, bearing_core::text::MAX_NAME)
            .map_err(|e| AppError::invalid("name", e))?;
    }
    let before = account_map(store).await?.category(code);
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.set_account(code, name, category, at).await?;
    let was = before.map(|c| serde_json::json!({ "category": c }));
    let now = serde_json::json!({ "category": category, "name": name });
    audit(
        &mut tx,
        ctx,
        at,
        Change::written(EntityKind::Account, code, was.as_ref(), &now),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What an import of actuals did, or (dry run) would do, month by month.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActualsImport {
    pub dry_run: bool,
    pub months: Vec<MonthImport>,
    /// Accounts of the file that the map does not know: (code, lines, amount in cents).
    pub unmapped: Vec<(String, usize, i64)>,
    /// Sources other than the invoices, with their lines: their category is their account's.
    pub other_sources: Vec<(String, usize)>,
}

/// One month of an import.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MonthImport {
    pub month: Month,
    pub lines: usize,
    pub write: MonthWrite,
    pub revenue_minor: i64,
    pub costs_minor: i64,
    /// The month was closed: close it again, with a reason, to take the change in.
    pub closed: bool,
}

impl ActualsImport {
    /// A few lines saying what happened.
    pub fn summary(&self) -> String {
        let mut out = Vec::new();
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        for m in &self.months {
            out.push(format!(
                "{} {}: {} lines ({} new, {} unchanged, {} no longer in the ledger); revenue {}, costs {}{}",
                verb,
                m.month,
                m.lines,
                m.write.added,
                m.write.kept,
                m.write.removed,
                dollars_of(m.revenue_minor),
                dollars_of(m.costs_minor),
                if m.closed && (m.write.added > 0 || m.write.removed > 0) {
                    format!("; {} is closed: close it again with a reason to take this in", m.month)
                } else {
                    String::new()
                }
            ));
        }
        if !self.unmapped.is_empty() {
            let list: Vec<String> = self
                .unmapped
                .iter()
                .map(|(code, n, amount)| format!("{code} ({n} lines, {})", dollars_of(*amount)))
                .collect();
            out.push(format!(
                "unmapped accounts, kept and counted nowhere until mapped (`bearing actuals map CODE CATEGORY`): {}",
                list.join(", ")
            ));
        }
        if !self.other_sources.is_empty() {
            let list: Vec<String> = self
                .other_sources
                .iter()
                .map(|(s, n)| format!("{s} ({n})"))
                .collect();
            out.push(format!(
                "sources besides invoices, counted by their account's category: {}",
                list.join(", ")
            ));
        }
        out.join("\n")
    }
}

/// Imported lines' identities as stored: a hash of each, so the same file imported twice
/// matches itself.
pub(crate) fn stored_identities(identities: Vec<String>) -> Vec<String> {
    use blake2::Digest;
    identities
        .into_iter()
        .map(|identity| {
            blake2::Blake2b512::digest(identity.as_bytes())
                .iter()
                .take(20)
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect()
}

/// Imports the sponsor's ledger export: all or nothing. Each month in the file becomes
/// exactly the file's lines for it (lines no longer there are kept, marked deleted); the same
/// file twice changes nothing. `period` is the month of an undated file.
pub async fn import_actuals(
    store: &Store,
    ctx: &Context,
    file: &str,
    input: impl Read,
    columns: &Columns,
    period: Option<Month>,
    dry_run: bool,
) -> Result<ActualsImport> {
    require(ctx)?;
    let lines = bearing_formats::ledger::read_lines(file, input, columns, period)
        .map_err(AppError::Import)?;
    if lines.is_empty() {
        return Err(AppError::invalid(
            "file",
            format!("{file} holds no ledger lines"),
        ));
    }
    let identities = stored_identities(actuals::identities(&lines));
    let mut by_month: BTreeMap<Month, Vec<(String, Line)>> = BTreeMap::new();
    for (identity, line) in identities.into_iter().zip(lines) {
        by_month
            .entry(line.month)
            .or_default()
            .push((identity, line));
    }
    let map = account_map(store).await?;
    let closes = store.list_closes().await?;
    let closed = closed_months(&closes);
    let before = store.list_actual_lines().await?;
    let ctx = Context {
        source: bearing_core::Source::Import,
        ..ctx.clone()
    };
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let mut months = Vec::new();
    let mut unmapped: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    let mut sources: BTreeMap<String, usize> = BTreeMap::new();
    for (month, lines) in &by_month {
        let write = tx.write_month_lines(*month, lines, file, at).await?;
        let plain: Vec<Line> = lines.iter().map(|(_, l)| l.clone()).collect();
        let totals = actuals::by_month(&plain, &map)
            .remove(month)
            .unwrap_or_default();
        for (code, amount) in &totals.unmapped {
            let entry = unmapped.entry(code.clone()).or_default();
            entry.0 += plain.iter().filter(|l| &l.account == code).count();
            entry.1 += amount;
        }
        for line in &plain {
            if let Some(source) = &line.source
                && !bearing_formats::ledger::INVOICE_SOURCES.contains(&source.as_str())
            {
                *sources.entry(source.clone()).or_default() += 1;
            }
        }
        if write.added > 0 || write.removed > 0 {
            let earlier: Vec<Line> = before
                .iter()
                .filter(|r| r.line.month == *month)
                .map(|r| r.line.clone())
                .collect();
            let was = actuals::by_month(&earlier, &map).remove(month);
            let summary = |t: &MonthActuals| {
                serde_json::json!({
                    "lines": t.lines,
                    "revenue": cents(t.revenue()),
                    "costs": cents(t.costs()),
                    "file": file,
                })
            };
            let after = summary(&totals);
            let was = was.as_ref().map(summary);
            audit(
                &mut tx,
                &ctx,
                at,
                Change::written(EntityKind::Actuals, month, was.as_ref(), &after),
            )
            .await?;
        }
        months.push(MonthImport {
            month: *month,
            lines: plain.len(),
            write,
            revenue_minor: totals.revenue(),
            costs_minor: totals.costs(),
            closed: closed.contains_key(month),
        });
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(ActualsImport {
        dry_run,
        months,
        unmapped: unmapped
            .into_iter()
            .map(|(code, (n, amount))| (code, n, amount))
            .collect(),
        other_sources: sources.into_iter().collect(),
    })
}

/// The close in force for each closed month: its latest.
fn closed_months(closes: &[CloseRecord]) -> BTreeMap<Month, &CloseRecord> {
    let mut months = BTreeMap::new();
    for close in closes {
        months.insert(close.month, close);
    }
    months
}

/// Cents as dollars with two decimals, as exports write amounts.
fn cents(minor: i64) -> String {
    bearing_core::Money::from_minor(minor, bearing_core::Currency::USD).decimal()
}

/// Cents in whole dollars, as people read them.
fn dollars_of(minor: i64) -> String {
    bearing_core::Money::from_minor(minor, bearing_core::Currency::USD).whole_text()
}

/// Every month's actuals by the account map in force.
pub async fn months(store: &Store) -> Result<BTreeMap<Month, MonthActuals>> {
    let lines: Vec<Line> = store
        .list_actual_lines()
        .await?
        .into_iter()
        .map(|r| r.line)
        .collect();
    Ok(actuals::by_month(&lines, &account_map(store).await?))
}

/// The actuals report: one row per month, category and grant code with its amount; the
/// unmapped accounts' lines under `unmapped`, never dropped.
pub async fn actuals_table(store: &Store) -> Result<Table> {
    let map = account_map(store).await?;
    let mut sums: BTreeMap<(Month, String, String, String), i64> = BTreeMap::new();
    for record in store.list_actual_lines().await? {
        let line = record.line;
        let (kind, category) = match map.category(&line.account) {
            Some(c) if c.is_revenue() => ("revenue", c.as_str().to_owned()),
            Some(c) => ("cost", c.as_str().to_owned()),
            None => ("unmapped", format!("account {}", line.account)),
        };
        *sums
            .entry((
                line.month,
                kind.to_owned(),
                category,
                line.grant_code.unwrap_or_default(),
            ))
            .or_default() += line.amount_minor;
    }
    let mut table = Table::new(["month", "kind", "category", "grant_code", "amount"]);
    for ((month, kind, category, grant), amount) in sums {
        table.push([
            Some(month.to_string()),
            Some(kind),
            Some(category),
            Some(grant).filter(|g| !g.is_empty()),
            Some(cents(amount)),
        ]);
    }
    Ok(table)
}

/// The monthly costs `costs-from=actuals` takes and a sentence saying where they came from
/// (without the assumption that chose them), or `None` before a month with actuals is closed.
pub async fn costs_from_actuals(store: &Store) -> Result<Option<(f64, String)>> {
    let closes = store.list_closes().await?;
    let closed = closed_months(&closes);
    let months = months(store).await?;
    let closed: Vec<(Month, &MonthActuals)> = months
        .iter()
        .filter(|(m, _)| closed.contains_key(m))
        .map(|(m, a)| (*m, a))
        .collect();
    let Some((costs, used)) = actuals::monthly_costs(&closed) else {
        return Ok(None);
    };
    let span = match (used.first(), used.last()) {
        (Some(first), Some(last)) if first != last => format!("{first} to {last}"),
        (Some(only), _) => only.to_string(),
        _ => String::new(),
    };
    Ok(Some((
        costs,
        format!(
            "Costs are the actuals, {}/month on average over the closed months {span}, without the sponsor's fee and recoverable cloud costs",
            bearing_core::forecast::dollars(costs)
        ),
    )))
}

/// What closing a month needs and would record: the blocking problems, the warnings, and the
/// net assets the close would compute.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Checklist {
    pub month: Month,
    /// The latest closed month, if any.
    pub last_closed: Option<Month>,
    /// The month is closed already: closing it again needs a reason.
    pub reclose: bool,
    #[serde(skip)]
    pub actuals: MonthActuals,
    /// The month's ledger lines, revenue and costs (cents), and its unmapped accounts.
    pub lines: usize,
    pub revenue_minor: i64,
    pub costs_minor: i64,
    pub unmapped: Vec<String>,
    /// The net assets the month ends with, worked out: the previous close's (or, before the
    /// first close, the assumptions' net assets) plus revenue less costs; in cents.
    pub computed_net_assets_minor: Option<i64>,
    /// What stops the close.
    pub blocking: Vec<String>,
    /// What to look at first, which does not stop it.
    pub warnings: Vec<String>,
}

/// The close checklist of `month` as of `today`: for finance.
pub async fn checklist(
    store: &Store,
    ctx: &Context,
    month: Month,
    today: Date,
) -> Result<Checklist> {
    require(ctx)?;
    let closes = store.list_closes().await?;
    let closed = closed_months(&closes);
    let last_closed = closed.keys().next_back().copied();
    let (_, assumptions) = crate::assumptions::current(store, today).await?;
    let actuals = months(store).await?.remove(&month).unwrap_or_default();
    let mut blocking = Vec::new();
    let mut warnings = Vec::new();
    if month >= Month::of(today) {
        blocking.push(format!(
            "{} has not ended yet: a month is closed once its books are final",
            month.words()
        ));
    }
    let reclose = closed.contains_key(&month);
    match last_closed {
        Some(last) if month < last => blocking.push(format!(
            "{} is closed after it: only the latest closed month can be closed again",
            last.words()
        )),
        Some(last) if month > last && Some(month) != last.plus(1) => blocking.push(format!(
            "months are closed in order: close {} first",
            last.plus(1).map(Month::words).unwrap_or_default()
        )),
        None => {
            if let Some(books) = assumptions.books_closed
                && month <= books
            {
                blocking.push(format!(
                    "the assumptions have the books closed through {} already: close {} next",
                    books.words(),
                    books.plus(1).map(Month::words).unwrap_or_default()
                ));
            } else if let Some(books) = assumptions.books_closed
                && Some(month) != books.plus(1)
            {
                blocking.push(format!(
                    "months are closed in order: the books are closed through {}, so close {} first",
                    books.words(),
                    books.plus(1).map(Month::words).unwrap_or_default()
                ));
            }
        }
        _ => {}
    }
    if actuals.lines == 0 {
        blocking.push(format!(
            "no actuals for {}: import the sponsor's ledger export for it first",
            month.words()
        ));
    }
    if !actuals.unmapped.is_empty() {
        let codes: Vec<&str> = actuals.unmapped.keys().map(String::as_str).collect();
        blocking.push(format!(
            "accounts without a category: {}; map each to a category so that its lines count",
            codes.join(", ")
        ));
    }
    let flagged = crate::deals::list(store, &crate::deals::DealFilter::default())
        .await?
        .iter()
        .filter(|d| d.stage_outcome == bearing_core::pipeline::StageOutcome::Open)
        .filter(|d| d.fields.close_date.is_some_and(|c| Month::of(c) <= month))
        .count();
    if flagged > 0 {
        warnings.push(format!(
            "{flagged} open deals were to close by the end of {}: move them on or give them new dates, so the frozen forecast is the team's best",
            month.words()
        ));
    }
    let previous = if reclose {
        // Closed again: from the close of the month before, else from what the month's
        // first close started from.
        let before = month.plus(-1).and_then(|b| closed.get(&b));
        match (before, closes.iter().find(|c| c.month == month)) {
            (Some(b), _) => Some(b.net_assets_minor),
            (None, Some(first)) => {
                Some(first.net_assets_minor - first.revenue_minor + first.costs_minor)
            }
            (None, None) => None,
        }
    } else {
        last_closed
            .and_then(|l| closed.get(&l))
            .map(|c| c.net_assets_minor)
    };
    let opening = previous.or_else(|| {
        (last_closed.is_none() && assumptions.books_closed.and_then(|b| b.plus(1)) == Some(month))
            .then(|| (assumptions.net_assets * 100.0).round() as i64)
    });
    if opening.is_none() {
        warnings.push(
            "no earlier close to roll the net assets forward from: give the net assets the month ends with".to_owned(),
        );
    }
    Ok(Checklist {
        month,
        last_closed,
        reclose,
        computed_net_assets_minor: opening.map(|o| actuals::net_assets_after(o, &actuals)),
        lines: actuals.lines,
        revenue_minor: actuals.revenue(),
        costs_minor: actuals.costs(),
        unmapped: actuals.unmapped.keys().cloned().collect(),
        actuals,
        blocking,
        warnings,
    })
}

/// The forecast as it stands before `month` is closed: from `month`, with the assumptions in
/// force on `today` (books closed through the month before).
async fn frozen_forecast(store: &Store, month: Month, today: Date) -> Result<FrozenForecast> {
    let (version, mut assumptions) = crate::assumptions::current(store, today).await?;
    assumptions.books_closed = month.plus(-1);
    let projections =
        crate::reports::build_with(store, &["projections"], today, version, assumptions.clone())
            .await?;
    let row = |label: &str| -> Vec<f64> {
        projections
            .iter()
            .find_map(|r| match &r.rows {
                crate::reports::Rows::Series { lines, .. } => lines
                    .iter()
                    .find(|l| l.label == label)
                    .map(|l| l.values.clone()),
                _ => None,
            })
            .unwrap_or_default()
    };
    // The scorecard needs the costs; a forecast whose costs cannot be worked out is frozen
    // without its runway and coverage.
    let health = crate::reports::build_with(store, &["health"], today, version, assumptions)
        .await
        .ok();
    let number = |measure| {
        health.as_ref().and_then(|h| {
            h.iter().find_map(|r| match &r.rows {
                crate::reports::Rows::Health { indicators, .. } => indicators
                    .iter()
                    .find(|i| i.measure == measure)
                    .and_then(|i| i.number),
                _ => None,
            })
        })
    };
    Ok(FrozenForecast {
        start: month,
        assumptions_version: version,
        committed: row("Committed"),
        estimated: row("Estimated"),
        low: row("Pessimistic"),
        high: row("Optimistic"),
        runway_months: number(bearing_core::forecast::Measure::Runway),
        cost_coverage: number(bearing_core::forecast::Measure::CostCoverage),
        costs_hold_pay: health
            .as_ref()
            .and_then(|h| h.first())
            .map(|r| r.shows.team_cost),
    })
}

/// Closes `month`: records the net assets it ends with (typed, or worked out by the
/// checklist), writes a new assumptions version with the books closed through it and those
/// net assets, and freezes the forecast made before the close. A month closed already is
/// closed again only with a reason.
pub async fn close(
    store: &Store,
    ctx: &Context,
    month: Month,
    net_assets: Option<f64>,
    reason: Option<&str>,
) -> Result<CloseRecord> {
    require(ctx)?;
    let today = ctx.today();
    let list = checklist(store, ctx, month, today).await?;
    if let Some(problem) = list.blocking.first() {
        return Err(AppError::invalid("month", problem.clone()));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if list.reclose && reason.is_none() {
        return Err(AppError::invalid(
            "reason",
            format!(
                "{} is closed already: say why it is closed again",
                month.words()
            ),
        ));
    }
    if let Some(reason) = reason {
        bearing_core::text::check(reason, bearing_core::text::MAX_TEXT)
            .map_err(|e| AppError::invalid("reason", e))?;
    }
    let net_assets_minor = match net_assets {
        Some(n) if n.is_finite() && n.abs() < 1e13 => (n * 100.0).round() as i64,
        Some(n) => {
            return Err(AppError::invalid(
                "net-assets",
                format!("{n} is not an amount"),
            ));
        }
        None => list.computed_net_assets_minor.ok_or_else(|| {
            AppError::invalid(
                "net-assets",
                "there is no earlier close to work them out from: give the net assets the month ends with",
            )
        })?,
    };
    let frozen = frozen_forecast(store, month, today).await?;
    let forecast = serde_json::to_value(&frozen)
        .map_err(|e| AppError::Internal(format!("cannot keep the forecast: {e}")))?;
    let at = ctx.now();
    let versions = store.list_assumptions().await?;
    let before = versions.last().map(|v| v.values.clone());
    let mut values = before.clone().unwrap_or_default();
    values.books_closed = Some(month);
    values.net_assets = net_assets_minor as f64 / 100.0;
    let mut tx = store.begin().await?;
    let version =
        crate::assumptions::write_version(&mut tx, ctx, before.as_ref(), &values, today, at)
            .await?;
    let new = NewClose {
        month,
        net_assets_minor,
        revenue_minor: list.actuals.revenue(),
        costs_minor: list.actuals.costs(),
        reason: reason.map(str::to_owned),
        assumptions_version: version,
        forecast,
    };
    tx.insert_close(&new, at, &ctx.actor, ctx.source).await?;
    let after = serde_json::json!({
        "net_assets": cents(new.net_assets_minor),
        "revenue": cents(new.revenue_minor),
        "costs": cents(new.costs_minor),
        "reason": new.reason,
        "assumptions_version": version,
    });
    let action = if list.reclose {
        bearing_core::Action::Update
    } else {
        bearing_core::Action::Create
    };
    audit(
        &mut tx,
        ctx,
        at,
        Change::event(EntityKind::Close, month, action, &after),
    )
    .await?;
    tx.commit().await?;
    store
        .list_closes()
        .await?
        .into_iter()
        .next_back()
        .ok_or_else(|| AppError::Internal("the close was not written".into()))
}

/// Every close, oldest first: for finance.
pub async fn closes(store: &Store, ctx: &Context) -> Result<Vec<CloseRecord>> {
    require(ctx)?;
    Ok(store.list_closes().await?)
}

/// The closes as a table, in every format.
pub fn closes_table(closes: &[CloseRecord]) -> Table {
    let mut table = Table::new([
        "month",
        "net_assets",
        "revenue",
        "costs",
        "assumptions_version",
        "closed_at",
        "by",
        "reason",
    ]);
    for c in closes {
        table.push([
            Some(c.month.to_string()),
            Some(cents(c.net_assets_minor)),
            Some(cents(c.revenue_minor)),
            Some(cents(c.costs_minor)),
            Some(c.assumptions_version.to_string()),
            Some(bearing_store::timestamp_text(c.closed_at)),
            Some(c.actor.clone()),
            c.reason.clone(),
        ]);
    }
    table
}

/// The frozen forecasts of the closes in force, by the month each starts at.
pub fn frozen(closes: &[CloseRecord]) -> Result<Vec<FrozenForecast>> {
    closed_months(closes)
        .values()
        .map(|c| {
            serde_json::from_value(c.forecast.clone()).map_err(|e| {
                AppError::Internal(format!(
                    "the forecast frozen at {} is unreadable: {e}",
                    c.month
                ))
            })
        })
        .collect()
}

/// One closed month against what the forecasts made before it projected.
#[derive(Debug, Clone, PartialEq)]
pub struct Against {
    pub month: Month,
    /// Actual revenue, in dollars, as the close recorded it.
    pub actual: f64,
    /// What each earlier frozen forecast that reaches the month projected, nearest first.
    pub projected: Vec<actuals::Projected>,
}

impl Against {
    /// What the forecast made `months` ahead of the month projected for it, if one was.
    pub fn ahead(&self, months: i32) -> Option<&actuals::Projected> {
        self.projected.iter().find(|p| p.ahead == months)
    }
}

/// How many closed months revenue tables show as actuals before the projected months.
pub const ACTUAL_MONTHS: usize = 12;

/// The actual revenue of the last [`ACTUAL_MONTHS`] closed months before `start`, oldest
/// first, as the latest close of each month recorded it.
pub async fn closed_revenue(store: &Store, start: Month) -> Result<Vec<(Month, f64)>> {
    let closes = store.list_closes().await?;
    let mut months: Vec<(Month, f64)> = closed_months(&closes)
        .into_iter()
        .filter(|(m, _)| *m < start)
        .map(|(m, c)| (m, c.revenue_minor as f64 / 100.0))
        .collect();
    let skip = months.len().saturating_sub(ACTUAL_MONTHS);
    months.drain(..skip);
    Ok(months)
}

/// Every closed month against the frozen forecasts, and their accuracy.
pub async fn forecast_against_actuals(store: &Store) -> Result<(Vec<Against>, actuals::Accuracy)> {
    let closes = store.list_closes().await?;
    let forecasts = frozen(&closes)?;
    let actual: BTreeMap<Month, f64> = closed_months(&closes)
        .iter()
        .map(|(m, c)| (*m, c.revenue_minor as f64 / 100.0))
        .collect();
    let rows = actual
        .iter()
        .map(|(month, a)| {
            let mut projected: Vec<actuals::Projected> = forecasts
                .iter()
                .filter_map(|f| f.projected(*month))
                .collect();
            projected.sort_by_key(|p| p.ahead);
            Against {
                month: *month,
                actual: *a,
                projected,
            }
        })
        .collect();
    Ok((rows, actuals::accuracy(&actual, &forecasts)))
}

/// The forecast-accuracy report: each closed month's actual revenue beside each earlier
/// frozen forecast's projection, then the accuracy (MAPE of Estimated by months ahead) and the
/// calibration (share of months inside the low–high band of the forecast made one ahead).
pub async fn accuracy_table(store: &Store) -> Result<Table> {
    let (rows, accuracy) = forecast_against_actuals(store).await?;
    let mut table = Table::new([
        "month",
        "measure",
        "months_ahead",
        "actual",
        "committed",
        "estimated",
        "low",
        "high",
        "value",
    ]);
    let whole = |x: f64| Some(format!("{:.0}", x + 0.0));
    for row in &rows {
        for p in &row.projected {
            table.push([
                Some(row.month.to_string()),
                Some("error of estimated".to_owned()),
                Some(p.ahead.to_string()),
                whole(row.actual),
                whole(p.committed),
                whole(p.estimated),
                whole(p.low),
                whole(p.high),
                p.error(row.actual).map(|e| format!("{e:.4}")),
            ]);
        }
    }
    let summary = |measure: &str, ahead: i32, value: Option<f64>, n: usize| {
        [
            Some(format!("{n} months")),
            Some(measure.to_owned()),
            Some(ahead.to_string()),
            None,
            None,
            None,
            None,
            None,
            value.map(|v| format!("{v:.4}")),
        ]
    };
    for (ahead, mape, n) in &accuracy.errors {
        table.push(summary("mean absolute percentage error", *ahead, *mape, *n));
    }
    let (share, n) = accuracy.calibration;
    table.push(summary("share inside low-high", 1, share, n));
    Ok(table)
}

/// A checklist in words: what stops the close, what to look at, what it would record.
pub fn checklist_text(list: &Checklist) -> String {
    let mut out = vec![format!(
        "{}: {} ledger lines, revenue {}, costs {}",
        list.month.words(),
        list.lines,
        dollars_of(list.revenue_minor),
        dollars_of(list.costs_minor)
    )];
    match list.computed_net_assets_minor {
        Some(n) => out.push(format!(
            "net assets at the end of the month: {}",
            dollars_of(n)
        )),
        None => out.push("net assets: to be given".to_owned()),
    }
    if list.reclose {
        out.push("closed already: closing it again needs a reason".to_owned());
    }
    out.extend(
        list.blocking
            .iter()
            .map(|b| format!("stops the close: {b}")),
    );
    out.extend(list.warnings.iter().map(|w| format!("to look at: {w}")));
    if list.blocking.is_empty() {
        out.push("ready to close".to_owned());
    }
    out.join("\n")
}

/// The runway and cost coverage the latest close froze, for the dashboard's change since
/// last month: `None` without a close, or when the reader may not see what they were made of
/// (cash; pay when its costs came from the team or the actuals).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClosedHealth {
    /// The month the latest close closed.
    pub month: Month,
    pub runway_months: Option<f64>,
    pub cost_coverage: Option<f64>,
}

/// See [`ClosedHealth`].
pub async fn closed_health(
    store: &Store,
    sight: crate::sight::Sight,
) -> Result<Option<ClosedHealth>> {
    if !sight.cash {
        return Ok(None);
    }
    let closes = store.list_closes().await?;
    let Some(latest) = closes.iter().max_by_key(|c| (c.month, c.id)) else {
        return Ok(None);
    };
    let frozen: FrozenForecast = serde_json::from_value(latest.forecast.clone()).map_err(|e| {
        AppError::Internal(format!(
            "the forecast frozen at {} is unreadable: {e}",
            latest.month
        ))
    })?;
    let made_of_pay = match frozen.costs_hold_pay {
        Some(pay) => pay,
        None => store
            .list_assumptions()
            .await?
            .into_iter()
            .find(|v| v.version == frozen.assumptions_version)
            .is_some_and(|v| v.values.costs_from() != bearing_core::assumptions::CostsFrom::Typed),
    };
    if made_of_pay && !sight.pay {
        return Ok(None);
    }
    Ok(Some(ClosedHealth {
        month: latest.month,
        runway_months: frozen.runway_months,
        cost_coverage: frozen.cost_coverage,
    }))
}
