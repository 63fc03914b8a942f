//! The financial-health scorecard: runway, cost coverage and pipeline coverage, each with
//! its traffic light and what the next band takes.

use super::*;

/// Traffic-light status of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Red,
    Yellow,
    Green,
    /// Beyond green: possibly under-staffed or over-reserved.
    Over,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Red => "red",
            Status::Yellow => "yellow",
            Status::Green => "green",
            Status::Over => "over",
        }
    }
}

/// Where yellow, green and over begin.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Bands {
    pub yellow: f64,
    pub green: f64,
    pub over: f64,
}

impl Bands {
    pub fn status(&self, value: f64) -> Status {
        if value >= self.over {
            Status::Over
        } else if value >= self.green {
            Status::Green
        } else if value >= self.yellow {
            Status::Yellow
        } else {
            Status::Red
        }
    }

    /// The next band's name and threshold, for red and yellow.
    fn next(&self, status: Status) -> Option<(&'static str, f64)> {
        match status {
            Status::Red => Some(("yellow", self.yellow)),
            Status::Yellow => Some(("green", self.green)),
            Status::Green | Status::Over => None,
        }
    }
}

/// What the scorecard needs besides the projection.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HealthAssumptions {
    pub net_assets: f64,
    pub monthly_costs: f64,
    pub fsp_fee: f64,
    /// In months.
    pub runway: Bands,
    /// Ratios, 1.0 = 100%.
    pub coverage: Bands,
    pub pipeline: Bands,
}

impl Default for HealthAssumptions {
    fn default() -> Self {
        HealthAssumptions {
            net_assets: 0.0,
            monthly_costs: 0.0,
            fsp_fee: 0.15,
            runway: Bands {
                yellow: 6.0,
                green: 12.0,
                over: 24.0,
            },
            coverage: Bands {
                yellow: 0.85,
                green: 1.0,
                over: 1.3,
            },
            pipeline: Bands {
                yellow: 1.0,
                green: 1.5,
                over: 2.5,
            },
        }
    }
}

/// Which indicator of the scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    Runway,
    CostCoverage,
    PipelineCoverage,
}

/// One indicator of the scorecard.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Indicator {
    pub measure: Measure,
    /// The row's name in the report, as the organisation's own scorecard names it.
    pub metric: &'static str,
    /// What people call it on the pages: what it shows.
    pub name: &'static str,
    pub value: String,
    /// The value as a number (months of runway, a coverage ratio); none for "no gap".
    pub number: Option<f64>,
    /// A figure that belongs beside the value: cost coverage's monthly surplus or deficit.
    pub beside: Option<String>,
    pub status: Status,
    /// What reaching the next band takes, when red or yellow.
    pub target: Option<String>,
    pub detail: String,
    pub question: &'static str,
}

/// `$1,234,567`, rounded to whole units.
pub fn dollars(x: f64) -> String {
    format!("{}${}", if x < -0.5 { "-" } else { "" }, thousands(x.abs()))
}

