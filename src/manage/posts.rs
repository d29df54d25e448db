//! Post changes with their policy check inside the transaction, shared by the JSON API and
//! the admin pages (one authorization path). Changes to other people's posts are audited.
//! A refusal comes back as [`Allowed`]'s `Err` (see [`super::Allowed`]).

use chrono::NaiveDateTime;

use super::audit::{record, Actor, Outcome};
use super::Allowed;
use crate::authz::{check_post, PostAction, Principal};
use crate::blog::markdown;
use crate::db::models::{NewPost, Post, PostStatus};
use crate::db::queries::posts::{self as post_q, AuthorRow, PostChanges};
use crate::db::queries::tags as tag_q;
use crate::db::{now, write_tx, DbConn};
use crate::domain::slugify;
use crate::error::AppError;

/// A post to create, already validated and allowed (`authz::check_create_post`).
pub struct Draft {
    pub author_id: i64,
    pub title: String,
    pub body: String,
    /// `None`: derived from the title, made unique.
    pub slug: Option<String>,
    pub status: PostStatus,
    /// Checked, distinct names (`blog::tags::parse_tags`).
    pub tags: Vec<String>,
}

/// Creates a post. A slug the caller chose must be free (409); a derived one is the first
/// free `slug`, `slug-2`, `slug-3`…. Transactions deriving from the same base take turns
/// (`lock_slug_base`); a derived slug can still meet a chosen one inserted at the same
/// moment, and is then derived again.
pub fn create_post(conn: &mut DbConn, draft: &Draft) -> Result<(Post, AuthorRow), AppError> {
    // Rendered once, before the transaction takes its write lock.
    let body_html = markdown::render(&draft.body);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = write_tx(conn, |conn| {
            let slug = match &draft.slug {
                Some(s) if post_q::slug_taken(conn, s, None)? => {
                    return Err(AppError::Conflict("slug is already taken".into()))
                }
                Some(s) => s.clone(),
                None => free_slug(conn, &slugify(&draft.title))?,
            };
            let at = now();
            let published = draft.status == PostStatus::Published;
            let post = post_q::insert_post(
                conn,
                &NewPost {
                    author_id: draft.author_id,
                    title: draft.title.clone(),
                    slug,
                    body: draft.body.clone(),
                    status: draft.status.as_str().into(),
                    published_at: published.then_some(at),
                    created_at: at,
                    updated_at: at,
                    body_html: Some(body_html.clone()),
                },
            )?;
            tag_q::set_tags(conn, post.id, &draft.tags)?;
            post_q::find_post(conn, post.id)?.ok_or(AppError::NotFound)
        });
        match result {
            Err(AppError::Conflict(_)) if draft.slug.is_none() && attempt < 8 => continue,
            other => return other,
        }
    }
}

/// `base`, or `base-2`, `base-3`… the first that is free. Each probe is one lookup in the
/// unique slug index; a `LIKE 'base-%'` would scan the table (SQLite's LIKE is
/// case-insensitive, so it cannot use the index), which made every create linear.
fn free_slug(conn: &mut DbConn, base: &str) -> Result<String, AppError> {
    post_q::lock_slug_base(conn, base)?;
    if !post_q::slug_taken(conn, base, None)? {
        return Ok(base.to_owned());
    }
    for n in 2.. {
        let candidate = format!("{base}-{n}");
        if !post_q::slug_taken(conn, &candidate, None)? {
            return Ok(candidate);
        }
    }
    unreachable!("some suffix is free")
}

/// Updates post `id` or moves it through the workflow of SPEC §10 (the `changes` of
/// [`publishing`], [`scheduling`]…) if the policy lets `principal` do `action` to it in its
/// current status; audited as [`audited_event`] says.
pub fn change_post(
    conn: &mut DbConn,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    action: PostAction,
    changes: PostChanges,
) -> Result<Allowed<(Post, AuthorRow)>, AppError> {
    change_post_tagged(conn, principal, actor, id, action, changes, None)
}

