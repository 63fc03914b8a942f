//! Revenue projections: what each deal is worth month by month from the projection start,
//! the scenario rows leadership steers by, and the tables behind them. Pure functions over a
//! snapshot of deals and assumptions; docs/domain.md, "Revenue projections", says what each number means.
//!
//! Amounts are in major units (dollars) as `f64` inside the calculation; every value the
//! tables show is rounded to whole units, half to even, where the domain says "rounded".

use crate::pipeline::StageOutcome;
use crate::{Date, Month};

mod flags;
mod fmrr;
mod monte_carlo;
mod periods;
mod scorecard;

pub use flags::Flag;
pub use fmrr::{Fmrr, spread};
pub use monte_carlo::{
    Cash, Hire, HireAnswer, MonteCarlo, Runs, RunwayDistribution, can_we_hire, percentile,
    solvent_through,
};
pub use periods::{Period, PeriodSum, by_period};
pub use scorecard::{
    Bands, HealthAssumptions, Indicator, Measure, Status, dollars, health, thousands,
};

/// Rounds to whole currency units, half to even ("banker's rounding").
pub fn round(x: f64) -> f64 {
    x.round_ties_even()
}

/// A deal as the forecast sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastDeal {
    /// The CRM's id for imported deals, else Bearing's.
    pub id: String,
    pub name: String,
    pub revenue_type: Option<String>,
    pub stage: String,
    pub outcome: StageOutcome,
    /// The deal's probability, or else its stage's default.
    pub probability: f64,
    pub amount: Option<f64>,
    /// What was collected: the payments on its invoices when it has any, else the amount
    /// typed into the CRM.
    pub collected: Option<f64>,
    /// The amount typed into the CRM, kept when its invoices give `collected` (for the flag
    /// `collected-mismatch`); `None` otherwise.
    pub typed_collected: Option<f64>,
    pub contract_start: Option<Date>,
    pub contract_end: Option<Date>,
    pub target_start: Option<Date>,
    pub target_end: Option<Date>,
    /// Renews an earlier deal (a renewal prospect while open).
    pub renewal: bool,
    /// Won and running: the deal is in its pipeline's first won stage (a later won stage, such
    /// as "Closed Won Complete", keeps finished engagements). Recognised by the stage's outcome
    /// and place, never its name, so a renamed stage means the same.
    pub active_won: bool,
}

impl ForecastDeal {
    /// A deal's fields as the forecast sees them: `probability` is the one that counts (the
    /// deal's own, or else its stage's), amounts are in major units.
    pub fn from_fields(
        id: String,
        fields: crate::deal::DealFields,
        outcome: StageOutcome,
        active_won: bool,
        probability: f64,
    ) -> Self {
        let major = |minor: Option<i64>| {
            minor.map(|m| crate::Money::from_minor(m, fields.currency).as_major_f64())
        };
        ForecastDeal {
            id,
            amount: major(fields.amount_minor),
            collected: major(fields.collected_minor),
            typed_collected: None,
            revenue_type: fields.revenue_type.as_ref().map(ToString::to_string),
            renewal: fields.deal_type == crate::deal::DealType::Renewal,
            name: fields.name,
            stage: fields.stage,
            outcome,
            probability,
            contract_start: fields.contract_start,
            contract_end: fields.contract_end,
            target_start: fields.target_start,
            target_end: fields.target_end,
            active_won: active_won && outcome == StageOutcome::Won,
        }
    }

    /// The same deal with what its invoices collected (`paid`, major units) as its collected
    /// amount, the CRM's typed value kept beside it.
    pub fn with_invoices(self, paid: f64) -> Self {
        ForecastDeal {
            typed_collected: self.collected,
            collected: Some(paid),
            ..self
        }
    }
}

/// Where a deal stands for the forecast; every deal is in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Signed and running, or in the pipeline with what a projection needs.
    Active,
    /// In the pipeline but missing a start, an end or an amount: an action item.
    Removed,
    /// Expired, lost or complete.
    Inactive,
}

/// What the forecast derives from a deal at a projection start.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub has_data: bool,
    pub total_months: i32,
    pub elapsed: i32,
    /// Known, estimated (see `collected_estimated`), or 0.
    pub collected: f64,
    pub collected_estimated: bool,
    pub full_rate: f64,
    pub projection_rate: f64,
    pub category: Category,
    /// For removed deals: which of start, end and amount are missing.
    pub missing: Vec<&'static str>,
}

impl Derived {
    /// Whether the deal is active in `month`: it starts by the month's end and ends on or after
    /// its first day.
    pub fn active_in(&self, month: Month) -> bool {
        match (self.start, self.end) {
            (Some(s), Some(e)) => Month::of(s) <= month && Month::of(e) >= month,
            _ => false,
        }
    }
}

