//! Organizations and contacts: lists, and a page for each with its deals and history.

use crate::access::Rule::Signed;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use bearing_app::deals::DealFilter;
use bearing_app::{AppError, contacts, history, organizations};
use bearing_core::access::Permission::Read;
use bearing_core::{ContactId, EntityKind, OrganizationId};
use bearing_formats::Table;

use super::{Cell, HtmlTable, Layout, PathId, Routes, TablePage, error_page, ok};
use crate::AppState;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/organizations", Signed(Read), organization_list)
        .get("/organizations/{id}", Signed(Read), organization)
        .get("/contacts", Signed(Read), contact_list)
        .get("/contacts/{id}", Signed(Read), contact)
}

/// One entry of a record's history.
#[derive(Debug)]
pub(crate) struct HistoryEntry {
    pub at: jiff::Timestamp,
    pub when: String,
    pub who: String,
    pub what: String,
}

/// The audit rows of a record, newest first, each with the fields it changed as people read
/// them.
pub(crate) fn timeline(
    records: &[bearing_store::AuditRecord],
    names: &history::Names,
) -> Vec<HistoryEntry> {
    records
        .iter()
        .rev()
        .map(|r| HistoryEntry {
            at: r.at,
            when: super::minute(r.at),
            who: format!("{} ({})", r.actor, r.source),
            what: {
                let changes = changes_text(r, names);
                let action = r.action;
                if changes.is_empty() {
                    format!("{action}d")
                } else {
                    format!("{action}d: {changes}")
                }
            },
        })
        .collect()
}

