//! JSON shapes of SPEC §6, built from rows.

use std::collections::HashMap;

use actix_web::HttpResponse;
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::authz::roles::RoleGraph;
use crate::authz::PermissionSet;
use crate::db::models::{Role, User};
use crate::db::queries::{roles as role_q, users as user_q};
use crate::db::DbConn;
use crate::error::AppError;
use crate::manage;

/// RFC 3339 UTC to the second: `2026-11-23T10:12:00Z`. Written digit by digit (chrono's
/// formatter interprets a format description each time; a page has 60 of these).
pub fn rfc3339(t: NaiveDateTime) -> String {
    match rfc3339_ascii(t) {
        Some(text) => text.as_str().to_owned(),
        None => chrono_rfc3339(t),
    }
}

/// A time in the API's JSON, as [`rfc3339`] writes it, formatted on the stack while it is
/// serialized: no allocation for any of a page's timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfc3339(pub NaiveDateTime);

impl Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match rfc3339_ascii(self.0) {
            Some(text) => serializer.serialize_str(text.as_str()),
            None => serializer.serialize_str(&chrono_rfc3339(self.0)),
        }
    }
}

/// The 20 ASCII bytes of [`rfc3339`] for years 0 to 9999 (chrono writes the others).
struct Ascii20([u8; 20]);

impl Ascii20 {
    fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written; the check is a few words.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

fn rfc3339_ascii(t: NaiveDateTime) -> Option<Ascii20> {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    let mut out = [0u8; 20];
    let fields = [
        (0, year as u32, 4),
        (5, t.month(), 2),
        (8, t.day(), 2),
        (11, t.hour(), 2),
        (14, t.minute(), 2),
        (17, t.second(), 2),
    ];
    for (at, mut value, width) in fields {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    for (at, c) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ] {
        out[at] = c;
    }
    Some(Ascii20(out))
}

fn chrono_rfc3339(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A 200 with a page of `items` items as JSON, written into a buffer sized for it up front.
/// `HttpResponse::json` starts serde_json at 128 bytes and doubles, which copies a 20-post
/// page (about 9 KiB) six times over.
pub fn json_page<T: Serialize>(page: &T, items: usize) -> Result<HttpResponse, AppError> {
    let mut body = Vec::with_capacity(64 + items * 512);
    serde_json::to_writer(&mut body, page)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("serializing a page: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}

/// A time for people to read on a page: `2026-11-23 10:12 UTC`.
pub fn display_time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
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

impl Directory {
    pub fn load(conn: &mut DbConn) -> Result<Self, AppError> {
        Ok(Self {
            graph: RoleGraph::new(role_q::load_role_defs(conn)?),
            catalog: manage::roles::catalog(conn)?,
            now: crate::db::now(),
        })
    }

    fn expand(&self, set: &PermissionSet) -> Vec<String> {
        let catalog: Vec<&str> = self.catalog.iter().map(String::as_str).collect();
        set.expand(&catalog)
    }

    fn user(&self, user: User, assignments: Vec<(String, Option<NaiveDateTime>)>) -> UserView {
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

    fn role(&self, role: Role, user_count: i64) -> RoleView {
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

impl UserView {
    pub fn load(conn: &mut DbConn, user: User) -> Result<Self, AppError> {
        let assignments = user_q::list_assignments(conn, user.id)?;
        Ok(Directory::load(conn)?.user(user, assignments))
    }

    /// Views of several users with three queries in all.
    pub fn load_many(conn: &mut DbConn, users: Vec<User>) -> Result<Vec<Self>, AppError> {
        let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let mut by_user: HashMap<i64, Vec<(String, Option<NaiveDateTime>)>> = HashMap::new();
        for (user_id, role, exp) in user_q::list_assignments_of(conn, &ids)? {
            by_user.entry(user_id).or_default().push((role, exp));
        }
        let dir = Directory::load(conn)?;
        Ok(users
            .into_iter()
            .map(|u| {
                let assignments = by_user.remove(&u.id).unwrap_or_default();
                dir.user(u, assignments)
            })
            .collect())
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

impl RoleView {
    /// Every role, by name.
    pub fn load_all(conn: &mut DbConn) -> Result<Vec<Self>, AppError> {
        let counts = role_q::count_active_holders(conn, crate::db::now())?;
        let dir = Directory::load(conn)?;
        Ok(role_q::list_roles(conn)?
            .into_iter()
            .map(|r| {
                let count = counts.get(&r.id).copied().unwrap_or(0);
                dir.role(r, count)
            })
            .collect())
    }

    pub fn load(conn: &mut DbConn, name: &str) -> Result<Self, AppError> {
        let role = role_q::find_role_by_name(conn, name)?.ok_or(AppError::NotFound)?;
        let count = role_q::count_active_holders(conn, crate::db::now())?
            .get(&role.id)
            .copied()
            .unwrap_or(0);
        Ok(Directory::load(conn)?.role(role, count))
    }
}

#[cfg(test)]
mod tests {
    use super::{rfc3339, Rfc3339};
    use chrono::{NaiveDate, NaiveDateTime};

    fn chrono_rfc3339(t: NaiveDateTime) -> String {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    #[test]
    fn rfc3339_matches_chrono() {
        for (y, mo, d, h, mi, s, ns) in [
            (2026, 11, 23, 10, 12, 0, 0),
            (2026, 1, 2, 3, 4, 5, 999_999_000),
            (1999, 12, 31, 23, 59, 59, 123),
            (2024, 2, 29, 0, 0, 0, 0),
            (1, 1, 1, 0, 0, 0, 0),
            (9999, 12, 31, 23, 59, 59, 0),
            (10000, 1, 1, 0, 0, 0, 0),
            (-1, 6, 15, 12, 30, 30, 0),
        ] {
            let t = NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_nano_opt(h, mi, s, ns)
                .unwrap();
            assert_eq!(rfc3339(t), chrono_rfc3339(t));
            assert_eq!(
                serde_json::to_string(&Rfc3339(t)).unwrap(),
                format!("\"{}\"", chrono_rfc3339(t))
            );
        }
    }
}
