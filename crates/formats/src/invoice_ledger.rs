//! The fiscal sponsor's invoice export: one row per invoice, read into
//! [`bearing_core::ledger::LedgerInvoice`]s. The columns are the sponsor's by default
//! (InvoiceNumber, Contact, Reference, Date, DueDate, Total, AmountPaid, Status; Currency and
//! PaymentDate when present); a mapping names others. Every problem is named by file, line,
//! column and value; an import with any problem imports nothing.

use std::collections::HashMap;
use std::io::Read;

use bearing_core::invoice::Status;
use bearing_core::ledger::{LedgerInvoice, ledger_status};
use bearing_core::{Currency, Date, Money};

use crate::crm::RowError;

/// Which column of the file holds each field; matched without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub number: String,
    pub contact: String,
    pub reference: String,
    pub date: String,
    pub due_date: String,
    pub total: String,
    pub amount_paid: String,
    pub status: String,
    /// Optional: USD when the file has no such column.
    pub currency: String,
    /// Optional: the day of the last payment; without it a payment is dated on the import.
    pub payment_date: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            number: "InvoiceNumber".into(),
            contact: "Contact".into(),
            reference: "Reference".into(),
            date: "Date".into(),
            due_date: "DueDate".into(),
            total: "Total".into(),
            amount_paid: "AmountPaid".into(),
            status: "Status".into(),
            currency: "Currency".into(),
            payment_date: "PaymentDate".into(),
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
                ("number", &mut c.number),
                ("contact", &mut c.contact),
                ("reference", &mut c.reference),
                ("date", &mut c.date),
                ("due-date", &mut c.due_date),
                ("total", &mut c.total),
                ("amount-paid", &mut c.amount_paid),
                ("status", &mut c.status),
                ("currency", &mut c.currency),
                ("payment-date", &mut c.payment_date),
            ],
        )?;
        Ok(c)
    }
}

