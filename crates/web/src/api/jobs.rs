//! `/jobs/runs`: the scheduled jobs' runs, for admins.

use axum::extract::{Query, State};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::JobRunView;
use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(runs))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RunsQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

/// Every run of a scheduled job, newest first: the job, its slot, the instance that claimed
/// it, when it started and finished, its outcome and what it did. A slot has one run however
/// many instances serve the database.
#[utoipa::path(get, path = "/jobs/runs", security(("token" = ["manage-users"])), tag = "jobs", params(RunsQuery, PageQuery),
    responses((status = 200, body = Page<JobRunView>)))]
async fn runs(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RunsQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = bearing_app::jobs::runs(&state.store, &caller.ctx(), None).await?;
    list_response(
        q.format,
        &page,
        list,
        |r| r.id,
        JobRunView::from,
        bearing_app::jobs::table,
    )
}
