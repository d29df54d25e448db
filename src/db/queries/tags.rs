//! Post tags (SPEC §10): one `post_tags` row per (post, tag), names already checked by
//! `blog::tags`.

use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::authz::ReadScope;
use crate::db::models::{Post, PostStatus};
use crate::db::schema::{post_tags, posts};
use crate::db::DbConn;

/// Replaces the tags of post `id` with `tags` (distinct, checked names): its `post_tags`
/// rows and its `tags` column, which must agree (call inside the post write's
/// transaction).
pub fn set_tags(conn: &mut DbConn, id: i64, tags: &[String]) -> QueryResult<()> {
    diesel::update(posts::table.filter(posts::id.eq(id)))
        .set(posts::tags.eq(Post::tags_column(tags)))
        .execute(conn)?;
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
