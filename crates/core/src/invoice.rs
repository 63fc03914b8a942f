//! Invoices, payments and collections (docs/domain.md, "Invoices, payments and
//! collections"): a line's amount, an invoice's balance on a day, the day it was paid and its
//! status, and the measures of collections: invoicing turnaround, days to collect, the
//! on-time rate, aging as of any day and days sales outstanding.

use std::fmt;

use crate::{Date, Month, ParseError};

/// What an invoice bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Membership,
    Usage,
    Cloud,
    Service,
    GrantTranche,
    Other,
}

text_enum!(Kind, "invoice kind", {
    Membership => "membership",
    Usage => "usage",
    Cloud => "cloud",
    Service => "service",
    GrantTranche => "grant-tranche",
    Other => "other",
});

/// Where an invoice stands: draft → issued → partially paid → paid, or void.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    Issued,
    PartiallyPaid,
    Paid,
    Void,
}

text_enum!(Status, "invoice status", {
    Draft => "draft",
    Issued => "issued",
    PartiallyPaid => "partially-paid",
    Paid => "paid",
    Void => "void",
});

/// Payment terms when nothing else is said: an invoice is due 30 days after it is issued.
pub const DEFAULT_TERMS_DAYS: i64 = 30;

/// The number Bearing gives the `n`th invoice it numbers itself: `INV-00042`.
pub fn number(n: u64) -> String {
    format!("INV-{n:05}")
}

/// Which of Bearing's own numbers `text` is, if it is one of them.
pub fn sequence_of(text: &str) -> Option<u64> {
    text.strip_prefix("INV-")?.parse().ok()
}

/// The target of invoicing turnaround: an invoice issued within 10 days of the day it could
/// have been.
pub const TURNAROUND_TARGET_DAYS: i64 = 10;

/// A quantity on an invoice line, with up to three decimals, kept exactly in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct Quantity(i64);

impl From<Quantity> for String {
    fn from(q: Quantity) -> String {
        q.to_string()
    }
}

impl Quantity {
    /// The largest quantity a line takes.
    const MAX_THOUSANDTHS: i64 = 1_000_000_000_000;

    pub const ONE: Quantity = Quantity(1000);

    /// A decimal such as `3`, `1.5` or `0.125`: positive, at most three decimals.
    pub fn parse(text: &str) -> Result<Quantity, ParseError> {
        let bad = |reason: &str| ParseError::new("quantity", text, reason);
        let trimmed = text.trim();
        let (whole, fraction) = trimmed.split_once('.').unwrap_or((trimmed, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(bad("expected a number such as 3 or 1.5"));
        }
        if fraction.len() > 3 {
            return Err(bad("at most three decimals"));
        }
        let thousandths = whole
            .parse::<i64>()
            .ok()
            .and_then(|w| w.checked_mul(1000))
            .and_then(|w| {
                let f = format!("{fraction:0<3}").parse::<i64>().ok()?;
                w.checked_add(f)
            })
            .filter(|q| *q <= Self::MAX_THOUSANDTHS)
            .ok_or_else(|| bad("too large"))?;
        if thousandths == 0 {
            return Err(bad("a line's quantity is more than zero"));
        }
        Ok(Quantity(thousandths))
    }

    /// A stored quantity in thousandths; `None` outside the range a line takes.
    pub fn from_thousandths(thousandths: i64) -> Option<Quantity> {
        (1..=Self::MAX_THOUSANDTHS)
            .contains(&thousandths)
            .then_some(Quantity(thousandths))
    }

    pub fn thousandths(self) -> i64 {
        self.0
    }

    /// `quantity × unit` in minor units, rounded to the minor unit half away from zero;
    /// `None` when it does not fit.
    pub fn times(self, unit_minor: i64) -> Option<i64> {
        let product = i128::from(self.0) * i128::from(unit_minor);
        let (whole, rest) = (product / 1000, product % 1000);
        let rounded = if rest.abs() * 2 >= 1000 {
            whole + product.signum()
        } else {
            whole
        };
        i64::try_from(rounded).ok()
    }
}

impl fmt::Display for Quantity {
    /// `3`, `1.5`, `0.125`: no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 1000, self.0 % 1000);
        if fraction == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{fraction:03}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// A line of an invoice: what it bills, how many at what unit amount, and its amount.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    pub description: String,
    pub quantity: Quantity,
    pub unit_minor: i64,
    /// Quantity × unit, rounded to the minor unit.
    pub amount_minor: i64,
}

impl Line {
    /// A line, its amount worked out; refused when the description is empty or too long or
    /// the amount does not fit.
    pub fn new(description: &str, quantity: Quantity, unit_minor: i64) -> Result<Line, ParseError> {
        let description = description.trim();
        crate::text::check(description, crate::text::MAX_NAME)
            .map_err(|reason| ParseError::new("line description", description, &reason))?;
        if description.is_empty() {
            return Err(ParseError::new(
                "line description",
                description,
                "a line says what it bills",
            ));
        }
        let amount_minor = quantity
            .times(unit_minor)
            .ok_or_else(|| ParseError::new("line amount", &unit_minor.to_string(), "too large"))?;
        Ok(Line {
            description: description.to_owned(),
            quantity,
            unit_minor,
            amount_minor,
        })
    }
}

/// A line as typed: its description, quantity (1 when empty) and unit amount in major units.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct LineInput {
    pub description: String,
    #[serde(default)]
    pub quantity: Option<String>,
    /// The unit amount in major units, such as `12500` or `0.35`.
    pub unit: String,
}

