//! `bearing usage pull` and the scheduled pull of `bearing serve`.

use std::time::Duration;

use bearing_app::Context;
use bearing_core::{Actor, Date, Source};
use bearing_formats::prometheus::Pull;
use bearing_store::Store;

use super::UsageError;
use crate::cli::{PullArgs, UsageCommand};
use crate::config::{Config, DEFAULT_PULL_DAYS, DEFAULT_PULL_EVERY_HOURS, PrometheusSource};
use crate::output::outln;

pub async fn run(config: &Config, command: UsageCommand) -> anyhow::Result<()> {
    match command {
        UsageCommand::Pull(args) => {
            let pulls = pulls(config, &args)?;
            let store = super::open(config).await?;
            let ctx = super::cli_context(config)?;
            let mut result = Ok(());
            for pull in &pulls {
                // A reader gone from standard output stops the pulls, as a failed pull does.
                let pulled = match bearing_app::usage::pull(&store, &ctx, pull, args.dry_run).await
                {
                    Ok(plan) => outln!(
                        "{}{}",
                        if args.dry_run { "dry run: " } else { "" },
                        plan.summary()
                    )
                    .map_err(anyhow::Error::from),
                    Err(e) => Err(e.into()),
                };
                if let Err(e) = pulled {
                    result = Err(e);
                    break;
                }
            }
            store.close().await;
            result
        }
        UsageCommand::Runs { limit, format } => {
            let store = super::open(config).await?;
            let ctx = super::cli_context(config)?;
            let runs = bearing_app::jobs::runs(&store, &ctx, Some(limit)).await;
            store.close().await;
            super::print_table(&bearing_app::jobs::table(&runs?), format)
        }
    }
}

/// The pulls the arguments ask for: the one server named, or every configured source.
fn pulls(config: &Config, args: &PullArgs) -> anyhow::Result<Vec<Pull>> {
    let to = args.to.unwrap_or_else(today);
    let from = match args.from {
        Some(from) => from,
        None => days_before(to, DEFAULT_PULL_DAYS)?,
    };
    if to < from {
        return Err(UsageError(format!("--to {to} is before --from {from}")).into());
    }
    let sources: Vec<PrometheusSource> = match &args.prometheus {
        Some(url) => vec![PrometheusSource {
            url: url.clone(),
            token: None,
            token_env: None,
            query: None,
            label: None,
            cluster: None,
            step: None,
            timeout: None,
            names: Default::default(),
            every_hours: None,
            days: None,
        }],
        None if config.prometheus.is_empty() => {
            return Err(UsageError(
                "name a server with --prometheus URL, or list them as [[prometheus]] tables in the configuration file".into(),
            )
            .into());
        }
        None => config.prometheus.clone(),
    };
    sources
        .iter()
        .map(|source| {
            let mut pull = source.pull(from, to)?;
            if let Some(token) = &args.token {
                pull.token = Some(token.clone());
            }
            if let Some(query) = &args.query {
                pull.query = query.clone();
            }
            if let Some(label) = &args.label {
                pull.label = label.clone();
            }
            if let Some(cluster) = &args.cluster {
                pull.cluster = Some(cluster.clone());
            }
            pull.names.extend(args.names.iter().cloned());
            if let Some(step) = args.step {
                if step == 0 {
                    return Err(UsageError("--step must be at least 1 second".into()).into());
                }
                pull.step = Duration::from_secs(step);
            }
            if let Some(timeout) = args.timeout {
                if !(1..=3600).contains(&timeout) {
                    return Err(UsageError("--timeout must be 1 to 3600 seconds".into()).into());
                }
                pull.timeout = Duration::from_secs(timeout);
            }
            Ok(pull)
        })
        .collect()
}

fn today() -> Date {
    jiff::Zoned::now().date()
}

fn days_before(day: Date, days: u32) -> anyhow::Result<Date> {
    Ok(day.checked_sub(jiff::Span::new().days(i64::from(days.saturating_sub(1))))?)
}

/// Pulls every scheduled source in each slot of its schedule (every `every_hours`, at the same
/// moments on every instance), until the task is dropped: the instance that claims a slot in
/// the database runs it, so several instances on one database pull once. The slot under way
/// at start is run when no instance has run it yet. A failed pull writes nothing and is
/// logged and recorded; each pull reads the last `days` days, so a missed slot is caught up by
/// the next.
pub async fn scheduled(store: Store, sources: Vec<PrometheusSource>) {
    let ctx = match Actor::parse("usage-pull") {
        Ok(actor) => Context::new(actor, Source::Job),
        Err(error) => {
            tracing::error!(%error, "the scheduled usage pull cannot name itself");
            return;
        }
    };
    let instance = instance_name();
    let mut tasks = tokio::task::JoinSet::new();
    for source in sources {
        let every = source.every_hours.unwrap_or(DEFAULT_PULL_EVERY_HOURS);
        if every == 0 {
            continue;
        }
        let store = store.clone();
        let ctx = ctx.clone();
        let instance = instance.clone();
        tasks.spawn(async move {
            let every =
                jiff::SignedDuration::from_hours(i64::try_from(every).unwrap_or(i64::MAX / 3600));
            let job = format!("usage pull from {}", source.url);
            loop {
                let slot = match bearing_app::jobs::slot_of(jiff::Timestamp::now(), every) {
                    Ok(slot) => slot,
                    Err(error) => {
                        tracing::error!(%error, %job, "the usage pull cannot be scheduled");
                        return;
                    }
                };
                let run =
                    bearing_app::jobs::run_in_slot(&store, &ctx, &job, slot, &instance, || {
                        pull_once(&store, &ctx, &source)
                    })
                    .await;
                match run {
                    Ok(bearing_app::jobs::SlotRun::Skipped) => {
                        tracing::debug!(%job, %slot, "another instance has this slot")
                    }
                    Ok(bearing_app::jobs::SlotRun::Ran { ok: true, detail }) => {
                        tracing::info!(%job, result = %detail, "scheduled usage pull")
                    }
                    Ok(bearing_app::jobs::SlotRun::Ran { ok: false, detail }) => {
                        tracing::warn!(%job, error = %detail, "scheduled usage pull failed")
                    }
                    Err(error) => tracing::warn!(%job, %error, "scheduled usage pull not claimed"),
                }
                let next = slot.checked_add(every).unwrap_or(slot);
                let wait = jiff::Timestamp::now().duration_until(next);
                tokio::time::sleep(wait.unsigned_abs().max(Duration::from_secs(1))).await;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

/// This instance's name in the record of job runs: the host and the process.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}:{}", std::process::id())
}

/// One pull of the last days: what it wrote, or why it wrote nothing.
async fn pull_once(
    store: &Store,
    ctx: &Context,
    source: &PrometheusSource,
) -> Result<String, String> {
    let to = today();
    let pull = days_before(to, source.days.unwrap_or(DEFAULT_PULL_DAYS))
        .and_then(|from| source.pull(from, to))
        .map_err(|error| format!("not started: {error}"))?;
    bearing_app::usage::pull(store, ctx, &pull, false)
        .await
        .map(|plan| plan.summary())
        .map_err(|error| error.to_string())
}
