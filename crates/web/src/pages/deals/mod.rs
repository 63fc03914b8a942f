//! The pipeline board, the deals table, a deal's page and its forms.

use crate::access::Rule::Signed;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bearing_app::deals::{self, Deal, DealFilter, DealPatch};
use bearing_app::patch::Edit;
use bearing_app::{AppError, forecast};
use bearing_core::access::Permission;
use bearing_core::access::Permission::{EditCrm, Read};
use bearing_core::pipeline::StageOutcome;
use bearing_core::{Currency, DealId};
use bearing_formats::Format;
use bearing_store::StageRecord;

use super::{
    Cell, Column, HtmlTable, Layout, PathId, Routes, dollars, encode_query, error_page, field,
    minute, money_text, ok, render, see_other,
};
use crate::AppState;
use crate::api::types::{DealInput, DealView, MoveInput};
use crate::auth::Caller;

mod board;
mod form;
mod show;
mod table;

use board::*;
use form::*;
pub(crate) use show::deal_page;
use show::*;
use table::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/pipeline", Signed(Read), board)
        .get("/deals", Signed(Read), table)
        .get("/deals/new", Signed(EditCrm), new_form)
        .post("/deals", Signed(EditCrm), create)
        .get("/deals/{id}", Signed(Read), show)
        .get("/deals/{id}/edit", Signed(EditCrm), edit_form)
        .post("/deals/{id}", Signed(EditCrm), update)
        .post("/deals/{id}/move", Signed(EditCrm), move_to)
}

/// Cards shown per column; the rest are a link to the table.
fn stage_names(stages: &[StageRecord], pipeline: &str) -> Vec<String> {
    stages
        .iter()
        .filter(|s| s.pipeline == pipeline && !s.retired)
        .map(|s| s.name.clone())
        .collect()
}

fn probability_text(deal: &Deal) -> String {
    let p = deal.probability();
    format!("{:.0}%", p * 100.0)
}

async fn load(
    state: &AppState,
    filter: &DealFilter,
) -> Result<(Vec<Deal>, Vec<StageRecord>), AppError> {
    let snapshot = state.snapshot().await?;
    tokio::try_join!(snapshot.deals_matching(filter), async {
        Ok(state.store.list_stages().await?)
    })
}

pub(crate) fn deal_id(raw: i64) -> Result<DealId, AppError> {
    DealId::new(raw).map_err(|_| AppError::NotFound(format!("no deal with id {raw}")))
}
