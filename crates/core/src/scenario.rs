//! Scenarios (docs/domain.md, "Scenarios: can we hire?"): named sets of changes on top of
//! today's records, which never touch them. Each change is written and read as one line,
//! its kind and then `key=value` pairs separated by `;`:
//!
//! ```text
//! hire role=Platform Engineer; level=2; step=1; fte=0.5; start=2027-01; end=2028-06; funding=G-1:0.6,G-2:0.4
//! hire role=Designer; level=1; start=2027-03; payment=6000
//! depart person=Ada Lovelace; last-day=2027-03-31
//! win deal=42; start=2027-01-01; end=2027-12-31
//! lose deal=42
//! deal name=A new hub; amount=60000; start=2027-01-01; end=2027-12-31; probability=0.5
//! cost monthly=-2500; from=2027-01
//! ```

use std::fmt;

use crate::{Date, Month, ParseError};

/// One change a scenario makes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// Someone joins: a role at a level and step (an employee, paid by the band), or a
    /// contractor paid `payment` a month.
    Hire {
        role: String,
        level: u8,
        step: u8,
        fte: f64,
        start: Month,
        end: Option<Month>,
        /// Grant codes and their shares; the unrestricted fund when empty.
        funding: Vec<(String, f64)>,
        /// A contractor's monthly payment, in dollars.
        payment: Option<f64>,
    },
    /// Someone leaves: their cost stops after the last day.
    Depart { person: String, last_day: Date },
    /// A deal is won (from `start` to `end`, when given) or lost.
    Outcome {
        deal: i64,
        won: bool,
        start: Option<Date>,
        end: Option<Date>,
    },
    /// A deal that is not in the records.
    NewDeal {
        name: String,
        amount: f64,
        start: Date,
        end: Date,
        probability: f64,
    },
    /// Costs change by `monthly` dollars a month from a month on (negative saves).
    Cost { monthly: f64, from: Month },
}

/// The pairs of a change's line, checked for repeats and unknown keys.
struct Pairs<'a> {
    line: &'a str,
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Pairs<'a> {
    fn of(line: &'a str, rest: &'a str, keys: &[&str]) -> Result<Self, ParseError> {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for item in rest.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = item.split_once('=').ok_or_else(|| {
                ParseError::new("change", line, &format!("{item:?} is not key=value"))
            })?;
            let (key, value) = (key.trim(), value.trim());
            if !keys.contains(&key) {
                return Err(ParseError::new(
                    "change",
                    line,
                    &format!("no key {key:?} here; keys: {}", keys.join(", ")),
                ));
            }
            if pairs.iter().any(|(k, _)| *k == key) {
                return Err(ParseError::new(
                    "change",
                    line,
                    &format!("{key} is given twice"),
                ));
            }
            pairs.push((key, value));
        }
        Ok(Pairs { line, pairs })
    }

    fn get(&self, key: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .filter(|v| !v.is_empty())
    }

    fn need(&self, key: &str) -> Result<&'a str, ParseError> {
        self.get(key)
            .ok_or_else(|| ParseError::new("change", self.line, &format!("{key}= is missing")))
    }

    fn bad(&self, key: &str, why: &str) -> ParseError {
        ParseError::new("change", self.line, &format!("{key}: {why}"))
    }

    fn number(&self, key: &str) -> Result<Option<f64>, ParseError> {
        self.get(key)
            .map(|v| {
                v.replace([',', '$'], "")
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| self.bad(key, &format!("{v:?} is not a number")))
            })
            .transpose()
    }

    fn month(&self, key: &str) -> Result<Option<Month>, ParseError> {
        self.get(key)
            .map(|v| Month::parse(v).map_err(|e| self.bad(key, &e.reason)))
            .transpose()
    }

    fn date(&self, key: &str) -> Result<Option<Date>, ParseError> {
        self.get(key)
            .map(|v| crate::parse_date(v).map_err(|e| self.bad(key, &e.reason)))
            .transpose()
    }

    fn whole(&self, key: &str, most: u8) -> Result<Option<u8>, ParseError> {
        self.get(key)
            .map(|v| {
                v.parse::<u8>()
                    .ok()
                    .filter(|n| (1..=most).contains(n))
                    .ok_or_else(|| {
                        self.bad(
                            key,
                            &format!("{v:?} is not a whole number from 1 to {most}"),
                        )
                    })
            })
            .transpose()
    }
}

