//! `/cloud` and `/imports/cloud-costs`: cloud bills, the mappings of their accounts,
//! sub-accounts and tags to clusters, shared clusters' splits, decisions on overruns and the
//! credits held for partners. Reading them is reading cash; changing them needs
//! `manage-invoices`. What each organization still owes is the report `cloud-recovery`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, cloud};
use bearing_core::cloud::SplitRule;
use bearing_core::{Currency, Money, Month, OrganizationId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_costs))
        .routes(routes!(costs))
        .routes(routes!(mappings, map))
        .routes(routes!(unmap))
        .routes(routes!(set_split))
        .routes(routes!(decide))
        .routes(routes!(credits, add_credit))
}

/// How to read the cloud bill.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CloudImportQuery {
    /// Say what each billing account's month would gain and lose; write nothing.
    #[serde(default)]
    dry_run: bool,
    /// The file's name, for error messages.
    file: Option<String>,
    /// The column holding the start of the billing period (default `BillingPeriodStart`).
    period_start_column: Option<String>,
    /// The column holding the billing account (default `BillingAccountId`).
    account_column: Option<String>,
    /// The column holding the billed cost (default `BilledCost`).
    cost_column: Option<String>,
    /// The column holding the sub-account (default `SubAccountId`).
    sub_account_column: Option<String>,
    /// The column holding the service category (default `ServiceCategory`).
    category_column: Option<String>,
    /// The column holding the currency (default `BillingCurrency`; US dollars without one).
    currency_column: Option<String>,
    /// The column holding the tags as a JSON object (default `Tags`).
    tags_column: Option<String>,
}

/// One billing account's month of an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountMonthImportView {
    /// `YYYY-MM`
    pub month: String,
    pub account: String,
    pub lines: usize,
    pub added: usize,
    pub kept: usize,
    /// Lines the month held that the file does not: kept, marked deleted.
    pub removed: usize,
    /// What the month cost, per currency.
    pub totals: Vec<super::billing::AmountView>,
}

/// Lines of an account that no mapping places on a cluster.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnmappedLinesView {
    pub account: String,
    pub lines: usize,
}

/// What an import of a cloud bill did, or (dry run) would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CloudImportView {
    pub dry_run: bool,
    pub months: Vec<AccountMonthImportView>,
    pub unmapped: Vec<UnmappedLinesView>,
    /// The same in words.
    pub summary: String,
}

fn amount(m: &Money) -> super::billing::AmountView {
    super::billing::AmountView {
        currency: m.currency.to_string(),
        amount: m.decimal(),
    }
}

