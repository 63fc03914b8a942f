//! Deals: possible or signed agreements with an organization.

use std::fmt;

use crate::money::{Currency, Money};
use crate::organization::OrganizationName;
use crate::pipeline::{ForecastCategory, Probability};
use crate::{Date, DealId, ParseError};

/// Whether a deal is new business or renews an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DealType {
    NewBusiness,
    Renewal,
}

text_enum!(DealType, "deal type", {
    NewBusiness => "new-business",
    Renewal => "renewal",
});

/// A revenue type: one of the known ones (membership-general, membership-premier, project,
/// grant, gift, usage, other) or free text, kept lower-case.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct RevenueType(String);

impl RevenueType {
    pub const KNOWN: [&'static str; 7] = [
        "membership-general",
        "membership-premier",
        "project",
        "grant",
        "gift",
        "usage",
        "other",
    ];

    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let normalised = text.trim().to_lowercase();
        if normalised.is_empty() || normalised.len() > 64 {
            return Err(ParseError::new(
                "revenue type",
                text,
                "expected a name of 1 to 64 characters",
            ));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_gift(&self) -> bool {
        self.0 == "gift"
    }
}

impl TryFrom<String> for RevenueType {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RevenueType> for String {
    fn from(value: RevenueType) -> Self {
        value.0
    }
}

impl fmt::Display for RevenueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The fields of a deal as created or edited. The pipeline, stage and organization are named;
/// the application resolves the names. Amounts are minor units in `currency`; `None` means
/// unknown, which is not zero.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DealFields {
    pub name: String,
    pub organization: Option<OrganizationName>,
    pub pipeline: String,
    pub stage: String,
    pub probability: Option<Probability>,
    pub forecast_category: Option<ForecastCategory>,
    pub revenue_type: Option<RevenueType>,
    pub deal_type: DealType,
    pub currency: Currency,
    pub amount_minor: Option<i64>,
    pub collected_minor: Option<i64>,
    pub close_date: Option<Date>,
    pub contract_start: Option<Date>,
    pub contract_end: Option<Date>,
    pub target_start: Option<Date>,
    pub target_end: Option<Date>,
    pub owner: Option<String>,
    pub loss_reason: Option<String>,
    /// The deal this one renews.
    pub renews: Option<DealId>,
    /// The campaign that produced the deal, by name.
    pub campaign: Option<String>,
    pub links: DealLinks,
}

/// Where the deal's documents and work live.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DealLinks {
    pub agreement: Option<String>,
    pub engagement: Option<String>,
    pub tracker: Option<String>,
}

/// The fields whose every change the deal history records, in this order.
pub const TRACKED_FIELDS: [&str; 11] = [
    "stage",
    "probability",
    "forecast_category",
    "amount",
    "amount_collected",
    "close_date",
    "contract_start",
    "contract_end",
    "target_start",
    "target_end",
    "currency",
];

/// How long before a contract ends its renewal is due to be under way.
pub const RENEWAL_LEAD_DAYS: i64 = 60;

/// The day a contract ending on `end` is due for renewal: [`RENEWAL_LEAD_DAYS`] before.
pub fn renewal_due(end: Date) -> Option<Date> {
    end.checked_sub(jiff::Span::new().days(RENEWAL_LEAD_DAYS))
        .ok()
}

