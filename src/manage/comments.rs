//! Comment writes with their policy check inside the transaction, like [`super::posts`].
//! Removing someone else's comment is moderation and is audited; an author's own edits and
//! deletions are not. A refusal comes back as [`Allowed`]'s `Err` (see [`super::Allowed`]).

use super::audit::{record, Actor, Outcome};
use super::Allowed;
use crate::authz::{check_comment, check_post, CommentAction, PostAction, Principal};
use crate::db::models::{Comment, NewComment, Post};
use crate::db::queries::comments as comment_q;
use crate::db::queries::posts::{self as post_q, AuthorRow};
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;

/// A comment as every response shows it: the row, its author, and the post it is on
/// (whose facts decide the comment's `can`).
pub type CommentRow = (Comment, AuthorRow, Post);

/// Adds `author_id`'s comment `body` (validated) to post `post_id` if the policy lets
/// `principal` comment there.
pub fn create_comment(
    conn: &mut DbConn,
    principal: &Principal,
    author_id: i64,
    post_id: i64,
    body: String,
) -> Result<Allowed<CommentRow>, AppError> {
    write_tx(conn, |conn| {
        let (post, _) = post_q::find_post(conn, post_id)?.ok_or(AppError::NotFound)?;
        if let Err(denied) = check_post(principal, PostAction::Comment, post.facts()) {
            return Ok(Err(denied));
        }
        let at = now();
        let new = NewComment {
            post_id,
            author_id,
            body,
            created_at: at,
            updated_at: at,
        };
        let comment = comment_q::insert_comment(conn, &new)?;
        Ok(Ok(find(conn, comment.id)?))
    })
}

/// Replaces comment `id`'s body (validated) if the policy lets `principal` edit it.
pub fn update_comment(
    conn: &mut DbConn,
    principal: &Principal,
    id: i64,
    body: &str,
) -> Result<Allowed<CommentRow>, AppError> {
    write_tx(conn, |conn| {
        let (comment, author, post) = find(conn, id)?;
        if let Err(denied) = check_comment(principal, CommentAction::Update, comment.facts(&post)) {
            return Ok(Err(denied));
        }
        // Only the author may edit (SPEC §4), so an edit is never someone else's content
        // and needs no audit event.
        let comment = comment_q::update_comment_body(conn, id, body, now())?;
        Ok(Ok((comment, author, post)))
    })
}

/// Deletes comment `id` if the policy lets `principal` delete it; `actor` is recorded when
/// the comment is someone else's (moderation).
pub fn delete_comment(
    conn: &mut DbConn,
    principal: &Principal,
    actor: &Actor,
    id: i64,
) -> Result<Allowed<()>, AppError> {
    write_tx(conn, |conn| {
        let (comment, author, post) = find(conn, id)?;
        if let Err(denied) = check_comment(principal, CommentAction::Delete, comment.facts(&post)) {
            return Ok(Err(denied));
        }
        comment_q::delete_comment(conn, id)?;
        // In the same transaction, so the deletion and its trace commit together.
        if !principal.is_owner(comment.author_id) {
            let target = format!("comment {id}");
            let detail = format!("on post {} by {}", post.id, author.1);
            record(
                conn,
                actor,
                "comment.delete",
                &target,
                Outcome::Success,
                &detail,
            )?;
        }
        Ok(Ok(()))
    })
}

fn find(conn: &mut DbConn, id: i64) -> Result<CommentRow, AppError> {
    comment_q::find_comment(conn, id)?.ok_or(AppError::NotFound)
}
