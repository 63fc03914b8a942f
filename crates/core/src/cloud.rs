//! Cloud costs and their recovery (docs/domain.md, "Cloud costs and recovery"): a shared
//! cluster's cost split among its hubs to the cent, each billing account's budget threshold
//! and the months over it, what each organization still owes of the recoverable costs
//! allocated to it, and credits held for a partner.

use std::collections::BTreeMap;

use crate::billing::allocate;
use crate::{Currency, Month, ParseError};

/// Millionths of a currency's unit: cloud bills price usage in fractions of a cent, so costs
/// are kept this fine and rounded to the minor unit only once added up.
pub const MICROS: i64 = 1_000_000;

/// A cost line as a cloud bill reports it (the FinOps FOCUS columns).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CostLine {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// The month its billing period starts in.
    pub month: Month,
    pub account: String,
    pub sub_account: Option<String>,
    pub category: Option<String>,
    /// The billed cost in millionths of `currency` (negative for a credit or a refund).
    pub amount_micros: i64,
    pub currency: Currency,
    /// The resource's tags, by name.
    pub tags: BTreeMap<String, String>,
}

/// A decimal amount such as `12.5`, `-0.0001234` or `1.2E-5` in millionths, rounded half
/// away from zero.
pub fn parse_micros(text: &str) -> Result<i64, ParseError> {
    let bad = |why: &str| ParseError::new("amount", text, why);
    let trimmed = text.trim();
    let (mantissa, exponent) = match trimmed.find(['e', 'E']) {
        Some(at) => (
            &trimmed[..at],
            trimmed[at + 1..]
                .parse::<i32>()
                .map_err(|_| bad("the exponent is not a whole number"))?,
        ),
        None => (trimmed, 0),
    };
    let (negative, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(bad("expected a decimal number such as 12.34"));
    }
    if !(-30..=30).contains(&exponent) || whole.len() + fraction.len() > 30 {
        return Err(bad("the amount is out of range"));
    }
    // The digits as a whole number, and where the point goes among them.
    let number: i128 = format!("{whole}{fraction}").parse::<i128>().unwrap_or(0);
    let point = fraction.len() as i32 - exponent - 6;
    let micros = if point <= 0 {
        number.checked_mul(
            10_i128
                .checked_pow(point.unsigned_abs())
                .ok_or_else(|| bad("the amount is out of range"))?,
        )
    } else {
        let divisor = 10_i128
            .checked_pow(point.unsigned_abs())
            .ok_or_else(|| bad("the amount is out of range"))?;
        Some((number + divisor / 2) / divisor)
    }
    .and_then(|m| i64::try_from(m).ok())
    .ok_or_else(|| bad("the amount is out of range"))?;
    Ok(if negative { -micros } else { micros })
}

/// Each cost line's identity within its billing account's month: every field but the month,
/// the account and the line, and its order among the alike ones.
pub fn identities(lines: &[CostLine]) -> Vec<String> {
    crate::text::numbered(lines.iter().map(|l| {
        let field = |v: &Option<String>| v.as_deref().unwrap_or("").replace('\u{1f}', " ");
        let tags: Vec<String> = l.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        (
            (l.month, l.account.clone()),
            [
                field(&l.sub_account),
                field(&l.category),
                l.amount_micros.to_string(),
                l.currency.as_str().to_owned(),
                tags.join("\u{1e}").replace('\u{1f}', " "),
            ]
            .join("\u{1f}"),
        )
    }))
}

/// Millionths of `currency` in its minor units, rounded half away from zero.
pub fn minor_of_micros(micros: i64, currency: Currency) -> i64 {
    let per_minor = i128::from(MICROS) / i128::from(currency.scale()).max(1);
    let m = i128::from(micros);
    let rounded = (m + m.signum() * per_minor / 2) / per_minor;
    i64::try_from(rounded).unwrap_or(if m < 0 { i64::MIN } else { i64::MAX })
}

/// A hundred percent, in the basis points fixed shares are written in.
pub const WHOLE: i64 = 10_000;

