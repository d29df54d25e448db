//! The few facts a policy decision needs about a post or comment, without their bodies.

use diesel::prelude::*;

use crate::db::schema::{comments, posts};
use crate::db::DbConn;

/// (author id, published) of a post.
pub fn find_post_facts(conn: &mut DbConn, id: i64) -> QueryResult<Option<(i64, bool)>> {
    posts::table
        .find(id)
        .select((posts::author_id, posts::status))
        .first::<(i64, String)>(conn)
        .optional()
        .map(|r| r.map(|(a, s)| (a, s == "published")))
}

/// (comment author id, post author id, post published) of a comment.
pub fn find_comment_facts(conn: &mut DbConn, id: i64) -> QueryResult<Option<(i64, i64, bool)>> {
    comments::table
        .inner_join(posts::table)
        .filter(comments::id.eq(id))
        .select((comments::author_id, posts::author_id, posts::status))
        .first::<(i64, i64, String)>(conn)
        .optional()
        .map(|r| r.map(|(c, a, s)| (c, a, s == "published")))
}
