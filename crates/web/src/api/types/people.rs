//! The JSON of `/roles`, `/bands`, `/people`, `/assignments`, `/rate` and `/balance`: what
//! each answer holds and what each request may send, with their conversions.

use bearing_app::patch::Edit;
use bearing_app::{AppError, people};
use bearing_core::people::{Band, PersonFields, PersonKind};
use bearing_core::{Currency, Money};
use utoipa::{IntoParams, ToSchema};

/// The balancing rule now: costs ≤ amount sold ≤ delivery capacity.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct BalanceWire {
    pub month: String,
    /// Monthly costs, and where they come from.
    pub costs: String,
    pub costs_note: String,
    /// The month's committed revenue; null before books-closed is set.
    pub amount_sold: Option<String>,
    pub costs_covered: Option<bool>,
    pub hubs_in_service: usize,
    /// Hubs in service by kind of service.
    pub hubs_by_kind: Vec<HubsOfKind>,
    pub engineering_fte: f64,
    pub needed_fte: f64,
    /// Hubs engineering can operate at this mix.
    pub capacity_hubs: f64,
    pub deliverable: bool,
}

/// How many hubs of one kind of service are in service.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct HubsOfKind {
    pub kind: String,
    pub hubs: usize,
}

/// The rate calculator's inputs.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RateQuery {
    /// Burdened annual cost of an engineer; 180000 when left out
    pub(crate) cost: Option<f64>,
    /// Billable hours a year; 900 when left out
    pub(crate) hours: Option<f64>,
    /// The sponsor's fee as a fraction, e.g. 0.15; when left out, the assumption `fsp-fee` for those who may read the assumptions (others must give it)
    pub(crate) fee: Option<f64>,
    /// Margin as a fraction; 0 when left out
    pub(crate) margin: Option<f64>,
}

/// The blended hourly rate.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct RateWire {
    pub hourly_rate: String,
}

/// A role as its pages describe it (Markdown parts).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct RoleView {
    pub id: i64,
    pub name: String,
    pub area: Option<String>,
    /// The bands it is paid by: its own name, or a ladder it shares with other roles.
    pub ladder: String,
    pub description: String,
    pub key_goal: Option<String>,
    pub responsibilities: Option<String>,
    pub performance_measures: Option<String>,
    pub salary_rationale: Option<String>,
    pub comparable_titles: Vec<String>,
    pub notes: Vec<String>,
    /// YYYY-MM.
    pub revisit: Option<String>,
}

/// A role to add.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub name: String,
    /// The area's name.
    pub area: Option<String>,
}

/// All that can be changed about a role: everything but its name. Sections the role pages
/// have and Bearing does not recognise stay as they are.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    /// The area's name.
    pub area: Option<String>,
    /// The ladder whose bands pay it; null or its own name: its own.
    pub ladder: Option<String>,
    #[serde(default)]
    pub description: String,
    /// `:::{note}` blocks; "revisit by 2027-03" in one sets the revisit month.
    #[serde(default)]
    pub notes: Vec<String>,
    pub key_goal: Option<String>,
    pub responsibilities: Option<String>,
    pub performance_measures: Option<String>,
    pub salary_rationale: Option<String>,
    #[serde(default)]
    pub comparable_titles: Vec<String>,
}

/// A salary band: a ladder's annual base at a level and step, from a day on.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct BandView {
    pub ladder: String,
    pub title: String,
    pub level: u8,
    pub step: u8,
    /// Major units, e.g. "100000.00".
    pub annual_base: String,
    pub effective_from: String,
    /// How it was made, e.g. the benchmark or the cost-of-living adjustment.
    pub note: Option<String>,
}

impl From<&Band> for BandView {
    fn from(b: &Band) -> Self {
        BandView {
            ladder: b.ladder.clone(),
            title: bearing_core::roles::title(&b.ladder, b.level),
            level: b.level,
            step: b.step,
            annual_base: Money::from_minor(b.annual_base, Currency::default()).decimal(),
            effective_from: b.effective_from.to_string(),
            note: b.note.clone(),
        }
    }
}

/// Which day's bands.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OnQuery {
    /// YYYY-MM-DD (default today)
    pub(crate) on: Option<String>,
}

/// A band to set.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandInput {
    /// A role's name, or the ladder roles that share bands are paid by.
    pub ladder: String,
    pub level: u8,
    pub step: u8,
    /// Annual base, e.g. "100000".
    pub annual_base: String,
    /// YYYY-MM-DD (default today).
    pub effective_from: Option<String>,
    pub note: Option<String>,
}

/// A ladder's bands from a benchmark.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateInput {
    pub ladder: String,
    /// The median total compensation (base + benefits) of comparable positions.
    pub benchmark: f64,
    /// The level and step the benchmark is the pay of (default L2 step 1).
    #[serde(default = "two")]
    pub reference_level: u8,
    #[serde(default = "one")]
    pub reference_step: u8,
    /// How many levels and steps (default 4 and 5).
    #[serde(default = "four")]
    pub levels: u8,
    #[serde(default = "five")]
    pub steps: u8,
    /// YYYY-MM-DD (default today).
    pub from: Option<String>,
    /// Only show the bands; write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