/// How a shared cluster's cost is split among its hubs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum SplitRule {
    /// By each hub's monthly active users in the cost's month (the default).
    Usage,
    /// By fixed shares, in basis points adding up to [`WHOLE`].
    Fixed { shares: Vec<(String, i64)> },
    /// The same to every hub.
    Even,
}

impl SplitRule {
    /// Reads a rule as typed: `usage`, `even`, or `fixed HUB=PERCENT, HUB=PERCENT…` (the
    /// percentages with at most two decimals, adding up to 100).
    pub fn parse(text: &str) -> Result<SplitRule, ParseError> {
        let trimmed = text.trim();
        let bad = |why: String| ParseError::new("split", trimmed, &why);
        match trimmed.to_ascii_lowercase().as_str() {
            "usage" | "" => return Ok(SplitRule::Usage),
            "even" | "evenly" => return Ok(SplitRule::Even),
            _ => {}
        }
        let list = trimmed
            .strip_prefix("fixed")
            .or_else(|| trimmed.strip_prefix("Fixed"))
            .unwrap_or(trimmed);
        let mut shares: Vec<(String, i64)> = Vec::new();
        for part in list
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let Some((hub, percent)) = part.split_once('=') else {
                return Err(bad(format!(
                    "expected usage, even, or fixed shares such as fixed hub-a=60, hub-b=40 (not {part:?})"
                )));
            };
            let hub = hub.trim();
            if hub.is_empty() {
                return Err(bad(format!("the share {part:?} names no hub")));
            }
            if shares.iter().any(|(h, _)| h == hub) {
                return Err(bad(format!("{hub} has two shares")));
            }
            let points =
                crate::Money::parse(percent.trim().trim_end_matches('%'), crate::Currency::USD)
                    .map_err(|_| {
                        bad(format!(
                            "the share of {hub} is not a percentage such as 60 or 33.33"
                        ))
                    })?
                    .minor;
            if points < 0 {
                return Err(bad(format!("the share of {hub} is negative")));
            }
            shares.push((hub.to_owned(), points));
        }
        let sum: i64 = shares.iter().map(|(_, s)| s).sum();
        if shares.is_empty() {
            return Err(bad("fixed shares name no hub".into()));
        }
        if sum != WHOLE {
            return Err(bad(format!(
                "the shares add up to {}%, not 100%",
                percent_text(sum)
            )));
        }
        Ok(SplitRule::Fixed { shares })
    }
}

impl std::fmt::Display for SplitRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SplitRule::Usage => f.write_str("usage"),
            SplitRule::Even => f.write_str("even"),
            SplitRule::Fixed { shares } => {
                let list: Vec<String> = shares
                    .iter()
                    .map(|(hub, s)| format!("{hub}={}", percent_text(*s)))
                    .collect();
                write!(f, "fixed {}", list.join(", "))
            }
        }
    }
}

/// `amount_minor` split among `hubs` (each with its monthly active users) by `rule`, adding up
/// exactly to it: the minor units left by rounding down go one each to the largest shares
/// first. By usage, hubs without users get nothing, and a month without any user splits
/// evenly; fixed shares name their hubs and must add up to 100%.
pub fn split(
    amount_minor: i64,
    rule: &SplitRule,
    hubs: &[(String, i64)],
) -> Result<Vec<(String, i64)>, String> {
    let weighted: Vec<(String, i64)> = match rule {
        SplitRule::Fixed { shares } => {
            if shares.is_empty() {
                return Err("fixed shares name no hub".into());
            }
            if let Some((hub, share)) = shares.iter().find(|(_, s)| *s < 0) {
                return Err(format!("the share of {hub} is negative ({share})"));
            }
            let sum: i64 = shares.iter().map(|(_, s)| s).sum();
            if sum != WHOLE {
                return Err(format!(
                    "fixed shares add up to {}%, not 100%",
                    percent_text(sum)
                ));
            }
            shares.clone()
        }
        _ if hubs.is_empty() => {
            return Err("the cluster has no hubs to split its cost among".into());
        }
        SplitRule::Usage if hubs.iter().any(|(_, users)| *users > 0) => hubs.to_vec(),
        SplitRule::Usage | SplitRule::Even => hubs.iter().map(|(h, _)| (h.clone(), 1)).collect(),
    };
    let weights: Vec<i64> = weighted.iter().map(|(_, w)| *w).collect();
    Ok(weighted
        .into_iter()
        .map(|(hub, _)| hub)
        .zip(allocate(amount_minor, &weights))
        .collect())
}

