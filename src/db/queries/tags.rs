//! Post tags (SPEC §10): one `post_tags` row per (post, tag), names already checked by
//! `blog::tags`.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::authz::ReadScope;
use crate::db::models::PostStatus;
use crate::db::schema::{post_tags, posts};
use crate::db::DbConn;

/// The tags of each post in `ids`, in name order; posts without tags are absent.
pub fn tags_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String)> = post_tags::table
        .filter(post_tags::post_id.eq_any(ids))
        .select((post_tags::post_id, post_tags::tag))
        .order((post_tags::post_id, post_tags::tag))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, tag) in rows {
        out.entry(id).or_default().push(tag);
    }
    Ok(out)
}

/// The tags of post `id`, in name order.
pub fn tags_of_post(conn: &mut DbConn, id: i64) -> QueryResult<Vec<String>> {
    Ok(tags_of(conn, &[id])?.remove(&id).unwrap_or_default())
}

/// Replaces the tags of post `id` with `tags` (distinct, checked names).
pub fn set_tags(conn: &mut DbConn, id: i64, tags: &[String]) -> QueryResult<()> {
    diesel::delete(post_tags::table.filter(post_tags::post_id.eq(id))).execute(conn)?;
    if tags.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = tags
        .iter()
        .map(|t| (post_tags::post_id.eq(id), post_tags::tag.eq(t)))
        .collect();
    // Multi-row VALUES is backend-specific in diesel (see `posts::insert_posts`).
    match conn {
        DbConn::Sqlite(c) => diesel::insert_into(post_tags::table)
            .values(rows)
            .execute(c),
        DbConn::Postgres(c) => diesel::insert_into(post_tags::table)
            .values(rows)
            .execute(c),
    }
    .map(|_| ())
}

/// Every tag with the number of posts `scope` admits that carry it, by name; a tag none
/// of those posts carries is absent. `scope` is the read rule the post list uses
/// (`authz::post_read_scope`), so the counts agree with what the caller can list.
pub fn tag_counts(conn: &mut DbConn, scope: ReadScope) -> QueryResult<Vec<(String, i64)>> {
    let published = PostStatus::Published.as_str();
    crate::on_backend!(conn, |c| {
        let query = post_tags::table
            .inner_join(posts::table)
            .group_by(post_tags::tag)
            .select((post_tags::tag, count_star()))
            .order(post_tags::tag)
            .into_boxed();
        let query = match scope {
            ReadScope::Nothing => return Ok(Vec::new()),
            ReadScope::All => query,
            ReadScope::PublishedOrOwn(None) => query.filter(posts::status.eq(published)),
            ReadScope::PublishedOrOwn(Some(me)) => {
                query.filter(posts::status.eq(published).or(posts::author_id.eq(me)))
            }
        };
        query.load(c)
    })
}
