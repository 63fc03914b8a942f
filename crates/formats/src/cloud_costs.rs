//! Cloud bills in the FinOps FOCUS columns: one cost line a row, read into
//! [`bearing_core::cloud::CostLine`]s. The columns are FOCUS's by default (BillingPeriodStart,
//! BillingAccountId and BilledCost; SubAccountId, ServiceCategory, BillingCurrency and Tags
//! when present); a mapping names others. Every problem is named by file, line, column and
//! value; an import with any problem imports nothing.

use std::collections::BTreeMap;
use std::io::Read;

use bearing_core::cloud::{CostLine, parse_micros};
use bearing_core::{Currency, Month};

use crate::crm::RowError;

/// Which column of the file holds each field; matched without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub period_start: String,
    pub account: String,
    pub cost: String,
    /// Optional.
    pub sub_account: String,
    /// Optional.
    pub category: String,
    /// Optional: USD when the file has no such column.
    pub currency: String,
    /// Optional: a JSON object of the resource's tags.
    pub tags: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            period_start: "BillingPeriodStart".into(),
            account: "BillingAccountId".into(),
            cost: "BilledCost".into(),
            sub_account: "SubAccountId".into(),
            category: "ServiceCategory".into(),
            currency: "BillingCurrency".into(),
            tags: "Tags".into(),
        }
    }
}

impl Columns {
    /// The defaults with `FIELD=Column` pairs over them.
    pub fn mapped(pairs: &[(String, String)]) -> Result<Self, String> {
        let mut c = Columns::default();
        crate::input::map_columns(
            pairs,
            &mut [
                ("period-start", &mut c.period_start),
                ("account", &mut c.account),
                ("cost", &mut c.cost),
                ("sub-account", &mut c.sub_account),
                ("category", &mut c.category),
                ("currency", &mut c.currency),
                ("tags", &mut c.tags),
            ],
        )?;
        Ok(c)
    }
}

/// Reads a whole file: the cost lines of the rows that could be read, and every problem.
pub fn read_costs(
    file: &str,
    input: impl Read,
    columns: &Columns,
) -> (Vec<CostLine>, Vec<RowError>) {
    let error = |line: u64, column: &str, value: &str, message: String| RowError {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        value: crate::input::shortened(value),
        message,
    };
    let crate::input::CsvInput {
        headers,
        rows,
        mut errors,
    } = crate::input::read(
        file,
        input,
        crate::input::Header {
            lowercase: true,
            required: &[],
        },
    );
    if !errors.is_empty() && headers.is_empty() {
        return (Vec::new(), errors);
    }
    let position = |name: &str| headers.iter().position(|h| *h == name.to_lowercase());
    let missing: Vec<&str> = [&columns.period_start, &columns.account, &columns.cost]
        .into_iter()
        .filter(|c| position(c).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        errors.push(error(
            1,
            missing[0],
            &headers.join(","),
            format!(
                "the file has no {} column; name the columns with a mapping (period-start=…, account=…, cost=…)",
                missing.join(" or ")
            ),
        ));
        return (Vec::new(), errors);
    }
    let at = |name: &String| position(name).unwrap_or_default();
    let (start, account, cost) = (
        at(&columns.period_start),
        at(&columns.account),
        at(&columns.cost),
    );
    let (sub_account, category, currency, tags) = (
        position(&columns.sub_account),
        position(&columns.category),
        position(&columns.currency),
        position(&columns.tags),
    );
    let mut costs = Vec::new();
    for (line_no, record) in rows {
        let cell = |i: usize| record.get(i).unwrap_or_default().trim();
        let optional = |i: Option<usize>| i.map(cell).filter(|t| !t.is_empty()).map(str::to_owned);
        let before = errors.len();
        // FOCUS writes the period's start as a moment; its month is what counts.
        let month = match bearing_core::parse_date(cell(start).get(..10).unwrap_or(cell(start))) {
            Ok(day) => Some(Month::of(day)),
            Err(e) => {
                errors.push(error(line_no, &columns.period_start, cell(start), e.reason));
                None
            }
        };
        let billing_account = cell(account);
        if billing_account.is_empty() {
            errors.push(error(
                line_no,
                &columns.account,
                "",
                "every cost needs its billing account".into(),
            ));
        } else if let Err(problem) =
            bearing_core::text::check(billing_account, bearing_core::text::MAX_NAME)
        {
            errors.push(error(line_no, &columns.account, billing_account, problem));
        }
        let amount = match parse_micros(cell(cost)) {
            Ok(micros) => Some(micros),
            Err(e) => {
                errors.push(error(line_no, &columns.cost, cell(cost), e.reason));
                None
            }
        };
        let money = match optional(currency) {
            None => Some(Currency::USD),
            Some(text) => match Currency::parse(&text) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(error(line_no, &columns.currency, &text, e.reason));
                    None
                }
            },
        };
        let labels = match optional(tags) {
            None => Some(BTreeMap::new()),
            Some(text) => match tags_of(&text) {
                Ok(map) => Some(map),
                Err(problem) => {
                    errors.push(error(line_no, &columns.tags, &text, problem));
                    None
                }
            },
        };
        for (i, column) in [
            (sub_account, &columns.sub_account),
            (category, &columns.category),
        ] {
            if let Some(text) = optional(i)
                && let Err(problem) = bearing_core::text::check(&text, bearing_core::text::MAX_NAME)
            {
                errors.push(error(line_no, column, &text, problem));
            }
        }
        if errors.len() > before {
            continue;
        }
        let (Some(month), Some(amount_micros), Some(currency), Some(tags)) =
            (month, amount, money, labels)
        else {
            continue;
        };
        costs.push(CostLine {
            line: line_no,
            month,
            account: billing_account.to_owned(),
            sub_account: optional(sub_account),
            category: optional(category),
            amount_micros,
            currency,
            tags,
        });
    }
    (costs, errors)
}