/// Basis points as a percentage: `6000` is "60", `3333` is "33.33".
pub fn percent_text(basis_points: i64) -> String {
    let whole = basis_points / 100;
    match basis_points % 100 {
        0 => whole.to_string(),
        part => format!("{whole}.{:02}", part.abs())
            .trim_end_matches('0')
            .to_owned(),
    }
}

/// Months before a month whose mean sets its budget threshold.
pub const THRESHOLD_MONTHS: i32 = 3;

/// A billing account's month above its budget threshold: the mean of its previous three
/// months × 1.2 (a month without costs counts nothing), rounded to the minor unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Overrun {
    pub account: String,
    pub month: Month,
    pub amount_minor: i64,
    pub threshold_minor: i64,
    /// By how much the month went over its threshold.
    pub over_minor: i64,
}

/// The budget threshold after three months costing `previous` in all: their mean × 1.2, that
/// is `previous` × 0.4, rounded half away from zero to the minor unit.
pub fn threshold(previous: i64) -> i64 {
    let tenfold = i128::from(previous) * 4;
    let rounded = (tenfold + 5 * tenfold.signum()) / 10;
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// Every overrun of `costs` (account, month, amount; several of one account and month add
/// up), by account and month. An account's first three months have no threshold.
pub fn overruns(costs: &[(String, Month, i64)]) -> Vec<Overrun> {
    let mut by_account: BTreeMap<&str, BTreeMap<Month, i64>> = BTreeMap::new();
    for (account, month, amount) in costs {
        *by_account
            .entry(account.as_str())
            .or_default()
            .entry(*month)
            .or_default() += amount;
    }
    let mut found = Vec::new();
    for (account, months) in by_account {
        let Some(first) = months.keys().next().copied() else {
            continue;
        };
        for (&month, &amount) in &months {
            let Some(start) = month.plus(-THRESHOLD_MONTHS) else {
                continue;
            };
            if start < first {
                continue;
            }
            let previous: i64 = months.range(start..month).map(|(_, a)| a).sum();
            let limit = threshold(previous);
            if amount > limit {
                found.push(Overrun {
                    account: account.to_owned(),
                    month,
                    amount_minor: amount,
                    threshold_minor: limit,
                    over_minor: amount - limit,
                });
            }
        }
    }
    found
}

/// What was decided about an overrun.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "decision")]
pub enum Decision {
    /// The organisation bears it.
    Absorb,
    /// The community is billed for it.
    Recover,
    /// The community is billed for it less a discount.
    Discount { amount_minor: i64 },
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Absorb => "absorb",
            Decision::Recover => "recover",
            Decision::Discount { .. } => "discount",
        }
    }

    /// A decision as typed: `absorb`, `recover`, or `discount` with the discount in minor
    /// units (which only a discount takes, and must be more than nothing).
    pub fn parse(text: &str, discount_minor: Option<i64>) -> Result<Decision, ParseError> {
        match (text.trim().to_ascii_lowercase().as_str(), discount_minor) {
            ("absorb", None) => Ok(Decision::Absorb),
            ("recover", None) => Ok(Decision::Recover),
            ("discount", Some(amount_minor)) if amount_minor > 0 => {
                Ok(Decision::Discount { amount_minor })
            }
            ("discount", Some(_)) => Err(ParseError::new(
                "amount",
                text,
                "a discount is an amount more than nothing",
            )),
            ("discount", None) => Err(ParseError::new(
                "amount",
                text,
                "a discount needs its amount",
            )),
            ("absorb" | "recover", Some(_)) => Err(ParseError::new(
                "amount",
                text,
                "only a discount takes an amount",
            )),
            _ => Err(ParseError::new(
                "decision",
                text,
                "expected absorb, recover or discount",
            )),
        }
    }

    /// How much of a recoverable month of `amount_minor` that went `over_minor` over its
    /// threshold the organisation bears: the overrun when absorbed, the discount (at most the
    /// month's cost) when discounted, nothing when recovered.
    pub fn absorbed(self, amount_minor: i64, over_minor: i64) -> i64 {
        match self {
            Decision::Absorb => over_minor.clamp(0, amount_minor.max(0)),
            Decision::Recover => 0,
            Decision::Discount { amount_minor: d } => d.clamp(0, amount_minor.max(0)),
        }
    }

    /// In words: "absorb", "recover", "discount of $120.00".
    pub fn words(self, currency: Currency) -> String {
        match self {
            Decision::Discount { amount_minor } => format!(
                "discount of {}",
                crate::Money::from_minor(amount_minor, currency).text()
            ),
            other => other.as_str().to_owned(),
        }
    }
}

