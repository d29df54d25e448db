//! The review and scheduling workflow of SPEC §10: submit, publish (or schedule), send
//! back, unpublish. Each moves a post between statuses through `manage::posts::change_post`,
//! whose policy check (`authz::check_post`) also refuses a move the post's status does not
//! admit (409 naming the status).

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;

use super::write::change_post;
use crate::auth::principal::Caller;
use crate::authz::PostAction;
use crate::db::now;
use crate::domain::{Moment, ReviewNote};
use crate::error::{AppError, ErrorBody};
use crate::manage;
use crate::routes::extractors::{JsonBody, JsonOrEmpty};
use crate::state::State;

#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    security(("oauth2" = ["posts:update_own"])),
    responses(
        (status = 200, description = "Submitted: draft → review", body = super::PostView),
        (status = 403, description = "Not the caller's own post", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
        (status = 409, description = "Not a draft (the message names its status)", body = ErrorBody),
    )
)]
#[post("/posts/{id}/submit")]
pub async fn submit_post(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let changes = manage::posts::submitting();
    change_post(state, caller, id.into_inner(), PostAction::Submit, changes).await
}

/// `POST /api/posts/{id}/publish`: without `at` publish now, with it schedule.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PublishBody)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// When to publish (RFC 3339, in the future); absent: now.
    #[schema(inline)]
    at: Option<Moment>,
}

#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    request_body(content = Option<PublishBody>, description = "Optional: `{\"at\": RFC 3339}` schedules the post instead"),
    security(("oauth2" = ["posts:publish"]), ("oauth2" = ["posts:publish_own"])),
    responses(
        (status = 200, description = "Published (draft or review → published), or scheduled with `at` (→ scheduled, `published_at` = `at`)", body = super::PostView),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
        (status = 409, description = "Not a draft nor in review (the message names its status)", body = ErrorBody),
        (status = 422, description = "`at` is not a future RFC 3339 time", body = ErrorBody),
    )
)]
#[post("/posts/{id}/publish")]
pub async fn publish_post(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
    body: JsonOrEmpty<PublishBody>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let Some(at) = body.0.at else {
        let changes = manage::posts::publishing();
        return change_post(state, caller, id, PostAction::Publish, changes).await;
    };
    // Permission first: a caller who may not publish learns nothing from validation.
    caller.require_any(PostAction::Schedule.requirement())?;
    let at = at.utc();
    if at <= now() {
        return Err(AppError::field("at", "must be in the future"));
    }
    let changes = manage::posts::scheduling(at, caller.user()?.id);
    change_post(state, caller, id, PostAction::Schedule, changes).await
}

/// `POST /api/posts/{id}/reject`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = RejectBody)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    // What the author should change; shown to them as `review_note`. (No doc comment: a
    // description here would wrap the inline schema in a conflicting `allOf`.)
    #[schema(inline)]
    note: ReviewNote,
}

#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    request_body = RejectBody,
    security(("oauth2" = ["posts:publish"])),
    responses(
        (status = 200, description = "Sent back: review → draft, with `review_note`", body = super::PostView),
        (status = 403, description = "Missing posts:publish", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
        (status = 409, description = "Not in review (the message names its status)", body = ErrorBody),
        (status = 422, description = "`note` missing or not 1–2000 characters", body = ErrorBody),
    )
)]
#[post("/posts/{id}/reject")]
pub async fn reject_post(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
    body: JsonBody<RejectBody>,
) -> Result<HttpResponse, AppError> {
    let changes = manage::posts::rejecting(body.into_inner().note.into_inner());
    change_post(state, caller, id.into_inner(), PostAction::Reject, changes).await
}

#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    security(("oauth2" = ["posts:publish"]), ("oauth2" = ["posts:publish_own"])),
    responses(
        (status = 200, description = "Back to draft (from published or scheduled)", body = super::PostView),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No post the caller may read", body = ErrorBody),
        (status = 409, description = "Neither published nor scheduled (the message names its status)", body = ErrorBody),
    )
)]
#[post("/posts/{id}/unpublish")]
pub async fn unpublish_post(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let changes = manage::posts::unpublishing();
    let action = PostAction::Unpublish;
    change_post(state, caller, id.into_inner(), action, changes).await
}