/// Derives a deal's effective dates, rates and category at projection start `p`.
pub fn derive(deal: &ForecastDeal, p: Month) -> Derived {
    let start = deal.contract_start.or(deal.target_start);
    let end = deal.contract_end.or(deal.target_end);
    let has_data = start.is_some() && end.is_some() && deal.amount.is_some();
    let amount = deal.amount.unwrap_or(0.0);
    let (total_months, elapsed) = match (start, end) {
        (Some(s), Some(e)) => {
            let total = (Month::of(s).until(Month::of(e)) + 1).max(1);
            (total, Month::of(s).until(p).clamp(0, total))
        }
        _ => (1, 0),
    };
    let (collected, collected_estimated) = match deal.collected {
        Some(c) => (c, false),
        None if has_data => (
            round(amount * f64::from(elapsed) / f64::from(total_months)),
            true,
        ),
        None => (0.0, false),
    };
    let full_rate = round(amount / f64::from(total_months)).max(0.0);
    let projection_rate =
        round((amount - collected).max(0.0) / f64::from((total_months - elapsed).max(1)));
    let ends_in_time = end.is_some_and(|e| e >= p.first_day());
    let open = deal.outcome == StageOutcome::Open;
    let category = if has_data && ends_in_time && (open || deal.active_won) {
        Category::Active
    } else if open && !has_data {
        Category::Removed
    } else {
        Category::Inactive
    };
    let mut missing = Vec::new();
    if category == Category::Removed {
        if start.is_none() {
            missing.push("start");
        }
        if end.is_none() {
            missing.push("end");
        }
        if deal.amount.is_none() {
            missing.push("amount");
        }
    }
    Derived {
        start,
        end,
        has_data,
        total_months,
        elapsed,
        collected,
        collected_estimated,
        full_rate,
        projection_rate,
        category,
        missing,
    }
}

/// A deal's row in the contributions tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub index: usize,
    pub monthly_rate: f64,
    pub expected_monthly: f64,
    pub expected_future_revenue: f64,
    /// One value per month of the table.
    pub months: Vec<f64>,
}

/// A table of deals by month, with its months and its TOTAL row.
#[derive(Debug, Clone, PartialEq)]
pub struct ContributionTable {
    pub months: Vec<Month>,
    pub rows: Vec<Contribution>,
    pub total: Vec<f64>,
}

/// How far ahead a forecast looks by default: ten years from its start.
pub const DEFAULT_HORIZON_YEARS: u32 = 10;
/// The longest horizon an organisation may set.
pub const MAX_HORIZON_YEARS: u32 = 20;

/// The forecast of a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub start: Month,
    pub deals: Vec<ForecastDeal>,
    pub derived: Vec<Derived>,
    /// From the projection start to the latest end among active deals, but not past the
    /// horizon.
    pub months: Vec<Month>,
    /// The last month the forecast looks at: deals that run longer are cut there (their rates
    /// stay those of their whole term) and listed by [`Forecast::beyond_horizon`].
    pub horizon: Month,
}

impl Forecast {
    /// The forecast from `start` with the default horizon.
    pub fn new(deals: Vec<ForecastDeal>, start: Month) -> Forecast {
        Self::with_horizon(deals, start, DEFAULT_HORIZON_YEARS)
    }

    /// The forecast from `start`, looking `years` ahead (at least one, at most
    /// [`MAX_HORIZON_YEARS`]), so that no deal's dates can make its tables unbounded.
    pub fn with_horizon(deals: Vec<ForecastDeal>, start: Month, years: u32) -> Forecast {
        let years = years.clamp(1, MAX_HORIZON_YEARS);
        let horizon = start
            .plus(i32::try_from(years * 12).unwrap_or(120) - 1)
            .unwrap_or(start);
        let derived: Vec<Derived> = deals.iter().map(|d| derive(d, start)).collect();
        let last = derived
            .iter()
            .filter(|d| d.category == Category::Active)
            .filter_map(|d| d.end.map(Month::of))
            .max()
            .unwrap_or(start)
            .clamp(start, horizon);
        Forecast {
            start,
            months: months(start, last),
            deals,
            derived,
            horizon,
        }
    }

    /// Active deals that run past the horizon: the forecast shows them only up to it.
    pub fn beyond_horizon(&self) -> Vec<usize> {
        self.active()
            .filter(|(_, _, d)| d.end.is_some_and(|e| Month::of(e) > self.horizon))
            .map(|(i, _, _)| i)
            .collect()
    }

    fn active(&self) -> impl Iterator<Item = (usize, &ForecastDeal, &Derived)> {
        self.deals
            .iter()
            .zip(&self.derived)
            .enumerate()
            .filter(|(_, (_, d))| d.category == Category::Active)
            .map(|(i, (deal, d))| (i, deal, d))
    }

    fn committed(deal: &ForecastDeal) -> bool {
        deal.probability >= 1.0
    }

    /// Committed: Σ projection rate of active probability-1 deals.
    pub fn committed_row(&self) -> Vec<f64> {
        self.months
            .iter()
            .map(|&m| {
                self.active()
                    .filter(|(_, deal, d)| Self::committed(deal) && d.active_in(m))
                    .map(|(_, _, d)| d.projection_rate)
                    .sum()
            })
            .collect()
    }

    /// Estimated: the exact expectation, Σ projection rate × probability, rounded per month.
    pub fn estimated_row(&self) -> Vec<f64> {
        self.months
            .iter()
            .map(|&m| {
                round(
                    self.active()
                        .filter(|(_, _, d)| d.active_in(m))
                        .map(|(_, deal, d)| d.projection_rate * deal.probability)
                        .sum(),
                )
            })
            .collect()
    }

    /// Committed (total contract less gifts): Σ full monthly rate of probability-1 deals that
    /// are not gifts, in every month they are active.
    pub fn full_obligation_row(&self) -> Vec<f64> {
        self.months
            .iter()
            .map(|&m| {
                self.active()
                    .filter(|(_, deal, d)| {
                        Self::committed(deal)
                            && deal.revenue_type.as_deref() != Some("gift")
                            && d.active_in(m)
                    })
                    .map(|(_, _, d)| d.full_rate)
                    .sum()
            })
            .collect()
    }