impl LineInput {
    /// `DESCRIPTION; QUANTITY; UNIT` or `DESCRIPTION; AMOUNT` (a quantity of 1); the
    /// description may hold semicolons of its own.
    pub fn parse(text: &str) -> Result<LineInput, ParseError> {
        let parts: Vec<&str> = text.rsplitn(3, ';').map(str::trim).collect();
        let numeric =
            |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || ".-+".contains(c));
        match parts.as_slice() {
            [unit, quantity, description] if numeric(quantity) => Ok(LineInput {
                description: (*description).to_owned(),
                quantity: Some((*quantity).to_owned()),
                unit: (*unit).to_owned(),
            }),
            [unit, description @ ..] if !description.is_empty() => {
                let description: Vec<&str> = description.iter().rev().copied().collect();
                Ok(LineInput {
                    description: description.join("; "),
                    quantity: None,
                    unit: (*unit).to_owned(),
                })
            }
            _ => Err(ParseError::new(
                "invoice line",
                text,
                "expected DESCRIPTION; QUANTITY; UNIT AMOUNT or DESCRIPTION; AMOUNT",
            )),
        }
    }

    /// The line in `currency`.
    pub fn line(&self, currency: crate::Currency) -> Result<Line, ParseError> {
        let quantity = match self.quantity.as_deref().map(str::trim) {
            None | Some("") => Quantity::ONE,
            Some(q) => Quantity::parse(q)?,
        };
        let unit = crate::Money::parse(&self.unit, currency)?;
        Line::new(&self.description, quantity, unit.minor)
    }
}

/// The total of `lines`; `None` when it does not fit.
pub fn total(lines: &[Line]) -> Option<i64> {
    lines
        .iter()
        .try_fold(0_i64, |sum, line| sum.checked_add(line.amount_minor))
}

/// One payment on an invoice: a refund is negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    pub on: Date,
    pub amount_minor: i64,
}

/// What the measures of collections need to know of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub total_minor: i64,
    /// The first day it could have been issued.
    pub billable: Option<Date>,
    pub issued: Option<Date>,
    pub due: Option<Date>,
    /// The day it was voided.
    pub voided: Option<Date>,
    pub payments: Vec<Payment>,
}

impl Facts {
    /// What was paid on or before `day`.
    pub fn paid_by(&self, day: Date) -> i64 {
        self.payments
            .iter()
            .filter(|p| p.on <= day)
            .map(|p| p.amount_minor)
            .sum()
    }

    /// What was paid, on any day.
    pub fn paid(&self) -> i64 {
        self.payments.iter().map(|p| p.amount_minor).sum()
    }

    /// Total less what was paid on or before `day`.
    pub fn balance_on(&self, day: Date) -> i64 {
        self.total_minor - self.paid_by(day)
    }

    /// Total less everything paid.
    pub fn balance(&self) -> i64 {
        self.total_minor - self.paid()
    }

    /// The first day the balance is nothing or less, once issued: the day of the payment that
    /// settled it, or the day of issue for an invoice of nothing.
    pub fn paid_date(&self) -> Option<Date> {
        let issued = self.issued?;
        if self.total_minor <= 0 {
            return Some(issued);
        }
        let mut days: Vec<Date> = self.payments.iter().map(|p| p.on).collect();
        days.sort();
        days.dedup();
        days.into_iter().find(|day| self.balance_on(*day) <= 0)
    }

    /// Its status: void once voided, draft until issued, then issued, partially paid or paid
    /// by what its payments add up to.
    pub fn status(&self) -> Status {
        if self.voided.is_some() {
            Status::Void
        } else if self.issued.is_none() {
            Status::Draft
        } else if self.balance() <= 0 {
            Status::Paid
        } else if self.paid() > 0 {
            Status::PartiallyPaid
        } else {
            Status::Issued
        }
    }