/// Import a cloud bill (CSV in the body, the FinOps FOCUS columns unless mapped), all or
/// nothing: each billing account's month in the file becomes exactly its lines (lines it no
/// longer holds are kept, marked deleted); the same file twice changes nothing.
#[utoipa::path(post, path = "/imports/cloud-costs", security(("token" = ["manage-invoices"])), tag = "cloud", params(CloudImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = CloudImportView), (status = 422, description = "Every problem, by line and column", body = ErrorBody)))]
async fn import_costs(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CloudImportQuery>,
    body: String,
) -> Result<Json<CloudImportView>, ApiError> {
    let pairs: Vec<(String, String)> = [
        ("period-start", &q.period_start_column),
        ("account", &q.account_column),
        ("cost", &q.cost_column),
        ("sub-account", &q.sub_account_column),
        ("category", &q.category_column),
        ("currency", &q.currency_column),
        ("tags", &q.tags_column),
    ]
    .into_iter()
    .filter_map(|(field, column)| Some((field.to_owned(), column.clone()?)))
    .collect();
    let columns = bearing_formats::cloud_costs::Columns::mapped(&pairs)
        .map_err(|e| AppError::invalid("columns", e))?;
    let done = cloud::import(
        &state.store,
        &caller.ctx(),
        q.file.as_deref().unwrap_or("upload.csv"),
        body.as_bytes(),
        &columns,
        q.dry_run,
    )
    .await?;
    Ok(Json(CloudImportView {
        summary: done.summary(),
        dry_run: done.dry_run,
        months: done
            .months
            .iter()
            .map(|m| AccountMonthImportView {
                month: m.month.to_string(),
                account: m.account.clone(),
                lines: m.lines,
                added: m.write.added,
                kept: m.write.kept,
                removed: m.write.removed,
                totals: m.totals.iter().map(amount).collect(),
            })
            .collect(),
        unmapped: done
            .unmapped
            .into_iter()
            .map(|(account, lines)| UnmappedLinesView { account, lines })
            .collect(),
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

/// A decision on an overrun.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub account: String,
    /// `YYYY-MM`
    pub month: String,
    /// `absorb`, `recover` or `discount`.
    pub decision: String,
    /// A discount's amount, in major units.
    pub discount: Option<String>,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: String,
}

impl DecisionView {
    fn of(d: &bearing_store::CloudDecisionRecord, currency: Currency) -> Self {
        DecisionView {
            account: d.account.clone(),
            month: d.month.to_string(),
            decision: d.decision.as_str().to_owned(),
            discount: match d.decision {
                bearing_core::cloud::Decision::Discount { amount_minor } => {
                    Some(Money::from_minor(amount_minor, currency).decimal())
                }
                _ => None,
            },
            reason: d.reason.clone(),
            decided_by: d.decided_by.clone(),
            decided_at: d.decided_at.to_string(),
        }
    }
}

/// A billing account's month: what it cost, what of it is recoverable, and its overrun of
/// the budget threshold with the decision in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountMonthView {
    /// `YYYY-MM`
    pub month: String,
    pub account: String,
    pub currency: String,
    pub lines: usize,
    /// In major units.
    pub cost: String,
    /// Of which recoverable, before any decision.
    pub recoverable: String,
    /// The mean of the previous three months × 1.2, when the month is over it.
    pub threshold: Option<String>,
    /// By how much the month is over its threshold.
    pub over: Option<String>,
    pub decision: Option<DecisionView>,
}

impl From<cloud::AccountMonth> for AccountMonthView {
    fn from(a: cloud::AccountMonth) -> Self {
        let money = |minor: i64| Money::from_minor(minor, a.currency).decimal();
        AccountMonthView {
            month: a.month.to_string(),
            account: a.account.clone(),
            currency: a.currency.to_string(),
            lines: a.lines,
            cost: money(a.amount_minor),
            recoverable: money(a.recoverable_minor),
            threshold: a.overrun.map(|(t, _)| money(t)),
            over: a.overrun.map(|(_, o)| money(o)),
            decision: a.decision.as_ref().map(|d| DecisionView::of(d, a.currency)),
        }
    }
}

/// Every billing account's month, newest first: its cost, what is recoverable, and each
/// overrun with its decision.
#[utoipa::path(get, path = "/cloud/costs", security(("token" = ["read-cash"])), tag = "cloud", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<AccountMonthView>)))]
async fn costs(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = cloud::view(&state.store, &caller.ctx()).await?.accounts;
    // An account's month is known by its place in the list.
    let numbered: Vec<(i64, cloud::AccountMonth)> = (1..).zip(list).collect();
    list_response(
        q.format,
        &page,
        numbered,
        |(n, _)| *n,
        |(_, a)| AccountMonthView::from(a),
        |rows| {
            let list: Vec<cloud::AccountMonth> = rows.iter().map(|(_, a)| a.clone()).collect();
            cloud::accounts_table(&list)
        },
    )
}

/// A mapping: which cluster (and hub) an account, sub-account or tag's costs are on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MappingView {
    pub id: i64,
    /// `account`, `sub-account` or `tag`.
    pub kind: String,
    /// The tag's name, for a tag.
    pub tag: Option<String>,
    pub value: String,
    pub cluster: String,
    pub hub: Option<String>,
    pub recoverable: bool,
}

impl From<cloud::MappingView> for MappingView {
    fn from(m: cloud::MappingView) -> Self {
        let (tag, value) = m.matches.parts();
        MappingView {
            id: m.id,
            kind: m.matches.kind().to_owned(),
            tag: (!tag.is_empty()).then(|| tag.to_owned()),
            value: value.to_owned(),
            cluster: m.cluster,
            hub: m.hub,
            recoverable: m.recoverable,
        }
    }
}

/// A mapping to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MappingInput {
    /// `account`, `sub-account` or `tag`.
    pub kind: String,
    /// The tag's name, for a tag.
    #[serde(default)]
    pub tag: Option<String>,
    pub value: String,
    /// The cluster, by name.
    pub cluster: String,
    /// A hub on the cluster, when the costs are that hub's alone.
    #[serde(default)]
    pub hub: Option<String>,
    /// Whether the community pays the costs back; the organisation absorbs them otherwise.
    pub recoverable: bool,
}

