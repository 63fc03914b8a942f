//! Organizations: the list with search, filters and sorting, the account view of each, and the
//! forms that create, edit, delete and restore one.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::deals::{self, Deal};
use bearing_app::{AppError, organizations};
use bearing_core::access::Permission::{self, EditCrm, Read};
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::pipeline::StageOutcome;
use bearing_core::{EntityKind, OrganizationId};
use bearing_store::{OrganizationRecord, UnitId, UnitKind};

use super::{HistoryEntry, history_of};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;
use crate::charts::{self, Series};
use crate::pages::home::today;
use crate::pages::{
    Cell, ChartPair, Column, HtmlTable, Layout, PathId, Routes, answer, day_or_empty, dollars,
    encode_query, error_page, field, money_text, month_text, render,
};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/organizations", Signed(Read), list)
        .post("/organizations", Signed(EditCrm), create)
        .get("/organizations/{id}", Signed(Read), show)
        .post("/organizations/{id}", Signed(EditCrm), edit)
        .post("/organizations/{id}/delete", Signed(EditCrm), delete)
        .post("/organizations/{id}/restore", Signed(EditCrm), restore)
        .post("/organizations/{id}/aliases", Signed(EditCrm), alias)
}

/// Organizations by their key, for pages that name them: the name people read (the long
/// name when there is one) and the address of the organization's page.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgNames(HashMap<String, (i64, String)>);

impl OrgNames {
    pub(crate) fn new(list: &[OrganizationRecord]) -> Self {
        OrgNames(
            list.iter()
                .map(|o| {
                    (
                        o.fields.name.to_string(),
                        (o.id.get(), display_name(&o.fields)),
                    )
                })
                .collect(),
        )
    }

    /// The organizations of the snapshot.
    pub(crate) async fn load(state: &AppState) -> Result<Self, AppError> {
        Ok(Self::new(&state.snapshot().await?.organizations().await?))
    }

    /// The name people read for the organization `key`.
    pub(crate) fn name(&self, key: &OrganizationName) -> String {
        self.name_of(key.as_str())
    }

    /// The name people read for the organization keyed `key`; the text itself when no
    /// organization has it.
    pub(crate) fn name_of(&self, key: &str) -> String {
        self.0
            .get(key)
            .map_or_else(|| key.to_owned(), |(_, name)| name.clone())
    }

    /// A cell naming the organization and linking to its page; empty when there is none.
    pub(crate) fn cell(&self, key: Option<&OrganizationName>) -> Cell {
        match key {
            None => Cell::default(),
            Some(key) => match self.0.get(key.as_str()) {
                Some((id, name)) => Cell::link(name.clone(), format!("/organizations/{id}")),
                None => Cell::text(key.to_string()),
            },
        }
    }
}

/// The name people read: the long name when there is one, the key otherwise.
pub(crate) fn display_name(fields: &OrganizationFields) -> String {
    fields
        .long_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| fields.name.to_string())
}

/// The organization form's fields, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct OrganizationForm {
    name: String,
    long_name: String,
    kind: String,
    website: String,
    github_org: String,
    tags: String,
    notes: String,
}

impl OrganizationForm {
    fn of(f: &OrganizationFields) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        OrganizationForm {
            name: f.name.to_string(),
            long_name: text(&f.long_name),
            kind: f.kind.to_string(),
            website: text(&f.website),
            github_org: text(&f.github_org),
            tags: f.tags.join(", "),
            notes: text(&f.notes),
        }
    }

    /// The fields, or every problem of the form at once, each named by its field.
    fn fields(&self) -> Result<OrganizationFields, AppError> {
        let mut problems = Vec::new();
        let name = OrganizationName::parse(self.name.trim()).map_err(|e| {
            problems.push(format!(
                "key: {} (one word such as lakeshore-climate, used in addresses and imports)",
                e.reason
            ));
        });
        let kind = self.kind.trim().parse::<OrganizationKind>().map_err(|e| {
            problems.push(format!("kind: {e}"));
        });
        match (name, kind) {
            (Ok(name), Ok(kind)) if problems.is_empty() => Ok(OrganizationFields {
                name,
                long_name: field(&Some(self.long_name.clone())),
                kind,
                website: field(&Some(self.website.clone())),
                github_org: field(&Some(self.github_org.clone())),
                notes: field(&Some(self.notes.clone())),
                tags: self
                    .tags
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
            }),
            _ => Err(AppError::invalid("organization", problems.join("; "))),
        }
    }
}

