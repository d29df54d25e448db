//! The post writes: create, update, delete (the workflow's moves are in `workflow`). Validation first (after
//! the route requirement), then one `manage::posts` transaction that loads the post,
//! checks the policy and writes.

use actix_web::{delete, patch, post, web, HttpResponse};
use serde::Deserialize;

use super::{parse_status, parse_tags, PostView};
use crate::auth::principal::Caller;
use crate::authz::{check_create_post, PostAction};
use crate::db::models::PostStatus;
use crate::db::queries::posts::PostChanges;
use crate::domain::{PostText, Slug, Title};
use crate::error::{AppError, ErrorBody};
use crate::manage;
use crate::routes::extractors::JsonBody;
use crate::state::State;

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
    /// 0–10 tag names (lowercased; duplicates collapse). Absent: none.
    tags: Option<Vec<String>>,
}

impl CreateBody {
    /// Asks to be published (what `check_create_post` decides on, before validation).
    fn publishes(&self) -> bool {
        self.status.as_deref().and_then(PostStatus::parse) == Some(PostStatus::Published)
    }

    /// The post to create by `author_id`, or 422 naming a bad status (the other fields
    /// were checked as they were read).
    fn into_draft(self, author_id: i64) -> Result<manage::posts::Draft, AppError> {
        let status = self.status.as_deref().map(parse_status).transpose();
        let status = status.map_err(|m| AppError::field("status", m))?;
        // Review and scheduling are moves of an existing post, each with its own route.
        if status.is_some_and(|s| !matches!(s, PostStatus::Draft | PostStatus::Published)) {
            return Err(AppError::field("status", "must be draft or published"));
        }
        let tags = parse_tags(self.tags.as_deref().unwrap_or_default())?;
        Ok(manage::posts::Draft {
            tags,
            author_id,
            title: self.title.into_inner(),
            body: self.body.into_inner(),
            slug: self.slug.map(Slug::into_inner),
            status: status.unwrap_or(PostStatus::Draft),
        })
    }
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
    // Permission first: a caller who may not create learns nothing from validation.
    check_create_post(&caller.principal, body.publishes()).map_err(|d| caller.deny(d))?;
    let draft = body.into_draft(caller.user()?.id)?;
    let (post, author) = state
        .db
        .run(move |conn| manage::posts::create_post(conn, &draft))
        .await?;
    let view = PostView::new(&caller.principal, post, author);
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
    /// Replaces the post's tags (0–10 names); absent: unchanged, `[]`: none.
    tags: Option<Vec<String>>,
}

impl PatchBody {
    /// The changes asked for and the new tags, if any (the other fields were checked as
    /// they were read), or 422 naming `tags`.
    fn into_changes(self) -> Result<(PostChanges, Option<Vec<String>>), AppError> {
        let tags = self.tags.as_deref().map(parse_tags).transpose()?;
        let changes = PostChanges {
            title: self.title.map(Title::into_inner),
            slug: self.slug.map(Slug::into_inner),
            body: self.body.map(PostText::into_inner),
            ..Default::default()
        };
        Ok((changes, tags))
    }
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
    let (changes, tags) = body.into_inner().into_changes()?;
    let id = id.into_inner();
    change_post_tagged(state, caller, id, PostAction::Update, changes, tags).await
}

/// The shared path of every post change (the policy is checked inside the transaction).
pub(super) async fn change_post(
    state: State,
    caller: Caller,
    id: i64,
    action: PostAction,
    changes: PostChanges,
) -> Result<HttpResponse, AppError> {
    change_post_tagged(state, caller, id, action, changes, None).await
}

/// [`change_post`], also replacing the tags when `tags` is `Some`.
async fn change_post_tagged(
    state: State,
    caller: Caller,
    id: i64,
    action: PostAction,
    changes: PostChanges,
    tags: Option<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(action.requirement())?;
    let (principal, actor) = (caller.principal.clone(), caller.actor());
    let changed = state
        .db
        .run(move |conn| {
            let tags = tags.as_deref();
            manage::posts::change_post_tagged(conn, &principal, &actor, id, action, changes, tags)
        })
        .await?;
    let (post, author) = changed.map_err(|d| caller.deny(d))?;
    Ok(HttpResponse::Ok().json(PostView::new(&caller.principal, post, author)))
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
    let (principal, actor, id) = (caller.principal.clone(), caller.actor(), id.into_inner());
    state
        .db
        .run(move |conn| manage::posts::delete_post(conn, &principal, &actor, id))
        .await?
        .map_err(|d| caller.deny(d))?;
    Ok(HttpResponse::NoContent().finish())
}
