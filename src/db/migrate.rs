//! The embedded migrations of both backends, applied at start by every instance.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies pending migrations for the connection's backend; returns their names.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, anyhow::Error> {
    let applied = match conn {
        // Several instances may start at once on one file: the write lock (BEGIN IMMEDIATE)
        // serializes them, so the later one finds the migrations applied.
        DbConn::Sqlite(c) => c.immediate_transaction(|c| {
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect())
        }),
        DbConn::Postgres(c) => {
            // Several instances may start at once against one database: serialize them.
            c.batch_execute("SELECT pg_advisory_lock(7175726965)")?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect());
            c.batch_execute("SELECT pg_advisory_unlock(7175726965)")?;
            result
        }
    };
    applied.map_err(|e| anyhow::anyhow!("migration failed: {e}"))
}
