//! Account and role-assignment changes with their guard rails.

use chrono::NaiveDateTime;

use super::audit::{record, Outcome};
use super::roles::catalog;
use super::Actor;
use crate::authz::roles::RoleGraph;
use crate::authz::PermissionSet;
use crate::db::models::{NewUser, User, UserChanges};
use crate::db::queries::{roles as role_q, settings, tokens as token_q, users as user_q};
use crate::db::{now, write_tx, DbConn};
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
pub fn create_user(
    conn: &mut DbConn,
    actor: &Actor,
    account: NewAccount,
) -> Result<User, AppError> {
    write_tx(conn, |conn| {
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
        settings::bump_generation(conn)?;
        Ok(user)
    })
}

/// Grants `role` to `user` (or changes the expiry of an existing grant).
pub fn grant_role(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    role: &str,
    expires_at: Option<NaiveDateTime>,
) -> Result<bool, AppError> {
    if let Some(exp) = expires_at {
        if exp <= now() {
            return Err(AppError::field("expires_at", "must be in the future"));
        }
    }
    write_tx(conn, |conn| {
        let user = user_q::find_user(conn, user_id)?.ok_or(AppError::NotFound)?;
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        let lasting = star_holders_at(conn, &graph, LASTING)?;
        let created = assign(conn, actor, &user, role, expires_at)?;
        // Re-granting the last permanent `*` with an expiry would lose it later, silently.
        if expires_at.is_some()
            && !lasting.is_empty()
            && star_holders_at(conn, &graph, LASTING)?.is_empty()
        {
            return Err(AppError::Conflict(
                "refused: this would leave no user holding `*` without an expiry".into(),
            ));
        }
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
        Ok(created)
    })
}

fn assign(
    conn: &mut DbConn,
    actor: &Actor,
    user: &User,
    role: &str,
    expires_at: Option<NaiveDateTime>,
) -> Result<bool, AppError> {
    let found = role_q::find_role_by_name(conn, role)?
        .ok_or_else(|| AppError::field("role", format!("no role named `{role}`")))?;
    let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
    let subject = format!("role `{role}`");
    actor.ensure_covers(&subject, &graph.effective(role), &catalog(conn)?)?;
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
    write_tx(conn, |conn| {
        let user = user_q::find_user(conn, user_id)?.ok_or(AppError::NotFound)?;
        let found = role_q::find_role_by_name(conn, role)?.ok_or(AppError::NotFound)?;
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        // Taking a role away needs the same ceiling as handing it out.
        let subject = format!("role `{role}`");
        actor.ensure_covers(&subject, &graph.effective(role), &catalog(conn)?)?;
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
/// browser sessions but the caller's own, and disabling ends them all (SPEC H7).
pub fn update_account(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    changes: AccountChanges,
) -> Result<User, AppError> {
    write_tx(conn, |conn| {
        let current = user_q::find_user(conn, user_id)?.ok_or(AppError::NotFound)?;
        let disabled = changes.disabled.filter(|d| *d != current.disabled);
        let mut profile = Vec::new();
        if changes.display_name.is_some() {
            profile.push("display_name");
        }
        if changes.email.is_some() {
            profile.push("email");
        }
        if changes.password_hash.is_some() {
            profile.push("password");
        }
        if profile.is_empty() && disabled.is_none() {
            return Ok(current);
        }
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        if actor.id != Some(user_id) {
            // Resetting the password (or email, or state) of a stronger account would be a
            // way to become it: users:manage reaches only accounts within one's own set.
            let held = held_permissions(conn, &graph, user_id)?;
            let subject = format!("user `{}`", current.username);
            actor.ensure_covers(&subject, &held, &catalog(conn)?)?;
        }
        let before = if disabled == Some(true) {
            star_holders(conn, &graph)?
        } else {
            Vec::new()
        };
        let user = user_q::update_user(
            conn,
            user_id,
            &UserChanges {
                email: changes.email.map(|e| e.as_str().to_owned()),
                display_name: changes.display_name,
                password_hash: changes.password_hash,
                disabled,
                updated_at: Some(now()),
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
        }
        settings::bump_generation(conn)?;
        Ok(user)
    })
}

/// What `user_id` holds now through unexpired assignments (inheritance included).
fn held_permissions(
    conn: &mut DbConn,
    graph: &RoleGraph,
    user_id: i64,
) -> Result<PermissionSet, AppError> {
    let at = now();
    let active: Vec<String> = user_q::list_assignments(conn, user_id)?
        .into_iter()
        .filter(|(_, exp)| exp.is_none_or(|e| e > at))
        .map(|(role, _)| role)
        .collect();
    Ok(graph.resolve(active.iter().map(String::as_str)))
}

/// Active users who hold `*` through some role (directly granted or inherited).
pub fn star_holders(conn: &mut DbConn, graph: &RoleGraph) -> Result<Vec<i64>, AppError> {
    star_holders_at(conn, graph, now())
}

/// A time no assignment with an expiry outlives: holders "at" it hold `*` for good.
/// (Year 9999 keeps SQLite's text timestamps comparable.)
const LASTING: NaiveDateTime = match chrono::NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d.and_time(chrono::NaiveTime::MIN),
    None => NaiveDateTime::MIN,
};

/// Enabled users who will still hold `*` at `at`.
fn star_holders_at(
    conn: &mut DbConn,
    graph: &RoleGraph,
    at: NaiveDateTime,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for role in graph
        .roles()
        .filter(|r| graph.effective(&r.name).covers("*"))
    {
        if let Some(found) = role_q::find_role_by_name(conn, &role.name)? {
            ids.push(found.id);
        }
    }
    Ok(user_q::list_active_holders(conn, &ids, at)?)
}

/// Checked after a change, inside its transaction: if someone held `*` before and nobody
/// active does now, the whole change rolls back.
pub fn ensure_star_holder_remains(
    conn: &mut DbConn,
    graph: &RoleGraph,
    before: &[i64],
) -> Result<(), AppError> {
    if !before.is_empty() && star_holders(conn, graph)?.is_empty() {
        return Err(AppError::Conflict(
            "refused: this would leave no active user holding `*` (the last administrator)".into(),
        ));
    }
    Ok(())
}

/// Start-up recovery when nobody active holds `*`: the `admin` account is enabled, given
/// the `admin` role and the new password.
pub fn reset_admin(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    password_hash: &str,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        let user = user_q::update_user(
            conn,
            user_id,
            &UserChanges {
                disabled: Some(false),
                password_hash: Some(password_hash.to_owned()),
                updated_at: Some(now()),
                ..Default::default()
            },
        )?;
        assign(conn, actor, &user, "admin", None)?;
        record(
            conn,
            actor,
            "user.recover_admin",
            &user.username,
            Outcome::Success,
            "role admin",
        )?;
        settings::bump_generation(conn)?;
        Ok(())
    })
}
