//! Every guard rail of SPEC §3 in one place, for `manage::roles`, `manage::users` and
//! `manage::recovery` alike: the serialization that makes them hold (H1), the catalog
//! grants are checked against, the ceiling (nobody hands out or reshapes beyond their own
//! effective permissions), management rights handed out only by holders of `*` (H15), the
//! reach of `users:manage` over other accounts, the built-in roles kept, and the last
//! permanent holder of `*` (H2). The decisions themselves are pure, in
//! [`crate::authz::management`]; this module loads what they need and words the refusals.

use crate::audit::Actor;
use crate::authz::management::{check_hand_out, first_beyond};
use crate::authz::permission::CATALOG_NAMES;
use crate::authz::roles::{is_non_deletable, RoleGraph};
use crate::authz::PermissionSet;
use crate::db::models::{Role, User};
use crate::db::queries::{roles as role_q, settings, users as user_q};
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;

/// A write transaction for a change with guard rails (grants, revocations, disabling and
/// enabling, role definitions, accounts created with roles, recovery). It first takes the
/// one lock all of them share ([`settings::lock_authz_state`]), so the checks and the
/// change are one serialized step on both backends: two admins demoting each other at the
/// same instant run one after the other, and the second sees the first's change.
pub fn guarded_tx<T, F>(conn: &mut DbConn, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError>,
{
    write_tx(conn, |conn| {
        settings::lock_authz_state(conn)?;
        f(conn)
    })
}

/// The permission names grants are checked against: the stored catalog (a policy file may
/// extend it), or the built-in one before anything is seeded.
pub fn catalog(conn: &mut DbConn) -> Result<Vec<String>, AppError> {
    let stored: Vec<String> = role_q::list_permissions(conn)?
        .into_iter()
        .map(|p| p.name)
        .collect();
    Ok(if stored.is_empty() {
        CATALOG_NAMES.iter().map(|n| (*n).to_owned()).collect()
    } else {
        stored
    })
}

/// Enabled users who hold `*` through a permanent (non-expiring) assignment of a role
/// that grants or inherits it. Only these count for the last-holder rule and for
/// start-up recovery (SPEC H2): `*` held until tomorrow is lost tomorrow, with nobody
/// left to notice.
pub fn star_holders(conn: &mut DbConn, graph: &RoleGraph) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for role in graph
        .roles()
        .filter(|r| graph.effective(&r.name).covers("*"))
    {
        if let Some(found) = role_q::find_role_by_name(conn, &role.name)? {
            ids.push(found.id);
        }
    }
    Ok(user_q::list_permanent_holders(conn, &ids)?)
}

/// Checked after a change, inside its [`guarded_tx`]: if someone held `*` permanently
/// before and nobody enabled does now, the whole change rolls back.
pub fn ensure_star_holder_remains(
    conn: &mut DbConn,
    graph: &RoleGraph,
    before: &[i64],
) -> Result<(), AppError> {
    if !before.is_empty() && star_holders(conn, graph)?.is_empty() {
        return Err(AppError::Conflict(
            "refused: this would leave no active user holding `*` without an expiry (the last administrator)".into(),
        ));
    }
    Ok(())
}

/// The actor may touch something carrying `effective` (a role taken away, deleted or
/// reshaped, an account edited): all of it lies within the actor's own reach.
pub fn ensure_within_reach(
    conn: &mut DbConn,
    actor: &Actor,
    subject: &str,
    effective: &PermissionSet,
) -> Result<(), AppError> {
    actor.ensure_covers(subject, effective, &catalog(conn)?)
}

/// The actor may hand out `subject`, which carries `before` now and `after` once the change
/// is made (`before` is empty for a new role or an assignment): `after` lies within the
/// actor's reach, and any management right it adds needs `*` (SPEC H15).
pub fn ensure_may_give(
    conn: &mut DbConn,
    actor: &Actor,
    subject: &str,
    before: &PermissionSet,
    after: &PermissionSet,
) -> Result<(), AppError> {
    let catalog = catalog(conn)?;
    actor.ensure_covers(subject, after, &catalog)?;
    actor.ensure_may_hand_out(subject, before, after, &catalog)
}

/// Resetting the password (or email, or state) of a stronger account would be a way to
/// become it: `users:manage` reaches only accounts within one's own set. One's own account
/// is always within reach.
pub fn ensure_reaches_account(
    conn: &mut DbConn,
    actor: &Actor,
    graph: &RoleGraph,
    user: &User,
) -> Result<(), AppError> {
    if actor.id == Some(user.id) {
        return Ok(());
    }
    let held = held_permissions(conn, graph, user.id)?;
    ensure_within_reach(conn, actor, &format!("user `{}`", user.username), &held)
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

/// Built-in roles keep their names: code and recovery find them by name.
pub fn ensure_renamable(role: &Role) -> Result<(), AppError> {
    if role.builtin {
        return Err(AppError::Conflict(format!(
            "the built-in role `{}` cannot be renamed",
            role.name
        )));
    }
    Ok(())
}

/// `anonymous` and `admin` are never deleted (they can be edited).
pub fn ensure_deletable(name: &str) -> Result<(), AppError> {
    if is_non_deletable(name) {
        return Err(AppError::Conflict(format!(
            "the built-in role `{name}` cannot be deleted (it can be edited)"
        )));
    }
    Ok(())
}

impl Actor {
    /// No privilege escalation: every grant of `effective` (what `subject` carries, e.g.
    /// "role `editor`" with inherited grants, or "user `ada`") must be within the actor's
    /// own effective permissions ([`first_beyond`]), else 403 naming the first one that is
    /// not. The command line has no ceiling.
    pub fn ensure_covers(
        &self,
        subject: &str,
        effective: &PermissionSet,
        catalog: &[String],
    ) -> Result<(), AppError> {
        let Some(p) = &self.principal else {
            return Ok(());
        };
        let catalog: Vec<&str> = catalog.iter().map(String::as_str).collect();
        match first_beyond(p, effective, &catalog) {
            None => Ok(()),
            Some(beyond) => Err(AppError::Forbidden {
                message: format!("{subject} carries `{beyond}`, which you do not hold"),
                required: vec![beyond],
            }),
        }
    }

    /// Management rights are handed out only by holders of `*` (SPEC H15, the rule in
    /// [`crate::authz::management`]): a change taking `subject` from `before` to `after`
    /// that adds `users:manage` or `roles:manage` is 403 otherwise, naming them.
    pub fn ensure_may_hand_out(
        &self,
        subject: &str,
        before: &PermissionSet,
        after: &PermissionSet,
        catalog: &[String],
    ) -> Result<(), AppError> {
        let catalog: Vec<&str> = catalog.iter().map(String::as_str).collect();
        check_hand_out(self.principal.as_ref(), before, after, &catalog).map_err(|gained| {
            let names: Vec<String> = gained.iter().map(|g| format!("`{g}`")).collect();
            AppError::Forbidden {
                message: format!(
                    "{subject} would hand out {}: only holders of `*` hand out management rights",
                    names.join(" and ")
                ),
                required: vec!["*".to_owned()],
            }
        })
    }
}
