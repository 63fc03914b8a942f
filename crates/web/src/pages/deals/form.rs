//! The deal form, to add a deal or edit one.

use super::*;

/// The deal form's fields, as typed; a field left out is empty.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(super) struct DealForm {
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
                .map(percent_field)
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
    fn patch(&self) -> Result<DealPatch, Vec<(String, String)>> {
        let shown = DealPatch::replace(self.checked()?);
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

    /// The deal's fields, or every problem of the form at once, each with its field: what
    /// each field reads as, then the rules a deal keeps.
    fn checked(&self) -> Result<bearing_core::deal::DealFields, Vec<(String, String)>> {
        let (input, mut problems) = self.input();
        match input.checked() {
            Ok(fields) if problems.is_empty() => {
                let rules = fields.problems();
                if rules.is_empty() {
                    Ok(fields)
                } else {
                    Err(rules
                        .into_iter()
                        .map(|(field, message)| (field.to_owned(), message))
                        .collect())
                }
            }
            Ok(_) => Err(problems),
            Err(more) => {
                problems.extend(more);
                Err(problems)
            }
        }
    }

    /// The API's input with this form's fields, the others left out. Amounts may be written as
    /// people write them: "60,000" or "$60,000".
    fn input(&self) -> (DealInput, Vec<(String, String)>) {
        let mut problems = Vec::new();
        let opt = |v: &str| Some(v.trim()).filter(|t| !t.is_empty()).map(str::to_owned);
        let amount = |v: &str| {
            opt(&v
                .chars()
                .filter(|c| !matches!(c, '$' | ',' | ' ' | '\u{a0}'))
                .collect::<String>())
        };
        let probability = opt(&self.probability).and_then(|p| {
            match p.trim_end_matches('%').trim().parse::<f64>() {
                Ok(p) => Some(p / 100.0),
                Err(_) => {
                    problems.push((
                        "probability".to_owned(),
                        format!("{p:?} is not a percentage"),
                    ));
                    None
                }
            }
        });
        let renews = opt(&self.renews).and_then(|r| match r.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                problems.push(("renews".to_owned(), format!("{r:?} is not a deal id")));
                None
            }
        });
        let input = DealInput {
            name: self.name.trim().to_owned(),
            organization: opt(&self.organization),
            pipeline: opt(&self.pipeline),
            stage: self.stage.trim().to_owned(),
            probability,
            revenue_type: opt(&self.revenue_type),
            renews,
            currency: opt(&self.currency),
            amount: amount(&self.amount),
            amount_collected: amount(&self.amount_collected),
            close_date: opt(&self.close_date),
            contract_start: opt(&self.contract_start),
            contract_end: opt(&self.contract_end),
            owner: opt(&self.owner),
            campaign: opt(&self.campaign),
            loss_reason: opt(&self.loss_reason),
            ..DealInput::default()
        };
        (input, problems)
    }
}

#[derive(Template)]
#[template(path = "deal_form.html")]
pub(super) struct FormPage {
    layout: Layout,
    errors: Vec<String>,
    /// Each problem beside its field: field and message.
    problems: Vec<(String, String)>,
    action: String,
    cancel: String,
    form: DealForm,
    stage_names: Vec<String>,
    /// Key and the name people read, by that name.
    organizations: Vec<(String, String)>,
    pipelines: Vec<String>,
    revenue_types: Vec<String>,
    /// The people who may own a deal, and the form's owner when not one of them.
    owners: Vec<String>,
    /// Won deals a new one may renew: id and "name (organization)".
    renewable: Vec<(String, String)>,
}

impl FormPage {
    /// The problem of `field`, if it has one.
    fn problem(&self, field: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, message)| message.as_str())
    }
}

