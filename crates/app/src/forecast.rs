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
        .map(|deal| forecast_deal(deal, stage_probabilities))
        .collect())
}

/// A deal as the forecast sees it: its probability is its own, else the assumptions' for its
/// stage, else the stage's default; its id is the CRM's when it came from the CRM.
fn forecast_deal(
    deal: deals::Deal,
    stage_probabilities: &std::collections::BTreeMap<String, f64>,
) -> ForecastDeal {
    let probability = deal.fields.probability.map_or_else(
        || {
            stage_probabilities
                .get(&deal.fields.stage)
                .copied()
                .unwrap_or(deal.stage_probability)
        },
        |p| p.get(),
    );
    let id = deal
        .external_ids
        .get(crate::import::CRM)
        .cloned()
        .unwrap_or_else(|| deal.id.to_string());
    ForecastDeal::from_fields(id, deal.fields, deal.stage_outcome, probability)
}

/// One deal's expected revenue by month, from the forecast's start (the month after the books
/// closed, in the assumptions in force `today`). Empty when books-closed is not set.
pub async fn deal_months(
    store: &Store,
    deal: &deals::Deal,
    today: bearing_core::Date,
) -> Result<Vec<(Month, f64)>> {
    let (_, assumptions) = crate::assumptions::current(store, today).await?;
    let Some(start) = assumptions.books_closed.and_then(|m| m.plus(1)) else {
        return Ok(Vec::new());
    };
    let forecast = Forecast::new(
        vec![forecast_deal(
            deal.clone(),
            &assumptions.stage_probabilities,
        )],
        start,
    );
    let table = forecast.deal_months();
    Ok(table
        .months
        .iter()
        .copied()
        .zip(table.total.iter().copied())
        .filter(|(_, v)| *v != 0.0)
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
