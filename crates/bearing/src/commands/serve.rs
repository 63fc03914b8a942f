//! `bearing serve`: the web application, until SIGINT or SIGTERM.

use std::io::Write;

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
        let (spec, summary) = super::demo::fill(&store, config, &demo).await?;
        tracing::info!(
            db = %url,
            organizations = summary.organizations,
            deals = summary.deals,
            seed = spec.seed,
            "serving the demo organisation from a temporary database"
        );
        demo_dir = Some(dir);
        store
    } else {
        super::open(config).await?
    };
    let listener = tokio::net::TcpListener::bind(config.addr.value)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.addr.value))?;
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, db = %store.url(), "listening");
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "Bearing is listening on http://{local}")?;
        out.flush()?;
    }
    let app = bearing_web::router(
        AppState {
            store: store.clone(),
        },
        WebConfig {
            request_timeout: config.request_timeout.value,
        },
    );
    let served = bearing_web::serve(listener, app, bearing_web::shutdown_signal()).await;
    store.close().await;
    drop(demo_dir);
    served?;
    tracing::info!("stopped");
    Ok(())
}
