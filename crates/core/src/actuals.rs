//! Accounting actuals and the monthly close (docs/domain.md, "Accounting actuals and the
//! monthly close"): the sponsor's general-ledger lines, the account map that puts each
//! account in a category, each month's totals, the net assets a close records, the costs
//! `costs-from=actuals` takes, and how well earlier forecasts did against what happened.

use std::collections::BTreeMap;

use crate::{Month, ParseError};

/// What a general-ledger account holds: a kind of revenue or a kind of cost.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(into = "String", try_from = "String")]
pub enum Category {
    Membership,
    Usage,
    CloudRecovery,
    Grant,
    Gift,
    Service,
    OtherRevenue,
    Personnel,
    Contractors,
    CloudRecoverable,
    CloudAbsorbed,
    SponsorFee,
    Travel,
    OtherCost,
}

text_enum!(Category, "category", {
    Membership => "membership",
    Usage => "usage",
    CloudRecovery => "cloud-recovery",
    Grant => "grant",
    Gift => "gift",
    Service => "service",
    OtherRevenue => "other-revenue",
    Personnel => "personnel",
    Contractors => "contractors",
    CloudRecoverable => "cloud-recoverable",
    CloudAbsorbed => "cloud-absorbed",
    SponsorFee => "fiscal-sponsor-fee",
    Travel => "travel",
    OtherCost => "other-cost",
});

impl From<Category> for String {
    fn from(c: Category) -> String {
        c.as_str().to_owned()
    }
}

impl TryFrom<String> for Category {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        s.parse()
    }
}

impl Category {
    /// Revenue, as opposed to a cost.
    pub fn is_revenue(self) -> bool {
        matches!(
            self,
            Category::Membership
                | Category::Usage
                | Category::CloudRecovery
                | Category::Grant
                | Category::Gift
                | Category::Service
                | Category::OtherRevenue
        )
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Category::Membership => "Membership fees",
            Category::Usage => "Usage fees",
            Category::CloudRecovery => "Cloud cost recovery",
            Category::Grant => "Grants",
            Category::Gift => "Gifts",
            Category::Service => "Service fees",
            Category::OtherRevenue => "Other revenue",
            Category::Personnel => "Personnel",
            Category::Contractors => "Contractors",
            Category::CloudRecoverable => "Cloud costs, recoverable",
            Category::CloudAbsorbed => "Cloud costs, absorbed",
            Category::SponsorFee => "Fiscal sponsor's fee",
            Category::Travel => "Travel",
            Category::OtherCost => "Other costs",
        }
    }

    /// Costs that `costs-from=actuals` leaves out because the revenue they come with pays
    /// them: the sponsor's fee (a share of revenue) and cloud costs recovered from communities.
    pub fn paid_by_its_revenue(self) -> bool {
        matches!(self, Category::SponsorFee | Category::CloudRecoverable)
    }
}

/// The organisation's chart of accounts as the account map starts: the accounts Bearing
/// knows without being told. Any other account is unmapped until finance maps it.
pub const DEFAULT_ACCOUNTS: [(&str, &str, Category); 6] = [
    ("4221", "Membership fees", Category::Membership),
    ("4222", "Cloud cost recovery", Category::CloudRecovery),
    ("4223", "Usage fees", Category::Usage),
    ("4224", "Service fees", Category::Service),
    (
        "7061",
        "Cloud costs, recoverable",
        Category::CloudRecoverable,
    ),
    (
        "7062",
        "Cloud costs, not recoverable",
        Category::CloudAbsorbed,
    ),
];

/// The account map: each account code's category.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountMap(BTreeMap<String, Category>);

impl AccountMap {
    /// The default accounts with `mapped` (code, category) over them.
    pub fn with(mapped: impl IntoIterator<Item = (String, Category)>) -> Self {
        let mut map: BTreeMap<String, Category> = DEFAULT_ACCOUNTS
            .iter()
            .map(|(code, _, c)| ((*code).to_owned(), *c))
            .collect();
        map.extend(mapped);
        AccountMap(map)
    }