impl Change {
    /// Reads a change's line.
    pub fn parse(line: &str) -> Result<Change, ParseError> {
        let line = line.trim();
        let (kind, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let bad_kind = || {
            ParseError::new(
                "change",
                line,
                "expected hire, depart, win, lose, deal or cost, then key=value pairs separated by ;",
            )
        };
        let change = match kind {
            "hire" => {
                let p = Pairs::of(
                    line,
                    rest,
                    &[
                        "role", "level", "step", "fte", "start", "end", "funding", "payment",
                    ],
                )?;
                let fte = p.number("fte")?.unwrap_or(1.0);
                if !(fte > 0.0 && fte <= 1.0) {
                    return Err(p.bad("fte", "a share of full time above 0 and at most 1"));
                }
                let funding = match p.get("funding") {
                    Some(text) => {
                        let funding = crate::people::parse_funding(&text.replace(':', "="))
                            .map_err(|e| p.bad("funding", &e))?;
                        crate::people::check_funding(&funding).map_err(|e| p.bad("funding", &e))?;
                        funding
                    }
                    None => Vec::new(),
                };
                let payment = p.number("payment")?;
                if payment.is_some_and(|m| m <= 0.0) {
                    return Err(p.bad("payment", "a contractor's payment is above 0"));
                }
                let role = p.need("role")?;
                crate::text::check(role, crate::text::MAX_NAME).map_err(|e| p.bad("role", &e))?;
                Change::Hire {
                    role: role.to_owned(),
                    level: p
                        .whole("level", 20)?
                        .ok_or_else(|| p.bad("level", "level= is missing"))?,
                    step: p.whole("step", 20)?.unwrap_or(1),
                    fte,
                    start: p
                        .month("start")?
                        .ok_or_else(|| p.bad("start", "start= is missing"))?,
                    end: p.month("end")?,
                    funding,
                    payment,
                }
            }
            "depart" => {
                let p = Pairs::of(line, rest, &["person", "last-day"])?;
                let person = p.need("person")?;
                crate::text::check(person, crate::text::MAX_NAME)
                    .map_err(|e| p.bad("person", &e))?;
                Change::Depart {
                    person: person.to_owned(),
                    last_day: p
                        .date("last-day")?
                        .ok_or_else(|| p.bad("last-day", "last-day= is missing"))?,
                }
            }
            "win" | "lose" => {
                let keys: &[&str] = if kind == "win" {
                    &["deal", "start", "end"]
                } else {
                    &["deal"]
                };
                let p = Pairs::of(line, rest, keys)?;
                let deal = p.need("deal")?;
                Change::Outcome {
                    deal: deal
                        .trim_start_matches('#')
                        .parse::<i64>()
                        .ok()
                        .filter(|d| *d > 0)
                        .ok_or_else(|| p.bad("deal", &format!("{deal:?} is not a deal's id")))?,
                    won: kind == "win",
                    start: p.date("start")?,
                    end: p.date("end")?,
                }
            }
            "deal" => {
                let p = Pairs::of(
                    line,
                    rest,
                    &["name", "amount", "start", "end", "probability"],
                )?;
                let name = p.need("name")?;
                crate::text::check(name, crate::text::MAX_NAME).map_err(|e| p.bad("name", &e))?;
                let amount = p
                    .number("amount")?
                    .ok_or_else(|| p.bad("amount", "amount= is missing"))?;
                if amount <= 0.0 {
                    return Err(p.bad("amount", "an amount above 0"));
                }
                let probability = p.number("probability")?.unwrap_or(1.0);
                if !(0.0..=1.0).contains(&probability) {
                    return Err(p.bad("probability", "a fraction from 0 to 1"));
                }
                Change::NewDeal {
                    name: name.to_owned(),
                    amount,
                    start: p
                        .date("start")?
                        .ok_or_else(|| p.bad("start", "start= is missing"))?,
                    end: p
                        .date("end")?
                        .ok_or_else(|| p.bad("end", "end= is missing"))?,
                    probability,
                }
            }
            "cost" => {
                let p = Pairs::of(line, rest, &["monthly", "from"])?;
                Change::Cost {
                    monthly: p
                        .number("monthly")?
                        .ok_or_else(|| p.bad("monthly", "monthly= is missing"))?,
                    from: p
                        .month("from")?
                        .ok_or_else(|| p.bad("from", "from= is missing"))?,
                }
            }
            _ => return Err(bad_kind()),
        };
        match &change {
            Change::Hire {
                start,
                end: Some(end),
                ..
            } if end < start => Err(ParseError::new("change", line, "end: before the start")),
            Change::Outcome {
                start: Some(start),
                end: Some(end),
                ..
            }
            | Change::NewDeal { start, end, .. }
                if end < start =>
            {
                Err(ParseError::new("change", line, "end: before the start"))
            }
            _ => Ok(change),
        }
    }
}

/// A number as a line writes it: no trailing zeros.
fn number(x: f64) -> String {
    format!("{x}")
}

impl fmt::Display for Change {
    /// The change's line, which [`Change::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Hire {
                role,
                level,
                step,
                fte,
                start,
                end,
                funding,
                payment,
            } => {
                write!(
                    f,
                    "hire role={role}; level={level}; step={step}; fte={}; start={start}",
                    number(*fte)
                )?;
                if let Some(end) = end {
                    write!(f, "; end={end}")?;
                }
                if !funding.is_empty() {
                    let shares: Vec<String> = funding
                        .iter()
                        .map(|(code, share)| format!("{code}:{}", number(*share)))
                        .collect();
                    write!(f, "; funding={}", shares.join(","))?;
                }
                if let Some(payment) = payment {
                    write!(f, "; payment={}", number(*payment))?;
                }
                Ok(())
            }
            Change::Depart { person, last_day } => {
                write!(f, "depart person={person}; last-day={last_day}")
            }
            Change::Outcome {
                deal,
                won,
                start,
                end,
            } => {
                write!(f, "{} deal={deal}", if *won { "win" } else { "lose" })?;
                if let Some(start) = start {
                    write!(f, "; start={start}")?;
                }
                if let Some(end) = end {
                    write!(f, "; end={end}")?;
                }
                Ok(())
            }
            Change::NewDeal {
                name,
                amount,
                start,
                end,
                probability,
            } => write!(
                f,
                "deal name={name}; amount={}; start={start}; end={end}; probability={}",
                number(*amount),
                number(*probability)
            ),
            Change::Cost { monthly, from } => {
                write!(f, "cost monthly={}; from={from}", number(*monthly))
            }
        }
    }
}

