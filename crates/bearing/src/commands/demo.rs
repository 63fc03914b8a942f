//! `bearing demo`: fill an empty database with the fictional demo organisation.

use bearing_core::demo::{DemoSpec, generate};
use bearing_store::Store;

use crate::cli::DemoArgs;
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, args: &DemoArgs) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = fill(&store, config, args).await;
    store.close().await;
    let (spec, summary, books) = result?;
    outln!(
        "demo organisation written to {}: {} organizations, {} contacts, {} campaigns, {} deals, {} clusters with {} usage samples, {} months of ledger ({} lines) with the last {} closed, {} invoices with {} payments, the sponsor's invoice ledger ({} invoices, {} to reconcile), {} scenarios (seed {}, as of {})",
        config.db.value,
        summary.organizations,
        summary.contacts,
        summary.campaigns,
        summary.deals,
        summary.clusters,
        summary.samples,
        books.months,
        books.ledger_lines,
        books.closes,
        books.invoices,
        books.payments,
        books.ledger_invoices,
        books.discrepancies,
        books.scenarios,
        spec.seed,
        spec.as_of
    )?;
    Ok(())
}

/// Generates and loads the demo organisation into `store`.
pub async fn fill(
    store: &Store,
    config: &Config,
    args: &DemoArgs,
) -> anyhow::Result<(
    DemoSpec,
    bearing_app::demo::DemoSummary,
    bearing_app::demo::BooksSummary,
)> {
    let spec = DemoSpec {
        seed: args.seed,
        as_of: args.as_of.unwrap_or_else(|| jiff::Zoned::now().date()),
        deals: args.deals.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    };
    let data = generate(spec);
    let ctx = super::cli_context(config)?;
    let summary = bearing_app::demo::load(store, &ctx, &data).await?;
    let books = bearing_app::demo::load_books(store, &ctx, spec.as_of).await?;
    Ok((spec, summary, books))
}
