//! Account and role-assignment changes with their guard rails.

use chrono::NaiveDateTime;

use super::guard::{
    ensure_may_give, ensure_reaches_account, ensure_star_holder_remains, ensure_within_reach,
    guarded_tx, star_holders,
};
use super::Actor;
use crate::audit::{record, Outcome};
use crate::authz::roles::RoleGraph;
use crate::authz::PermissionSet;
use crate::db::models::{NewUser, User, UserChanges};
use crate::db::queries::users::Assigned;
use crate::db::queries::{roles as role_q, settings, tokens as token_q, users as user_q};
use crate::db::{now, DbConn};
use crate::domain::{Email, Username};
use crate::error::AppError;

/// What a new account is made of; the password is already hashed (off the async workers).
pub struct NewAccount {
    pub username: Username,
    pub email: Email,
    pub display_name: Option<String>,
    pub password_hash: String,
    pub roles: Vec<String>,
}

/// Creates a user with roles; every role must exist and be within the actor's ceiling.
/// The generation is not bumped (SPEC H14): no cached decision is about an account that
/// did not exist (the cache keeps only users it found).
pub fn create_user(
    conn: &mut DbConn,
    actor: &Actor,
    account: NewAccount,
) -> Result<User, AppError> {
    guarded_tx(conn, |conn| insert_account(conn, actor, &account))
}

/// [`create_user`] inside the caller's [`guarded_tx`].
pub(super) fn insert_account(
    conn: &mut DbConn,
    actor: &Actor,
    account: &NewAccount,
) -> Result<User, AppError> {
    let mut unknown = Vec::new();
    for role in &account.roles {
        if role_q::find_role_by_name(conn, role)?.is_none() {
            unknown.push(format!("no role named `{role}`"));
        }
    }
    if !unknown.is_empty() {
        let mut fields = crate::error::FieldErrors::new();
        fields.insert("roles".into(), unknown);
        return Err(AppError::Validation(fields));
    }
    let at = now();
    let display = account
        .display_name
        .clone()
        .unwrap_or_else(|| account.username.as_str().to_owned());
    let user = user_q::insert_user(
        conn,
        &NewUser {
            username: account.username.as_str(),
            email: account.email.as_str(),
            display_name: &display,
            password_hash: &account.password_hash,
            disabled: false,
            created_at: at,
            updated_at: at,
        },
    )?;
    for role in &account.roles {
        assign(conn, actor, &user, role, None)?;
    }
    record(
        conn,
        actor,
        "user.create",
        &user.username,
        Outcome::Success,
        &format!("roles: {}", account.roles.join(", ")),
    )?;
    Ok(user)
}

/// Grants `role` to `user` (or changes the expiry of an existing grant); returns whether
/// the assignment is new. Granting a role already held with the same expiry changes
/// nothing: no write, no audit event, no generation bump (SPEC H14).
pub fn grant_role(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    role: &str,
    expires_at: Option<NaiveDateTime>,
) -> Result<bool, AppError> {
    // As stored (microseconds), so that the same expiry sent again compares equal.
    let expires_at = expires_at.map(crate::db::trim_to_micros);
    if let Some(exp) = expires_at {
        if exp <= now() {
            return Err(AppError::field("expires_at", "must be in the future"));
        }
    }
    guarded_tx(conn, |conn| {
        let user = user_q::find_user(conn, user_id)?.ok_or(AppError::NotFound)?;
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        let before = star_holders(conn, &graph)?;
        let assigned = assign(conn, actor, &user, role, expires_at)?;
        if assigned == Assigned::Unchanged {
            return Ok(false);
        }
        // Re-granting the last permanent `*` with an expiry would lose it later, silently.
        ensure_star_holder_remains(conn, &graph, &before)?;
        let detail = match expires_at {
            Some(exp) => format!("role {role} until {}", exp.and_utc().to_rfc3339()),
            None => format!("role {role}"),
        };
        record(
            conn,
            actor,
            "role.grant",
            &user.username,
            Outcome::Success,
            &detail,
        )?;
        settings::bump_generation(conn)?;
        Ok(assigned == Assigned::New)
    })
}

/// Assigns `role` within the actor's ceiling; a role carrying management rights only
/// by a holder of `*` (SPEC H15).
pub(super) fn assign(
    conn: &mut DbConn,
    actor: &Actor,
    user: &User,
    role: &str,
    expires_at: Option<NaiveDateTime>,
) -> Result<Assigned, AppError> {
    let found = role_q::find_role_by_name(conn, role)?
        .ok_or_else(|| AppError::field("role", format!("no role named `{role}`")))?;
    let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
    let subject = format!("role `{role}`");
    ensure_may_give(
        conn,
        actor,
        &subject,
        &PermissionSet::new(),
        &graph.effective(role),
    )?;
    Ok(user_q::assign_role(
        conn, user.id, found.id, actor.id, expires_at,
    )?)
}

