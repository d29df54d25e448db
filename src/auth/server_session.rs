//! Browser sessions the server can end (SPEC H7), and the CSRF rule for the API (H8).
//!
//! The cookie (actix-session, private: encrypted and authenticated) carries the identity of
//! actix-identity, and that identity is a random 32-byte secret, not the user id. The server
//! keeps only the secret's SHA-256, in `sessions`. Each request with the cookie reads that
//! row (one lookup on a unique index, inside the read that resolves the caller): no row, or
//! one 2 h idle or 12 h old, and the caller is simply anonymous. Ending a session deletes its
//! row, so every instance on the database refuses the cookie on its next request; nothing
//! about sessions is kept in memory.

use actix_identity::{Identity, IdentityExt};
use actix_session::{Session, SessionExt};
use actix_web::http::{header, Method};
use actix_web::{HttpMessage, HttpRequest};
use chrono::{NaiveDateTime, TimeDelta};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::session::{csrf_matches, rotate_csrf};
use crate::db::queries::sessions::SessionKey;
use crate::error::AppError;
use crate::manage::sessions::{end_session, start_session, Expiry, SessionStart};
use crate::manage::Actor;
use crate::state::State;

/// A session unused this long has ended.
pub const IDLE: TimeDelta = TimeDelta::hours(2);
/// A session this old has ended, however busy.
pub const LIFETIME: TimeDelta = TimeDelta::hours(12);
/// `last_seen_at` is written at most this often per session: idleness is measured to the
/// minute, and a busy session costs one write a minute, not one per request.
pub const TOUCH_EVERY: TimeDelta = TimeDelta::seconds(60);

/// The header a script in the page sends the session's CSRF token in (H8).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Longest `User-Agent` kept for the sessions list.
const MAX_USER_AGENT: usize = 256;

/// The caller's own session, as resolved for this request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrentSession {
    pub id: i64,
}

/// The cut-off times of sessions at `now`.
pub fn expiry_at(now: NaiveDateTime) -> Expiry {
    Expiry {
        idle_since: now - IDLE,
        started_since: now - LIFETIME,
    }
}

/// Whether a stored session is still live at `now`.
pub fn is_live(session: &SessionKey, now: NaiveDateTime) -> bool {
    let expiry = expiry_at(now);
    session.last_seen_at > expiry.idle_since && session.created_at > expiry.started_since
}

/// Whether this request should move the session's `last_seen_at` (see [`TOUCH_EVERY`]).
pub fn needs_touch(session: &SessionKey, now: NaiveDateTime) -> bool {
    now - session.last_seen_at >= TOUCH_EVERY
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The SHA-256 of the session secret the request's cookie carries, if it carries one.
/// An identity of another shape (e.g. a user id from a cookie issued before sessions were
/// kept on the server) is no session at all.
pub fn presented_hash(req: &HttpRequest) -> Option<String> {
    let id = req.get_identity().ok()?.id().ok()?;
    let well_formed = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then(|| hash_secret(&id))
}

/// SPEC H8: an unsafe `/api` request authenticated by the session cookie must carry the
/// session's CSRF token in `X-CSRF-Token`. A cross-site page can make the browser send the
/// cookie (a form, or a "simple" fetch) but can neither read the token nor set the header.
/// Checked while the caller is resolved, so no handler runs without it. Bearer requests
/// never come here (the cookie is ignored when a token is sent); admin pages check the
/// token of their forms instead.
pub fn check_api_csrf(req: &HttpRequest) -> Result<(), AppError> {
    let path = req.path();
    let api = path == "/api" || path.starts_with("/api/");
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !api || safe {
        return Ok(());
    }
    let presented = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if csrf_matches(&req.get_session(), presented) {
        Ok(())
    } else {
        Err(AppError::CsrfFailed)
    }
}

/// Signs `user_id` in on this browser: a new session row with a fresh secret (audited as
/// `login`), then a new cookie session (no fixation) holding the secret and no CSRF token
/// yet (a new one is issued on the next page).
pub async fn sign_in(
    state: &State,
    req: &HttpRequest,
    session: &Session,
    user_id: i64,
    actor: Actor,
) -> Result<(), AppError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let start = SessionStart {
        user_id,
        token_hash: hash_secret(&secret),
        ip: actor.ip.clone(),
        user_agent: user_agent(req),
    };
    let expiry = expiry_at(crate::db::now());
    state
        .db
        .run(move |conn| start_session(conn, &actor, &start, expiry))
        .await?;
    session.renew();
    rotate_csrf(session);
    Identity::login(&req.extensions(), secret)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("{e}")))?;
    Ok(())
}

/// A signed-in browser session as signing out ends it: its row, its user, and who ends it
/// (`Caller::signed_in_session`).
pub struct SignedIn {
    pub actor: Actor,
    pub user_id: i64,
    pub session: CurrentSession,
}

/// Signs out: the session row is deleted (the cookie is dead even if kept), then the cookie
/// session is purged.
pub async fn sign_out(
    state: &State,
    signed_in: Option<SignedIn>,
    identity: Option<Identity>,
) -> Result<(), AppError> {
    if let Some(SignedIn {
        actor,
        user_id,
        session,
    }) = signed_in
    {
        state
            .db
            .run(move |conn| end_session(conn, &actor, user_id, session.id))
            .await?;
    }
    if let Some(identity) = identity {
        identity.logout();
    }
    Ok(())
}

/// The `User-Agent` as stored: printable ASCII, at most [`MAX_USER_AGENT`] characters.
fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| !c.is_ascii_control())
        .take(MAX_USER_AGENT)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64, m: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc()
            + TimeDelta::hours(h)
            + TimeDelta::minutes(m)
    }

    fn session(created: NaiveDateTime, seen: NaiveDateTime) -> SessionKey {
        SessionKey {
            id: 1,
            user_id: 1,
            created_at: created,
            last_seen_at: seen,
        }
    }

    #[test]
    fn sessions_end_after_two_idle_hours_or_twelve_in_all() {
        // (started, last seen, now, live)
        let rows = [
            (at(0, 0), at(0, 0), at(0, 0), true),
            (at(0, 0), at(0, 0), at(1, 59), true),
            (at(0, 0), at(0, 0), at(2, 0), false),
            (at(0, 0), at(10, 0), at(11, 59), true),
            (at(0, 0), at(11, 59), at(12, 0), false),
            (at(0, 0), at(11, 30), at(13, 0), false),
        ];
        for (created, seen, now, live) in rows {
            assert_eq!(
                is_live(&session(created, seen), now),
                live,
                "{created} {seen} {now}"
            );
        }
    }

    #[test]
    fn last_seen_is_written_at_most_once_a_minute() {
        let s = session(at(0, 0), at(0, 0));
        assert!(!needs_touch(&s, at(0, 0)));
        assert!(!needs_touch(&s, at(0, 0) + TimeDelta::seconds(59)));
        assert!(needs_touch(&s, at(0, 1)));
    }
}
