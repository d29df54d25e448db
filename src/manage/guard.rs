//! The last-holder rule of SPEC §3 and the serialization that makes it hold (H1, H2).

use crate::audit::Actor;
use crate::authz::management::check_hand_out;
use crate::authz::roles::RoleGraph;
use crate::authz::PermissionSet;
use crate::db::queries::{roles as role_q, settings, users as user_q};
use crate::db::{write_tx, DbConn};
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

impl Actor {
    /// May this actor hand out `grant`? Nobody grants beyond their own effective set: the
    /// grant must be covered as written, or, for a wildcard, everything it matches in
    /// `catalog` must be effective for the actor (the rule of requested token scopes, so a
    /// token listing the whole catalog may hand out `*`).
    pub fn covers(&self, grant: &str, catalog: &[String]) -> bool {
        let Some(p) = &self.principal else {
            return true;
        };
        let catalog: Vec<&str> = catalog.iter().map(String::as_str).collect();
        p.covers_in_catalog(grant, &catalog)
    }

    /// No privilege escalation: every grant of `effective` (what `subject` carries, e.g.
    /// "role `editor`" with inherited grants, or "user `ada`") must be within the actor's
    /// own effective permissions, else 403 naming the first one that is not.
    pub fn ensure_covers(
        &self,
        subject: &str,
        effective: &PermissionSet,
        catalog: &[String],
    ) -> Result<(), AppError> {
        match effective
            .grants()
            .into_iter()
            .find(|g| !self.covers(g, catalog))
        {
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
