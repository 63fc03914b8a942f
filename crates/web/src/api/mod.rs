//! The JSON API under `/api/v1`, described by the OpenAPI 3.1 document it serves at
//! `/api/v1/openapi.json`. Every handler calls the same application services as the command
//! line; changes are recorded with source `api`.
//!
//! Every request carries an API token (`Authorization: Bearer brg_…`) or a session cookie;
//! changes are recorded as made by the token's user.

mod billing;
mod books;
mod campaigns;
mod cloud;
mod clusters;
mod contacts;
mod deals;
mod history;
mod imports;
mod invoices;
mod jobs;
mod ledger;
mod organizations;
mod people;
mod pipelines;
mod reports;
mod scenarios;
pub mod types;

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bearing_formats::{Format, Table};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{ApiError, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bearing",
        description = "Partnerships and sustainability for a small, fiscally sponsored nonprofit: organizations, contacts, deals and the pipeline, campaigns, clusters and hubs and their usage, imports and the audit trail.",
        license(name = "AGPL-3.0-or-later")
    ),
    tags(
        (name = "deals", description = "Deals, their stages and their history"),
        (name = "organizations", description = "Communities, funders, partners and the sponsor"),
        (name = "contacts", description = "People at organizations"),
        (name = "campaigns", description = "Lead-generation experiments"),
        (name = "pipelines", description = "Pipelines and their stages"),
        (name = "imports", description = "CSV imports, all or nothing"),
        (name = "history", description = "The audit trail"),
        (name = "jobs", description = "Scheduled jobs and their runs, for admins"),
        (name = "books", description = "The sponsor's ledger as actuals, the account map, the monthly close, scenarios and can we hire?, for finance"),
        (name = "invoices", description = "Invoices, payments and voids, billing schedules and the billing run: cash, for those who see it; changes for those who manage invoices"),
        (name = "cloud", description = "Cloud bills, their mappings to clusters, shared clusters' splits, decisions on overruns and credits held for partners: cash, for those who see it; changes for those who manage invoices"),
        (name = "usage", description = "Clusters and hubs, whose monthly active users are priced"),
        (name = "people", description = "Roles, salary bands, people and what the team costs; pay only for those who may see it"),
        (name = "reports", description = "Projections, scenarios, the scorecard and the assumptions behind them")
    )
)]
struct ApiDoc;

/// The API's routes and its OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    // The document's info and tags are Bearing's: the outer router carries them.
    let api = OpenApiRouter::new()
        .merge(deals::routes())
        .merge(organizations::routes())
        .merge(contacts::routes())
        .merge(campaigns::routes())
        .merge(clusters::routes())
        .merge(people::routes())
        .merge(pipelines::routes())
        .merge(imports::routes())
        .merge(history::routes())
        .merge(jobs::routes())
        .merge(books::routes())
        .merge(scenarios::routes())
        .merge(invoices::routes())
        .merge(billing::routes())
        .merge(ledger::routes())
        .merge(cloud::routes())
        .merge(reports::routes());
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api)
        .split_for_parts();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    document_refusals(&mut openapi);
    (router, openapi)
}

/// The API's routes with their rules, read from the document: each operation's `token`
/// security requirement names the one permission it needs. An operation without one, or
/// with a name that is no permission, gets no rule and is refused to everybody.
pub fn rules(
    openapi: &utoipa::openapi::OpenApi,
) -> Vec<(axum::http::Method, String, crate::access::Rule)> {
    use axum::http::Method;
    let mut rules = Vec::new();
    for (path, item) in &openapi.paths.paths {
        for (method, operation) in [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ] {
            let Some(operation) = operation else { continue };
            let needs = operation
                .security
                .iter()
                .flatten()
                .filter_map(|requirement| serde_json::to_value(requirement).ok())
                .filter_map(|value| value.get("token").cloned())
                .filter_map(|scopes| serde_json::from_value::<Vec<String>>(scopes).ok())
                .flatten()
                .filter_map(|name| name.parse::<bearing_core::access::Permission>().ok())
                .next();
            if let Some(permission) = needs {
                rules.push((
                    method,
                    path.clone(),
                    crate::access::Rule::Signed(permission),
                ));
            }
        }
    }
    rules
}

