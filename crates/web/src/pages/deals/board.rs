//! The pipeline board: a column per open stage and a drop target for won and lost, a compact
//! card per deal, filters by owner, type and close period, moved by drag and drop or the move
//! control on each card, with a way to undo the last move.

use super::*;

pub(super) const CARDS_PER_COLUMN: usize = 40;
/// Cards a won or lost column shows: the most recently closed.
const CLOSED_CARDS: usize = 5;

#[derive(Debug, Clone)]
pub(super) struct CardView {
    id: DealId,
    name: String,
    amount: String,
    probability: String,
    organization: String,
    close_date: String,
    /// The close date is past and the deal is still open.
    overdue: bool,
    owner: String,
    /// What the deal lacks to count in the forecast, in words; empty when it counts.
    needs: String,
}

#[derive(Debug, Clone)]
pub(super) struct ColumnView {
    name: String,
    query: String,
    /// `open`, `won` or `lost`.
    outcome: &'static str,
    count: usize,
    amount: String,
    weighted: String,
    cards: Vec<CardView>,
    hidden: usize,
}

/// The last move, with what undoing it takes.
#[derive(Debug, Clone)]
pub(super) struct LastMove {
    id: String,
    name: String,
    from: String,
    to: String,
    close_date: String,
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
    owners: Vec<String>,
    types: Vec<String>,
    query: BoardQuery,
    moved: Option<LastMove>,
    shown: String,
}

/// The periods a close date can be filtered by.
const PERIODS: [(&str, &str); 4] = [
    ("overdue", "overdue"),
    ("month", "this month"),
    ("quarter", "this quarter"),
    ("90", "the next 90 days"),
];

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(super) struct BoardQuery {
    pipeline: Option<String>,
    owner: String,
    revenue_type: String,
    closes: String,
    /// The deal just moved, the stage and close date it had: for the undo.
    moved: Option<i64>,
    from: String,
    was_closing: String,
}

impl BoardQuery {
    /// Whether a deal's close date is in the chosen period.
    fn closes_in_period(
        &self,
        close: Option<bearing_core::Date>,
        today: bearing_core::Date,
    ) -> bool {
        let month = bearing_core::Month::of(today);
        match (self.closes.as_str(), close) {
            ("", _) => true,
            (_, None) => false,
            ("overdue", Some(d)) => d < today,
            ("month", Some(d)) => bearing_core::Month::of(d) == month,
            ("quarter", Some(d)) => {
                let quarter = |m: bearing_core::Month| (m.year(), (m.month() - 1) / 3);
                quarter(bearing_core::Month::of(d)) == quarter(month)
            }
            ("90", Some(d)) => {
                d >= today
                    && today
                        .checked_add(jiff::Span::new().days(90))
                        .is_ok_and(|limit| d <= limit)
            }
            _ => true,
        }
    }
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
    let today = crate::pages::home::today();
    let mut pipelines: Vec<String> = stages.iter().map(|s| s.pipeline.clone()).collect();
    pipelines.dedup();
    let pipeline = q
        .pipeline
        .clone()
        .filter(|p| pipelines.contains(p))
        .or_else(|| pipelines.first().cloned())
        .unwrap_or_default();
    let in_pipeline: Vec<&Deal> = list
        .iter()
        .filter(|d| d.fields.pipeline == pipeline)
        .collect();
    let mut owners: Vec<String> = in_pipeline
        .iter()
        .filter_map(|d| d.fields.owner.clone())
        .collect();
    owners.sort_by_key(|o| o.to_lowercase());
    owners.dedup();
    let mut types: Vec<String> = in_pipeline
        .iter()
        .filter_map(|d| d.fields.revenue_type.as_ref().map(ToString::to_string))
        .collect();
    types.sort();
    types.dedup();
    let shown: Vec<&Deal> = in_pipeline
        .iter()
        .copied()
        .filter(|d| q.owner.is_empty() || d.fields.owner.as_deref() == Some(q.owner.as_str()))
        .filter(|d| {
            q.revenue_type.is_empty()
                || d.fields
                    .revenue_type
                    .as_ref()
                    .map(ToString::to_string)
                    .as_deref()
                    == Some(q.revenue_type.as_str())
        })
        .filter(|d| q.closes_in_period(d.fields.close_date, today))
        .collect();
    let card = |d: &Deal| {
        let needs = forecast::missing_for_forecast(d);
        CardView {
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
                .map_or_else(|| "no close date".to_owned(), crate::pages::day_text),
            overdue: d.stage_outcome == StageOutcome::Open
                && d.fields.close_date.is_some_and(|c| c < today),
            owner: d.fields.owner.clone().unwrap_or_default(),
            needs: if needs.is_empty() {
                String::new()
            } else {
                format!("needs {} to count in the forecast", needs.join(", "))
            },
        }
    };
    let columns = stages
        .iter()
        .filter(|s| s.pipeline == pipeline && !s.retired)
        .map(|stage| {
            let mut in_stage: Vec<&Deal> = shown
                .iter()
                .copied()
                .filter(|d| d.fields.stage == stage.name)
                .collect();
            let open = stage.outcome == StageOutcome::Open;
            if open {
                in_stage.sort_by(|a, b| {
                    a.fields
                        .close_date
                        .cmp(&b.fields.close_date)
                        .then(a.id.cmp(&b.id))
                });
            } else {
                // The most recently closed first.
                in_stage.sort_by(|a, b| {
                    b.fields
                        .close_date
                        .cmp(&a.fields.close_date)
                        .then(b.id.cmp(&a.id))
                });
            }
            let (count, amount, weighted) = deals::totals(in_stage.iter().copied());
            let limit = if open { CARDS_PER_COLUMN } else { CLOSED_CARDS };
            ColumnView {
                name: stage.name.clone(),
                query: encode_query(&stage.name),
                outcome: match stage.outcome {
                    StageOutcome::Open => "open",
                    StageOutcome::Won => "won",
                    StageOutcome::Lost => "lost",
                },
                count,
                amount: dollars(amount),
                weighted: dollars(weighted),
                hidden: in_stage.len().saturating_sub(limit),
                cards: in_stage.into_iter().take(limit).map(card).collect(),
            }
        })
        .collect();
    let moved = q.moved.and_then(|id| {
        let deal = list.iter().find(|d| d.id.get() == id)?;
        (!q.from.is_empty() && q.from != deal.fields.stage).then(|| LastMove {
            id: id.to_string(),
            name: deal.fields.name.clone(),
            from: q.from.clone(),
            to: deal.fields.stage.clone(),
            close_date: q.was_closing.clone(),
        })
    });
    let filtered = !(q.owner.is_empty() && q.revenue_type.is_empty() && q.closes.is_empty());
    ok(&BoardPage {
        layout: Layout::new("Pipeline", &caller, "/pipeline"),
        stage_names: stage_names(&stages, &pipeline),
        shown: if filtered {
            format!(
                "{} of {} deals match the filters",
                shown.len(),
                in_pipeline.len()
            )
        } else {
            String::new()
        },
        pipelines,
        pipeline,
        columns,
        can_edit: caller.may(Permission::EditCrm),
        owners,
        types,
        query: q,
        moved,
    })
}

/// The periods the board's close filter offers: value and words.
pub(super) fn periods() -> &'static [(&'static str, &'static str)] {
    &PERIODS
}
