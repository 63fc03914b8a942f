//! `bearing deal …`: the deal lifecycle from the command line.

use bearing_app::deals::{self, Deal, DealFilter, DealPatch, MoveDetails};
use bearing_app::patch::Edit;
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
            let deal = DealFields::new("", bearing_formats::crm::DEFAULT_PIPELINE, "Enrichment");
            if fields.name.is_none() {
                return Err(UsageError("deal add needs --name".into()).into());
            }
            let deal = patch(&fields, deal.currency)?.apply(&deal);
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
            let currency = deals::get(store, id).await?.fields.currency;
            let change = patch(&fields, currency)?;
            let edited = deals::patch(store, &super::cli_context(config)?, id, change).await?;
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

/// The edit the flags make: what they give is set, `--clear` clears, the rest is kept.
/// Amounts are in `currency` unless `--currency` says otherwise.
fn patch(args: &DealArgs, currency: Currency) -> anyhow::Result<DealPatch> {
    fn parsed<T, E: std::fmt::Display>(
        flag: &str,
        value: &Option<String>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> anyhow::Result<Edit<T>> {
        let value = value
            .as_deref()
            .map(|v| parse(v).map_err(|e| UsageError(format!("{flag}: {e}"))))
            .transpose()?;
        Ok(Edit::given(value))
    }
    let currency = match &args.currency {
        Some(c) => Currency::parse(c).map_err(|e| UsageError(format!("--currency: {e}")))?,
        None => currency,
    };
    let amount = |flag: &str, value: &Option<String>| {
        parsed(flag, value, |a| Money::parse(a, currency).map(|m| m.minor))
    };
    let text = |value: &Option<String>| Edit::given(value.clone());
    let mut patch = DealPatch {
        name: args.name.clone(),
        organization: parsed("--org", &args.org, OrganizationName::parse)?,
        pipeline: args.pipeline.clone(),
        stage: args.stage.clone(),
        probability: parsed("--probability", &args.probability, Probability::parse)?,
        forecast_category: parsed(
            "--forecast-category",
            &args.forecast_category,
            str::parse::<ForecastCategory>,
        )?,
        revenue_type: parsed("--type", &args.revenue_type, RevenueType::parse)?,
        deal_type: parsed("--deal-type", &args.deal_type, str::parse::<DealType>)?.apply(None),
        currency: args.currency.as_ref().map(|_| currency),
        amount_minor: amount("--amount", &args.amount)?,
        collected_minor: amount("--collected", &args.collected)?,
        close_date: Edit::given(args.close_date),
        contract_start: Edit::given(args.contract_start),
        contract_end: Edit::given(args.contract_end),
        target_start: Edit::given(args.target_start),
        target_end: Edit::given(args.target_end),
        owner: text(&args.owner),
        loss_reason: text(&args.loss_reason),
        renews: Edit::given(args.renews),
        campaign: text(&args.campaign),
        agreement: text(&args.agreement_url),
        engagement: text(&args.engagement_url),
        tracker: text(&args.tracker_url),
    };
    super::clear_flags(&args.clear, |field| patch.clear(field))?;
    Ok(patch)
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
        (
            "created_at",
            Some(bearing_store::timestamp_text(deal.created_at)),
        ),
        (
            "updated_at",
            Some(bearing_store::timestamp_text(deal.updated_at)),
        ),
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
