//! The maintenance job: prunes what has outlived its use so that no table grows without
//! bound (SPEC H9). Every instance runs the loop; `job_runs` lets one of them do each run.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::queries::{jobs, pruning};
use crate::db::{now, Db, DbConn};

/// The job's name in `job_runs`.
pub const JOB: &str = "maintenance";

/// How often the job runs (across all instances together).
pub const EVERY: Duration = Duration::from_secs(10 * 60);

/// The first check after start: soon, so a restart does not postpone pruning by a period.
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(30);

/// Throttling windows are at most an hour (SPEC H4); a day is ample.
const THROTTLE_KEPT: chrono::Duration = chrono::Duration::days(1);

/// Denials are counted per minute; older counters are never read again.
const DENIAL_COUNTERS_KEPT: chrono::Duration = chrono::Duration::hours(1);

/// A browser session ends 12 h after it started (SPEC H7).
const SESSION_LIFETIME: chrono::Duration = chrono::Duration::hours(12);

/// Rows removed by one run, by table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub audit_events: usize,
    pub refresh_tokens: usize,
    pub revoked_tokens: usize,
    pub revoked_families: usize,
    pub throttle_events: usize,
    pub audit_denials: usize,
    pub sessions: usize,
}

/// Deletes, as of `now`: audit events older than `retention_days`, expired refresh tokens,
/// revoked token ids and revoked families past their expiry, sign-in attempts older than a
/// day, denial counters older than an hour and sessions older than 12 h. Each delete is
/// its own statement, so no lock is held across tables.
pub fn prune(conn: &mut DbConn, now: NaiveDateTime, retention_days: u32) -> QueryResult<Pruned> {
    let retention = chrono::Duration::days(i64::from(retention_days));
    Ok(Pruned {
        audit_events: pruning::delete_audit_events_before(conn, now - retention)?,
        refresh_tokens: pruning::delete_expired_refresh_tokens(conn, now)?,
        revoked_tokens: pruning::delete_expired_revoked_tokens(conn, now)?,
        revoked_families: pruning::delete_expired_revoked_families(conn, now)?,
        throttle_events: pruning::delete_throttle_events_before(conn, now - THROTTLE_KEPT)?,
        audit_denials: pruning::delete_audit_denials_before(conn, now - DENIAL_COUNTERS_KEPT)?,
        sessions: pruning::delete_sessions_started_before(conn, now - SESSION_LIFETIME)?,
    })
}

/// Runs [`prune`] if this instance claims the run that is due (none ran for [`EVERY`]);
/// `None` when another instance has it. Call outside a transaction.
pub fn run_if_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    retention_days: u32,
) -> QueryResult<Option<Pruned>> {
    // A little less than the period, so that timer drift between instances never skips
    // a whole period.
    let due = chrono::Duration::from_std(EVERY).unwrap_or_default() - chrono::Duration::seconds(5);
    if !jobs::claim_run(conn, JOB, due, now)? {
        return Ok(None);
    }
    prune(conn, now, retention_days).map(Some)
}

/// The loop every instance runs for as long as it serves (see `startup`).
pub async fn run_periodically(db: Db, retention_days: u32) {
    tokio::time::sleep(FIRST_CHECK_AFTER).await;
    let mut ticks = tokio::time::interval(EVERY);
    loop {
        ticks.tick().await;
        let result = db
            .run(move |conn| Ok(run_if_due(conn, now(), retention_days)?))
            .await;
        match result {
            Ok(Some(pruned)) => tracing::info!(?pruned, "maintenance: pruned old rows"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "maintenance failed; trying again next period"),
        }
    }
}
