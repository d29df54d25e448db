//! Start-up rendering of post bodies stored before `posts.body_html` existed (SPEC §10:
//! reading a post never parses Markdown, so every row needs its rendering).

use crate::blog::markdown;
use crate::db::queries::posts as post_q;
use crate::db::{write_tx, DbConn};
use crate::error::AppError;

/// Rows rendered per transaction: short write transactions, so a large backlog never
/// holds the write lock for long.
const BATCH: i64 = 100;

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