fn mapping_page(
    format: ListFormat,
    page: &PageQuery,
    list: Vec<cloud::MappingView>,
) -> Result<Response, ApiError> {
    list_response(
        format,
        page,
        list,
        |m| m.id,
        MappingView::from,
        cloud::mappings_table,
    )
}

/// The mappings in force. A tag's mapping wins over the sub-account's, which wins over the
/// account's.
#[utoipa::path(get, path = "/cloud/mappings", security(("token" = ["read-cash"])), tag = "cloud", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<MappingView>)))]
async fn mappings(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = cloud::mappings(&state.store, &caller.ctx()).await?;
    mapping_page(q.format, &page, list)
}

/// Map an account, a sub-account or a tag's value to a cluster; the mappings after. One
/// mapping of a kind and value is in force at a time.
#[utoipa::path(post, path = "/cloud/mappings", security(("token" = ["manage-invoices"])), tag = "cloud", request_body = MappingInput,
    responses((status = 201, body = Vec<MappingView>), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn map(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<MappingInput>,
) -> Result<(StatusCode, Json<Vec<MappingView>>), ApiError> {
    let list = cloud::map(
        &state.store,
        &caller.ctx(),
        &cloud::MappingInput {
            kind: input.kind,
            tag: input.tag.unwrap_or_default(),
            value: input.value,
            cluster: input.cluster,
            hub: input.hub,
            recoverable: input.recoverable,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(list.into_iter().map(MappingView::from).collect()),
    ))
}

/// Remove a mapping; the mappings after. It keeps its row.
#[utoipa::path(delete, path = "/cloud/mappings/{id}", security(("token" = ["manage-invoices"])), tag = "cloud", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MappingView>), (status = 404, body = ErrorBody)))]
async fn unmap(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<MappingView>>, ApiError> {
    let list = cloud::unmap(&state.store, &caller.ctx(), id).await?;
    Ok(Json(list.into_iter().map(MappingView::from).collect()))
}

/// How a shared cluster's costs are split among its hubs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SplitView {
    /// `usage` (by the hubs' monthly active users, the default), `even`, or
    /// `fixed HUB=PERCENT, HUB=PERCENT…` adding up to 100.
    pub rule: String,
}

/// Set how a shared cluster (by name) splits its costs among its hubs.
#[utoipa::path(put, path = "/cloud/splits/{cluster}", security(("token" = ["manage-invoices"])), tag = "cloud", params(("cluster" = String, Path)), request_body = SplitView,
    responses((status = 200, body = SplitView), (status = 422, body = ErrorBody)))]
async fn set_split(
    State(state): State<AppState>,
    caller: Caller,
    Path(cluster): Path<String>,
    Json(input): Json<SplitView>,
) -> Result<Json<SplitView>, ApiError> {
    let rule = SplitRule::parse(&input.rule).map_err(|e| AppError::invalid("rule", e.reason))?;
    cloud::set_split(&state.store, &caller.ctx(), &cluster, &rule).await?;
    Ok(Json(SplitView {
        rule: rule.to_string(),
    }))
}

/// A decision on a billing account's month over its threshold.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DecisionInput {
    pub account: String,
    /// `YYYY-MM`
    pub month: String,
    /// `absorb`, `recover` or `discount`.
    pub decision: String,
    /// A discount's amount in the costs' currency, such as `120.00`.
    #[serde(default)]
    pub amount: Option<String>,
    /// Why; kept with the decision.
    pub reason: String,
}

