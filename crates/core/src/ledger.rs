//! The sponsor's invoice ledger beside Bearing's invoices (docs/domain.md, "Invoices,
//! payments and collections"): an invoice as the ledger reports it, its status in Bearing's
//! words, and the reconciliation of the two: what each side lacks, and totals, payments or
//! statuses that differ, each with what to do.

use std::collections::HashMap;

use crate::invoice::Status;
use crate::{Currency, Date, Money, ParseError};

/// An invoice as the sponsor's ledger export reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerInvoice {
    /// Its line in the file (the header is line 1), to name it in messages.
    pub line: u64,
    pub number: String,
    /// The organization as the sponsor's books name it.
    pub contact: String,
    /// What the invoice bills, as the books say: a deal's id, when it names one.
    pub reference: Option<String>,
    pub issued_on: Option<Date>,
    pub due_on: Option<Date>,
    pub currency: Currency,
    pub total_minor: i64,
    pub paid_minor: i64,
    /// Its status in Bearing's words (see [`ledger_status`]).
    pub status: Status,
    /// The day of its last payment, when the export has one.
    pub paid_on: Option<Date>,
}

/// The ledger's statuses and Bearing's: a draft or one submitted for approval is a draft, an
/// authorised one is issued, a paid one paid, a voided one void.
pub const LEDGER_STATUSES: [(&str, Status); 5] = [
    ("DRAFT", Status::Draft),
    ("SUBMITTED", Status::Draft),
    ("AUTHORISED", Status::Issued),
    ("PAID", Status::Paid),
    ("VOIDED", Status::Void),
];

/// A status of the ledger in Bearing's words; any case.
pub fn ledger_status(text: &str) -> Result<Status, ParseError> {
    let upper = text.trim().to_uppercase();
    LEDGER_STATUSES
        .iter()
        .find(|(name, _)| *name == upper)
        .map(|(_, status)| *status)
        .ok_or_else(|| {
            let names: Vec<&str> = LEDGER_STATUSES.iter().map(|(n, _)| *n).collect();
            ParseError::new(
                "ledger status",
                text,
                &format!("expected one of {}", names.join(", ")),
            )
        })
}

/// A name as the ledger's contacts and aliases are compared: without regard to case, with
/// runs of spaces as one.
pub fn folded(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Where an issued invoice stands by what was paid on it: paid in full, in part, or not.
/// Drafts and voids stand where they are.
pub fn standing(status: Status, total_minor: i64, paid_minor: i64) -> Status {
    match status {
        Status::Draft | Status::Void => status,
        Status::Issued | Status::PartiallyPaid | Status::Paid => {
            if paid_minor >= total_minor {
                Status::Paid
            } else if paid_minor > 0 {
                Status::PartiallyPaid
            } else {
                Status::Issued
            }
        }
    }
}

/// An invoice of Bearing's, as the reconciliation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ours {
    pub number: String,
    /// The organization's name as people read it.
    pub organization: String,
    pub currency: Currency,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub status: Status,
}

/// What differs between Bearing and the ledger about one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Finding {
    /// Issued in Bearing, absent from the ledger.
    MissingFromLedger,
    /// In the ledger under a name Bearing knows for no organization.
    Unplaced,
    /// In the ledger and not in Bearing.
    MissingFromBearing,
    /// The totals (or their currencies) differ.
    Total,
    /// What was paid differs.
    Paid,
    /// One side has it void, or a draft, and the other not.
    Status,
}

text_enum!(Finding, "reconciliation finding", {
    MissingFromLedger => "missing-from-ledger",
    Unplaced => "unplaced",
    MissingFromBearing => "missing-from-bearing",
    Total => "total",
    Paid => "paid",
    Status => "status",
});

/// One discrepancy, with both sides' values in words and what to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Discrepancy {
    pub number: String,
    /// The organization: Bearing's name for it, else the ledger's.
    pub organization: String,
    pub finding: Finding,
    pub ours: Option<String>,
    pub theirs: Option<String>,
    pub action: String,
}

