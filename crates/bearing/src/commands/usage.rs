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

/// Pulls every scheduled source now and then every `every_hours`, until the task is
/// dropped. A failed pull writes nothing and is logged; the next one tries again. Each pull
/// reads the last `days` days, so a missed run is caught up by the next.
pub async fn scheduled(store: Store, sources: Vec<PrometheusSource>) {
    let ctx = match Actor::parse("usage-pull") {
        Ok(actor) => Context::new(actor, Source::Job),
        Err(error) => {
            tracing::error!(%error, "the scheduled usage pull cannot name itself");
            return;
        }
    };
    let mut tasks = tokio::task::JoinSet::new();
    for source in sources {
        let every = source.every_hours.unwrap_or(DEFAULT_PULL_EVERY_HOURS);
        if every == 0 {
            continue;
        }
        let store = store.clone();
        let ctx = ctx.clone();
        tasks.spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs(every * 3600));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                pull_once(&store, &ctx, &source).await;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

async fn pull_once(store: &Store, ctx: &Context, source: &PrometheusSource) {
    let to = today();
    let pull = days_before(to, source.days.unwrap_or(DEFAULT_PULL_DAYS))
        .and_then(|from| source.pull(from, to));
    let pull = match pull {
        Ok(pull) => pull,
        Err(error) => {
            tracing::warn!(source = %source.url, %error, "scheduled usage pull not started");
            return;
        }
    };
    match bearing_app::usage::pull(store, ctx, &pull, false).await {
        Ok(plan) => {
            tracing::info!(source = %source.url, result = %plan.summary(), "scheduled usage pull")
        }
        Err(error) => tracing::warn!(source = %source.url, %error, "scheduled usage pull failed"),
    }
}
