//! Rows as stored. Parsed, validated values live in `crate::domain`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::*;
use super::time::{MaybeStamp, Stamp};
use crate::authz::{CommentFacts, PostFacts};

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub disabled: bool,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
    /// Credentials issued before this are void (set by start-up recovery, SPEC H3).
    #[diesel(deserialize_as = MaybeStamp)]
    pub tokens_valid_after: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
    pub tokens_valid_after: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = permissions)]
pub struct Permission {
    pub name: String,
    pub resource: String,
    pub action: String,
    pub description: String,
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = roles)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = roles)]
pub struct NewRole<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub builtin: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = user_roles)]
pub struct UserRole {
    pub user_id: i64,
    pub role_id: i64,
    #[diesel(deserialize_as = Stamp)]
    pub granted_at: NaiveDateTime,
    pub granted_by: Option<i64>,
    #[diesel(deserialize_as = MaybeStamp)]
    pub expires_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i64,
    #[diesel(deserialize_as = Stamp)]
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub detail: String,
    pub ip: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent<'a> {
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub outcome: &'a str,
    pub detail: &'a str,
    pub ip: Option<&'a str>,
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i64,
    pub author_id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub status: String,
    #[diesel(deserialize_as = MaybeStamp)]
    pub published_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
    /// The sanitized rendering of `body` (SPEC §10); `None` only for rows written before
    /// it was stored, until they are rendered.
    pub body_html: Option<String>,
    /// The note of the last send-back from review; cleared when it is published.
    pub review_note: Option<String>,
    /// Who scheduled the post, while it is scheduled.
    pub scheduled_by: Option<i64>,
    /// The post's tags, comma-separated in name order (`post_tags` as one column, written
    /// with it by `db::queries::tags::set_tags`): read with the row, no other statement.
    pub tags: String,
    /// The version of the post's public page, kept by the database's triggers (any change
    /// to what `/p/{slug}` shows bumps it): the validator of that page's ETag.
    pub page_version: i64,
}

/// Kept so `db::models::PostStatus` still resolves; the policy decides on it, so it lives
/// in `authz`.
pub use crate::authz::PostStatus;

impl Post {
    /// The post's status. The column's `CHECK` admits only known names; a value this build
    /// does not know (a newer schema, say) reads as a draft, which nobody but its author and
    /// editors can see, never as published.
    pub fn status(&self) -> PostStatus {
        stored_status(&self.status)
    }

    /// What the policy needs to know about this post (`authz::check_post`).
    pub fn facts(&self) -> PostFacts {
        PostFacts {
            author_id: self.author_id,
            status: self.status(),
        }
    }

    /// The post's tags, in name order.
    pub fn tag_list(&self) -> Vec<String> {
        self.tags
            .split(TAG_SEPARATOR)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The `tags` column for `tags` (checked, distinct names): in name order, joined.
    pub fn tags_column(tags: &[String]) -> String {
        let mut sorted = tags.to_vec();
        sorted.sort();
        sorted.join(&TAG_SEPARATOR.to_string())
    }
}

/// The separator of `posts.tags` (tag names never contain it).
const TAG_SEPARATOR: char = ',';

/// A stored status name as a status: one this build does not know reads as a draft.
fn stored_status(name: &str) -> PostStatus {
    PostStatus::parse(name).unwrap_or(PostStatus::Draft)
}

/// A published post as a list of posts on a page shows it (the front page).
#[derive(Clone, Debug, Queryable)]
pub struct PostSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    #[diesel(deserialize_as = MaybeStamp)]
    pub published_at: Option<NaiveDateTime>,
    /// The author's display name.
    pub author: String,
}

/// What revalidating a post's public page needs of its row.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct PageVersion {
    pub id: i64,
    pub author_id: i64,
    pub status: String,
    pub page_version: i64,
}

impl PageVersion {
    /// As [`Post::facts`].
    pub fn facts(&self) -> PostFacts {
        PostFacts {
            author_id: self.author_id,
            status: stored_status(&self.status),
        }
    }
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = posts, treat_none_as_default_value = false)]
pub struct NewPost {
    pub author_id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `blog::markdown::render(&body)`, written with it.
    pub body_html: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub author_id: i64,
    pub body: String,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
}

impl Comment {
    /// What the policy needs to know about this comment on `post` (`authz::check_comment`).
    pub fn facts(&self, post: &Post) -> CommentFacts {
        CommentFacts {
            author_id: self.author_id,
            post: post.facts(),
        }
    }
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment {
    pub post_id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
