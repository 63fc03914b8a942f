//! People: salary bands from a benchmark, cost-of-living adjustments, what the team costs
//! each month, delivery capacity and the blended hourly rate (docs/domain.md, "People"). Pure
//! calculations; the records they work on live in the store.

use std::collections::BTreeMap;

use crate::forecast::round;
use crate::{Date, Month};

/// The rules of thumb for a band table.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BandRules {
    /// About 10% more pay per level.
    pub per_level: f64,
    /// About 2% more pay per step.
    pub per_step: f64,
    /// Benefits as a share of base pay (total compensation = base × (1 + benefits)).
    pub benefits: f64,
}

impl Default for BandRules {
    fn default() -> Self {
        BandRules {
            per_level: 0.10,
            per_step: 0.02,
            benefits: 0.25,
        }
    }
}

/// Annual base salaries by (level, step), from one benchmark: the median total compensation
/// of comparable positions, taken as the pay of `reference` (level, step).
pub fn generate_bands(
    benchmark_total_compensation: f64,
    reference: (u8, u8),
    levels: u8,
    steps: u8,
    rules: &BandRules,
) -> BTreeMap<(u8, u8), f64> {
    let base = benchmark_total_compensation / (1.0 + rules.benefits);
    let mut bands = BTreeMap::new();
    for level in 1..=levels {
        for step in 1..=steps {
            let factor = (1.0 + rules.per_level).powi(i32::from(level) - i32::from(reference.0))
                * (1.0 + rules.per_step).powi(i32::from(step) - i32::from(reference.1));
            bands.insert((level, step), round(base * factor));
        }
    }
    bands
}

/// A cost-of-living adjustment: every band grows by `percent` (e.g. 3.0).
pub fn adjust(bands: &BTreeMap<(u8, u8), f64>, percent: f64) -> BTreeMap<(u8, u8), f64> {
    bands
        .iter()
        .map(|(k, v)| (*k, round(v * (1.0 + percent / 100.0))))
        .collect()
}

/// How a person is paid.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Pay {
    /// Annual band salary, at a full-time equivalent.
    Employee { annual_salary: f64, fte: f64 },
    /// A monthly payment.
    Contractor { monthly: f64 },
}

/// One assignment's cost inputs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Assignment {
    pub person: String,
    pub pay: Pay,
    pub start: Date,
    /// Inclusive; `None` is open-ended.
    pub end: Option<Date>,
    /// Grant codes and their shares; the shares add to 1.
    pub funding: Vec<(String, f64)>,
}

/// Benefits for employees and overhead for contractors.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CostRates {
    pub benefits: f64,
    pub contractor_overhead: f64,
}

impl Default for CostRates {
    fn default() -> Self {
        CostRates {
            benefits: 0.25,
            contractor_overhead: 0.20,
        }
    }
}

/// Checks that an assignment's funding shares add to 100%, each between 0 and 1.
pub fn check_funding(funding: &[(String, f64)]) -> Result<(), String> {
    if funding.is_empty() {
        return Err("an assignment needs at least one grant code".to_owned());
    }
    for (i, (code, _)) in funding.iter().enumerate() {
        if code.trim().is_empty() {
            return Err("a grant code is empty".to_owned());
        }
        if code.contains([',', '=']) {
            return Err(format!(
                "{code:?}: a grant code has no comma or equals sign"
            ));
        }
        if funding[..i].iter().any(|(c, _)| c == code) {
            return Err(format!("{code:?} is named twice: give it one share"));
        }
    }
    if funding.iter().any(|(_, s)| !(0.0..=1.0).contains(s)) {
        return Err("each share is between 0% and 100%".to_owned());
    }
    let total: f64 = funding.iter().map(|(_, s)| s).sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(format!(
            "the shares add to {}%, not 100%",
            round(total * 10_000.0) / 100.0
        ));
    }
    Ok(())
}

