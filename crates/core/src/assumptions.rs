//! The assumptions behind every report: when the books closed, cash, costs, the sponsor's fee,
//! the Monte Carlo settings, the bands of each indicator and the conversion rates. They are
//! versioned: every report says which version made it.

use crate::forecast::{Bands, HealthAssumptions, MonteCarlo};
use crate::{Month, ParseError};

/// One version of the assumptions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Assumptions {
    /// The last month whose accounting is final; projections start the month after.
    pub books_closed: Option<Month>,
    pub net_assets: f64,
    /// Monthly costs without the sponsor's fee, as typed in.
    pub monthly_costs: f64,
    /// Where the scorecard's monthly costs come from: the typed-in `monthly_costs`, or the
    /// team's cost (assignments and bands) plus `non_personnel_costs` ([`Assumptions::costs_from`]).
    pub costs_from_team: bool,
    /// The costs come from the actuals of the last three closed months (over `costs_from_team`).
    pub costs_from_actuals: bool,
    /// The costs are the best available (over the two above): the actuals, then the team's,
    /// then the typed-in. Versions written before it existed read as the source they named.
    #[serde(default)]
    pub costs_from_best: bool,
    /// Monthly costs besides the team's, added when the costs come from the team.
    pub non_personnel_costs: f64,
    pub fsp_fee: f64,
    pub mc_runs: u32,
    pub mc_seed: u64,
    /// How many years from the projection start the forecast looks ahead.
    pub horizon_years: u32,
    /// The month (1 to 12) the organisation's fiscal year starts in.
    pub fiscal_year_start: u8,
    pub percentile_low: f64,
    pub percentile_high: f64,
    pub runway_bands: Bands,
    pub coverage_bands: Bands,
    pub pipeline_bands: Bands,
    /// Renewal conversion, for FMRR.
    pub rho: f64,
    /// New-prospect conversion, for FMRR.
    pub eta: f64,
    /// The probability that cash stays at or above zero for the twelve months after a hire's
    /// start that makes the hire affordable.
    pub hire_confidence: f64,
    /// Probabilities that replace a stage's default in the forecast, by stage name
    /// (`stage.Proposal=0.35`); deals with a probability of their own keep it.
    pub stage_probabilities: std::collections::BTreeMap<String, f64>,
    /// Clusters whose name contains one of these are left out of usage.
    pub usage_exclusions: Vec<String>,
    /// (cluster substring, from, to): samples left out for a window of dates.
    pub usage_windows: Vec<(String, crate::Date, crate::Date)>,
    /// The marginal price tiers of the usage fee.
    pub usage_tiers: Vec<crate::usage::Tier>,
    /// Hubs one engineer can operate, by kind of service (the first is the kind of a hub
    /// whose community names none).
    pub hubs_per_engineer: Vec<(String, f64)>,
}

impl Default for Assumptions {
    fn default() -> Self {
        let health = HealthAssumptions::default();
        let mc = MonteCarlo::default();
        Assumptions {
            books_closed: None,
            net_assets: 0.0,
            monthly_costs: 0.0,
            costs_from_team: false,
            costs_from_actuals: false,
            costs_from_best: true,
            non_personnel_costs: 0.0,
            fsp_fee: health.fsp_fee,
            mc_runs: mc.runs,
            mc_seed: mc.seed,
            horizon_years: crate::forecast::DEFAULT_HORIZON_YEARS,
            fiscal_year_start: 1,
            percentile_low: mc.low,
            percentile_high: mc.high,
            runway_bands: health.runway,
            coverage_bands: health.coverage,
            pipeline_bands: health.pipeline,
            rho: 0.8,
            eta: 0.3,
            hire_confidence: 0.9,
            stage_probabilities: std::collections::BTreeMap::new(),
            usage_exclusions: crate::usage::Exclusions::organisation_default().substrings,
            usage_windows: Vec::new(),
            usage_tiers: crate::usage::DEFAULT_TIERS.to_vec(),
            hubs_per_engineer: crate::people::DEFAULT_HUBS_PER_ENGINEER
                .iter()
                .map(|(k, n)| ((*k).to_owned(), *n))
                .collect(),
        }
    }
}