    /// Deal contributions by month: every active deal at its projection rate.
    pub fn deal_months(&self) -> ContributionTable {
        let rows = self
            .active()
            .map(|(i, deal, d)| self.contribution(i, deal, d, d.projection_rate, &self.months))
            .collect();
        table(self.months.clone(), rows)
    }

    /// Committed obligations by month: probability-1 deals at their full monthly rate, to the
    /// latest end among them.
    pub fn commitments(&self) -> ContributionTable {
        let committed: Vec<(usize, &ForecastDeal, &Derived)> = self
            .active()
            .filter(|(_, deal, _)| Self::committed(deal))
            .collect();
        let last = committed
            .iter()
            .filter_map(|(_, _, d)| d.end.map(Month::of))
            .max()
            .unwrap_or(self.start)
            .clamp(self.start, self.horizon);
        let months = months(self.start, last);
        let rows = committed
            .iter()
            .map(|(i, deal, d)| self.contribution(*i, deal, d, d.full_rate, &months))
            .collect();
        table(months, rows)
    }

    fn contribution(
        &self,
        index: usize,
        deal: &ForecastDeal,
        d: &Derived,
        rate: f64,
        months: &[Month],
    ) -> Contribution {
        let expected_monthly = round(rate * deal.probability);
        let known_collected = deal.collected.unwrap_or(0.0);
        Contribution {
            index,
            monthly_rate: rate,
            expected_monthly,
            expected_future_revenue: round(
                (deal.amount.unwrap_or(0.0) - known_collected).max(0.0) * deal.probability,
            ),
            months: months
                .iter()
                .map(|&m| {
                    if d.active_in(m) {
                        expected_monthly
                    } else {
                        0.0
                    }
                })
                .collect(),
        }
    }

    /// Revenue by type for the first 24 months: committed obligations by type, and pipeline
    /// contributions by type weighted by probability.
    pub fn revenue_by_type(&self) -> RevenueByType {
        let months = months(self.start, self.start.plus(23).unwrap_or(self.start));
        let type_of = |deal: &ForecastDeal| {
            deal.revenue_type
                .clone()
                .unwrap_or_else(|| "unknown".to_owned())
        };
        let mut committed: Vec<(String, Vec<f64>)> = Vec::new();
        let mut pipeline: Vec<(String, Vec<f64>)> = Vec::new();
        for (_, deal, d) in self.active() {
            let (rows, rate) = if Self::committed(deal) {
                (&mut committed, d.full_rate)
            } else {
                (&mut pipeline, round(d.projection_rate * deal.probability))
            };
            let kind = type_of(deal);
            let position = match rows.iter().position(|(k, _)| *k == kind) {
                Some(p) => p,
                None => {
                    rows.push((kind, vec![0.0; months.len()]));
                    rows.len() - 1
                }
            };
            for (value, &m) in rows[position].1.iter_mut().zip(&months) {
                if d.active_in(m) {
                    *value += rate;
                }
            }
        }
        committed.sort_by_key(|(k, _)| type_order(k));
        pipeline.sort_by_key(|(k, _)| type_order(k));
        RevenueByType {
            months: months.len(),
            committed,
            pipeline,
        }
    }
}

/// A labelled monthly series of a report; `total` when it is the sum of other lines of the
/// same report, so a chart that stacks the parts leaves it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub values: Vec<f64>,
    pub total: bool,
}

impl Line {
    pub fn part(label: impl Into<String>, values: Vec<f64>) -> Self {
        Line {
            label: label.into(),
            values,
            total: false,
        }
    }

    pub fn total(label: impl Into<String>, values: Vec<f64>) -> Self {
        Line {
            label: label.into(),
            values,
            total: true,
        }
    }
}

/// Revenue by type: each committed type's obligations and each pipeline type's weighted
/// contribution, month by month.
#[derive(Debug, Clone, PartialEq)]
pub struct RevenueByType {
    months: usize,
    pub committed: Vec<(String, Vec<f64>)>,
    pub pipeline: Vec<(String, Vec<f64>)>,
}

impl RevenueByType {
    fn sum(&self, rows: &[(String, Vec<f64>)]) -> Vec<f64> {
        (0..self.months)
            .map(|i| rows.iter().map(|(_, v)| v[i]).sum())
            .collect()
    }

    /// Committed and pipeline together, each month.
    pub fn total(&self) -> Vec<f64> {
        self.sum(&self.committed)
            .iter()
            .zip(self.sum(&self.pipeline))
            .map(|(a, b)| a + b)
            .collect()
    }

    /// The report's lines in the organisation's order: the committed types and their total,
    /// the pipeline types (`pipeline: TYPE`) and their total, and the two together.
    pub fn lines(&self) -> Vec<Line> {
        let mut out: Vec<Line> = self
            .committed
            .iter()
            .map(|(k, v)| Line::part(k.clone(), v.clone()))
            .collect();
        out.push(Line::total("TOTAL (committed)", self.sum(&self.committed)));
        out.extend(
            self.pipeline
                .iter()
                .map(|(k, v)| Line::part(format!("pipeline: {k}"), v.clone())),
        );
        out.push(Line::total("TOTAL (pipeline)", self.sum(&self.pipeline)));
        out.push(Line::total("TOTAL (committed + pipeline)", self.total()));
        out
    }
}

