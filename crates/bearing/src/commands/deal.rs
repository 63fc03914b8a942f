//! `bearing deal …`: the deal lifecycle from the command line.

use bearing_app::deals::{self, Deal, DealFilter, MoveDetails};
use bearing_core::deal::{DealFields, DealType, RevenueType};
use bearing_core::organization::OrganizationName;
use bearing_core::pipeline::{ForecastCategory, Probability};
use bearing_core::{Currency, Money};
use bearing_formats::{Format, Table};

use super::UsageError;
use crate::cli::{DealArgs, DealCommand};
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: DealCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

async fn dispatch(
    store: &bearing_store::Store,
    config: &Config,
    command: DealCommand,
) -> anyhow::Result<()> {
    match command {
        DealCommand::List { filter, format } => {
            let filter = DealFilter {
                stage: filter.stage,
                revenue_type: filter.revenue_type,
                owner: filter.owner,
                organization: filter.org,
                campaign: filter.campaign,
                closes_from: filter.closes_from,
                closes_to: filter.closes_to,
                include_deleted: filter.deleted,
            };
            let list = deals::list(store, &filter).await?;
            super::print_table(&deals::table(&list), format)
        }
        DealCommand::Show { id, format } => {
            let deal = deals::get(store, deals::resolve(store, &id).await?).await?;
            if format == Format::Json {
                outln!("{}", serde_json::to_string_pretty(&deal)?)?;
                return Ok(());
            }
            super::print_table(&fields_table(&deal), format)
        }
        DealCommand::Add { fields } => {
            let mut deal =
                DealFields::new("", bearing_formats::crm::DEFAULT_PIPELINE, "Enrichment");
            if fields.name.is_none() {
                return Err(UsageError("deal add needs --name".into()).into());
            }
            apply(&fields, &mut deal)?;
            let created = deals::create(store, &super::cli_context(config)?, deal).await?;
            outln!(
                "added deal {}: {} ({})",
                created.id,
                created.fields.name,
                created.fields.stage
            )?;
            Ok(())
        }
        DealCommand::Edit { id, fields } => {
            let id = deals::resolve(store, &id).await?;
            let mut deal = deals::get(store, id).await?.fields;
            apply(&fields, &mut deal)?;
            let edited = deals::edit(store, &super::cli_context(config)?, id, deal).await?;
            outln!(
                "deal {}: {} ({})",
                edited.id,
                edited.fields.name,
                edited.fields.stage
            )?;
            Ok(())
        }
        DealCommand::Move {
            id,
            stage,
            loss_reason,
            amount,
            contract_start,
            contract_end,
            close_date,
        } => {
            let id = deals::resolve(store, &id).await?;
            let currency = deals::get(store, id).await?.fields.currency;
            let details = MoveDetails {
                loss_reason,
                amount_minor: amount
                    .map(|a| money("--amount", &a, currency))
                    .transpose()?,
                contract_start,
                contract_end,
                close_date,
            };
            let moved =
                deals::move_to(store, &super::cli_context(config)?, id, &stage, details).await?;
            outln!("deal {} is now in {}", moved.id, moved.fields.stage)?;
            Ok(())
        }
        DealCommand::Renew { id } => {
            let renewal = deals::renew(store, &super::cli_context(config)?, id).await?;
            outln!(
                "added deal {}: {} in {}, renewing deal {id}",
                renewal.id,
                renewal.fields.name,
                renewal.fields.stage
            )?;
            Ok(())
        }
        DealCommand::Delete { id } => {
            deals::delete(store, &super::cli_context(config)?, id).await?;
            outln!("deleted deal {id} (`bearing deal restore {id}` brings it back)")?;
            Ok(())
        }
        DealCommand::Restore { id } => {
            deals::restore(store, &super::cli_context(config)?, id).await?;
            outln!("restored deal {id}")?;
            Ok(())
        }
        DealCommand::History {
            id,
            from,
            to,
            format,
        } => {
            let id = match id {
                Some(deal) => Some(deals::resolve(store, &deal).await?),
                None => None,
            };
            let rows = deals::history(store, id, from, to).await?;
            super::print_table(&deals::history_table(&rows), format)
        }
    }
}

fn money(flag: &str, text: &str, currency: Currency) -> anyhow::Result<i64> {
    Money::parse(text, currency)
        .map(|m| m.minor)
        .map_err(|e| UsageError(format!("{flag}: {e}")).into())
}

