//! The books on the wire: amounts as decimal strings of dollars.

use serde::Serialize;
use utoipa::ToSchema;

fn cents(minor: i64) -> String {
    bearing_core::Money::from_minor(minor, bearing_core::Currency::USD).decimal()
}

/// What an import of actuals did, or (dry run) would do, month by month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActualsImportView {
    pub dry_run: bool,
    pub months: Vec<MonthImportView>,
    /// Accounts of the file the map does not know: kept, and counted nowhere until mapped.
    pub unmapped: Vec<UnmappedView>,
    /// Sources besides the invoices, counted by their account's category.
    pub other_sources: Vec<SourceView>,
    /// The same in words.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthImportView {
    pub month: String,
    pub lines: usize,
    pub added: usize,
    pub unchanged: usize,
    /// Lines the month held that the file does not: kept, marked deleted.
    pub removed: usize,
    pub revenue: String,
    pub costs: String,
    /// The month is closed: close it again, with a reason, to take the change in.
    pub closed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnmappedView {
    pub account: String,
    pub lines: usize,
    pub amount: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceView {
    pub source: String,
    pub lines: usize,
}

impl From<bearing_app::books::ActualsImport> for ActualsImportView {
    fn from(i: bearing_app::books::ActualsImport) -> Self {
        ActualsImportView {
            summary: i.summary(),
            dry_run: i.dry_run,
            months: i
                .months
                .iter()
                .map(|m| MonthImportView {
                    month: m.month.to_string(),
                    lines: m.lines,
                    added: m.write.added,
                    unchanged: m.write.kept,
                    removed: m.write.removed,
                    revenue: cents(m.revenue_minor),
                    costs: cents(m.costs_minor),
                    closed: m.closed,
                })
                .collect(),
            unmapped: i
                .unmapped
                .into_iter()
                .map(|(account, lines, amount)| UnmappedView {
                    account,
                    lines,
                    amount: cents(amount),
                })
                .collect(),
            other_sources: i
                .other_sources
                .into_iter()
                .map(|(source, lines)| SourceView { source, lines })
                .collect(),
        }
    }
}

/// An account of the map, or one the ledger uses without a category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountView {
    pub code: String,
    pub name: Option<String>,
    /// None until the account is mapped.
    pub category: Option<String>,
    /// `default` (the organisation's chart), `mapped` (by finance) or `unmapped`.
    pub origin: String,
    pub lines: usize,
    pub amount: String,
}

impl From<bearing_app::books::AccountLine> for AccountView {
    fn from(a: bearing_app::books::AccountLine) -> Self {
        AccountView {
            code: a.code,
            name: a.name,
            category: a.category.map(|c| c.as_str().to_owned()),
            origin: a.origin.to_owned(),
            lines: a.lines,
            amount: cents(a.amount_minor),
        }
    }
}

/// A close of a month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CloseView {
    pub id: i64,
    pub month: String,
    pub net_assets: String,
    pub revenue: String,
    pub costs: String,
    pub reason: Option<String>,
    /// The assumptions version the close wrote (books-closed and net assets).
    pub assumptions_version: i64,
    pub closed_at: String,
    pub actor: String,
    pub source: String,
}

impl From<bearing_store::CloseRecord> for CloseView {
    fn from(c: bearing_store::CloseRecord) -> Self {
        CloseView {
            id: c.id,
            month: c.month.to_string(),
            net_assets: cents(c.net_assets_minor),
            revenue: cents(c.revenue_minor),
            costs: cents(c.costs_minor),
            reason: c.reason,
            assumptions_version: c.assumptions_version,
            closed_at: bearing_store::timestamp_text(c.closed_at),
            actor: c.actor,
            source: c.source.to_string(),
        }
    }
}

/// What closing a month needs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChecklistView {
    pub month: String,
    pub last_closed: Option<String>,
    /// Closed already: closing it again needs a reason.
    pub reclose: bool,
    pub lines: usize,
    pub revenue: String,
    pub costs: String,
    pub unmapped: Vec<String>,
    /// The net assets the close would record when none are given.
    pub computed_net_assets: Option<String>,
    /// What stops the close.
    pub blocking: Vec<String>,
    /// What to look at, which does not stop it.
    pub warnings: Vec<String>,
}

impl From<bearing_app::books::Checklist> for ChecklistView {
    fn from(c: bearing_app::books::Checklist) -> Self {
        ChecklistView {
            month: c.month.to_string(),
            last_closed: c.last_closed.map(|m| m.to_string()),
            reclose: c.reclose,
            lines: c.lines,
            revenue: cents(c.revenue_minor),
            costs: cents(c.costs_minor),
            unmapped: c.unmapped,
            computed_net_assets: c.computed_net_assets_minor.map(cents),
            blocking: c.blocking,
            warnings: c.warnings,
        }
    }
}
