//! Personal access tokens as bearer credentials (SPEC §11): recognised by their `qpat_`
//! prefix, found by their hash in one indexed read, confirmed in constant time. A PAT
//! authorizes with its scopes ∩ the owner's current permissions, like a JWT; unlike a
//! JWT its row is read on every request, so a deleted token stops working at once on
//! every instance. That read is the one statement a JWT request spends on the
//! authorization generation: the row and the generation come back together.

use chrono::{NaiveDateTime, TimeDelta};

use crate::db::queries::pats::{self as pat_q, Pat};
use crate::db::DbConn;
use crate::error::AppError;
use crate::oauth::pat as rules;
use crate::state::AppState;

/// `last_used_at` moves at most this often: enough for "last used", without a write on
/// every request of a busy script.
pub const TOUCH_EVERY: TimeDelta = TimeDelta::seconds(60);

/// A presented PAT, parsed without touching the database.
#[derive(Clone, Debug)]
pub struct PresentedPat {
    hash: String,
}

/// Is `token` meant as a PAT? `None` when it is not one (a JWT); a string with the prefix
/// that is not a well-formed PAT is an invalid token, never looked up.
pub fn parse(token: &str) -> Result<Option<PresentedPat>, AppError> {
    if !token.starts_with(rules::PREFIX) {
        return Ok(None);
    }
    let hash = rules::lookup_hash(token)
        .ok_or_else(|| AppError::InvalidToken("malformed personal access token".into()))?;
    Ok(Some(PresentedPat { hash }))
}

/// The live row of a presented PAT and the authorization generation, read together in one
/// statement: unknown (or deleted), revoked and expired tokens are 401 `invalid_token`. The
/// owner's state is checked by the caller, as for JWTs, from the snapshot at that
/// generation.
pub fn find_live(
    conn: &mut DbConn,
    presented: &PresentedPat,
    now: NaiveDateTime,
) -> Result<(Pat, i64), AppError> {
    let (pat, generation) = pat_q::find_pat_by_hash(conn, &presented.hash)?
        .filter(|(p, _)| rules::matches_stored(&presented.hash, &p.token_hash))
        .ok_or_else(|| AppError::InvalidToken("unknown or revoked personal access token".into()))?;
    if !rules::is_live(pat.expires_at, pat.revoked, now) {
        return Err(AppError::InvalidToken(
            "the personal access token has expired".into(),
        ));
    }
    Ok((pat, generation))
}

/// Should this request record that the token was used?
pub fn needs_touch(pat: &Pat, now: NaiveDateTime) -> bool {
    pat.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY)
}

/// Records that the token is in use, off the read path (like a session's touch): a spawned
/// write that moves `last_used_at` only if it is still stale.
pub fn touch(state: actix_web::web::Data<AppState>, id: i64) {
    actix_web::rt::spawn(async move {
        let at = crate::db::now();
        let result = state
            .db
            .run(move |conn| Ok(pat_q::touch_pat(conn, id, at, at - TOUCH_EVERY)?))
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record a personal access token's last use");
        }
    });
}