/// [`change_post`], also replacing the post's tags when `tags` is `Some` (checked,
/// distinct names). A new body is rendered here, so every path that changes the body
/// stores its rendering in the same write.
pub fn change_post_tagged(
    conn: &mut DbConn,
    principal: &Principal,
    actor: &Actor,
    id: i64,
    action: PostAction,
    mut changes: PostChanges,
    tags: Option<&[String]>,
) -> Result<Allowed<(Post, AuthorRow)>, AppError> {
    changes.body_html = changes.body.as_deref().map(markdown::render);
    write_tx(conn, |conn| {
        let (post, _) = post_q::find_post(conn, id)?.ok_or(AppError::NotFound)?;
        if let Err(denied) = check_post(principal, action, post.facts()) {
            return Ok(Err(denied));
        }
        if let Some(slug) = &changes.slug {
            if post_q::slug_taken(conn, slug, Some(id))? {
                return Err(AppError::Conflict("slug is already taken".into()));
            }
        }
        changes.updated_at = Some(now());
        post_q::update_post(conn, id, &changes)?;
        if let Some(tags) = tags {
            tag_q::set_tags(conn, id, tags)?;
        }
        if let Some(event) = audited_event(principal, action, &post) {
            let target = format!("post {id}");
            record(conn, actor, &event, &target, Outcome::Success, &post.slug)?;
        }
        Ok(Ok(post_q::find_post(conn, id)?.ok_or(AppError::NotFound)?))
    })
}

/// The event recorded for `action` on `post`: every schedule (the scheduler acts on it
/// later in the scheduler's name), and any change to someone else's post, where publishing
/// a post in review is approving it. `None`: not audited (one's own post).
fn audited_event(principal: &Principal, action: PostAction, post: &Post) -> Option<String> {
    let own = principal.is_owner(post.author_id);
    match action {
        PostAction::Schedule => Some("post.schedule".into()),
        _ if own => None,
        PostAction::Publish if post.status() == PostStatus::Review => Some("post.approve".into()),
        _ => Some(format!(
            "post.{}",
            action.name().trim_start_matches("post:")
        )),
    }
}

/// The changes that publish a post now (an approved post loses its review note).
pub fn publishing() -> PostChanges {
    PostChanges {
        status: Some(PostStatus::Published.as_str().into()),
        published_at: Some(Some(now())),
        review_note: Some(None),
        scheduled_by: Some(None),
        ..Default::default()
    }
}

/// The changes that turn a published or scheduled post back into a draft.
pub fn unpublishing() -> PostChanges {
    PostChanges {
        status: Some(PostStatus::Draft.as_str().into()),
        published_at: Some(None),
        scheduled_by: Some(None),
        ..Default::default()
    }
}

/// The changes that submit a draft for review.
pub fn submitting() -> PostChanges {
    PostChanges {
        status: Some(PostStatus::Review.as_str().into()),
        ..Default::default()
    }
}

/// The changes that schedule a post for `at` on behalf of user `by`, whose rights the
/// scheduler checks again at `at` (`manage::scheduler`).
pub fn scheduling(at: NaiveDateTime, by: i64) -> PostChanges {
    PostChanges {
        status: Some(PostStatus::Scheduled.as_str().into()),
        published_at: Some(Some(at)),
        scheduled_by: Some(Some(by)),
        ..Default::default()
    }
}

/// The changes that send a post in review back to its author with `note`.
pub fn rejecting(note: String) -> PostChanges {
    PostChanges {
        status: Some(PostStatus::Draft.as_str().into()),
        review_note: Some(Some(note)),
        ..Default::default()
    }
}

/// Deletes post `id` if the policy lets `principal` delete it; `actor` is recorded when
/// the post is someone else's.
pub fn delete_post(
    conn: &mut DbConn,
    principal: &Principal,
    actor: &Actor,
    id: i64,
) -> Result<Allowed<()>, AppError> {
    write_tx(conn, |conn| {
        let (post, _) = post_q::find_post(conn, id)?.ok_or(AppError::NotFound)?;
        if let Err(denied) = check_post(principal, PostAction::Delete, post.facts()) {
            return Ok(Err(denied));
        }
        post_q::delete_post(conn, id)?;
        if !principal.is_owner(post.author_id) {
            let target = format!("post {id}");
            record(
                conn,
                actor,
                "post.delete",
                &target,
                Outcome::Success,
                &post.slug,
            )?;
        }
        Ok(Ok(()))
    })
}