/// Adds to every operation the answers every route may give besides its own, in the one error
/// shape: 400 (a body that is not UTF-8 or JSON, a path id that does not fit), 401 (no or a
/// bad token), 403 (a role that may not), 405, 413 (a body over the route's limit), 415 (a body
/// of another media type), 422 (a
/// body or a parameter that breaks a rule) and 500; and to every list that takes `format`, its
/// `text/csv` form.
fn document_refusals(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{Content, Ref, RefOr, Response};

    let error = |description: &str| {
        let mut response = Response::new(description);
        response.content.insert(
            "application/json".to_owned(),
            RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorBody")))),
        );
        RefOr::T(response)
    };
    openapi
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "token",
            utoipa::openapi::security::SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::new()
                    .scheme(utoipa::openapi::security::HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`brg_…`) made on the account page or with `bearing user token`. Each operation names the one permission it needs as its scope; a user's role grants permissions (docs/security.md).",
                    ))
                    .build(),
            ),
        );
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let parameters: Vec<(String, bool)> = operation
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) => Some((p.name.clone(), p.parameter_in == ParameterIn::Path)),
                    RefOr::Ref(_) => None,
                })
                .collect();
            let body = operation.request_body.is_some();
            let mut answers = vec![
                (
                    "401",
                    "not signed in: send an API token as `Authorization: Bearer brg_…`",
                ),
                (
                    "403",
                    "the caller's role may not do this, or see what it shows",
                ),
                ("405", "the route has no such method"),
                ("500", "internal error; the server log has the cause"),
            ];
            if body || !parameters.is_empty() {
                answers.push((
                    "400",
                    "a body that is not UTF-8 or not JSON, or a parameter that cannot be read (a path id that does not fit, a query value of the wrong type)",
                ));
            }
            if body || !parameters.is_empty() {
                answers.push(("422", "input that breaks a rule; the detail names it"));
            }
            if body {
                answers.push(("413", "a body larger than the route accepts"));
                answers.push(("415", "a body of another media type than the route takes"));
            }
            for (status, description) in answers {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(description));
            }
            if parameters.iter().any(|(name, _)| name == "format")
                && let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200")
            {
                ok.content.insert(
                    "text/csv".to_owned(),
                    RefOr::T(Content::new(Some(
                        utoipa::openapi::schema::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::String)
                            .description(Some(
                                "the same rows as CSV, with the columns of the command line's --format csv",
                            ))
                            .build(),
                    ))),
                );
            }
        }
    }
}

/// `?format=csv` turns a list into a CSV download; JSON is the default.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    #[default]
    Json,
    Csv,
}

/// Items a page of a list holds unless `limit` says otherwise, and the most it may ask for.
pub(crate) const PAGE_ITEMS: usize = 100;
pub(crate) const MOST_PAGE_ITEMS: usize = 1_000;

/// Which page of a list: at most `limit` items, after the `cursor` the previous page gave.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// Items on the page: 1 to 1,000, 100 unless given.
    limit: Option<usize>,
    /// Where the page starts: the previous page's `next_cursor`.
    cursor: Option<String>,
}

/// A page of a list: its items, how many the whole list holds, and the cursor of the next
/// page (none on the last).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub next_cursor: Option<String>,
}

impl PageQuery {
    /// Where in `list` the page starts and how many items it holds. A cursor is the place
    /// after the last item of its page and that item's id: when items were added or removed
    /// before it since, the page starts after that item wherever it now stands.
    fn bounds<S>(&self, list: &[S], id: impl Fn(&S) -> i64) -> Result<(usize, usize), ApiError> {
        let limit = self.limit.unwrap_or(PAGE_ITEMS);
        if !(1..=MOST_PAGE_ITEMS).contains(&limit) {
            return Err(bearing_app::AppError::invalid(
                "limit",
                format!("{limit} is not between 1 and {MOST_PAGE_ITEMS}"),
            )
            .into());
        }
        let Some(cursor) = &self.cursor else {
            return Ok((0, limit));
        };
        let bad = || -> ApiError {
            bearing_app::AppError::invalid(
                "cursor",
                format!("{cursor:?} is not a cursor this list gave; start again without one"),
            )
            .into()
        };
        let (place, last) = cursor.split_once('-').ok_or_else(bad)?;
        let place: usize = place.parse().map_err(|_| bad())?;
        let last: i64 = last.parse().map_err(|_| bad())?;
        let start = match place.checked_sub(1).and_then(|i| list.get(i)) {
            Some(item) if id(item) == last => place,
            _ => list
                .iter()
                .position(|item| id(item) == last)
                .map_or(place, |i| i + 1),
        };
        Ok((start.min(list.len()), limit))
    }
}

/// A list as a JSON page, or the whole list as the CSV of `table` when asked for. `id` tells
/// the cursor each item's id; only the page's items become views.
pub(crate) fn list_response<S, T: serde::Serialize>(
    format: ListFormat,
    page: &PageQuery,
    list: Vec<S>,
    id: impl Fn(&S) -> i64,
    view: impl FnMut(S) -> T,
    table: impl FnOnce(&[S]) -> Table,
) -> Result<Response, ApiError> {
    match format {
        ListFormat::Json => {
            let (start, limit) = page.bounds(&list, &id)?;
            let total = list.len();
            let end = (start + limit).min(total);
            let next_cursor =
                (end < total && end > 0).then(|| format!("{end}-{}", id(&list[end - 1])));
            let items = list
                .into_iter()
                .skip(start)
                .take(end - start)
                .map(view)
                .collect();
            Ok(Json(Page {
                items,
                total,
                next_cursor,
            })
            .into_response())
        }
        ListFormat::Csv => {
            let mut out = Vec::new();
            table(&list)
                .write(Format::Csv, &mut out)
                .map_err(|e| ApiError::from(bearing_app::AppError::Internal(e.to_string())))?;
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response())
        }
    }
}