/// The list's search, filters and order.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ListQuery {
    q: String,
    kind: String,
    tag: String,
    sort: String,
    deleted: String,
}

#[derive(Template)]
#[template(path = "organizations.html")]
struct ListPage {
    layout: Layout,
    query: ListQuery,
    kinds: Vec<String>,
    tags: Vec<String>,
    table: HtmlTable,
    count: String,
    errors: Vec<String>,
    can_edit: bool,
    form: OrganizationForm,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Response {
    list_page(&state, &caller, q, StatusCode::OK, Vec::new(), None).await
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    q: ListQuery,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<OrganizationForm>,
) -> Response {
    let page = async {
        let all: Vec<OrganizationRecord> = if q.deleted == "1" {
            state.store.list_organizations(true).await?
        } else {
            state.snapshot().await?.organizations().await?.to_vec()
        };
        let mut tags: Vec<String> = all.iter().flat_map(|o| o.fields.tags.clone()).collect();
        tags.sort();
        tags.dedup();
        let needle = q.q.trim().to_lowercase();
        let mut shown: Vec<&OrganizationRecord> = all
            .iter()
            .filter(|o| {
                needle.is_empty()
                    || display_name(&o.fields).to_lowercase().contains(&needle)
                    || o.fields.name.as_str().contains(&needle)
                    || o.fields
                        .website
                        .as_deref()
                        .is_some_and(|w| w.to_lowercase().contains(&needle))
            })
            .filter(|o| q.kind.is_empty() || o.fields.kind.to_string() == q.kind)
            .filter(|o| q.tag.is_empty() || o.fields.tags.contains(&q.tag))
            .collect();
        let descending = q.sort.starts_with('-');
        match q.sort.trim_start_matches('-') {
            "kind" => shown.sort_by(|a, b| {
                (
                    a.fields.kind.to_string(),
                    display_name(&a.fields).to_lowercase(),
                )
                    .cmp(&(
                        b.fields.kind.to_string(),
                        display_name(&b.fields).to_lowercase(),
                    ))
            }),
            "added" => shown.sort_by_key(|o| o.created_at),
            _ => shown.sort_by_key(|o| display_name(&o.fields).to_lowercase()),
        }
        if descending {
            shown.reverse();
        }
        let mut table = HtmlTable::new("Organizations", &[]);
        let sort_link = |key: &str| {
            let next = if q.sort == key {
                format!("-{key}")
            } else {
                key.to_owned()
            };
            format!(
                "/organizations?q={}&kind={}&tag={}&deleted={}&sort={next}",
                encode_query(&q.q),
                encode_query(&q.kind),
                encode_query(&q.tag),
                encode_query(&q.deleted)
            )
        };
        table.columns = vec![
            Column {
                label: "Name".into(),
                numeric: false,
                sort: Some(sort_link("name")),
            },
            Column {
                label: "Kind".into(),
                numeric: false,
                sort: Some(sort_link("kind")),
            },
            Column {
                label: "Tags".into(),
                numeric: false,
                sort: None,
            },
            Column {
                label: "Website".into(),
                numeric: false,
                sort: None,
            },
            Column {
                label: "Added".into(),
                numeric: false,
                sort: Some(sort_link("added")),
            },
        ];
        table.rows = shown
            .iter()
            .map(|o| {
                let name = display_name(&o.fields);
                vec![
                    Cell::link(
                        if o.deleted_at.is_some() {
                            format!("{name} (deleted)")
                        } else {
                            name
                        },
                        format!("/organizations/{}", o.id),
                    ),
                    Cell::text(o.fields.kind.to_string()),
                    Cell::text(o.fields.tags.join(", ")),
                    Cell::text(o.fields.website.clone().unwrap_or_default()),
                    Cell::when(crate::pages::day_text(
                        o.created_at.to_zoned(jiff::tz::TimeZone::UTC).date(),
                    )),
                ]
            })
            .collect();
        let count = format!("{} of {} organizations", shown.len(), all.len());
        Ok::<_, AppError>(ListPage {
            layout: Layout::new("Organizations", caller, "/organizations"),
            kinds: OrganizationKind::ALL
                .iter()
                .map(ToString::to_string)
                .collect(),
            tags,
            table,
            count,
            errors,
            can_edit: caller.may(Permission::EditCrm),
            form: form.unwrap_or_else(|| OrganizationForm {
                kind: "community".into(),
                ..OrganizationForm::default()
            }),
            query: q,
        })
    }
    .await;
    match page {
        Ok(page) => render(status, &page),
        Err(error) => error_page(caller, error),
    }
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<OrganizationForm>,
) -> Response {
    let saved = async {
        let created = organizations::create(&state.store, &caller.ctx(), form.fields()?).await?;
        Ok(format!("/organizations/{}?done=created", created.id))
    }
    .await;
    answer(
        &caller,
        saved,
        "The organization was not added",
        |status, errors| {
            list_page(
                &state,
                &caller,
                ListQuery::default(),
                status,
                errors,
                Some(form),
            )
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "organization.html")]
struct AccountPage {
    layout: Layout,
    id: i64,
    deleted: bool,
    fields: Vec<(String, String)>,
    /// Open, won and lost deals: count, amount and weighted amount.
    summary: Vec<(String, String)>,
    tables: Vec<HtmlTable>,
    /// The revenue it brings each month, as a chart and a table.
    revenue: ChartPair,
    errors: Vec<String>,
    can_edit: bool,
    form: OrganizationForm,
    kinds: Vec<String>,
    history: Vec<HistoryEntry>,
    /// The names the sponsor's books use for it.
    aliases: Vec<String>,
    /// Its months of recoverable cloud costs and the credits held for it, for those who see
    /// cash and when it has any.
    cloud: Option<(HtmlTable, HtmlTable)>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

/// The revenue of `months` as stacked bars (contracts and usage fees) and a table, newest
/// month first.
fn revenue_pair(name: &str, months: &[organizations::RevenueMonth]) -> ChartPair {
    let labels: Vec<String> = months.iter().map(|m| month_text(m.month)).collect();
    let series = vec![
        Series::new("Contracts", months.iter().map(|m| m.contracts).collect()),
        Series::new("Usage fees", months.iter().map(|m| m.usage_fee).collect()),
    ];
    let mut table = HtmlTable::new(
        format!("Revenue from {name} by month"),
        &["Month", "Contracts", "Active users", "Usage fee", "Total"],
    )
    .numeric_columns(&[1, 2, 3, 4]);
    table.rows = months
        .iter()
        .rev()
        .map(|m| {
            vec![
                Cell::when(month_text(m.month)),
                Cell::number(dollars(m.contracts)),
                Cell::number(bearing_core::forecast::thousands(m.users as f64)),
                Cell::number(dollars(m.usage_fee)),
                Cell::number(dollars(m.total())),
            ]
        })
        .collect();
    ChartPair {
        title: "Revenue each month".into(),
        svg: charts::stacked_bars(
            &format!("Revenue from {name} each month"),
            "Stacked bars, one per month for the last twelve months: the organization's won contracts spread evenly over their terms, and the usage fees of its clusters; the table beside it gives each month's figures.",
            charts::Unit::Dollars,
            &labels,
            &series,
        ),
        caption: "Contracts count as CMRR does: each won deal's amount spread evenly over the months of its term. Usage fees price each cluster's active users with the usage tiers.".into(),
        table,
    }
}

fn organization_id(raw: i64) -> Result<OrganizationId, AppError> {
    OrganizationId::new(raw)
        .map_err(|_| AppError::NotFound(format!("no organization with id {raw}")))
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    Query(q): Query<ShowQuery>,
) -> Response {
    // The notice is one of the page's own sentences, never the address's text.
    let notice = match q.done.as_deref() {
        Some(done @ ("created" | "saved" | "deleted" | "restored")) => {
            Some(format!("The organization was {done}."))
        }
        Some("aliases") => Some("Its names in the sponsor's books were saved.".to_owned()),
        _ => None,
    };
    account_page(
        &state,
        &caller,
        raw,
        StatusCode::OK,
        Vec::new(),
        None,
        notice,
    )
    .await
}

/// An organization's account view: who to talk to, what it has bought and may buy, what it
/// runs and uses, and what changed.
async fn account_page(
    state: &AppState,
    caller: &Caller,
    raw: i64,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<OrganizationForm>,
    notice: Option<String>,
) -> Response {
    let page = async {
        let id = organization_id(raw)?;
        let org = state.store.get_organization(id).await?;
        let key = org.fields.name.clone();
        let name = display_name(&org.fields);
        let snapshot = state.snapshot().await?;
        let ctx = caller.ctx();
        let history_key = raw.to_string();
        let (all_deals, all_contacts, history) = tokio::try_join!(
            snapshot.deals(),
            snapshot.contacts(),
            history_of(state, &ctx, EntityKind::Organization, &history_key),
        )?;
        let theirs: Vec<&Deal> = all_deals
            .iter()
            .filter(|d| d.fields.organization.as_ref() == Some(&key))
            .collect();
        let today = today();

        let mut contacts =
            HtmlTable::new(format!("Contacts at {name}"), &["Name", "Label", "Email"]);
        for c in all_contacts.iter() {
            for (_, label) in c.fields.organizations.iter().filter(|(o, _)| *o == key) {
                contacts.rows.push(vec![
                    Cell::link(c.fields.name.clone(), format!("/contacts/{}", c.id)),
                    Cell::text(label.to_string().replace('-', " ")),
                    Cell::text(c.fields.email.clone().unwrap_or_default()),
                ]);
            }
        }

        let by_outcome = |outcome: StageOutcome| -> Vec<&Deal> {
            theirs
                .iter()
                .copied()
                .filter(|d| d.stage_outcome == outcome)
                .collect()
        };
        let mut summary = Vec::new();
        let mut tables = vec![contacts];
        for (outcome, title) in [
            (StageOutcome::Open, "Open deals"),
            (StageOutcome::Won, "Won deals"),
            (StageOutcome::Lost, "Lost deals"),
        ] {
            let list = by_outcome(outcome);
            let (n, amount, weighted) = deals::totals(list.iter().copied());
            summary.push((
                title.to_owned(),
                if outcome == StageOutcome::Open {
                    format!("{n}: {} ({} weighted)", dollars(amount), dollars(weighted))
                } else {
                    format!("{n}: {}", dollars(amount))
                },
            ));
            let mut table = HtmlTable::new(
                format!("{title} of {name}"),
                &["Deal", "Stage", "Amount", "Close date", "Contract", "Owner"],
            )
            .numeric_columns(&[2]);
            table.rows = list
                .iter()
                .map(|d| {
                    vec![
                        Cell::link(d.fields.name.clone(), format!("/deals/{}", d.id)),
                        Cell::text(d.fields.stage.clone()),
                        Cell::number(money_text(d.fields.amount_minor, d.fields.currency)),
                        Cell::when(day_or_empty(d.fields.close_date)),
                        Cell::when(match (d.fields.contract_start, d.fields.contract_end) {
                            (Some(s), Some(e)) => format!(
                                "{} – {}",
                                crate::pages::day_text(s),
                                crate::pages::day_text(e)
                            ),
                            _ => String::new(),
                        }),
                        Cell::text(d.fields.owner.clone().unwrap_or_default()),
                    ]
                })
                .collect();
            tables.push(table);
        }

        // Contracts in force and when to start their renewal (60 days before the end).
        let renewed: std::collections::HashSet<_> =
            all_deals.iter().filter_map(|d| d.fields.renews).collect();
        let mut contracts = HtmlTable::new(
            format!("Contracts of {name} in force"),
            &["Deal", "Ends", "Renewal due", "Renewal", "Amount"],
        )
        .numeric_columns(&[4]);
        for d in by_outcome(StageOutcome::Won) {
            let (Some(start), Some(end)) = (d.fields.contract_start, d.fields.contract_end) else {
                continue;
            };
            if start > today || end < today {
                continue;
            }
            let renewal = all_deals.iter().find(|r| r.fields.renews == Some(d.id));
            contracts.rows.push(vec![
                Cell::link(d.fields.name.clone(), format!("/deals/{}", d.id)),
                Cell::when(crate::pages::day_text(end)),
                Cell::when(day_or_empty(bearing_core::deal::renewal_due(end))),
                match renewal {
                    Some(r) => Cell::link(r.fields.stage.clone(), format!("/deals/{}", r.id)),
                    None if renewed.contains(&d.id) => Cell::text("renewed"),
                    None => Cell::text("none yet"),
                },
                Cell::number(money_text(d.fields.amount_minor, d.fields.currency)),
            ]);
        }
        tables.insert(1, contracts);

        // What it runs, and the revenue it brings each month.
        let (_, assumptions) = bearing_app::assumptions::current(&state.store, today).await?;
        let units = state.store.list_units().await?;
        let mut clusters = HtmlTable::new(
            format!("Clusters and hubs of {name}"),
            &["Cluster or hub", "Kind", "Provider", "Dedicated", "Since"],
        );
        let mut cluster_ids = Vec::new();
        for unit in units.iter().filter(|u| u.fields.organization == Some(id)) {
            if let UnitId::Cluster(cluster) = unit.id {
                cluster_ids.push(cluster);
            }
            clusters.rows.push(vec![
                if unit.kind() == UnitKind::Cluster {
                    Cell::link(unit.name.clone(), format!("/usage/clusters/{}", unit.id))
                } else {
                    Cell::text(unit.name.clone())
                },
                Cell::text(match unit.kind() {
                    UnitKind::Cluster => "cluster",
                    UnitKind::Hub => "hub",
                }),
                Cell::text(unit.fields.provider.clone().unwrap_or_default()),
                Cell::text(match unit.fields.dedicated {
                    Some(true) => "dedicated",
                    Some(false) => "shared",
                    None => "",
                }),
                Cell::when(day_or_empty(unit.fields.start)),
            ]);
        }
        let months = organizations::revenue_by_month(
            &state.store,
            &assumptions,
            &theirs,
            &cluster_ids,
            bearing_core::Month::of(today),
        )
        .await?;
        if let Some(now) = months.last() {
            summary.push((
                "Revenue this month".to_owned(),
                format!(
                    "{} ({} contracts, {} usage)",
                    dollars(now.total()),
                    dollars(now.contracts),
                    dollars(now.usage_fee)
                ),
            ));
        }
        tables.push(clusters);
        // What it was billed and still owes: cash, for those who see it.
        if ctx.may(Permission::ReadCash) {
            let filter = bearing_app::invoices::Filter {
                organization: Some(id),
                ..Default::default()
            };
            let billed = bearing_app::invoices::list(&state.store, &ctx, &filter).await?;
            if !billed.is_empty() {
                let owed: Vec<String> = bearing_app::invoices::owed(&billed)
                    .iter()
                    .map(bearing_core::Money::text)
                    .collect();
                summary.push((
                    "Owed on its invoices".to_owned(),
                    if owed.is_empty() {
                        "nothing".to_owned()
                    } else {
                        owed.join(" and ")
                    },
                ));
                tables.push(crate::pages::invoices::table(
                    format!("Invoices to {name}"),
                    &billed,
                    crate::pages::invoices::Within::Organization,
                ));
            }
        }
        let revenue = revenue_pair(&name, &months);
        // Its cloud costs and what is left to recover: cash too.
        let mut cloud = None;
        if ctx.may(Permission::ReadCash) {
            let theirs = bearing_app::cloud::view(&state.store, &ctx)
                .await?
                .of_organization(id);
            if !theirs.recovery.is_empty() || !theirs.credits.is_empty() {
                let unrecovered: Vec<String> = theirs
                    .unrecovered
                    .iter()
                    .map(bearing_core::Money::text)
                    .collect();
                summary.push((
                    "Cloud costs not recovered".to_owned(),
                    unrecovered.join(" and "),
                ));
                let rows: Vec<&bearing_app::cloud::Recovery> = theirs.recovery.iter().collect();
                cloud = Some((
                    crate::pages::cloud::recovery_table(
                        &format!("Recoverable cloud costs of {name} by month"),
                        &rows,
                    ),
                    crate::pages::cloud::credits_table(&theirs.credits),
                ));
            }
        }

        let aliases = bearing_app::ledger::aliases(&state.store, &ctx, org.id)
            .await?
            .into_iter()
            .map(|a| a.alias)
            .collect();
        let f = &org.fields;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Ok::<_, AppError>(AccountPage {
            layout: Layout::new(name.clone(), caller, "/organizations").with_notice(notice),
            id: raw,
            deleted: org.deleted_at.is_some(),
            fields: vec![
                ("Key".into(), key.to_string()),
                ("Kind".into(), f.kind.to_string()),
                ("Website".into(), text(&f.website)),
                ("GitHub".into(), text(&f.github_org)),
                ("Tags".into(), f.tags.join(", ")),
                ("Notes".into(), text(&f.notes)),
            ],
            summary,
            tables,
            revenue,
            errors,
            can_edit: caller.may(Permission::EditCrm),
            form: form.unwrap_or_else(|| OrganizationForm::of(f)),
            kinds: OrganizationKind::ALL
                .iter()
                .map(ToString::to_string)
                .collect(),
            history,
            aliases,
            cloud,
        })
    }
    .await;
    match page {
        Ok(page) => render(status, &page),
        Err(error) => error_page(caller, error),
    }
}

async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    Form(form): Form<OrganizationForm>,
) -> Response {
    let saved = async {
        let id = organization_id(raw)?;
        organizations::update(&state.store, &caller.ctx(), id, form.fields()?).await?;
        Ok(format!("/organizations/{raw}?done=saved"))
    }
    .await;
    answer(
        &caller,
        saved,
        "The organization was not saved",
        |status, errors| account_page(&state, &caller, raw, status, errors, Some(form), None),
    )
    .await
}

/// The alias form: a name to `add`, or one to `remove`.
#[derive(Debug, Default, serde::Deserialize)]
struct AliasForm {
    add: Option<String>,
    remove: Option<String>,
}

async fn alias(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    Form(form): Form<AliasForm>,
) -> Response {
    let saved = async {
        let id = organization_id(raw)?;
        let ctx = caller.ctx();
        match (&form.add, &form.remove) {
            (Some(name), None) => {
                bearing_app::ledger::add_alias(&state.store, &ctx, id, name).await?;
            }
            (None, Some(name)) => {
                bearing_app::ledger::remove_alias(&state.store, &ctx, id, name).await?;
            }
            _ => {
                return Err(AppError::invalid(
                    "alias",
                    "name one alias to add or one to remove",
                ));
            }
        }
        Ok(format!("/organizations/{raw}?done=aliases#aliases-h"))
    }
    .await;
    answer(
        &caller,
        saved,
        "The names in the sponsor's books were not saved",
        |status, errors| account_page(&state, &caller, raw, status, errors, None, None),
    )
    .await
}

async fn delete(State(state): State<AppState>, caller: Caller, PathId(raw): PathId) -> Response {
    let result =
        async { organizations::delete(&state.store, &caller.ctx(), organization_id(raw)?).await }
            .await;
    super::done(&caller, result, &format!("/organizations/{raw}"), "deleted")
}

async fn restore(State(state): State<AppState>, caller: Caller, PathId(raw): PathId) -> Response {
    let result =
        async { organizations::restore(&state.store, &caller.ctx(), organization_id(raw)?).await }
            .await;
    super::done(
        &caller,
        result,
        &format!("/organizations/{raw}"),
        "restored",
    )
}
