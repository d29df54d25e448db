//! Browser sessions kept on the server (SPEC H7). The cookie carries a random secret; a
//! row holds only its SHA-256, so a stolen database does not sign anyone in. Ending a
//! session is deleting its row, which every instance sees on its next read.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::sessions;
use crate::db::time::Stamp;
use crate::db::DbConn;

/// A stored session, as listed on `/admin/account`.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub last_seen_at: NaiveDateTime,
    pub ip: Option<String>,
    pub user_agent: String,
}

/// What each request with a session cookie reads: enough to decide whether it is live.
#[derive(Clone, Copy, Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionKey {
    pub id: i64,
    pub user_id: i64,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub last_seen_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub ip: Option<&'a str>,
    pub user_agent: &'a str,
}

/// Stores a new session; returns its id.
pub fn insert_session(conn: &mut DbConn, new: &NewSession<'_>) -> QueryResult<i64> {
    diesel::insert_into(sessions::table)
        .values(new)
        .returning(sessions::id)
        .get_result(conn)
}

/// The session whose secret hashes to `token_hash` (the unique index: one lookup), with
/// the current authorization generation read by the same statement, as a PAT is
/// (`pats::find_pat_by_hash`). Run on every request that carries a session cookie, so it
/// is compiled per backend.
pub fn find_session_by_hash(
    conn: &mut DbConn,
    token_hash: &str,
) -> QueryResult<Option<(SessionKey, i64)>> {
    let generation = super::settings::generation_column();
    let found = crate::on_backend!(conn, |c| sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .select((SessionKey::as_select(), generation))
        .first(c)
        .optional())?;
    super::settings::with_generation(found)
}

/// Moves `last_seen_at` to `at` unless it is already later than `stale_before`: several
/// requests (or instances) that decide to touch the same session at once write it once.
pub fn touch_session(
    conn: &mut DbConn,
    id: i64,
    at: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::last_seen_at.lt(stale_before)),
    )
    .set(sessions::last_seen_at.eq(at))
    .execute(conn)
}

/// The user's sessions still seen after `idle_since` and started after `started_since`
/// (the live ones), most recently seen first.
pub fn list_user_sessions(
    conn: &mut DbConn,
    user_id: i64,
    idle_since: NaiveDateTime,
    started_since: NaiveDateTime,
) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::last_seen_at.gt(idle_since))
        .filter(sessions::created_at.gt(started_since))
        .order((sessions::last_seen_at.desc(), sessions::id.desc()))
        .select(Session::as_select())
        .load(conn)
}

/// Ends one session of `user_id`; false when it was not theirs or had already ended.
pub fn delete_session(conn: &mut DbConn, id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::delete(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// Removes the user's expired sessions (kept from piling up: each sign-in clears them).
pub fn delete_expired_user_sessions(
    conn: &mut DbConn,
    user_id: i64,
    idle_since: NaiveDateTime,
    started_since: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(
                sessions::last_seen_at
                    .le(idle_since)
                    .or(sessions::created_at.le(started_since)),
            ),
    )
    .execute(conn)
}

/// Ends every session of `user_id` but `except` (the caller's own, when it survives);
/// returns how many ended.
pub fn delete_user_sessions(
    conn: &mut DbConn,
    user_id: i64,
    except: Option<i64>,
) -> QueryResult<usize> {
    let mine = sessions::table.filter(sessions::user_id.eq(user_id));
    match except {
        Some(keep) => diesel::delete(mine.filter(sessions::id.ne(keep))).execute(conn),
        None => diesel::delete(mine).execute(conn),
    }
}
