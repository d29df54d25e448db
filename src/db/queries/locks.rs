//! Named locks that make a check and its change one serialized step across instances.

use diesel::prelude::*;

use crate::db::DbConn;

/// Takes the transaction-scoped lock called `name` (released at commit or rollback). On
/// PostgreSQL an advisory lock keyed by the server's own `hashtext(name)`, so every
/// instance of every build agrees on the key; on SQLite nothing, because `write_tx` begins
/// with `BEGIN IMMEDIATE`, which already serializes writers. Call inside `write_tx`.
pub fn lock_for_transaction(conn: &mut DbConn, name: &str) -> QueryResult<()> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<diesel::sql_types::Text, _>(name)
            .execute(pg)?;
    }
    Ok(())
}
