//! Periodic jobs that must run once across instances sharing one database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::job_runs;
use crate::db::DbConn;

/// Claims the run of job `name` due when its last run is older than `every`: one atomic
/// `UPDATE … WHERE last_run_at <= now - every` (or the insert of its first row), so of
/// several instances asking at the same moment exactly one gets `true`.
pub fn claim_run(
    conn: &mut DbConn,
    name: &str,
    every: chrono::Duration,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let claimed = diesel::update(
        job_runs::table
            .filter(job_runs::name.eq(name))
            .filter(job_runs::last_run_at.le(now - every)),
    )
    .set(job_runs::last_run_at.eq(now))
    .execute(conn)?;
    if claimed == 1 {
        return Ok(true);
    }
    let exists: Option<String> = job_runs::table
        .find(name)
        .select(job_runs::name)
        .first(conn)
        .optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    match diesel::insert_into(job_runs::table)
        .values((job_runs::name.eq(name), job_runs::last_run_at.eq(now)))
        .execute(conn)
    {
        Ok(_) => Ok(true),
        // Another instance inserted the first row a moment ago: that run is theirs.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}