/// Revokes `role` from `user`; refuses to remove the last active holder's `*`.
pub fn revoke_role(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    role: &str,
) -> Result<(), AppError> {
    guarded_tx(conn, |conn| {
        let user = user_q::find_user(conn, user_id)?.ok_or(AppError::NotFound)?;
        let found = role_q::find_role_by_name(conn, role)?.ok_or(AppError::NotFound)?;
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        // Taking a role away needs the same ceiling as handing it out.
        ensure_within_reach(
            conn,
            actor,
            &format!("role `{role}`"),
            &graph.effective(role),
        )?;
        let before = star_holders(conn, &graph)?;
        if !user_q::unassign_role(conn, user.id, found.id)? {
            return Err(AppError::NotFound);
        }
        ensure_star_holder_remains(conn, &graph, &before)?;
        record(
            conn,
            actor,
            "role.revoke",
            &user.username,
            Outcome::Success,
            &format!("role {role}"),
        )?;
        settings::bump_generation(conn)?;
        Ok(())
    })
}

/// Disables or re-enables an account; the last active holder of `*` cannot be disabled.
pub fn set_disabled(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    disabled: bool,
) -> Result<User, AppError> {
    let changes = AccountChanges {
        disabled: Some(disabled),
        ..Default::default()
    };
    update_account(conn, actor, user_id, changes)
}

/// Changes to an account; `None` leaves a field alone. The password is already hashed.
#[derive(Debug, Default)]
pub struct AccountChanges {
    pub display_name: Option<String>,
    pub email: Option<Email>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
    /// The caller's current browser session: it survives a change of their own password
    /// (every other session of the account ends).
    pub keep_session: Option<i64>,
}

/// Updates an account in one transaction: profile fields are audited as `user.update`,
/// the account state as `user.disable` / `user.enable`. Disabling the last active holder
/// of `*` is refused; a new password revokes the account's refresh tokens and ends its
/// browser sessions but the caller's own, and disabling ends them all (SPEC H7). Fields
/// equal to what is stored are no change; only the account state bumps the generation, a
/// profile edit never does (SPEC H14).
pub fn update_account(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    changes: AccountChanges,
) -> Result<User, AppError> {
    guarded_tx(conn, |conn| {
        let current = user_q::find_user(conn, user_id)?.ok_or(AppError::NotFound)?;
        let disabled = changes.disabled.filter(|d| *d != current.disabled);
        let display_name = changes.display_name.filter(|d| *d != current.display_name);
        let email = changes.email.filter(|e| e.as_str() != current.email);
        let mut profile = Vec::new();
        if display_name.is_some() {
            profile.push("display_name");
        }
        if email.is_some() {
            profile.push("email");
        }
        if changes.password_hash.is_some() {
            profile.push("password");
        }
        if profile.is_empty() && disabled.is_none() {
            return Ok(current);
        }
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        ensure_reaches_account(conn, actor, &graph, &current)?;
        let before = if disabled == Some(true) {
            star_holders(conn, &graph)?
        } else {
            Vec::new()
        };
        let user = user_q::update_user(
            conn,
            user_id,
            &UserChanges {
                email: email.map(|e| e.as_str().to_owned()),
                display_name,
                password_hash: changes.password_hash,
                disabled,
                updated_at: Some(now()),
                ..Default::default()
            },
        )?;
        if disabled == Some(true) {
            ensure_star_holder_remains(conn, &graph, &before)?;
        }
        if profile.contains(&"password") {
            token_q::revoke_user_refresh_tokens(conn, user_id)?;
        }
        if profile.contains(&"password") || disabled == Some(true) {
            let own = actor.id == Some(user_id) && disabled != Some(true);
            let keep = changes.keep_session.filter(|_| own);
            crate::db::queries::sessions::delete_user_sessions(conn, user_id, keep)?;
        }
        if !profile.is_empty() {
            let detail = format!("changed: {}", profile.join(", "));
            record(
                conn,
                actor,
                "user.update",
                &user.username,
                Outcome::Success,
                &detail,
            )?;
        }
        if let Some(d) = disabled {
            let action = if d { "user.disable" } else { "user.enable" };
            record(conn, actor, action, &user.username, Outcome::Success, "")?;
            settings::bump_generation(conn)?;
        }
        Ok(user)
    })
}
