//! `bearing` subcommands: Imports: the CRM export, organizations, contacts, usage and role pages.

use bearing_formats::Format;
use clap::{Args, Subcommand};
use std::path::PathBuf;

use super::{parse_format, parse_month};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The CRM's deal export: an idempotent upsert keyed by the CRM's id
    Deals(ImportArgs),
    /// Organizations (name, long_name, kind, website, github_org, notes, tags as `a;b`),
    /// matched by name
    Organizations(ImportArgs),
    /// Contacts (name, email, github, organizations as `org:label;…`, strategic, coverage,
    /// notes), matched by email
    Contacts(ImportArgs),
    /// Usage samples: `cluster,date,unique_users` or `date,hub,users,cluster`, idempotent on
    /// (cluster or hub, date); unknown clusters and hubs are created
    Usage(ImportArgs),
    /// A role page in MyST Markdown: the job-titles page (a section per role) or an area's page
    /// (context, key goals, areas of responsibility, measures, current roles)
    Roles(RolesImportArgs),
    /// The fiscal sponsor's general-ledger export (Source, Description, Net, Account Code,
    /// Grants; Account Name and Date when present): each month in the file becomes exactly its
    /// lines, all or nothing; the same file twice changes nothing
    Actuals(ActualsImportArgs),
    /// The fiscal sponsor's invoice export (InvoiceNumber, Contact, Reference, Date, DueDate,
    /// Total, AmountPaid, Status; Currency and PaymentDate when present): each row upserted by
    /// its number, all or nothing; invoices Bearing lacks are made for organizations named by
    /// name or alias, and what the ledger says was paid since its last import is recorded
    Ledger(LedgerImportArgs),
    /// A cloud bill in the FinOps FOCUS columns (BillingPeriodStart, BillingAccountId,
    /// BilledCost; SubAccountId, ServiceCategory, BillingCurrency and Tags when present): each
    /// billing account's month in the file becomes exactly its lines, all or nothing; the same
    /// file twice changes nothing
    CloudCosts(CloudImportArgs),
}

#[derive(Debug, Args)]
pub struct CloudImportArgs {
    /// The CSV file to read
    pub file: PathBuf,
    /// Which column holds a field, when the file names it otherwise: period-start, account,
    /// cost, sub-account, category, currency or tags (repeat it)
    #[arg(long = "column", value_name = "FIELD=COLUMN", value_parser = super::parse_pair)]
    pub columns: Vec<(String, String)>,
    /// Say what each billing account's month would gain and lose; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct LedgerImportArgs {
    /// The CSV file to read
    pub file: PathBuf,
    /// Which column holds a field, when the file names it otherwise: number, contact,
    /// reference, date, due-date, total, amount-paid, status, currency or payment-date
    /// (repeat it)
    #[arg(long = "column", value_name = "FIELD=COLUMN", value_parser = super::parse_pair)]
    pub columns: Vec<(String, String)>,
    /// Say what the import would make and record; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ActualsImportArgs {
    /// The CSV file to read
    pub file: PathBuf,
    /// The month every line is in, for a file without a date column
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub month: Option<bearing_core::Month>,
    /// Which column holds a field, when the file names it otherwise:
    /// account, amount, account-name, description, grant, source or date (repeat it)
    #[arg(long = "column", value_name = "FIELD=COLUMN", value_parser = super::parse_pair)]
    pub columns: Vec<(String, String)>,
    /// Say what each month would gain and lose; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of the months' table: table, csv, json or xlsx
    #[arg(long, default_value = "table", value_parser = parse_format)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RolesImportArgs {
    /// The page to read (MyST Markdown)
    pub file: PathBuf,
    /// The area an area's page is about, when the page does not say
    #[arg(long)]
    pub area: Option<String>,
    /// Say what would be created and changed; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file to read
    pub file: PathBuf,
    /// Show what would be created, updated and left alone, and every problem; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Output format: table, csv, json or xlsx
    #[arg(long, default_value = "table", value_parser = parse_format)]
    pub format: Format,
}