    /// Issued − billable in days; issuing before the billable day counts as no delay.
    pub fn turnaround_days(&self) -> Option<i64> {
        Some(days_between(self.billable?, self.issued?).max(0))
    }

    /// Paid date − issued date in days; a payment made before the invoice was issued counts
    /// as none.
    pub fn days_to_collect(&self) -> Option<i64> {
        Some(days_between(self.issued?, self.paid_date()?).max(0))
    }

    /// What it is owed on `day`: the balance of an invoice issued on or before the day and not
    /// voided by it, when more than nothing.
    pub fn outstanding_on(&self, day: Date) -> Option<i64> {
        let issued = self.issued?;
        let voided = self.voided.is_some_and(|v| v <= day);
        let balance = self.balance_on(day);
        (issued <= day && !voided && balance > 0).then_some(balance)
    }

    /// The invoice as it stood at the end of `day`: issued, voided and paid only by then.
    pub fn as_of(&self, day: Date) -> Facts {
        let by = |d: Option<Date>| d.filter(|d| *d <= day);
        Facts {
            total_minor: self.total_minor,
            billable: self.billable,
            issued: by(self.issued),
            due: if by(self.issued).is_some() {
                self.due
            } else {
                None
            },
            voided: by(self.voided),
            payments: self
                .payments
                .iter()
                .copied()
                .filter(|p| p.on <= day)
                .collect(),
        }
    }

    /// Whether `payment` may be added: on every day from it on, what was paid stays between
    /// nothing and the total, so no refund comes before what it refunds and no payment pays
    /// more than was owed. The first day it would not, with the balance it would leave.
    pub fn check_payment(&self, payment: Payment) -> Result<(), (Date, i64)> {
        let mut days: Vec<Date> = self
            .payments
            .iter()
            .map(|p| p.on)
            .chain(std::iter::once(payment.on))
            .filter(|d| *d >= payment.on)
            .collect();
        days.sort();
        days.dedup();
        for day in days {
            let paid = self.paid_by(day) + payment.amount_minor;
            if paid < 0 || paid > self.total_minor {
                return Err((day, self.total_minor - paid));
            }
        }
        Ok(())
    }

    /// Whether it was paid by its due date; `None` before it is due (or without one).
    pub fn paid_on_time(&self, today: Date) -> Option<bool> {
        let due = self.due.or(self.issued)?;
        if self.voided.is_some() || due > today {
            return None;
        }
        Some(self.paid_date().is_some_and(|paid| paid <= due))
    }
}

/// Days from `from` to `to`, negative when `to` comes first.
pub fn days_between(from: Date, to: Date) -> i64 {
    i64::from(
        to.since(from)
            .map(|span| span.get_days())
            .unwrap_or_default(),
    )
}

/// The due date of an invoice issued on `issued` with `terms_days` to pay.
pub fn due_date(issued: Date, terms_days: i64) -> Option<Date> {
    issued
        .checked_add(jiff::Span::new().try_days(terms_days).ok()?)
        .ok()
}

/// How late an outstanding invoice is, by days past its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    Current,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

text_enum!(Bucket, "aging bucket", {
    Current => "current",
    Days1To30 => "1-30",
    Days31To60 => "31-60",
    Days61To90 => "61-90",
    Over90 => "over-90",
});

impl Bucket {
    pub fn of(days_past_due: i64) -> Bucket {
        match days_past_due {
            ..=0 => Bucket::Current,
            1..=30 => Bucket::Days1To30,
            31..=60 => Bucket::Days31To60,
            61..=90 => Bucket::Days61To90,
            _ => Bucket::Over90,
        }
    }

    /// As the aging table heads its column.
    pub fn label(self) -> &'static str {
        match self {
            Bucket::Current => "Current",
            Bucket::Days1To30 => "1–30 days",
            Bucket::Days31To60 => "31–60 days",
            Bucket::Days61To90 => "61–90 days",
            Bucket::Over90 => "Over 90 days",
        }
    }

    /// Whether it belongs on the 60+ list.
    pub fn over_60(self) -> bool {
        matches!(self, Bucket::Days61To90 | Bucket::Over90)
    }
}

/// One outstanding invoice in an aging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aged {
    /// Its place in the invoices the aging was made of.
    pub index: usize,
    pub days_past_due: i64,
    pub balance_minor: i64,
    pub bucket: Bucket,
}

