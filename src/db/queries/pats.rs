//! Personal access tokens (SPEC §11). A row holds only the token's SHA-256, which is also
//! its lookup key; deleting the row is revoking the token, which every instance sees on its
//! next request (each PAT request reads its row, in the statement that reads the
//! authorization generation every request reads anyway).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::personal_access_tokens as pats;
use crate::db::time::{MaybeStamp, Stamp};
use crate::db::DbConn;

/// A stored token, as listed (never with its secret: only the hash is kept).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = pats)]
pub struct Pat {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub token_hash: String,
    /// Space-separated catalog names, wildcards already expanded.
    pub scopes: String,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub expires_at: NaiveDateTime,
    #[diesel(deserialize_as = MaybeStamp)]
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked: bool,
}

impl Pat {
    /// The scopes as a list.
    pub fn scope_list(&self) -> Vec<String> {
        self.scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pats)]
pub struct NewPat<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scopes: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked: bool,
}

/// Stores a new token; returns its id.
pub fn insert_pat(conn: &mut DbConn, new: &NewPat<'_>) -> QueryResult<i64> {
    diesel::insert_into(pats::table)
        .values(new)
        .returning(pats::id)
        .get_result(conn)
}

/// The token whose secret hashes to `token_hash` (the unique index: one lookup), with the
/// current authorization generation read by the same statement: a PAT request then costs
/// the one statement a JWT request spends on the generation alone, and the row and the
/// generation come from one snapshot of the database. Compiled per backend (hot path).
pub fn find_pat_by_hash(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<(Pat, i64)>> {
    let generation = super::settings::generation_column();
    let found = crate::on_backend!(conn, |c| pats::table
        .filter(pats::token_hash.eq(token_hash))
        .select((Pat::as_select(), generation))
        .first(c)
        .optional())?;
    super::settings::with_generation(found)
}

/// The user's live tokens (not revoked, not expired at `now`), newest first.
pub fn list_live_pats(
    conn: &mut DbConn,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Pat>> {
    pats::table
        .filter(pats::user_id.eq(user_id))
        .filter(pats::revoked.eq(false))
        .filter(pats::expires_at.gt(now))
        .order((pats::created_at.desc(), pats::id.desc()))
        .select(Pat::as_select())
        .load(conn)
}

/// Deletes one of `user_id`'s tokens; false when it was not theirs or is already gone.
pub fn delete_pat(conn: &mut DbConn, id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::delete(
        pats::table
            .filter(pats::id.eq(id))
            .filter(pats::user_id.eq(user_id)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// Removes the user's expired tokens (each creation clears them, so rows do not pile up).
pub fn delete_expired_user_pats(
    conn: &mut DbConn,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        pats::table
            .filter(pats::user_id.eq(user_id))
            .filter(pats::expires_at.le(now)),
    )
    .execute(conn)
}

/// Moves `last_used_at` to `at` unless it is already later than `stale_before`, so
/// parallel requests (or instances) that decide to touch the same token write it once.
pub fn touch_pat(
    conn: &mut DbConn,
    id: i64,
    at: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        pats::table.filter(pats::id.eq(id)).filter(
            pats::last_used_at
                .is_null()
                .or(pats::last_used_at.lt(stale_before)),
        ),
    )
    .set(pats::last_used_at.eq(at))
    .execute(conn)
}
