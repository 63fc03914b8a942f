//! Usage: active users per community over time, and a page for each cluster with its fees,
//! whether its community gets value from it now, and where its usage is heading.

use crate::access::Rule::Signed;
use bearing_core::access::Permission::{EditCrm, Read};
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, usage};
use bearing_core::access::Permission;
use bearing_core::usage::UnitFields;
use bearing_core::{ClusterId, DealId, EntityKind, Month, OrganizationId};
use bearing_store::{UnitId, UnitKind};

use super::crm::{HistoryEntry, history_of};
use super::home::today;
use super::reports::transposed;
use super::{
    Cell, ChartPair, HtmlTable, Layout, PathId, Routes, answer, dollars, error_page, ok, render,
};
use crate::AppState;
use crate::auth::Caller;
use crate::charts::{self, Series};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/usage", Signed(Read), overview)
        .get("/usage/clusters/{id}", Signed(Read), cluster)
        .post("/usage/clusters/{id}", Signed(EditCrm), edit)
}

/// Months shown over time.
const MONTHS: usize = 24;
/// Communities drawn apart in the stacked chart; the rest are added up as "Other".
const COMMUNITIES: usize = 10;
/// The most communities the chart may show apart.
const MOST_COMMUNITIES: usize = 30;

/// The usage page's choices: how many communities the chart shows apart.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct UsageQuery {
    top: Option<usize>,
}

#[derive(Template)]
#[template(path = "usage.html")]
struct UsagePage {
    layout: Layout,
    intro: String,
    /// How many communities the chart shows apart.
    top: usize,
    pairs: Vec<ChartPair>,
    tables: Vec<HtmlTable>,
}

