//! Contacts: the list with search, filters and sorting, a page for each, and the forms that
//! create, edit, delete and restore one with the organizations it speaks for.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, contacts};
use bearing_core::access::Permission::{self, EditCrm, Read};
use bearing_core::contact::{ContactFields, ContactLabel};
use bearing_core::organization::OrganizationName;
use bearing_core::{ContactId, EntityKind};

use super::organizations::{OrgNames, display_name};
use super::{HistoryEntry, history_of};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;
use crate::pages::{
    Cell, Column, HtmlTable, Layout, PathId, Routes, answer, encode_query, error_page, field,
    render,
};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/contacts", Signed(Read), list)
        .post("/contacts", Signed(EditCrm), create)
        .get("/contacts/{id}", Signed(Read), show)
        .post("/contacts/{id}", Signed(EditCrm), edit)
        .post("/contacts/{id}/delete", Signed(EditCrm), delete)
        .post("/contacts/{id}/restore", Signed(EditCrm), restore)
}

/// How many organization rows the contact form offers beyond those it has.
const SPARE_LINKS: usize = 2;

/// The contact form's fields, as typed: up to a few organizations, each with its label.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ContactForm {
    name: String,
    email: String,
    github: String,
    strategic: Option<String>,
    coverage: String,
    notes: String,
    org_1: String,
    label_1: String,
    org_2: String,
    label_2: String,
    org_3: String,
    label_3: String,
    org_4: String,
    label_4: String,
}

/// One organization row of the contact form.
pub(crate) struct LinkRow {
    n: usize,
    org: String,
    label: String,
}

impl ContactForm {
    fn of(f: &ContactFields) -> Self {
        let mut form = ContactForm {
            name: f.name.clone(),
            email: f.email.clone().unwrap_or_default(),
            github: f.github.clone().unwrap_or_default(),
            strategic: f.strategic.then(|| "on".to_owned()),
            coverage: f.coverage.join(", "),
            notes: f.notes.clone().unwrap_or_default(),
            ..ContactForm::default()
        };
        for (i, (org, label)) in f.organizations.iter().enumerate().take(4) {
            let (o, l) = form.link_mut(i + 1);
            *o = org.to_string();
            *l = label.to_string();
        }
        form
    }

    fn link_mut(&mut self, n: usize) -> (&mut String, &mut String) {
        match n {
            1 => (&mut self.org_1, &mut self.label_1),
            2 => (&mut self.org_2, &mut self.label_2),
            3 => (&mut self.org_3, &mut self.label_3),
            _ => (&mut self.org_4, &mut self.label_4),
        }
    }

    fn links(&self) -> [(usize, &str, &str); 4] {
        [
            (1, &self.org_1, &self.label_1),
            (2, &self.org_2, &self.label_2),
            (3, &self.org_3, &self.label_3),
            (4, &self.org_4, &self.label_4),
        ]
    }

    /// The rows the form shows: those filled in and a couple of empty ones.
    fn rows(&self) -> Vec<LinkRow> {
        let filled = self
            .links()
            .iter()
            .rposition(|(_, o, _)| !o.trim().is_empty())
            .map_or(0, |i| i + 1);
        self.links()
            .into_iter()
            .take((filled + SPARE_LINKS).min(4))
            .map(|(n, org, label)| LinkRow {
                n,
                org: org.to_owned(),
                label: label.to_owned(),
            })
            .collect()
    }

    /// The fields, or every problem of the form at once, each named by its field.
    fn fields(&self) -> Result<ContactFields, AppError> {
        let mut problems = Vec::new();
        let mut organizations = Vec::new();
        for (n, org, label) in self.links() {
            if org.trim().is_empty() {
                continue;
            }
            let name = OrganizationName::parse(org.trim());
            let label = if label.trim().is_empty() {
                Ok(ContactLabel::Other)
            } else {
                label.trim().parse::<ContactLabel>()
            };
            match (name, label) {
                (Ok(name), Ok(label)) => organizations.push((name, label)),
                (Err(e), _) => problems.push(format!("organization {n}: {}", e.reason)),
                (_, Err(e)) => problems.push(format!("label {n}: {e}")),
            }
        }
        let fields = ContactFields {
            name: self.name.trim().to_owned(),
            email: field(&Some(self.email.clone())),
            github: field(&Some(self.github.clone())),
            strategic: self.strategic.is_some(),
            coverage: self
                .coverage
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            notes: field(&Some(self.notes.clone())),
            organizations,
        };
        problems.extend(
            fields
                .problems()
                .into_iter()
                .map(|(field, reason)| format!("{field}: {reason}")),
        );
        if problems.is_empty() {
            Ok(fields)
        } else {
            Err(AppError::invalid("contact", problems.join("; ")))
        }
    }
}