/// One grant code's share: `G-1=0.6` or `G-1=60%`.
pub fn parse_funding_share(text: &str) -> Result<(String, f64), String> {
    let (code, share) = text
        .split_once('=')
        .ok_or_else(|| format!("{:?}: expected CODE=SHARE, e.g. G-1=0.6", text.trim()))?;
    let code = code.trim();
    if code.is_empty() {
        return Err(format!("{:?}: the grant code is missing", text.trim()));
    }
    let share = share.trim();
    let parsed = match share.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
        None => share.parse::<f64>(),
    };
    match parsed {
        Ok(value) if value.is_finite() => Ok((code.to_owned(), value)),
        _ => Err(format!("{share:?} is not a share such as 0.6 or 60%")),
    }
}

/// Grant codes and their shares, separated by commas: `G-1=0.6, G-2=0.4`.
pub fn parse_funding(text: &str) -> Result<Vec<(String, f64)>, String> {
    text.split(',')
        .filter(|item| !item.trim().is_empty())
        .map(parse_funding_share)
        .collect()
}

/// Funding as [`parse_funding`] reads it.
pub fn funding_text(funding: &[(String, f64)]) -> String {
    funding
        .iter()
        .map(|(code, share)| format!("{code}={share}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The share of `month` an assignment covers, by days: 1 for a whole month, less for the
/// months someone joins or leaves in.
fn coverage(a: &Assignment, month: Month) -> f64 {
    let (first, last) = (month.first_day(), month.last_day());
    let from = a.start.max(first);
    let to = a.end.map_or(last, |e| e.min(last));
    if to < from {
        return 0.0;
    }
    let days = f64::from(i32::from(to.day()) - i32::from(from.day()) + 1);
    days / f64::from(last.day())
}

/// What an assignment costs in `month`, burdened: salary × FTE ÷ 12 × (1 + benefits) for an
/// employee, payment × (1 + overhead) for a contractor, for the part of the month it covers.
pub fn monthly_cost(a: &Assignment, month: Month, rates: &CostRates) -> f64 {
    let full = match a.pay {
        Pay::Employee { annual_salary, fte } => annual_salary * fte / 12.0 * (1.0 + rates.benefits),
        Pay::Contractor { monthly } => monthly * (1.0 + rates.contractor_overhead),
    };
    full * coverage(a, month)
}

/// The team's cost per month and grant code, rounded to whole units.
pub fn team_cost_by_grant(
    assignments: &[Assignment],
    months: &[Month],
    rates: &CostRates,
) -> BTreeMap<(Month, String), f64> {
    let mut out: BTreeMap<(Month, String), f64> = BTreeMap::new();
    for month in months {
        for a in assignments {
            let cost = monthly_cost(a, *month, rates);
            if cost == 0.0 {
                continue;
            }
            for (code, share) in &a.funding {
                *out.entry((*month, code.clone())).or_default() += cost * share;
            }
        }
    }
    out.into_iter().map(|(k, v)| (k, round(v))).collect()
}

/// The team's total cost per month, rounded.
pub fn team_cost(assignments: &[Assignment], months: &[Month], rates: &CostRates) -> Vec<f64> {
    months
        .iter()
        .map(|m| round(assignments.iter().map(|a| monthly_cost(a, *m, rates)).sum()))
        .collect()
}

/// Hubs one engineer can operate, by kind of service (e.g. education 22, research 14,
/// partnership 5), times engineering FTE.
pub fn capacity(engineering_fte: f64, hubs_per_engineer: f64) -> f64 {
    engineering_fte * hubs_per_engineer
}

/// Hubs one engineer can operate, by kind of service: research first (the kind of a hub whose
/// community names none), then education and partnership.
pub const DEFAULT_HUBS_PER_ENGINEER: [(&str, f64); 3] = [
    ("research", 14.0),
    ("education", 22.0),
    ("partnership", 5.0),
];

/// What the hubs in service ask of engineering, and what it can deliver.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Delivery {
    /// Hubs in service, by kind.
    pub hubs: Vec<(String, usize)>,
    /// Engineering FTE the hubs in service need: each hub 1 ÷ (hubs one engineer operates).
    pub needed_fte: f64,
    pub engineering_fte: f64,
    /// Hubs the engineering team can operate at the current mix of kinds (the hubs in
    /// service × engineering FTE ÷ needed FTE); with no hubs, at the first kind's rate.
    pub capacity: f64,
}

/// The delivery side of the balancing rule: `kinds` are the kinds of the hubs in service
/// (unknown kinds count as the first of `per_engineer`).
pub fn delivery(
    kinds: &[String],
    per_engineer: &[(String, f64)],
    engineering_fte: f64,
) -> Delivery {
    let rate = |kind: &str| -> (String, f64) {
        per_engineer
            .iter()
            .find(|(k, _)| k == kind)
            .or_else(|| per_engineer.first())
            .map_or_else(|| (kind.to_owned(), 1.0), |(k, n)| (k.clone(), *n))
    };
    let mut hubs: BTreeMap<String, usize> = BTreeMap::new();
    let mut needed = 0.0;
    for kind in kinds {
        let (kind, n) = rate(kind);
        *hubs.entry(kind).or_default() += 1;
        needed += 1.0 / n;
    }
    let capacity = if needed > 0.0 {
        kinds.len() as f64 * engineering_fte / needed
    } else {
        capacity(
            engineering_fte,
            per_engineer.first().map_or(0.0, |(_, n)| *n),
        )
    };
    Delivery {
        hubs: hubs.into_iter().collect(),
        needed_fte: needed,
        engineering_fte,
        capacity,
    }
}

/// The balancing rule: costs ≤ amount sold ≤ delivery capacity, with its three numbers.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Balance {
    pub costs: f64,
    pub sold: f64,
    pub capacity: f64,
    pub costs_covered: bool,
    pub deliverable: bool,
}

pub fn balance(costs: f64, sold: f64, capacity: f64) -> Balance {
    Balance {
        costs,
        sold,
        capacity,
        costs_covered: costs <= sold,
        deliverable: sold <= capacity,
    }
}

/// The blended hourly rate of inputs given by a user: refused unless the hours are above 0,
/// the fee a fraction below 1, and the cost and margin not negative.
pub fn checked_hourly_rate(
    burdened_annual_cost: f64,
    billable_hours: f64,
    fsp_fee: f64,
    margin: f64,
) -> Result<f64, &'static str> {
    if billable_hours.is_nan()
        || billable_hours <= 0.0
        || !(0.0..1.0).contains(&fsp_fee)
        || margin.is_nan()
        || margin < 0.0
        || burdened_annual_cost.is_nan()
        || burdened_annual_cost < 0.0
    {
        return Err("hours must be above 0, fee a fraction below 1, cost and margin not negative");
    }
    Ok(blended_hourly_rate(
        burdened_annual_cost,
        billable_hours,
        fsp_fee,
        margin,
    ))
}