/// A recorded change in words: `stage: Lead → Won; amount: $1,000 → $2,000`.
pub(crate) fn changes_text(record: &bearing_store::AuditRecord, names: &history::Names) -> String {
    history::described(record, names)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A list table whose name column links to each record's page.
fn linked(caption: &str, table: &Table, prefix: &str) -> HtmlTable {
    let mut html = HtmlTable::from_table(caption, table);
    for row in &mut html.rows {
        let id = row.first().map(|c| c.text.clone()).unwrap_or_default();
        if let Some(name) = row.get_mut(1) {
            *name = Cell::link(name.text.clone(), format!("{prefix}/{id}"));
        }
    }
    html
}

#[derive(Template)]
#[template(path = "record.html")]
pub(crate) struct RecordPage {
    pub layout: Layout,
    pub fields: Vec<(String, String)>,
    pub tables: Vec<HtmlTable>,
    pub history: Vec<HistoryEntry>,
}

async fn organization_list(State(state): State<AppState>, caller: Caller) -> Response {
    match async { state.snapshot().await?.organizations().await }.await {
        Ok(list) => ok(&TablePage {
            layout: Layout::new("Organizations", &caller, "/organizations"),
            intro: format!("{} organizations.", list.len()),
            tables: vec![linked(
                "Organizations",
                &organizations::table(&list),
                "/organizations",
            )],
        }),
        Err(error) => error_page(&caller, error),
    }
}

/// The history of a record; a record without one has an empty timeline.
pub(crate) async fn history_of(
    state: &AppState,
    ctx: &bearing_app::Context,
    kind: EntityKind,
    id: &str,
) -> Result<Vec<HistoryEntry>, AppError> {
    match history::of(&state.store, ctx, kind, id).await {
        Ok(records) => Ok(timeline(
            &records,
            &history::Names::of(&state.store, &records).await?,
        )),
        Err(AppError::NotFound(_)) => Ok(Vec::new()),
        Err(error) => Err(error),
    }
}

async fn organization(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
) -> Response {
    let page = async {
        let id = OrganizationId::new(raw)
            .map_err(|_| AppError::NotFound(format!("no organization with id {raw}")))?;
        let org = state.store.get_organization(id).await?;
        let name = org.fields.name.clone();
        let filter = DealFilter {
            organization: Some(name.to_string()),
            ..DealFilter::default()
        };
        let key = raw.to_string();
        let snapshot = state.snapshot().await?;
        let ctx = caller.ctx();
        let (deal_list, all_contacts, history) = tokio::try_join!(
            snapshot.deals_matching(&filter),
            snapshot.contacts(),
            history_of(&state, &ctx, EntityKind::Organization, &key),
        )?;
        let contact_list: Vec<contacts::Contact> = all_contacts
            .iter()
            .filter(|c| c.fields.organizations.iter().any(|(o, _)| *o == name))
            .cloned()
            .collect();
        let mut deal_table = HtmlTable::new(
            format!("Deals of {name}"),
            &["Deal", "Stage", "Amount", "Close date"],
        )
        .numeric_columns(&[2]);
        deal_table.rows = deal_list
            .iter()
            .map(|d| {
                vec![
                    Cell::link(d.fields.name.clone(), format!("/deals/{}", d.id)),
                    Cell::text(d.fields.stage.clone()),
                    Cell::number(super::money_text(d.fields.amount_minor, d.fields.currency)),
                    Cell::when(super::day_or_empty(d.fields.close_date)),
                ]
            })
            .collect();
        let f = &org.fields;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Ok::<_, AppError>(RecordPage {
            layout: Layout::new(
                f.long_name.clone().unwrap_or_else(|| name.to_string()),
                &caller,
                "/organizations",
            ),
            fields: vec![
                ("Name".into(), name.to_string()),
                ("Kind".into(), f.kind.to_string()),
                ("Website".into(), text(&f.website)),
                ("GitHub".into(), text(&f.github_org)),
                ("Tags".into(), f.tags.join(", ")),
                ("Notes".into(), text(&f.notes)),
            ],
            tables: vec![
                deal_table,
                linked(
                    &format!("Contacts at {name}"),
                    &contacts::table(&contact_list),
                    "/contacts",
                ),
            ],
            history,
        })
    }
    .await;
    match page {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

async fn contact_list(State(state): State<AppState>, caller: Caller) -> Response {
    match async { state.snapshot().await?.contacts().await }.await {
        Ok(list) => ok(&TablePage {
            layout: Layout::new("Contacts", &caller, "/contacts"),
            intro: format!("{} contacts.", list.len()),
            tables: vec![linked("Contacts", &contacts::table(&list), "/contacts")],
        }),
        Err(error) => error_page(&caller, error),
    }
}

async fn contact(State(state): State<AppState>, caller: Caller, PathId(raw): PathId) -> Response {
    let page = async {
        let id = ContactId::new(raw)
            .map_err(|_| AppError::NotFound(format!("no contact with id {raw}")))?;
        let (found, history) = {
            let key = raw.to_string();
            let snapshot = state.snapshot().await?;
            let ctx = caller.ctx();
            tokio::try_join!(
                async {
                    match snapshot.contacts().await?.iter().find(|c| c.id == id) {
                        Some(found) => Ok(found.clone()),
                        // A deleted contact is not in the snapshot.
                        None => contacts::get(&state.store, id).await,
                    }
                },
                history_of(&state, &ctx, EntityKind::Contact, &key)
            )?
        };
        let f = &found.fields;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut orgs = HtmlTable::new(
            format!("Organizations of {}", f.name),
            &["Organization", "Role"],
        );
        orgs.rows = f
            .organizations
            .iter()
            .map(|(o, l)| vec![Cell::text(o.to_string()), Cell::text(l.to_string())])
            .collect();
        Ok::<_, AppError>(RecordPage {
            layout: Layout::new(f.name.clone(), &caller, "/contacts"),
            fields: vec![
                ("Email".into(), text(&f.email)),
                ("GitHub".into(), text(&f.github)),
                (
                    "Strategic".into(),
                    if f.strategic {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                ),
                ("Coverage".into(), f.coverage.join(", ")),
                ("Notes".into(), text(&f.notes)),
            ],
            tables: vec![orgs],
            history,
        })
    }
    .await;
    match page {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}
