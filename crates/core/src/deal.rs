//! Deals: possible or signed agreements with an organization.

use std::fmt;

use crate::money::{Currency, Money};
use crate::organization::OrganizationName;
use crate::pipeline::{ForecastCategory, Probability};
use crate::{Date, ParseError};

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
}

impl DealFields {
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
    fn problems_name_the_field() {
        let mut deal = sample();
        deal.name = "  ".into();
        deal.contract_end = Some(date(2025, 7, 31));
        deal.amount_minor = Some(-1);
        let fields: Vec<&str> = deal.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["name", "contract_end", "amount"]);
    }
}