/// What a mapping matches a cost line by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Match {
    /// The billing account's id.
    Account { value: String },
    /// The sub-account's id (a project, a subscription).
    SubAccount { value: String },
    /// A tag's value.
    Tag { tag: String, value: String },
}

impl Match {
    /// The kind's name as stored and typed: `account`, `sub-account` or `tag`.
    pub fn kind(&self) -> &'static str {
        match self {
            Match::Account { .. } => "account",
            Match::SubAccount { .. } => "sub-account",
            Match::Tag { .. } => "tag",
        }
    }

    /// The match of `kind` with `tag` (for a tag) and `value`.
    pub fn new(kind: &str, tag: &str, value: &str) -> Result<Match, ParseError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(ParseError::new(
                "value",
                value,
                "a mapping needs a value to match",
            ));
        }
        let value = value.to_owned();
        match kind {
            "account" => Ok(Match::Account { value }),
            "sub-account" => Ok(Match::SubAccount { value }),
            "tag" if tag.trim().is_empty() => Err(ParseError::new(
                "tag",
                tag,
                "a tag mapping names its tag: tag NAME=VALUE",
            )),
            "tag" => Ok(Match::Tag {
                tag: tag.trim().to_owned(),
                value,
            }),
            other => Err(ParseError::new(
                "kind",
                other,
                "expected account, sub-account or tag",
            )),
        }
    }

    /// The tag it matches (empty but for tags) and the value.
    pub fn parts(&self) -> (&str, &str) {
        match self {
            Match::Account { value } | Match::SubAccount { value } => ("", value),
            Match::Tag { tag, value } => (tag, value),
        }
    }

    /// Whether `line` is matched.
    pub fn matches(&self, line: &CostLine) -> bool {
        match self {
            Match::Account { value } => &line.account == value,
            Match::SubAccount { value } => line.sub_account.as_ref() == Some(value),
            Match::Tag { tag, value } => line.tags.get(tag) == Some(value),
        }
    }

    /// How specific it is: a tag names a resource, a sub-account a project, an account a bill.
    fn rank(&self) -> u8 {
        match self {
            Match::Tag { .. } => 0,
            Match::SubAccount { .. } => 1,
            Match::Account { .. } => 2,
        }
    }
}

impl std::fmt::Display for Match {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Match::Account { value } => write!(f, "account {value}"),
            Match::SubAccount { value } => write!(f, "sub-account {value}"),
            Match::Tag { tag, value } => write!(f, "tag {tag}={value}"),
        }
    }
}

/// Which cluster (`C`) a billing account, sub-account or tag stands for, and whether its
/// costs are recovered from the community or absorbed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mapping<C> {
    pub matches: Match,
    pub target: C,
    pub recoverable: bool,
}

/// The mapping a cost line follows: the most specific that matches it, a tag's before the
/// sub-account's before the account's, and among tags the first by name.
pub fn mapped<'m, C>(line: &CostLine, mappings: &'m [Mapping<C>]) -> Option<&'m Mapping<C>> {
    mappings
        .iter()
        .filter(|m| m.matches.matches(line))
        .min_by(|a, b| (a.matches.rank(), &a.matches).cmp(&(b.matches.rank(), &b.matches)))
}