/// A share as the form's percentage: `0.29` is `29`, without the binary fraction's noise
/// (`28.999999999999996`), to four decimals at most.
fn percent_field(share: f64) -> String {
    let text = format!("{:.4}", share * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// What a field is called on the form, for the list of problems above it.
fn field_label(field: &str) -> String {
    match field {
        "amount_collected" => "Amount collected".to_owned(),
        "renews" => "Renews".to_owned(),
        other => {
            let text = other.replace('_', " ");
            let mut chars = text.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

/// A refused form's problems: each beside its field, and all of them listed above the form.
fn refused(problems: Vec<(String, String)>) -> (Vec<String>, Vec<(String, String)>) {
    let listed = problems
        .iter()
        .map(|(field, message)| format!("{}: {message}", field_label(field)))
        .collect();
    (listed, problems)
}

#[allow(clippy::too_many_arguments)] // One page, shown in four situations.
pub(super) async fn form_page(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    title: &str,
    action: String,
    cancel: String,
    form: DealForm,
    (errors, problems): (Vec<String>, Vec<(String, String)>),
) -> Response {
    let snapshot = match state.snapshot().await {
        Ok(snapshot) => snapshot,
        Err(error) => return error_page(caller, error),
    };
    let found = tokio::try_join!(
        async { Ok::<_, AppError>(state.store.list_stages().await?) },
        snapshot.organizations(),
        snapshot.deals(),
        async { Ok::<_, AppError>(state.store.list_people().await?) },
    );
    let (stages, organizations, all_deals, people) = match found {
        Ok(found) => found,
        Err(error) => return error_page(caller, error),
    };
    let names = crate::pages::crm::OrgNames::new(&organizations);
    let mut org_choices: Vec<(String, String)> = organizations
        .iter()
        .map(|o| {
            (
                o.fields.name.to_string(),
                crate::pages::crm::organizations::display_name(&o.fields),
            )
        })
        .collect();
    org_choices.sort_by_key(|(_, name)| name.to_lowercase());
    let mut pipelines: Vec<String> = stages.iter().map(|s| s.pipeline.clone()).collect();
    pipelines.dedup();
    let mut revenue_types: Vec<String> = bearing_core::deal::RevenueType::KNOWN
        .iter()
        .map(|t| (*t).to_owned())
        .chain(
            all_deals
                .iter()
                .filter_map(|d| d.fields.revenue_type.as_ref().map(ToString::to_string)),
        )
        .collect();
    revenue_types.sort();
    revenue_types.dedup();
    let mut owners: Vec<String> = people.iter().map(|p| p.fields.name.clone()).collect();
    if !form.owner.trim().is_empty() && !owners.contains(&form.owner) {
        owners.push(form.owner.clone());
    }
    owners.sort_by_key(|o| o.to_lowercase());
    // A deal is renewed once: won deals another deal already renews are not offered.
    let renewed: std::collections::HashSet<DealId> =
        all_deals.iter().filter_map(|d| d.fields.renews).collect();
    let mut renewable: Vec<(String, String)> = all_deals
        .iter()
        .filter(|d| {
            (d.stage_outcome == StageOutcome::Won && !renewed.contains(&d.id))
                || d.id.to_string() == form.renews
        })
        .map(|d| {
            let org = d
                .fields
                .organization
                .as_ref()
                .map(|o| format!(" ({})", names.name(o)))
                .unwrap_or_default();
            (d.id.to_string(), format!("{}{org}", d.fields.name))
        })
        .collect();
    renewable.sort_by_key(|(_, label)| label.to_lowercase());
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
            problems,
            action,
            cancel,
            stage_names: stage_names(&stages, pipeline),
            organizations: org_choices,
            pipelines,
            revenue_types,
            owners,
            renewable,
            form,
        },
    )
}

pub(super) async fn new_form(State(state): State<AppState>, caller: Caller) -> Response {
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
        (Vec::new(), Vec::new()),
    )
    .await
}

pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<DealForm>,
) -> Response {
    let again = |problems: Vec<(String, String)>| {
        form_page(
            &state,
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            "New deal",
            "/deals".into(),
            "/deals".into(),
            form.clone(),
            refused(problems),
        )
    };
    let fields = match form.checked() {
        Ok(fields) => fields,
        Err(problems) => return again(problems).await,
    };
    match deals::create(&state.store, &caller.ctx(), fields).await {
        Ok(deal) => see_other(&format!("/deals/{}?done=created", deal.id)),
        Err(AppError::Invalid { field, message }) => again(vec![(field, message)]).await,
        Err(error @ (AppError::Conflict(_) | AppError::NotFound(_))) => {
            again(vec![("deal".to_owned(), error.to_string())]).await
        }
        Err(error) => error_page(&caller, error),
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
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
        (Vec::new(), Vec::new()),
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    Form(form): Form<DealForm>,
) -> Response {
    let title = format!("Edit {}", form.name);
    let again = |problems: Vec<(String, String)>| {
        form_page(
            &state,
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            &title,
            format!("/deals/{raw}"),
            format!("/deals/{raw}"),
            form.clone(),
            refused(problems),
        )
    };
    let id = match deal_id(raw) {
        Ok(id) => id,
        Err(error) => return error_page(&caller, error),
    };
    let change = match form.patch() {
        Ok(change) => change,
        Err(problems) => return again(problems).await,
    };
    match deals::patch(&state.store, &caller.ctx(), id, change).await {
        Ok(deal) => see_other(&format!("/deals/{}?done=saved", deal.id)),
        Err(AppError::Invalid { field, message }) => again(vec![(field, message)]).await,
        Err(error @ AppError::Conflict(_)) => {
            again(vec![("deal".to_owned(), error.to_string())]).await
        }
        Err(error) => error_page(&caller, error),
    }
}
