//! `bearing serve`: the web application, until SIGINT or SIGTERM.

use std::io::Write;

use bearing_app::{Context, accounts};
use bearing_core::access::Role;
use bearing_core::{Actor, Source};
use bearing_store::{DbUrl, OpenMode, Store};
use bearing_web::{AppState, WebConfig};

use crate::cli::{DemoArgs, ServeArgs};
use crate::config::Config;

pub async fn run(config: &Config, args: &ServeArgs) -> anyhow::Result<()> {
    // With --demo the data lives in a temporary folder that is removed on exit.
    let mut demo_dir = None;
    let store = if args.demo {
        let dir = tempfile::Builder::new().prefix("bearing-demo-").tempdir()?;
        let url = DbUrl::sqlite(dir.path().join("demo.db"));
        let store = Store::open(&url, OpenMode::Checked).await?;
        let demo = DemoArgs {
            seed: args.seed,
            deals: None,
            as_of: None,
        };
        let (spec, summary, books) = super::demo::fill(&store, config, &demo).await?;
        tracing::info!(
            db = %url,
            organizations = summary.organizations,
            deals = summary.deals,
            ledger_lines = books.ledger_lines,
            closes = books.closes,
            seed = spec.seed,
            "serving the demo organisation from a temporary database"
        );
        demo_dir = Some(dir);
        store
    } else {
        super::open(config).await?
    };
    let mut state = AppState::new(store.clone());
    let mut greeting = Vec::new();
    if args.demo {
        greeting
            .push("Demo accounts (one per role; the passwords change at every start):".to_owned());
        for (email, role, password) in demo_accounts(&store).await? {
            greeting.push(format!("  {email:<28} {role:<13} {password}"));
        }
    } else if store.count_users().await? == 0 {
        let token = bearing_app::accounts::random_password()?;
        state = state.with_setup_token(token);
    }
    let listener = tokio::net::TcpListener::bind(config.addr.value)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.addr.value))?;
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, db = %store.url(), "listening");
    // One write, so that a reader sees the address and what follows it together; a closed
    // standard output does not stop the server.
    let mut text = format!("Bearing is listening on http://{local}\n");
    if let Some(token) = state.setup_token.as_deref() {
        text.push_str(&format!(
            "Bearing has no users yet. Create the first administrator at\n  http://{local}/setup?token={token}\n(the link works once, until this process stops), or stop and run `bearing user add EMAIL --role admin`.\n"
        ));
    } else {
        for line in &greeting {
            text.push_str(line);
            text.push('\n');
        }
    }
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        tracing::warn!(%error, "cannot write the greeting to standard output");
    }
    drop(out);
    let app = bearing_web::router(
        state,
        WebConfig {
            request_timeout: config.request_timeout.value,
            cookie_secure: config.cookie_secure.value,
            trusted_proxy_header: config.trusted_proxy_header.value.clone(),
            sessions: config.sessions(),
            members_see_cash: config.members_see_cash.value,
        },
    );
    // The scheduled usage pulls run beside the server and stop with it; a pull cut short
    // rolls back, so it writes all of its samples or none.
    let jobs = (!config.prometheus.is_empty()).then(|| {
        tokio::spawn(super::usage::scheduled(
            store.clone(),
            config.prometheus.clone(),
        ))
    });
    let served = bearing_web::serve(
        listener,
        app,
        bearing_web::ServerLimits::default(),
        bearing_web::shutdown_signal(),
    )
    .await;
    if let Some(jobs) = jobs {
        jobs.abort();
        let _ = jobs.await;
    }
    store.close().await;
    drop(demo_dir);
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// One account per role for the demo, each with a fresh random password.
async fn demo_accounts(store: &Store) -> anyhow::Result<Vec<(String, Role, String)>> {
    let ctx = Context::new(Actor::parse("demo")?, Source::Cli);
    let mut accounts = Vec::new();
    for &role in Role::ALL {
        let email = format!("{role}@demo.example");
        let password = accounts::random_password()?;
        accounts::add_user(store, &ctx, &email, None, role, &password).await?;
        accounts.push((email, role, password));
    }
    Ok(accounts)
}
