//! The scheduled jobs page: each job's latest run, and every run newest first, for admins.

use crate::access::Rule::Signed;
use axum::extract::State;
use axum::response::Response;
use bearing_core::access::Permission::ManageUsers;
use bearing_store::JobRunRecord;

use super::{Cell, HtmlTable, Layout, Routes, TablePage, error_page, minute, ok};
use crate::AppState;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new().get("/jobs", Signed(ManageUsers), jobs)
}

/// Runs listed on the page; the API and `bearing usage runs` list every one.
const RUNS_SHOWN: i64 = 200;

/// A run's outcome in words and as a traffic light.
fn outcome(run: &JobRunRecord) -> Cell {
    let (text, status) = match run.outcome.as_deref() {
        Some("ok") => ("ok", "green"),
        Some(_) => ("failed", "red"),
        None if run.finished_at.is_none() => ("running, or its instance stopped", "yellow"),
        None => ("unknown", "yellow"),
    };
    Cell {
        status: Some(status),
        ..Cell::text(text)
    }
}

async fn jobs(State(state): State<AppState>, caller: Caller) -> Response {
    let runs = match bearing_app::jobs::runs(&state.store, &caller.ctx(), Some(RUNS_SHOWN)).await {
        Ok(runs) => runs,
        Err(error) => return error_page(&caller, error),
    };
    let mut latest = HtmlTable::new(
        "Latest run of each job",
        &["Job", "Slot", "Instance", "Outcome", "What it did"],
    );
    let mut seen = std::collections::BTreeSet::new();
    for run in runs.iter().filter(|r| seen.insert(r.job.clone())) {
        latest.rows.push(vec![
            Cell::text(run.job.clone()),
            Cell::when(minute(run.slot)),
            Cell::text(run.instance.clone()),
            outcome(run),
            Cell::text(run.detail.clone().unwrap_or_default()),
        ]);
    }
    let mut all = HtmlTable::new(
        format!("Runs, newest first (the latest {RUNS_SHOWN})"),
        &[
            "Job",
            "Slot",
            "Instance",
            "Started",
            "Finished",
            "Outcome",
            "What it did",
        ],
    );
    all.rows = runs
        .iter()
        .map(|run| {
            vec![
                Cell::text(run.job.clone()),
                Cell::when(minute(run.slot)),
                Cell::text(run.instance.clone()),
                Cell::when(minute(run.started_at)),
                Cell::when(run.finished_at.map(minute).unwrap_or_default()),
                outcome(run),
                Cell::text(run.detail.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let intro = if runs.is_empty() {
        "No scheduled job has run yet. Scheduled usage pulls are the `[[prometheus]]` sources (their `every_hours`, 24 unless set, in the configuration); each runs once per slot, whichever instance claims it first.".to_owned()
    } else {
        "Each slot of a schedule runs once, on the instance that claims it first; the others skip it. Times are UTC.".to_owned()
    };
    let tables = if runs.is_empty() {
        Vec::new()
    } else {
        vec![latest, all]
    };
    ok(&TablePage {
        layout: Layout::new("Scheduled jobs", &caller, "/jobs"),
        intro,
        tables,
    })
}
