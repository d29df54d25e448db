//! Database access: one connection type over SQLite and PostgreSQL, one pool, migrations.
//!
//! Every query lives in [`queries`]; handlers reach the database only through [`Db::run`]
//! (blocking work on actix's blocking pool) and the transaction helpers here.

pub mod models;
pub mod queries;
pub mod read_pin;
pub mod schema;
pub mod time;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseUrl;
use crate::error::AppError;

/// Runs a Diesel query on the concrete connection inside a [`DbConn`]: the body is
/// compiled once per backend. Through the `MultiConnection` enum every execution serializes
/// the whole query to SQL to find its cached statement (and again to bind it); on the
/// concrete connection a query of static shape is found by its type, with no SQL built.
/// Used by the queries on the hot read path (docs/performance.md).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}

/// A connection to whichever backend the URL named.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// SQLite waits this long for a lock before answering "database is locked".
const SQLITE_BUSY_TIMEOUT_MS: u32 = 15_000;

/// Page cache per SQLite connection (SQLite's default is 2 MiB). The OS caches the file for
/// every connection already; what a private cache adds is the B-tree's upper pages, which
/// fit in this. With the default, a pool of 8 grows by up to 16 MiB of duplicated pages.
const SQLITE_CACHE_KIB: u32 = 512;

/// Every statement Quire prepares is written for one index walk, whatever its parameters
/// (docs/decisions.md, "Generic plans on PostgreSQL"). Under PostgreSQL's default plan
/// cache mode a statement is re-planned with each execution's values whenever its generic
/// plan looks dearer, and a generic `LIMIT $n` is priced as a tenth of the matching rows,
/// which grows with the table: at 1,000,000 posts every list query was planned afresh.
const PG_SESSION: &str = "SET plan_cache_mode = force_generic_plan";

/// Opens connections by dispatching on the URL scheme ourselves: diesel's own
/// `MultiConnection::establish` tries each backend and hides the real cause of a failure.
#[derive(Clone, Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    fn open(&self) -> Result<DbConn, ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                conn.batch_execute(PG_SESSION)
                    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConn::Postgres(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // busy_timeout first, so that switching to WAL waits for other writers.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA foreign_keys = ON;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA cache_size = -{SQLITE_CACHE_KIB};"
                ))
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.open().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking()
            || <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// The pool plus the facts about the backend that callers need.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    sqlite: bool,
    /// One per pooled connection: [`Db::run`] waits here, on the async side, for a free
    /// connection, so blocking threads are only started for work that can run at once
    /// (never a crowd of threads parked on the pool's mutex, each with its own arena).
    permits: Arc<tokio::sync::Semaphore>,
}

impl Db {
    /// Connects once directly (so a bad URL reports the backend's own error), then builds
    /// the pool.
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<Self, anyhow::Error> {
        Self::connect_with(url, pool_size, 1)
    }

    /// For short-lived commands: one connection and no idle ones kept warm. r2d2 opens
    /// idle connections on a background thread; one still inside libpq when the process
    /// exits crashes it.
    pub fn connect_for_cli(url: &DatabaseUrl) -> Result<Self, anyhow::Error> {
        Self::connect_with(url, 1, 0)
    }

    fn connect_with(
        url: &DatabaseUrl,
        pool_size: u32,
        min_idle: u32,
    ) -> Result<Self, anyhow::Error> {
        let manager = Manager::new(url.clone());
        manager
            .open()
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", url.redacted()))?;
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(min_idle))
            // A SQLite file cannot go stale under us, so no `SELECT 1` per checkout there.
            // A PostgreSQL connection can (server restart, idle kill): test it, one round
            // trip, so a client never gets the error of a dead connection.
            .test_on_check_out(!url.is_sqlite())
            .connection_timeout(Duration::from_secs(20))
            .build(manager)
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", url.redacted()))?;
        Ok(Self {
            pool,
            sqlite: url.is_sqlite(),
            permits: Arc::new(tokio::sync::Semaphore::new(pool_size as usize)),
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// A connection for synchronous callers (CLI, tests, code already on a blocking thread).
    pub fn get(&self) -> Result<PooledConn, AppError> {
        self.pool
            .get()
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("database pool: {e}")))
    }

    /// Runs `f`, which only reads, with a pooled connection. On SQLite it runs right here
    /// on the async worker: a read of a local WAL database takes no lock a writer holds
    /// (only rare moments, such as recovery after a crash, make it wait), and an indexed
    /// page costs tens of microseconds, less than handing it to another thread and back
    /// (docs/decisions.md, "Reads on the workers"). On PostgreSQL, whose reads wait on
    /// the network, it goes to the blocking pool like [`Db::run`]. Either way it first
    /// waits, asynchronously, for a connection permit, so taking the connection never
    /// blocks the worker.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        if !self.sqlite {
            return self.run(f).await;
        }
        let _permit = self.permit().await?;
        let mut conn = self.get()?;
        f(&mut conn)
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        self.permits
            .acquire()
            .await
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("database permits: {e}")))
    }

    /// Runs `f` with a pooled connection on the blocking pool, off the async workers.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self.permit().await?;
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("database pool: {e}")))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))?
    }
}

/// Applies pending migrations for the connection's backend; returns their names.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, anyhow::Error> {
    let applied = match conn {
        DbConn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
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

/// Runs `f` in a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the write lock is
/// taken (waiting up to the busy timeout) before anything is read: a deferred transaction
/// that later upgrades can fail at once with "database is locked" under concurrent writers.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            if let Err(commit_err) =
                <DbConn as Connection>::TransactionManager::commit_transaction(conn)
            {
                let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
                return Err(commit_err.into());
            }
            Ok(value)
        }
        Err(e) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// The current time as stored (UTC, microsecond precision on both backends).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    // PostgreSQL keeps microseconds; trimming here makes values round-trip identically.
    now.with_nanosecond_trimmed()
}

trait TrimNanos {
    fn with_nanosecond_trimmed(self) -> Self;
}

impl TrimNanos for chrono::NaiveDateTime {
    fn with_nanosecond_trimmed(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1_000 * 1_000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}