/// Aging as of a day: every invoice issued on or before it with a balance on it, by days past
/// due; the buckets add up exactly to the total outstanding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aging {
    pub as_of: Date,
    /// Most overdue first.
    pub rows: Vec<Aged>,
    /// Outstanding by bucket, in [`Bucket::ALL`]'s order.
    pub buckets: [i64; 5],
    pub total_minor: i64,
}

impl Aging {
    pub fn bucket(&self, bucket: Bucket) -> i64 {
        self.buckets[bucket as usize]
    }

    /// What the 60+ list holds: the outstanding in the 61–90 and over 90 buckets.
    pub fn over_60(&self) -> i64 {
        self.bucket(Bucket::Days61To90) + self.bucket(Bucket::Over90)
    }
}

/// The aging of `invoices` (all in one currency) as of `as_of`.
pub fn aging(invoices: &[Facts], as_of: Date) -> Aging {
    let mut rows: Vec<Aged> = invoices
        .iter()
        .enumerate()
        .filter_map(|(index, invoice)| {
            let balance_minor = invoice.outstanding_on(as_of)?;
            let due = invoice.due.or(invoice.issued)?;
            let days_past_due = days_between(due, as_of);
            Some(Aged {
                index,
                days_past_due,
                balance_minor,
                bucket: Bucket::of(days_past_due),
            })
        })
        .collect();
    rows.sort_by_key(|r| (std::cmp::Reverse(r.days_past_due), r.index));
    let mut buckets = [0; 5];
    for row in &rows {
        buckets[row.bucket as usize] += row.balance_minor;
    }
    Aging {
        as_of,
        total_minor: rows.iter().map(|r| r.balance_minor).sum(),
        rows,
        buckets,
    }
}

/// Days sales outstanding over the `days` days ending on `as_of`: outstanding on the day ÷
/// invoiced in those days × days; `None` when nothing was invoiced in them.
pub fn dso(invoices: &[Facts], as_of: Date, days: i64) -> Option<f64> {
    let first = as_of
        .checked_sub(jiff::Span::new().try_days(days - 1).ok()?)
        .ok()?;
    let invoiced: i64 = invoices
        .iter()
        .filter(|i| i.voided.is_none_or(|v| v > as_of))
        .filter(|i| i.issued.is_some_and(|d| first <= d && d <= as_of))
        .map(|i| i.total_minor)
        .sum();
    let outstanding: i64 = invoices
        .iter()
        .filter_map(|i| i.outstanding_on(as_of))
        .sum();
    (invoiced > 0).then(|| outstanding as f64 / invoiced as f64 * days as f64)
}