    pub fn category(&self, account: &str) -> Option<Category> {
        self.0.get(account).copied()
    }
}

/// One line of the general ledger: an amount booked to an account in a month. Amounts are in
/// cents, positive as booked (revenue earned, a cost incurred); a negative amount reverses one
/// of its kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    pub month: Month,
    pub account: String,
    pub account_name: Option<String>,
    pub description: Option<String>,
    pub amount_minor: i64,
    /// The grant the line is coded to; none for the unrestricted fund.
    pub grant_code: Option<String>,
    /// The ledger's source of the line (`Receivable Invoice`, `Payable Invoice`, …).
    pub source: Option<String>,
}

impl Line {
    /// What tells this line from the others of its month: every field but the month. Two
    /// lines alike in every field are told apart by their order among the alike ones
    /// ([`crate::text::numbered`]), so a file imported twice matches itself line for line.
    fn fields(&self) -> String {
        let field = |v: &Option<String>| v.as_deref().unwrap_or("").replace('\u{1f}', " ");
        [
            self.account.replace('\u{1f}', " "),
            field(&self.account_name),
            field(&self.description),
            self.amount_minor.to_string(),
            field(&self.grant_code),
            field(&self.source),
        ]
        .join("\u{1f}")
    }
}

/// Each line's identity within its month, in the lines' order.
pub fn identities(lines: &[Line]) -> Vec<String> {
    crate::text::numbered(lines.iter().map(|line| (line.month, line.fields())))
}

/// A month's actuals: revenue and costs by category, and what is booked to accounts the map
/// does not know (kept, never dropped), in cents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthActuals {
    pub by_category: BTreeMap<Category, i64>,
    /// Unmapped account code → amount.
    pub unmapped: BTreeMap<String, i64>,
    /// Lines in the month.
    pub lines: usize,
}

impl MonthActuals {
    pub fn revenue(&self) -> i64 {
        self.sum(|c| c.is_revenue())
    }

    pub fn costs(&self) -> i64 {
        self.sum(|c| !c.is_revenue())
    }

    /// Revenue less costs: what the month added to net assets.
    pub fn net(&self) -> i64 {
        self.revenue() - self.costs()
    }

    /// What is booked to accounts the map does not know, together; `None` when there is none.
    pub fn unmapped_total(&self) -> Option<i64> {
        (!self.unmapped.is_empty()).then(|| self.unmapped.values().sum())
    }

    /// Costs without those their revenue pays ([`Category::paid_by_its_revenue`]).
    pub fn running_costs(&self) -> i64 {
        self.sum(|c| !c.is_revenue() && !c.paid_by_its_revenue())
    }

    fn sum(&self, keep: impl Fn(Category) -> bool) -> i64 {
        self.by_category
            .iter()
            .filter(|(c, _)| keep(**c))
            .map(|(_, v)| v)
            .sum()
    }
}

/// Each month's actuals, by the account map.
pub fn by_month(lines: &[Line], map: &AccountMap) -> BTreeMap<Month, MonthActuals> {
    let mut months: BTreeMap<Month, MonthActuals> = BTreeMap::new();
    for line in lines {
        let month = months.entry(line.month).or_default();
        month.lines += 1;
        match map.category(&line.account) {
            Some(category) => *month.by_category.entry(category).or_default() += line.amount_minor,
            None => *month.unmapped.entry(line.account.clone()).or_default() += line.amount_minor,
        }
    }
    months
}

/// What the lines book to each grant code, by month (cents); lines without a grant code are
/// left out.
pub fn by_grant(lines: &[Line]) -> BTreeMap<(String, Month), i64> {
    let mut grants: BTreeMap<(String, Month), i64> = BTreeMap::new();
    for line in lines {
        if let Some(grant) = &line.grant_code {
            *grants.entry((grant.clone(), line.month)).or_default() += line.amount_minor;
        }
    }
    grants
}

/// Net assets at the end of a month: those at the end of the month before, plus the month's
/// revenue, less its costs (cents).
pub fn net_assets_after(previous_minor: i64, month: &MonthActuals) -> i64 {
    previous_minor + month.net()
}

