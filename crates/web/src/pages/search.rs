//! The search box of every page: organizations, contacts, deals, people and clusters found by
//! name, email, key or CRM id, each a link to its page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use bearing_app::AppError;
use bearing_core::access::Permission::Read;

use super::crm::organizations::display_name;
use super::home::today;
use super::{Layout, Routes, error_page, ok};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new().get("/search", Signed(Read), search)
}

/// The most hits of one kind a search shows.
const PER_KIND: usize = 25;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct SearchQuery {
    q: String,
}

/// One record found: what it is called, what else identifies it, and its page.
pub(crate) struct Hit {
    name: String,
    detail: String,
    href: String,
}

/// The hits of one kind of record.
pub(crate) struct Found {
    kind: &'static str,
    hits: Vec<Hit>,
    /// How many more matched than are shown.
    more: usize,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    found: Vec<Found>,
}

/// Whether any of `texts` holds `needle` (already lower-case), ignoring case.
fn matches<'a>(needle: &str, texts: impl IntoIterator<Item = Option<&'a str>>) -> bool {
    texts
        .into_iter()
        .flatten()
        .any(|t| t.to_lowercase().contains(needle))
}

fn found(kind: &'static str, mut hits: Vec<Hit>) -> Found {
    hits.sort_by_key(|h| h.name.to_lowercase());
    let more = hits.len().saturating_sub(PER_KIND);
    hits.truncate(PER_KIND);
    Found { kind, hits, more }
}

async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SearchQuery>,
) -> Response {
    let query = q.q.trim().to_owned();
    let page = async {
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let needle = query.to_lowercase();
        // "crm:123" finds the deal with that CRM id as well as "123" does.
        let needle = needle.strip_prefix("crm:").unwrap_or(&needle).to_owned();
        let snapshot = state.snapshot().await?;
        let ctx = caller.ctx();
        let (organizations, contacts, deals, people, units) = tokio::try_join!(
            snapshot.organizations(),
            snapshot.contacts(),
            snapshot.deals(),
            bearing_app::people::directory(&state.store, &ctx, today()),
            async { Ok(state.store.list_units().await?) },
        )?;
        let names = super::crm::OrgNames::new(&organizations);
        let orgs = organizations
            .iter()
            .filter(|o| {
                matches(
                    &needle,
                    [
                        Some(display_name(&o.fields).as_str()),
                        Some(o.fields.name.as_str()),
                        o.fields.website.as_deref(),
                    ],
                )
            })
            .map(|o| Hit {
                name: display_name(&o.fields),
                detail: o.fields.kind.to_string(),
                href: format!("/organizations/{}", o.id),
            })
            .collect();
        let people_found = contacts
            .iter()
            .filter(|c| {
                matches(
                    &needle,
                    [
                        Some(c.fields.name.as_str()),
                        c.fields.email.as_deref(),
                        c.fields.github.as_deref(),
                    ],
                )
            })
            .map(|c| Hit {
                name: c.fields.name.clone(),
                detail: c
                    .fields
                    .organizations
                    .iter()
                    .map(|(o, _)| names.name(o))
                    .chain(c.fields.email.clone())
                    .collect::<Vec<_>>()
                    .join(" · "),
                href: format!("/contacts/{}", c.id),
            })
            .collect();
        let deals_found = deals
            .iter()
            .filter(|d| {
                matches(
                    &needle,
                    [
                        Some(d.fields.name.as_str()),
                        d.external_ids.get("crm").map(String::as_str),
                    ],
                ) || d.id.to_string() == needle
            })
            .map(|d| Hit {
                name: d.fields.name.clone(),
                detail: [
                    d.fields.organization.as_ref().map(|o| names.name(o)),
                    Some(d.fields.stage.clone()),
                    d.external_ids.get("crm").map(|id| format!("CRM {id}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                href: format!("/deals/{}", d.id),
            })
            .collect();
        let team = people
            .iter()
            .filter(|p| matches(&needle, [Some(p.name.as_str()), p.github.as_deref()]))
            .map(|p| Hit {
                name: p.name.clone(),
                detail: p.kind.to_string(),
                href: format!("/people/{}", p.id),
            })
            .collect();
        let clusters = units
            .iter()
            .filter(|u| u.kind() == bearing_store::UnitKind::Cluster)
            .filter(|u| matches(&needle, [Some(u.name.as_str())]))
            .map(|u| Hit {
                name: u.name.clone(),
                detail: u.fields.provider.clone().unwrap_or_default(),
                href: format!("/usage/clusters/{}", u.id),
            })
            .collect();
        Ok::<_, AppError>(vec![
            found("Organizations", orgs),
            found("Contacts", people_found),
            found("Deals", deals_found),
            found("People", team),
            found("Clusters", clusters),
        ])
    }
    .await;
    match page {
        Ok(found) => ok(&SearchPage {
            layout: Layout::new("Search", &caller, ""),
            q: query,
            found: found.into_iter().filter(|f| !f.hits.is_empty()).collect(),
        }),
        Err(error) => error_page(&caller, error),
    }
}
