//! `GET /api/posts` and `GET /api/posts/{id}`: each resolves the caller and reads on one
//! connection, in one [`crate::db::Db::read`] ([`Credentials::run`]).

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{parse_status, PostView};
use crate::auth::principal::Credentials;
use crate::authz::{check_post, post_read_scope, PostAction};
use crate::blog::tags::Tag;
use crate::db::queries::posts::{self as post_q, PostFilter};
use crate::error::{AppError, ErrorBody};
use crate::routes::api::cursor;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only posts by this username.
    author: Option<String>,
    /// `draft`, `review`, `scheduled` or `published`.
    #[param(pattern = "^(draft|review|scheduled|published)$")]
    status: Option<String>,
    /// Only posts with this tag (lowercased; a name that breaks the tag rules is 422).
    #[param(pattern = "^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$", max_length = 32)]
    tag: Option<String>,
    /// 1–100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A page of posts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PostPage {
    items: Vec<PostView>,
    next_cursor: Option<String>,
}

/// Posts the caller may read, newest first, filtered in SQL.
#[utoipa::path(
    tag = "posts",
    params(ListQuery),
    security((), ("oauth2" = ["posts:read"]), ("oauth2" = ["posts:update"])),
    responses(
        (status = 200, description = "Posts the caller may read, newest first", body = PostPage),
        (status = 400, description = "Bad cursor", body = ErrorBody),
        (status = 422, description = "Bad limit, status or tag", body = ErrorBody),
    )
)]
#[get("/posts")]
pub async fn list_posts(
    credentials: Credentials,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let (caller, (rows, limit)) = credentials
        .run(move |conn, caller| {
            caller.require_any(PostAction::Read.requirement())?;
            let limit = cursor::limit(q.limit.as_deref())?;
            let status = q.status.as_deref().map(parse_status).transpose();
            let status = status.map_err(|m| AppError::field("status", m))?;
            let tag = q.tag.as_deref().map(Tag::parse).transpose();
            let tag = tag.map_err(|e| AppError::field("tag", e.to_string()))?;
            let before_id = q.cursor.as_deref().map(|c| cursor::decode('p', c));
            let before_id = before_id.transpose()?;
            // An unknown author has no posts: an empty page, not a 404.
            let author_id = match &q.author {
                None => None,
                Some(name) => match post_q::find_user_id_by_username(conn, name)? {
                    Some(id) => Some(id),
                    None => return Ok((Vec::new(), limit)),
                },
            };
            let filter = PostFilter {
                author_id,
                status,
                tag: tag.map(|t| t.to_string()),
                before_id,
            };
            let scope = post_read_scope(&caller.principal);
            Ok((post_q::list_posts(conn, scope, &filter, limit)?, limit))
        })
        .await?;
    let next_cursor = cursor::next('p', rows.len(), limit, rows.last().map(|(p, _)| p.id));
    let items: Vec<PostView> = rows
        .into_iter()
        .map(|(p, a)| PostView::new(&caller.principal, p, a))
        .collect();
    Ok(HttpResponse::Ok().json(PostPage { items, next_cursor }))
}

/// One post, if the caller may read it; a post they may not read does not exist (404).
#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    security((), ("oauth2" = ["posts:read"]), ("oauth2" = ["posts:update"])),
    responses(
        (status = 200, description = "The post", body = PostView),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
    )
)]
#[get("/posts/{id}")]
pub async fn get_post(
    credentials: Credentials,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (_, view) = credentials
        .run(move |conn, caller| {
            caller.require_any(PostAction::Read.requirement())?;
            let (post, author) = post_q::find_post(conn, id)?.ok_or(AppError::NotFound)?;
            check_post(&caller.principal, PostAction::Read, post.facts())
                .map_err(|d| caller.deny(d))?;
            Ok(PostView::new(&caller.principal, post, author))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