/// The monthly costs `costs-from=actuals` takes: the mean running costs
/// ([`MonthActuals::running_costs`]) of the last three closed months that have actuals, in
/// dollars; `None` without any.
pub fn monthly_costs(closed: &[(Month, &MonthActuals)]) -> Option<(f64, Vec<Month>)> {
    let mut last: Vec<&(Month, &MonthActuals)> = closed.iter().collect();
    last.sort_by_key(|(m, _)| std::cmp::Reverse(*m));
    last.truncate(3);
    if last.is_empty() {
        return None;
    }
    let total: i64 = last.iter().map(|(_, a)| a.running_costs()).sum();
    let mut months: Vec<Month> = last.iter().map(|(m, _)| *m).collect();
    months.sort();
    Some((total as f64 / 100.0 / last.len() as f64, months))
}

/// The forecast as it stood when a month was closed, kept as it was: the projections'
/// Committed, Estimated and percentile rows from its first month, and the health figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrozenForecast {
    /// Its first projected month: the month the close closed.
    pub start: Month,
    pub assumptions_version: i64,
    pub committed: Vec<f64>,
    pub estimated: Vec<f64>,
    /// The low and high percentiles (P10 and P90 unless the assumptions say otherwise).
    pub low: Vec<f64>,
    pub high: Vec<f64>,
    /// Months of committed revenue runway, when the costs could be worked out.
    pub runway_months: Option<f64>,
    /// Cost coverage, as a ratio, when the costs could be worked out.
    pub cost_coverage: Option<f64>,
    /// Whether the costs the runway and coverage were weighed against hold pay (the team's or
    /// the ledger's); `None` in forecasts frozen before it was kept.
    #[serde(default)]
    pub costs_hold_pay: Option<bool>,
}

impl FrozenForecast {
    /// What it projected for `month`, if it reaches it.
    pub fn projected(&self, month: Month) -> Option<Projected> {
        let i = usize::try_from(self.start.until(month)).ok()?;
        Some(Projected {
            ahead: self.start.until(month) + 1,
            committed: *self.committed.get(i)?,
            estimated: *self.estimated.get(i)?,
            low: *self.low.get(i)?,
            high: *self.high.get(i)?,
        })
    }
}

/// What one frozen forecast projected for a month, in dollars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projected {
    /// How many months before the month's end it was made: its forecast's first month is one
    /// month ahead.
    pub ahead: i32,
    pub committed: f64,
    pub estimated: f64,
    pub low: f64,
    pub high: f64,
}

impl Projected {
    /// Estimated's error against the `actual` revenue, as a fraction of it (positive when it
    /// projected too much); `None` for a month with no revenue, as a percentage of nothing is
    /// undefined.
    pub fn error(&self, actual: f64) -> Option<f64> {
        (actual != 0.0).then(|| (self.estimated - actual) / actual)
    }

    /// Whether the `actual` revenue fell inside the low–high band.
    pub fn holds(&self, actual: f64) -> bool {
        self.low <= actual && actual <= self.high
    }
}

/// How well the frozen forecasts did: the mean absolute percentage error of Estimated made
/// 1, 3 and 6 months ahead over the last six closed months, and the share of closed months
/// whose actual revenue fell inside the low–high band of the forecast made one month ahead.
#[derive(Debug, Clone, PartialEq)]
pub struct Accuracy {
    /// (months ahead, MAPE as a fraction, months it is over); `None` when no month had both.
    pub errors: Vec<(i32, Option<f64>, usize)>,
    /// (share inside the band, months counted).
    pub calibration: (Option<f64>, usize),
}

/// The months ahead accuracy is reported for.
pub const AHEAD: [i32; 3] = [1, 3, 6];

