//! `bearing` subcommands: Cloud costs: what the bills cost, which cluster each account,
//! sub-account or tag is, how shared clusters split, overruns and credits.

use bearing_core::Month;
use bearing_core::cloud::SplitRule;
use bearing_formats::Format;
use clap::Subcommand;

use super::{parse_date, parse_format, parse_month};

#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Each billing account's month: its cost, what is recoverable, and each overrun of the
    /// budget threshold (the mean of the previous three months × 1.2) with its decision
    Costs {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// The mappings in force: which cluster (and hub) each account, sub-account or tag is
    Mappings {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Map a billing account, a sub-account or a tag's value to a cluster: `account ID`,
    /// `sub-account ID` or `tag NAME=VALUE`. A tag's mapping wins over the sub-account's, which
    /// wins over the account's
    Map {
        /// account, sub-account or tag
        kind: String,
        /// The account's or sub-account's id, or the tag as NAME=VALUE
        value: String,
        /// The cluster, by name
        #[arg(long)]
        cluster: String,
        /// A hub on the cluster, when the costs are that hub's alone
        #[arg(long)]
        hub: Option<String>,
        /// The organisation bears these costs [default: the community pays them back]
        #[arg(long)]
        absorbed: bool,
    },
    /// Remove a mapping (by its id in `bearing cloud mappings`)
    Unmap {
        /// The mapping's id
        id: i64,
    },
    /// How a shared cluster's costs are split among its hubs: `usage` (by the hubs' monthly
    /// active users, the default), `even`, or `fixed HUB=PERCENT,HUB=PERCENT…`
    Split {
        /// The cluster, by name
        cluster: String,
        /// usage, even, or fixed HUB=PERCENT,HUB=PERCENT…
        #[arg(value_parser = parse_split)]
        rule: SplitRule,
    },
    /// Decide on a billing account's month over its threshold: absorb it, recover it, or
    /// recover it less a discount (--amount)
    Decide {
        /// The billing account
        account: String,
        /// The month over its threshold
        #[arg(value_name = "YYYY-MM", value_parser = parse_month)]
        month: Month,
        /// absorb, recover or discount
        #[arg(value_parser = ["absorb", "recover", "discount"])]
        decision: String,
        /// The discount, in the costs' currency
        #[arg(long, value_name = "AMOUNT")]
        amount: Option<String>,
        /// Why: kept with the decision
        #[arg(long)]
        reason: String,
    },
    /// Credits held for a partner: list them, or record credits received (--add)
    Credits {
        /// The organization credits were received for, by name or id
        #[arg(long, value_name = "ORG", requires = "add")]
        org: Option<String>,
        /// The amount received, in dollars (negative to give some back)
        #[arg(
            long,
            value_name = "AMOUNT",
            allow_negative_numbers = true,
            requires = "org"
        )]
        add: Option<String>,
        /// The day they were received [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, requires = "add")]
        on: Option<bearing_core::Date>,
        /// What they are
        #[arg(long, requires = "add")]
        note: Option<String>,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
}

fn parse_split(text: &str) -> Result<SplitRule, String> {
    SplitRule::parse(text).map_err(|e| e.reason)
}
