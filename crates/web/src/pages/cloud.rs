//! The cloud-costs page: a month's bills by account and by community, the overruns and what
//! was decided, every month not recovered, the credits held for partners and the sponsor's
//! own check; and, for those who manage invoices, importing bills, mapping accounts and tags to
//! clusters, splitting shared clusters, deciding on overruns and recording credits. Reading
//! it is reading cash.

use askama::Template;
use axum::Form;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, cloud};
use bearing_core::access::Permission::{ManageInvoices, ReadCash};
use bearing_core::cloud::SplitRule;
use bearing_core::{Currency, Money, Month, OrganizationId};

use super::imports::{Upload, no_problems, problems, read_upload};
use super::{Cell, Done, HtmlTable, Layout, PathId, Routes, answer, error_page, render, see_other};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/cloud-costs", Signed(ReadCash), page)
        .post("/cloud-costs", Signed(ManageInvoices), import)
        .post("/cloud-costs/mappings", Signed(ManageInvoices), map)
        .post(
            "/cloud-costs/mappings/{id}/remove",
            Signed(ManageInvoices),
            unmap,
        )
        .post("/cloud-costs/splits", Signed(ManageInvoices), split)
        .post("/cloud-costs/decisions", Signed(ManageInvoices), decide)
        .post("/cloud-costs/credits", Signed(ManageInvoices), credit)
}

/// A checked bill shown for confirmation.
struct PlanView {
    file: String,
    content: String,
    summary: Vec<String>,
}

/// An overrun as the page lists it, with the form to decide on it.
struct OverrunRow {
    account: String,
    month: String,
    month_words: String,
    cost: String,
    threshold: String,
    over: String,
    /// The decision in force, in words, with who made it, when and why.
    decision: Option<String>,
}

#[derive(Template)]
#[template(path = "cloud_costs.html")]
struct CloudPage {
    layout: Layout,
    errors: Vec<String>,
    may_manage: bool,
    plan: Option<PlanView>,
    problems: HtmlTable,
    /// The month shown, `YYYY-MM`, and in words; none before any bill is imported.
    month: String,
    month_words: String,
    /// The months with costs, `YYYY-MM` and in words, newest first.
    months: Vec<(String, String)>,
    /// The month's figures, per currency: label and value.
    figures: Vec<(String, String)>,
    /// The recovery ratio over the last twelve months, per currency.
    ratios: Vec<String>,
    accounts: HtmlTable,
    communities: HtmlTable,
    overruns: Vec<OverrunRow>,
    gaps: HtmlTable,
    credits: HtmlTable,
    check: HtmlTable,
    trouble: Vec<String>,
    mappings: Vec<(String, String, String, String, String)>,
    splits: HtmlTable,
    /// Clusters that have hubs, for the split form; all clusters, for the mapping form.
    shared: Vec<String>,
    clusters: Vec<String>,
    /// Organizations' ids and names, for the credits form.
    organizations: Vec<(String, String)>,
    /// The forms' values, kept when one is refused.
    form: FormValues,
}

#[derive(Debug, Default, serde::Deserialize)]
struct PageQuery {
    month: Option<String>,
    #[serde(flatten)]
    done: Done,
}

/// Every form's fields; the page keeps what was typed when a form is refused.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct FormValues {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    cluster: String,
    #[serde(default)]
    hub: String,
    #[serde(default)]
    absorbed: Option<String>,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    note: String,
}

fn money(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).text()
}

/// What a page view is asked to show beside the records.
struct Shown {
    month: Option<Month>,
    status: StatusCode,
    notice: Option<String>,
    errors: Vec<String>,
    plan: Option<PlanView>,
    problems: HtmlTable,
    form: FormValues,
}

impl Shown {
    fn of(month: Option<Month>) -> Shown {
        Shown {
            month,
            status: StatusCode::OK,
            notice: None,
            errors: Vec::new(),
            plan: None,
            problems: no_problems(),
            form: FormValues::default(),
        }
    }

    fn refused(errors: Vec<String>, form: FormValues) -> Shown {
        Shown {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            form,
            ..Shown::of(None)
        }
    }
}