/// Decide on an overrun: absorb it, recover it, or recover it less a discount. The latest
/// decision on a month is in force; each is kept with who made it, when and why.
#[utoipa::path(post, path = "/cloud/decisions", security(("token" = ["manage-invoices"])), tag = "cloud", request_body = DecisionInput,
    responses((status = 201, body = DecisionView), (status = 422, body = ErrorBody)))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<DecisionInput>,
) -> Result<(StatusCode, Json<DecisionView>), ApiError> {
    let month: Month = input
        .month
        .parse()
        .map_err(|e: bearing_core::ParseError| AppError::invalid("month", e.to_string()))?;
    let decision = cloud::DecisionInput::new(&input.decision, input.amount.as_deref());
    let store = &state.store;
    let ctx = caller.ctx();
    let made = cloud::decide(store, &ctx, &input.account, month, &decision, &input.reason).await?;
    let currency = cloud::view(store, &ctx)
        .await?
        .accounts
        .iter()
        .find(|a| a.account == made.account && a.month == made.month)
        .map_or(Currency::USD, |a| a.currency);
    Ok((StatusCode::CREATED, Json(DecisionView::of(&made, currency))))
}

/// Credits held for a partner: what was received, drawn, and what is left at the recent burn.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreditView {
    pub organization_id: i64,
    pub organization: String,
    pub organization_name: String,
    pub currency: String,
    /// In major units.
    pub held: String,
    pub balance: String,
    /// The mean of the last three months' recoverable costs.
    pub burn: String,
    /// Balance ÷ burn; none while nothing is drawn.
    pub months_left: Option<f64>,
}

impl From<cloud::CreditHeld> for CreditView {
    fn from(c: cloud::CreditHeld) -> Self {
        let money = |minor: i64| Money::from_minor(minor, c.currency).decimal();
        CreditView {
            organization_id: c.organization_id.get(),
            organization: c.organization.clone(),
            organization_name: c.organization_name.clone(),
            currency: c.currency.to_string(),
            held: money(c.held_minor),
            balance: money(c.credit.balance_minor),
            burn: money(c.credit.burn_minor),
            months_left: c.credit.months_left,
        }
    }
}

/// Every partner's credits, by organization.
#[utoipa::path(get, path = "/cloud/credits", security(("token" = ["read-cash"])), tag = "cloud", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<CreditView>)))]
async fn credits(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = cloud::view(&state.store, &caller.ctx()).await?.credits;
    let numbered: Vec<(i64, cloud::CreditHeld)> = (1..).zip(list).collect();
    list_response(
        q.format,
        &page,
        numbered,
        |(n, _)| *n,
        |(_, c)| CreditView::from(c),
        |rows| {
            let list: Vec<cloud::CreditHeld> = rows.iter().map(|(_, c)| c.clone()).collect();
            cloud::credits_table(&list)
        },
    )
}

/// Credits received on a partner's behalf.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreditInput {
    pub organization_id: i64,
    /// In major units, such as `5000.00`; negative to give some back.
    pub amount: String,
    /// US dollars unless given.
    #[serde(default)]
    pub currency: Option<String>,
    /// `YYYY-MM-DD`; today unless given.
    #[serde(default)]
    pub received_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Record credits received on a partner's behalf; the partners' credits after.
#[utoipa::path(post, path = "/cloud/credits", security(("token" = ["manage-invoices"])), tag = "cloud", request_body = CreditInput,
    responses((status = 201, body = Vec<CreditView>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_credit(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<CreditInput>,
) -> Result<(StatusCode, Json<Vec<CreditView>>), ApiError> {
    let ctx = caller.ctx();
    let organization = OrganizationId::new(input.organization_id)
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))?;
    let currency = match input.currency.as_deref() {
        None => Currency::USD,
        Some(c) => Currency::parse(c).map_err(|e| AppError::invalid("currency", e.reason))?,
    };
    let amount =
        Money::parse(&input.amount, currency).map_err(|e| AppError::invalid("amount", e.reason))?;
    let on = match input.received_on.as_deref() {
        None => ctx.today(),
        Some(d) => {
            bearing_core::parse_date(d).map_err(|e| AppError::invalid("received_on", e.reason))?
        }
    };
    cloud::add_credit(
        &state.store,
        &ctx,
        organization,
        amount,
        on,
        input.note.as_deref(),
    )
    .await?;
    let list = cloud::view(&state.store, &ctx).await?.credits;
    Ok((
        StatusCode::CREATED,
        Json(list.into_iter().map(CreditView::from).collect()),
    ))
}