/// One organization's month of recoverable cloud costs against what was billed for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecoveryMonth<K> {
    pub organization: K,
    pub month: Month,
    /// Recoverable cost allocated to the organization for the month.
    pub recoverable_minor: i64,
    /// Cloud invoices billed to it for the month (not void).
    pub billed_minor: i64,
    /// Recoverable less billed: nothing when the month is recovered.
    pub unrecovered_minor: i64,
}

/// Each organization's months with recoverable costs or cloud invoices, by organization and
/// month: what was recoverable, what was billed, and what is left unrecovered.
pub fn recovery<K: Ord + Clone>(
    recoverable: &BTreeMap<(K, Month), i64>,
    billed: &BTreeMap<(K, Month), i64>,
) -> Vec<RecoveryMonth<K>> {
    let keys: std::collections::BTreeSet<&(K, Month)> =
        recoverable.keys().chain(billed.keys()).collect();
    keys.into_iter()
        .map(|key| {
            let r = recoverable.get(key).copied().unwrap_or(0);
            let b = billed.get(key).copied().unwrap_or(0);
            RecoveryMonth {
                organization: key.0.clone(),
                month: key.1,
                recoverable_minor: r,
                billed_minor: b,
                unrecovered_minor: r - b,
            }
        })
        .collect()
}

/// The organisation's recovery ratio over `months`: billed ÷ recoverable, over every
/// organization's months in the range; none without recoverable costs.
pub fn recovery_ratio<K>(
    rows: &[RecoveryMonth<K>],
    months: std::ops::RangeInclusive<Month>,
) -> Option<f64> {
    let (recoverable, billed) = rows
        .iter()
        .filter(|r| months.contains(&r.month))
        .fold((0_i64, 0_i64), |(r, b), row| {
            (r + row.recoverable_minor, b + row.billed_minor)
        });
    (recoverable > 0).then(|| billed as f64 / recoverable as f64)
}

/// Credits held for a partner: what is left, what its costs draw each month, and how long the
/// rest lasts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Credit {
    pub balance_minor: i64,
    /// The mean of the last three months' costs, rounded half away from zero.
    pub burn_minor: i64,
    /// Balance ÷ burn; none when nothing is drawn, nothing when nothing is left.
    pub months_left: Option<f64>,
}