/// The blended hourly rate: burdened cost ÷ billable hours × (1 + FSP fee) × (1 + margin).
pub fn blended_hourly_rate(
    burdened_annual_cost: f64,
    billable_hours: f64,
    fsp_fee: f64,
    margin: f64,
) -> f64 {
    if billable_hours <= 0.0 {
        return 0.0;
    }
    burdened_annual_cost / billable_hours * (1.0 + fsp_fee) * (1.0 + margin)
}

/// Employed (paid by band) or contracted (paid monthly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonKind {
    Employee,
    Contractor,
}

text_enum!(PersonKind, "kind", {
    Employee => "employee",
    Contractor => "contractor",
});

/// A person on the team.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonFields {
    pub name: String,
    pub email: Option<String>,
    pub github: Option<String>,
    pub kind: PersonKind,
    /// The yearly renewal as `MM-DD`, e.g. `07-01`.
    pub renewal: Option<String>,
}

impl PersonFields {
    /// The problems with these fields, as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(("name", "is required".to_owned()));
        }
        if let Some(email) = &self.email
            && !email.contains('@')
        {
            problems.push(("email", format!("{email:?} is not an email address")));
        }
        if let Some(renewal) = &self.renewal
            && renewal_day(renewal).is_none()
        {
            problems.push((
                "renewal",
                format!("{renewal:?}: expected MM-DD, e.g. 07-01"),
            ));
        }
        problems
    }
}

