//! The pipeline board: a column per stage, a card per deal, moved by drag and drop or its form.

use super::*;

pub(super) const CARDS_PER_COLUMN: usize = 40;
/// Rows per page of the deals table.

#[derive(Debug, Clone)]
pub(super) struct CardView {
    id: DealId,
    name: String,
    amount: String,
    probability: String,
    organization: String,
    close_date: String,
    owner: String,
}

#[derive(Debug, Clone)]
pub(super) struct ColumnView {
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
pub(super) struct BoardPage {
    layout: Layout,
    pipelines: Vec<String>,
    pipeline: String,
    stage_names: Vec<String>,
    columns: Vec<ColumnView>,
    can_edit: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct BoardQuery {
    pipeline: Option<String>,
}

pub(super) async fn board(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<BoardQuery>,
) -> Response {
    let (list, stages) = match load(&state, &DealFilter::default()).await {
        Ok(found) => found,
        Err(error) => return error_page(&caller, error),
    };
    let names = match crate::pages::crm::OrgNames::load(&state).await {
        Ok(names) => names,
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
                        amount: match d.fields.amount_minor {
                            None => "no amount".to_owned(),
                            some => money_text(some, d.fields.currency),
                        },
                        probability: probability_text(d),
                        organization: d
                            .fields
                            .organization
                            .as_ref()
                            .map(|o| names.name(o))
                            .unwrap_or_default(),
                        close_date: d
                            .fields
                            .close_date
                            .map_or_else(|| "—".to_owned(), crate::pages::day_text),
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