/// Sets the flags that were given on `deal`.
fn apply(args: &DealArgs, deal: &mut DealFields) -> anyhow::Result<()> {
    let usage = |flag: &str, e: &dyn std::fmt::Display| {
        anyhow::Error::from(UsageError(format!("{flag}: {e}")))
    };
    if let Some(currency) = &args.currency {
        deal.currency = Currency::parse(currency).map_err(|e| usage("--currency", &e))?;
    }
    if let Some(name) = &args.name {
        deal.name = name.clone();
    }
    if let Some(org) = &args.org {
        deal.organization = Some(OrganizationName::parse(org).map_err(|e| usage("--org", &e))?);
    }
    if let Some(pipeline) = &args.pipeline {
        deal.pipeline = pipeline.clone();
    }
    if let Some(stage) = &args.stage {
        deal.stage = stage.clone();
    }
    if let Some(p) = &args.probability {
        deal.probability = Some(Probability::parse(p).map_err(|e| usage("--probability", &e))?);
    }
    if let Some(c) = &args.forecast_category {
        deal.forecast_category = Some(
            c.parse::<ForecastCategory>()
                .map_err(|e| usage("--forecast-category", &e))?,
        );
    }
    if let Some(t) = &args.revenue_type {
        deal.revenue_type = Some(RevenueType::parse(t).map_err(|e| usage("--type", &e))?);
    }
    if let Some(t) = &args.deal_type {
        deal.deal_type = t
            .parse::<DealType>()
            .map_err(|e| usage("--deal-type", &e))?;
    }
    if args.renews.is_some() {
        deal.renews = args.renews;
        deal.deal_type = DealType::Renewal;
    }
    if let Some(a) = &args.amount {
        deal.amount_minor = Some(money("--amount", a, deal.currency)?);
    }
    if let Some(a) = &args.collected {
        deal.collected_minor = Some(money("--collected", a, deal.currency)?);
    }
    for (value, slot) in [
        (args.close_date, &mut deal.close_date),
        (args.contract_start, &mut deal.contract_start),
        (args.contract_end, &mut deal.contract_end),
        (args.target_start, &mut deal.target_start),
        (args.target_end, &mut deal.target_end),
    ] {
        if value.is_some() {
            *slot = value;
        }
    }
    for (value, slot) in [
        (&args.owner, &mut deal.owner),
        (&args.campaign, &mut deal.campaign),
        (&args.loss_reason, &mut deal.loss_reason),
        (&args.agreement_url, &mut deal.links.agreement),
        (&args.engagement_url, &mut deal.links.engagement),
        (&args.tracker_url, &mut deal.links.tracker),
    ] {
        if let Some(v) = value {
            *slot = Some(v.clone());
        }
    }
    for field in &args.clear {
        match field.replace('_', "-").as_str() {
            "org" | "organization" => deal.organization = None,
            "probability" => deal.probability = None,
            "forecast-category" => deal.forecast_category = None,
            "type" | "revenue-type" => deal.revenue_type = None,
            "renews" => deal.renews = None,
            "amount" => deal.amount_minor = None,
            "collected" | "amount-collected" => deal.collected_minor = None,
            "close-date" => deal.close_date = None,
            "contract-start" => deal.contract_start = None,
            "contract-end" => deal.contract_end = None,
            "target-start" => deal.target_start = None,
            "target-end" => deal.target_end = None,
            "owner" => deal.owner = None,
            "campaign" => deal.campaign = None,
            "loss-reason" => deal.loss_reason = None,
            "agreement-url" => deal.links.agreement = None,
            "engagement-url" => deal.links.engagement = None,
            "tracker-url" => deal.links.tracker = None,
            other => {
                return Err(UsageError(format!(
                    "--clear: {other:?} cannot be cleared; clearable fields: org, probability, forecast-category, type, renews, amount, collected, close-date, contract-start, contract-end, target-start, target-end, owner, campaign, loss-reason, agreement-url, engagement-url, tracker-url"
                ))
                .into());
            }
        }
    }
    Ok(())
}

/// One deal as field/value rows.
fn fields_table(deal: &Deal) -> Table {
    let list = deals::table(std::slice::from_ref(deal));
    let mut out = Table::new(["field", "value"]);
    if let Some(row) = list.rows.first() {
        for (column, value) in list.columns.iter().zip(row) {
            out.push([Some(column.clone()), value.clone()]);
        }
    }
    let f = &deal.fields;
    let extra = [
        (
            "forecast_category",
            f.forecast_category.map(|c| c.to_string()),
        ),
        ("renews", f.renews.map(|r| r.to_string())),
        ("campaign", f.campaign.clone()),
        ("loss_reason", f.loss_reason.clone()),
        ("agreement_url", f.links.agreement.clone()),
        ("engagement_url", f.links.engagement.clone()),
        ("tracker_url", f.links.tracker.clone()),
        ("created_at", Some(deal.created_at.clone())),
        ("updated_at", Some(deal.updated_at.clone())),
    ];
    for (field, value) in extra {
        out.push([Some(field.to_owned()), value]);
    }
    for (system, id) in &deal.external_ids {
        out.push([Some(format!("{system}_id")), Some(id.clone())]);
    }
    for (key, value) in &deal.properties {
        out.push([Some(format!("property {key}")), Some(value.clone())]);
    }
    out
}
