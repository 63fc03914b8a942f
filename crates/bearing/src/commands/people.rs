//! `bearing person …` and `bearing band …`: the team, its assignments, its bands and its cost.

use bearing_app::patch::Edit;
use bearing_app::people;
use bearing_core::people::{AssignmentFields, Band, BandRules, CostRates, PersonFields};
use bearing_core::{Currency, Money, Month};

use super::UsageError;
use crate::cli::{BandCommand, PersonCommand};
use crate::config::Config;
use crate::output::outln;

fn today() -> bearing_core::Date {
    jiff::Zoned::now().date()
}

fn dollars(text: &str, what: &str) -> anyhow::Result<i64> {
    Ok(Money::parse(text, Currency::default())
        .map_err(|e| UsageError(format!("{what}: {e}")))?
        .minor)
}

pub async fn person(config: &Config, command: PersonCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = person_command(&store, config, command).await;
    store.close().await;
    result
}

async fn person_command(
    store: &bearing_store::Store,
    config: &Config,
    command: PersonCommand,
) -> anyhow::Result<()> {
    match command {
        PersonCommand::List { format } => {
            super::print_table(&people::people_table(store, today()).await?, format)
        }
        PersonCommand::Add {
            name,
            kind,
            email,
            github,
            renewal,
        } => {
            let fields = PersonFields {
                name,
                email,
                github,
                kind,
                renewal,
            };
            let created = people::add_person(store, &super::cli_context(config)?, fields).await?;
            outln!(
                "added {} {}: {}",
                created.fields.kind,
                created.id,
                created.fields.name
            )?;
            Ok(())
        }
        PersonCommand::Assign {
            person,
            role,
            level,
            step,
            fte,
            start,
            end,
            funding,
            monthly_payment,
            description,
        } => {
            let who = people::find_person(store, &person).await?;
            let fields = AssignmentFields {
                role,
                level,
                step,
                fte,
                start,
                end,
                monthly_payment: monthly_payment
                    .map(|p| dollars(&p, "--monthly-payment"))
                    .transpose()?,
                description,
                funding,
            };
            let created =
                people::assign(store, &super::cli_context(config)?, who.id, fields).await?;
            outln!(
                "assignment {}: {} as {} step {} from {}",
                created.id,
                created.person,
                bearing_core::roles::title(&created.fields.role, created.fields.level),
                created.fields.step,
                created.fields.start
            )?;
            Ok(())
        }
        PersonCommand::Edit {
            person,
            name,
            kind,
            email,
            github,
            renewal,
            clear,
        } => {
            let who = people::find_person(store, &person).await?;
            let mut patch = people::PersonPatch {
                name,
                kind,
                email: Edit::given(email),
                github: Edit::given(github),
                renewal: Edit::given(renewal),
            };
            super::clear_flags(&clear, |field| patch.clear(field))?;
            let edited =
                people::edit_person(store, &super::cli_context(config)?, who.id, patch).await?;
            outln!(
                "{} {}: {}",
                edited.fields.kind,
                edited.id,
                edited.fields.name
            )?;
            Ok(())
        }
        PersonCommand::EditAssignment {
            id,
            role,
            level,
            step,
            fte,
            start,
            end,
            funding,
            monthly_payment,
            description,
            clear,
        } => {
            let payment = monthly_payment
                .map(|p| dollars(&p, "--monthly-payment"))
                .transpose()?;
            let mut patch = people::AssignmentPatch {
                role,
                level,
                step,
                fte,
                start,
                end: Edit::given(end),
                monthly_payment: Edit::given(payment),
                description: Edit::given(description),
                funding: (!funding.is_empty()).then_some(funding),
            };
            super::clear_flags(&clear, |field| patch.clear(field))?;
            let edited =
                people::edit_assignment(store, &super::cli_context(config)?, id, patch).await?;
            outln!(
                "assignment {}: {} as {} step {} from {}{}",
                edited.id,
                edited.person,
                bearing_core::roles::title(&edited.fields.role, edited.fields.level),
                edited.fields.step,
                edited.fields.start,
                edited
                    .fields
                    .end
                    .map(|e| format!(" until {e}"))
                    .unwrap_or_default()
            )?;
            Ok(())
        }
        PersonCommand::Delete { person } => {
            let who = people::find_person(store, &person).await?;
            let gone = people::delete_person(store, &super::cli_context(config)?, who.id).await?;
            outln!("deleted person {}: {}", gone.id, gone.fields.name)?;
            Ok(())
        }
        PersonCommand::Restore { id } => {
            let back = people::restore_person(store, &super::cli_context(config)?, id).await?;
            outln!("restored person {}: {}", back.id, back.fields.name)?;
            Ok(())
        }
        PersonCommand::DeleteAssignment { id } => {
            let gone = people::delete_assignment(store, &super::cli_context(config)?, id).await?;
            outln!("deleted assignment {}: {}", gone.id, gone.person)?;
            Ok(())
        }
        PersonCommand::RestoreAssignment { id } => {
            let back = people::restore_assignment(store, &super::cli_context(config)?, id).await?;
            outln!("restored assignment {}: {}", back.id, back.person)?;
            Ok(())
        }
        PersonCommand::Unassign { id, end } => {
            let ended =
                people::end_assignment(store, &super::cli_context(config)?, id, end).await?;
            outln!("assignment {}: {} until {end}", ended.id, ended.person)?;
            Ok(())
        }
        PersonCommand::Assignments { format } => super::print_table(
            &people::assignments_table(store, &super::cli_context(config)?).await?,
            format,
        ),
        PersonCommand::Rate {
            cost,
            hours,
            fee,
            margin,
        } => {
            let input = people::RateInput {
                cost,
                hours,
                fee,
                margin,
            };
            let rate = people::rate(store, &super::cli_context(config)?, input, today())
                .await
                .map_err(|e| match e {
                    bearing_app::AppError::Invalid { message, .. } => {
                        anyhow::Error::new(UsageError(format!("--{message}")))
                    }
                    other => other.into(),
                })?;
            outln!(
                "{} ÷ {} hours × {} (FSP fee) × {} (margin) = ${:.2} an hour",
                bearing_core::forecast::dollars(rate.cost),
                rate.hours,
                1.0 + rate.fee,
                1.0 + rate.margin,
                rate.hourly_rate
            )?;
            Ok(())
        }
        PersonCommand::Balance { format } => {
            let (_, assumptions) = bearing_app::assumptions::current(store, today()).await?;
            let b =
                people::balance(store, &super::cli_context(config)?, &assumptions, today()).await?;
            super::print_table(&people::balance_table(&b), format)
        }
        PersonCommand::Cost {
            from,
            months,
            format,
        } => {
            let first = match from {
                Some(text) => {
                    Month::parse(&text).map_err(|e| UsageError(format!("--from: {e}")))?
                }
                None => Month::of(today())
                    .plus(-12)
                    .ok_or_else(|| UsageError("no month a year ago".into()))?,
            };
            if !(1..=120).contains(&months) {
                return Err(UsageError("--months must be 1 to 120".into()).into());
            }
            let months: Vec<Month> = (0..i32::from(months))
                .filter_map(|i| first.plus(i))
                .collect();
            let lines = people::team_cost(
                store,
                &super::cli_context(config)?,
                &months,
                &CostRates::default(),
            )
            .await?;
            super::print_table(&people::team_cost_table(&lines), format)
        }
    }
}