async fn view(state: &AppState, caller: &Caller, shown: Shown) -> Response {
    let ctx = caller.ctx();
    let costs = match cloud::view(&state.store, &ctx).await {
        Ok(costs) => costs,
        Err(error) => return error_page(caller, error),
    };
    let check = match cloud::ledger_check(&state.store, &ctx, &costs).await {
        Ok(check) => check,
        Err(error) => return error_page(caller, error),
    };
    let units = match state.store.list_units().await {
        Ok(units) => units,
        Err(error) => return error_page(caller, error.into()),
    };
    let organizations = match state.store.list_organizations(false).await {
        Ok(list) => list,
        Err(error) => return error_page(caller, error.into()),
    };
    let months = costs.months();
    let month = shown
        .month
        .filter(|m| months.contains(m))
        .or_else(|| months.first().copied());

    let mut figures = Vec::new();
    if let Some(month) = month {
        for f in costs.figures(month) {
            let suffix = if f.currency == Currency::USD {
                String::new()
            } else {
                format!(" ({})", f.currency)
            };
            figures.push((format!("Cost{suffix}"), money(f.cost_minor, f.currency)));
            figures.push((
                format!("Recoverable{suffix}"),
                money(f.recoverable_minor, f.currency),
            ));
            figures.push((
                format!("Absorbed{suffix}"),
                money(f.absorbed_minor, f.currency),
            ));
            if f.unallocated_minor != 0 {
                figures.push((
                    format!("Allocated to no one{suffix}"),
                    money(f.unallocated_minor, f.currency),
                ));
            }
            figures.push((format!("Billed{suffix}"), money(f.billed_minor, f.currency)));
            figures.push((
                format!("Not recovered{suffix}"),
                money(f.unrecovered_minor, f.currency),
            ));
        }
    }
    let ratios = costs
        .ratio
        .iter()
        .map(|(currency, ratio)| format!("{:.1}% ({currency})", ratio * 100.0))
        .collect();

    let mut accounts = HtmlTable::new(
        format!(
            "Billing accounts in {}",
            month.map(Month::words).unwrap_or_default()
        ),
        &[
            "Account",
            "Lines",
            "Cost",
            "Recoverable",
            "Threshold",
            "Over",
            "Decision",
        ],
    )
    .numeric_columns(&[1, 2, 3, 4, 5]);
    accounts.rows = costs
        .accounts
        .iter()
        .filter(|a| Some(a.month) == month)
        .map(|a| {
            vec![
                Cell::text(a.account.clone()),
                Cell::number(a.lines.to_string()),
                Cell::number(money(a.amount_minor, a.currency)),
                Cell::number(money(a.recoverable_minor, a.currency)),
                Cell::number(
                    a.overrun
                        .map(|(t, _)| money(t, a.currency))
                        .unwrap_or_default(),
                ),
                Cell::number(
                    a.overrun
                        .map(|(_, o)| money(o, a.currency))
                        .unwrap_or_default(),
                ),
                Cell::text(match (&a.overrun, &a.decision) {
                    (Some(_), Some(d)) => d.decision.words(a.currency),
                    (Some(_), None) => "to decide".to_owned(),
                    _ => String::new(),
                }),
            ]
        })
        .collect();

    let mut communities = HtmlTable::new(
        format!(
            "Communities in {}",
            month.map(Month::words).unwrap_or_default()
        ),
        &[
            "Community",
            "Recoverable",
            "Absorbed",
            "Billed",
            "Not recovered",
        ],
    )
    .numeric_columns(&[1, 2, 3, 4]);
    communities.rows = month
        .map(|m| costs.communities(m))
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            vec![
                match c.organization_id {
                    Some(id) => Cell::link(
                        c.organization_name.clone(),
                        format!("/organizations/{id}#cloud-h"),
                    ),
                    None => Cell::text("No organization (see below)"),
                },
                Cell::number(money(c.recoverable_minor, c.currency)),
                Cell::number(money(c.absorbed_minor, c.currency)),
                Cell::number(money(c.billed_minor, c.currency)),
                Cell::number(money(c.unrecovered_minor, c.currency)),
            ]
        })
        .collect();

    let overruns = costs
        .overruns()
        .map(|a| OverrunRow {
            account: a.account.clone(),
            month: a.month.to_string(),
            month_words: a.month.words(),
            cost: money(a.amount_minor, a.currency),
            threshold: a
                .overrun
                .map(|(t, _)| money(t, a.currency))
                .unwrap_or_default(),
            over: a
                .overrun
                .map(|(_, o)| money(o, a.currency))
                .unwrap_or_default(),
            decision: a.decision.as_ref().map(|d| {
                format!(
                    "{}: {} ({}, {})",
                    d.decision.words(a.currency),
                    d.reason,
                    d.decided_by,
                    super::minute(d.decided_at)
                )
            }),
        })
        .collect();

    let gaps = recovery_table(
        "Months not recovered",
        costs.gaps().collect::<Vec<_>>().as_slice(),
    );
    let credits = credits_table(&costs.credits);

    let mut check_table = HtmlTable::new(
        "The sponsor's books beside Bearing (US dollars)",
        &[
            "Month",
            "Booked cloud costs, recoverable",
            "Booked cloud cost recovery",
            "Difference",
            "Recoverable in Bearing",
            "Billed in Bearing",
        ],
    )
    .numeric_columns(&[1, 2, 3, 4, 5]);
    check_table.rows = check
        .iter()
        .map(|c| {
            vec![
                Cell::when(c.month.words()),
                Cell::number(money(c.booked_cost_minor, Currency::USD)),
                Cell::number(money(c.booked_recovery_minor, Currency::USD)),
                Cell::number(money(c.difference_minor, Currency::USD)),
                Cell::number(money(c.recoverable_minor, Currency::USD)),
                Cell::number(money(c.billed_minor, Currency::USD)),
            ]
        })
        .collect();

    let mut trouble = costs.problems.clone();
    for u in &costs.unmapped {
        trouble.push(format!(
            "{} line(s) of account {} in {}, {}, are on no cluster: map the account, a sub-account or a tag below",
            u.lines,
            u.account,
            u.month.words(),
            money(u.amount_minor, u.currency)
        ));
    }
    let mappings = costs
        .mappings
        .iter()
        .map(|m| {
            (
                m.id.to_string(),
                m.matches.to_string(),
                m.cluster.clone(),
                m.hub.clone().unwrap_or_default(),
                if m.recoverable {
                    "recoverable"
                } else {
                    "absorbed"
                }
                .to_owned(),
            )
        })
        .collect();
    let mut splits = HtmlTable::new(
        "How shared clusters split their costs",
        &["Cluster", "Split"],
    );
    splits.rows = costs
        .split_rules
        .iter()
        .map(|(cluster, rule, own)| {
            vec![
                Cell::text(cluster.clone()),
                Cell::text(if *own {
                    rule.to_string()
                } else {
                    format!("{rule} (the default)")
                }),
            ]
        })
        .collect();
    let mut clusters: Vec<String> = units
        .iter()
        .filter(|u| u.kind() == bearing_store::UnitKind::Cluster)
        .map(|u| u.name.clone())
        .collect();
    clusters.sort();
    let shared = costs
        .split_rules
        .iter()
        .map(|(c, _, _)| c.clone())
        .collect();
    let mut organizations: Vec<(String, String)> = organizations
        .into_iter()
        .map(|o| {
            let name = o
                .fields
                .long_name
                .clone()
                .unwrap_or_else(|| o.fields.name.to_string());
            (o.id.to_string(), name)
        })
        .collect();
    organizations.sort_by_key(|o| o.1.to_lowercase());

    render(
        shown.status,
        &CloudPage {
            layout: Layout::new("Cloud costs", caller, "/cloud-costs").with_notice(shown.notice),
            errors: shown.errors,
            may_manage: ctx.may(ManageInvoices),
            plan: shown.plan,
            problems: shown.problems,
            month: month.map(|m| m.to_string()).unwrap_or_default(),
            month_words: month.map(Month::words).unwrap_or_default(),
            months: months.iter().map(|m| (m.to_string(), m.words())).collect(),
            figures,
            ratios,
            accounts,
            communities,
            overruns,
            gaps,
            credits,
            check: check_table,
            trouble,
            mappings,
            splits,
            shared,
            clusters,
            organizations,
            form: shown.form,
        },
    )
}

