//! Administrative operations shared by the CLI, the JSON API and the admin pages. Each is one
//! transactional unit that enforces the guard rails of SPEC §3, writes its audit event and
//! bumps the authorization generation, so no caller can forget one of the three.

pub mod audit;
pub mod guard;
pub mod maintenance;
pub mod posts;
pub mod recovery;
pub mod roles;
pub mod sessions;
pub mod users;

use crate::authz::management::check_hand_out;
use crate::authz::{PermissionSet, Principal};
use crate::error::AppError;

/// Who performs an administrative change.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
    /// The caller's effective permissions; `None` for the operator's CLI, which has no
    /// ceiling (it already has the database).
    pub principal: Option<Principal>,
}

impl Actor {
    /// The command line, audited as `cli`.
    pub fn cli() -> Self {
        Self {
            id: None,
            name: "cli".into(),
            ip: None,
            principal: None,
        }
    }

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
