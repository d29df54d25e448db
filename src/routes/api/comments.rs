//! Comments (SPEC §4, §6): `/api/posts/{id}/comments` and `/api/comments/{id}`.
//! extract → validate → load → policy → write → respond, like the posts: the list reads in
//! one [`Credentials::run`], the writes are `manage::comments` transactions.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::principal::{Caller, Credentials};
use crate::authz::{check_post, CommentAction, CommentCan, PostAction, Principal};
use crate::db::models::{Comment, Post};
use crate::db::queries::comments as comment_q;
use crate::db::queries::posts::{self as post_q, AuthorRow};
use crate::domain::CommentText;
use crate::error::{AppError, ErrorBody};
use crate::manage;
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

impl CommentView {
    pub fn new(principal: &Principal, post: &Post, comment: Comment, author: AuthorRow) -> Self {
        let can = CommentCan::for_comment(principal, comment.facts(post));
        Self {
            id: comment.id,
            post_id: comment.post_id,
            body: comment.body,
            author: author.into(),
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
    credentials: Credentials,
    id: web::Path<i64>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, q) = (id.into_inner(), q.into_inner());
    let (caller, (post, rows, limit)) = credentials
        .run(move |conn, caller| {
            caller.require_any(PostAction::ReadComments.requirement())?;
            let limit = cursor::limit(q.limit.as_deref())?;
            let after_id = q.cursor.as_deref().map(|c| cursor::decode(CURSOR, c));
            let after_id = after_id.transpose()?;
            let (post, _) = post_q::find_post(conn, id)?.ok_or(AppError::NotFound)?;
            check_post(&caller.principal, PostAction::ReadComments, post.facts())
                .map_err(|d| caller.deny(d))?;
            let rows = comment_q::list_comments(conn, id, after_id, limit)?;
            Ok((post, rows, limit))
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
    let author_id = caller.user()?.id;
    let text = body.into_inner().body.into_inner();
    let (principal, post_id) = (caller.principal.clone(), id.into_inner());
    let (comment, author, post) = state
        .db
        .run(move |conn| {
            manage::comments::create_comment(conn, &principal, author_id, post_id, text)
        })
        .await?
        .map_err(|d| caller.deny(d))?;
    let view = CommentView::new(&caller.principal, &post, comment, author);
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
    let text = body.into_inner().body.into_inner();
    let (principal, id) = (caller.principal.clone(), id.into_inner());
    let (comment, author, post) = state
        .db
        .run(move |conn| manage::comments::update_comment(conn, &principal, id, &text))
        .await?
        .map_err(|d| caller.deny(d))?;
    let view = CommentView::new(&caller.principal, &post, comment, author);
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
    let (principal, actor, id) = (caller.principal.clone(), caller.actor(), id.into_inner());
    state
        .db
        .run(move |conn| manage::comments::delete_comment(conn, &principal, &actor, id))
        .await?
        .map_err(|d| caller.deny(d))?;
    Ok(HttpResponse::NoContent().finish())
}
