//! Authorization codes, approved apps (`oauth_grants`) and the refresh-token families
//! issued to a client (`oauth_families`), SPEC §11. A code is only ever stored as its
//! SHA-256; the caller owns the transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    authorization_codes as codes, oauth_clients, oauth_families, oauth_grants,
};
use crate::db::time::{MaybeStamp, Stamp};
use crate::db::DbConn;

/// A stored code.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = codes)]
pub struct StoredCode {
    pub code_hash: String,
    pub client_id: String,
    pub user_id: i64,
    pub redirect_uri: Option<String>,
    pub scopes: String,
    pub code_challenge: String,
    /// The refresh-token family the exchange started (set once exchanged).
    pub family: Option<String>,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub expires_at: NaiveDateTime,
    #[diesel(deserialize_as = MaybeStamp)]
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = codes)]
pub struct NewCode<'a> {
    pub code_hash: &'a str,
    pub client_id: &'a str,
    pub user_id: i64,
    pub redirect_uri: Option<&'a str>,
    pub scopes: &'a str,
    pub code_challenge: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Stores a code; expired ones are cleared on the way, so the table stays small.
pub fn insert_code(conn: &mut DbConn, new: &NewCode<'_>) -> QueryResult<()> {
    // A used code is kept past its expiry for a while: a late second presentation must
    // still find it to revoke what it issued.
    let keep_used = new.created_at - chrono::Duration::days(1);
    diesel::delete(
        codes::table
            .filter(codes::expires_at.le(new.created_at))
            .filter(codes::used_at.is_null().or(codes::used_at.lt(keep_used))),
    )
    .execute(conn)?;
    diesel::insert_into(codes::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// The code whose secret hashes to `code_hash`.
pub fn find_code(conn: &mut DbConn, code_hash: &str) -> QueryResult<Option<StoredCode>> {
    codes::table
        .filter(codes::code_hash.eq(code_hash))
        .select(StoredCode::as_select())
        .first(conn)
        .optional()
}

/// Marks the code used unless it already was; false when another exchange came first
/// (that one is then the first presentation and this one a reuse).
pub fn mark_code_used(conn: &mut DbConn, code_hash: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        codes::table
            .filter(codes::code_hash.eq(code_hash))
            .filter(codes::used_at.is_null()),
    )
    .set(codes::used_at.eq(at))
    .execute(conn)
    .map(|n| n == 1)
}

/// Records the family a code's exchange started.
pub fn set_code_family(conn: &mut DbConn, code_hash: &str, family: &str) -> QueryResult<()> {
    diesel::update(codes::table.filter(codes::code_hash.eq(code_hash)))
        .set(codes::family.eq(family))
        .execute(conn)
        .map(|_| ())
}

/// Records (or widens to `scopes`) what the user approved for the client.
pub fn upsert_grant(
    conn: &mut DbConn,
    user_id: i64,
    client_id: &str,
    scopes: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(
        oauth_grants::table
            .filter(oauth_grants::user_id.eq(user_id))
            .filter(oauth_grants::client_id.eq(client_id)),
    )
    .set((
        oauth_grants::scopes.eq(scopes),
        oauth_grants::updated_at.eq(at),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(oauth_grants::table)
            .values((
                oauth_grants::user_id.eq(user_id),
                oauth_grants::client_id.eq(client_id),
                oauth_grants::scopes.eq(scopes),
                oauth_grants::created_at.eq(at),
                oauth_grants::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// An app the user approved, with the client's name.
#[derive(Clone, Debug, Queryable)]
pub struct ApprovedApp {
    pub client_id: String,
    pub name: String,
    pub scopes: String,
    #[diesel(deserialize_as = Stamp)]
    pub approved_at: NaiveDateTime,
}

/// The apps `user_id` approved, most recently approved first.
pub fn list_user_grants(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<ApprovedApp>> {
    oauth_grants::table
        .inner_join(oauth_clients::table)
        .filter(oauth_grants::user_id.eq(user_id))
        .order((
            oauth_grants::updated_at.desc(),
            oauth_grants::client_id.asc(),
        ))
        .select((
            oauth_grants::client_id,
            oauth_clients::name,
            oauth_grants::scopes,
            oauth_grants::updated_at,
        ))
        .load(conn)
}

/// Forgets the user's approval of the client; false when there was none.
pub fn delete_grant(conn: &mut DbConn, user_id: i64, client_id: &str) -> QueryResult<bool> {
    diesel::delete(
        oauth_grants::table
            .filter(oauth_grants::user_id.eq(user_id))
            .filter(oauth_grants::client_id.eq(client_id)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// Ties a new refresh-token family to the client it was issued to.
pub fn insert_family(
    conn: &mut DbConn,
    family: &str,
    user_id: i64,
    client_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(oauth_families::table)
        .values((
            oauth_families::family.eq(family),
            oauth_families::user_id.eq(user_id),
            oauth_families::client_id.eq(client_id),
            oauth_families::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The client a family was issued to (`None`: a first-party family).
pub fn find_family_client(conn: &mut DbConn, family: &str) -> QueryResult<Option<String>> {
    oauth_families::table
        .filter(oauth_families::family.eq(family))
        .select(oauth_families::client_id)
        .first(conn)
        .optional()
}

/// The families issued to the client, for one user or (`None`) for everyone.
pub fn list_client_families(
    conn: &mut DbConn,
    client_id: &str,
    user_id: Option<i64>,
) -> QueryResult<Vec<String>> {
    let mut query = oauth_families::table
        .filter(oauth_families::client_id.eq(client_id))
        .select(oauth_families::family)
        .into_boxed();
    if let Some(user_id) = user_id {
        query = query.filter(oauth_families::user_id.eq(user_id));
    }
    query.load(conn)
}

/// Forgets the user's families of the client (after ending them).
pub fn delete_families(conn: &mut DbConn, client_id: &str, user_id: i64) -> QueryResult<usize> {
    diesel::delete(
        oauth_families::table
            .filter(oauth_families::client_id.eq(client_id))
            .filter(oauth_families::user_id.eq(user_id)),
    )
    .execute(conn)
}
