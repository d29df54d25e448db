//! Comments (SPEC §4, §6): `/api/posts/{id}/comments` and `/api/comments/{id}`.
//! extract → validate → load → policy → write → respond, like the posts.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::principal::Caller;
use crate::authz::{
    check_comment, check_post, CommentAction, CommentCan, CommentFacts, PostAction, Principal,
};
use crate::db::models::{Comment, NewComment, Post};
use crate::db::queries::comments as comment_q;
use crate::db::queries::posts::{self as post_q, AuthorRow};
use crate::db::{now, write_tx};
use crate::domain::CommentText;
use crate::error::AppError;
use crate::error::ErrorBody;
use crate::manage::audit::{record, Outcome};
use crate::manage::posts::facts;
use crate::routes::api::cursor;
use crate::routes::api::posts::AuthorView;
use crate::routes::api::views::rfc3339;
use crate::routes::extractors::JsonBody;
use crate::state::State;

/// Marks cursors of comment lists.
const CURSOR: char = 'c';

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub post_id: i64,
    pub body: String,
    pub author: AuthorView,
    pub created_at: String,
    pub updated_at: String,
    /// What the policy allows the caller to do with this comment (the same functions that
    /// guard the handlers decide it).
    pub can: CommentCanView,
}

/// `CommentCan` as JSON (authz stays free of serde).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentCanView {
    pub update: bool,
    pub delete: bool,
}

fn comment_facts(comment: &Comment, post: &Post) -> CommentFacts {
    CommentFacts {
        author_id: comment.author_id,
        post: facts(post),
    }
}

impl CommentView {
    pub fn new(principal: &Principal, post: &Post, comment: Comment, author: AuthorRow) -> Self {
        let can = CommentCan::for_comment(principal, comment_facts(&comment, post));
        Self {
            id: comment.id,
            post_id: comment.post_id,
            body: comment.body,
            author: AuthorView {
                id: author.0,
                username: author.1,
                display_name: author.2,
            },
            created_at: rfc3339(comment.created_at),
            updated_at: rfc3339(comment.updated_at),
            can: CommentCanView {
                update: can.update,
                delete: can.delete,
            },
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// 1–100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A page of comments.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentPage {
    items: Vec<CommentView>,
    next_cursor: Option<String>,
}

/// The comments of a post the caller may read, oldest first.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Post id"), ListQuery),
    security((), ("oauth2" = ["comments:read"])),
    responses(
        (status = 200, description = "Comments, oldest first", body = CommentPage),
        (status = 400, description = "Bad cursor", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
        (status = 422, description = "Bad limit", body = ErrorBody),
    )
)]
#[get("/posts/{id}/comments")]
pub async fn list_comments(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(PostAction::ReadComments.requirement())?;
    let limit = cursor::limit(q.limit.as_deref())?;
    let after_id = q
        .cursor
        .as_deref()
        .map(|c| cursor::decode(CURSOR, c))
        .transpose()?;
    let id = id.into_inner();
    let principal = caller.principal.clone();
    let deny_as = caller.clone();
    let (post, rows) = state
        .db
        .run(move |conn| {
            let (post, _) = post_q::find_post(conn, id)?.ok_or(AppError::NotFound)?;
            check_post(&principal, PostAction::ReadComments, facts(&post))
                .map_err(|d| deny_as.deny(d))?;
            Ok((post, comment_q::list_comments(conn, id, after_id, limit)?))
        })
        .await?;
    let next_cursor = cursor::next(CURSOR, rows.len(), limit, rows.last().map(|(c, _)| c.id));
    let items: Vec<CommentView> = rows
        .into_iter()
        .map(|(c, a)| CommentView::new(&caller.principal, &post, c, a))
        .collect();
    Ok(HttpResponse::Ok().json(CommentPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    #[schema(inline)]
    body: CommentText,
}

/// The text of a comment body (its rule was checked as the body was read).
fn comment_text(body: CommentBody) -> Result<String, AppError> {
    Ok(body.body.into_inner())
}

#[utoipa::path(
    tag = "comments",
    request_body = CommentBody,
    params(("id" = i64, Path, description = "Post id")),
    security(("oauth2" = ["comments:create"])),
    responses(
        (status = 201, description = "Created; `Location` names it", body = CommentView),
        (status = 403, description = "Not allowed (e.g. the post is a draft)", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
    )
)]
#[post("/posts/{id}/comments")]
pub async fn create_comment(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
    body: JsonBody<CommentBody>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(PostAction::Comment.requirement())?;
    // The author; callers without credentials never comment (the policy says so too).
    let user = caller.user()?.clone();
    let text = comment_text(body.into_inner())?;
    let id = id.into_inner();
    let principal = caller.principal.clone();
    let deny_as = caller.clone();
    let view = state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (post, _) = post_q::find_post(conn, id)?.ok_or(AppError::NotFound)?;
                check_post(&principal, PostAction::Comment, facts(&post))
                    .map_err(|d| deny_as.deny(d))?;
                let at = now();
                let comment = comment_q::insert_comment(
                    conn,
                    &NewComment {
                        post_id: id,
                        author_id: user.id,
                        body: text,
                        created_at: at,
                        updated_at: at,
                    },
                )?;
                let (comment, author, post) =
                    comment_q::find_comment(conn, comment.id)?.ok_or(AppError::NotFound)?;
                Ok(CommentView::new(&principal, &post, comment, author))
            })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/comments/{}", view.id)))
        .json(view))
}

