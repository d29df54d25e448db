//! The first administrator and start-up recovery (SPEC §1, H3).
//!
//! `quire serve` creates the account `admin` when nobody holds `*`, and remembers its id.
//! When later nobody enabled holds `*` permanently, start-up restores that account — and
//! only that one: enabled, given the `admin` role, the operator's password, and with
//! every session and token issued before ended. Restoring "whoever is called `admin`"
//! would hand everything to an account a stranger registered under that name.

use super::guard::{guarded_tx, star_holders};
use super::users::{assign, insert_account, NewAccount};
use super::Actor;
use crate::audit::{record, Outcome};
use crate::authz::roles::RoleGraph;
use crate::db::models::{User, UserChanges};
use crate::db::queries::{audit, roles as role_q, sessions, settings};
use crate::db::queries::{tokens as token_q, users as user_q};
use crate::db::{now, DbConn};
use crate::domain::{Email, Username};
use crate::error::AppError;

/// The username of the first administrator.
pub const FIRST_ADMIN: &str = "admin";

/// What start-up recovery did.
#[derive(Debug)]
pub enum Recovery {
    /// Someone enabled holds `*` permanently: nothing to do.
    NotNeeded,
    /// There was no account `admin`: it was created and remembered as the first admin.
    Created(User),
    /// The remembered first administrator was restored.
    Restored(User),
}

/// Does nobody enabled hold `*` through a permanent grant? (A read; the decision is made
/// again under the lock by [`recover_first_admin`].)
pub fn needs_recovery(conn: &mut DbConn) -> Result<bool, AppError> {
    let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
    Ok(star_holders(conn, &graph)?.is_empty())
}

/// The remembered first administrator. A database from before ids were remembered has
/// none; its account `admin` is adopted (and from then on remembered) only if the audit
/// log shows that the command line created it, never one that registered under the name.
pub fn first_admin_id(conn: &mut DbConn) -> Result<Option<i64>, AppError> {
    if let Some(id) = settings::find_first_admin_id(conn)? {
        return Ok(Some(id));
    }
    let Some(user) = user_q::find_user_by_username(conn, FIRST_ADMIN)? else {
        return Ok(None);
    };
    if !audit::created_by_cli(conn, FIRST_ADMIN)? {
        return Ok(None);
    }
    Ok(settings::remember_first_admin_id(conn, user.id)?)
}

/// Makes sure someone enabled holds `*` permanently, in one serialized step (several
/// instances may start at once): restores the remembered first administrator, or
/// creates `admin` when there is none. `password_hash` becomes the account's password.
/// Refuses (409, one line for the operator) when an account `admin` exists that is not
/// known to be the first administrator.
pub fn recover_first_admin(conn: &mut DbConn, password_hash: &str) -> Result<Recovery, AppError> {
    let actor = Actor::cli();
    guarded_tx(conn, |conn| {
        if !needs_recovery(conn)? {
            return Ok(Recovery::NotNeeded);
        }
        if let Some(id) = first_admin_id(conn)? {
            let user = user_q::find_user(conn, id)?.ok_or_else(|| {
                AppError::Unexpected(anyhow::anyhow!("the first administrator (id {id}) is gone"))
            })?;
            return restore(conn, &actor, &user, password_hash).map(Recovery::Restored);
        }
        if user_q::find_user_by_username(conn, FIRST_ADMIN)?.is_some() {
            return Err(AppError::Conflict(format!(
                "nobody holds `*` without an expiry, and the account `{FIRST_ADMIN}` was not \
                 created by quire, so it is not made an administrator; make a trusted account \
                 one with `quire user grant NAME admin`"
            )));
        }
        let account = NewAccount {
            username: Username::parse(FIRST_ADMIN).map_err(|e| anyhow::anyhow!(e))?,
            email: Email::parse("admin@localhost").map_err(|e| anyhow::anyhow!(e))?,
            display_name: Some("Administrator".into()),
            password_hash: password_hash.to_owned(),
            roles: vec!["admin".into()],
        };
        let user = insert_account(conn, &actor, &account)?;
        settings::remember_first_admin_id(conn, user.id)?;
        Ok(Recovery::Created(user))
    })
}

/// The first administrator enabled, with the `admin` role for good and the new password;
/// every session ends, refresh tokens are revoked, and access tokens issued until now are
/// refused (`tokens_valid_after`, checked against `iat` from the cached user): whoever
/// took the account over, or held a session of it, is out.
fn restore(
    conn: &mut DbConn,
    actor: &Actor,
    user: &User,
    password_hash: &str,
) -> Result<User, AppError> {
    let at = now();
    let user = user_q::update_user(
        conn,
        user.id,
        &UserChanges {
            disabled: Some(false),
            password_hash: Some(password_hash.to_owned()),
            updated_at: Some(at),
            tokens_valid_after: Some(at),
            ..Default::default()
        },
    )?;
    assign(conn, actor, &user, "admin", None)?;
    sessions::delete_user_sessions(conn, user.id, None)?;
    token_q::revoke_user_refresh_tokens(conn, user.id)?;
    record(
        conn,
        actor,
        "user.recover_admin",
        &user.username,
        Outcome::Success,
        "role admin; sessions and tokens ended",
    )?;
    settings::bump_generation(conn)?;
    Ok(user)
}
