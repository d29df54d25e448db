//! The scheduler's queries (SPEC §10): find and claim scheduled posts that are due, then
//! publish them or return them to draft.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::{Post, PostStatus};
use crate::db::schema::posts;
use crate::db::DbConn;

const SCHEDULED: &str = "scheduled";

/// Is any scheduled post due at `now`? A read that lets an idle tick skip the write
/// transaction (on SQLite, `BEGIN IMMEDIATE` would take the database's write lock every
/// second for nothing). Walks the partial index `posts_scheduled_at`.
pub fn any_due(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<bool> {
    let found: Option<i64> = posts::table
        .filter(posts::status.eq(SCHEDULED))
        .filter(posts::published_at.le(now))
        .select(posts::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Up to `limit` scheduled posts due at `now`, oldest first, claimed for the caller's
/// transaction. On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED`: instances
/// running at the same moment each get different posts, and a post another instance has
/// already published no longer matches once its lock is released, so each is published
/// exactly once. On SQLite the caller's write transaction (`BEGIN IMMEDIATE`) already
/// keeps every other writer out. Call inside `write_tx`.
pub fn claim_due_posts(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Post>> {
    // Written once, compiled per backend: `Post::as_select()` is typed by its backend.
    macro_rules! due {
        () => {
            posts::table
                .filter(posts::status.eq(SCHEDULED))
                .filter(posts::published_at.le(now))
                .order((posts::published_at.asc(), posts::id.asc()))
                .limit(limit)
                .select(Post::as_select())
        };
    }
    match conn {
        DbConn::Postgres(c) => due!().for_update().skip_locked().load(c),
        DbConn::Sqlite(c) => due!().load(c),
    }
}

/// Publishes scheduled post `id` (its `published_at` stays the scheduled moment) and
/// clears its review note; `false` if it is no longer scheduled.
pub fn publish_scheduled(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(posts::table.find(id).filter(posts::status.eq(SCHEDULED)))
        .set((
            posts::status.eq(PostStatus::Published.as_str()),
            posts::review_note.eq(None::<String>),
            posts::scheduled_by.eq(None::<i64>),
            posts::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Returns scheduled post `id` to draft (no longer dated); `false` if it is no longer
/// scheduled.
pub fn unschedule(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(posts::table.find(id).filter(posts::status.eq(SCHEDULED)))
        .set((
            posts::status.eq(PostStatus::Draft.as_str()),
            posts::published_at.eq(None::<NaiveDateTime>),
            posts::scheduled_by.eq(None::<i64>),
            posts::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}
