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

/// A saved scenario.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioView {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    /// Its changes, a line each.
    pub changes: Vec<String>,
    pub created_at: String,
}

impl From<bearing_store::ScenarioRecord> for ScenarioView {
    fn from(s: bearing_store::ScenarioRecord) -> Self {
        ScenarioView {
            id: s.id,
            name: s.name,
            description: s.description,
            changes: s.changes.iter().map(ToString::to_string).collect(),
            created_at: bearing_store::timestamp_text(s.created_at),
        }
    }
}

/// The runway over the Monte Carlo runs, in months.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunwayView {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    /// The share of runs in which cash stays at or above zero for the next 12 months.
    pub solvent_12: f64,
}

/// A scenario's or the baseline's forecast.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeView {
    pub months: Vec<String>,
    pub committed: Vec<f64>,
    pub estimated: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
    /// Each month's costs without the sponsor's fee.
    pub costs: Vec<f64>,
    /// The scorecard: each measure's name, value and status.
    pub health: Vec<(String, String, String)>,
    /// The team's mean monthly cost over the next 12 months.
    pub team_cost: f64,
    pub runway: RunwayView,
}

impl From<bearing_app::scenarios::Outcome> for OutcomeView {
    fn from(o: bearing_app::scenarios::Outcome) -> Self {
        OutcomeView {
            months: o.months.iter().map(ToString::to_string).collect(),
            committed: o.committed,
            estimated: o.estimated,
            low: o.low,
            high: o.high,
            costs: o.costs,
            health: o
                .health
                .iter()
                .map(|i| {
                    (
                        i.name.to_owned(),
                        i.value.clone(),
                        i.status.as_str().to_owned(),
                    )
                })
                .collect(),
            team_cost: o.team_cost,
            runway: RunwayView {
                p10: o.runway.p10,
                p50: o.runway.p50,
                p90: o.runway.p90,
                solvent_12: o.runway.solvent_12,
            },
        }
    }
}

/// A scenario beside the baseline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationView {
    pub baseline: OutcomeView,
    pub scenario: OutcomeView,
    /// Where the baseline's costs come from.
    pub costs: String,
}

impl From<bearing_app::scenarios::Evaluation> for EvaluationView {
    fn from(e: bearing_app::scenarios::Evaluation) -> Self {
        EvaluationView {
            baseline: e.baseline.into(),
            scenario: e.scenario.into(),
            costs: e.costs_note,
        }
    }
}

/// The answer to "can we hire?".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HireView {
    /// The hire as a scenario's change line.
    pub change: String,
    pub monthly_cost: f64,
    pub confidence: f64,
    pub with_hire: f64,
    pub without_hire: f64,
    pub affordable: bool,
    /// The earliest later start that meets the confidence, when the proposed one does not.
    pub earliest_start: Option<String>,
    /// The committed monthly revenue that would make the proposed start meet it.
    pub revenue_needed: Option<f64>,
    /// The answer in words.
    pub answer: String,
}

impl From<bearing_app::scenarios::HireResult> for HireView {
    fn from(h: bearing_app::scenarios::HireResult) -> Self {
        HireView {
            change: h.input.change().to_string(),
            monthly_cost: h.monthly_cost,
            confidence: h.confidence,
            with_hire: h.answer.with_hire,
            without_hire: h.answer.without_hire,
            affordable: h.answer.affordable,
            earliest_start: h.earliest_start.map(|m| m.to_string()),
            revenue_needed: h.answer.revenue_needed,
            answer: h.text(),
        }
    }
}
