//! Bearing's readers and writers of files and tables. Every list Bearing prints goes through
//! [`Table`], so the CLI's `--format table|csv|json` and the downloads of the web pages agree.

pub mod cloud_costs;
pub mod crm;
pub mod directory;
mod input;
pub mod invoice_ledger;
pub mod ledger;
pub mod myst;
pub mod prometheus;
pub mod table;
pub mod usage;
pub mod xlsx;

pub use table::{Format, Table};
