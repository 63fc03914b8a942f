//! A deal's page: its fields, its timeline and the move to another stage.

use super::*;

#[derive(Debug)]
pub(super) struct TimelineEvent {
    at: jiff::Timestamp,
    when: String,
    who: String,
    what: String,
}

#[derive(Template)]
#[template(path = "deal.html")]
pub(super) struct DealPage {
    layout: Layout,
    errors: Vec<String>,
    id: DealId,
    name: String,
    deleted: bool,
    stage: String,
    stage_names: Vec<String>,
    fields: Vec<(&'static str, String, Option<String>)>,
    contributions: HtmlTable,
    /// Its invoices, for those who see cash; `None` when it has none or they may not.
    invoices: Option<HtmlTable>,
    /// How a won deal is billed, for those who see cash.
    billing: Option<crate::pages::billing::ScheduleSection>,
    may_manage_invoices: bool,
    timeline: Vec<TimelineEvent>,
    can_edit: bool,
    /// What the deal lacks to count in the forecast, in words; empty when it counts.
    needs: String,
}

pub(crate) async fn deal_page(
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
        forecast::deal_months(&state.store, &deal, crate::pages::home::today()),
    ) {
        Ok(found) => found,
        Err(error) => return error_page(caller, error),
    };
    let invoices = if caller.may(Permission::ReadCash) {
        let filter = bearing_app::invoices::Filter {
            deal: Some(id),
            ..Default::default()
        };
        match bearing_app::invoices::list(&state.store, &caller.ctx(), &filter).await {
            Ok(list) if list.is_empty() => None,
            Ok(list) => Some(list),
            Err(error) => return error_page(caller, error),
        }
    } else {
        None
    };
    let billing = if deal.stage_outcome == StageOutcome::Won && caller.may(Permission::ReadCash) {
        match bearing_app::billing::of(&state.store, &caller.ctx(), &deal).await {
            Ok(billing) => Some(crate::pages::billing::ScheduleSection::of(&billing)),
            Err(error) => return error_page(caller, error),
        }
    } else {
        None
    };
    // With invoices, what was paid on them is what the deal collected.
    let collected = match invoices {
        Some(_) => match forecast::collected_from_invoices(&state.store, id).await {
            Ok(paid) => paid,
            Err(error) => return error_page(caller, error),
        },
        None => None,
    };
    let invoices = invoices.map(|list| {
        crate::pages::invoices::table(
            "Invoices: the deal collects what is paid on them",
            &list,
            crate::pages::invoices::Within::Deal,
        )
    });
    let f = &deal.fields;
    let day = crate::pages::day_or_empty;
    let names = match crate::pages::crm::OrgNames::load(state).await {
        Ok(names) => names,
        Err(error) => return error_page(caller, error),
    };
    let organization = names.cell(f.organization.as_ref());
    let renews = match f.renews {
        Some(r) => match state.snapshot().await {
            Ok(snapshot) => snapshot.deal(r).await.ok().map(|d| d.fields.name),
            Err(_) => None,
        }
        .or_else(|| Some(format!("deal {r}"))),
        None => None,
    };
    let plain = |label: &'static str, value: String| (label, value, None);
    let fields = vec![
        ("Organization", organization.text, organization.href),
        plain("Pipeline", f.pipeline.clone()),
        plain("Stage", f.stage.clone()),
        plain("Probability", probability_text(&deal)),
        plain(
            "Revenue type",
            f.revenue_type
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        plain("Deal type", f.deal_type.to_string()),
        plain("Amount", money_text(f.amount_minor, f.currency)),
        plain(
            "Collected",
            match collected {
                Some(paid) => format!(
                    "{} paid on its invoices ({} typed in the CRM)",
                    bearing_core::Money::from_minor(paid, f.currency).text(),
                    match f.collected_minor {
                        Some(_) => money_text(f.collected_minor, f.currency),
                        None => "nothing".to_owned(),
                    }
                ),
                None => money_text(f.collected_minor, f.currency),
            },
        ),
        plain("Currency", f.currency.to_string()),
        plain("Close date", day(f.close_date)),
        plain("Contract start", day(f.contract_start)),
        plain("Contract end", day(f.contract_end)),
        plain("Owner", f.owner.clone().unwrap_or_default()),
        plain("Campaign", f.campaign.clone().unwrap_or_default()),
        plain("Loss reason", f.loss_reason.clone().unwrap_or_default()),
        (
            "Renews",
            renews.unwrap_or_default(),
            f.renews.map(|r| format!("/deals/{r}")),
        ),
        plain(
            "CRM id",
            deal.external_ids.get("crm").cloned().unwrap_or_default(),
        ),
        plain("Created", minute(deal.created_at)),
        plain("Updated", minute(deal.updated_at)),
    ];
    let mut contributions = HtmlTable::new(
        "Expected revenue of this deal by month",
        &["Month", "Expected"],
    )
    .numeric_columns(&[1]);
    contributions.rows = months
        .iter()
        .map(|(m, v)| {
            vec![
                Cell::when(crate::pages::month_text(*m)),
                Cell::number(dollars(*v)),
            ]
        })
        .collect();
    let mut timeline: Vec<TimelineEvent> = history
        .iter()
        .map(|h| TimelineEvent {
            at: h.at,
            when: minute(h.at),
            who: format!("{} ({})", h.actor, h.source),
            what: bearing_app::history::described_tracked(
                &h.field,
                h.old_value.as_deref(),
                h.new_value.as_deref(),
                f.currency,
            )
            .to_string(),
        })
        .collect();
    // How the deal is billed is cash: its changes join the timeline for those who see it.
    if billing.is_some() {
        let changes = match bearing_app::history::of(
            &state.store,
            &caller.ctx(),
            bearing_core::EntityKind::BillingSchedule,
            &id.to_string(),
        )
        .await
        {
            Ok(records) => records,
            Err(AppError::NotFound(_)) => Vec::new(),
            Err(error) => return error_page(caller, error),
        };
        let names = bearing_app::history::Names::default();
        timeline.extend(changes.iter().map(|r| TimelineEvent {
            at: r.at,
            when: minute(r.at),
            who: format!("{} ({})", r.actor, r.source),
            what: format!(
                "billing schedule: {}",
                bearing_app::history::described(r, &names)
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }));
        timeline.sort_by_key(|e| e.at);
    }
    timeline.reverse();
    render(
        status,
        &DealPage {
            layout: Layout::new(deal.fields.name.clone(), caller, "/deals").with_notice(notice),
            errors,
            id,
            name: deal.fields.name.clone(),
            deleted: deal.deleted_at.is_some(),
            needs: {
                let missing = forecast::missing_for_forecast(&deal);
                if missing.is_empty() {
                    String::new()
                } else {
                    format!(
                        "This deal adds nothing to the forecast until its {} {} filled in (a contract or target start and end, and the amount).",
                        missing.join(", "),
                        if missing.len() == 1 { "is" } else { "are" }
                    )
                }
            },
            stage: deal.fields.stage.clone(),
            stage_names: stage_names(&stages, &deal.fields.pipeline),
            fields,
            contributions,
            invoices,
            billing,
            may_manage_invoices: caller.may(Permission::ManageInvoices),
            timeline,
            can_edit: caller.may(Permission::EditCrm),
        },
    )
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct DoneQuery {
    done: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Query(q): Query<DoneQuery>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some("created") => Some("The deal is created.".to_owned()),
        Some("saved") => Some("The deal is saved.".to_owned()),
        Some("moved") => Some("The deal is moved.".to_owned()),
        Some("billing") => Some("How the deal is billed is saved.".to_owned()),
        _ => None,
    };
    deal_page(&state, &caller, id, StatusCode::OK, Vec::new(), notice).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct MoveForm {
    stage: String,
    back: Option<String>,
    loss_reason: Option<String>,
    amount: Option<String>,
    contract_start: Option<String>,
    contract_end: Option<String>,
    close_date: Option<String>,
}

pub(super) async fn move_to(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    Form(form): Form<MoveForm>,
) -> Response {
    let mut before = None;
    let moved = async {
        let id = deal_id(raw)?;
        let current = deals::get(&state.store, id).await?;
        let currency = current.fields.currency;
        before = Some(current);
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
        Ok(deal) => match (form.back.as_deref(), before) {
            // Back to the board, which offers to undo the move.
            (Some("/pipeline"), Some(before)) => see_other(&format!(
                "/pipeline?pipeline={}&moved={}&from={}&was_closing={}",
                encode_query(&deal.fields.pipeline),
                deal.id,
                encode_query(&before.fields.stage),
                before
                    .fields
                    .close_date
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            )),
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
