//! `/api/posts` (SPEC §4, §6): extract → validate → load → policy → write → respond.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::principal::{Caller, Credentials};
use crate::authz::{
    check_create_post, check_post, post_read_scope, PostAction, PostCan, Principal,
};
use crate::db::models::Post;
use crate::db::queries::posts::{self as post_q, AuthorRow, PostChanges, PostFilter};
use crate::domain::{PostText, Slug, Title};
use crate::error::{AppError, ErrorBody};
use crate::manage;
use crate::manage::posts::facts;
use crate::routes::api::cursor;
use crate::routes::api::views::rfc3339;
use crate::routes::extractors::JsonBody;
use crate::state::State;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthorView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PostView {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub status: String,
    pub author: AuthorView,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    /// What the policy allows the caller to do with this post (the same functions that
    /// guard the handlers decide it).
    pub can: CanView,
}

/// `PostCan` as JSON (authz stays free of serde).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CanView {
    pub update: bool,
    pub publish: bool,
    pub delete: bool,
    pub comment: bool,
}

impl PostView {
    pub fn new(principal: &Principal, post: Post, author: AuthorRow) -> Self {
        let can = PostCan::for_post(principal, facts(&post));
        Self {
            id: post.id,
            title: post.title,
            slug: post.slug,
            body: post.body,
            status: post.status,
            author: AuthorView {
                id: author.0,
                username: author.1,
                display_name: author.2,
            },
            created_at: rfc3339(post.created_at),
            updated_at: rfc3339(post.updated_at),
            published_at: post.published_at.map(rfc3339),
            can: CanView {
                update: can.update,
                publish: can.publish,
                delete: can.delete,
                comment: can.comment,
            },
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only posts by this username.
    author: Option<String>,
    /// `draft` or `published`.
    #[param(pattern = "^(draft|published)$")]
    status: Option<String>,
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

fn parse_status(raw: &str) -> Result<String, AppError> {
    match raw {
        "draft" | "published" => Ok(raw.to_owned()),
        _ => Err(AppError::field("status", "must be draft or published")),
    }
}

/// Posts the caller may read, newest first, filtered in SQL.
#[utoipa::path(
    tag = "posts",
    params(ListQuery),
    security((), ("oauth2" = ["posts:read"]), ("oauth2" = ["posts:update"])),
    responses(
        (status = 200, description = "Posts the caller may read, newest first", body = PostPage),
        (status = 400, description = "Bad cursor", body = ErrorBody),
        (status = 422, description = "Bad limit or status", body = ErrorBody),
    )
)]
#[get("/posts")]
pub async fn list_posts(
    credentials: Credentials,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let (caller, rows) = credentials
        .run(move |conn, caller| {
            caller.require_any(PostAction::Read.requirement())?;
            let limit = cursor::limit(q.limit.as_deref())?;
            let status = q.status.as_deref().map(parse_status).transpose()?;
            let before_id = q
                .cursor
                .as_deref()
                .map(|c| cursor::decode('p', c))
                .transpose()?;
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
                before_id,
            };
            let scope = post_read_scope(&caller.principal);
            Ok((post_q::list_posts(conn, scope, &filter, limit)?, limit))
        })
        .await?;
    let (rows, limit) = rows;
    let next_cursor = cursor::next('p', rows.len(), limit, rows.last().map(|(p, _)| p.id));
    let items: Vec<PostView> = rows
        .into_iter()
        .map(|(p, a)| PostView::new(&caller.principal, p, a))
        .collect();
    Ok(HttpResponse::Ok().json(PostPage { items, next_cursor }))
}

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
        .run_after(
            move |conn| {
                let (generation, found) = post_q::find_post_and_generation(conn, id)?;
                Ok((Some(generation), found))
            },
            move |_, caller, found| {
                caller.require_any(PostAction::Read.requirement())?;
                let (post, author) = found.ok_or(AppError::NotFound)?;
                check_post(&caller.principal, PostAction::Read, facts(&post))
                    .map_err(|d| caller.deny(d))?;
                Ok(PostView::new(&caller.principal, post, author))
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = NewPostBody)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    #[schema(inline)]
    title: Title,
    #[schema(inline)]
    body: PostText,
    /// Derived from the title when absent.
    #[schema(inline)]
    slug: Option<Slug>,
    /// `draft` (default) or `published`.
    #[schema(pattern = "^(draft|published)$")]
    status: Option<String>,
}