async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<UsageQuery>,
) -> Response {
    let top = q.top.unwrap_or(COMMUNITIES).clamp(1, MOST_COMMUNITIES);
    match overview_page(&state, &caller, top).await {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

async fn overview_page(
    state: &AppState,
    caller: &Caller,
    top: usize,
) -> Result<UsagePage, AppError> {
    let (_, assumptions) = bearing_app::assumptions::current(&state.store, today()).await?;
    let (by_org, mau, units) = tokio::try_join!(
        usage::by_organization(&state.store, &assumptions),
        usage::monthly_active_users(&state.store, &assumptions),
        async { Ok(state.store.list_units().await?) },
    )?;
    let Some(last) = by_org.keys().map(|(_, m)| *m).max() else {
        return Ok(UsagePage {
            layout: Layout::new("Usage", caller, "/usage"),
            intro: "No usage yet: import samples with `bearing import usage FILE.csv`, or pull them from Prometheus with `bearing usage pull`.".into(),
            top,
            pairs: Vec::new(),
            tables: Vec::new(),
        });
    };
    let months: Vec<Month> = (0..MONTHS as i32)
        .rev()
        .filter_map(|back| last.plus(-back))
        .collect();
    let labels: Vec<String> = months.iter().copied().map(super::month_text).collect();
    let org_names = super::crm::OrgNames::load(state).await?;
    // The largest communities (by their latest month) apart, the rest as one.
    let communities = usage::community_usage(&by_org, &months, top);
    let mut series: Vec<Series> = communities
        .top
        .iter()
        .map(|(org, values)| Series::new(org_names.name_of(org), values.clone()))
        .collect();
    if let Some((count, values)) = communities.rest {
        series.push(Series::new(format!("Other ({count})"), values));
    }
    let pair = ChartPair {
        title: "Active users per community".into(),
        svg: charts::stacked_bars(
            "Monthly active users per community",
            "Stacked bars of each month's active users, one colour per community; the table beside the chart has the numbers.",
            charts::Unit::Users,
            &labels,
            &series,
        ),
        caption: "A month's active users are each cluster's largest sample in the month, added up by the community that owns the cluster.".into(),
        table: transposed("Monthly active users per community", charts::Unit::Users, &labels, &series),
    };
    let owners: BTreeMap<i64, String> = state
        .snapshot()
        .await?
        .organizations()
        .await?
        .iter()
        .map(|o| {
            (
                o.id.get(),
                super::crm::organizations::display_name(&o.fields),
            )
        })
        .collect();
    let mut clusters = HtmlTable::new(
        format!(
            "Clusters: active users and fee in {}",
            super::month_text(last)
        ),
        &[
            "Cluster",
            "Community",
            "Provider",
            "Dedicated",
            "Hubs",
            "Active users",
            "Trend",
            "Fee",
        ],
    )
    .numeric_columns(&[4, 5, 7]);
    // The most used first.
    let mut shown: Vec<&bearing_store::UnitRecord> = units
        .iter()
        .filter(|u| u.kind() == UnitKind::Cluster)
        .collect();
    shown.sort_by_key(|u| {
        (
            std::cmp::Reverse(mau.get(&(u.name.clone(), last)).copied().unwrap_or(-1)),
            u.name.clone(),
        )
    });
    for unit in shown {
        let users = mau.get(&(unit.name.clone(), last)).copied();
        let by_month: BTreeMap<Month, i64> = mau
            .iter()
            .filter(|((cluster, _), _)| *cluster == unit.name)
            .map(|((_, month), users)| (*month, *users))
            .collect();
        // The month after the last one with samples is the one in progress.
        let trend = last
            .plus(1)
            .and_then(|current| bearing_core::usage::EngagementTrend::of(&by_month, current))
            .map_or("too new to tell", |t| t.word());
        let hubs = units
            .iter()
            .filter(|h| h.cluster_id.map(UnitId::Cluster) == Some(unit.id))
            .count();
        clusters.rows.push(vec![
            Cell::link(unit.name.clone(), format!("/usage/clusters/{}", unit.id)),
            match unit
                .fields
                .organization
                .and_then(|o| Some((o, owners.get(&o.get())?)))
            {
                Some((id, name)) => Cell::link(name.clone(), format!("/organizations/{id}")),
                None => Cell::default(),
            },
            Cell::text(unit.fields.provider.clone().unwrap_or_default()),
            Cell::text(dedicated(unit.fields.dedicated)),
            Cell::number(hubs.to_string()),
            Cell::number(users.map(|u| u.to_string()).unwrap_or_default()),
            Cell::text(trend),
            Cell::number(
                users
                    .map(|u| dollars(bearing_core::usage::fee(Some(u), &assumptions.usage_tiers)))
                    .unwrap_or_default(),
            ),
        ]);
    }
    Ok(UsagePage {
        layout: Layout::new("Usage", caller, "/usage"),
        top,
        intro: format!(
            "In {}: {} monthly active users on {} clusters, {} in usage fees.",
            super::month_text(last),
            bearing_core::forecast::thousands(communities.last_users as f64),
            units
                .iter()
                .filter(|u| u.kind() == UnitKind::Cluster)
                .count(),
            dollars(communities.last_fees)
        ),
        pairs: vec![pair],
        tables: vec![clusters],
    })
}

fn dedicated(d: Option<bool>) -> String {
    match d {
        Some(true) => "dedicated".into(),
        Some(false) => "shared".into(),
        None => String::new(),
    }
}

#[derive(Template)]
#[template(path = "cluster.html")]
struct ClusterPage {
    layout: Layout,
    id: i64,
    errors: Vec<String>,
    fields: Vec<(String, String)>,
    signal: String,
    engagement: String,
    pairs: Vec<ChartPair>,
    tables: Vec<HtmlTable>,
    can_edit: bool,
    form: ClusterForm,
    organizations: Vec<(String, String)>,
    history: Vec<HistoryEntry>,
}

/// The cluster form's fields, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct ClusterForm {
    provider: String,
    /// `dedicated`, `shared` or empty (unknown).
    dedicated: String,
    organization: String,
    deal: String,
    start: String,
    end: String,
}

impl ClusterForm {
    fn of(f: &UnitFields) -> Self {
        let day = super::day_or_empty;
        ClusterForm {
            provider: f.provider.clone().unwrap_or_default(),
            dedicated: dedicated(f.dedicated),
            organization: f.organization.map(|o| o.to_string()).unwrap_or_default(),
            deal: f.deal.map(|d| d.to_string()).unwrap_or_default(),
            start: day(f.start),
            end: day(f.end),
        }
    }

    fn fields(&self) -> Result<UnitFields, AppError> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let date = |field: &str, s: &str| {
            text(s)
                .map(|s| {
                    bearing_core::parse_date(&s)
                        .map_err(|e| AppError::invalid(field, e.to_string()))
                })
                .transpose()
        };
        Ok(UnitFields {
            provider: text(&self.provider),
            dedicated: match self.dedicated.as_str() {
                "dedicated" => Some(true),
                "shared" => Some(false),
                "" => None,
                other => {
                    return Err(AppError::invalid(
                        "dedicated",
                        format!("{other:?}: choose dedicated, shared or unknown"),
                    ));
                }
            },
            organization: text(&self.organization)
                .map(|o| {
                    o.parse::<OrganizationId>()
                        .map_err(|e| AppError::invalid("organization", e.to_string()))
                })
                .transpose()?,
            deal: text(&self.deal)
                .map(|d| {
                    d.parse::<DealId>()
                        .map_err(|e| AppError::invalid("deal", format!("{d:?}: {e}")))
                })
                .transpose()?,
            start: date("start", &self.start)?,
            end: date("end", &self.end)?,
        })
    }
}

fn cluster_id(raw: i64) -> Result<ClusterId, AppError> {
    ClusterId::new(raw).map_err(|_| AppError::NotFound(format!("no cluster with id {raw}")))
}

async fn cluster(State(state): State<AppState>, caller: Caller, PathId(raw): PathId) -> Response {
    cluster_page(&state, &caller, raw, StatusCode::OK, Vec::new(), None).await
}

async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    Form(form): Form<ClusterForm>,
) -> Response {
    let saved = async {
        let id = cluster_id(raw)?;
        usage::update_unit(
            &state.store,
            &caller.ctx(),
            UnitId::Cluster(id),
            form.fields()?,
        )
        .await
    }
    .await;
    answer(
        &caller,
        saved.map(|_| format!("/usage/clusters/{raw}")),
        "The cluster was not changed",
        |status, errors| cluster_page(&state, &caller, raw, status, errors, Some(form)),
    )
    .await
}

