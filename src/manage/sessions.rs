//! Starting and ending browser sessions (SPEC H7), each one transaction with its audit
//! event. Sessions are not authorization facts (the generation is not bumped): every
//! request reads its session row, so a deleted row is seen at once by every instance.

use chrono::NaiveDateTime;

use super::Actor;
use crate::audit::{record, Outcome};
use crate::db::queries::sessions as session_q;
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;

/// A session to store for `user_id`; `token_hash` is the SHA-256 of the cookie's secret.
pub struct SessionStart {
    pub user_id: i64,
    pub token_hash: String,
    pub ip: Option<String>,
    pub user_agent: String,
}

/// The times before which a session counts as idle or too old (SPEC H7: 2 h, 12 h).
#[derive(Clone, Copy, Debug)]
pub struct Expiry {
    pub idle_since: NaiveDateTime,
    pub started_since: NaiveDateTime,
}

/// Stores the session of a successful sign-in and audits the login; the user's expired
/// sessions are cleared on the way, so rows do not pile up. Returns the session id.
pub fn start_session(
    conn: &mut DbConn,
    actor: &Actor,
    start: &SessionStart,
    expiry: Expiry,
) -> Result<i64, AppError> {
    write_tx(conn, |conn| {
        session_q::delete_expired_user_sessions(
            conn,
            start.user_id,
            expiry.idle_since,
            expiry.started_since,
        )?;
        let at = now();
        let id = session_q::insert_session(
            conn,
            &session_q::NewSession {
                token_hash: &start.token_hash,
                user_id: start.user_id,
                created_at: at,
                last_seen_at: at,
                ip: start.ip.as_deref(),
                user_agent: &start.user_agent,
            },
        )?;
        record(conn, actor, "login", "session", Outcome::Success, "")?;
        Ok(id)
    })
}

/// Sign-out: ends the caller's own session.
pub fn end_session(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    session_id: i64,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        if session_q::delete_session(conn, session_id, user_id)? {
            record(conn, actor, "logout", "session", Outcome::Success, "")?;
        }
        Ok(())
    })
}

/// Ends one of `user_id`'s sessions from `/admin/account`; 404 when it is not theirs or has
/// already ended.
pub fn revoke_session(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    username: &str,
    session_id: i64,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        if !session_q::delete_session(conn, session_id, user_id)? {
            return Err(AppError::NotFound);
        }
        let detail = format!("session {session_id}");
        record(
            conn,
            actor,
            "session.revoke",
            username,
            Outcome::Success,
            &detail,
        )?;
        Ok(())
    })
}

/// "Sign out everywhere else": ends every session of `user_id` but `keep`; returns how
/// many ended.
pub fn revoke_other_sessions(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    username: &str,
    keep: i64,
) -> Result<usize, AppError> {
    write_tx(conn, |conn| {
        let ended = session_q::delete_user_sessions(conn, user_id, Some(keep))?;
        let detail = format!("every other session ({ended})");
        record(
            conn,
            actor,
            "session.revoke",
            username,
            Outcome::Success,
            &detail,
        )?;
        Ok(ended)
    })
}
