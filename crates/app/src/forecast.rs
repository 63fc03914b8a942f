//! The forecast of the deals in the database: a snapshot for `bearing_core::forecast`.

use bearing_core::Month;
use bearing_core::forecast::{Forecast, ForecastDeal};
use bearing_store::Store;

use crate::Result;
use crate::deals::{self, DealFilter};

/// Every deal that is not deleted, as the forecast sees it: probabilities resolved to the
/// stage's default where the deal has none, amounts in major units.
pub async fn snapshot(store: &Store) -> Result<Vec<ForecastDeal>> {
    snapshot_with(store, &std::collections::BTreeMap::new()).await
}

/// [`snapshot`], with the assumptions' stage probabilities in place of the stages' defaults.
pub async fn snapshot_with(
    store: &Store,
    stage_probabilities: &std::collections::BTreeMap<String, f64>,
) -> Result<Vec<ForecastDeal>> {
    let list = deals::list(store, &DealFilter::default()).await?;
    Ok(list
        .into_iter()
        .map(|deal| {
            let f = deal.fields;
            let major = |minor: Option<i64>| {
                minor.map(|m| bearing_core::Money::from_minor(m, f.currency).as_major_f64())
            };
            ForecastDeal {
                id: deal
                    .external_ids
                    .get(crate::import::CRM)
                    .cloned()
                    .unwrap_or_else(|| deal.id.to_string()),
                name: f.name.clone(),
                revenue_type: f.revenue_type.as_ref().map(|t| t.to_string()),
                probability: f.probability.map_or_else(
                    || {
                        stage_probabilities
                            .get(&f.stage)
                            .copied()
                            .unwrap_or(deal.stage_probability)
                    },
                    |p| p.get(),
                ),
                outcome: deal.stage_outcome,
                stage: f.stage,
                amount: major(f.amount_minor),
                collected: major(f.collected_minor),
                contract_start: f.contract_start,
                contract_end: f.contract_end,
                target_start: f.target_start,
                target_end: f.target_end,
                renewal: f.deal_type == bearing_core::deal::DealType::Renewal,
            }
        })
        .collect())
}

/// The forecast with books closed through `books_closed`: it starts the month after.
pub async fn forecast(store: &Store, books_closed: Month) -> Result<Forecast> {
    forecast_with(store, books_closed, &std::collections::BTreeMap::new()).await
}

/// [`forecast`] with the assumptions' stage probabilities.
pub async fn forecast_with(
    store: &Store,
    books_closed: Month,
    stage_probabilities: &std::collections::BTreeMap<String, f64>,
) -> Result<Forecast> {
    let start = books_closed.plus(1).ok_or_else(|| {
        crate::AppError::invalid("books-closed", "the month after it is outside the calendar")
    })?;
    Ok(Forecast::new(
        snapshot_with(store, stage_probabilities).await?,
        start,
    ))
}
