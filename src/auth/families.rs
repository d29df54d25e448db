//! Refresh-token families (SPEC H10). A family is one sign-in's chain of rotated refresh
//! tokens; every access token issued from it carries its id (the `fam` claim), so ending
//! the family ends those access tokens too, not only the refresh tokens.

use std::time::Duration;

use crate::db::queries::{settings, tokens as token_q};
use crate::db::{now, DbConn};
use crate::error::AppError;

/// Added to the access-token lifetime: a refresh that raced the revocation may have
/// signed its access token a moment after it.
const MARGIN: chrono::Duration = chrono::Duration::minutes(1);

/// Revokes `family` in the caller's transaction: its refresh tokens can no longer be
/// exchanged, and its access tokens (which live at most `access_ttl`) are refused from
/// their next request on, by every instance — the generation bump makes each reload the
/// revoked families into its permission cache.
pub fn end_family(conn: &mut DbConn, family: &str, access_ttl: Duration) -> Result<(), AppError> {
    token_q::revoke_family(conn, family)?;
    let ttl = chrono::Duration::from_std(access_ttl).map_err(anyhow::Error::from)?;
    token_q::insert_revoked_family(conn, family, now() + ttl + MARGIN)?;
    settings::bump_generation(conn)?;
    Ok(())
}
