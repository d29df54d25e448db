//! Database access: one connection type over SQLite and PostgreSQL, one pool, migrations.
//!
//! Every query lives in [`queries`]; handlers reach the database only through [`Db::run`]
//! (blocking work on actix's blocking pool), [`Db::read`] (reads that may run again) and
//! the transaction helpers here.

mod migrate;
pub mod models;
pub mod queries;
pub mod read_pin;
pub mod schema;
pub mod time;

pub use migrate::run_migrations;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};

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
                conn.set_instrumentation(Liveness::default());
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
        std::thread::panicking() || is_broken(conn)
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
            // No test on every checkout: a SQLite file cannot go stale under us, and on
            // PostgreSQL each path checks in its own way (`checked`, `read_again`).
            .test_on_check_out(false)
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

    /// A connection for synchronous callers (CLI, tests, code already on a blocking thread),
    /// known to work ([`checked`]).
    pub fn get(&self) -> Result<PooledConn, AppError> {
        checked(&self.pool, !self.sqlite)
    }

    /// Runs `f`, which only reads, with a pooled connection. On SQLite it runs right here
    /// on the async worker: a read of a local WAL database takes no lock a writer holds
    /// (only rare moments, such as recovery after a crash, make it wait), and an indexed
    /// page costs tens of microseconds, less than handing it to another thread and back
    /// (docs/decisions.md, "Reads on the workers"). On PostgreSQL, whose reads wait on
    /// the network, it goes to the blocking pool like [`Db::run`]. Either way it first
    /// waits, asynchronously, for a connection permit, so taking the connection never
    /// blocks the worker.
    ///
    /// On PostgreSQL the connection is not tested first: a read that meets a connection the
    /// server has closed runs again on another ([`read_again`]). `f` may therefore run more
    /// than once, which is why it must only read.
    pub async fn read<T, F>(&self, mut f: F) -> Result<T, AppError>
    where
        F: FnMut(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self.permit().await?;
        if self.sqlite {
            let mut conn = checkout(&self.pool)?;
            return f(&mut conn);
        }
        let pool = self.pool.clone();
        actix_web::web::block(move || read_again(&pool, &mut f))
            .await
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))?
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
        let test = !self.sqlite;
        actix_web::web::block(move || {
            let mut conn = checked(&pool, test)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))?
    }
}

fn checkout(pool: &DbPool) -> Result<PooledConn, AppError> {
    pool.get()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("database pool: {e}")))
}

/// Remembers whether a statement on this PostgreSQL connection failed because the
/// connection is gone (closed by the server, or unable to send). diesel reports every
/// statement's end here, including a failed prepare, which its transaction manager does
/// not see; [`is_closed`] reads it.
#[derive(Default)]
struct Liveness {
    closed: bool,
}

impl Instrumentation for Liveness {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery {
            error: Some(DieselError::DatabaseError(kind, _)),
            ..
        } = event
        {
            if matches!(
                kind,
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand
            ) {
                self.closed = true;
            }
        }
    }
}

/// Whether a statement found this (PostgreSQL) connection closed ([`Liveness`]).
fn is_closed(conn: &mut DbConn) -> bool {
    match conn {
        DbConn::Postgres(pg) => pg
            .instrumentation()
            .downcast_ref::<Liveness>()
            .is_some_and(|l| l.closed),
        DbConn::Sqlite(_) => false,
    }
}

/// Whether the connection must not go back to the pool: an open transaction, a
/// transaction manager in error, or a connection found closed.
fn is_broken(conn: &mut DbConn) -> bool {
    <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
        || is_closed(conn)
}

/// A pooled connection, tested with `SELECT 1` first when `test` is set (PostgreSQL), for
/// work that is not run again if it fails, such as a write. A connection in the pool may
/// have been closed by the server (a restart, an idle timeout, an administrator): such a
/// one fails the test, is dropped from the pool (it is broken) and the next one is tried,
/// so a client never sees the error of a dead connection. One round trip.
fn checked(pool: &DbPool, test: bool) -> Result<PooledConn, AppError> {
    for _ in 0..pool.max_size() {
        let mut conn = checkout(pool)?;
        // A failed test that left the connection usable is not ours to judge: the work
        // itself will report whatever is wrong.
        if !test || conn.batch_execute("SELECT 1").is_ok() || !is_closed(&mut conn) {
            return Ok(conn);
        }
        tracing::warn!("a pooled PostgreSQL connection was closed; trying another");
    }
    // Every pooled connection was dead: this one is newly opened.
    checkout(pool)
}

/// Runs the read `f` on a pooled PostgreSQL connection without testing it first, saving
/// the round trip of [`checked`] on the hot path. If `f` fails on a connection the server
/// has closed, the connection is dropped from the pool (it is broken) and `f` runs
/// again on the next one: a read changes nothing, so it is safe to repeat, and the client
/// never sees the error of a dead connection.
fn read_again<T>(
    pool: &DbPool,
    f: &mut impl FnMut(&mut DbConn) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut attempts = pool.max_size() + 1;
    loop {
        let mut conn = checkout(pool)?;
        let out = f(&mut conn);
        attempts -= 1;
        if out.is_ok() || attempts == 0 || !is_closed(&mut conn) {
            return out;
        }
        tracing::warn!("a pooled PostgreSQL connection was closed; reading again on another");
    }
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
    trim_to_micros(chrono::Utc::now().naive_utc())
}

/// `t` at the precision both backends store (PostgreSQL keeps microseconds), so a value
/// written and read back compares equal to the one written.
pub fn trim_to_micros(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    t.with_nanosecond_trimmed()
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
