//! `/history`: the audit trail of one record.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use bearing_app::AppError;
use bearing_core::EntityKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::AuditView;
use super::{ListFormat, Page, PageQuery, list_response};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

/// Every recorded change to one record, oldest first: who, when, through which front door, and
/// its values before and after. `format=csv` lists the changes as people read them beside the
/// stored values.
#[utoipa::path(get, path = "/history/{kind}/{id}", security(("token" = ["read"])), tag = "history",
    params(("kind" = String, Path, description = "organization, deal, pipeline, stage, campaign or contact"), ("id" = String, Path), HistoryQuery, PageQuery),
    responses((status = 200, body = Page<AuditView>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    Path((kind, id)): Path<(String, String)>,
    Query(q): Query<HistoryQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let kind: EntityKind = kind
        .parse()
        .map_err(|e: bearing_core::ParseError| AppError::invalid("kind", e.to_string()))?;
    let records = bearing_app::history::of(&state.store, &caller.ctx(), kind, &id).await?;
    let names = match q.format {
        ListFormat::Csv => bearing_app::history::Names::of(&state.store, &records).await?,
        ListFormat::Json => bearing_app::history::Names::default(),
    };
    list_response(
        q.format,
        &page,
        records,
        |r| r.id,
        AuditView::from,
        |records| bearing_app::history::table(records, &names, true),
    )
}