/// The list's search, filters and order.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ListQuery {
    q: String,
    org: String,
    label: String,
    sort: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ListPage {
    layout: Layout,
    query: ListQuery,
    organizations: Vec<(String, String)>,
    labels: Vec<String>,
    table: HtmlTable,
    count: String,
    errors: Vec<String>,
    can_edit: bool,
    form: ContactForm,
    rows: Vec<LinkRow>,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Response {
    list_page(&state, &caller, q, StatusCode::OK, Vec::new(), None).await
}

/// The organizations a form offers: key and the name people read, by that name.
async fn choices(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    let mut list: Vec<(String, String)> = state
        .snapshot()
        .await?
        .organizations()
        .await?
        .iter()
        .map(|o| (o.fields.name.to_string(), display_name(&o.fields)))
        .collect();
    list.sort_by_key(|(_, name)| name.to_lowercase());
    Ok(list)
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    q: ListQuery,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<ContactForm>,
) -> Response {
    let page = async {
        let snapshot = state.snapshot().await?;
        let all = snapshot.contacts().await?;
        let names = OrgNames::load(state).await?;
        let needle = q.q.trim().to_lowercase();
        let mut shown: Vec<&contacts::Contact> = all
            .iter()
            .filter(|c| {
                needle.is_empty()
                    || c.fields.name.to_lowercase().contains(&needle)
                    || c.fields
                        .email
                        .as_deref()
                        .is_some_and(|e| e.to_lowercase().contains(&needle))
                    || c.fields
                        .github
                        .as_deref()
                        .is_some_and(|g| g.to_lowercase().contains(&needle))
            })
            .filter(|c| {
                q.org.is_empty()
                    || c.fields
                        .organizations
                        .iter()
                        .any(|(o, _)| o.as_str() == q.org)
            })
            .filter(|c| {
                q.label.is_empty()
                    || c.fields
                        .organizations
                        .iter()
                        .any(|(_, l)| l.to_string() == q.label)
            })
            .collect();
        let descending = q.sort.starts_with('-');
        match q.sort.trim_start_matches('-') {
            "email" => shown.sort_by_key(|c| c.fields.email.clone().unwrap_or_default()),
            "added" => shown.sort_by_key(|c| c.created_at),
            _ => shown.sort_by_key(|c| c.fields.name.to_lowercase()),
        }
        if descending {
            shown.reverse();
        }
        let sort_link = |key: &str| {
            let next = if q.sort == key {
                format!("-{key}")
            } else {
                key.to_owned()
            };
            Some(format!(
                "/contacts?q={}&org={}&label={}&sort={next}",
                encode_query(&q.q),
                encode_query(&q.org),
                encode_query(&q.label)
            ))
        };
        let column = |label: &str, sort: Option<String>| Column {
            label: label.to_owned(),
            numeric: false,
            sort,
        };
        let mut table = HtmlTable::new("Contacts", &[]);
        table.columns = vec![
            column("Name", sort_link("name")),
            column("Email", sort_link("email")),
            column("Organizations", None),
            column("Strategic", None),
        ];
        table.rows = shown
            .iter()
            .map(|c| {
                let orgs: Vec<String> = c
                    .fields
                    .organizations
                    .iter()
                    .map(|(o, l)| {
                        format!("{} ({})", names.name(o), l.to_string().replace('-', " "))
                    })
                    .collect();
                vec![
                    Cell::link(c.fields.name.clone(), format!("/contacts/{}", c.id)),
                    Cell::text(c.fields.email.clone().unwrap_or_default()),
                    Cell::text(orgs.join("; ")),
                    Cell::text(if c.fields.strategic { "yes" } else { "" }),
                ]
            })
            .collect();
        let form = form.unwrap_or_else(|| ContactForm {
            org_1: q.org.clone(),
            label_1: "community-representative".into(),
            ..ContactForm::default()
        });
        Ok::<_, AppError>(ListPage {
            layout: Layout::new("Contacts", caller, "/contacts"),
            count: format!("{} of {} contacts", shown.len(), all.len()),
            organizations: choices(state).await?,
            labels: ContactLabel::ALL.iter().map(ToString::to_string).collect(),
            table,
            errors,
            can_edit: caller.may(Permission::EditCrm),
            rows: form.rows(),
            form,
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
    Form(form): Form<ContactForm>,
) -> Response {
    let saved = async {
        let created = contacts::create(&state.store, &caller.ctx(), form.fields()?).await?;
        Ok(format!("/contacts/{}?done=created", created.id))
    }
    .await;
    answer(
        &caller,
        saved,
        "The contact was not added",
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
#[template(path = "contact.html")]
struct ContactPage {
    layout: Layout,
    id: i64,
    deleted: bool,
    fields: Vec<(String, String)>,
    tables: Vec<HtmlTable>,
    errors: Vec<String>,
    can_edit: bool,
    form: ContactForm,
    rows: Vec<LinkRow>,
    organizations: Vec<(String, String)>,
    labels: Vec<String>,
    history: Vec<HistoryEntry>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

fn contact_id(raw: i64) -> Result<ContactId, AppError> {
    ContactId::new(raw).map_err(|_| AppError::NotFound(format!("no contact with id {raw}")))
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
            Some(format!("The contact was {done}."))
        }
        _ => None,
    };
    contact_page(
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

async fn contact_page(
    state: &AppState,
    caller: &Caller,
    raw: i64,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<ContactForm>,
    notice: Option<String>,
) -> Response {
    let page = async {
        let id = contact_id(raw)?;
        let key = raw.to_string();
        let ctx = caller.ctx();
        let (found, history, names) = tokio::try_join!(
            async {
                match state
                    .snapshot()
                    .await?
                    .contacts()
                    .await?
                    .iter()
                    .find(|c| c.id == id)
                {
                    Some(found) => Ok(found.clone()),
                    // A deleted contact is not in the snapshot.
                    None => contacts::get(&state.store, id).await,
                }
            },
            history_of(state, &ctx, EntityKind::Contact, &key),
            OrgNames::load(state),
        )?;
        let f = &found.fields;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut orgs = HtmlTable::new(
            format!("Organizations {} speaks for", f.name),
            &["Organization", "Label"],
        );
        orgs.rows = f
            .organizations
            .iter()
            .map(|(o, l)| {
                vec![
                    names.cell(Some(o)),
                    Cell::text(l.to_string().replace('-', " ")),
                ]
            })
            .collect();
        let form = form.unwrap_or_else(|| ContactForm::of(f));
        Ok::<_, AppError>(ContactPage {
            layout: Layout::new(f.name.clone(), caller, "/contacts").with_notice(notice),
            id: raw,
            deleted: found.deleted_at.is_some(),
            fields: vec![
                ("Email".into(), text(&f.email)),
                ("GitHub".into(), text(&f.github)),
                (
                    "Strategic".into(),
                    if f.strategic { "yes" } else { "no" }.into(),
                ),
                ("Coverage".into(), f.coverage.join(", ")),
                ("Notes".into(), text(&f.notes)),
            ],
            tables: vec![orgs],
            errors,
            can_edit: caller.may(Permission::EditCrm),
            rows: form.rows(),
            form,
            organizations: choices(state).await?,
            labels: ContactLabel::ALL.iter().map(ToString::to_string).collect(),
            history,
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
    Form(form): Form<ContactForm>,
) -> Response {
    let saved = async {
        contacts::edit(
            &state.store,
            &caller.ctx(),
            contact_id(raw)?,
            form.fields()?,
        )
        .await?;
        Ok(format!("/contacts/{raw}?done=saved"))
    }
    .await;
    answer(
        &caller,
        saved,
        "The contact was not saved",
        |status, errors| contact_page(&state, &caller, raw, status, errors, Some(form), None),
    )
    .await
}

async fn delete(State(state): State<AppState>, caller: Caller, PathId(raw): PathId) -> Response {
    let result =
        async { contacts::delete(&state.store, &caller.ctx(), contact_id(raw)?).await }.await;
    super::done(&caller, result, &format!("/contacts/{raw}"), "deleted")
}

async fn restore(State(state): State<AppState>, caller: Caller, PathId(raw): PathId) -> Response {
    let result =
        async { contacts::restore(&state.store, &caller.ctx(), contact_id(raw)?).await }.await;
    super::done(&caller, result, &format!("/contacts/{raw}"), "restored")
}
