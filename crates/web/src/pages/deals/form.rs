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
pub(super) struct FormPage {
    layout: Layout,
    errors: Vec<String>,
    action: String,
    cancel: String,
    form: DealForm,
    stage_names: Vec<String>,
    organizations: Vec<String>,
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
        Vec::new(),
    )
    .await
}

pub(super) async fn create(
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
        Vec::new(),
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
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
