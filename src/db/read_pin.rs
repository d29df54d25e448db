//! Keeps a SQLite WAL read lock held in this process, so that request reads do not take
//! and drop it through the kernel every time.
//!
//! A read transaction on a WAL database holds a shared lock on one of the `-shm` file's
//! read-mark slots. SQLite counts those locks per process: only the first holder takes the
//! POSIX lock (`fcntl`) and only the last one drops it, and it does both while holding a
//! process-wide mutex. With reads running on every worker, that was two `fcntl` calls per
//! request and the workers queueing on the mutex behind each other's system calls (about a
//! tenth of the server's CPU on a single-post read; docs/performance.md).
//!
//! The pin is one more reader: a dedicated connection on its own thread that holds a read
//! transaction for [`HOLD`], ends it and starts the next one. While it holds, a request's
//! read finds the slot's count above zero and only bumps it. It changes nothing a reader
//! sees (each request still starts its own transaction, with its own snapshot), and a writer
//! never waits for readers in WAL mode.
//!
//! What a long-lived reader would cost is checkpointing: frames newer than the pin's
//! snapshot are not copied back, and the WAL file only restarts from its beginning when no
//! reader is behind. So the pin never lives long ([`HOLD`]), and after a period in which the
//! database changed it stays away for one more [`HOLD`]: under a sustained stream of writes
//! it is held half the time, and the WAL is checkpointed and restarted in the gaps exactly
//! as without it. Gaps are a matter of timing, though, and a loaded machine stretches
//! timings: so once the WAL file has grown past [`WAL_BYTES_LIMIT`], the pin checks after
//! each round with writes and, if the WAL really holds that much, restarts it itself, which
//! bounds the file by construction (`tests/api/reliability.rs` checks that the WAL stays
//! bounded).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl, SqliteConnection};

use super::{DbConn, Manager};
use crate::config::DatabaseUrl;

/// How long one pinned read transaction lasts, and how long the pin stays away after a
/// period with writes.
pub const HOLD: Duration = Duration::from_millis(20);

/// WAL size past which the pin restarts the WAL: twice the size at which SQLite's automatic
/// checkpoints start (1,000 pages of 4 KiB).
pub const WAL_BYTES_LIMIT: u64 = 8 << 20;

/// How long the pin's restart of the WAL may wait for readers to leave it; new writers wait
/// behind it meanwhile (within their own busy timeout), so it is short.
const RESTART_WAIT_MS: u32 = 100;

/// The running pin; dropping it stops the thread (within one [`HOLD`]) and closes its
/// connection.
pub struct ReadPin {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ReadPin {
    /// Starts the pin for a SQLite database; `None` for PostgreSQL, whose readers take no
    /// such lock.
    pub fn start(url: &DatabaseUrl) -> Result<Option<Self>, anyhow::Error> {
        if !url.is_sqlite() {
            return Ok(None);
        }
        let DbConn::Sqlite(mut conn) = Manager::new(url.clone()).open()? else {
            return Ok(None);
        };
        // Only the pin's WAL restart ever waits on this connection (`bound_the_wal`).
        conn.batch_execute(&format!("PRAGMA busy_timeout = {RESTART_WAIT_MS};"))?;
        // The first round runs here, so a database that cannot be read fails the start.
        let mut seen = data_version(&mut conn)?;
        let wal = wal_file(&mut conn)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("quire-read-pin".into())
            .spawn(move || {
                let mut failing = false;
                while !stopped.load(Ordering::Relaxed) {
                    match pin_once(&mut conn, &stopped) {
                        Ok(version) => {
                            failing = false;
                            if version != seen {
                                // Writes happened: leave checkpoints a window without us.
                                seen = version;
                                if let Err(e) = bound_the_wal(&mut conn, &wal) {
                                    tracing::debug!(error = %e, "WAL checkpoint by the pin");
                                }
                                std::thread::park_timeout(HOLD);
                            }
                        }
                        Err(e) => {
                            if !failing {
                                tracing::warn!(error = %e, "SQLite read pin failed; retrying");
                                failing = true;
                            }
                            let _ = conn.batch_execute("ROLLBACK");
                            std::thread::park_timeout(HOLD);
                        }
                    }
                }
            })?;
        Ok(Some(Self {
            stop,
            thread: Some(thread),
        }))
    }
}

impl Drop for ReadPin {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
        }
    }
}

/// One pinned read transaction; returns the database's data version afterwards.
fn pin_once(conn: &mut SqliteConnection, stop: &AtomicBool) -> Result<i64, anyhow::Error> {
    // Reading a page is what starts a read transaction (a deferred BEGIN takes no lock).
    conn.batch_execute("BEGIN; SELECT 1 FROM sqlite_schema LIMIT 1;")?;
    if !stop.load(Ordering::Relaxed) {
        std::thread::park_timeout(HOLD);
    }
    conn.batch_execute("COMMIT")?;
    data_version(conn)
}

#[derive(QueryableByName)]
struct Checkpoint {
    /// Frames in the WAL (-1 if the database is not in WAL mode).
    #[diesel(sql_type = BigInt)]
    log: i64,
}

#[derive(QueryableByName)]
struct MainFile {
    #[diesel(sql_type = Text)]
    file: String,
    #[diesel(sql_type = BigInt)]
    page_size: i64,
}

/// The database's WAL file, and how many bytes a frame (one page and its header) takes.
struct WalFile {
    path: PathBuf,
    frame_bytes: u64,
}

fn wal_file(conn: &mut SqliteConnection) -> Result<WalFile, anyhow::Error> {
    let main = diesel::sql_query(
        "SELECT file, (SELECT page_size FROM pragma_page_size) AS page_size \
         FROM pragma_database_list WHERE name = 'main'",
    )
    .get_result::<MainFile>(conn)?;
    Ok(WalFile {
        path: PathBuf::from(format!("{}-wal", main.file)),
        frame_bytes: u64::try_from(main.page_size)? + 24,
    })
}

/// Restarts the WAL if it holds more than [`WAL_BYTES_LIMIT`]: a full checkpoint after which
/// the next writer starts the WAL from its beginning. Runs outside the pin's read
/// transaction. The WAL file keeps its largest size, so while the file is no larger than
/// the limit this is one `stat`; past it, a passive checkpoint (which waits for nobody)
/// says how many frames the WAL holds now.
fn bound_the_wal(conn: &mut SqliteConnection, wal: &WalFile) -> Result<(), anyhow::Error> {
    if std::fs::metadata(&wal.path).map_or(true, |m| m.len() <= WAL_BYTES_LIMIT) {
        return Ok(());
    }
    let frames = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)")
        .get_result::<Checkpoint>(conn)?
        .log;
    if u64::try_from(frames).unwrap_or(0) * wal.frame_bytes > WAL_BYTES_LIMIT {
        diesel::sql_query("PRAGMA wal_checkpoint(RESTART)").get_result::<Checkpoint>(conn)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = BigInt)]
    data_version: i64,
}

/// Changes whenever another connection commits (SQLite's `PRAGMA data_version`).
fn data_version(conn: &mut SqliteConnection) -> Result<i64, anyhow::Error> {
    Ok(diesel::sql_query("PRAGMA data_version")
        .get_result::<DataVersion>(conn)?
        .data_version)
}
