//! RFC 7009 revocation of the caller's own access or refresh token.

use super::hash_token;
use crate::auth::families::end_family;
use crate::auth::principal::Caller;
use crate::db::queries::{settings, tokens as token_q};
use crate::db::{now, write_tx};
use crate::error::AppError;
use crate::manage::audit::{record, Outcome};
use crate::state::AppState;

/// RFC 7009: revokes one of the caller's own tokens (access or refresh). Unknown tokens and
/// other people's tokens are ignored (200 either way, so nothing is revealed).
pub async fn revoke(state: &AppState, caller: &Caller, token: String) -> Result<(), AppError> {
    let user = caller.user()?.clone();
    let claims = state.jwt.verify_ignoring_expiry(&token);
    let actor = caller.actor();
    let access_ttl = state.config.access_token_ttl;
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                if let Some(claims) = claims.filter(|c| c.user_id() == Some(user.id)) {
                    let exp = chrono::DateTime::from_timestamp(claims.exp, 0)
                        .map(|t| t.naive_utc())
                        .unwrap_or_else(now);
                    // Every instance must stop accepting it on its next request; one
                    // revoked already changes nothing (SPEC H14).
                    if token_q::insert_revoked_jti(conn, &claims.jti, exp)? {
                        settings::bump_generation(conn)?;
                    }
                    record(
                        conn,
                        &actor,
                        "token.revoke",
                        "access_token",
                        Outcome::Success,
                        "",
                    )?;
                } else if let Some(rt) = token_q::find_refresh_token(conn, &hash_token(&token))?
                    .filter(|t| t.user_id == user.id)
                {
                    // RFC 7009 §2.1: its access tokens go too.
                    end_family(conn, &rt.family, access_ttl)?;
                    record(
                        conn,
                        &actor,
                        "token.revoke",
                        "refresh_token",
                        Outcome::Success,
                        "family revoked",
                    )?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await
}