pub(crate) fn one() -> u8 {
    1
}

pub(crate) fn two() -> u8 {
    2
}

pub(crate) fn four() -> u8 {
    4
}

pub(crate) fn five() -> u8 {
    5
}

/// A cost-of-living adjustment.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColaInput {
    /// e.g. 3 for +3%.
    pub percent: f64,
    /// YYYY-MM-DD (default today).
    pub from: Option<String>,
}

/// The pay side of an assignment.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PayWire {
    pub step: u8,
    pub fte: f64,
    pub annual_base: Option<String>,
    pub annual_pay: Option<String>,
    pub monthly_payment: Option<String>,
    /// Grant code and share.
    pub funding: Vec<(String, f64)>,
}

/// An assignment: its pay only for those who may see it.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AssignmentWire {
    pub id: i64,
    pub role: String,
    pub title: String,
    pub start: String,
    pub end: Option<String>,
    pub description: Option<String>,
    pub pay: Option<PayWire>,
}

/// A person and their assignments.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PersonWire {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub github: Option<String>,
    /// employee or contractor
    pub kind: String,
    pub renewal: Option<String>,
    /// Whether `pay` is filled in for the caller.
    pub pay_visible: bool,
    pub assignments: Vec<AssignmentWire>,
}

pub(crate) fn money(minor: Option<i64>) -> Option<String> {
    minor.map(|m| Money::from_minor(m, Currency::default()).decimal())
}

pub(crate) fn assignment_wire(a: people::AssignmentView) -> AssignmentWire {
    AssignmentWire {
        id: a.id.get(),
        role: a.role,
        title: a.title,
        start: a.start.to_string(),
        end: a.end.map(|e| e.to_string()),
        description: a.description,
        pay: a.pay.map(|pay| PayWire {
            step: pay.step,
            fte: pay.fte,
            annual_base: money(pay.annual_base),
            annual_pay: money(pay.annual_pay),
            monthly_payment: money(pay.monthly_payment),
            funding: pay.funding,
        }),
    }
}

pub(crate) fn person_wire(p: people::PersonView) -> PersonWire {
    PersonWire {
        id: p.id.get(),
        name: p.name,
        email: p.email,
        github: p.github,
        kind: p.kind.to_string(),
        renewal: p.renewal,
        pay_visible: p.pay_visible,
        assignments: p.assignments.into_iter().map(assignment_wire).collect(),
    }
}

/// A person to add, or all of a person's fields to replace.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    /// employee or contractor
    pub kind: String,
    pub email: Option<String>,
    pub github: Option<String>,
    /// The yearly renewal, MM-DD (e.g. 07-01).
    pub renewal: Option<String>,
}

impl PersonInput {
    pub(crate) fn fields(self) -> Result<PersonFields, AppError> {
        let text = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(PersonFields {
            name: self.name.trim().to_owned(),
            kind: self
                .kind
                .parse::<PersonKind>()
                .map_err(|e| AppError::invalid("kind", e.reason))?,
            email: text(self.email),
            github: text(self.github),
            renewal: text(self.renewal),
        })
    }
}

/// A grant code's share of an assignment.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundingShare {
    pub grant: String,
    /// A fraction; the shares add to 1.
    pub share: f64,
}

/// An assignment to make, or all of an assignment's fields to replace.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    /// The role's name.
    pub role: String,
    pub level: u8,
    /// Default 1 for a new assignment, the one it has for a replaced one.
    pub step: Option<u8>,
    /// Share of full time, above 0 and at most 1; default 1 for a new assignment, the one it
    /// has for a replaced one.
    pub fte: Option<f64>,
    /// YYYY-MM-DD.
    pub start: String,
    /// YYYY-MM-DD: the last day.
    pub end: Option<String>,
    /// Contractors only, e.g. "4000".
    pub monthly_payment: Option<String>,
    /// What the person does in the role.
    pub description: Option<String>,
    pub funding: Vec<FundingShare>,
}

impl AssignmentInput {
    /// The edit: every field replaced, except `step` and `fte` when left out, which keep the
    /// assignment's (or are 1 for a new one).
    pub(crate) fn patch(self) -> Result<people::AssignmentPatch, AppError> {
        Ok(people::AssignmentPatch {
            role: Some(self.role.trim().to_owned()),
            level: Some(self.level),
            step: self.step,
            fte: self.fte,
            start: Some(
                super::date("start", &Some(self.start))?
                    .ok_or_else(|| AppError::invalid("start", "is required"))?,
            ),
            end: Edit::whole(super::date("end", &self.end)?),
            monthly_payment: Edit::whole(super::money(
                "monthly_payment",
                &self.monthly_payment,
                Currency::default(),
            )?),
            description: Edit::whole(
                self.description
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty()),
            ),
            funding: Some(
                self.funding
                    .into_iter()
                    .map(|f| (f.grant.trim().to_owned(), f.share))
                    .collect(),
            ),
        })
    }
}
