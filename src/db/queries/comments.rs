//! Comments: one post's thread, oldest first, and single-comment changes.

use diesel::prelude::*;

use crate::db::models::{Comment, NewComment, Post};
use crate::db::queries::posts::AuthorRow;
use crate::db::schema::{comments, posts, users};
use crate::db::DbConn;

/// A comment with its author and the post it belongs to (whose readability decides
/// whether the comment may be seen at all).
pub fn find_comment(conn: &mut DbConn, id: i64) -> QueryResult<Option<(Comment, AuthorRow, Post)>> {
    comments::table
        .inner_join(users::table)
        .inner_join(posts::table)
        .filter(comments::id.eq(id))
        .select((
            comments::all_columns,
            (users::id, users::username, users::display_name),
            posts::all_columns,
        ))
        .first(conn)
        .optional()
}

/// Comments of `post_id`, oldest first: at most `limit`, only those with an id above
/// `after_id` (keyset pagination, stable under inserts).
pub fn list_comments(
    conn: &mut DbConn,
    post_id: i64,
    after_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(Comment, AuthorRow)>> {
    // One static shape (no `after_id` is the lowest id), on the concrete connection: its
    // prepared statement is found without building its SQL.
    let after = after_id.unwrap_or(i64::MIN);
    crate::on_backend!(conn, |c| comments::table
        .inner_join(users::table)
        .filter(comments::post_id.eq(post_id).and(comments::id.gt(after)))
        .select((
            comments::all_columns,
            (users::id, users::username, users::display_name),
        ))
        .order(comments::id.asc())
        .limit(limit)
        .load(c))
}

/// Inserts a comment and returns the stored row.
pub fn insert_comment(conn: &mut DbConn, new: &NewComment) -> QueryResult<Comment> {
    diesel::insert_into(comments::table)
        .values(new)
        .returning(comments::all_columns)
        .get_result(conn)
}

/// Replaces a comment's body and returns the stored row.
pub fn update_comment_body(
    conn: &mut DbConn,
    id: i64,
    body: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<Comment> {
    diesel::update(comments::table.find(id))
        .set((comments::body.eq(body), comments::updated_at.eq(at)))
        .returning(comments::all_columns)
        .get_result(conn)
}

/// Deletes a comment; `false` when there was none.
pub fn delete_comment(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::delete(comments::table.find(id))
        .execute(conn)
        .map(|n| n > 0)
}

/// The latest comments, newest first, on posts `scope` admits (the read rule of SPEC §4 as
/// SQL, like `posts::list_posts`), with each comment's author and post: the moderation
/// list. At most `limit`, only ids below `before_id` (keyset pagination).
pub fn list_latest_comments(
    conn: &mut DbConn,
    scope: crate::authz::ReadScope,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(Comment, AuthorRow, Post)>> {
    use crate::authz::ReadScope;
    let mut query = comments::table
        .inner_join(users::table)
        .inner_join(posts::table)
        .select((
            comments::all_columns,
            (users::id, users::username, users::display_name),
            posts::all_columns,
        ))
        .order(comments::id.desc())
        .limit(limit)
        .into_boxed();
    let published = crate::db::models::PostStatus::Published.as_str();
    match scope {
        ReadScope::Nothing => return Ok(Vec::new()),
        ReadScope::All => {}
        ReadScope::PublishedOrOwn(None) => query = query.filter(posts::status.eq(published)),
        ReadScope::PublishedOrOwn(Some(me)) => {
            query = query.filter(posts::status.eq(published).or(posts::author_id.eq(me)))
        }
    }
    if let Some(before) = before_id {
        query = query.filter(comments::id.lt(before));
    }
    query.load(conn)
}
