use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{refresh_tokens, revoked_families, revoked_tokens};
use crate::db::DbConn;

/// A stored refresh token (only its SHA-256 is kept).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: i64,
    pub user_id: i64,
    pub token_hash: String,
    pub family: String,
    pub scope: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub rotated_at: Option<NaiveDateTime>,
    pub revoked: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub family: &'a str,
    pub scope: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked: bool,
}

pub fn insert_refresh_token(conn: &mut DbConn, new: &NewRefreshToken<'_>) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find_refresh_token(
    conn: &mut DbConn,
    token_hash: &str,
) -> QueryResult<Option<RefreshToken>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshToken::as_select())
        .first(conn)
        .optional()
}

/// Marks a token rotated unless it already was; returns false when another request
/// rotated it first (a reuse).
pub fn mark_rotated(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::rotated_at.is_null()),
    )
    .set(refresh_tokens::rotated_at.eq(at))
    .execute(conn)
    .map(|n| n == 1)
}

/// Revokes every token of a rotation family.
pub fn revoke_family(conn: &mut DbConn, family: &str) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family.eq(family)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)
}

/// Remembers a revoked access-token id until the token would have expired anyway.
/// Returns whether it is newly revoked (false: it already was).
pub fn insert_revoked_jti(
    conn: &mut DbConn,
    jti: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: Option<String> = revoked_tokens::table
        .find(jti)
        .select(revoked_tokens::jti)
        .first(conn)
        .optional()?;
    if exists.is_none() {
        diesel::insert_into(revoked_tokens::table)
            .values((
                revoked_tokens::jti.eq(jti),
                revoked_tokens::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
    }
    Ok(exists.is_none())
}

/// Remembers a revoked refresh-token family until its last access token has expired; a
/// family revoked again keeps its first row (no token was issued from it since).
pub fn insert_revoked_family(
    conn: &mut DbConn,
    family: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    crate::on_backend!(conn, |c| diesel::insert_into(revoked_families::table)
        .values((
            revoked_families::family.eq(family),
            revoked_families::expires_at.eq(expires_at),
        ))
        .on_conflict_do_nothing()
        .execute(c))
    .map(|_| ())
}

/// Revoked families whose access tokens may still be alive.
pub fn list_revoked_families(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    revoked_families::table
        .filter(revoked_families::expires_at.gt(now))
        .select(revoked_families::family)
        .load(conn)
}

/// Revoked ids of tokens that have not expired yet.
pub fn list_revoked_jtis(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    revoked_tokens::table
        .filter(revoked_tokens::expires_at.gt(now))
        .select(revoked_tokens::jti)
        .load(conn)
}

/// Revokes every refresh token of a user (after a password change).
pub fn revoke_user_refresh_tokens(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked.eq(false)),
    )
    .set(refresh_tokens::revoked.eq(true))
    .execute(conn)
}