/// Accuracy of `forecasts` against `actual` revenue (dollars) of closed months. Months with
/// no revenue are left out of the percentage errors (a percentage of nothing is undefined).
pub fn accuracy(actual: &BTreeMap<Month, f64>, forecasts: &[FrozenForecast]) -> Accuracy {
    let recent: Vec<(Month, f64)> = actual.iter().rev().take(6).map(|(m, v)| (*m, *v)).collect();
    let errors = AHEAD
        .iter()
        .map(|&ahead| {
            let errors: Vec<f64> = recent
                .iter()
                .filter_map(|(month, a)| {
                    let p = forecasts
                        .iter()
                        .filter_map(|f| f.projected(*month))
                        .find(|p| p.ahead == ahead)?;
                    Some(p.error(*a)?.abs())
                })
                .collect();
            let n = errors.len();
            let mape = (n > 0).then(|| errors.iter().sum::<f64>() / n as f64);
            (ahead, mape, n)
        })
        .collect();
    let inside: Vec<bool> = actual
        .iter()
        .filter_map(|(month, a)| {
            let f = forecasts.iter().find(|f| f.start == *month)?;
            Some(f.projected(*month)?.holds(*a))
        })
        .collect();
    let counted = inside.len();
    let share =
        (counted > 0).then(|| inside.iter().filter(|i| **i).count() as f64 / counted as f64);
    Accuracy {
        errors,
        calibration: (share, counted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap_or(Month::MIN)
    }

    fn line(m: &str, account: &str, dollars: i64) -> Line {
        Line {
            month: month(m),
            account: account.into(),
            account_name: None,
            description: None,
            amount_minor: dollars * 100,
            grant_code: None,
            source: None,
        }
    }

    #[test]
    fn a_months_totals_follow_the_account_map_and_keep_unmapped_accounts() {
        let map = AccountMap::with([("6000".to_owned(), Category::Personnel)]);
        let lines = [
            line("2026-10", "4221", 30_000),
            line("2026-10", "4223", 5_000),
            line("2026-10", "4221", -1_000), // a reversed membership invoice
            line("2026-10", "6000", 20_000),
            line("2026-10", "7061", 2_000),
            line("2026-10", "7062", 500),
            line("2026-10", "9999", 123),
            line("2026-11", "4221", 7),
        ];
        let months = by_month(&lines, &map);
        let oct = &months[&month("2026-10")];
        assert_eq!(oct.lines, 7);
        assert_eq!(oct.by_category[&Category::Membership], 2_900_000);
        assert_eq!(oct.revenue(), 3_400_000);
        assert_eq!(oct.costs(), 2_250_000);
        // Recoverable cloud costs are paid by the recovery invoiced for them.
        assert_eq!(oct.running_costs(), 2_050_000);
        assert_eq!(oct.unmapped, BTreeMap::from([("9999".to_owned(), 12_300)]));
        // $100,000 before; + 34,000 − 22,500.
        assert_eq!(net_assets_after(10_000_000, oct), 11_150_000);
        assert_eq!(oct.net(), 1_150_000);
        assert_eq!(oct.unmapped_total(), Some(12_300));
        assert_eq!(months[&month("2026-11")].revenue(), 700);
        assert_eq!(months[&month("2026-11")].unmapped_total(), None);
    }

    #[test]
    fn grant_codes_sum_by_month_and_lines_without_one_stay_out() {
        let granted = |m: &str, dollars: i64, grant: &str| Line {
            grant_code: Some(grant.to_owned()),
            ..line(m, "6000", dollars)
        };
        let lines = [
            granted("2026-10", 4_500, "GR-3"),
            granted("2026-10", 500, "GR-3"),
            granted("2026-11", 4_500, "GR-3"),
            granted("2026-10", 1_000, "GR-7"),
            line("2026-10", "6000", 9_000),
        ];
        let key = |g: &str, m: &str| (g.to_owned(), month(m));
        assert_eq!(
            by_grant(&lines),
            BTreeMap::from([
                (key("GR-3", "2026-10"), 500_000),
                (key("GR-3", "2026-11"), 450_000),
                (key("GR-7", "2026-10"), 100_000),
            ])
        );
    }

    #[test]
    fn costs_from_actuals_are_the_mean_of_the_last_three_closed_months() {
        let a = |dollars: i64, fee: i64| MonthActuals {
            by_category: BTreeMap::from([
                (Category::Personnel, dollars * 100),
                (Category::SponsorFee, fee * 100),
            ]),
            ..Default::default()
        };
        let (jul, aug, sep, oct) = (a(10_000, 900), a(20_000, 900), a(30_000, 0), a(40_000, 5));
        let closed = [
            (month("2026-07"), &jul),
            (month("2026-10"), &oct),
            (month("2026-08"), &aug),
            (month("2026-09"), &sep),
        ];
        let (costs, months) = monthly_costs(&closed).unwrap_or_default();
        assert_eq!(costs, 30_000.0);
        assert_eq!(
            months,
            [month("2026-08"), month("2026-09"), month("2026-10")]
        );
        assert_eq!(monthly_costs(&[]), None);
    }

    #[test]
    fn alike_lines_are_told_apart_by_their_order_and_the_month_does_not_count() {
        let a = line("2026-10", "4221", 5);
        let ids = identities(&[a.clone(), a.clone(), line("2026-11", "4221", 5)]);
        assert_ne!(ids[0], ids[1]);
        assert_eq!(ids[0], ids[2]);
        assert_eq!(identities(&[a.clone(), a]), ids[..2]);
    }

    fn frozen(start: &str, estimated: &[f64], band: (f64, f64)) -> FrozenForecast {
        FrozenForecast {
            start: month(start),
            assumptions_version: 1,
            committed: estimated.to_vec(),
            estimated: estimated.to_vec(),
            low: vec![band.0; estimated.len()],
            high: vec![band.1; estimated.len()],
            runway_months: None,
            cost_coverage: None,
            costs_hold_pay: None,
        }
    }

    #[test]
    fn accuracy_and_calibration_on_a_hand_made_history() {
        // Actual revenue: Jan 100, Feb 200, Mar 400.
        let actual = BTreeMap::from([
            (month("2026-01"), 100.0),
            (month("2026-02"), 200.0),
            (month("2026-03"), 400.0),
        ]);
        let forecasts = [
            // Made before January closed: Jan 110 (1 ahead), Feb 150, Mar 300 (3 ahead).
            frozen("2026-01", &[110.0, 150.0, 300.0], (90.0, 120.0)),
            // Before February: Feb 180 (1 ahead).
            frozen("2026-02", &[180.0, 500.0], (150.0, 190.0)),
            // Before March: Mar 500 (1 ahead).
            frozen("2026-03", &[500.0], (300.0, 450.0)),
        ];
        let a = accuracy(&actual, &forecasts);
        // One ahead: |110−100|/100 = 0.1, |180−200|/200 = 0.1, |500−400|/400 = 0.25.
        let (ahead, mape, n) = a.errors[0];
        assert_eq!((ahead, n), (1, 3));
        assert!((mape.unwrap_or_default() - 0.15).abs() < 1e-12);
        // Three ahead: March from January's forecast, |300−400|/400.
        assert_eq!(a.errors[1], (3, Some(0.25), 1));
        assert_eq!(a.errors[2], (6, None, 0));
        // Inside the band: January (90–120) yes, February (150–190) no, March (300–450) yes.
        let (share, counted) = a.calibration;
        assert_eq!(counted, 3);
        assert!((share.unwrap_or_default() - 2.0 / 3.0).abs() < 1e-12);
        // What January's forecast projected for March: three months ahead, 300 against 400.
        let march = forecasts[0].projected(month("2026-03"));
        assert_eq!(
            march.map(|p| (p.ahead, p.error(400.0))),
            Some((3, Some(-0.25)))
        );
        assert_eq!(march.map(|p| p.error(0.0)), Some(None));
        assert_eq!(forecasts[1].projected(month("2026-01")), None);
        assert_eq!(forecasts[2].projected(month("2026-04")), None);
        assert_eq!(
            march.map(|p| (p.holds(90.0), p.holds(121.0))),
            Some((true, false))
        );
    }
}
