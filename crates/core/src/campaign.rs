//! Campaigns: lead-generation experiments.

use crate::{Currency, Date};

/// The fields of a campaign, as created or edited.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CampaignFields {
    pub name: String,
    pub channel: Option<String>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub currency: Currency,
    pub cost_minor: Option<i64>,
    pub cost_person_days: Option<f64>,
    pub notes: Option<String>,
}