/// Credits of `held_minor` drawn down by the partner's monthly costs `drawn` (oldest first).
pub fn credit(held_minor: i64, drawn: &[i64]) -> Credit {
    let balance = held_minor - drawn.iter().sum::<i64>();
    let last: Vec<i64> = drawn
        .iter()
        .rev()
        .take(THRESHOLD_MONTHS as usize)
        .copied()
        .collect();
    let burn = if last.is_empty() {
        0
    } else {
        let n = last.len() as i64;
        let sum: i64 = last.iter().sum();
        (2 * sum + n * sum.signum()) / (2 * n)
    };
    Credit {
        balance_minor: balance,
        burn_minor: burn,
        months_left: if balance <= 0 {
            Some(0.0)
        } else if burn > 0 {
            Some(balance as f64 / burn as f64)
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hubs(list: &[(&str, i64)]) -> Vec<(String, i64)> {
        list.iter().map(|(h, u)| ((*h).to_owned(), *u)).collect()
    }

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn a_shared_clusters_cost_splits_to_the_cent() {
        // $1,000.00 by usage among 120, 60 and 20 users: 60%, 30%, 10%.
        let by_usage = split(
            100_000,
            &SplitRule::Usage,
            &hubs(&[("a", 120), ("b", 60), ("c", 20)]),
        )
        .unwrap();
        assert_eq!(
            by_usage,
            hubs(&[("a", 60_000), ("b", 30_000), ("c", 10_000)])
        );
        // $100.00 evenly among three: 3333.33… each, the cent left to the first.
        let even = split(
            10_000,
            &SplitRule::Even,
            &hubs(&[("a", 5), ("b", 0), ("c", 9)]),
        )
        .unwrap();
        assert_eq!(even, hubs(&[("a", 3_334), ("b", 3_333), ("c", 3_333)]));
        // $10.01 by usage with no one active is even; by 2:1, 667.33 and 333.67 cents:
        // rounded down to 667 and 333, the cent left to the larger share.
        let no_one = split(1_001, &SplitRule::Usage, &hubs(&[("a", 0), ("b", 0)])).unwrap();
        assert_eq!(no_one, hubs(&[("a", 501), ("b", 500)]));
        let two_to_one = split(1_001, &SplitRule::Usage, &hubs(&[("a", 2), ("b", 1)])).unwrap();
        assert_eq!(two_to_one, hubs(&[("a", 668), ("b", 333)]));
        // Fixed shares: 33.34%, 33.33%, 33.33% of $0.10 are 3.334, 3.333, 3.333 cents: 4, 3, 3.
        let fixed = SplitRule::Fixed {
            shares: hubs(&[("a", 3_334), ("b", 3_333), ("c", 3_333)]),
        };
        assert_eq!(
            split(10, &fixed, &[]).unwrap(),
            hubs(&[("a", 4), ("b", 3), ("c", 3)])
        );
        let short = SplitRule::Fixed {
            shares: hubs(&[("a", 6_000), ("b", 3_950)]),
        };
        assert_eq!(
            split(10, &short, &[]).unwrap_err(),
            "fixed shares add up to 99.5%, not 100%"
        );
        assert!(split(10, &SplitRule::Even, &[]).is_err());
    }

    #[test]
    fn a_month_over_its_accounts_threshold_is_an_overrun() {
        let costs: Vec<(String, Month, i64)> = [
            ("acct-1", "2026-01", 100_000),
            ("acct-1", "2026-02", 110_000),
            ("acct-1", "2026-03", 90_000),
            // Threshold: (1,000 + 1,100 + 900) / 3 × 1.2 = $1,200.00; $1,200.01 is over.
            ("acct-1", "2026-04", 120_001),
            // Threshold: (1,100 + 900 + 1,200.01) / 3 × 1.2 = $1,280.004, so $1,280.00.
            ("acct-1", "2026-05", 100_000),
            ("acct-1", "2026-05", 28_000),
            // A month without costs counts nothing: (1,280 + 0 + 0)/3 × 1.2 = $512.00.
            ("acct-1", "2026-08", 51_201),
            // Too young for a threshold.
            ("acct-2", "2026-07", 5_000),
            ("acct-2", "2026-08", 900_000),
        ]
        .iter()
        .map(|(a, m, x)| ((*a).to_owned(), month(m), *x))
        .collect();
        let found: Vec<(String, i64, i64, i64)> = overruns(&costs)
            .into_iter()
            .map(|o| {
                (
                    o.month.to_string(),
                    o.amount_minor,
                    o.threshold_minor,
                    o.over_minor,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("2026-04".to_owned(), 120_001, 120_000, 1),
                ("2026-08".to_owned(), 51_201, 51_200, 1),
            ]
        );
        assert_eq!(threshold(300_010), 120_004, "1,200.04 exactly");
        assert_eq!(threshold(1), 0, "0.4 of a cent rounds to nothing");
        assert_eq!(threshold(2), 1, "0.8 of a cent rounds to one");
    }

    #[test]
    fn every_month_not_recovered_is_listed_with_what_is_left() {
        let key = |o: &str, m: &str| (o.to_owned(), month(m));
        let recoverable = BTreeMap::from([
            (key("atlantis", "2026-09"), 50_000),
            (key("atlantis", "2026-10"), 60_000),
            (key("harbour", "2026-10"), 20_000),
        ]);
        let billed = BTreeMap::from([
            (key("atlantis", "2026-09"), 50_000),
            (key("atlantis", "2026-10"), 45_000),
            // Billed for a month with nothing recoverable: over-recovered.
            (key("harbour", "2026-11"), 1_000),
        ]);
        let rows = recovery(&recoverable, &billed);
        let gaps: Vec<(&str, String, i64)> = rows
            .iter()
            .filter(|r| r.unrecovered_minor != 0)
            .map(|r| {
                (
                    r.organization.as_str(),
                    r.month.to_string(),
                    r.unrecovered_minor,
                )
            })
            .collect();
        assert_eq!(
            gaps,
            [
                ("atlantis", "2026-10".to_owned(), 15_000),
                ("harbour", "2026-10".to_owned(), 20_000),
                ("harbour", "2026-11".to_owned(), -1_000),
            ]
        );
        // September to November: 96,000 billed of 130,000 recoverable.
        let ratio = recovery_ratio(&rows, month("2026-09")..=month("2026-11")).unwrap();
        assert!((ratio - 96_000.0 / 130_000.0).abs() < 1e-12, "{ratio}");
        assert_eq!(
            recovery_ratio(&rows, month("2026-11")..=month("2026-11")),
            None
        );
    }

    #[test]
    fn amounts_are_read_to_the_millionth_and_rounded_to_the_cent_once() {
        for (text, micros) in [
            ("12.5", 12_500_000),
            ("-0.0001234", -123),
            ("0.0000005", 1),
            ("-0.0000005", -1),
            ("0.00000049", 0),
            ("1.2E-3", 1_200),
            ("3e2", 300_000_000),
            (".5", 500_000),
            ("+7.", 7_000_000),
        ] {
            assert_eq!(parse_micros(text).ok(), Some(micros), "{text}");
        }
        for bad in ["", "-", "1,5", "ten", "1e", "1e99", "0x10", "1.2.3"] {
            assert!(parse_micros(bad).is_err(), "{bad:?}");
        }
        // Three costs of $0.004 each are $0.012: one cent added up, none rounded one by one.
        assert_eq!(minor_of_micros(3 * 4_000, Currency::USD), 1);
        assert_eq!(
            minor_of_micros(5_000, Currency::USD),
            1,
            "half a cent rounds up"
        );
        assert_eq!(
            minor_of_micros(-5_000, Currency::USD),
            -1,
            "and a credit's down"
        );
        assert_eq!(
            minor_of_micros(1_500_000, Currency::parse("JPY").unwrap()),
            2
        );
    }

    #[test]
    fn credits_last_as_long_as_their_balance_at_the_recent_burn() {
        // $10,000 held; $1,000, $1,500, $2,000 and $2,500 drawn: $3,000 left at a burn of
        // (1,500 + 2,000 + 2,500) / 3 = $2,000 a month: a month and a half.
        let c = credit(1_000_000, &[100_000, 150_000, 200_000, 250_000]);
        assert_eq!((c.balance_minor, c.burn_minor), (300_000, 200_000));
        assert_eq!(c.months_left, Some(1.5));
        // $0.01, $0.01, $0.02: a burn of 1.33… cents rounds to one.
        assert_eq!(credit(100, &[1, 1, 2]).burn_minor, 1);
        // $0.01 and $0.02: 1.5 cents rounds half away from zero to two.
        assert_eq!(credit(100, &[1, 2]).burn_minor, 2);
        assert_eq!(credit(5_000, &[]).months_left, None, "nothing drawn yet");
        assert_eq!(credit(5_000, &[6_000]).months_left, Some(0.0), "spent");
        assert_eq!(percent_text(6_000), "60");
        assert_eq!(percent_text(3_333), "33.33");
        assert_eq!(percent_text(9_950), "99.5");
    }

    fn line(account: &str, sub: Option<&str>, tags: &[(&str, &str)]) -> CostLine {
        CostLine {
            line: 2,
            month: month("2026-10"),
            account: account.into(),
            sub_account: sub.map(Into::into),
            category: None,
            amount_micros: MICROS,
            currency: Currency::USD,
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn a_cost_follows_the_most_specific_mapping() {
        let mapping = |kind: &str, tag: &str, value: &str, target: &str| Mapping {
            matches: Match::new(kind, tag, value).unwrap(),
            target: target.to_owned(),
            recoverable: true,
        };
        let mappings = vec![
            mapping("account", "", "111", "shared"),
            mapping("sub-account", "", "proj-a", "alpha"),
            mapping("tag", "hub", "beta", "beta"),
            mapping("tag", "cluster", "gamma", "gamma"),
        ];
        let target = |l: &CostLine| mapped(l, &mappings).map(|m| m.target.as_str());
        assert_eq!(target(&line("111", None, &[])), Some("shared"));
        assert_eq!(target(&line("111", Some("proj-a"), &[])), Some("alpha"));
        assert_eq!(
            target(&line("111", Some("proj-a"), &[("hub", "beta")])),
            Some("beta")
        );
        // Two tags match: the first by the tag's name.
        assert_eq!(
            target(&line("999", None, &[("hub", "beta"), ("cluster", "gamma")])),
            Some("gamma")
        );
        assert_eq!(target(&line("999", Some("proj-z"), &[("hub", "x")])), None);
        assert!(Match::new("tag", "", "x").is_err());
        assert!(Match::new("account", "", " ").is_err());
        assert!(Match::new("project", "", "x").is_err());
    }

    #[test]
    fn a_decision_says_how_much_of_an_overrun_is_borne() {
        // A month of $1,500.00 over its $1,200.00 threshold by $300.00.
        assert_eq!(Decision::Absorb.absorbed(150_000, 30_000), 30_000);
        assert_eq!(Decision::Recover.absorbed(150_000, 30_000), 0);
        assert_eq!(
            Decision::Discount {
                amount_minor: 10_000
            }
            .absorbed(150_000, 30_000),
            10_000
        );
        // A discount is at most the month's cost.
        assert_eq!(
            Decision::Discount {
                amount_minor: 900_000
            }
            .absorbed(150_000, 30_000),
            150_000
        );
        assert_eq!(
            Decision::Discount {
                amount_minor: 10_000
            }
            .words(Currency::USD),
            "discount of $100.00"
        );
    }

    #[test]
    fn split_rules_and_decisions_are_read_as_typed() {
        assert_eq!(SplitRule::parse("usage").unwrap(), SplitRule::Usage);
        assert_eq!(SplitRule::parse(" Even ").unwrap(), SplitRule::Even);
        let fixed = SplitRule::parse("fixed east=66.67, west=33.33").unwrap();
        assert_eq!(
            fixed,
            SplitRule::Fixed {
                shares: vec![("east".into(), 6667), ("west".into(), 3333)]
            }
        );
        assert_eq!(fixed.to_string(), "fixed east=66.67, west=33.33");
        assert_eq!(SplitRule::parse(&fixed.to_string()).unwrap(), fixed);
        let err = SplitRule::parse("fixed east=60, west=30").unwrap_err();
        assert!(err.to_string().contains("90%"), "{err}");
        assert!(SplitRule::parse("fixed east=60, east=40").is_err());
        assert!(SplitRule::parse("fixed east=sixty").is_err());
        assert!(SplitRule::parse("by the moon").is_err());
        assert_eq!(Decision::parse("Absorb", None).unwrap(), Decision::Absorb);
        assert_eq!(
            Decision::parse("discount", Some(500)).unwrap(),
            Decision::Discount { amount_minor: 500 }
        );
        assert!(Decision::parse("discount", None).is_err());
        assert!(Decision::parse("discount", Some(0)).is_err());
        assert!(Decision::parse("recover", Some(5)).is_err());
        assert!(Decision::parse("forgive", None).is_err());
    }

    proptest::proptest! {
        #[test]
        fn a_split_adds_up_exactly_and_follows_usage(
            amount in -10_000_000_i64..10_000_000,
            users in proptest::collection::vec(0_i64..5_000, 1..12),
        ) {
            let list: Vec<(String, i64)> =
                users.iter().enumerate().map(|(i, u)| (format!("hub-{i}"), *u)).collect();
            for rule in [SplitRule::Usage, SplitRule::Even] {
                let shares = split(amount, &rule, &list).unwrap();
                proptest::prop_assert_eq!(shares.iter().map(|(_, a)| a).sum::<i64>(), amount);
                if rule == SplitRule::Usage && amount >= 0 && users.iter().any(|u| *u > 0) {
                    // More users never means a smaller share.
                    for (i, j) in (0..users.len()).flat_map(|i| (0..users.len()).map(move |j| (i, j))) {
                        if users[i] > users[j] {
                            proptest::prop_assert!(shares[i].1 >= shares[j].1);
                        }
                    }
                }
            }
        }
    }
}
