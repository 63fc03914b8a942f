//! `bearing` subcommands: Invoices and payments.

use bearing_core::Date;
use bearing_core::invoice::{Kind, LineInput, Status};
use bearing_formats::Format;
use clap::Subcommand;

use super::{parse_date, parse_format};

#[derive(Debug, Subcommand)]
pub enum InvoiceCommand {
    /// List invoices, newest first
    List {
        /// Only those with this status: draft, issued, partially-paid, paid or void
        #[arg(long, value_parser = parse_status)]
        status: Option<Status>,
        /// Only those of this organization (its name)
        #[arg(long)]
        org: Option<String>,
        /// Only those of this kind: membership, usage, cloud, service, grant-tranche or other
        #[arg(long, value_parser = parse_kind)]
        kind: Option<Kind>,
        /// Only those issued on or after this day
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        from: Option<Date>,
        /// Only those issued on or before this day
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        to: Option<Date>,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// One invoice with its lines and payments, by number or id
    Show {
        /// The invoice's number or id
        invoice: String,
    },
    /// Add a draft invoice
    Add {
        /// The organization billed (its name)
        #[arg(long)]
        org: String,
        /// The deal it bills: Bearing's id or crm:ID
        #[arg(long)]
        deal: Option<String>,
        /// What it bills: membership, usage, cloud, service, grant-tranche or other
        #[arg(long, value_parser = parse_kind)]
        kind: Kind,
        /// A line: `DESCRIPTION; QUANTITY; UNIT AMOUNT` or `DESCRIPTION; AMOUNT` (repeat it)
        #[arg(long = "line", value_name = "LINE", required = true, value_parser = parse_line)]
        lines: Vec<LineInput>,
        /// Its number [default: the next INV-NNNNN]
        #[arg(long)]
        number: Option<String>,
        /// Its currency [default: the deal's, else USD]
        #[arg(long)]
        currency: Option<String>,
        /// The first day of the service it bills
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        service_from: Option<Date>,
        /// The last day of the service it bills
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        service_to: Option<Date>,
        /// The first day it could have been issued [default: the service's first day, or the
        /// day after it for usage and cloud]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        billable: Option<Date>,
        /// Days from issue to due [default: 30]
        #[arg(long)]
        terms: Option<i64>,
    },
    /// Replace a draft's lines (an issued invoice is voided and made again instead)
    Edit {
        /// The draft's number or id
        invoice: String,
        /// A line: `DESCRIPTION; QUANTITY; UNIT AMOUNT` or `DESCRIPTION; AMOUNT` (repeat it)
        #[arg(long = "line", value_name = "LINE", required = true, value_parser = parse_line)]
        lines: Vec<LineInput>,
    },
    /// Issue a draft: it is dated and falls due after its terms
    Issue {
        /// The invoice's number or id
        invoice: String,
        /// The day of issue [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        on: Option<Date>,
    },
    /// Record a payment on an issued invoice (a refund is negative)
    Pay {
        /// The invoice's number or id
        invoice: String,
        /// The amount, such as 1250.00
        #[arg(allow_negative_numbers = true)]
        amount: String,
        /// The day it arrived [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        on: Option<Date>,
        /// The bank's or the ledger's reference
        #[arg(long)]
        reference: Option<String>,
    },
    /// Void an invoice (it keeps its row and history); one with payments is refunded first
    Void {
        /// The invoice's number or id
        invoice: String,
        /// Why it is voided
        #[arg(long)]
        reason: String,
    },
}

fn parse_status(text: &str) -> Result<Status, String> {
    text.parse().map_err(|e: bearing_core::ParseError| e.reason)
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    text.parse().map_err(|e: bearing_core::ParseError| e.reason)
}

fn parse_line(text: &str) -> Result<LineInput, String> {
    LineInput::parse(text).map_err(|e| e.reason)
}