/// Where the scorecard's monthly costs come from (the assumption `costs-from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostsFrom {
    /// The typed-in `monthly-costs`.
    Typed,
    /// The team's cost plus `non-personnel-costs`.
    Team,
    /// The mean costs of the last three closed months' actuals.
    Actuals,
    /// The best of these available: the actuals once a month with actuals is closed, else
    /// the team's cost when the team costs anything, else the typed-in.
    Best,
}

text_enum!(CostsFrom, "costs-from", {
    Typed => "typed",
    Team => "team",
    Actuals => "actuals",
    Best => "best",
});

/// The most Monte Carlo runs a forecast draws: with the longest horizon their months take
/// 50,000 × 240 × 8 bytes, under 100 MB.
pub const MAX_MC_RUNS: u32 = 50_000;

/// What an assumption is, for the people who set it: a label, its unit and one sentence of
/// help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct About {
    pub label: &'static str,
    pub unit: &'static str,
    pub help: &'static str,
}

/// What each key of [`KEYS`] is; a stage's probability (`stage.NAME`) is described by
/// [`about`].
const ABOUT: [(&str, About); 22] = [
    (
        "books-closed",
        About {
            label: "Books closed",
            unit: "month",
            help: "The last month whose accounting is final; the forecast starts the month after.",
        },
    ),
    (
        "net-assets",
        About {
            label: "Net assets",
            unit: "dollars",
            help: "The cash the organisation holds when the forecast starts; the runway spends it down.",
        },
    ),
    (
        "monthly-costs",
        About {
            label: "Monthly costs",
            unit: "dollars a month",
            help: "What the organisation spends a month, when the costs are typed in.",
        },
    ),
    (
        "costs-from",
        About {
            label: "Costs from",
            unit: "best, typed, team or actuals",
            help: "Whether the scorecard weighs the typed monthly costs, the team's cost plus the non-personnel costs, the mean costs of the last three closed months (without the sponsor's fee and recoverable cloud costs), or the best of these available: the actuals once a month is closed, else the team's, else the typed.",
        },
    ),
    (
        "non-personnel-costs",
        About {
            label: "Non-personnel costs",
            unit: "dollars a month",
            help: "What is spent a month besides the team, added to the team's cost when costs come from the team.",
        },
    ),
    (
        "fsp-fee",
        About {
            label: "Fiscal sponsor's fee",
            unit: "share of revenue",
            help: "The share of revenue the fiscal sponsor keeps.",
        },
    ),
    (
        "mc-runs",
        About {
            label: "Monte Carlo runs",
            unit: "runs",
            help: "How many scenarios the forecast draws for its pessimistic and optimistic range.",
        },
    ),
    (
        "mc-seed",
        About {
            label: "Monte Carlo seed",
            unit: "number",
            help: "The seed of the draws, so the same records give the same range.",
        },
    ),
    (
        "horizon-years",
        About {
            label: "Forecast horizon",
            unit: "years",
            help: "How far ahead the forecast looks; deals running longer are cut there and flagged.",
        },
    ),
    (
        "fiscal-year-start",
        About {
            label: "Fiscal year starts in",
            unit: "month, 1 to 12",
            help: "The month the fiscal year starts in; the forecast adds up its quarters and years from it.",
        },
    ),
    (
        "percentile-low",
        About {
            label: "Pessimistic percentile",
            unit: "percentile",
            help: "The percentile of the scenarios shown as the pessimistic line.",
        },
    ),
    (
        "percentile-high",
        About {
            label: "Optimistic percentile",
            unit: "percentile",
            help: "The percentile of the scenarios shown as the optimistic line.",
        },
    ),
    (
        "runway-bands",
        About {
            label: "Runway bands",
            unit: "months: yellow, green, over",
            help: "Where the runway turns yellow, green and more than needed.",
        },
    ),
    (
        "coverage-bands",
        About {
            label: "Cost coverage bands",
            unit: "ratios: yellow, green, over",
            help: "Where cost coverage turns yellow, green and more than needed.",
        },
    ),
    (
        "pipeline-bands",
        About {
            label: "Pipeline coverage bands",
            unit: "ratios: yellow, green, over",
            help: "Where pipeline coverage turns yellow, green and more than needed.",
        },
    ),
    (
        "rho",
        About {
            label: "Renewal conversion (ρ)",
            unit: "share",
            help: "The share of open renewals' monthly revenue that FMRR counts.",
        },
    ),
    (
        "eta",
        About {
            label: "New business conversion (η)",
            unit: "share",
            help: "The share of open new deals' monthly revenue that FMRR counts.",
        },
    ),
    (
        "hire-confidence",
        About {
            label: "Confidence to hire",
            unit: "share",
            help: "A hire is affordable when cash stays at or above zero for the twelve months after its start in at least this share of the Monte Carlo runs.",
        },
    ),
    (
        "usage-exclude",
        About {
            label: "Clusters left out of usage",
            unit: "name parts",
            help: "Clusters whose names contain one of these are not counted in usage.",
        },
    ),
    (
        "usage-exclude-windows",
        About {
            label: "Usage left out by period",
            unit: "cluster:from:to",
            help: "Periods of a cluster's usage that are not counted, such as a test or an outage.",
        },
    ),
    (
        "usage-tiers",
        About {
            label: "Usage price tiers",
            unit: "users up to: price",
            help: "The price of each monthly active user in each tier of the usage fee.",
        },
    ),
    (
        "hubs-per-engineer",
        About {
            label: "Hubs per engineer",
            unit: "kind: hubs",
            help: "How many hubs of each kind one engineer can operate, for the balancing rule.",
        },
    ),
];

