//! The forecast of the deals in the database: a snapshot for `bearing_core::forecast`.

use bearing_core::Month;
use bearing_core::forecast::{Forecast, ForecastDeal};
use bearing_store::Store;

use crate::Result;
use crate::deals;

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
    Ok(snapshot_with_ids(store, stage_probabilities).await?.0)
}

/// [`snapshot_with`], and each deal's record id, in the same order.
pub async fn snapshot_with_ids(
    store: &Store,
    stage_probabilities: &std::collections::BTreeMap<String, f64>,
) -> Result<(Vec<ForecastDeal>, Vec<i64>)> {
    let list = deals::list_for_forecast(store).await?;
    let stages = store.list_stages().await?;
    let active = active_won_stages(&stages);
    let invoiced: std::collections::HashMap<bearing_core::DealId, i64> =
        store.collected_by_deal(None).await?.into_iter().collect();
    Ok(list
        .into_iter()
        .map(|deal| {
            let active_won =
                active.contains(&(deal.fields.pipeline.as_str(), deal.fields.stage.as_str()));
            let (id, currency) = (deal.id, deal.fields.currency);
            let fd = forecast_deal(deal, active_won, stage_probabilities);
            (
                with_payments(fd, invoiced.get(&id).copied(), currency),
                id.get(),
            )
        })
        .unzip())
}

/// The stage won deals are active in, for each pipeline (pipeline, stage): its first stage by
/// position whose outcome is won; a later won stage ("Closed Won Complete") keeps finished
/// engagements. Recognised by outcome and place, never by name.
fn active_won_stages(stages: &[bearing_store::StageRecord]) -> Vec<(&str, &str)> {
    let mut first: Vec<&bearing_store::StageRecord> = Vec::new();
    for stage in stages
        .iter()
        .filter(|s| s.outcome == bearing_core::pipeline::StageOutcome::Won)
    {
        match first
            .iter_mut()
            .find(|f| f.pipeline_id == stage.pipeline_id)
        {
            Some(f) if stage.position < f.position => *f = stage,
            Some(_) => {}
            None => first.push(stage),
        }
    }
    first
        .into_iter()
        .map(|s| (s.pipeline.as_str(), s.name.as_str()))
        .collect()
}

/// A deal as the forecast sees it: its probability is its own, else the assumptions' for its
/// stage, else the stage's default; its id is the CRM's when it came from the CRM.
fn forecast_deal(
    deal: deals::Deal,
    active_won: bool,
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
    ForecastDeal::from_fields(id, deal.fields, deal.stage_outcome, active_won, probability)
}

/// What was paid on a deal's issued invoices that are not void, when it has any: its
/// collected amount in place of the CRM's (docs/domain.md, "Deal collected").
pub async fn collected_from_invoices(
    store: &Store,
    deal: bearing_core::DealId,
) -> Result<Option<i64>> {
    Ok(store
        .collected_by_deal(Some(deal))
        .await?
        .pop()
        .map(|(_, paid)| paid))
}

/// A deal with what its invoices' payments add up to (`paid_minor`, when it has invoices) as
/// its collected amount (docs/domain.md, "Deal collected").
fn with_payments(
    deal: ForecastDeal,
    paid_minor: Option<i64>,
    currency: bearing_core::Currency,
) -> ForecastDeal {
    match paid_minor {
        Some(paid) => {
            deal.with_invoices(bearing_core::Money::from_minor(paid, currency).as_major_f64())
        }
        None => deal,
    }
}

/// What an open deal lacks to count in the forecast (its start, end or amount; the forecast's
/// "removed" deals, docs/domain.md): empty when it counts or is not open.
pub fn missing_for_forecast(deal: &deals::Deal) -> Vec<&'static str> {
    let fd = forecast_deal(deal.clone(), false, &std::collections::BTreeMap::new());
    let month = bearing_core::Month::of(deal.fields.close_date.unwrap_or(bearing_core::Date::MIN));
    bearing_core::forecast::derive(&fd, month).missing
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
    let stages = store.list_stages().await?;
    let active_won = active_won_stages(&stages)
        .contains(&(deal.fields.pipeline.as_str(), deal.fields.stage.as_str()));
    let paid = collected_from_invoices(store, deal.id).await?;
    let fd = forecast_deal(deal.clone(), active_won, &assumptions.stage_probabilities);
    let fd = with_payments(fd, paid, deal.fields.currency);
    let forecast = Forecast::with_horizon(vec![fd], start, assumptions.horizon_years);
    let table = forecast.deal_months();
    Ok(table
        .months
        .iter()
        .copied()
        .zip(table.total.iter().copied())
        .filter(|(_, v)| *v != 0.0)
        .collect())
}

/// The forecast with books closed through `books_closed`: it starts the month after, with the
/// default horizon and the stages' own probabilities.
pub async fn forecast(store: &Store, books_closed: Month) -> Result<Forecast> {
    let assumptions = bearing_core::assumptions::Assumptions {
        books_closed: Some(books_closed),
        ..Default::default()
    };
    forecast_with(store, &assumptions).await
}

/// The forecast the assumptions ask for: from the month after the books closed, to their
/// horizon, with their stage probabilities.
pub async fn forecast_with(
    store: &Store,
    assumptions: &bearing_core::assumptions::Assumptions,
) -> Result<Forecast> {
    let books_closed = assumptions.books_closed.ok_or_else(|| {
        crate::AppError::invalid("books-closed", "not set: `bearing assumptions set books-closed=YYYY-MM` names the last month whose books are closed")
    })?;
    let start = books_closed.plus(1).ok_or_else(|| {
        crate::AppError::invalid("books-closed", "the month after it is outside the calendar")
    })?;
    Ok(Forecast::with_horizon(
        snapshot_with(store, &assumptions.stage_probabilities).await?,
        start,
        assumptions.horizon_years,
    ))
}
