use diesel::prelude::*;

use crate::db::schema::{authz_state, settings};
use crate::db::DbConn;

/// A setting shared by every instance on this database.
pub fn find_setting(conn: &mut DbConn, key: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()
}

/// Inserts the setting unless it exists; returns the value that is stored afterwards, so
/// two instances starting at once agree on one value.
pub fn insert_setting_if_absent(conn: &mut DbConn, key: &str, value: &str) -> QueryResult<String> {
    if let Some(existing) = find_setting(conn, key)? {
        return Ok(existing);
    }
    let inserted = diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(value)))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(value.to_owned()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => find_setting(conn, key)?.ok_or(diesel::result::Error::NotFound),
        Err(e) => Err(e),
    }
}

/// The authorization generation: any change that can alter a decision bumps it.
pub fn find_generation(conn: &mut DbConn) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| authz_state::table
        .find(1)
        .select(authz_state::generation)
        .first(c))
}

/// Call inside the transaction that changes roles, grants, assignments, accounts or
/// revocations, so every instance drops its cached decisions on its next request.
pub fn bump_generation(conn: &mut DbConn) -> QueryResult<()> {
    diesel::update(authz_state::table.find(1))
        .set(authz_state::generation.eq(authz_state::generation + 1))
        .execute(conn)
        .map(|_| ())
}
