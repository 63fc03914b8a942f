//! The pipeline board, the deals table, a deal's page and its forms.

use crate::access::Rule::Signed;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
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
    Cell, Column, HtmlTable, Layout, Routes, dollars, encode_query, error_page, field,
    minor_dollars, ok, render, see_other,
};
use crate::AppState;
use crate::api::types::{DealInput, DealView, MoveInput};
use crate::auth::Caller;

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
const CARDS_PER_COLUMN: usize = 40;
/// Rows per page of the deals table.
const PAGE_SIZE: usize = 100;

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

#[derive(Debug, Clone)]
struct CardView {
    id: DealId,
    name: String,
    amount: String,
    probability: String,
    organization: String,
    close_date: String,
    owner: String,
}

#[derive(Debug, Clone)]
struct ColumnView {
    name: String,
    query: String,
    count: usize,
    amount: String,
    weighted: String,
    cards: Vec<CardView>,
    hidden: usize,
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct BoardPage {
    layout: Layout,
    pipelines: Vec<String>,
    pipeline: String,
    stage_names: Vec<String>,
    columns: Vec<ColumnView>,
    can_edit: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
struct BoardQuery {
    pipeline: Option<String>,
}

async fn board(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<BoardQuery>,
) -> Response {
    let (list, stages) = match load(&state, &DealFilter::default()).await {
        Ok(found) => found,
        Err(error) => return error_page(&caller, error),
    };
    let mut pipelines: Vec<String> = stages.iter().map(|s| s.pipeline.clone()).collect();
    pipelines.dedup();
    let pipeline = q
        .pipeline
        .filter(|p| pipelines.contains(p))
        .or_else(|| pipelines.first().cloned())
        .unwrap_or_default();
    let columns = stages
        .iter()
        .filter(|s| s.pipeline == pipeline && s.outcome == StageOutcome::Open && !s.retired)
        .map(|stage| {
            let mut in_stage: Vec<&Deal> = list
                .iter()
                .filter(|d| d.fields.pipeline == pipeline && d.fields.stage == stage.name)
                .collect();
            in_stage.sort_by(|a, b| {
                a.fields
                    .close_date
                    .cmp(&b.fields.close_date)
                    .then(a.id.cmp(&b.id))
            });
            let (count, amount, weighted) = deals::totals(in_stage.iter().copied());
            ColumnView {
                name: stage.name.clone(),
                query: encode_query(&stage.name),
                count,
                amount: dollars(amount),
                weighted: dollars(weighted),
                hidden: in_stage.len().saturating_sub(CARDS_PER_COLUMN),
                cards: in_stage
                    .into_iter()
                    .take(CARDS_PER_COLUMN)
                    .map(|d| CardView {
                        id: d.id,
                        name: d.fields.name.clone(),
                        amount: d
                            .fields
                            .amount_minor
                            .map_or_else(|| "no amount".to_owned(), |_| dollars(d.amount_major())),
                        probability: probability_text(d),
                        organization: d
                            .fields
                            .organization
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        close_date: d
                            .fields
                            .close_date
                            .map_or_else(|| "—".to_owned(), |c| c.to_string()),
                        owner: d.fields.owner.clone().unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect();
    ok(&BoardPage {
        layout: Layout::new("Pipeline", &caller, "/pipeline"),
        stage_names: stage_names(&stages, &pipeline),
        pipelines,
        pipeline,
        columns,
        can_edit: caller.may(Permission::EditCrm),
    })
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

/// The deals table's filters and sort, as in its query string.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct TableQuery {
    stage: Option<String>,
    #[serde(rename = "type")]
    revenue_type: Option<String>,
    owner: Option<String>,
    campaign: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    page: Option<usize>,
    format: Option<String>,
}

/// The filter as the form shows it back.
#[derive(Debug, Default)]
struct FilterView {
    stage: String,
    revenue_type: String,
    owner: String,
    campaign: String,
    from: String,
    to: String,
    sort: String,
}

impl TableQuery {
    fn filter(&self) -> Result<DealFilter, AppError> {
        let date = |name: &str, v: &Option<String>| {
            field(v)
                .map(|t| {
                    bearing_core::parse_date(&t).map_err(|e| AppError::invalid(name, e.to_string()))
                })
                .transpose()
        };
        Ok(DealFilter {
            stage: field(&self.stage),
            revenue_type: field(&self.revenue_type),
            owner: field(&self.owner),
            organization: None,
            campaign: field(&self.campaign),
            closes_from: date("closes from", &self.from)?,
            closes_to: date("closes to", &self.to)?,
            include_deleted: false,
        })
    }

    fn view(&self) -> FilterView {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        FilterView {
            stage: text(&self.stage),
            revenue_type: text(&self.revenue_type),
            owner: text(&self.owner),
            campaign: text(&self.campaign),
            from: text(&self.from),
            to: text(&self.to),
            sort: text(&self.sort),
        }
    }

    /// This query with another sort, page or format.
    fn href(&self, sort: Option<&str>, page: Option<usize>, format: Option<&str>) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", encode_query(v)));
            }
        };
        add("stage", self.stage.as_deref());
        add("type", self.revenue_type.as_deref());
        add("owner", self.owner.as_deref());
        add("campaign", self.campaign.as_deref());
        add("from", self.from.as_deref());
        add("to", self.to.as_deref());
        add("sort", sort.or(self.sort.as_deref()));
        add("page", page.map(|p| p.to_string()).as_deref());
        add("format", format);
        if parts.is_empty() {
            "/deals".to_owned()
        } else {
            format!("/deals?{}", parts.join("&"))
        }
    }
}

/// The sortable columns: key, label, numeric.
const SORTS: &[(&str, &str, bool)] = &[
    ("name", "Deal", false),
    ("organization", "Organization", false),
    ("stage", "Stage", false),
    ("amount", "Amount", true),
    ("probability", "Probability", true),
    ("close", "Close date", false),
    ("owner", "Owner", false),
];

fn sort(list: &mut [Deal], key: &str) {
    let descending = key.starts_with('-');
    let key = key.trim_start_matches('-');
    match key {
        "organization" => list.sort_by(|a, b| {
            a.fields
                .organization
                .as_ref()
                .map(ToString::to_string)
                .cmp(&b.fields.organization.as_ref().map(ToString::to_string))
        }),
        "stage" => list.sort_by(|a, b| a.fields.stage.cmp(&b.fields.stage)),
        "amount" => list.sort_by_key(|d| d.fields.amount_minor),
        "probability" => list.sort_by(|a, b| a.probability().total_cmp(&b.probability())),
        "close" => list.sort_by_key(|d| d.fields.close_date),
        "owner" => list.sort_by(|a, b| a.fields.owner.cmp(&b.fields.owner)),
        "name" => list.sort_by_key(|d| d.fields.name.to_lowercase()),
        _ => list.sort_by_key(|d| std::cmp::Reverse(d.id)),
    }
    if descending {
        list.reverse();
    }
}

#[derive(Template)]
#[template(path = "deals.html")]
struct TablePage {
    layout: Layout,
    filter: FilterView,
    stage_names: Vec<String>,
    total: usize,
    total_amount: String,
    csv_href: String,
    can_edit: bool,
    table: HtmlTable,
    page: usize,
    pages: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
}

async fn table(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TableQuery>,
) -> Response {
    let filter = match q.filter() {
        Ok(filter) => filter,
        Err(error) => return error_page(&caller, error),
    };
    let (mut list, stages) = match load(&state, &filter).await {
        Ok(found) => found,
        Err(error) => return error_page(&caller, error),
    };
    sort(&mut list, q.sort.as_deref().unwrap_or(""));
    if q.format.as_deref() == Some("csv") {
        let mut out = Vec::new();
        if let Err(error) = deals::table(&list).write(Format::Csv, &mut out) {
            return error_page(&caller, AppError::Internal(error.to_string()));
        }
        return (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"deals.csv\"",
                ),
            ],
            out,
        )
            .into_response();
    }
    let (_, total_amount, _) = deals::totals(&list);
    let pages = list.len().div_ceil(PAGE_SIZE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let current = q.sort.clone().unwrap_or_default();
    let mut html = HtmlTable::new(format!("Deals, page {page} of {pages}"), &[]);
    html.columns = SORTS
        .iter()
        .map(|(key, label, numeric)| {
            let next = if current == *key {
                format!("-{key}")
            } else {
                (*key).to_owned()
            };
            let marker = if current == *key {
                " ▲"
            } else if current == format!("-{key}") {
                " ▼"
            } else {
                ""
            };
            Column {
                label: format!("{label}{marker}"),
                numeric: *numeric,
                sort: Some(q.href(Some(&next), None, None)),
            }
        })
        .collect();
    html.rows = list
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|d| {
            vec![
                Cell::link(d.fields.name.clone(), format!("/deals/{}", d.id)),
                Cell::text(
                    d.fields
                        .organization
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                ),
                Cell::text(d.fields.stage.clone()),
                Cell::number(minor_dollars(d.fields.amount_minor)),
                Cell::number(probability_text(d)),
                Cell::text(
                    d.fields
                        .close_date
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ),
                Cell::text(d.fields.owner.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let mut stage_list: Vec<String> = stages
        .iter()
        .filter(|s| !s.retired)
        .map(|s| s.name.clone())
        .collect();
    stage_list.dedup();
    ok(&TablePage {
        layout: Layout::new("Deals", &caller, "/deals"),
        filter: q.view(),
        stage_names: stage_list,
        total: list.len(),
        total_amount: dollars(total_amount),
        csv_href: q.href(None, None, Some("csv")),
        can_edit: caller.may(Permission::EditCrm),
        table: html,
        page,
        pages,
        prev_href: (page > 1).then(|| q.href(None, Some(page - 1), None)),
        next_href: (page < pages).then(|| q.href(None, Some(page + 1), None)),
    })
}

#[derive(Debug)]
struct TimelineEvent {
    at: String,
    when: String,
    who: String,
    what: String,
}

#[derive(Template)]
#[template(path = "deal.html")]
struct DealPage {
    layout: Layout,
    errors: Vec<String>,
    id: DealId,
    name: String,
    deleted: bool,
    stage: String,
    stage_names: Vec<String>,
    fields: Vec<(&'static str, String)>,
    contributions: HtmlTable,
    timeline: Vec<TimelineEvent>,
    can_edit: bool,
}

fn deal_id(raw: i64) -> Result<DealId, AppError> {
    DealId::new(raw).map_err(|_| AppError::NotFound(format!("no deal with id {raw}")))
}

async fn deal_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    status: StatusCode,
    errors: Vec<String>,
    notice: Option<String>,
) -> Response {
    let id = match deal_id(id) {
        Ok(id) => id,
        Err(error) => return error_page(caller, error),
    };
    let deal = match async { state.snapshot().await?.deal(id).await }.await {
        Ok(deal) => deal,
        Err(error) => return error_page(caller, error),
    };
    let (history, stages, months) = match tokio::try_join!(
        deals::history(&state.store, Some(id), None, None),
        async { Ok(state.store.list_stages().await?) },
        forecast::deal_months(&state.store, &deal, super::home::today()),
    ) {
        Ok(found) => found,
        Err(error) => return error_page(caller, error),
    };
    let f = &deal.fields;
    let day = |d: Option<bearing_core::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let fields = vec![
        (
            "Organization",
            f.organization
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        ("Pipeline", f.pipeline.clone()),
        ("Stage", f.stage.clone()),
        ("Probability", probability_text(&deal)),
        (
            "Revenue type",
            f.revenue_type
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        ("Deal type", f.deal_type.to_string()),
        ("Amount", minor_dollars(f.amount_minor)),
        ("Collected", minor_dollars(f.collected_minor)),
        ("Currency", f.currency.to_string()),
        ("Close date", day(f.close_date)),
        ("Contract start", day(f.contract_start)),
        ("Contract end", day(f.contract_end)),
        ("Owner", f.owner.clone().unwrap_or_default()),
        ("Campaign", f.campaign.clone().unwrap_or_default()),
        ("Loss reason", f.loss_reason.clone().unwrap_or_default()),
        (
            "Renews deal",
            f.renews.map(|r| r.to_string()).unwrap_or_default(),
        ),
        (
            "CRM id",
            deal.external_ids.get("crm").cloned().unwrap_or_default(),
        ),
        ("Created", deal.created_at.clone()),
        ("Updated", deal.updated_at.clone()),
    ];
    let mut contributions = HtmlTable::new(
        "Expected revenue of this deal by month",
        &["Month", "Expected"],
    )
    .numeric_columns(&[1]);
    contributions.rows = months
        .iter()
        .map(|(m, v)| vec![Cell::text(m.to_string()), Cell::number(dollars(*v))])
        .collect();
    let mut timeline: Vec<TimelineEvent> = history
        .iter()
        .map(|h| TimelineEvent {
            at: h.at.clone(),
            when: h.at.get(..16).unwrap_or(&h.at).replace('T', " "),
            who: format!("{} ({})", h.actor, h.source),
            what: match (&h.old_value, &h.new_value) {
                (None, Some(new)) => format!("{} set to {new}", h.field),
                (Some(old), None) => format!("{} cleared (was {old})", h.field),
                (Some(old), Some(new)) => format!("{}: {old} → {new}", h.field),
                (None, None) => h.field.clone(),
            },
        })
        .collect();
    timeline.reverse();
    render(
        status,
        &DealPage {
            layout: Layout::new(deal.fields.name.clone(), caller, "/deals").with_notice(notice),
            errors,
            id,
            name: deal.fields.name.clone(),
            deleted: deal.deleted_at.is_some(),
            stage: deal.fields.stage.clone(),
            stage_names: stage_names(&stages, &deal.fields.pipeline),
            fields,
            contributions,
            timeline,
            can_edit: caller.may(Permission::EditCrm),
        },
    )
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some("created") => Some("The deal is created.".to_owned()),
        Some("saved") => Some("The deal is saved.".to_owned()),
        Some("moved") => Some("The deal is moved.".to_owned()),
        _ => None,
    };
    deal_page(&state, &caller, id, StatusCode::OK, Vec::new(), notice).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct MoveForm {
    stage: String,
    back: Option<String>,
    loss_reason: Option<String>,
    amount: Option<String>,
    contract_start: Option<String>,
    contract_end: Option<String>,
    close_date: Option<String>,
}

async fn move_to(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Response {
    let moved = async {
        let id = deal_id(raw)?;
        let currency = deals::get(&state.store, id).await?.fields.currency;
        let input = MoveInput {
            stage: form.stage.clone(),
            loss_reason: form.loss_reason.clone(),
            amount: form.amount.clone(),
            contract_start: form.contract_start.clone(),
            contract_end: form.contract_end.clone(),
            close_date: form.close_date.clone(),
        };
        let details = input.details(currency)?;
        deals::move_to(&state.store, &caller.ctx(), id, &form.stage, details).await
    }
    .await;
    match moved {
        Ok(deal) => match form.back.as_deref() {
            Some("/pipeline") => see_other("/pipeline"),
            _ => see_other(&format!("/deals/{}?done=moved", deal.id)),
        },
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let message = format!("The deal was not moved to {}: {error}", form.stage);
            deal_page(
                &state,
                &caller,
                raw,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![message],
                None,
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

/// The deal form's fields, as typed; a field left out is empty.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct DealForm {
    name: String,
    organization: String,
    pipeline: String,
    stage: String,
    probability: String,
    revenue_type: String,
    amount: String,
    amount_collected: String,
    currency: String,
    close_date: String,
    contract_start: String,
    contract_end: String,
    owner: String,
    campaign: String,
    loss_reason: String,
    renews: String,
}

impl DealForm {
    fn from_deal(deal: &Deal) -> Self {
        let v = DealView::from(deal.clone());
        let text = |o: Option<String>| o.unwrap_or_default();
        DealForm {
            name: v.name,
            organization: text(v.organization),
            pipeline: v.pipeline,
            stage: v.stage,
            probability: v
                .probability_override
                .map(|p| format!("{}", p * 100.0))
                .unwrap_or_default(),
            revenue_type: text(v.revenue_type),
            amount: text(v.amount),
            amount_collected: text(v.amount_collected),
            currency: v.currency,
            close_date: text(v.close_date),
            contract_start: text(v.contract_start),
            contract_end: text(v.contract_end),
            owner: text(v.owner),
            campaign: text(v.campaign),
            loss_reason: text(v.loss_reason),
            renews: v.renews.map(|r| r.to_string()).unwrap_or_default(),
        }
    }

    /// The edit this form makes: the fields it shows replaced, those it does not kept.
    fn patch(&self) -> Result<DealPatch, AppError> {
        let shown = DealPatch::replace(self.input()?.fields()?);
        Ok(DealPatch {
            forecast_category: Edit::Keep,
            deal_type: None,
            target_start: Edit::Keep,
            target_end: Edit::Keep,
            agreement: Edit::Keep,
            engagement: Edit::Keep,
            tracker: Edit::Keep,
            ..shown
        })
    }

    /// The API's input with this form's fields, the others left out.
    fn input(&self) -> Result<DealInput, AppError> {
        let opt = |v: &str| Some(v.trim()).filter(|t| !t.is_empty()).map(str::to_owned);
        let probability = opt(&self.probability)
            .map(|p| {
                p.trim_end_matches('%')
                    .trim()
                    .parse::<f64>()
                    .map(|p| p / 100.0)
                    .map_err(|_| {
                        AppError::invalid("probability", format!("{p:?} is not a percentage"))
                    })
            })
            .transpose()?;
        let renews = opt(&self.renews)
            .map(|r| {
                r.parse::<i64>()
                    .map_err(|_| AppError::invalid("renews", format!("{r:?} is not a deal id")))
            })
            .transpose()?;
        Ok(DealInput {
            name: self.name.trim().to_owned(),
            organization: opt(&self.organization),
            pipeline: opt(&self.pipeline),
            stage: self.stage.trim().to_owned(),
            probability,
            revenue_type: opt(&self.revenue_type),
            renews,
            currency: opt(&self.currency),
            amount: opt(&self.amount),
            amount_collected: opt(&self.amount_collected),
            close_date: opt(&self.close_date),
            contract_start: opt(&self.contract_start),
            contract_end: opt(&self.contract_end),
            owner: opt(&self.owner),
            campaign: opt(&self.campaign),
            loss_reason: opt(&self.loss_reason),
            ..DealInput::default()
        })
    }
}

#[derive(Template)]
#[template(path = "deal_form.html")]
struct FormPage {
    layout: Layout,
    errors: Vec<String>,
    action: String,
    cancel: String,
    form: DealForm,
    stage_names: Vec<String>,
    organizations: Vec<String>,
}

#[allow(clippy::too_many_arguments)] // One page, shown in four situations.
async fn form_page(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    title: &str,
    action: String,
    cancel: String,
    form: DealForm,
    errors: Vec<String>,
) -> Response {
    let found = tokio::try_join!(
        async { Ok::<_, AppError>(state.store.list_stages().await?) },
        async { state.snapshot().await?.organizations().await }
    );
    let (stages, organizations) = match found {
        Ok(found) => found,
        Err(error) => return error_page(caller, error),
    };
    let pipeline = if form.pipeline.is_empty() {
        bearing_formats::crm::DEFAULT_PIPELINE
    } else {
        &form.pipeline
    };
    render(
        status,
        &FormPage {
            layout: Layout::new(title, caller, "/deals"),
            errors,
            action,
            cancel,
            stage_names: stage_names(&stages, pipeline),
            organizations: organizations
                .iter()
                .map(|o| o.fields.name.to_string())
                .collect(),
            form,
        },
    )
}

async fn new_form(State(state): State<AppState>, caller: Caller) -> Response {
    let form = DealForm {
        pipeline: bearing_formats::crm::DEFAULT_PIPELINE.to_owned(),
        currency: Currency::USD.to_string(),
        owner: caller.user.name.clone(),
        ..DealForm::default()
    };
    form_page(
        &state,
        &caller,
        StatusCode::OK,
        "New deal",
        "/deals".into(),
        "/deals".into(),
        form,
        Vec::new(),
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<DealForm>,
) -> Response {
    let created = async {
        let fields = form.input()?.fields()?;
        deals::create(&state.store, &caller.ctx(), fields).await
    }
    .await;
    match created {
        Ok(deal) => see_other(&format!("/deals/{}?done=created", deal.id)),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::NotFound(_))) => {
            form_page(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                "New deal",
                "/deals".into(),
                "/deals".into(),
                form,
                vec![error.to_string()],
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Response {
    let deal = match async { state.snapshot().await?.deal(deal_id(raw)?).await }.await {
        Ok(deal) => deal,
        Err(error) => return error_page(&caller, error),
    };
    let title = format!("Edit {}", deal.fields.name);
    form_page(
        &state,
        &caller,
        StatusCode::OK,
        &title,
        format!("/deals/{raw}"),
        format!("/deals/{raw}"),
        DealForm::from_deal(&deal),
        Vec::new(),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Form(form): Form<DealForm>,
) -> Response {
    let saved = async {
        let id = deal_id(raw)?;
        deals::patch(&state.store, &caller.ctx(), id, form.patch()?).await
    }
    .await;
    match saved {
        Ok(deal) => see_other(&format!("/deals/{}?done=saved", deal.id)),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let title = format!("Edit {}", form.name);
            form_page(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                &title,
                format!("/deals/{raw}"),
                format!("/deals/{raw}"),
                form,
                vec![error.to_string()],
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}