#[utoipa::path(
    tag = "posts",
    request_body = CreateBody,
    security(("oauth2" = ["posts:create"])),
    responses(
        (status = 201, description = "Created; `Location` names it", body = PostView),
        (status = 403, description = "Missing posts:create (or publish rights for status=published)", body = ErrorBody),
        (status = 409, description = "Slug taken", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
#[post("/posts")]
pub async fn create_post(
    state: State,
    caller: Caller,
    body: JsonBody<CreateBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let publish = body.status.as_deref() == Some("published");
    // Permission first: a caller who may not create learns nothing from validation.
    check_create_post(&caller.principal, publish).map_err(|d| caller.deny(d))?;
    let user = caller.user()?.clone();
    let status = body.status.as_deref().map(parse_status).transpose()?;
    let draft = manage::posts::Draft {
        author_id: user.id,
        title: body.title.into_inner(),
        body: body.body.into_inner(),
        slug: body.slug.map(Slug::into_inner),
        published: status.as_deref() == Some("published"),
    };
    let principal = caller.principal.clone();
    let (post, author) = state
        .db
        .run(move |conn| manage::posts::create_post(conn, &draft))
        .await?;
    let view = PostView::new(&principal, post, author);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/posts/{}", view.id)))
        .json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PostPatchBody)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    #[schema(inline)]
    title: Option<Title>,
    #[schema(inline)]
    body: Option<PostText>,
    #[schema(inline)]
    slug: Option<Slug>,
}

#[utoipa::path(
    tag = "posts",
    request_body = PatchBody,
    params(("id" = i64, Path, description = "Post id")),
    security(("oauth2" = ["posts:update"]), ("oauth2" = ["posts:update_own"])),
    responses(
        (status = 200, description = "Updated", body = PostView),
        (status = 403, description = "Readable but not the caller's to change", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
        (status = 409, description = "Slug taken", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
#[patch("/posts/{id}")]
pub async fn update_post(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
    body: JsonBody<PatchBody>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(PostAction::Update.requirement())?;
    let body = body.into_inner();
    let changes = PostChanges {
        title: body.title.map(Title::into_inner),
        slug: body.slug.map(Slug::into_inner),
        body: body.body.map(PostText::into_inner),
        ..Default::default()
    };
    change_post(state, caller, id.into_inner(), PostAction::Update, changes).await
}

#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    security(("oauth2" = ["posts:publish"]), ("oauth2" = ["posts:publish_own"])),
    responses(
        (status = 200, description = "Published", body = PostView),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
    )
)]
#[post("/posts/{id}/publish")]
pub async fn publish_post(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let changes = manage::posts::publishing();
    change_post(state, caller, id.into_inner(), PostAction::Publish, changes).await
}

#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    security(("oauth2" = ["posts:publish"]), ("oauth2" = ["posts:publish_own"])),
    responses(
        (status = 200, description = "Back to draft", body = PostView),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
    )
)]
#[post("/posts/{id}/unpublish")]
pub async fn unpublish_post(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let changes = manage::posts::unpublishing();
    change_post(
        state,
        caller,
        id.into_inner(),
        PostAction::Unpublish,
        changes,
    )
    .await
}

/// The shared path of every post change (the policy is checked inside the transaction).
async fn change_post(
    state: State,
    caller: Caller,
    id: i64,
    action: PostAction,
    changes: PostChanges,
) -> Result<HttpResponse, AppError> {
    caller.require_any(action.requirement())?;
    let principal = caller.principal.clone();
    let (post, author) = state
        .db
        .run(move |conn| manage::posts::change_post(conn, &caller, id, action, changes))
        .await?;
    Ok(HttpResponse::Ok().json(PostView::new(&principal, post, author)))
}

#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    security(("oauth2" = ["posts:delete"]), ("oauth2" = ["posts:delete_own"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
    )
)]
#[delete("/posts/{id}")]
pub async fn delete_post(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(PostAction::Delete.requirement())?;
    let id = id.into_inner();
    state
        .db
        .run(move |conn| manage::posts::delete_post(conn, &caller, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