/// Applies the deal changes of `changes` to the forecast's deals: a won deal becomes
/// certain and active (with the dates given), a lost one leaves, a new deal joins. Deals are
/// known by their record's id (`ids`, in the order of `deals`). Names the first deal that is
/// not there.
pub fn apply_to_deals(
    deals: &mut Vec<crate::forecast::ForecastDeal>,
    ids: &mut Vec<i64>,
    changes: &[Change],
) -> Result<(), String> {
    use crate::pipeline::StageOutcome;
    for change in changes {
        match change {
            Change::Outcome {
                deal,
                won,
                start,
                end,
            } => {
                let i = ids
                    .iter()
                    .position(|id| id == deal)
                    .ok_or_else(|| format!("there is no deal {deal}"))?;
                if *won {
                    let d = &mut deals[i];
                    d.probability = 1.0;
                    d.outcome = StageOutcome::Won;
                    d.active_won = true;
                    if start.is_some() {
                        d.contract_start = *start;
                    }
                    if end.is_some() {
                        d.contract_end = *end;
                    }
                    if d.contract_start.is_none() {
                        d.contract_start = d.target_start;
                    }
                    if d.contract_end.is_none() {
                        d.contract_end = d.target_end;
                    }
                } else {
                    deals.remove(i);
                    ids.remove(i);
                }
            }
            Change::NewDeal {
                name,
                amount,
                start,
                end,
                probability,
            } => {
                let won = *probability >= 1.0;
                deals.push(crate::forecast::ForecastDeal {
                    id: format!("scenario: {name}"),
                    name: name.clone(),
                    revenue_type: None,
                    stage: if won { "Scenario (won)" } else { "Scenario" }.to_owned(),
                    outcome: if won {
                        StageOutcome::Won
                    } else {
                        StageOutcome::Open
                    },
                    probability: *probability,
                    amount: Some(*amount),
                    collected: None,
                    typed_collected: None,
                    contract_start: Some(*start),
                    contract_end: Some(*end),
                    target_start: None,
                    target_end: None,
                    renewal: false,
                    active_won: won,
                });
                ids.push(0);
            }
            Change::Hire { .. } | Change::Depart { .. } | Change::Cost { .. } => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_reads_back_from_its_line() {
        for line in [
            "hire role=Platform Engineer; level=2; step=1; fte=0.5; start=2027-01; end=2028-06; funding=G-1:0.6,G-2:0.4",
            "hire role=Designer; level=1; step=3; fte=1; start=2027-03; payment=6000",
            "depart person=Ada Lovelace; last-day=2027-03-31",
            "win deal=42; start=2027-01-01; end=2027-12-31",
            "lose deal=42",
            "deal name=A new hub; amount=60000; start=2027-01-01; end=2027-12-31; probability=0.5",
            "cost monthly=-2500; from=2027-01",
        ] {
            let change = Change::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(change.to_string(), line);
            assert_eq!(Change::parse(&change.to_string()).ok(), Some(change));
        }
        // Defaults: step 1, full time, probability 1.
        assert_eq!(
            Change::parse("hire role=Engineer; level=3; start=2027-01")
                .map(|c| c.to_string())
                .ok()
                .as_deref(),
            Some("hire role=Engineer; level=3; step=1; fte=1; start=2027-01")
        );
    }

    #[test]
    fn a_bad_line_says_what_is_wrong() {
        for (line, says) in [
            ("promote person=Ada", "expected hire, depart"),
            ("hire role=Engineer; start=2027-01", "level"),
            ("hire role=Engineer; level=2; start=2027-13", "start"),
            ("hire role=Engineer; level=2; start=2027-01; fte=1.5", "fte"),
            (
                "hire role=Engineer; level=2; start=2027-01; colour=red",
                "no key \"colour\"",
            ),
            (
                "hire role=Engineer; level=2; level=3; start=2027-01",
                "twice",
            ),
            (
                "hire role=E; level=2; start=2027-05; end=2027-01",
                "before the start",
            ),
            (
                "hire role=E; level=2; start=2027-05; funding=G-1:0.5",
                "100%",
            ),
            ("win deal=abc", "not a deal's id"),
            ("lose deal=4; start=2027-01-01", "no key \"start\""),
            (
                "deal name=X; amount=-5; start=2027-01-01; end=2027-02-01",
                "above 0",
            ),
            ("cost from=2027-01", "monthly"),
        ] {
            let error = Change::parse(line)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.contains(says), "{line}: {error}");
        }
    }
}