/// A renewal `MM-DD` as (month, day), if it is a day of the year.
pub fn renewal_day(text: &str) -> Option<(i8, i8)> {
    let (m, d) = text.trim().split_once('-')?;
    let (m, d) = (m.parse::<i8>().ok()?, d.parse::<i8>().ok()?);
    // A leap year admits 29 February.
    jiff::civil::Date::new(2024, m, d).ok().map(|_| (m, d))
}

/// A person's role for a time: level, step, part of their time, pay and funding.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AssignmentFields {
    pub role: String,
    pub level: u8,
    pub step: u8,
    pub fte: f64,
    pub start: Date,
    pub end: Option<Date>,
    /// Contractors only: the monthly payment in minor units.
    pub monthly_payment: Option<i64>,
    /// What the person does in the role, for the current-roles table.
    pub description: Option<String>,
    /// Grant codes and their shares, adding to 1.
    pub funding: Vec<(String, f64)>,
}

impl AssignmentFields {
    /// The problems with these fields for a person of `kind`, as (field, message).
    pub fn problems(&self, kind: PersonKind) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.role.trim().is_empty() {
            problems.push(("role", "is required".to_owned()));
        }
        if !(1..=20).contains(&self.level) {
            problems.push((
                "level",
                format!("{} is not a level from 1 to 20", self.level),
            ));
        }
        if !(1..=20).contains(&self.step) {
            problems.push(("step", format!("{} is not a step from 1 to 20", self.step)));
        }
        if !(self.fte > 0.0 && self.fte <= 1.0) {
            problems.push((
                "fte",
                format!(
                    "{} is not a share of full time above 0 and at most 1",
                    self.fte
                ),
            ));
        }
        if let Some(end) = self.end
            && end < self.start
        {
            problems.push(("end", format!("{end} is before the start, {}", self.start)));
        }
        match (kind, self.monthly_payment) {
            (PersonKind::Contractor, None) => {
                problems.push((
                    "monthly_payment",
                    "a contractor needs a monthly payment".to_owned(),
                ));
            }
            (PersonKind::Contractor, Some(p)) if p < 0 => {
                problems.push(("monthly_payment", "is negative".to_owned()));
            }
            (PersonKind::Employee, Some(_)) => problems.push((
                "monthly_payment",
                "an employee is paid by the salary band, not a monthly payment".to_owned(),
            )),
            _ => {}
        }
        if let Err(message) = check_funding(&self.funding) {
            problems.push(("funding", message));
        }
        problems
    }
}

/// A salary band: a ladder's annual base salary at a level and step, from a day on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Band {
    pub ladder: String,
    pub level: u8,
    pub step: u8,
    /// Minor units.
    pub annual_base: i64,
    pub effective_from: Date,
    pub note: Option<String>,
}

/// The band of (`ladder`, `level`, `step`) in force on `day`: the one with the latest
/// effective date not after it.
pub fn band_on<'a>(
    bands: &'a [Band],
    ladder: &str,
    level: u8,
    step: u8,
    day: Date,
) -> Option<&'a Band> {
    bands
        .iter()
        .filter(|b| {
            b.ladder == ladder && b.level == level && b.step == step && b.effective_from <= day
        })
        .max_by_key(|b| b.effective_from)
}

/// Every band in force on `day`, one per (ladder, level, step).
pub fn bands_on(bands: &[Band], day: Date) -> Vec<&Band> {
    let mut current: BTreeMap<(&str, u8, u8), &Band> = BTreeMap::new();
    for b in bands.iter().filter(|b| b.effective_from <= day) {
        let key = (b.ladder.as_str(), b.level, b.step);
        if current
            .get(&key)
            .is_none_or(|c| c.effective_from < b.effective_from)
        {
            current.insert(key, b);
        }
    }
    current.into_values().collect()
}