/// Bearing's invoices against the ledger's: every discrepancy, by finding and then number.
/// `placed` says whether a ledger contact names an organization Bearing knows (by its name or
/// an alias). An invoice is matched by its number; a draft or void missing from the other
/// side is no discrepancy (it was never sent, or it was cancelled).
pub fn reconcile(
    ours: &[Ours],
    ledger: &[LedgerInvoice],
    placed: impl Fn(&str) -> bool,
) -> Vec<Discrepancy> {
    let theirs: HashMap<&str, &LedgerInvoice> =
        ledger.iter().map(|l| (l.number.as_str(), l)).collect();
    let known: HashMap<&str, &Ours> = ours.iter().map(|o| (o.number.as_str(), o)).collect();
    let money = |minor: i64, currency: Currency| Money::from_minor(minor, currency).text();
    let mut found = Vec::new();
    for o in ours {
        let Some(l) = theirs.get(o.number.as_str()) else {
            if !matches!(o.status, Status::Draft | Status::Void) {
                found.push(Discrepancy {
                    number: o.number.clone(),
                    organization: o.organization.clone(),
                    finding: Finding::MissingFromLedger,
                    ours: Some(format!(
                        "{}, {}",
                        o.status,
                        money(o.total_minor, o.currency)
                    )),
                    theirs: None,
                    action: "enter it in the sponsor's books, or void it here if it was never sent"
                        .into(),
                });
            }
            continue;
        };
        let mut push = |finding, ours: String, theirs: String, action: String| {
            found.push(Discrepancy {
                number: o.number.clone(),
                organization: o.organization.clone(),
                finding,
                ours: Some(ours),
                theirs: Some(theirs),
                action,
            });
        };
        let their_status = standing(l.status, l.total_minor, l.paid_minor);
        let our_status = standing(o.status, o.total_minor, o.paid_minor);
        // A draft, a void and a live invoice (issued, partly or wholly paid) differ in kind;
        // what was paid is compared below.
        let kind = |s: Status| match s {
            Status::Draft => 0,
            Status::Void => 1,
            Status::Issued | Status::PartiallyPaid | Status::Paid => 2,
        };
        if kind(our_status) != kind(their_status) {
            let action = match (our_status, their_status) {
                (_, Status::Void) => "void it here, with the sponsor's reason".to_owned(),
                (Status::Void, _) => {
                    "ask the sponsor to void it, or issue a replacement here".to_owned()
                }
                (Status::Draft, _) => "issue it here on the ledger's day".to_owned(),
                _ => "ask the sponsor to approve it, or void it here".to_owned(),
            };
            push(
                Finding::Status,
                our_status.to_string(),
                their_status.to_string(),
                action,
            );
            continue;
        }
        if o.currency != l.currency || o.total_minor != l.total_minor {
            push(
                Finding::Total,
                money(o.total_minor, o.currency),
                money(l.total_minor, l.currency),
                "void the wrong one and issue a replacement for the right total".into(),
            );
            continue;
        }
        if o.paid_minor != l.paid_minor {
            let action = if l.paid_minor > o.paid_minor {
                format!(
                    "record the payment of {} the ledger has",
                    money(l.paid_minor - o.paid_minor, o.currency)
                )
            } else {
                format!(
                    "the ledger has {} less paid: check the payments recorded here",
                    money(o.paid_minor - l.paid_minor, o.currency)
                )
            };
            push(
                Finding::Paid,
                money(o.paid_minor, o.currency),
                money(l.paid_minor, l.currency),
                action,
            );
        }
    }
    for l in ledger {
        if known.contains_key(l.number.as_str()) || matches!(l.status, Status::Draft | Status::Void)
        {
            continue;
        }
        let (finding, action) = if placed(&l.contact) {
            (
                Finding::MissingFromBearing,
                "import the ledger to add it, or void it in the sponsor's books".to_owned(),
            )
        } else {
            (
                Finding::Unplaced,
                format!(
                    "record {:?} as an alias of its organization (or add the organization), then import again",
                    l.contact
                ),
            )
        };
        found.push(Discrepancy {
            number: l.number.clone(),
            organization: l.contact.clone(),
            finding,
            ours: None,
            theirs: Some(format!(
                "{}, {}",
                standing(l.status, l.total_minor, l.paid_minor),
                money(l.total_minor, l.currency)
            )),
            action,
        });
    }
    found.sort_by(|a, b| (a.finding, &a.number).cmp(&(b.finding, &b.number)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(number: &str, status: Status, total: i64, paid: i64) -> Ours {
        Ours {
            number: number.into(),
            organization: "Atlantis".into(),
            currency: Currency::USD,
            total_minor: total,
            paid_minor: paid,
            status,
        }
    }

    fn theirs(number: &str, contact: &str, status: Status, total: i64, paid: i64) -> LedgerInvoice {
        LedgerInvoice {
            line: 2,
            number: number.into(),
            contact: contact.into(),
            reference: None,
            issued_on: None,
            due_on: None,
            currency: Currency::USD,
            total_minor: total,
            paid_minor: paid,
            status,
            paid_on: None,
        }
    }

    #[test]
    fn the_ledgers_statuses_read_in_bearings_words() {
        assert_eq!(ledger_status("AUTHORISED").ok(), Some(Status::Issued));
        assert_eq!(ledger_status("submitted").ok(), Some(Status::Draft));
        assert_eq!(ledger_status(" Paid ").ok(), Some(Status::Paid));
        assert_eq!(ledger_status("VOIDED").ok(), Some(Status::Void));
        let refused = ledger_status("DELETED").unwrap_err();
        assert!(refused.reason.contains("AUTHORISED"), "{refused}");
        assert_eq!(standing(Status::Issued, 1_000, 400), Status::PartiallyPaid);
        assert_eq!(standing(Status::Paid, 1_000, 0), Status::Issued);
        assert_eq!(standing(Status::Issued, 1_000, 1_000), Status::Paid);
        assert_eq!(standing(Status::Void, 1_000, 1_000), Status::Void);
        assert_eq!(folded("  Harbour   University "), "harbour university");
    }

    #[test]
    fn each_planted_discrepancy_is_found_with_what_to_do() {
        let bearing = [
            ours("INV-1", Status::Issued, 100_000, 100_000), // agrees
            ours("INV-2", Status::Issued, 50_000, 0),        // missing from the ledger
            ours("INV-3", Status::Draft, 20_000, 0),         // a draft: not yet sent
            ours("INV-4", Status::Issued, 30_000, 0),        // total differs
            ours("INV-5", Status::Issued, 40_000, 10_000),   // ledger has more paid
            ours("INV-6", Status::Issued, 60_000, 0),        // voided in the ledger
            ours("INV-7", Status::Void, 10_000, 0),          // void, never sent
        ];
        let ledger = [
            theirs("INV-1", "Atlantis Inc", Status::Paid, 100_000, 100_000),
            theirs("INV-4", "Atlantis Inc", Status::Issued, 33_000, 0),
            theirs("INV-5", "Atlantis Inc", Status::Issued, 40_000, 25_000),
            theirs("INV-6", "Atlantis Inc", Status::Void, 60_000, 0),
            theirs("INV-8", "Atlantis Inc", Status::Issued, 5_000, 0),
            theirs("INV-9", "Nobody Known", Status::Issued, 7_000, 0),
            theirs("INV-10", "Atlantis Inc", Status::Void, 7_000, 0), // cancelled, never here
            theirs("INV-11", "Nobody Known", Status::Draft, 7_000, 0), // not yet sent
        ];
        let found = reconcile(&bearing, &ledger, |contact| contact == "Atlantis Inc");
        let summary: Vec<(Finding, &str)> = found
            .iter()
            .map(|d| (d.finding, d.number.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (Finding::MissingFromLedger, "INV-2"),
                (Finding::Unplaced, "INV-9"),
                (Finding::MissingFromBearing, "INV-8"),
                (Finding::Total, "INV-4"),
                (Finding::Paid, "INV-5"),
                (Finding::Status, "INV-6"),
            ]
        );
        let by = |n: &str| found.iter().find(|d| d.number == n).unwrap();
        assert_eq!(by("INV-4").ours.as_deref(), Some("$300.00"));
        assert_eq!(by("INV-4").theirs.as_deref(), Some("$330.00"));
        assert_eq!(
            by("INV-5").action,
            "record the payment of $150.00 the ledger has"
        );
        assert_eq!(
            by("INV-6").action,
            "void it here, with the sponsor's reason"
        );
        assert!(by("INV-9").action.contains("\"Nobody Known\" as an alias"));
        assert_eq!(by("INV-2").ours.as_deref(), Some("issued, $500.00"));
        // Everything agreeing finds nothing.
        assert!(reconcile(&bearing[..1], &ledger[..1], |_| true).is_empty());
    }
}
