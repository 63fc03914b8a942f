//! CPU-heavy work off the async runtime: password hashes and the forecast's Monte Carlo runs
//! take milliseconds to seconds of one core, which on a runtime thread would stall every other
//! request. Each kind runs on tokio's blocking threads behind its own small limit, so a burst
//! of sign-ins or of first views after a change queues instead of taking the server's memory
//! and cores.

use tokio::sync::Semaphore;

use crate::{AppError, Result};

/// Password hashes and checks at once (Argon2id takes about 19 MiB each).
static HASHES: Semaphore = Semaphore::const_new(4);
/// Forecasts computed at once.
static FORECASTS: Semaphore = Semaphore::const_new(2);

async fn run<T: Send + 'static>(
    limit: &'static Semaphore,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let _permit = limit
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("the work queue is closed: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("background work failed: {e}")))
}

/// Runs a password hash or check.
pub(crate) async fn hash<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    run(&HASHES, work).await
}

/// Runs a forecast's heavy part.
pub(crate) async fn forecast<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    run(&FORECASTS, work).await
}