/// Why (`level`, `step`) is not on `ladder`, when the ladder has bands and none of them, of
/// any date, is at that level and step; a ladder without bands takes any level and step.
pub fn off_ladder(bands: &[Band], ladder: &str, level: u8, step: u8) -> Option<String> {
    let on: Vec<&Band> = bands.iter().filter(|b| b.ladder == ladder).collect();
    if on.is_empty() || on.iter().any(|b| b.level == level && b.step == step) {
        return None;
    }
    let levels: std::collections::BTreeSet<u8> = on.iter().map(|b| b.level).collect();
    let steps: std::collections::BTreeSet<u8> = on
        .iter()
        .filter(|b| b.level == level)
        .map(|b| b.step)
        .collect();
    let list = |set: &std::collections::BTreeSet<u8>, prefix: &str| {
        set.iter()
            .map(|x| format!("{prefix}{x}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(if steps.is_empty() {
        format!(
            "the ladder {ladder:?} has no L{level}: its levels are {}",
            list(&levels, "L")
        )
    } else {
        format!(
            "the ladder {ladder:?} has no step {step} at L{level}: its steps there are {}",
            list(&steps, "")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn funding_reads_fractions_and_percentages_and_says_what_is_wrong() {
        assert_eq!(
            parse_funding("G-1=0.6, G-2 = 40%"),
            Ok(vec![("G-1".to_owned(), 0.6), ("G-2".to_owned(), 0.4)])
        );
        assert_eq!(
            parse_funding(&funding_text(&parse_funding("A=0.25,B=0.75").unwrap())),
            parse_funding("A=0.25,B=0.75")
        );
        assert_eq!(
            parse_funding("G-1"),
            Err("\"G-1\": expected CODE=SHARE, e.g. G-1=0.6".to_owned())
        );
        assert_eq!(
            parse_funding("=0.5"),
            Err("\"=0.5\": the grant code is missing".to_owned())
        );
        assert_eq!(
            parse_funding("G-1=half"),
            Err("\"half\" is not a share such as 0.6 or 60%".to_owned())
        );
        assert_eq!(parse_funding(""), Ok(Vec::new()));
        let funding = |pairs: &[(&str, f64)]| -> Vec<(String, f64)> {
            pairs.iter().map(|(c, s)| ((*c).to_owned(), *s)).collect()
        };
        assert_eq!(
            check_funding(&funding(&[("G-1", 0.5), ("G-1", 0.5)])),
            Err("\"G-1\" is named twice: give it one share".to_owned())
        );
        assert_eq!(
            check_funding(&funding(&[(" ", 1.0)])),
            Err("a grant code is empty".to_owned())
        );
        assert_eq!(
            check_funding(&funding(&[("A,B", 1.0)])),
            Err("\"A,B\": a grant code has no comma or equals sign".to_owned())
        );
        assert_eq!(
            check_funding(&funding(&[("G-1", 0.25), ("G-2", 0.75)])),
            Ok(())
        );
    }

    #[test]
    fn a_level_or_step_off_the_ladder_is_named_and_a_ladder_without_bands_takes_any() {
        let band = |ladder: &str, level, step| Band {
            ladder: ladder.into(),
            level,
            step,
            annual_base: 100,
            effective_from: date(2025, 7, 1),
            note: None,
        };
        let bands = vec![
            band("Engineer", 1, 1),
            band("Engineer", 1, 2),
            band("Engineer", 2, 1),
            band("Lead", 3, 1),
        ];
        assert_eq!(off_ladder(&bands, "Engineer", 1, 2), None);
        assert_eq!(off_ladder(&bands, "Manager", 9, 9), None);
        assert_eq!(
            off_ladder(&bands, "Engineer", 3, 1).as_deref(),
            Some("the ladder \"Engineer\" has no L3: its levels are L1, L2")
        );
        assert_eq!(
            off_ladder(&bands, "Engineer", 2, 2).as_deref(),
            Some("the ladder \"Engineer\" has no step 2 at L2: its steps there are 1")
        );
    }

    #[test]
    fn bands_grow_ten_percent_a_level_and_two_a_step_from_the_benchmark() {
        // A benchmark of $125,000 total compensation is $100,000 base at the reference (2, 1).
        let bands = generate_bands(125_000.0, (2, 1), 3, 3, &BandRules::default());
        assert_eq!(bands[&(2, 1)], 100_000.0);
        assert_eq!(bands[&(2, 2)], 102_000.0);
        assert_eq!(bands[&(2, 3)], 104_040.0);
        assert_eq!(bands[&(3, 1)], 110_000.0);
        assert_eq!(bands[&(1, 1)], 90_909.0); // 100,000 ÷ 1.1 = 90,909.09
        assert_eq!(bands[&(3, 3)], 114_444.0); // 110,000 × 1.0404
        let raised = adjust(&bands, 3.0);
        assert_eq!((raised[&(2, 1)], raised[&(1, 1)]), (103_000.0, 93_636.0));
    }

    fn employee(start: Date, end: Option<Date>) -> Assignment {
        Assignment {
            person: "Amara".into(),
            pay: Pay::Employee {
                annual_salary: 120_000.0,
                fte: 1.0,
            },
            start,
            end,
            funding: vec![("G-1".into(), 1.0)],
        }
    }

    #[test]
    fn team_cost_follows_joining_leaving_part_time_and_split_funding() {
        let months: Vec<Month> = (0..12)
            .filter_map(|i| Month::parse("2026-01").unwrap().plus(i))
            .collect();
        // Full time from 16 April: 120,000 ÷ 12 × 1.25 = 12,500 a month, 15 of 30 days in April.
        let joiner = employee(date(2026, 4, 16), None);
        // Half time, leaving 31 August, paid from two grants 60/40.
        let mut part = employee(date(2025, 1, 1), Some(date(2026, 8, 31)));
        part.pay = Pay::Employee {
            annual_salary: 96_000.0,
            fte: 0.5,
        };
        part.funding = vec![("G-1".into(), 0.6), ("G-2".into(), 0.4)];
        // A contractor at 4,000 a month from March to June: 4,800 with overhead.
        let contractor = Assignment {
            person: "Bruno".into(),
            pay: Pay::Contractor { monthly: 4_000.0 },
            start: date(2026, 3, 1),
            end: Some(date(2026, 6, 30)),
            funding: vec![("G-2".into(), 1.0)],
        };
        let team = [joiner, part, contractor];
        let cost = team_cost(&team, &months, &CostRates::default());
        // Half-timer: 96,000 × 0.5 ÷ 12 × 1.25 = 5,000 a month through August.
        assert_eq!(cost[0], 5_000.0); // January
        assert_eq!(cost[2], 9_800.0); // March: 5,000 + 4,800
        assert_eq!(cost[3], 16_050.0); // April: 5,000 + 4,800 + 12,500 × 15/30
        assert_eq!(cost[6], 17_500.0); // July: 5,000 + 12,500
        assert_eq!(cost[8], 12_500.0); // September: the joiner alone
        let by_grant = team_cost_by_grant(&team, &months, &CostRates::default());
        let march = Month::parse("2026-03").unwrap();
        assert_eq!(by_grant[&(march, "G-1".to_owned())], 3_000.0);
        assert_eq!(by_grant[&(march, "G-2".to_owned())], 6_800.0);
    }

    #[test]
    fn funding_shares_must_add_to_one_hundred_percent() {
        assert!(check_funding(&[("G-1".into(), 0.6), ("G-2".into(), 0.4)]).is_ok());
        assert_eq!(
            check_funding(&[("G-1".into(), 0.6), ("G-2".into(), 0.3)]),
            Err("the shares add to 90%, not 100%".into())
        );
        assert!(check_funding(&[]).is_err());
        assert!(check_funding(&[("G-1".into(), 1.5), ("G-2".into(), -0.5)]).is_err());
    }

    #[test]
    fn the_blended_rate_follows_the_worked_example() {
        // $180k ÷ 900 billable hours = $200; × 1.15 (FSP fee) = $230; × 1.087 margin ≈ $250.
        assert_eq!(
            round(blended_hourly_rate(180_000.0, 900.0, 0.15, 0.0)),
            230.0
        );
        assert_eq!(
            round(blended_hourly_rate(180_000.0, 900.0, 0.0, 0.0)),
            200.0
        );
        assert_eq!(
            round(blended_hourly_rate(180_000.0, 900.0, 0.15, 0.087)),
            250.0
        );
        assert_eq!(blended_hourly_rate(180_000.0, 0.0, 0.15, 0.1), 0.0);
    }

    #[test]
    fn capacity_and_the_balancing_rule() {
        // 1.5 engineers on education hubs (22 each): 33 hubs.
        assert_eq!(capacity(1.5, 22.0), 33.0);
        let b = balance(100_000.0, 120_000.0, 110_000.0);
        assert!(b.costs_covered && !b.deliverable);
    }

    #[test]
    fn the_band_in_force_is_the_latest_from_before_the_day() {
        let band = |amount: i64, from: Date| Band {
            ladder: "Engineer".into(),
            level: 2,
            step: 1,
            annual_base: amount,
            effective_from: from,
            note: None,
        };
        let bands = [
            band(10_000_000, date(2025, 7, 1)),
            band(10_300_000, date(2026, 7, 1)),
        ];
        let on = |day| band_on(&bands, "Engineer", 2, 1, day).map(|b| b.annual_base);
        assert_eq!(on(date(2025, 6, 30)), None);
        assert_eq!(on(date(2026, 6, 30)), Some(10_000_000));
        assert_eq!(on(date(2026, 7, 1)), Some(10_300_000));
        assert_eq!(bands_on(&bands, date(2027, 1, 1)).len(), 1);
    }

    #[test]
    fn assignments_and_people_say_what_is_wrong() {
        let fields = AssignmentFields {
            role: "Engineer".into(),
            level: 2,
            step: 1,
            fte: 1.5,
            start: date(2026, 3, 1),
            end: Some(date(2026, 2, 1)),
            monthly_payment: None,
            description: None,
            funding: vec![("G-1".into(), 0.5)],
        };
        let problems: Vec<&str> = fields
            .problems(PersonKind::Contractor)
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(problems, ["fte", "end", "monthly_payment", "funding"]);
        let person = PersonFields {
            name: "Ada".into(),
            email: Some("ada".into()),
            github: None,
            kind: PersonKind::Employee,
            renewal: Some("02-30".into()),
        };
        let problems: Vec<&str> = person.problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(problems, ["email", "renewal"]);
        assert_eq!(renewal_day("07-01"), Some((7, 1)));
        assert_eq!(renewal_day("02-29"), Some((2, 29)));
    }

    #[test]
    fn delivery_capacity_follows_the_mix_of_hubs() {
        let rates: Vec<(String, f64)> = DEFAULT_HUBS_PER_ENGINEER
            .iter()
            .map(|(k, n)| ((*k).to_owned(), *n))
            .collect();
        // 22 education hubs need one engineer, 14 research hubs another: 2 FTE for 36 hubs.
        let kinds: Vec<String> = std::iter::repeat_n("education".to_owned(), 22)
            .chain(std::iter::repeat_n("research".to_owned(), 13))
            .chain(std::iter::once("unclassified".to_owned()))
            .collect();
        let d = delivery(&kinds, &rates, 3.0);
        assert!((d.needed_fte - 2.0).abs() < 1e-9, "{}", d.needed_fte);
        // Three engineers at this mix: 36 × 3 ÷ 2 = 54 hubs.
        assert!((d.capacity - 54.0).abs() < 1e-9);
        assert_eq!(
            d.hubs,
            [("education".to_owned(), 22), ("research".to_owned(), 14)]
        );
        assert_eq!(
            delivery(&[], &rates, 1.5).capacity,
            21.0,
            "no hubs: at the research rate"
        );
    }
}