/// Months of recovery as a table: community, month, recoverable, billed, not recovered.
pub(crate) fn recovery_table(caption: &str, rows: &[&cloud::Recovery]) -> HtmlTable {
    let mut table = HtmlTable::new(
        caption,
        &[
            "Community",
            "Month",
            "Recoverable",
            "Billed",
            "Not recovered",
        ],
    )
    .numeric_columns(&[2, 3, 4]);
    table.rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::link(
                    r.organization_name.clone(),
                    format!("/organizations/{}#cloud-h", r.organization_id),
                ),
                Cell::when(r.month.words()),
                Cell::number(money(r.recoverable_minor, r.currency)),
                Cell::number(money(r.billed_minor, r.currency)),
                Cell::number(money(r.unrecovered_minor, r.currency)),
            ]
        })
        .collect();
    table
}

/// Credits held for partners as a table.
pub(crate) fn credits_table(credits: &[cloud::CreditHeld]) -> HtmlTable {
    let mut table = HtmlTable::new(
        "Credits held for partners",
        &["Partner", "Held", "Balance", "Burn a month", "Months left"],
    )
    .numeric_columns(&[1, 2, 3, 4]);
    table.rows = credits
        .iter()
        .map(|c| {
            vec![
                Cell::link(
                    c.organization_name.clone(),
                    format!("/organizations/{}#cloud-h", c.organization_id),
                ),
                Cell::number(money(c.held_minor, c.currency)),
                Cell::number(money(c.credit.balance_minor, c.currency)),
                Cell::number(money(c.credit.burn_minor, c.currency)),
                Cell::number(match c.credit.months_left {
                    Some(m) => format!("{m:.1}"),
                    None => "nothing drawn yet".to_owned(),
                }),
            ]
        })
        .collect();
    table
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Response {
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => None,
        Some(text) => match Month::parse(text) {
            Ok(m) => Some(m),
            Err(e) => return error_page(&caller, AppError::invalid("month", e.to_string())),
        },
    };
    let shown = Shown {
        notice: q.done.notice(),
        ..Shown::of(month)
    };
    view(&state, &caller, shown).await
}