/// FOCUS's tags: a JSON object whose values are text (numbers and true or false are read as
/// they are written).
fn tags_of(text: &str) -> Result<BTreeMap<String, String>, String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("tags are a JSON object such as {{\"cluster\": \"hub-1\"}}: {e}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err("tags are a JSON object such as {\"cluster\": \"hub-1\"}".into());
    };
    map.into_iter()
        .map(|(key, value)| match value {
            serde_json::Value::String(s) => Ok((key, s)),
            serde_json::Value::Number(n) => Ok((key, n.to_string())),
            serde_json::Value::Bool(b) => Ok((key, b.to_string())),
            other => Err(format!("the tag {key:?} is {other}, not text")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"BillingPeriodStart,BillingAccountId,SubAccountId,ServiceCategory,BilledCost,BillingCurrency,Tags
2026-10-01T00:00:00Z,acct-1,proj-a,Compute,1234.567891,USD,"{""cluster"": ""atlantis-hub"", ""env"": ""prod""}"
2026-10-01T00:00:00Z,acct-1,,Storage,0.0000005,,
2026-11-01,acct-2,proj-b,Compute,-12.5,EUR,"{""cost-center"": 42}"
2026-11-01,acct-2,proj-b,Networking,1.2E-3,EUR,
"#;

    #[test]
    fn the_focus_columns_are_read_to_the_millionth() {
        let (read, errors) = read_costs("focus.csv", FILE.as_bytes(), &Columns::default());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(read.len(), 4);
        assert_eq!(read[0].month.to_string(), "2026-10");
        assert_eq!(read[0].account, "acct-1");
        assert_eq!(read[0].sub_account.as_deref(), Some("proj-a"));
        assert_eq!(read[0].category.as_deref(), Some("Compute"));
        assert_eq!(read[0].amount_micros, 1_234_567_891);
        assert_eq!(read[0].tags["cluster"], "atlantis-hub");
        // Half a millionth rounds away from zero.
        assert_eq!(
            (read[1].amount_micros, read[1].sub_account.as_deref()),
            (1, None)
        );
        assert_eq!(read[1].currency, Currency::USD);
        assert_eq!(read[2].amount_micros, -12_500_000, "a credit");
        assert_eq!(read[2].currency.as_str(), "EUR");
        assert_eq!(read[2].tags["cost-center"], "42");
        assert_eq!(read[3].amount_micros, 1_200);
        assert_eq!(read[3].line, 5);
    }

    #[test]
    fn a_mapping_names_other_columns_and_every_bad_cell_is_named() {
        let file = "Period,Account,Cost\n2026-10-05,a-1,10\n";
        let columns = Columns::mapped(&[
            ("period-start".into(), "Period".into()),
            ("account".into(), "account".into()),
            ("cost".into(), "Cost".into()),
        ])
        .unwrap();
        let (read, errors) = read_costs("x.csv", file.as_bytes(), &columns);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            (read[0].month.to_string(), read[0].amount_micros),
            ("2026-10".into(), 10_000_000)
        );
        let (none, refused) = read_costs("x.csv", file.as_bytes(), &Columns::default());
        assert!(none.is_empty());
        assert!(
            refused[0].message.contains("has no BillingPeriodStart"),
            "{refused:?}"
        );
        let bad = "\
BillingPeriodStart,BillingAccountId,BilledCost,BillingCurrency,Tags
2026-13-01,a,1,,
2026-10-01,,1,,
2026-10-01,a,ten,,
2026-10-01,a,1,dollars,
2026-10-01,a,1,,[1]
2026-10-01,a,1e99,,
";
        let (read, errors) = read_costs("bad.csv", bad.as_bytes(), &Columns::default());
        assert!(read.is_empty(), "{read:?}");
        let places: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            places,
            [
                (2, "BillingPeriodStart"),
                (3, "BillingAccountId"),
                (4, "BilledCost"),
                (5, "BillingCurrency"),
                (6, "Tags"),
                (7, "BilledCost"),
            ],
            "{errors:?}"
        );
    }
}
