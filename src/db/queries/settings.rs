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

/// Stores `value` under `key`, replacing what was there.
pub fn set_setting(conn: &mut DbConn, key: &str, value: &str) -> QueryResult<()> {
    let row = (settings::key.eq(key), settings::value.eq(value));
    crate::on_backend!(conn, |c| diesel::insert_into(settings::table)
        .values(row)
        .on_conflict(settings::key)
        .do_update()
        .set(settings::value.eq(value))
        .execute(c))
    .map(|_| ())
}

/// The authorization generation: any change that can alter a decision bumps it.
pub fn find_generation(conn: &mut DbConn) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| authz_state::table
        .find(1)
        .select(authz_state::generation)
        .first(c))
}

/// The generation as a column of another statement (a scalar subquery): a credential's
/// row selected with it comes with the generation from one statement and one snapshot.
/// Pair it with [`with_generation`].
pub fn generation_column() -> GenerationColumn {
    authz_state::table
        .find(1)
        .select(authz_state::generation)
        .single_value()
}

/// What [`generation_column`] is, as a type.
pub type GenerationColumn = diesel::dsl::SingleValue<
    diesel::dsl::Select<diesel::dsl::Find<authz_state::table, i32>, authz_state::generation>,
>;

/// A row read with [`generation_column`] as its last column. The generation row is made by
/// the first migration and never deleted: its absence is an error, never a default.
pub fn with_generation<T>(found: Option<(T, Option<i64>)>) -> QueryResult<Option<(T, i64)>> {
    found
        .map(|(row, generation)| {
            generation
                .map(|g| (row, g))
                .ok_or(diesel::result::Error::NotFound)
        })
        .transpose()
}

/// Call inside the transaction of a change that can alter a decision (grants, parents,
/// role assignments, disabling or enabling an account, token revocation), so every
/// instance drops its cached decisions on its next request; only then (SPEC H14): every
/// bump makes every instance reload, so a request that changes nothing, or only a
/// profile, must not bump.
pub fn bump_generation(conn: &mut DbConn) -> QueryResult<()> {
    diesel::update(authz_state::table.find(1))
        .set(authz_state::generation.eq(authz_state::generation + 1))
        .execute(conn)
        .map(|_| ())
}

/// Takes the lock that serializes every change with guard rails (SPEC H1): on PostgreSQL a
/// row lock on the one `authz_state` row, held until the transaction ends. Call it first
/// in the transaction, before reading anything the guard rails decide on: at READ
/// COMMITTED, each later statement then sees every change committed before the lock was
/// granted, so two changes that each keep `*` alone cannot both pass. SQLite's
/// `BEGIN IMMEDIATE` ([`crate::db::write_tx`]) already serializes writers.
pub fn lock_authz_state(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(c) => authz_state::table
            .find(1)
            .select(authz_state::id)
            .for_update()
            .first::<i32>(c)
            .map(|_| ()),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// The `settings` key holding the id of the first administrator, the only account
/// start-up recovery ever restores (SPEC H3).
pub const FIRST_ADMIN_ID: &str = "first_admin_id";

/// The remembered first administrator, if any.
pub fn find_first_admin_id(conn: &mut DbConn) -> QueryResult<Option<i64>> {
    Ok(find_setting(conn, FIRST_ADMIN_ID)?.and_then(|v| v.parse().ok()))
}

/// Remembers `id` as the first administrator unless one is remembered already; returns
/// the one remembered afterwards. `ON CONFLICT DO NOTHING` rather than catching the
/// unique violation: it runs inside transactions, which a failed statement would abort
/// on PostgreSQL.
pub fn remember_first_admin_id(conn: &mut DbConn, id: i64) -> QueryResult<Option<i64>> {
    let row = (
        settings::key.eq(FIRST_ADMIN_ID),
        settings::value.eq(id.to_string()),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(settings::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    find_first_admin_id(conn)
}
