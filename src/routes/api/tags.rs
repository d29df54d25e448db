//! `GET /api/tags` (SPEC §10): every tag with the number of posts carrying it that the
//! caller may read.

use actix_web::{get, HttpResponse};
use serde::Serialize;

use crate::auth::principal::Credentials;
use crate::authz::{post_read_scope, PostAction};
use crate::db::queries::tags as tag_q;
use crate::error::{AppError, ErrorBody};

/// One tag and how many readable posts carry it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TagView {
    pub name: String,
    pub count: i64,
}

/// Every tag at least one readable post carries, by name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TagList {
    pub items: Vec<TagView>,
}

/// Tags of the posts the caller may read, counted with the read rule of `GET /api/posts`
/// (a draft's tags count only for those who may read the draft).
#[utoipa::path(
    tag = "posts",
    security((), ("oauth2" = ["posts:read"]), ("oauth2" = ["posts:update"])),
    responses(
        (status = 200, description = "Tags with their readable post counts, by name", body = TagList),
        (status = 401, description = "Not signed in, and anonymous callers may not read posts", body = ErrorBody),
        (status = 403, description = "Missing posts:read", body = ErrorBody),
    )
)]
#[get("/tags")]
pub async fn list_tags(credentials: Credentials) -> Result<HttpResponse, AppError> {
    let (_, counts) = credentials
        .run(move |conn, caller| {
            caller.require_any(PostAction::Read.requirement())?;
            let scope = post_read_scope(&caller.principal);
            Ok(tag_q::tag_counts(conn, scope)?)
        })
        .await?;
    let items = counts
        .into_iter()
        .map(|(name, count)| TagView { name, count })
        .collect();
    Ok(HttpResponse::Ok().json(TagList { items }))
}
