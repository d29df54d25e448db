//! Start-up rendering of post bodies (SPEC §10: reading a post never parses Markdown, so
//! every row needs its rendering): rows stored before `posts.body_html` existed, and every
//! row again when [`markdown::RENDER_VERSION`] moved (a new allow-list, say).

use crate::blog::markdown;
use crate::db::queries::posts as post_q;
use crate::db::queries::settings;
use crate::db::{write_tx, DbConn};
use crate::error::AppError;

/// Rows rendered per transaction: short write transactions, so a large backlog never
/// holds the write lock for long.
const BATCH: i64 = 100;

/// The settings key of the renderer version the stored renderings were made with.
const VERSION_KEY: &str = "markdown_render_version";

/// Brings every stored rendering up to date: all of them when the renderer's version is not
/// the one recorded, then any still missing. Returns how many it stored.
pub fn render_bodies(conn: &mut DbConn) -> Result<usize, AppError> {
    let current = markdown::RENDER_VERSION.to_string();
    let mut stored = 0;
    if settings::find_setting(conn, VERSION_KEY)?.as_deref() != Some(current.as_str()) {
        stored += render_all(conn)?;
        // Recorded only once all are done: an interrupted start renders them all again.
        settings::set_setting(conn, VERSION_KEY, &current)?;
    }
    Ok(stored + render_missing(conn)?)
}

/// Renders every post again, in batches by id. Two instances doing it at once store the
/// same renderings; a post edited meanwhile keeps the rendering its edit stored.
fn render_all(conn: &mut DbConn) -> Result<usize, AppError> {
    let (mut after, mut stored) = (0, 0);
    loop {
        let batch = post_q::bodies_after(conn, after, BATCH)?;
        let Some(&(last, _)) = batch.last() else {
            return Ok(stored);
        };
        after = last;
        let rendered: Vec<(i64, String, String)> = batch
            .into_iter()
            .map(|(id, body)| {
                let html = markdown::render(&body);
                (id, body, html)
            })
            .collect();
        stored += write_tx(conn, |conn| {
            let mut n = 0;
            for (id, body, html) in &rendered {
                n += post_q::replace_rendering(conn, *id, body, html)?;
            }
            Ok::<_, AppError>(n)
        })?;
    }
}

/// Renders every post whose rendering is missing, in batches; returns how many it stored.
///
/// Safe with several instances starting at once: each stores a rendering only where none
/// is stored yet, so two instances rendering the same batch store it once, and an edit
/// made meanwhile (which writes body and rendering together) is never overwritten.
pub fn render_missing(conn: &mut DbConn) -> Result<usize, AppError> {
    let mut stored = 0;
    loop {
        let batch = post_q::unrendered_posts(conn, BATCH)?;
        if batch.is_empty() {
            return Ok(stored);
        }
        // Rendered outside the transaction; only the writes hold the lock.
        let rendered: Vec<(i64, String)> = batch
            .into_iter()
            .map(|(id, body)| (id, markdown::render(&body)))
            .collect();
        stored += write_tx(conn, |conn| {
            let mut n = 0;
            for (id, html) in &rendered {
                n += post_q::store_rendering(conn, *id, html)?;
            }
            Ok::<_, AppError>(n)
        })?;
    }
}