/// Checks an uploaded bill (a dry run, shown for confirmation) or imports a confirmed one.
async fn import(State(state): State<AppState>, caller: Caller, request: Request) -> Response {
    let Upload {
        file,
        content,
        confirmed,
        ..
    } = match read_upload(request).await {
        Ok(upload) => upload,
        Err(error) => {
            return view(
                &state,
                &caller,
                Shown::refused(vec![error.to_string()], FormValues::default()),
            )
            .await;
        }
    };
    let done = cloud::import(
        &state.store,
        &caller.ctx(),
        &file,
        content.as_bytes(),
        &Default::default(),
        !confirmed,
    )
    .await;
    match done {
        Ok(done) if confirmed => {
            let first = done.months.iter().map(|m| m.month).max();
            let path = first.map_or_else(
                || "/cloud-costs".to_owned(),
                |m| format!("/cloud-costs?month={m}"),
            );
            see_other(&super::noticed(&path, &done.summary()))
        }
        Ok(done) => {
            let shown = Shown {
                plan: Some(PlanView {
                    file,
                    content,
                    summary: done.summary().lines().map(str::to_owned).collect(),
                }),
                ..Shown::of(None)
            };
            view(&state, &caller, shown).await
        }
        Err(AppError::Import(rows)) => {
            let shown = Shown {
                problems: problems(&rows),
                ..Shown::refused(
                    vec![format!(
                        "{file}: {} problem(s); nothing was imported",
                        rows.len()
                    )],
                    FormValues::default(),
                )
            };
            view(&state, &caller, shown).await
        }
        Err(AppError::Forbidden(message)) => super::forbidden(&caller, &message),
        Err(error) => {
            view(
                &state,
                &caller,
                Shown::refused(vec![error.to_string()], FormValues::default()),
            )
            .await
        }
    }
}