/// What the assumption `key` is.
pub fn about(key: &str) -> About {
    if let Some((_, about)) = ABOUT.iter().find(|(k, _)| *k == key) {
        return *about;
    }
    if key.starts_with("stage.") {
        return About {
            label: "Stage probability",
            unit: "share",
            help: "The probability the forecast gives the deals of this stage, instead of the stage's own.",
        };
    }
    About {
        label: "Assumption",
        unit: "",
        help: "",
    }
}

/// A value of the assumption `key` as people read it: amounts in dollars with separators,
/// shares as percentages, months as `Nov 2026`; the value as stored otherwise.
pub fn readable(key: &str, value: &str) -> String {
    let number = value.parse::<f64>().ok();
    match (key, number) {
        ("net-assets" | "monthly-costs" | "non-personnel-costs", Some(x)) => {
            crate::forecast::dollars(x)
        }
        ("fsp-fee" | "rho" | "eta" | "hire-confidence", Some(x)) => percent(x),
        (k, Some(x)) if k.starts_with("stage.") => percent(x),
        ("books-closed", _) => crate::Month::parse(value)
            .map(crate::Month::words)
            .unwrap_or_else(|_| value.to_owned()),
        ("mc-runs" | "mc-seed", Some(x)) => crate::forecast::thousands(x),
        ("fiscal-year-start", Some(x)) => jiff::civil::Date::new(2000, x as i8, 1)
            .map(|d| d.strftime("%B").to_string())
            .unwrap_or_else(|_| value.to_owned()),
        _ => value.to_owned(),
    }
}

