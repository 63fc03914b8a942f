//! `bearing invoice …`: invoices and payments from the command line.

use bearing_app::invoices::{self, Filter, Invoice, NewDraft, NewPayment};
use bearing_core::Currency;
use bearing_store::Store;

use super::UsageError;
use crate::cli::InvoiceCommand;
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: InvoiceCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, config: &Config, command: InvoiceCommand) -> anyhow::Result<()> {
    let ctx = super::cli_context(config)?;
    match command {
        InvoiceCommand::List {
            status,
            org,
            kind,
            from,
            to,
            format,
        } => {
            let organization = match org {
                Some(org) => Some(invoices::organization(store, &org).await?),
                None => None,
            };
            let filter = Filter {
                status,
                organization,
                kind,
                from,
                to,
                deal: None,
            };
            let list = invoices::list(store, &ctx, &filter).await?;
            super::print_table(&invoices::table(&list), format)
        }
        InvoiceCommand::Show { invoice } => {
            let invoice = invoices::get(store, &ctx, &invoice).await?;
            show(&invoice)
        }
        InvoiceCommand::Add {
            org,
            deal,
            kind,
            lines,
            number,
            currency,
            service_from,
            service_to,
            billable,
            terms,
        } => {
            let deal = match deal {
                Some(text) => {
                    let reference = text
                        .parse::<bearing_app::deals::DealRef>()
                        .map_err(|e| UsageError(format!("--deal: {e}")))?;
                    Some(bearing_app::deals::resolve(store, &reference).await?)
                }
                None => None,
            };
            let currency = currency
                .map(|c| Currency::parse(&c).map_err(|e| UsageError(format!("--currency: {e}"))))
                .transpose()?;
            let draft = NewDraft {
                number,
                organization: invoices::organization(store, &org).await?,
                deal,
                kind,
                currency,
                service_from,
                service_to,
                billable_on: billable,
                terms_days: terms,
                external_id: None,
                source: None,
                lines,
            };
            let invoice = invoices::add(store, &ctx, draft).await?;
            outln!(
                "added draft invoice {} (id {}) to {}: {}",
                invoice.record.number,
                invoice.record.id,
                invoice.organization,
                money(&invoice, invoice.record.total_minor)
            )?;
            Ok(())
        }
        InvoiceCommand::Edit { invoice, lines } => {
            let invoice = invoices::edit_lines(store, &ctx, &invoice, &lines).await?;
            outln!(
                "draft invoice {} now bills {} in {} line(s)",
                invoice.record.number,
                money(&invoice, invoice.record.total_minor),
                invoice.record.lines.len()
            )?;
            Ok(())
        }
        InvoiceCommand::Issue { invoice, on } => {
            let invoice = invoices::issue(store, &ctx, &invoice, on).await?;
            outln!(
                "issued invoice {} on {}, due {}",
                invoice.record.number,
                day(invoice.record.issued_on),
                day(invoice.record.due_on)
            )?;
            Ok(())
        }
        InvoiceCommand::Pay {
            invoice,
            amount,
            on,
            reference,
        } => {
            let payment = NewPayment {
                on,
                amount,
                reference,
            };
            let invoice = invoices::pay(store, &ctx, &invoice, payment).await?;
            outln!(
                "invoice {}: {} paid, {} to pay ({})",
                invoice.record.number,
                money(&invoice, invoice.paid_minor),
                money(&invoice, invoice.balance_minor),
                invoice.status
            )?;
            Ok(())
        }
        InvoiceCommand::Void { invoice, reason } => {
            let invoice = invoices::void(store, &ctx, &invoice, &reason).await?;
            outln!("voided invoice {}", invoice.record.number)?;
            Ok(())
        }
    }
}

fn money(invoice: &Invoice, minor: i64) -> String {
    bearing_core::Money::from_minor(minor, invoice.record.currency).to_string()
}

fn day(day: Option<bearing_core::Date>) -> String {
    day.map_or_else(|| "-".to_owned(), bearing_core::day_words)
}

/// An invoice as a person reads it: whom it bills, its lines, its payments, where it stands.
fn show(invoice: &Invoice) -> anyhow::Result<()> {
    let r = &invoice.record;
    outln!("Invoice {} (id {}): {}", r.number, r.id, invoice.status)?;
    outln!("  to        {}", invoice.organization)?;
    if let Some(deal) = &invoice.deal_name {
        outln!("  deal      {deal}")?;
    }
    outln!("  kind      {}", r.kind)?;
    if r.service_from.is_some() || r.service_to.is_some() {
        outln!(
            "  service   {} to {}",
            day(r.service_from),
            day(r.service_to)
        )?;
    }
    outln!("  billable  {}", day(r.billable_on))?;
    outln!("  issued    {}", day(r.issued_on))?;
    outln!("  due       {} ({} days)", day(r.due_on), r.terms_days)?;
    for line in &r.lines {
        outln!(
            "  {} × {}  {}  {}",
            line.quantity,
            money(invoice, line.unit_minor),
            money(invoice, line.amount_minor),
            line.description
        )?;
    }
    outln!("  total     {}", money(invoice, r.total_minor))?;
    for p in &r.payments {
        outln!(
            "  paid      {} on {}{}",
            money(invoice, p.amount_minor),
            bearing_core::day_words(p.paid_on),
            p.reference
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        )?;
    }
    outln!("  balance   {}", money(invoice, invoice.balance_minor))?;
    if let (Some(on), Some(reason)) = (r.voided_on, &r.void_reason) {
        outln!("  voided    {}: {reason}", bearing_core::day_words(on))?;
    }
    Ok(())
}