pub async fn band(config: &Config, command: BandCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = band_command(&store, config, command).await;
    store.close().await;
    result
}

async fn band_command(
    store: &bearing_store::Store,
    config: &Config,
    command: BandCommand,
) -> anyhow::Result<()> {
    match command {
        BandCommand::List { on, format } => super::print_table(
            &people::bands_table(store, on.unwrap_or_else(today)).await?,
            format,
        ),
        BandCommand::Generate {
            ladder,
            benchmark,
            reference_level,
            reference_step,
            levels,
            steps,
            from,
        } => {
            let from = from.unwrap_or_else(today);
            let bands = people::generated_bands(
                &ladder,
                benchmark,
                (reference_level, reference_step),
                levels,
                steps,
                from,
                &BandRules::default(),
            )?;
            people::set_generated_bands(store, &super::cli_context(config)?, &bands).await?;
            outln!("{} bands of {ladder} from {from}", bands.len())?;
            Ok(())
        }
        BandCommand::Set {
            ladder,
            level,
            step,
            annual_base,
            from,
        } => {
            let band = Band {
                ladder,
                level,
                step,
                annual_base: dollars(&annual_base, "ANNUAL_BASE")?,
                effective_from: from.unwrap_or_else(today),
                note: None,
            };
            people::set_bands(
                store,
                &super::cli_context(config)?,
                std::slice::from_ref(&band),
            )
            .await?;
            outln!(
                "{} step {}: {annual_base} from {}",
                bearing_core::roles::title(&band.ladder, band.level),
                band.step,
                band.effective_from
            )?;
            Ok(())
        }
        BandCommand::Cola { percent, from } => {
            let from = from.unwrap_or_else(today);
            let raised =
                people::cost_of_living(store, &super::cli_context(config)?, percent, from).await?;
            outln!("{} bands raised by {percent}% from {from}", raised.len())?;
            Ok(())
        }
    }
}