#[utoipa::path(
    tag = "comments",
    request_body = CommentBody,
    params(("id" = i64, Path, description = "Comment id")),
    security(("oauth2" = ["comments:update_own"])),
    responses(
        (status = 200, description = "Updated", body = CommentView),
        (status = 403, description = "Not the caller's comment", body = ErrorBody),
        (status = 404, description = "No such comment on a post the caller may read", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
    )
)]
#[patch("/comments/{id}")]
pub async fn update_comment(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
    body: JsonBody<CommentBody>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(CommentAction::Update.requirement())?;
    let text = comment_text(body.into_inner())?;
    let id = id.into_inner();
    let principal = caller.principal.clone();
    let deny_as = caller.clone();
    let view = state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (comment, author, post) =
                    comment_q::find_comment(conn, id)?.ok_or(AppError::NotFound)?;
                check_comment(
                    &principal,
                    CommentAction::Update,
                    comment_facts(&comment, &post),
                )
                .map_err(|d| deny_as.deny(d))?;
                // Only the author may edit (SPEC §4), so an edit is never someone else's
                // content and needs no audit event.
                let comment = comment_q::update_comment_body(conn, id, &text, now())?;
                Ok(CommentView::new(&principal, &post, comment, author))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    security(("oauth2" = ["comments:delete"]), ("oauth2" = ["comments:delete_own"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such comment on a post the caller may read", body = ErrorBody),
    )
)]
#[delete("/comments/{id}")]
pub async fn delete_comment(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(CommentAction::Delete.requirement())?;
    let id = id.into_inner();
    let principal = caller.principal.clone();
    let actor = caller.actor();
    let deny_as = caller.clone();
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (comment, author, post) =
                    comment_q::find_comment(conn, id)?.ok_or(AppError::NotFound)?;
                check_comment(
                    &principal,
                    CommentAction::Delete,
                    comment_facts(&comment, &post),
                )
                .map_err(|d| deny_as.deny(d))?;
                comment_q::delete_comment(conn, id)?;
                // Moderation: removing someone else's words is recorded, in the same
                // transaction, so the deletion and its trace commit together.
                if !principal.is_owner(comment.author_id) {
                    record(
                        conn,
                        &actor,
                        "comment.delete",
                        &format!("comment {id}"),
                        Outcome::Success,
                        &format!("on post {} by {}", post.id, author.1),
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