impl Forecast {
    /// The checks every report runs; a failure is a bug to fix, never a number to show.
    ///
    /// Committed ≤ Pessimistic ≤ Optimistic ≤ everything-closes, Committed ≤ Estimated ≤
    /// everything-closes, and Estimated equals the sum of the deals' expected monthly values up
    /// to their rounding. (Pessimistic ≤ Estimated ≤ Optimistic is not a law of percentiles: a
    /// single likely deal puts the 10th percentile above the mean, so it is not checked.)
    pub fn check(&self, pessimistic: &[f64], optimistic: &[f64]) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let committed = self.committed_row();
        let estimated = self.estimated_row();
        let contributions = self.deal_months();
        let active = self
            .derived
            .iter()
            .filter(|d| d.category == Category::Active)
            .count();
        let counted = [Category::Active, Category::Removed, Category::Inactive]
            .iter()
            .map(|c| self.derived.iter().filter(|d| d.category == *c).count())
            .sum::<usize>();
        if counted != self.deals.len() {
            problems.push(format!(
                "{counted} deals in categories, {} deals in all",
                self.deals.len()
            ));
        }
        let slack = 0.5 * active as f64 + 0.5;
        for (i, month) in self.months.iter().enumerate() {
            let everything: f64 = self
                .derived
                .iter()
                .filter(|d| d.category == Category::Active && d.active_in(*month))
                .map(|d| d.projection_rate)
                .sum();
            let (c, e) = (committed[i], estimated[i]);
            let (low, high) = (
                pessimistic.get(i).copied().unwrap_or(c),
                optimistic.get(i).copied().unwrap_or(e),
            );
            let ordered = c <= low + 0.5
                && low <= high + 0.5
                && high <= everything + 0.5
                && c <= e + 0.5
                && e <= everything + 0.5;
            if !ordered {
                problems.push(format!(
                    "{month}: committed {c}, pessimistic {low}, estimated {e}, optimistic {high}, everything {everything} are out of order"
                ));
            }
            if (e - contributions.total[i]).abs() > slack {
                problems.push(format!(
                    "{month}: estimated {e} differs from the deals' contributions {}",
                    contributions.total[i]
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// The order of revenue types in the tables: gift, grant, project, membership-premier,
/// membership-general, mrr_membership, unknown, then the rest alphabetically.
fn type_order(kind: &str) -> (usize, String) {
    const FIRST: [&str; 7] = [
        "gift",
        "grant",
        "project",
        "membership-premier",
        "membership-general",
        "mrr_membership",
        "unknown",
    ];
    match FIRST.iter().position(|k| *k == kind) {
        Some(p) => (p, String::new()),
        None => (FIRST.len(), kind.to_owned()),
    }
}

fn months(from: Month, to: Month) -> Vec<Month> {
    (0..=from.until(to).max(0))
        .filter_map(|i| from.plus(i))
        .collect()
}

fn table(months: Vec<Month>, mut rows: Vec<Contribution>) -> ContributionTable {
    // Largest expected monthly first; ties keep the snapshot's order, so the table is stable.
    rows.sort_by(|a, b| {
        b.expected_monthly
            .total_cmp(&a.expected_monthly)
            .then(a.index.cmp(&b.index))
    });
    let total = (0..months.len())
        .map(|i| rows.iter().map(|r| r.months[i]).sum())
        .collect();
    ContributionTable {
        months,
        rows,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The stage won deals are active in, in the default pipeline.
    const CLOSED_WON: &str = "Closed Won";

    fn deal(stage: &str, outcome: StageOutcome, probability: f64) -> ForecastDeal {
        ForecastDeal {
            active_won: stage == CLOSED_WON,
            id: "1".into(),
            name: "Deal".into(),
            revenue_type: Some("project".into()),
            stage: stage.into(),
            outcome,
            probability,
            amount: Some(12_000.0),
            collected: None,
            typed_collected: None,
            contract_start: Some(date(2026, 1, 1)),
            contract_end: Some(date(2026, 12, 31)),
            target_start: None,
            target_end: None,
            renewal: false,
        }
    }

    fn p() -> Month {
        Month::parse("2026-03").unwrap()
    }

    #[test]
    fn banker_s_rounding_goes_to_even() {
        assert_eq!(
            (
                round(0.5),
                round(1.5),
                round(2.5),
                round(-0.5),
                round(2.4999)
            ),
            (0.0, 2.0, 2.0, -0.0, 2.0)
        );
    }

    #[test]
    fn unknown_collected_is_estimated_from_elapsed_months() {
        // Twelve months from January; two have passed at March.
        let d = derive(&deal(CLOSED_WON, StageOutcome::Won, 1.0), p());
        assert_eq!((d.total_months, d.elapsed), (12, 2));
        assert_eq!((d.collected, d.collected_estimated), (2_000.0, true));
        assert_eq!((d.full_rate, d.projection_rate), (1_000.0, 1_000.0));
        assert_eq!(d.category, Category::Active);
    }

    #[test]
    fn over_collected_deals_project_nothing_more() {
        let mut over = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        over.collected = Some(15_000.0);
        let d = derive(&over, p());
        assert_eq!(
            (d.projection_rate, d.full_rate, d.collected_estimated),
            (0.0, 1_000.0, false)
        );
    }

    #[test]
    fn a_one_month_deal_and_a_deal_that_straddles_the_start() {
        let mut one = deal("Proposal", StageOutcome::Open, 0.5);
        one.contract_start = Some(date(2026, 5, 10));
        one.contract_end = Some(date(2026, 5, 20));
        let d = derive(&one, p());
        assert_eq!(
            (d.total_months, d.elapsed, d.projection_rate),
            (1, 0, 12_000.0)
        );
        // Started long before P and ends after it: the rest is spread over what remains.
        let mut straddle = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        straddle.contract_start = Some(date(2025, 3, 1));
        straddle.contract_end = Some(date(2026, 4, 30));
        straddle.collected = Some(6_000.0);
        let d = derive(&straddle, p());
        assert_eq!((d.total_months, d.elapsed), (14, 12));
        assert_eq!(d.projection_rate, 3_000.0);
    }

    #[test]
    fn missing_data_removes_open_deals_and_names_what_is_missing() {
        let mut open = deal("Outreach", StageOutcome::Open, 0.1);
        open.amount = None;
        open.contract_end = None;
        let d = derive(&open, p());
        assert_eq!(
            (d.category, d.missing.clone()),
            (Category::Removed, vec!["end", "amount"])
        );
        let mut won = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        won.contract_start = None;
        assert_eq!(
            derive(&won, p()).category,
            Category::Inactive,
            "a won deal without dates is not a pipeline item"
        );
        let mut expired = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        expired.contract_end = Some(date(2026, 2, 28));
        assert_eq!(derive(&expired, p()).category, Category::Inactive);
        let complete = deal("Closed Won Complete", StageOutcome::Won, 1.0);
        assert_eq!(derive(&complete, p()).category, Category::Inactive);
        let lost = deal("Closed Lost", StageOutcome::Lost, 0.0);
        assert_eq!(derive(&lost, p()).category, Category::Inactive);
    }

    #[test]
    fn percentiles_interpolate_between_order_statistics() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(
            (
                percentile(&v, 10.0),
                percentile(&v, 90.0),
                percentile(&v, 50.0)
            ),
            (1.9, 9.1, 5.5)
        );
        assert_eq!(
            (percentile(&[7.0], 10.0), percentile(&[], 10.0)),
            (7.0, 0.0)
        );
    }

    #[test]
    fn scenarios_are_reproducible_and_lie_between_committed_and_everything() {
        let mut deals = Vec::new();
        for (i, p) in [1.0, 0.5, 0.3, 0.9].iter().enumerate() {
            let mut d = deal(
                if *p >= 1.0 { CLOSED_WON } else { "Proposal" },
                if *p >= 1.0 {
                    StageOutcome::Won
                } else {
                    StageOutcome::Open
                },
                *p,
            );
            d.id = i.to_string();
            d.collected = Some(0.0);
            deals.push(d);
        }
        let f = Forecast::new(deals, p());
        let mc = MonteCarlo {
            runs: 2_000,
            ..MonteCarlo::default()
        };
        let (low, high) = f.scenarios(&mc);
        assert_eq!(
            f.scenarios(&mc),
            (low.clone(), high.clone()),
            "the same seed gives the same numbers"
        );
        let committed = f.committed_row();
        let all: Vec<f64> = f
            .months
            .iter()
            .map(|&m| {
                f.derived
                    .iter()
                    .filter(|d| d.active_in(m))
                    .map(|d| d.projection_rate)
                    .sum()
            })
            .collect();
        for i in 0..f.months.len() {
            assert!(
                committed[i] <= low[i] && low[i] <= high[i] && high[i] <= all[i],
                "month {i}: {} {} {} {}",
                committed[i],
                low[i],
                high[i],
                all[i]
            );
        }
        assert_eq!(
            f.scenarios_on(&mc, 1),
            f.scenarios_on(&mc, 3),
            "threads do not change the draws"
        );
        let other = f.scenarios(&MonteCarlo { seed: 7, ..mc });
        assert_eq!(other.0.len(), low.len());
    }

    #[test]
    fn fmrr_weights_prospects_by_their_conversion_rates() {
        // Signed: 12,000 over 2026 = 1,000/month. A renewal prospect of 6,000 over Mar–Aug and a
        // new prospect of 2,400 over Mar–Apr (target dates).
        let won = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        let mut renewal = deal("Renewal", StageOutcome::Open, 0.8);
        renewal.renewal = true;
        renewal.amount = Some(6_000.0);
        renewal.contract_start = None;
        renewal.contract_end = None;
        renewal.target_start = Some(date(2026, 3, 1));
        renewal.target_end = Some(date(2026, 8, 31));
        let mut new = deal("Proposal", StageOutcome::Open, 0.3);
        new.amount = Some(2_400.0);
        new.contract_start = None;
        new.contract_end = None;
        new.target_start = Some(date(2026, 3, 1));
        new.target_end = Some(date(2026, 4, 30));
        let lost = deal("Closed Lost", StageOutcome::Lost, 0.0);
        let f = Forecast::new(vec![won, renewal, new, lost], p()).fmrr(0.8, 0.3);
        assert_eq!(f.cmrr[..2], [1_000.0, 1_000.0]);
        assert_eq!(
            (f.renewal_mrr[0], f.new_mrr[0], f.new_mrr[2]),
            (1_000.0, 1_200.0, 0.0)
        );
        // 1,000 + 0.8 × 1,000 + 0.3 × 1,200 = 2,160 in March and April; 1,800 after.
        assert_eq!(f.fmrr[..3], [2_160.0, 2_160.0, 1_800.0]);
        assert_eq!(f.fmrr6, 2.0 * 2_160.0 + 4.0 * 1_800.0);
        // February had the signed 1,000 too: no change since last month.
        assert_eq!(
            (f.mrr(), f.cmrr_before, f.mrr_change()),
            (1_000.0, 1_000.0, 0.0)
        );
        assert_eq!((f.arr(), f.arr_change()), (12_000.0, 0.0));
        // A contract signed from March adds its whole rate to the change.
        let mut march = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        march.contract_start = Some(date(2026, 3, 1));
        march.contract_end = Some(date(2026, 8, 31));
        march.amount = Some(3_000.0);
        let f = Forecast::new(vec![deal(CLOSED_WON, StageOutcome::Won, 1.0), march], p())
            .fmrr(0.8, 0.3);
        assert_eq!(
            (f.mrr(), f.mrr_change(), f.arr_change()),
            (1_500.0, 500.0, 6_000.0)
        );
    }

    proptest::proptest! {
        #[test]
        fn amortized_months_sum_back_to_the_amount(
            amount in 0_u32..5_000_000,
            length in 1_i32..60,
            offset in 0_i32..24,
        ) {
            // A deal starting at or after P with nothing collected: its months carry its amount.
            let mut d = deal("Proposal", StageOutcome::Open, 0.5);
            let start = p().plus(offset).unwrap();
            d.amount = Some(f64::from(amount));
            d.collected = Some(0.0);
            d.contract_start = Some(start.first_day());
            d.contract_end = Some(start.plus(length - 1).unwrap().last_day());
            let f = Forecast::new(vec![d], p());
            let rate = f.derived[0].projection_rate;
            let months = f.months.iter().filter(|m| f.derived[0].active_in(**m)).count() as f64;
            proptest::prop_assert_eq!(months, f64::from(length));
            proptest::prop_assert!((rate * months - f64::from(amount)).abs() <= 0.5 * months);
        }

        #[test]
        fn percentiles_are_ordered_and_the_same_seed_gives_the_same_numbers(
            probabilities in proptest::collection::vec(0.0_f64..1.0, 1..12),
            seed in 0_u64..1_000,
        ) {
            let deals: Vec<ForecastDeal> = probabilities.iter().enumerate().map(|(i, p)| {
                let mut d = deal("Proposal", StageOutcome::Open, *p);
                d.id = i.to_string();
                d.collected = Some(0.0);
                d
            }).collect();
            let f = Forecast::new(deals, p());
            let mc = MonteCarlo { runs: 300, seed, ..MonteCarlo::default() };
            let (low, high) = f.scenarios(&mc);
            proptest::prop_assert!(low.iter().zip(&high).all(|(l, h)| l <= h));
            proptest::prop_assert_eq!(f.scenarios(&mc), (low.clone(), high.clone()));
            proptest::prop_assert!(f.check(&low, &high).is_ok(), "{:?}", f.check(&low, &high));
        }

        #[test]
        fn higher_costs_never_lengthen_the_runway(
            committed in proptest::collection::vec(0.0_f64..50_000.0, 1..36),
            costs in 0.0_f64..100_000.0,
            more in 0.0_f64..50_000.0,
        ) {
            let months: Vec<Month> = (0..committed.len() as i32).filter_map(|i| p().plus(i)).collect();
            let runway = |c: f64| {
                let a = HealthAssumptions { net_assets: 200_000.0, monthly_costs: c, ..HealthAssumptions::default() };
                let text = health(&committed, &committed, &months, &a)[0].value.clone();
                text.split(' ').next().unwrap().parse::<i64>().unwrap()
            };
            proptest::prop_assert!(runway(costs + more) <= runway(costs));
        }
    }

    #[test]
    fn flags_name_every_reason_a_signed_deal_needs_attention() {
        // Started in 2025-06 (nine months before P), nothing recorded as collected.
        let mut stale = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        stale.contract_start = Some(date(2025, 6, 1));
        // Paid 120% of its amount.
        let mut over = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        over.collected = Some(14_400.0);
        // Signed on target dates only.
        let mut undated = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        undated.collected = Some(0.0);
        undated.target_start = undated.contract_start.take();
        undated.target_end = undated.contract_end.take();
        // Ended in January with half paid.
        let mut unpaid = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        unpaid.contract_start = Some(date(2025, 2, 1));
        unpaid.contract_end = Some(date(2026, 1, 31));
        unpaid.collected = Some(6_000.0);
        // Ended two years ago unpaid: too old to chase here.
        let mut old = unpaid.clone();
        old.contract_start = Some(date(2023, 1, 1));
        old.contract_end = Some(date(2023, 12, 31));
        let f = Forecast::new(vec![stale, over, undated, unpaid, old], p());
        let codes: Vec<(usize, Vec<&str>)> = f
            .flags()
            .into_iter()
            .map(|(i, r)| (i, r.iter().map(|f| f.code()).collect()))
            .collect();
        assert_eq!(
            codes,
            vec![
                (0, vec!["stale", "collected-estimated"]),
                (1, vec!["over-collected"]),
                (2, vec!["missing-contract-dates"]),
                (3, vec!["ended-not-collected"]),
            ]
        );
        assert_eq!(
            Flag::EndedNotCollected.explain(),
            "ended in the last twelve months with part of its amount not yet collected"
        );
        assert_eq!(
            f.flag_detail(3, Flag::EndedNotCollected),
            "ended on 31 Jan 2026 with $6,000 of $12,000 collected: $6,000 still to collect"
        );
    }

    #[test]
    fn invoices_give_the_collected_amount_and_a_typed_value_off_by_more_than_1_percent_is_flagged()
    {
        // Typed $6,000 in the CRM, $6,000 paid on its invoices: no flag, and no estimate.
        let typed = |c: f64| {
            let mut d = deal(CLOSED_WON, StageOutcome::Won, 1.0);
            d.collected = Some(c);
            d
        };
        let agrees = typed(6_000.0).with_invoices(6_000.0);
        // $6,050 typed against $6,000 paid: 0.83% of the larger, within 1%.
        let close = typed(6_050.0).with_invoices(6_000.0);
        // $6,100 typed against $6,000 paid: 1.64%.
        let off = typed(6_100.0).with_invoices(6_000.0);
        // Nothing typed, $3,000 paid: nothing to compare.
        let untyped = deal(CLOSED_WON, StageOutcome::Won, 1.0).with_invoices(3_000.0);
        let f = Forecast::new(vec![agrees, close, off, untyped], p());
        assert_eq!(f.deals[2].collected, Some(6_000.0));
        assert_eq!(
            f.derived[3].collected, 3_000.0,
            "the payments, not an estimate"
        );
        let codes: Vec<(usize, Vec<&str>)> = f
            .flags()
            .into_iter()
            .map(|(i, r)| (i, r.iter().map(|f| f.code()).collect()))
            .collect();
        assert_eq!(codes, vec![(2, vec!["collected-mismatch"])]);
        assert_eq!(
            f.flag_detail(2, Flag::CollectedMismatch),
            "$6,000 collected by its invoices' payments, $6,100 typed into the CRM"
        );
    }

    #[test]
    fn a_deal_starting_exactly_six_months_before_the_start_is_not_stale() {
        // P = 2026-03-01, so P − 6 months = 2025-09-01.
        let mut on_the_day = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        on_the_day.contract_start = Some(date(2025, 9, 1));
        let mut a_day_before = on_the_day.clone();
        a_day_before.contract_start = Some(date(2025, 8, 31));
        let f = Forecast::new(vec![on_the_day, a_day_before], p());
        let codes: Vec<(usize, Vec<&str>)> = f
            .flags()
            .into_iter()
            .map(|(i, r)| (i, r.iter().map(|f| f.code()).collect()))
            .collect();
        assert_eq!(
            codes,
            vec![
                (0, vec!["collected-estimated"]),
                (1, vec!["stale", "collected-estimated"]),
            ]
        );
    }

    #[test]
    fn ending_soon_counts_an_unknown_collected_amount_as_nothing_collected() {
        // Runs 2025-09 to 2026-05: the estimate of rule 5 says 6 of 9 months, $8,000, are
        // collected, but nothing is recorded, so more than half is still to collect.
        let mut unknown = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        unknown.contract_start = Some(date(2025, 9, 1));
        unknown.contract_end = Some(date(2026, 5, 31));
        // The same with $9,000 recorded: a quarter is left, so it is not flagged.
        let mut recorded = unknown.clone();
        recorded.collected = Some(9_000.0);
        // Ends the day after P + 3 months: not soon.
        let mut later = unknown.clone();
        later.contract_end = Some(date(2026, 6, 2));
        let f = Forecast::new(vec![unknown, recorded, later], p());
        assert_eq!(
            f.derived[0].collected, 8_000.0,
            "the rates use the estimate"
        );
        let codes: Vec<(usize, Vec<&str>)> = f
            .flags()
            .into_iter()
            .map(|(i, r)| (i, r.iter().map(|f| f.code()).collect()))
            .collect();
        assert_eq!(
            codes,
            vec![
                (0, vec!["ending-soon", "collected-estimated"]),
                (2, vec!["collected-estimated"]),
            ]
        );
    }

    #[test]
    fn ended_not_collected_says_when_and_how_much() {
        let mut unpaid = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        unpaid.contract_start = Some(date(2025, 2, 1));
        unpaid.contract_end = Some(date(2026, 1, 31));
        unpaid.collected = Some(4_500.5);
        // Unknown collected counts as nothing collected.
        let mut unknown = unpaid.clone();
        unknown.collected = None;
        // Ended exactly twelve months before P: still in.
        let mut year = unpaid.clone();
        year.contract_end = Some(date(2025, 3, 1));
        // Ended the day before that: out.
        let mut older = unpaid.clone();
        older.contract_start = Some(date(2024, 3, 1));
        older.contract_end = Some(date(2025, 2, 28));
        let f = Forecast::new(vec![unpaid, unknown, year, older], p());
        let flagged: Vec<(usize, String)> = f
            .flags()
            .into_iter()
            .map(|(i, r)| (i, f.flag_detail(i, r[0])))
            .collect();
        assert_eq!(
            flagged,
            vec![
                (
                    0,
                    "ended on 31 Jan 2026 with $4,500 of $12,000 collected: $7,500 still to collect"
                        .to_owned()
                ),
                (
                    1,
                    "ended on 31 Jan 2026 with $0 of $12,000 collected: $12,000 still to collect"
                        .to_owned()
                ),
                (
                    2,
                    "ended on 1 Mar 2025 with $4,500 of $12,000 collected: $7,500 still to collect"
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_deal_ending_in_9999_is_cut_at_the_horizon_and_listed() {
        let mut forever = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        forever.contract_end = Some(date(9999, 12, 31));
        forever.collected = Some(0.0);
        let mut maybe = deal("Proposal", StageOutcome::Open, 0.5);
        maybe.contract_end = Some(date(9999, 12, 31));
        let f = Forecast::new(
            vec![forever, maybe, deal(CLOSED_WON, StageOutcome::Won, 1.0)],
            p(),
        );
        assert_eq!(f.months.len(), 120, "ten years by default");
        assert_eq!(f.horizon, Month::parse("2036-02").unwrap());
        assert_eq!(f.beyond_horizon(), [0, 1]);
        assert_eq!(f.commitments().months.len(), 120);
        let (low, high) = f.scenarios(&MonteCarlo {
            runs: 200,
            ..MonteCarlo::default()
        });
        assert_eq!((low.len(), high.len()), (120, 120));
        let flags = f.flags();
        assert_eq!(flags[0].1.last(), Some(&Flag::BeyondHorizon));
        assert_eq!(flags[1], (1, vec![Flag::BeyondHorizon]));
        assert_eq!(
            f.flag_detail(0, Flag::BeyondHorizon),
            "runs to 31 Dec 9999, past the forecast's horizon (Feb 2036): its months after that are not projected"
        );
        let short = Forecast::with_horizon(f.deals.clone(), p(), 1);
        assert_eq!(short.months.len(), 12);
        let capped = Forecast::with_horizon(f.deals.clone(), p(), 500);
        assert_eq!(capped.months.len(), 12 * MAX_HORIZON_YEARS as usize);
    }

    #[test]
    fn the_consistency_checks_catch_rows_out_of_order() {
        let f = Forecast::new(
            vec![
                deal(CLOSED_WON, StageOutcome::Won, 1.0),
                deal("Proposal", StageOutcome::Open, 0.5),
            ],
            p(),
        );
        let (low, high) = f.scenarios(&MonteCarlo {
            runs: 500,
            ..MonteCarlo::default()
        });
        assert_eq!(f.check(&low, &high), Ok(()));
        let too_low = vec![0.0; f.months.len()];
        let problems = f.check(&too_low, &high).unwrap_err();
        assert!(
            problems[0].starts_with("2026-03: committed 1000, pessimistic 0"),
            "{problems:?}"
        );
        let too_high: Vec<f64> = high.iter().map(|h| h + 5_000.0).collect();
        assert!(f.check(&low, &too_high).is_err());
    }

    #[test]
    fn dollars_have_thousands_separators() {
        assert_eq!(
            (
                dollars(86_483.9),
                dollars(375.0),
                dollars(1_234_567.0),
                dollars(0.0)
            ),
            (
                "$86,484".into(),
                "$375".into(),
                "$1,234,567".into(),
                "$0".into()
            )
        );
    }

    #[test]
    fn the_scorecard_follows_the_domain_formulas() {
        // Net assets 1,000; costs 100/month; no fee. 50 committed a month: 50 lost each month.
        let a = HealthAssumptions {
            net_assets: 1_000.0,
            monthly_costs: 100.0,
            fsp_fee: 0.0,
            ..HealthAssumptions::default()
        };
        let months: Vec<Month> = (0..30).filter_map(|i| p().plus(i)).collect();
        let committed = vec![50.0; 30];
        let estimated = vec![80.0; 30];
        let h = health(&committed, &estimated, &months, &a);
        assert_eq!(
            (h[0].value.as_str(), h[0].status),
            ("20 months", Status::Green)
        );
        assert_eq!(h[0].target, None);
        assert_eq!((h[1].value.as_str(), h[1].status), ("50%", Status::Red));
        // 50 a month committed against 100 of costs: 50 short each month.
        assert_eq!(
            (h[1].name, h[1].beside.as_deref()),
            ("Cost coverage", Some("deficit of $50/month"))
        );
        assert_eq!(
            h[1].target.as_deref(),
            Some("85% (yellow): $35/month more committed revenue")
        );
        // Gap 6 × 50 = 300; pipeline 6 × 30 = 180: 60%.
        assert_eq!((h[2].value.as_str(), h[2].status), ("60%", Status::Red));
        assert_eq!(
            h[2].target.as_deref(),
            Some(
                "100% (yellow): $120 more estimated pipeline (gap $300, pipeline $180 over 6 months)"
            )
        );
        let rich = HealthAssumptions {
            monthly_costs: 10.0,
            ..a
        };
        let h = health(&committed, &estimated, &months, &rich);
        assert_eq!(
            (h[0].status, h[2].value.as_str(), h[2].status),
            (Status::Over, "no gap", Status::Green)
        );
        assert_eq!(h[0].detail, "Still solvent after all 30 projected months.");
        assert_eq!(h[1].beside.as_deref(), Some("surplus of $40/month"));
    }

    #[test]
    fn gifts_are_left_out_of_the_full_obligation_and_ties_keep_their_order() {
        let mut gift = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        gift.revenue_type = Some("gift".into());
        gift.id = "gift".into();
        let mut project = deal(CLOSED_WON, StageOutcome::Won, 1.0);
        project.id = "project".into();
        let forecast = Forecast::new(vec![gift, project], p());
        assert_eq!(forecast.full_obligation_row()[0], 1_000.0);
        assert_eq!(forecast.committed_row()[0], 2_000.0);
        let table = forecast.deal_months();
        let order: Vec<&str> = table
            .rows
            .iter()
            .map(|r| forecast.deals[r.index].id.as_str())
            .collect();
        assert_eq!(order, ["gift", "project"]);
        assert_eq!(table.months.len(), 10, "March to December");
        assert_eq!(table.total[0], 2_000.0);
    }
}
