//! Creating and revoking personal access tokens (SPEC §11), each one transaction with its
//! audit event, for the JSON API and `/admin/account` alike. PATs are not authorization
//! facts (the generation is not bumped): every PAT request reads its row, so a deleted row
//! is seen at once by every instance.

use super::Actor;
use crate::audit::{record, Outcome};
use crate::db::queries::pats::{self as pat_q, Pat};
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;
use crate::oauth::pat::ValidPat;

/// Whose token it is: the owner's id and username (the audit target).
#[derive(Clone, Debug)]
pub struct Owner {
    pub id: i64,
    pub username: String,
}

/// Stores a validated token (`hash` is the SHA-256 of the secret shown once) and audits
/// `pat.create`; the owner's expired tokens are cleared on the way.
pub fn create_pat(
    conn: &mut DbConn,
    actor: &Actor,
    owner: &Owner,
    valid: &ValidPat,
    hash: &str,
) -> Result<Pat, AppError> {
    write_tx(conn, |conn| {
        let at = now();
        pat_q::delete_expired_user_pats(conn, owner.id, at)?;
        let scopes = valid.scopes.join(" ");
        let id = pat_q::insert_pat(
            conn,
            &pat_q::NewPat {
                user_id: owner.id,
                name: &valid.name,
                token_hash: hash,
                scopes: &scopes,
                created_at: at,
                expires_at: valid.expires_at,
                revoked: false,
            },
        )?;
        let pat = Pat {
            id,
            user_id: owner.id,
            name: valid.name.clone(),
            token_hash: hash.to_owned(),
            scopes,
            created_at: at,
            expires_at: valid.expires_at,
            last_used_at: None,
            revoked: false,
        };
        let detail = format!("personal access token {} ({})", pat.id, pat.scopes);
        record(
            conn,
            actor,
            "pat.create",
            &owner.username,
            Outcome::Success,
            &detail,
        )?;
        Ok(pat)
    })
}

/// Deletes one of the owner's tokens and audits `pat.revoke`; 404 when it is not theirs
/// or is already gone.
pub fn revoke_pat(
    conn: &mut DbConn,
    actor: &Actor,
    owner: &Owner,
    id: i64,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        if !pat_q::delete_pat(conn, id, owner.id)? {
            return Err(AppError::NotFound);
        }
        let detail = format!("personal access token {id}");
        record(
            conn,
            actor,
            "pat.revoke",
            &owner.username,
            Outcome::Success,
            &detail,
        )?;
        Ok(())
    })
}