async fn cluster_page(
    state: &AppState,
    caller: &Caller,
    raw: i64,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<ClusterForm>,
) -> Response {
    let page = async {
        let id = cluster_id(raw)?;
        let (_, assumptions) = bearing_app::assumptions::current(&state.store, today()).await?;
        let view = usage::cluster_view(&state.store, &assumptions, id, today()).await?;
        let history =
            history_of(state, &caller.ctx(), EntityKind::Cluster, &raw.to_string()).await?;
        let organizations = state
            .snapshot()
            .await?
            .organizations()
            .await?
            .iter()
            .filter(|o| o.deleted_at.is_none())
            .map(|o| (o.id.to_string(), o.fields.name.to_string()))
            .collect();
        Ok(build_cluster_page(
            caller,
            view,
            errors,
            form,
            organizations,
            history,
        ))
    }
    .await;
    match page {
        Ok(page) => render(status, &page),
        Err(error) => error_page(caller, error),
    }
}

fn build_cluster_page(
    caller: &Caller,
    view: usage::ClusterView,
    errors: Vec<String>,
    form: Option<ClusterForm>,
    organizations: Vec<(String, String)>,
    history: Vec<HistoryEntry>,
) -> ClusterPage {
    let f = &view.cluster.fields;
    let day =
        |d: Option<bearing_core::Date>| d.map_or_else(|| "unknown".to_owned(), super::day_text);
    let fields = vec![
        (
            "Community".to_owned(),
            view.owner.clone().unwrap_or_else(|| "none recorded".into()),
        ),
        (
            "Provider".to_owned(),
            f.provider.clone().unwrap_or_else(|| "unknown".into()),
        ),
        (
            "Dedicated".to_owned(),
            match f.dedicated {
                Some(true) => "dedicated to one community".into(),
                Some(false) => "shared".into(),
                None => "unknown".into(),
            },
        ),
        (
            "Paid by deal".to_owned(),
            f.deal
                .map_or_else(|| "none recorded".to_owned(), |d| format!("deal {d}")),
        ),
        (
            "Runs".to_owned(),
            format!("from {} to {}", day(f.start), day(f.end)),
        ),
    ];
    let shown = view.latest_months(MONTHS);
    let months: Vec<String> = shown
        .iter()
        .map(|(m, _, _)| super::month_text(*m))
        .collect();
    let mau = Series::new(
        "Monthly active users",
        shown.iter().map(|(_, u, _)| *u as f64).collect(),
    );
    let mut history_table = HtmlTable::new(
        "Active users and fee by month",
        &["Month", "Active users", "Fee"],
    )
    .numeric_columns(&[1, 2]);
    for (month, users, fee) in shown.iter().rev() {
        history_table.rows.push(vec![
            Cell::when(super::month_text(*month)),
            Cell::number(users.to_string()),
            Cell::number(dollars(*fee)),
        ]);
    }
    let pair = ChartPair {
        title: "Active users over time".into(),
        svg: charts::line_chart(
            "Monthly active users",
            "Each month's active users, the largest sample of the month; the table beside the chart has the numbers and the fee.",
            charts::Unit::Users,
            &months,
            &[mau],
            None,
        ),
        caption: format!(
            "The fee follows the price tiers of the assumptions; in all, {} over these months.",
            dollars(view.fees_of_latest(MONTHS))
        ),
        table: history_table,
    };
    let mut ahead = HtmlTable::new(
        "Ahead by trend and season",
        &["Month", "Active users", "Fee"],
    )
    .numeric_columns(&[1, 2]);
    for (month, users, fee) in &view.ahead {
        ahead.rows.push(vec![
            Cell::when(super::month_text(*month)),
            Cell::number(format!("{users:.0}")),
            Cell::number(dollars(*fee)),
        ]);
    }
    let mut hubs = HtmlTable::new("Hubs on this cluster", &["Hub", "Provider", "Dedicated"]);
    for hub in &view.hubs {
        hubs.rows.push(vec![
            Cell::text(hub.name.clone()),
            Cell::text(hub.fields.provider.clone().unwrap_or_default()),
            Cell::text(dedicated(hub.fields.dedicated)),
        ]);
    }
    let mut tables = vec![ahead];
    if !view.hubs.is_empty() {
        tables.push(hubs);
    }
    ClusterPage {
        layout: Layout::new(format!("Cluster {}", view.cluster.name), caller, "/usage"),
        id: view.cluster.id.get(),
        errors,
        fields,
        signal: view.signal.describe(),
        engagement: view.engagement.map_or_else(
            || {
                "unknown: it needs a month in the last three and users in the twelve before"
                    .to_owned()
            },
            |e| e.describe(),
        ),
        pairs: vec![pair],
        tables,
        can_edit: caller.may(Permission::EditCrm),
        form: form.unwrap_or_else(|| ClusterForm::of(f)),
        organizations,
        history,
    }
}
