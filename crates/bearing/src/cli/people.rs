//! `bearing` subcommands: People, their assignments and pay, salary bands, and the team's cost.

use bearing_core::Date;
use bearing_formats::Format;
use clap::Subcommand;

use super::{parse_date, parse_format, parse_funding, parse_person_kind};

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Everyone, with the titles they hold today
    List {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Add a person
    Add {
        /// The person's name
        name: String,
        /// employee or contractor
        #[arg(long, value_parser = parse_person_kind)]
        kind: bearing_core::people::PersonKind,
        /// Email address
        #[arg(long)]
        email: Option<String>,
        /// GitHub handle
        #[arg(long)]
        github: Option<String>,
        /// The yearly renewal, MM-DD (e.g. 07-01)
        #[arg(long)]
        renewal: Option<String>,
    },
    /// Change what is recorded about a person
    Edit {
        /// The person's name or email
        person: String,
        /// A new name
        #[arg(long)]
        name: Option<String>,
        /// employee or contractor
        #[arg(long, value_parser = parse_person_kind)]
        kind: Option<bearing_core::people::PersonKind>,
        /// Email address
        #[arg(long)]
        email: Option<String>,
        /// GitHub handle
        #[arg(long)]
        github: Option<String>,
        /// The yearly renewal, MM-DD (e.g. 07-01)
        #[arg(long)]
        renewal: Option<String>,
        /// Forget a field: email, github or renewal (repeatable)
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
    },
    /// Give a person a role at a level and step from a day
    Assign {
        /// The person's name or email
        person: String,
        /// The role, by name
        #[arg(long)]
        role: String,
        /// The level in the role's ladder, 1 to 20
        #[arg(long)]
        level: u8,
        /// The step within the level, 1 to 20
        #[arg(long, default_value_t = 1)]
        step: u8,
        /// Share of full time, e.g. 0.5
        #[arg(long, default_value_t = 1.0)]
        fte: f64,
        /// The assignment's first day
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        start: Date,
        /// The assignment's last day (default: no end yet)
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        end: Option<Date>,
        /// Grant codes and their shares, adding to 1: `G-1=0.6,G-2=0.4`
        #[arg(long, value_parser = parse_funding, value_delimiter = ',', required = true)]
        funding: Vec<(String, f64)>,
        /// Contractors: the monthly payment, e.g. 4000
        #[arg(long)]
        monthly_payment: Option<String>,
        /// What the person does in the role
        #[arg(long)]
        description: Option<String>,
    },
    /// Correct an assignment (a promotion is a new assignment: end this one, assign the next)
    EditAssignment {
        /// The assignment's id, as `bearing person assignments` lists it
        id: bearing_core::AssignmentId,
        /// The role, by name
        #[arg(long)]
        role: Option<String>,
        /// The level in the role's ladder, 1 to 20
        #[arg(long)]
        level: Option<u8>,
        /// The step within the level, 1 to 20
        #[arg(long)]
        step: Option<u8>,
        /// Share of full time, e.g. 0.5
        #[arg(long)]
        fte: Option<f64>,
        /// The assignment's first day
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        start: Option<Date>,
        /// The assignment's last day
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        end: Option<Date>,
        /// Grant codes and their shares, adding to 1: `G-1=0.6,G-2=0.4`
        #[arg(long, value_parser = parse_funding, value_delimiter = ',')]
        funding: Vec<(String, f64)>,
        /// Contractors: the monthly payment, e.g. 4000
        #[arg(long)]
        monthly_payment: Option<String>,
        /// What the person does in the role
        #[arg(long)]
        description: Option<String>,
        /// Forget a field: end, monthly-payment or description (repeatable)
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
    },
    /// Delete a person entered by mistake (refused while they hold assignments; someone who
    /// left has their assignments ended instead); they keep their history and can be restored
    Delete {
        /// The person's name or email
        person: String,
    },
    /// Restore a deleted person, by id
    Restore {
        /// The person's id
        id: bearing_core::PersonId,
    },
    /// Delete an assignment entered by mistake (one that happened is ended instead)
    DeleteAssignment {
        /// The assignment's id, as `bearing person assignments` lists it
        id: bearing_core::AssignmentId,
    },
    /// Restore a deleted assignment
    RestoreAssignment {
        /// The assignment's id, as `bearing person assignments` lists it
        id: bearing_core::AssignmentId,
    },
    /// End an assignment on its last day
    Unassign {
        /// The assignment's id, as `bearing person assignments` lists it
        id: bearing_core::AssignmentId,
        /// The assignment's last day
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        end: Date,
    },
    /// Every assignment, with pay
    Assignments {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// The blended hourly rate: burdened annual cost ÷ billable hours × (1 + FSP fee) × (1 + margin)
    Rate {
        /// The burdened annual cost of a person, in dollars [default: 180000]
        #[arg(long)]
        cost: Option<f64>,
        /// Billable hours a year [default: 900]
        #[arg(long)]
        hours: Option<f64>,
        /// The sponsor's fee as a fraction [default: the assumption fsp-fee]
        #[arg(long)]
        fee: Option<f64>,
        /// The margin as a fraction [default: 0.087]
        #[arg(long)]
        margin: Option<f64>,
    },
    /// The balancing rule now: costs ≤ amount sold ≤ delivery capacity
    Balance {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// What the team costs each month, by area, role and grant code
    Cost {
        /// The first month [default: twelve months before this one]
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// How many months [default: 36]
        #[arg(long, default_value_t = 36)]
        months: u16,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum BandCommand {
    /// The bands in force on a day
    List {
        /// The day [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        on: Option<Date>,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// A ladder's bands from a benchmark: the median total compensation (base + 25% benefits)
    /// of comparable positions, at the reference level and step; about 10% a level, 2% a step
    Generate {
        /// The ladder: a role's name, the ladder roles that share bands are paid by, or a new one
        ladder: String,
        /// The median total compensation of comparable positions, in dollars a year
        #[arg(long)]
        benchmark: f64,
        /// The level the benchmark pays
        #[arg(long, default_value_t = 2)]
        reference_level: u8,
        /// The step the benchmark pays
        #[arg(long, default_value_t = 1)]
        reference_step: u8,
        /// How many levels
        #[arg(long, default_value_t = 4)]
        levels: u8,
        /// How many steps in each level
        #[arg(long, default_value_t = 5)]
        steps: u8,
        /// The day the bands take effect [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<Date>,
    },
    /// Set one band: LADDER LEVEL STEP ANNUAL_BASE
    Set {
        /// The ladder: a role's name, or the ladder roles that share bands are paid by
        ladder: String,
        /// The level, 1 to 20
        level: u8,
        /// The step within the level, 1 to 20
        step: u8,
        /// The annual base pay in dollars, e.g. 95000
        annual_base: String,
        /// The day the band takes effect [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<Date>,
    },
    /// A cost-of-living adjustment: every band in force grows by PERCENT from a day
    Cola {
        /// How much every band grows, in percent, e.g. 3.5
        percent: f64,
        /// The day the raised bands take effect [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<Date>,
    },
}