fn percent(share: f64) -> String {
    let text = format!("{:.2}", share * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The keys `set` understands, with what each expects.
pub const KEYS: [(&str, &str); 22] = [
    ("books-closed", "a month, YYYY-MM"),
    ("net-assets", "an amount, e.g. 500000"),
    ("monthly-costs", "an amount, e.g. 100000"),
    (
        "costs-from",
        "best (the actuals, else the team's, else typed), typed (monthly-costs), team (the team's cost plus non-personnel-costs) or actuals (the last three closed months)",
    ),
    (
        "non-personnel-costs",
        "an amount a month besides the team, e.g. 20000",
    ),
    ("fsp-fee", "a fraction from 0 to 1, e.g. 0.15"),
    ("mc-runs", "a whole number of runs from 1 to 50000"),
    ("mc-seed", "a whole number"),
    (
        "horizon-years",
        "how many years ahead the forecast looks, from 1 to 20 (deals running longer are cut there)",
    ),
    (
        "fiscal-year-start",
        "the month the fiscal year starts in, 1 (January) to 12",
    ),
    ("percentile-low", "a percentile from 0 to 100"),
    ("percentile-high", "a percentile from 0 to 100"),
    (
        "runway-bands",
        "three increasing numbers of months: yellow,green,over, e.g. 6,12,24",
    ),
    (
        "coverage-bands",
        "three increasing ratios: yellow,green,over, e.g. 0.85,1,1.3",
    ),
    (
        "pipeline-bands",
        "three increasing ratios: yellow,green,over, e.g. 1,1.5,2.5",
    ),
    ("rho", "a fraction from 0 to 1"),
    ("eta", "a fraction from 0 to 1"),
    ("hire-confidence", "a fraction from 0 to 1, e.g. 0.9"),
    (
        "usage-exclude",
        "cluster name substrings separated by ',', e.g. prometheus,hhmi (or none)",
    ),
    (
        "usage-exclude-windows",
        "CLUSTER:FROM:TO windows separated by ',', e.g. cal:2026-01-01:2026-01-31 (or none)",
    ),
    (
        "usage-tiers",
        "UP_TO:PRICE tiers separated by ',', the last with * for the rest, e.g. 10:10,100:5,1000:2.5,10000:1.25,*:0",
    ),
    (
        "hubs-per-engineer",
        "KIND:HUBS separated by ',', e.g. research:14,education:22,partnership:5",
    ),
];

fn number(key: &'static str, text: &str, min: f64, max: f64) -> Result<f64, ParseError> {
    let reason = KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("a number", |(_, r)| *r);
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| ParseError::new(key, text, &format!("expected {reason}")))?;
    if !value.is_finite() || value < min || value > max {
        return Err(ParseError::new(key, text, &format!("expected {reason}")));
    }
    Ok(value)
}

fn bands(key: &'static str, text: &str) -> Result<Bands, ParseError> {
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| number(key, p, 0.0, f64::MAX))
        .collect::<Result<_, _>>()
        .map_err(|e| ParseError {
            value: text.to_owned(),
            ..e
        })?;
    match parts.as_slice() {
        [yellow, green, over] if yellow <= green && green <= over => Ok(Bands {
            yellow: *yellow,
            green: *green,
            over: *over,
        }),
        _ => Err(ParseError::new(
            key,
            text,
            "expected three increasing numbers: yellow,green,over",
        )),
    }
}

fn list(text: &str) -> Vec<String> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Vec::new();
    }
    text.split(',')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn windows(text: &str) -> Result<Vec<(String, crate::Date, crate::Date)>, ParseError> {
    let bad = || {
        ParseError::new(
            "usage-exclude-windows",
            text,
            "expected CLUSTER:FROM:TO windows separated by ','",
        )
    };
    list(text)
        .into_iter()
        .map(|w| {
            let mut parts = w.splitn(3, ':');
            let (Some(cluster), Some(from), Some(to)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad());
            };
            let from = crate::parse_date(from).map_err(|_| bad())?;
            let to = crate::parse_date(to).map_err(|_| bad())?;
            if cluster.is_empty() || to < from {
                return Err(bad());
            }
            Ok((cluster.to_owned(), from, to))
        })
        .collect()
}

fn hubs_per_engineer(text: &str) -> Result<Vec<(String, f64)>, ParseError> {
    let bad = || {
        ParseError::new(
            "hubs-per-engineer",
            text,
            "expected KIND:HUBS with more than 0 hubs, separated by ',', e.g. research:14,education:22",
        )
    };
    let mut out: Vec<(String, f64)> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (kind, hubs) = part.split_once(':').ok_or_else(bad)?;
        let hubs: f64 = hubs.trim().parse().map_err(|_| bad())?;
        let kind = kind.trim().to_lowercase();
        if kind.is_empty()
            || !(hubs > 0.0 && hubs.is_finite())
            || out.iter().any(|(k, _)| *k == kind)
        {
            return Err(bad());
        }
        out.push((kind, hubs));
    }
    if out.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

fn tiers(text: &str) -> Result<Vec<crate::usage::Tier>, ParseError> {
    let bad = || {
        ParseError::new(
            "usage-tiers",
            text,
            "expected increasing UP_TO:PRICE tiers, the last *:PRICE, e.g. 10:10,100:5,*:0",
        )
    };
    let mut out = Vec::new();
    let mut last = 0_u32;
    for part in list(text) {
        let (up_to, price) = part.split_once(':').ok_or_else(bad)?;
        let price: f64 = price.trim().parse().map_err(|_| bad())?;
        if !price.is_finite() || price < 0.0 {
            return Err(bad());
        }
        let up_to = match up_to.trim() {
            "*" => None,
            n => {
                let n: u32 = n.parse().map_err(|_| bad())?;
                if n <= last {
                    return Err(bad());
                }
                last = n;
                Some(n)
            }
        };
        if out
            .last()
            .is_some_and(|t: &crate::usage::Tier| t.up_to.is_none())
        {
            return Err(bad());
        }
        out.push(crate::usage::Tier { up_to, price });
    }
    if out.last().is_none_or(|t| t.up_to.is_some()) {
        return Err(bad());
    }
    Ok(out)
}

