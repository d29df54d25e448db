use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::{NewUser, User, UserChanges};
use crate::db::schema::{roles, user_roles, users};
use crate::db::{now, DbConn};

pub fn insert_user(conn: &mut DbConn, new: &NewUser<'_>) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn find_user(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_user_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn update_user(conn: &mut DbConn, id: i64, changes: &UserChanges) -> QueryResult<User> {
    diesel::update(users::table.find(id))
        .set(changes)
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn count_users(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// A user's role assignments (role name, expiry), expired ones included, by role name.
pub fn list_assignments(
    conn: &mut DbConn,
    user_id: i64,
) -> QueryResult<Vec<(String, Option<NaiveDateTime>)>> {
    user_roles::table
        .inner_join(roles::table)
        .filter(user_roles::user_id.eq(user_id))
        .order(roles::name)
        .select((roles::name, user_roles::expires_at))
        .load(conn)
}

/// What [`assign_role`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assigned {
    /// A new assignment.
    New,
    /// The user held the role with another expiry; it now has this one.
    ExpiryChanged,
    /// The user already held the role with this very expiry: nothing was written.
    Unchanged,
}

/// Grants a role, or updates the expiry of an existing assignment. Re-granting with the
/// same expiry writes nothing (SPEC H14: an idempotent request changes nothing).
pub fn assign_role(
    conn: &mut DbConn,
    user_id: i64,
    role_id: i64,
    granted_by: Option<i64>,
    expires_at: Option<NaiveDateTime>,
) -> QueryResult<Assigned> {
    let key = user_roles::table.find((user_id, role_id));
    let existing: Option<Option<NaiveDateTime>> =
        key.select(user_roles::expires_at).first(conn).optional()?;
    match existing {
        Some(current) if current == expires_at => Ok(Assigned::Unchanged),
        Some(_) => {
            diesel::update(key)
                .set((
                    user_roles::expires_at.eq(expires_at),
                    user_roles::granted_by.eq(granted_by),
                    user_roles::granted_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(Assigned::ExpiryChanged)
        }
        None => {
            diesel::insert_into(user_roles::table)
                .values((
                    user_roles::user_id.eq(user_id),
                    user_roles::role_id.eq(role_id),
                    user_roles::granted_at.eq(now()),
                    user_roles::granted_by.eq(granted_by),
                    user_roles::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
            Ok(Assigned::New)
        }
    }
}

/// Removes an assignment; returns whether there was one.
pub fn unassign_role(conn: &mut DbConn, user_id: i64, role_id: i64) -> QueryResult<bool> {
    diesel::delete(user_roles::table.find((user_id, role_id)))
        .execute(conn)
        .map(|n| n > 0)
}

/// Enabled users holding any of `role_ids` through a permanent (non-expiring)
/// assignment: the holders that count for the last-holder rule (SPEC H2).
pub fn list_permanent_holders(conn: &mut DbConn, role_ids: &[i64]) -> QueryResult<Vec<i64>> {
    user_roles::table
        .inner_join(users::table)
        .filter(user_roles::role_id.eq_any(role_ids))
        .filter(users::disabled.eq(false))
        .filter(user_roles::expires_at.is_null())
        .select(users::id)
        .distinct()
        .load(conn)
}

/// Filters of `GET /api/users` and the admin user list.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// Case-insensitive substring of the username or the email.
    pub q: Option<String>,
    /// Only users with an id above this (keyset pagination, oldest first).
    pub after_id: Option<i64>,
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// `s` as a LIKE pattern that matches it literally anywhere (escape character `\`).
fn contains_pattern(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Users by id, at most `limit`.
pub fn list_users(conn: &mut DbConn, filter: &UserFilter, limit: i64) -> QueryResult<Vec<User>> {
    let mut query = users::table
        .select(User::as_select())
        .order(users::id)
        .limit(limit)
        .into_boxed();
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(users::username)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::email).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = filter.after_id {
        query = query.filter(users::id.gt(after));
    }
    query.load(conn)
}

/// The role assignments (user id, role name, expiry) of several users at once.
pub fn list_assignments_of(
    conn: &mut DbConn,
    user_ids: &[i64],
) -> QueryResult<Vec<(i64, String, Option<NaiveDateTime>)>> {
    user_roles::table
        .inner_join(roles::table)
        .filter(user_roles::user_id.eq_any(user_ids))
        .order((user_roles::user_id, roles::name))
        .select((user_roles::user_id, roles::name, user_roles::expires_at))
        .load(conn)
}

/// Usernames holding `role_id` through an unexpired assignment (disabled accounts
/// included: re-enabling them restores the role).
pub fn list_role_holders(
    conn: &mut DbConn,
    role_id: i64,
    at: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    user_roles::table
        .inner_join(users::table)
        .filter(user_roles::role_id.eq(role_id))
        .filter(
            user_roles::expires_at
                .is_null()
                .or(user_roles::expires_at.gt(at)),
        )
        .order(users::username)
        .select(users::username)
        .load(conn)
}