/// One recorded change of a tracked field; `None` is unknown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl DealFields {
    /// A new-business deal in `stage` of `pipeline`, in USD, with everything else unknown.
    pub fn new(
        name: impl Into<String>,
        pipeline: impl Into<String>,
        stage: impl Into<String>,
    ) -> Self {
        DealFields {
            name: name.into(),
            organization: None,
            pipeline: pipeline.into(),
            stage: stage.into(),
            probability: None,
            forecast_category: None,
            revenue_type: None,
            deal_type: DealType::NewBusiness,
            currency: Currency::USD,
            amount_minor: None,
            collected_minor: None,
            close_date: None,
            contract_start: None,
            contract_end: None,
            target_start: None,
            target_end: None,
            owner: None,
            loss_reason: None,
            renews: None,
            campaign: None,
            links: DealLinks::default(),
        }
    }

    /// The tracked fields as text, in [`TRACKED_FIELDS`] order: amounts in major units with
    /// all minor digits, probabilities as the shortest text that reads back the same number.
    pub fn tracked(&self) -> [(&'static str, Option<String>); 11] {
        let money =
            |minor: Option<i64>| minor.map(|m| Money::from_minor(m, self.currency).decimal());
        let date = |d: Option<Date>| d.map(|d| d.to_string());
        [
            ("stage", Some(self.stage.clone())),
            ("probability", self.probability.map(|p| p.get().to_string())),
            (
                "forecast_category",
                self.forecast_category.map(|c| c.to_string()),
            ),
            ("amount", money(self.amount_minor)),
            ("amount_collected", money(self.collected_minor)),
            ("close_date", date(self.close_date)),
            ("contract_start", date(self.contract_start)),
            ("contract_end", date(self.contract_end)),
            ("target_start", date(self.target_start)),
            ("target_end", date(self.target_end)),
            ("currency", Some(self.currency.to_string())),
        ]
    }

    /// What the history records when a deal goes from `before` (`None`: it is new) to `self`.
    /// A new deal records every tracked field that is known.
    pub fn changes_from(&self, before: Option<&DealFields>) -> Vec<FieldChange> {
        let after = self.tracked();
        match before {
            None => after
                .into_iter()
                .filter(|(_, new)| new.is_some())
                .map(|(field, new)| FieldChange {
                    field,
                    old: None,
                    new,
                })
                .collect(),
            Some(before) => before
                .tracked()
                .into_iter()
                .zip(after)
                .filter(|((_, old), (_, new))| old != new)
                .map(|((field, old), (_, new))| FieldChange { field, old, new })
                .collect(),
        }
    }

    pub fn amount(&self) -> Option<Money> {
        self.amount_minor
            .map(|minor| Money::from_minor(minor, self.currency))
    }

    pub fn collected(&self) -> Option<Money> {
        self.collected_minor
            .map(|minor| Money::from_minor(minor, self.currency))
    }

    /// Every rule a deal breaks on its own, as field and reason; empty when it is valid.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(("name", "a deal needs a name".to_owned()));
        }
        for (field, date) in [
            ("close_date", self.close_date),
            ("contract_start", self.contract_start),
            ("contract_end", self.contract_end),
            ("target_start", self.target_start),
            ("target_end", self.target_end),
        ] {
            if let Some(Err(reason)) = date.map(crate::check_date) {
                problems.push((field, reason));
            }
        }
        for (field, start, end) in [
            ("contract_end", self.contract_start, self.contract_end),
            ("target_end", self.target_start, self.target_end),
        ] {
            if let (Some(start), Some(end)) = (start, end)
                && end < start
            {
                problems.push((field, format!("ends {end}, before it starts {start}")));
            }
        }
        if self.amount_minor.is_some_and(|a| a < 0) {
            problems.push(("amount", "an amount cannot be negative".to_owned()));
        }
        if self.collected_minor.is_some_and(|c| c < 0) {
            problems.push((
                "amount_collected",
                "collected cannot be negative".to_owned(),
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renewal_is_due_sixty_days_before_the_contract_ends() {
        assert_eq!(
            renewal_due(jiff::civil::date(2027, 6, 30)),
            Some(jiff::civil::date(2027, 5, 1))
        );
    }
    use jiff::civil::date;

    pub(crate) fn sample() -> DealFields {
        DealFields {
            name: "BIDS 2025".into(),
            organization: OrganizationName::parse("bids").ok(),
            pipeline: "Membership Sales".into(),
            stage: "Closed Won".into(),
            probability: None,
            forecast_category: None,
            revenue_type: RevenueType::parse("Membership-Premier").ok(),
            deal_type: DealType::NewBusiness,
            currency: Currency::USD,
            amount_minor: Some(4_500_000),
            collected_minor: None,
            close_date: Some(date(2025, 8, 22)),
            contract_start: Some(date(2025, 8, 1)),
            contract_end: Some(date(2026, 7, 31)),
            target_start: None,
            target_end: None,
            owner: None,
            loss_reason: None,
            renews: None,
            campaign: None,
            links: DealLinks::default(),
        }
    }

    #[test]
    fn a_complete_deal_has_no_problems() {
        let deal = sample();
        assert!(deal.problems().is_empty());
        assert_eq!(
            deal.revenue_type.as_ref().map(RevenueType::as_str),
            Some("membership-premier")
        );
        assert_eq!(
            deal.amount().map(|m| m.to_string()),
            Some("45000.00 USD".to_owned())
        );
        assert_eq!(deal.collected(), None);
    }

    #[test]
    fn a_new_deal_records_its_known_tracked_fields() {
        let changes = sample().changes_from(None);
        let fields: Vec<&str> = changes.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                "stage",
                "amount",
                "close_date",
                "contract_start",
                "contract_end",
                "currency"
            ]
        );
        assert_eq!(changes[1].new.as_deref(), Some("45000.00"));
        assert!(changes.iter().all(|c| c.old.is_none()));
    }

    #[test]
    fn an_edit_records_only_what_changed_and_unknown_is_not_zero() {
        let before = sample();
        let mut after = sample();
        after.stage = "Closed Lost".into();
        after.amount_minor = None;
        after.collected_minor = Some(0);
        after.probability = Probability::new(0.2999999999999999).ok();
        after.owner = Some("someone else".into());
        let changes = after.changes_from(Some(&before));
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "stage",
                    old: Some("Closed Won".into()),
                    new: Some("Closed Lost".into())
                },
                FieldChange {
                    field: "probability",
                    old: None,
                    new: Some("0.2999999999999999".into())
                },
                FieldChange {
                    field: "amount",
                    old: Some("45000.00".into()),
                    new: None
                },
                FieldChange {
                    field: "amount_collected",
                    old: None,
                    new: Some("0.00".into())
                },
            ]
        );
        assert!(before.changes_from(Some(&before)).is_empty());
    }

    #[test]
    fn problems_name_the_field() {
        let mut deal = sample();
        deal.name = "  ".into();
        deal.contract_end = Some(date(2025, 7, 31));
        deal.amount_minor = Some(-1);
        let fields: Vec<&str> = deal.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["name", "contract_end", "amount"]);
    }

    #[test]
    fn dates_outside_the_accepted_range_are_problems() {
        let mut deal = sample();
        deal.target_end = Some(date(9999, 12, 31));
        assert_eq!(
            deal.problems(),
            [(
                "target_end",
                "outside the dates Bearing accepts (1900-01-01 to 2199-12-31)".to_owned()
            )]
        );
    }
}