/// A form's answer: back to the page with a notice, or the page again with what was wrong.
async fn answered(
    state: &AppState,
    caller: &Caller,
    saved: Result<String, AppError>,
    what: &str,
    form: FormValues,
) -> Response {
    answer(caller, saved, what, |status, errors| {
        let shown = Shown {
            status,
            ..Shown::refused(errors, form)
        };
        async move { view(state, caller, shown).await }
    })
    .await
}

async fn map(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormValues>,
) -> Response {
    let saved = async {
        cloud::map(
            &state.store,
            &caller.ctx(),
            &cloud::MappingInput {
                kind: form.kind.clone(),
                tag: form.tag.clone(),
                value: form.value.clone(),
                cluster: form.cluster.clone(),
                hub: Some(form.hub.clone()),
                recoverable: form.absorbed.is_none(),
            },
        )
        .await?;
        Ok(super::noticed(
            "/cloud-costs#mappings-h",
            "The mapping was saved.",
        ))
    }
    .await;
    answered(&state, &caller, saved, "The mapping was not saved", form).await
}

async fn unmap(State(state): State<AppState>, caller: Caller, PathId(id): PathId) -> Response {
    let saved = async {
        cloud::unmap(&state.store, &caller.ctx(), id).await?;
        Ok(super::noticed(
            "/cloud-costs#mappings-h",
            "The mapping was removed.",
        ))
    }
    .await;
    answered(
        &state,
        &caller,
        saved,
        "The mapping was not removed",
        FormValues::default(),
    )
    .await
}

async fn split(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormValues>,
) -> Response {
    let saved = async {
        let rule =
            SplitRule::parse(&form.rule).map_err(|e| AppError::invalid("split", e.reason))?;
        cloud::set_split(&state.store, &caller.ctx(), &form.cluster, &rule).await?;
        Ok(super::noticed(
            "/cloud-costs#splits-h",
            &format!(
                "Cluster {} now splits its costs by {rule}.",
                form.cluster.trim()
            ),
        ))
    }
    .await;
    answered(&state, &caller, saved, "The split was not saved", form).await
}

async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormValues>,
) -> Response {
    let saved = async {
        let month = super::billing::month_of(Some(&form.month))?;
        let input = cloud::DecisionInput::new(
            &form.decision,
            Some(form.amount.as_str()).filter(|a| !a.trim().is_empty()),
        );
        cloud::decide(
            &state.store,
            &caller.ctx(),
            &form.account,
            month,
            &input,
            &form.reason,
        )
        .await?;
        Ok(super::noticed(
            &format!("/cloud-costs?month={month}#overruns-h"),
            &format!(
                "The decision on {} in {} was recorded.",
                form.account.trim(),
                month.words()
            ),
        ))
    }
    .await;
    answered(
        &state,
        &caller,
        saved,
        "The decision was not recorded",
        form,
    )
    .await
}

async fn credit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormValues>,
) -> Response {
    let saved = async {
        let ctx = caller.ctx();
        let organization: OrganizationId = super::typed_number("organization", &form.organization)
            .and_then(|raw: i64| {
                OrganizationId::new(raw).map_err(|e| AppError::invalid("organization", e.reason))
            })?;
        let amount = Money::parse(&form.amount, Currency::USD)
            .map_err(|e| AppError::invalid("amount", e.reason))?;
        let on = match form.on.trim() {
            "" => ctx.today(),
            text => bearing_core::parse_date(text)
                .map_err(|e| AppError::invalid("received", e.reason))?,
        };
        cloud::add_credit(
            &state.store,
            &ctx,
            organization,
            amount,
            on,
            Some(form.note.as_str()),
        )
        .await?;
        Ok(super::noticed(
            "/cloud-costs#credits-h",
            &format!("{} of credits were recorded.", amount.text()),
        ))
    }
    .await;
    answered(
        &state,
        &caller,
        saved,
        "The credits were not recorded",
        form,
    )
    .await
}
