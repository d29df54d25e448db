//! `/api/posts` (SPEC §4, §6): the reads in [`read`], the writes in [`write`], each handler
//! one straight line: credentials → route requirement → load → policy → write → respond.
//! The JSON shape of a post is here, shared by both.

pub mod read;
pub mod workflow;
pub mod write;

use serde::Serialize;

use crate::authz::{PostCan, Principal};
use crate::db::models::{Post, PostStatus};
use crate::db::queries::posts::AuthorRow;
use crate::error::AppError;
use crate::routes::api::views::rfc3339;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthorView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

impl From<AuthorRow> for AuthorView {
    fn from((id, username, display_name): AuthorRow) -> Self {
        Self {
            id,
            username,
            display_name,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PostView {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    /// The sanitized rendering of `body` (stored when it was written); null only for a post
    /// written by an older release, until the next start renders it.
    pub body_html: Option<String>,
    /// The post's tags, by name.
    pub tags: Vec<String>,
    pub status: &'static str,
    pub author: AuthorView,
    pub created_at: String,
    pub updated_at: String,
    /// Publication time; for a scheduled post, when it is to be published.
    pub published_at: Option<String>,
    /// The note of the last send-back from review, for those who may update the post
    /// (`null` for everyone else, and once the post is published).
    pub review_note: Option<String>,
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
    /// A draft the caller may submit for review.
    pub submit: bool,
    /// A draft or post in review the caller may schedule.
    pub schedule: bool,
    /// A post in review the caller may send back (`posts:publish`).
    pub reject: bool,
}

impl PostView {
    /// The view of `post` for `principal`; `tags` are the post's (`queries::tags`).
    pub fn new(principal: &Principal, post: Post, author: AuthorRow) -> Self {
        let can = PostCan::for_post(principal, post.facts());
        let tags = post.tag_list();
        Self {
            status: post.status().as_str(),
            id: post.id,
            title: post.title,
            slug: post.slug,
            body: post.body,
            body_html: post.body_html,
            tags,
            author: author.into(),
            created_at: rfc3339(post.created_at),
            updated_at: rfc3339(post.updated_at),
            published_at: post.published_at.map(rfc3339),
            review_note: post.review_note.filter(|_| can.update),
            can: CanView {
                update: can.update,
                publish: can.publish,
                delete: can.delete,
                comment: can.comment,
                submit: can.submit,
                schedule: can.schedule,
                reject: can.reject,
            },
        }
    }
}

/// A `status` named by the client (a query parameter or a body field), or the message
/// saying which names are valid.
fn parse_status(raw: &str) -> Result<PostStatus, String> {
    PostStatus::parse(raw).ok_or_else(|| format!("must be {}", PostStatus::names()))
}

/// A post's tag list named by the client (`tags` of a body): checked, deduplicated and in
/// name order (the order they are shown in), or 422 naming `tags`.
pub(crate) fn parse_tags(raw: &[String]) -> Result<Vec<String>, AppError> {
    let tags = crate::blog::tags::parse_tags(raw);
    let mut tags = tags.map_err(|e| AppError::field("tags", e.to_string()))?;
    tags.sort();
    Ok(tags.into_iter().map(|t| t.to_string()).collect())
}
