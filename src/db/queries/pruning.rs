//! Deleting what has outlived its use (SPEC H9), for the maintenance job
//! (`manage::maintenance`). Each returns how many rows it removed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    audit_denials, audit_events, refresh_tokens, revoked_families, revoked_tokens, sessions,
    throttle_events,
};
use crate::db::DbConn;

/// Audit events older than `before` (the retention period).
pub fn delete_audit_events_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(audit_events::table.filter(audit_events::at.lt(before))).execute(conn)
}

/// Refresh tokens that have expired: they can no longer be exchanged, rotated or not.
pub fn delete_expired_refresh_tokens(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.le(now))).execute(conn)
}

/// Revoked access-token ids whose tokens have expired anyway.
pub fn delete_expired_revoked_tokens(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.le(now))).execute(conn)
}

/// Revoked families whose access tokens have all expired.
pub fn delete_expired_revoked_families(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(revoked_families::table.filter(revoked_families::expires_at.le(now)))
        .execute(conn)
}

/// Sign-in attempts older than `before` (no throttling window is that long).
pub fn delete_throttle_events_before(
    conn: &mut DbConn,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(throttle_events::table.filter(throttle_events::at.lt(before))).execute(conn)
}

/// Denial counters of minutes before `before` (only the current minute is counted).
pub fn delete_audit_denials_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(audit_denials::table.filter(audit_denials::minute.lt(before))).execute(conn)
}

/// Browser sessions started before `before` (past their absolute lifetime).
pub fn delete_sessions_started_before(
    conn: &mut DbConn,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::created_at.lt(before))).execute(conn)
}