/// Reads a whole file: the invoices of the rows that could be read, and every problem.
pub fn read_invoices(
    file: &str,
    input: impl Read,
    columns: &Columns,
) -> (Vec<LedgerInvoice>, Vec<RowError>) {
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
    let required = [
        &columns.number,
        &columns.contact,
        &columns.total,
        &columns.status,
    ];
    let missing: Vec<&str> = required
        .iter()
        .filter(|c| position(c).is_none())
        .map(|c| c.as_str())
        .collect();
    if let Some(first) = missing.first() {
        errors.push(error(
            1,
            first,
            &headers.join(","),
            format!(
                "the file has no {} column; name the columns with a mapping (number=…, contact=…, total=…, status=…)",
                missing.join(" or ")
            ),
        ));
        return (Vec::new(), errors);
    }
    let at = |name: &String| position(name);
    let (number, contact, total, status) = (
        at(&columns.number).unwrap_or_default(),
        at(&columns.contact).unwrap_or_default(),
        at(&columns.total).unwrap_or_default(),
        at(&columns.status).unwrap_or_default(),
    );
    let (reference, date, due_date, amount_paid, currency, payment_date) = (
        at(&columns.reference),
        at(&columns.date),
        at(&columns.due_date),
        at(&columns.amount_paid),
        at(&columns.currency),
        at(&columns.payment_date),
    );
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut invoices = Vec::new();
    for (line_no, record) in rows {
        let cell = |i: usize| record.get(i).unwrap_or_default().trim();
        let before = errors.len();
        let day = |i: Option<usize>, column: &str, errors: &mut Vec<RowError>| -> Option<Date> {
            let raw = cell(i?);
            if raw.is_empty() {
                return None;
            }
            // The sponsor's export writes a moment; its day is what counts.
            match bearing_core::parse_date(raw.get(..10).unwrap_or(raw)) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(error(line_no, column, raw, e.reason));
                    None
                }
            }
        };
        let issued_on = day(date, &columns.date, &mut errors);
        let due_on = day(due_date, &columns.due_date, &mut errors);
        let paid_on = day(payment_date, &columns.payment_date, &mut errors);
        let key = cell(number);
        if key.is_empty() {
            errors.push(error(
                line_no,
                &columns.number,
                "",
                "every invoice needs its number".into(),
            ));
        } else if let Err(problem) = bearing_core::text::check(key, bearing_core::text::MAX_NAME) {
            errors.push(error(line_no, &columns.number, key, problem));
        } else if let Some(first) = seen.insert(key.to_owned(), line_no) {
            errors.push(error(
                line_no,
                &columns.number,
                key,
                format!("the file has this invoice twice (first on line {first})"),
            ));
        }
        let name = cell(contact);
        if name.is_empty() {
            errors.push(error(
                line_no,
                &columns.contact,
                "",
                "every invoice needs its contact (the organization it bills)".into(),
            ));
        } else if let Err(problem) = bearing_core::text::check(name, bearing_core::text::MAX_NAME) {
            errors.push(error(line_no, &columns.contact, name, problem));
        }
        let currency = match currency.map(cell).filter(|c| !c.is_empty()) {
            None => Some(Currency::USD),
            Some(text) => match Currency::parse(text) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(error(line_no, &columns.currency, text, e.reason));
                    None
                }
            },
        };
        let amount = |i: usize, column: &str, errors: &mut Vec<RowError>| -> Option<i64> {
            let currency = currency?;
            match Money::parse(cell(i), currency) {
                Ok(m) => Some(m.minor),
                Err(e) => {
                    errors.push(error(line_no, column, cell(i), e.reason));
                    None
                }
            }
        };
        let total_minor = amount(total, &columns.total, &mut errors);
        if let Some(t) = total_minor
            && t <= 0
        {
            errors.push(error(
                line_no,
                &columns.total,
                cell(total),
                "an invoice bills more than nothing (a credit note is not an invoice)".into(),
            ));
        }
        let paid_minor = match amount_paid.filter(|i| !cell(*i).is_empty()) {
            Some(i) => amount(i, &columns.amount_paid, &mut errors),
            None => Some(0),
        };
        if let (Some(paid), Some(t)) = (paid_minor, total_minor)
            && t > 0
            && !(0..=t).contains(&paid)
        {
            errors.push(error(
                line_no,
                &columns.amount_paid,
                amount_paid.map(cell).unwrap_or_default(),
                "what was paid is between nothing and the total".into(),
            ));
        }
        let state = match ledger_status(cell(status)) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push(error(line_no, &columns.status, cell(status), e.reason));
                None
            }
        };
        if let Some(s) = state
            && !matches!(s, Status::Draft)
            && date.is_some_and(|i| cell(i).is_empty())
        {
            errors.push(error(
                line_no,
                &columns.date,
                "",
                "an invoice sent out needs the day it was issued".into(),
            ));
        }
        if errors.len() > before {
            continue;
        }
        let (Some(currency), Some(total_minor), Some(paid_minor), Some(status)) =
            (currency, total_minor, paid_minor, state)
        else {
            continue;
        };
        invoices.push(LedgerInvoice {
            line: line_no,
            number: key.to_owned(),
            contact: name.to_owned(),
            reference: reference
                .map(cell)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            issued_on,
            due_on,
            currency,
            total_minor,
            paid_minor,
            status,
            paid_on,
        });
    }
    (invoices, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
InvoiceNumber,Contact,Reference,Date,DueDate,Total,AmountPaid,Status,Currency
INV-0101,Harbour University,deal 42,2026-10-03T00:00:00,2026-11-02T00:00:00,30000.00,30000.00,PAID,USD
INV-0102,Harbour University,,2026-10-05,2026-11-04,1200.50,200.00,AUTHORISED,
INV-0103,Lakeshore Lab,,,,500.00,,DRAFT,EUR
INV-0104,Lakeshore Lab,,2026-09-01,2026-10-01,750.00,0,VOIDED,
";

    #[test]
    fn the_sponsors_columns_are_read() {
        let (read, errors) = read_invoices("ledger.csv", FILE.as_bytes(), &Columns::default());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(read.len(), 4);
        assert_eq!(read[0].number, "INV-0101");
        assert_eq!(read[0].reference.as_deref(), Some("deal 42"));
        assert_eq!(
            read[0].issued_on.map(|d| d.to_string()).as_deref(),
            Some("2026-10-03")
        );
        assert_eq!(
            (read[0].total_minor, read[0].paid_minor),
            (3_000_000, 3_000_000)
        );
        assert_eq!(read[0].status, Status::Paid);
        assert_eq!((read[1].total_minor, read[1].paid_minor), (120_050, 20_000));
        assert_eq!(read[1].status, Status::Issued);
        assert_eq!(read[2].currency.as_str(), "EUR");
        assert_eq!((read[2].status, read[2].paid_minor), (Status::Draft, 0));
        assert_eq!(read[3].status, Status::Void);
        assert_eq!(read[3].line, 5);
    }

    #[test]
    fn a_mapping_names_other_columns() {
        let file = "No,Customer,Amount,State\nA-1,Atlantis,10,authorised\n";
        let columns = Columns::mapped(&[
            ("number".into(), "No".into()),
            ("contact".into(), "customer".into()),
            ("total".into(), "Amount".into()),
            ("status".into(), "State".into()),
        ])
        .unwrap();
        let (read, _) = read_invoices("x.csv", file.as_bytes(), &columns);
        assert_eq!(
            (read[0].number.as_str(), read[0].contact.as_str()),
            ("A-1", "Atlantis")
        );
        assert_eq!(read[0].status, Status::Issued);
        assert!(Columns::mapped(&[("colour".into(), "x".into())]).is_err());
        let (none, refused) = read_invoices("x.csv", file.as_bytes(), &Columns::default());
        assert!(none.is_empty());
        assert!(
            refused[0]
                .message
                .contains("has no InvoiceNumber or Contact"),
            "{refused:?}"
        );
    }

    #[test]
    fn every_bad_cell_is_named() {
        let file = "\
InvoiceNumber,Contact,Date,Total,AmountPaid,Status
A-1,Atlantis,2026-13-01,10,0,AUTHORISED
A-2,,2026-10-01,10,0,AUTHORISED
A-3,Atlantis,2026-10-01,ten,0,AUTHORISED
A-4,Atlantis,2026-10-01,10,11,AUTHORISED
A-5,Atlantis,2026-10-01,10,0,DELETED
A-1,Atlantis,2026-10-01,10,0,AUTHORISED
A-7,Atlantis,,10,0,AUTHORISED
A-8,Atlantis,2026-10-01,-5,0,AUTHORISED
";
        let (read, errors) = read_invoices("ledger.csv", file.as_bytes(), &Columns::default());
        assert!(read.is_empty(), "{read:?}");
        let places: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            places,
            [
                (2, "Date"),
                (3, "Contact"),
                (4, "Total"),
                (5, "AmountPaid"),
                (6, "Status"),
                (7, "InvoiceNumber"),
                (8, "Date"),
                (9, "Total"),
            ],
            "{errors:?}"
        );
        assert!(errors[5].message.contains("first on line 2"), "{errors:?}");
    }
}