/// The median of whole numbers: the middle one, or the mean of the two in the middle.
pub fn median(values: &[i64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// A month of collections: what was invoiced and collected, how fast, and how many were paid
/// on time.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionsMonth {
    pub month: Month,
    /// Invoices issued in the month, and their total.
    pub issued: usize,
    pub invoiced_minor: i64,
    /// Payments dated in the month, refunds netted.
    pub collected_minor: i64,
    /// Median turnaround of the invoices issued in the month, in days.
    pub turnaround_days: Option<f64>,
    /// Median days to collect of the invoices paid in the month.
    pub days_to_collect: Option<f64>,
    /// Invoices due in the month (up to `today`), and the share of them paid by their due
    /// date.
    pub due: usize,
    pub on_time: Option<f64>,
    /// Outstanding at the month's end (or `today`, in the current month).
    pub outstanding_minor: i64,
    /// DSO over the 90 days ending with the month (or `today`).
    pub dso_days: Option<f64>,
}

/// The days DSO looks back over.
pub const DSO_DAYS: i64 = 90;

/// Collections month by month from `first` to the month of `today` (invoices in one
/// currency; voided ones count nowhere). Each invoice is looked at once for what falls in a
/// month (its issue, payments, paid date and due date), then once per month's end for what
/// was outstanding.
pub fn collections(invoices: &[Facts], first: Month, today: Date) -> Vec<CollectionsMonth> {
    // What happened after the day does not count on it.
    let invoices: Vec<Facts> = invoices.iter().map(|i| i.as_of(today)).collect();
    let invoices = invoices.as_slice();
    let last = Month::of(today);
    let Ok(count) = usize::try_from(first.until(last) + 1) else {
        return Vec::new();
    };
    let place = |day: Date| {
        usize::try_from(first.until(Month::of(day)))
            .ok()
            .filter(|k| *k < count)
    };
    let mut months: Vec<CollectionsMonth> = (0..count)
        .filter_map(|k| first.plus(k as i32))
        .map(|month| CollectionsMonth {
            month,
            issued: 0,
            invoiced_minor: 0,
            collected_minor: 0,
            turnaround_days: None,
            days_to_collect: None,
            due: 0,
            on_time: None,
            outstanding_minor: 0,
            dso_days: None,
        })
        .collect();
    let mut turnaround: Vec<Vec<i64>> = vec![Vec::new(); count];
    let mut collect: Vec<Vec<i64>> = vec![Vec::new(); count];
    let mut on_time: Vec<(usize, usize)> = vec![(0, 0); count];
    for invoice in invoices.iter().filter(|i| i.voided.is_none()) {
        if let Some(k) = invoice.issued.and_then(place) {
            months[k].issued += 1;
            months[k].invoiced_minor += invoice.total_minor;
            turnaround[k].extend(invoice.turnaround_days());
        }
        for payment in &invoice.payments {
            if let Some(k) = place(payment.on) {
                months[k].collected_minor += payment.amount_minor;
            }
        }
        let paid = invoice.paid_date();
        if let (Some(issued), Some(paid)) = (invoice.issued, paid)
            && let Some(k) = place(paid)
        {
            collect[k].push(days_between(issued, paid).max(0));
        }
        if let Some(k) = invoice.due.or(invoice.issued).and_then(place)
            && let Some(paid_on_time) = invoice.paid_on_time(today)
        {
            on_time[k].1 += 1;
            on_time[k].0 += usize::from(paid_on_time);
        }
    }
    for (k, m) in months.iter_mut().enumerate() {
        let end = m.month.last_day().min(today);
        m.turnaround_days = median(&turnaround[k]);
        m.days_to_collect = median(&collect[k]);
        m.due = on_time[k].1;
        m.on_time = (on_time[k].1 > 0).then(|| on_time[k].0 as f64 / on_time[k].1 as f64);
        m.outstanding_minor = invoices.iter().filter_map(|i| i.outstanding_on(end)).sum();
        m.dso_days = dso(invoices, end, DSO_DAYS);
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        crate::parse_date(text).unwrap_or(crate::EARLIEST_DATE)
    }

    fn invoice(total: i64, issued: &str, due: &str, payments: &[(&str, i64)]) -> Facts {
        Facts {
            total_minor: total,
            billable: None,
            issued: Some(day(issued)),
            due: Some(day(due)),
            voided: None,
            payments: payments
                .iter()
                .map(|(on, amount_minor)| Payment {
                    on: day(on),
                    amount_minor: *amount_minor,
                })
                .collect(),
        }
    }

    #[test]
    fn a_lines_amount_is_quantity_times_unit_rounded_half_away_from_zero() {
        let q = |t: &str| Quantity::parse(t).unwrap_or(Quantity::ONE);
        assert_eq!(q("3").times(12_500), Some(37_500));
        // 1.5 × $0.99 = $1.485 → $1.49; a credit line rounds the same way, away from zero.
        assert_eq!(q("1.5").times(99), Some(149));
        assert_eq!(q("1.5").times(-99), Some(-149));
        // 0.333 × $10.00 = $3.33 exactly.
        assert_eq!(q("0.333").times(1_000), Some(333));
        assert_eq!(q("2.125").to_string(), "2.125");
        assert_eq!(q("2.50").to_string(), "2.5");
        assert_eq!(q("7").thousandths(), 7_000);
        for bad in ["", "0", "-1", "1.2345", "1e3", "abc", ".5", "99999999999"] {
            assert!(Quantity::parse(bad).is_err(), "{bad:?} was read");
        }
        assert_eq!(Quantity::from_thousandths(0), None);
        assert_eq!(q("1000000000").times(i64::MAX), None);
    }

    #[test]
    fn a_typed_line_reads_with_or_without_its_quantity() {
        let usd = crate::Currency::USD;
        let line = |t: &str| LineInput::parse(t).and_then(|l| l.line(usd));
        let l = line("Usage; March 2026; 1.5; 99").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                l.description.as_str(),
                l.quantity.to_string(),
                l.unit_minor,
                l.amount_minor
            ),
            ("Usage; March 2026", "1.5".to_owned(), 9_900, 14_850)
        );
        let l = line("Membership 2027; 12500").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((l.quantity, l.amount_minor), (Quantity::ONE, 1_250_000));
        // A credit line.
        assert_eq!(line("Discount; -500").map(|l| l.amount_minor), Ok(-50_000));
        for bad in [
            "12500",
            "; 12500",
            "Fee; 1; 2; abc",
            "Fee; 1.234",
            "Fee; 0; 10",
        ] {
            assert!(line(bad).is_err(), "{bad:?} was read");
        }
    }

    #[test]
    fn the_balance_on_a_day_counts_only_payments_made_by_it() {
        // $1,000 issued 1 Mar, due 31 Mar: $400 on 15 Mar, $600 on 20 Apr.
        let i = invoice(
            100_000,
            "2026-03-01",
            "2026-03-31",
            &[("2026-03-15", 40_000), ("2026-04-20", 60_000)],
        );
        assert_eq!(i.balance_on(day("2026-03-14")), 100_000);
        assert_eq!(i.balance_on(day("2026-03-15")), 60_000);
        assert_eq!(i.balance_on(day("2026-04-20")), 0);
        assert_eq!(i.paid_date(), Some(day("2026-04-20")));
        assert_eq!(i.days_to_collect(), Some(50));
        assert_eq!(i.status(), Status::Paid);
        assert_eq!(i.paid_on_time(day("2026-12-01")), Some(false));
        // A refund reopens it.
        let refunded = invoice(
            100_000,
            "2026-03-01",
            "2026-03-31",
            &[("2026-03-15", 100_000), ("2026-03-20", -10_000)],
        );
        assert_eq!(refunded.status(), Status::PartiallyPaid);
        assert_eq!(refunded.paid_date(), Some(day("2026-03-15")));
        assert_eq!(refunded.balance(), 10_000);
        let open = invoice(100_000, "2026-03-01", "2026-03-31", &[]);
        assert_eq!(open.status(), Status::Issued);
        assert_eq!(open.paid_on_time(day("2026-03-30")), None);
        assert_eq!(
            Facts {
                issued: None,
                ..open.clone()
            }
            .status(),
            Status::Draft
        );
        assert_eq!(
            Facts {
                voided: Some(day("2026-03-02")),
                ..open
            }
            .status(),
            Status::Void
        );
    }

    #[test]
    fn a_payment_keeps_what_was_paid_between_nothing_and_the_total_on_every_day() {
        // $100 due; $40 paid on 25 Nov.
        let i = invoice(10_000, "2026-11-01", "2026-12-01", &[("2026-11-25", 4_000)]);
        let pay = |on: &str, amount_minor| {
            i.check_payment(Payment {
                on: day(on),
                amount_minor,
            })
        };
        assert_eq!(pay("2026-11-26", 6_000), Ok(()));
        assert_eq!(pay("2026-11-26", 6_001), Err((day("2026-11-26"), -1)));
        assert_eq!(pay("2026-11-26", -4_000), Ok(()));
        // A refund dated before the payment it refunds: on 24 Nov nothing had been paid.
        assert_eq!(pay("2026-11-24", -4_000), Err((day("2026-11-24"), 14_000)));
        // A payment before an earlier one, paying the rest: fine on every day after.
        assert_eq!(pay("2026-11-20", 6_000), Ok(()));
        assert_eq!(pay("2026-11-20", 6_500), Err((day("2026-11-25"), -500)));
    }

    #[test]
    fn turnaround_in_advance_and_in_arrears() {
        // In advance: a membership from 1 Jul is billable on 1 Jul; issued 8 Jul: 7 days.
        let advance = Facts {
            billable: Some(day("2026-07-01")),
            ..invoice(1, "2026-07-08", "2026-08-07", &[])
        };
        assert_eq!(advance.turnaround_days(), Some(7));
        // In arrears: July's usage is billable on 1 Aug; issued 20 Aug: 19 days.
        let arrears = Facts {
            billable: Some(day("2026-08-01")),
            ..invoice(1, "2026-08-20", "2026-09-19", &[])
        };
        assert_eq!(arrears.turnaround_days(), Some(19));
        // Issued early counts as no delay.
        let early = Facts {
            billable: Some(day("2026-09-01")),
            ..invoice(1, "2026-08-25", "2026-09-24", &[])
        };
        assert_eq!(early.turnaround_days(), Some(0));
        assert_eq!(
            due_date(day("2026-01-31"), DEFAULT_TERMS_DAYS),
            Some(day("2026-03-02"))
        );
    }

    #[test]
    fn aging_on_a_past_day_ignores_later_payments_and_the_buckets_add_up() {
        let invoices = [
            // Due 31 Mar, $400 paid 15 Apr and $600 on 20 Jun.
            invoice(
                100_000,
                "2026-03-01",
                "2026-03-31",
                &[("2026-04-15", 40_000), ("2026-06-20", 60_000)],
            ),
            // Not due until 30 Jun.
            invoice(50_000, "2026-05-31", "2026-06-30", &[]),
            // Due 1 Feb, unpaid: 119 days past due on 31 May.
            invoice(25_000, "2026-01-02", "2026-02-01", &[]),
            // Issued after the day: not in the aging.
            invoice(9_999, "2026-06-01", "2026-07-01", &[]),
            // Paid in full before the day.
            invoice(7_000, "2026-04-01", "2026-05-01", &[("2026-04-10", 7_000)]),
            // Due 15 Apr, 46 days past due.
            invoice(3_000, "2026-03-16", "2026-04-15", &[]),
        ];
        let a = aging(&invoices, day("2026-05-31"));
        // On 31 May the first invoice owes $600 (the June payment does not count), 61 days
        // past due.
        let rows: Vec<(usize, i64, i64, Bucket)> = a
            .rows
            .iter()
            .map(|r| (r.index, r.days_past_due, r.balance_minor, r.bucket))
            .collect();
        assert_eq!(
            rows,
            [
                (2, 119, 25_000, Bucket::Over90),
                (0, 61, 60_000, Bucket::Days61To90),
                (5, 46, 3_000, Bucket::Days31To60),
                (1, -30, 50_000, Bucket::Current),
            ]
        );
        assert_eq!(a.buckets, [50_000, 0, 3_000, 60_000, 25_000]);
        assert_eq!(a.total_minor, 138_000);
        assert_eq!(a.buckets.iter().sum::<i64>(), a.total_minor);
        assert_eq!(a.over_60(), 85_000);
        // On 20 Jun the first is paid; 61–90 holds only the $30 one, 66 days past due.
        assert_eq!(
            aging(&invoices, day("2026-06-20")).bucket(Bucket::Days61To90),
            3_000
        );
        // An invoice voided after the day still counts on it; not once voided.
        let voided = [Facts {
            voided: Some(day("2026-06-01")),
            ..invoices[2].clone()
        }];
        assert_eq!(aging(&voided, day("2026-05-31")).total_minor, 25_000);
        assert_eq!(aging(&voided, day("2026-06-01")).total_minor, 0);
    }

    #[test]
    fn dso_is_outstanding_over_what_the_period_invoiced() {
        // 90 days ending 31 May: invoiced $1,000 + $500 + $30 (the March ones and 31 May),
        // outstanding $600 + $500 + $250 + $30.
        let invoices = [
            invoice(
                100_000,
                "2026-03-04",
                "2026-04-03",
                &[("2026-04-15", 40_000)],
            ),
            invoice(50_000, "2026-05-31", "2026-06-30", &[]),
            invoice(25_000, "2026-01-02", "2026-02-01", &[]),
            invoice(3_000, "2026-03-16", "2026-04-15", &[]),
        ];
        let dso = dso(&invoices, day("2026-05-31"), 90).unwrap_or_default();
        // 138,000 ÷ 153,000 × 90 = 81.176…
        assert!((dso - 138_000.0 / 153_000.0 * 90.0).abs() < 1e-9, "{dso}");
        assert_eq!(super::dso(&invoices, day("2025-12-31"), 90), None);
    }

    #[test]
    fn medians_and_collections_by_month() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[9, 1, 5]), Some(5.0));
        assert_eq!(median(&[10, 1, 4, 6]), Some(5.0));
        let billable = |f: Facts, b: &str| Facts {
            billable: Some(day(b)),
            ..f
        };
        let invoices = [
            // Issued in March, billable 1 Mar (4 days), paid on time 20 Mar (15 days).
            billable(
                invoice(
                    10_000,
                    "2026-03-05",
                    "2026-04-04",
                    &[("2026-03-20", 10_000)],
                ),
                "2026-03-01",
            ),
            // Issued in March, billable 1 Mar (20 days), paid late in May (45 days).
            billable(
                invoice(
                    20_000,
                    "2026-03-21",
                    "2026-04-20",
                    &[("2026-05-05", 20_000)],
                ),
                "2026-03-01",
            ),
            // Issued in April, due in April, unpaid.
            billable(
                invoice(5_000, "2026-04-01", "2026-04-30", &[]),
                "2026-04-01",
            ),
        ];
        let months = collections(
            &invoices,
            Month::parse("2026-03").unwrap_or(Month::MIN),
            day("2026-05-10"),
        );
        assert_eq!(months.len(), 3);
        let (mar, apr, may) = (&months[0], &months[1], &months[2]);
        assert_eq!(
            (mar.issued, mar.invoiced_minor, mar.collected_minor),
            (2, 30_000, 10_000)
        );
        assert_eq!(mar.turnaround_days, Some(12.0));
        assert_eq!(mar.days_to_collect, Some(15.0));
        assert_eq!(mar.outstanding_minor, 20_000);
        // April: two due (4 Apr paid on time, 20 Apr paid late; 30 Apr unpaid): one of three.
        assert_eq!(apr.due, 3);
        assert!((apr.on_time.unwrap_or_default() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(apr.outstanding_minor, 25_000);
        assert_eq!(
            (may.collected_minor, may.days_to_collect),
            (20_000, Some(45.0))
        );
        // May runs to today: outstanding $50 over $350 invoiced in the 90 days to 10 May.
        assert_eq!(may.outstanding_minor, 5_000);
        // As of 4 May the payment of 5 May has not come: nothing collected in May yet.
        let early = collections(
            &invoices,
            Month::parse("2026-03").unwrap_or(Month::MIN),
            day("2026-05-04"),
        );
        assert_eq!(
            (early[2].collected_minor, early[2].days_to_collect),
            (0, None)
        );
        assert_eq!(early[2].outstanding_minor, 25_000);
        assert!((may.dso_days.unwrap_or_default() - 5_000.0 / 35_000.0 * 90.0).abs() < 1e-9);
    }

    /// Generated numbers for an invoice: total, day of issue, terms, day voided, payments
    /// (day and amount); days count from 1 Jan 2026.
    type Generated = (i64, Option<u16>, u16, Option<u16>, Vec<(u16, i64)>);

    /// An invoice from generated numbers: issued on a day of 2026 (or a draft), due 0–60 days
    /// later, voided or not, with payments on days around it.
    fn generated((total, issued, terms, voided, payments): Generated) -> Facts {
        let on = |d: u16| {
            jiff::civil::date(2026, 1, 1)
                .checked_add(jiff::Span::new().days(i64::from(d)))
                .unwrap_or(crate::EARLIEST_DATE)
        };
        let issued = issued.map(on);
        Facts {
            total_minor: total,
            billable: issued,
            issued,
            due: issued.and_then(|d| due_date(d, i64::from(terms))),
            voided: voided.map(on),
            payments: payments
                .into_iter()
                .map(|(d, amount_minor)| Payment {
                    on: on(d),
                    amount_minor,
                })
                .collect(),
        }
    }

    fn invoices() -> impl proptest::strategy::Strategy<Value = Vec<Facts>> {
        use proptest::prelude::*;
        let one = (
            1_i64..1_000_000,
            proptest::option::of(0_u16..360),
            0_u16..60,
            proptest::option::weighted(0.1, 0_u16..400),
            proptest::collection::vec((0_u16..420, 1_i64..600_000), 0..4),
        )
            .prop_map(generated);
        proptest::collection::vec(one, 0..40)
    }

    proptest::proptest! {
        #[test]
        fn the_buckets_add_up_to_the_outstanding_total_and_later_payments_do_not_count(
            list in invoices(),
            day in 0_u16..420,
        ) {
            let as_of = jiff::civil::date(2026, 1, 1)
                .checked_add(jiff::Span::new().days(i64::from(day)))
                .unwrap_or(crate::EARLIEST_DATE);
            let a = aging(&list, as_of);
            proptest::prop_assert_eq!(a.buckets.iter().sum::<i64>(), a.total_minor);
            let outstanding: i64 = list.iter().filter_map(|i| i.outstanding_on(as_of)).sum();
            proptest::prop_assert_eq!(a.total_minor, outstanding);
            proptest::prop_assert!(a.rows.iter().all(|r| r.balance_minor > 0));
            // Taking away every payment made after the day changes nothing on it.
            let before: Vec<Facts> = list
                .iter()
                .map(|i| Facts {
                    payments: i.payments.iter().copied().filter(|p| p.on <= as_of).collect(),
                    ..i.clone()
                })
                .collect();
            proptest::prop_assert_eq!(aging(&before, as_of), a);
        }

        #[test]
        fn collections_by_month_count_each_payment_and_issue_once(
            list in invoices(),
        ) {
            let today = jiff::civil::date(2027, 2, 24);
            let first = Month::of(jiff::civil::date(2026, 1, 1));
            let months = collections(&list, first, today);
            let live = list.iter().filter(|i| i.voided.is_none());
            let collected: i64 = live
                .clone()
                .flat_map(|i| i.payments.iter())
                .filter(|p| p.on <= today)
                .map(|p| p.amount_minor)
                .sum();
            proptest::prop_assert_eq!(months.iter().map(|m| m.collected_minor).sum::<i64>(), collected);
            let issued = live.filter(|i| i.issued.is_some()).count();
            proptest::prop_assert_eq!(months.iter().map(|m| m.issued).sum::<usize>(), issued);
            for m in &months {
                let end = m.month.last_day().min(today);
                proptest::prop_assert_eq!(m.outstanding_minor, aging(&list, end).total_minor);
            }
        }
    }
}
