//! The few facts a policy decision needs about a post or comment, without their bodies.

use diesel::prelude::*;

use crate::db::models::PostStatus;
use crate::db::schema::{comments, posts};
use crate::db::DbConn;

/// (author id, status) of a post.
pub fn find_post_facts(conn: &mut DbConn, id: i64) -> QueryResult<Option<(i64, PostStatus)>> {
    posts::table
        .find(id)
        .select((posts::author_id, posts::status))
        .first::<(i64, String)>(conn)
        .optional()
        .map(|r| r.map(|(a, s)| (a, status_of(&s))))
}

/// What a decision needs about a comment and its post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommentRow {
    pub author_id: i64,
    pub post_id: i64,
    pub post_author_id: i64,
    pub post_status: PostStatus,
}

/// The facts of a comment and of its post.
pub fn find_comment_facts(conn: &mut DbConn, id: i64) -> QueryResult<Option<CommentRow>> {
    comments::table
        .inner_join(posts::table)
        .filter(comments::id.eq(id))
        .select((
            comments::author_id,
            comments::post_id,
            posts::author_id,
            posts::status,
        ))
        .first::<(i64, i64, i64, String)>(conn)
        .optional()
        .map(|r| {
            r.map(|(author_id, post_id, post_author_id, status)| CommentRow {
                author_id,
                post_id,
                post_author_id,
                post_status: status_of(&status),
            })
        })
}

/// A stored status as the policy sees it (unknown names read as drafts, like `Post::status`).
fn status_of(status: &str) -> PostStatus {
    PostStatus::parse(status).unwrap_or(PostStatus::Draft)
}
