//! The fiscal sponsor's general-ledger export ("account transactions"): one row per line,
//! read into [`bearing_core::actuals::Line`]s. The columns are the sponsor's by default
//! (Source, Description, Net, Account Code, Grants; Account Name and Date when present); a
//! mapping names others. Every problem is named by file, line, column and value.

use std::io::Read;

use bearing_core::actuals::Line;
use bearing_core::{Currency, Money, Month};

use crate::crm::RowError;

/// Which column of the file holds each field; matched without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub account: String,
    pub amount: String,
    pub account_name: String,
    pub description: String,
    pub grant: String,
    pub source: String,
    /// A date (`YYYY-MM-DD`) per line; without this column every line is in the file's period.
    pub date: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            account: "Account Code".into(),
            amount: "Net".into(),
            account_name: "Account Name".into(),
            description: "Description".into(),
            grant: "Grants".into(),
            source: "Source".into(),
            date: "Date".into(),
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
                ("account", &mut c.account),
                ("amount", &mut c.amount),
                ("account-name", &mut c.account_name),
                ("description", &mut c.description),
                ("grant", &mut c.grant),
                ("source", &mut c.source),
                ("date", &mut c.date),
            ],
        )?;
        Ok(c)
    }
}

/// The sources whose lines are invoices: receivable (revenue) and payable (costs).
pub const INVOICE_SOURCES: [&str; 2] = ["Receivable Invoice", "Payable Invoice"];

/// Reads a whole file: every line, or every problem. `period` is the month of every line
/// when the file has no date column.
pub fn read_lines(
    file: &str,
    input: impl Read,
    columns: &Columns,
    period: Option<Month>,
) -> Result<Vec<Line>, Vec<RowError>> {
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
        return Err(errors);
    }
    let position = |name: &str| headers.iter().position(|h| *h == name.to_lowercase());
    let (Some(account), Some(amount)) = (position(&columns.account), position(&columns.amount))
    else {
        let missing: Vec<&str> = [&columns.account, &columns.amount]
            .into_iter()
            .filter(|c| position(c).is_none())
            .map(String::as_str)
            .collect();
        return Err(vec![error(
            1,
            missing.first().copied().unwrap_or_default(),
            &headers.join(","),
            format!(
                "the file has no {} column; name the columns with a mapping (account=…, amount=…)",
                missing.join(" or ")
            ),
        )]);
    };
    let date = position(&columns.date);
    if date.is_none() && period.is_none() {
        return Err(vec![error(
            1,
            &columns.date,
            "",
            "the file has no date column: give the month it covers (YYYY-MM)".into(),
        )]);
    }
    let optional = [
        position(&columns.account_name),
        position(&columns.description),
        position(&columns.grant),
        position(&columns.source),
    ];
    let mut lines = Vec::new();
    for (line_no, record) in rows {
        let cell = |i: usize| record.get(i).unwrap_or_default().trim();
        let text = |i: Option<usize>| i.map(cell).filter(|t| !t.is_empty()).map(str::to_owned);
        let before = errors.len();
        let code = cell(account);
        if code.is_empty() {
            errors.push(error(
                line_no,
                &columns.account,
                "",
                "every line needs an account code".into(),
            ));
        } else if let Err(problem) = bearing_core::text::check(code, bearing_core::text::MAX_NAME) {
            errors.push(error(line_no, &columns.account, code, problem));
        }
        let money = Money::parse(cell(amount), Currency::USD);
        if let Err(e) = &money {
            errors.push(error(
                line_no,
                &columns.amount,
                cell(amount),
                e.reason.clone(),
            ));
        }
        let month = match date {
            Some(d) => {
                let raw = cell(d);
                match bearing_core::parse_date(raw.get(..10).unwrap_or(raw)) {
                    Ok(day) => Some(Month::of(day)),
                    Err(e) => {
                        errors.push(error(line_no, &columns.date, raw, e.reason));
                        None
                    }
                }
            }
            None => period,
        };
        if errors.len() > before {
            continue;
        }
        let (Ok(money), Some(month)) = (money, month) else {
            continue;
        };
        let [account_name, description, grant_code, source] = optional.map(text);
        lines.push(Line {
            month,
            account: code.to_owned(),
            account_name,
            description,
            amount_minor: money.minor,
            grant_code,
            source,
        });
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
Date,Source,Description,Reference,Net,Account Code,Account Name,Grants
2026-10-03,Receivable Invoice,Harbour University membership,INV-0101,30000.00,4221,Membership fees,
2026-10-05,Receivable Invoice,Harbour University membership (credit),CN-0007,-1000.00,4221,Membership fees,
2026-10-31,Payable Invoice,October salaries,PAY-10,20000.00,6000,Salaries,GR-17
";

    #[test]
    fn the_sponsors_columns_are_read_with_the_month_of_each_date() {
        let lines = read_lines("gl.csv", FILE.as_bytes(), &Columns::default(), None);
        let lines = lines.unwrap_or_default();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].month.to_string(), "2026-10");
        assert_eq!(lines[0].amount_minor, 3_000_000);
        assert_eq!(lines[1].amount_minor, -100_000);
        assert_eq!(lines[2].grant_code.as_deref(), Some("GR-17"));
        assert_eq!(lines[0].grant_code, None);
        assert_eq!(lines[2].source.as_deref(), Some("Payable Invoice"));
        assert_eq!(lines[2].account_name.as_deref(), Some("Salaries"));
    }

    #[test]
    fn a_mapping_names_other_columns_and_the_period_dates_undated_files() {
        let file = "Acct,Amount,Memo\n4223,12.50,usage\n";
        let columns = Columns::mapped(&[
            ("account".into(), "acct".into()),
            ("amount".into(), "Amount".into()),
            ("description".into(), "Memo".into()),
        ])
        .unwrap_or_default();
        let period = Month::parse("2026-09").ok();
        let lines = read_lines("x.csv", file.as_bytes(), &columns, period).unwrap_or_default();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].month.to_string(), "2026-09");
        assert_eq!(lines[0].description.as_deref(), Some("usage"));
        // Without the period, an undated file is refused with what to do.
        let refused = read_lines("x.csv", file.as_bytes(), &columns, None).unwrap_err();
        assert!(refused[0].message.contains("give the month"), "{refused:?}");
        assert!(Columns::mapped(&[("colour".into(), "x".into())]).is_err());
    }

    #[test]
    fn every_bad_cell_is_named_and_nothing_is_read() {
        let file =
            "Date,Net,Account Code\n2026-13-01,5,4221\n2026-10-01,1.234,4221\n2026-10-01,5,\n";
        let errors = read_lines("gl.csv", file.as_bytes(), &Columns::default(), None).unwrap_err();
        let places: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            places,
            [(2, "Date"), (3, "Net"), (4, "Account Code")],
            "{errors:?}"
        );
        let missing = read_lines(
            "gl.csv",
            "Date,Amount\n".as_bytes(),
            &Columns::default(),
            None,
        )
        .unwrap_err();
        assert!(
            missing[0].message.contains("no Account Code or Net column"),
            "{missing:?}"
        );
    }
}
