//! JSON shapes of SPEC §6, built from rows. Nothing here touches the database: the reads
//! behind `UserView::load` and `RoleView::load` are in [`super::directory`].

use std::collections::HashMap;

use chrono::{NaiveDateTime, Timelike};
use serde::Serialize;

use crate::authz::roles::RoleGraph;
use crate::authz::{PermissionSet, RoleDef};
use crate::db::models::{Role, User};

/// RFC 3339 UTC to the second: `2026-11-23T10:12:00Z`.
pub fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A time for people to read on a page: `2026-11-23 10:12 UTC`. Written from chrono's
/// date and the clock fields: `format("%Y-%m-%d %H:%M UTC")` parses its format string on
/// every call, a tenth of the front page's instructions (docs/performance.md).
pub fn display_time(t: chrono::NaiveDateTime) -> String {
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleAssignmentView {
    pub name: String,
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub disabled: bool,
    pub created_at: String,
    pub roles: Vec<RoleAssignmentView>,
    /// The user's current permissions (unexpired assignments, inheritance and wildcards
    /// expanded over the catalog).
    pub permissions: Vec<String>,
}

/// What every view of users or roles is resolved against, loaded once per request.
pub struct Directory {
    graph: RoleGraph,
    catalog: Vec<String>,
    now: chrono::NaiveDateTime,
}

/// A user's role assignments: the role's name and when it expires.
pub type Assignments = Vec<(String, Option<NaiveDateTime>)>;

impl Directory {
    /// Resolves against the role definitions `defs` and the permission `catalog`, with
    /// assignments expiring before `now` left out.
    pub fn new(defs: Vec<RoleDef>, catalog: Vec<String>, now: NaiveDateTime) -> Self {
        Self {
            graph: RoleGraph::new(defs),
            catalog,
            now,
        }
    }

    fn expand(&self, set: &PermissionSet) -> Vec<String> {
        let catalog: Vec<&str> = self.catalog.iter().map(String::as_str).collect();
        set.expand(&catalog)
    }

    /// The view of `user` holding `assignments` (expired ones are dropped here).
    pub fn user(&self, user: User, assignments: Assignments) -> UserView {
        let active: Vec<(String, Option<NaiveDateTime>)> = assignments
            .into_iter()
            .filter(|(_, exp)| exp.is_none_or(|e| e > self.now))
            .collect();
        let permissions = self.expand(&self.graph.resolve(active.iter().map(|(r, _)| r.as_str())));
        UserView {
            id: user.id,
            username: user.username,
            email: user.email,
            display_name: user.display_name,
            disabled: user.disabled,
            created_at: rfc3339(user.created_at),
            roles: active
                .into_iter()
                .map(|(name, exp)| RoleAssignmentView {
                    name,
                    expires_at: exp.map(rfc3339),
                })
                .collect(),
            permissions,
        }
    }

    /// The view of `role`, held directly by `user_count` users.
    pub fn role(&self, role: Role, user_count: i64) -> RoleView {
        let def = self.graph.get(&role.name);
        let mut inherits = def.map(|d| d.parents.clone()).unwrap_or_default();
        inherits.sort();
        RoleView {
            permissions: def.map(|d| d.grants.clone()).unwrap_or_default(),
            inherits,
            effective_permissions: self.expand(&self.graph.effective(&role.name)),
            effective_grants: self
                .graph
                .effective_with_origin(&role.name)
                .into_iter()
                .map(|(grant, via)| GrantOriginView { grant, via })
                .collect(),
            user_count,
            name: role.name,
            description: role.description,
            builtin: role.builtin,
        }
    }
}

/// A page of users, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    pub next_cursor: Option<String>,
}

/// The caller (`GET /api/me`): the user, plus what this request may do.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserView,
    /// The token's scopes; null for a browser session.
    pub scopes: Option<Vec<String>>,
    /// The token's scopes intersected with the user's current permissions.
    pub effective_permissions: Vec<String>,
    /// `bearer` or `session`.
    pub authenticated_by: String,
    /// Only through a browser session: the token a script in the page sends in the
    /// `X-CSRF-Token` header of its unsafe requests (POST, PUT, PATCH, DELETE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

impl Directory {
    /// Views of `users`, given the assignments of all of them as `(user id, role, expiry)`.
    pub fn users(
        &self,
        users: Vec<User>,
        assignments: Vec<(i64, String, Option<NaiveDateTime>)>,
    ) -> Vec<UserView> {
        let mut by_user: HashMap<i64, Assignments> = HashMap::new();
        for (user_id, role, exp) in assignments {
            by_user.entry(user_id).or_default().push((role, exp));
        }
        users
            .into_iter()
            .map(|u| {
                let held = by_user.remove(&u.id).unwrap_or_default();
                self.user(u, held)
            })
            .collect()
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GrantOriginView {
    pub grant: String,
    /// The nearest role carrying the grant: the role itself, or the ancestor it inherits
    /// the grant from.
    pub via: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    pub name: String,
    pub description: String,
    pub builtin: bool,
    /// Direct grants (wildcards as written).
    pub permissions: Vec<String>,
    /// Direct parents.
    pub inherits: Vec<String>,
    /// Own and inherited grants expanded over the catalog.
    pub effective_permissions: Vec<String>,
    /// Own and inherited grants as written, each with the role it comes from.
    pub effective_grants: Vec<GrantOriginView>,
    /// Users holding the role directly through an unexpired assignment.
    pub user_count: i64,
}

/// Every role (not paginated: `next_cursor` is always null).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleList {
    pub items: Vec<RoleView>,
    pub next_cursor: Option<String>,
}

/// One entry of the permission catalog.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionView {
    pub name: String,
    pub resource: String,
    pub action: String,
    pub description: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionList {
    pub items: Vec<PermissionView>,
}

#[cfg(test)]
mod tests {
    use super::display_time;

    #[test]
    fn display_times_are_to_the_minute_in_utc() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 3, 4)
            .unwrap()
            .and_hms_opt(5, 6, 59)
            .unwrap();
        assert_eq!(display_time(t), "2026-03-04 05:06 UTC");
    }

    #[test]
    fn display_times_equal_the_strftime_format() {
        let start = chrono::NaiveDate::from_ymd_opt(1999, 12, 31)
            .unwrap()
            .and_hms_opt(23, 59, 0)
            .unwrap();
        for minutes in [0, 1, 61, 1_440, 525_600, 5_000_000] {
            let t = start + chrono::TimeDelta::minutes(minutes);
            assert_eq!(display_time(t), t.format("%Y-%m-%d %H:%M UTC").to_string());
        }
    }
}