/// A whole number with thousands separators: `12,345`; rounded half to even.
pub fn thousands(x: f64) -> String {
    let whole = round(x).abs() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    if x < -0.5 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn percent(ratio: f64) -> String {
    format!("{}%", round(ratio * 100.0))
}

fn months_text(n: i64) -> String {
    if n == 1 {
        "1 month".to_owned()
    } else {
        format!("{n} months")
    }
}

/// The financial-health scorecard from the committed and estimated rows of a projection.
pub fn health(
    committed: &[f64],
    estimated: &[f64],
    months: &[Month],
    a: &HealthAssumptions,
) -> Vec<Indicator> {
    let c = a.monthly_costs;
    let f = a.fsp_fee;

    // Committed revenue runway.
    let mut balance = a.net_assets;
    let mut runway = 0_i64;
    let mut runs_out = None;
    for (r, month) in committed.iter().zip(months) {
        balance += r - (c + r * f);
        if balance < 0.0 {
            runs_out = Some(*month);
            break;
        }
        runway += 1;
    }
    let status = a.runway.status(runway as f64);
    let detail = match runs_out {
        Some(month) => format!(
            "On committed revenue alone, cash of {} runs out in {}, after {}.",
            dollars(a.net_assets),
            month.words(),
            months_text(runway)
        ),
        None => format!("Still solvent after all {} projected months.", months.len()),
    };
    let target = a.runway.next(status).map(|(band, threshold)| {
        let more = (threshold - runway as f64).ceil() as i64;
        let unit = if more == 1 { "month" } else { "months" };
        format!(
            "{} ({band}): {more} more {unit}",
            months_text(threshold as i64)
        )
    });
    let runway_indicator = Indicator {
        measure: Measure::Runway,
        metric: "Committed revenue runway",
        name: "Runway on committed revenue",
        value: months_text(runway),
        number: Some(runway as f64),
        beside: None,
        status,
        target,
        detail,
        question: "How long does the cash last on signed revenue alone?",
    };

    // Committed monthly surplus/deficit (cost coverage).
    let first = committed.len().min(6);
    let mean = if first == 0 {
        0.0
    } else {
        committed[..first].iter().sum::<f64>() / first as f64
    };
    let ratio = if c + mean * f > 0.0 {
        mean / (c + mean * f)
    } else {
        0.0
    };
    let status = a.coverage.status(ratio);
    let target = a.coverage.next(status).map(|(band, t)| {
        let needed = t * c / (1.0 - t * f);
        format!(
            "{} ({band}): {}/month more committed revenue",
            percent(t),
            dollars(needed - mean)
        )
    });
    let surplus = mean - (c + mean * f);
    let coverage = Indicator {
        measure: Measure::CostCoverage,
        metric: "Committed monthly surplus/deficit",
        name: "Cost coverage",
        value: percent(ratio),
        number: Some(ratio),
        beside: Some(if surplus < -0.5 {
            format!("deficit of {}/month", dollars(-surplus))
        } else {
            format!("surplus of {}/month", dollars(surplus))
        }),
        status,
        target,
        detail: format!(
            "Committed revenue averages {}/month over the next {first} months against costs of {}/month with the sponsor's fee.",
            dollars(mean),
            dollars(c + mean * f)
        ),
        question: "Does signed revenue cover what the organisation spends each month?",
    };

    // Pipeline coverage.
    let first = committed.len().min(6);
    let gap: f64 = committed[..first]
        .iter()
        .map(|r| (c + r * f - r).max(0.0))
        .sum();
    let pipeline: f64 = estimated[..first.min(estimated.len())]
        .iter()
        .zip(committed)
        .map(|(e, r)| (e - r).max(0.0))
        .sum();
    let (value, number, status, target) = if gap <= 0.0 {
        ("no gap".to_owned(), None, Status::Green, None)
    } else {
        let ratio = pipeline / gap;
        let status = a.pipeline.status(ratio);
        let target = a.pipeline.next(status).map(|(band, t)| {
            format!(
                "{} ({band}): {} more estimated pipeline (gap {}, pipeline {} over {first} months)",
                percent(t),
                dollars(t * gap - pipeline),
                dollars(gap),
                dollars(pipeline)
            )
        });
        (percent(ratio), Some(ratio), status, target)
    };
    let pipeline_indicator = Indicator {
        measure: Measure::PipelineCoverage,
        metric: "Pipeline coverage",
        name: "Pipeline coverage",
        value,
        number,
        beside: None,
        status,
        target,
        detail: format!(
            "Over the next {first} months signed revenue leaves a gap of {} to costs; the weighted pipeline adds {}.",
            dollars(gap),
            dollars(pipeline)
        ),
        question: "Is there enough weighted pipeline to close the gap between costs and signed revenue?",
    };
    vec![runway_indicator, coverage, pipeline_indicator]
}