impl Assumptions {
    /// The usage exclusions as the usage calculations take them.
    pub fn exclusions(&self) -> crate::usage::Exclusions {
        crate::usage::Exclusions {
            substrings: self.usage_exclusions.clone(),
            windows: self.usage_windows.clone(),
        }
    }

    /// Sets one value from `KEY=VALUE` text.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParseError> {
        match key.trim() {
            "books-closed" => {
                self.books_closed = Some(Month::parse(value).map_err(|e| ParseError {
                    what: "books-closed",
                    ..e
                })?)
            }
            "net-assets" => self.net_assets = number("net-assets", value, f64::MIN, f64::MAX)?,
            "monthly-costs" => self.monthly_costs = number("monthly-costs", value, 0.0, f64::MAX)?,
            "costs-from" => {
                let from: CostsFrom = value.parse().map_err(|_| {
                    ParseError::new(
                        "costs-from",
                        value,
                        "expected best (the actuals once a month is closed, else the team's, else typed), typed (monthly-costs), team (the team's cost plus non-personnel-costs) or actuals (the mean costs of the last three closed months)",
                    )
                })?;
                self.costs_from_team = from == CostsFrom::Team;
                self.costs_from_actuals = from == CostsFrom::Actuals;
                self.costs_from_best = from == CostsFrom::Best;
            }
            "non-personnel-costs" => {
                self.non_personnel_costs = number("non-personnel-costs", value, 0.0, f64::MAX)?
            }
            "fsp-fee" => self.fsp_fee = number("fsp-fee", value, 0.0, 0.99)?,
            "mc-runs" => {
                self.mc_runs = number("mc-runs", value, 1.0, f64::from(MAX_MC_RUNS))? as u32;
            }
            "fiscal-year-start" => {
                self.fiscal_year_start = number("fiscal-year-start", value, 1.0, 12.0)? as u8;
            }
            "horizon-years" => {
                let max = crate::forecast::MAX_HORIZON_YEARS;
                self.horizon_years = number("horizon-years", value, 1.0, f64::from(max))? as u32;
            }
            "mc-seed" => {
                self.mc_seed = value
                    .trim()
                    .parse()
                    .map_err(|_| ParseError::new("mc-seed", value, "expected a whole number"))?
            }
            "percentile-low" => self.percentile_low = number("percentile-low", value, 0.0, 100.0)?,
            "percentile-high" => {
                self.percentile_high = number("percentile-high", value, 0.0, 100.0)?
            }
            "runway-bands" => self.runway_bands = bands("runway-bands", value)?,
            "coverage-bands" => self.coverage_bands = bands("coverage-bands", value)?,
            "pipeline-bands" => self.pipeline_bands = bands("pipeline-bands", value)?,
            "rho" => self.rho = number("rho", value, 0.0, 1.0)?,
            "eta" => self.eta = number("eta", value, 0.0, 1.0)?,
            "hire-confidence" => self.hire_confidence = number("hire-confidence", value, 0.0, 1.0)?,
            "usage-exclude" => self.usage_exclusions = list(value),
            "usage-exclude-windows" => self.usage_windows = windows(value)?,
            "usage-tiers" => self.usage_tiers = tiers(value)?,
            "hubs-per-engineer" => self.hubs_per_engineer = hubs_per_engineer(value)?,
            other if other.starts_with("stage.") && other.len() > 6 => {
                let stage = other["stage.".len()..].trim().to_owned();
                if value.trim().is_empty() || value.trim() == "default" {
                    self.stage_probabilities.remove(&stage);
                } else {
                    let p = number("stage probability", value, 0.0, 1.0).map_err(|_| {
                        ParseError::new(
                            "stage probability",
                            value,
                            "expected a probability from 0 to 1, or default",
                        )
                    })?;
                    self.stage_probabilities.insert(stage, p);
                }
            }
            other => {
                let keys: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
                return Err(ParseError::new(
                    "assumption",
                    other,
                    &format!("expected one of {}", keys.join(", ")),
                ));
            }
        }
        if self.percentile_low > self.percentile_high {
            return Err(ParseError::new(
                "percentile-low",
                value,
                "the low percentile must not exceed the high one",
            ));
        }
        Ok(())
    }

    /// Every value as `KEY`, text, in the order of [`KEYS`], then the stage probabilities.
    pub fn entries(&self) -> Vec<(String, String)> {
        let b = |b: &Bands| format!("{},{},{}", b.yellow, b.green, b.over);
        let fixed: Vec<(&'static str, String)> = vec![
            (
                "books-closed",
                self.books_closed
                    .map_or_else(|| "(not set)".to_owned(), |m| m.to_string()),
            ),
            ("net-assets", self.net_assets.to_string()),
            ("monthly-costs", self.monthly_costs.to_string()),
            ("costs-from", self.costs_from().to_string()),
            ("non-personnel-costs", self.non_personnel_costs.to_string()),
            ("fsp-fee", self.fsp_fee.to_string()),
            ("mc-runs", self.mc_runs.to_string()),
            ("mc-seed", self.mc_seed.to_string()),
            ("horizon-years", self.horizon_years.to_string()),
            ("fiscal-year-start", self.fiscal_year_start.to_string()),
            ("percentile-low", self.percentile_low.to_string()),
            ("percentile-high", self.percentile_high.to_string()),
            ("runway-bands", b(&self.runway_bands)),
            ("coverage-bands", b(&self.coverage_bands)),
            ("pipeline-bands", b(&self.pipeline_bands)),
            ("rho", self.rho.to_string()),
            ("eta", self.eta.to_string()),
            ("hire-confidence", self.hire_confidence.to_string()),
            (
                "usage-exclude",
                if self.usage_exclusions.is_empty() {
                    "none".to_owned()
                } else {
                    self.usage_exclusions.join(",")
                },
            ),
            (
                "usage-exclude-windows",
                if self.usage_windows.is_empty() {
                    "none".to_owned()
                } else {
                    self.usage_windows
                        .iter()
                        .map(|(c, f, t)| format!("{c}:{f}:{t}"))
                        .collect::<Vec<_>>()
                        .join(",")
                },
            ),
            (
                "usage-tiers",
                self.usage_tiers
                    .iter()
                    .map(|t| {
                        format!(
                            "{}:{}",
                            t.up_to.map_or_else(|| "*".to_owned(), |u| u.to_string()),
                            t.price
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (
                "hubs-per-engineer",
                self.hubs_per_engineer
                    .iter()
                    .map(|(k, n)| format!("{k}:{n}"))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        ];
        fixed
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .chain(
                self.stage_probabilities
                    .iter()
                    .map(|(stage, p)| (format!("stage.{stage}"), p.to_string())),
            )
            .collect()
    }

    /// Where the monthly costs come from.
    pub fn costs_from(&self) -> CostsFrom {
        if self.costs_from_best {
            CostsFrom::Best
        } else if self.costs_from_actuals {
            CostsFrom::Actuals
        } else if self.costs_from_team {
            CostsFrom::Team
        } else {
            CostsFrom::Typed
        }
    }

    pub fn health(&self) -> HealthAssumptions {
        HealthAssumptions {
            net_assets: self.net_assets,
            monthly_costs: self.monthly_costs,
            fsp_fee: self.fsp_fee,
            runway: self.runway_bands,
            coverage: self.coverage_bands,
            pipeline: self.pipeline_bands,
        }
    }

    pub fn monte_carlo(&self) -> MonteCarlo {
        MonteCarlo {
            // A version stored before the cap may ask for more; it gets the cap.
            runs: self.mc_runs.clamp(1, MAX_MC_RUNS),
            seed: self.mc_seed,
            low: self.percentile_low,
            high: self.percentile_high,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_label_a_unit_and_help() {
        for (key, _) in KEYS {
            let a = about(key);
            assert!(
                a.label != "Assumption" && !a.unit.is_empty() && a.help.ends_with('.'),
                "{key}"
            );
        }
        assert_eq!(about("stage.Proposal").label, "Stage probability");
    }

    #[test]
    fn costs_are_the_best_available_unless_a_version_named_its_source() {
        let mut a = Assumptions::default();
        assert_eq!(a.costs_from(), CostsFrom::Best);
        for from in ["typed", "team", "actuals", "best"] {
            a.set("costs-from", from).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(a.costs_from().to_string(), from);
        }
        // A version stored before `best` existed keeps the source it named.
        let mut stored = serde_json::to_value(Assumptions::default()).unwrap_or_default();
        if let Some(map) = stored.as_object_mut() {
            map.remove("costs_from_best");
            map.insert("costs_from_team".into(), true.into());
        }
        let old: Assumptions = serde_json::from_value(stored.clone()).unwrap_or_default();
        assert_eq!(old.costs_from(), CostsFrom::Team);
        if let Some(map) = stored.as_object_mut() {
            map.insert("costs_from_team".into(), false.into());
        }
        let old: Assumptions = serde_json::from_value(stored).unwrap_or_default();
        assert_eq!(old.costs_from(), CostsFrom::Typed);
    }

    #[test]
    fn values_read_as_people_write_them() {
        assert_eq!(readable("net-assets", "1899000"), "$1,899,000");
        assert_eq!(readable("fsp-fee", "0.15"), "15%");
        assert_eq!(readable("rho", "0.8"), "80%");
        assert_eq!(readable("stage.Proposal", "0.333"), "33.3%");
        assert_eq!(readable("books-closed", "2026-10"), "Oct 2026");
        assert_eq!(readable("mc-runs", "10000"), "10,000");
        assert_eq!(readable("usage-tiers", "10:10,*:0"), "10:10,*:0");
    }

    #[test]
    fn values_are_set_from_text_and_checked() {
        let mut a = Assumptions::default();
        for (k, v) in [
            ("books-closed", "2026-02"),
            ("fsp-fee", "0.15"),
            ("net-assets", "500000"),
            ("monthly-costs", "100000"),
            ("runway-bands", "3,9,18"),
        ] {
            a.set(k, v).unwrap();
        }
        assert_eq!(a.books_closed, Month::parse("2026-02").ok());
        assert_eq!((a.net_assets, a.runway_bands.green), (500_000.0, 9.0));
        let err = |k: &str, v: &str| Assumptions::default().set(k, v).unwrap_err().to_string();
        assert_eq!(
            err("fsp-fee", "15%"),
            "invalid fsp-fee \"15%\": expected a fraction from 0 to 1, e.g. 0.15"
        );
        assert_eq!(
            err("books-closed", "Feb"),
            "invalid books-closed \"Feb\": expected YYYY-MM"
        );
        assert!(err("runway-bands", "12,6,24").contains("three increasing numbers"));
        assert!(err("mc-runs", "0").contains("from 1 to 50000"));
        assert!(err("mc-runs", "1000000").contains("from 1 to 50000"));
        assert!(err("horizon-years", "21").contains("from 1 to 20"));
        assert!(err("colour", "red").contains("expected one of books-closed"));
        assert!(err("percentile-low", "95").contains("must not exceed"));
        assert!(err("stage.Proposal", "1.2").contains("a probability from 0 to 1"));
        let mut staged = Assumptions::default();
        staged.set("stage.Proposal", "0.35").unwrap();
        assert_eq!(staged.stage_probabilities.get("Proposal"), Some(&0.35));
        assert!(
            staged
                .entries()
                .contains(&("stage.Proposal".to_owned(), "0.35".to_owned()))
        );
        staged.set("stage.Proposal", "default").unwrap();
        assert!(staged.stage_probabilities.is_empty());
        let mut usage = Assumptions::default();
        usage.set("usage-tiers", "10:10,*:1").unwrap();
        usage.set("usage-exclude", "none").unwrap();
        usage
            .set("usage-exclude-windows", "cal:2026-01-01:2026-01-31")
            .unwrap();
        assert_eq!(usage.usage_tiers.len(), 2);
        assert!(usage.exclusions().substrings.is_empty());
        assert_eq!(usage.exclusions().windows.len(), 1);
        assert!(err("usage-tiers", "100:5,10:10,*:0").contains("increasing"));
        assert!(err("usage-tiers", "10:10").contains("increasing"));
        assert!(
            err("usage-exclude-windows", "cal:2026-02-01:2026-01-01").contains("CLUSTER:FROM:TO")
        );
    }

    #[test]
    fn a_version_reads_back_from_json_with_defaults_for_new_keys() {
        let a: Assumptions = serde_json::from_str(r#"{"net_assets": 5.0}"#).unwrap();
        assert_eq!((a.net_assets, a.fsp_fee, a.mc_runs), (5.0, 0.15, 10_000));
    }
}
