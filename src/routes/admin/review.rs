//! `/admin/review` (posts waiting for review, for `posts:publish`) and `/admin/comments`
//! (the latest comments on posts the caller may read, for moderators and editors).

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{guard, render, see_other, CsrfForm, Layout, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::{check_csrf, flash};
use crate::authz::{post_read_scope, CommentAction, CommentCan, ReadScope};
use crate::db::models::PostStatus;
use crate::db::queries::comments as comment_q;
use crate::db::queries::posts::{self as post_q, PostFilter};
use crate::manage;
use crate::routes::api::cursor;
use crate::routes::api::views::display_time;
use crate::state::State;

pub struct ReviewRow {
    pub id: i64,
    pub title: String,
    pub author: String,
    pub updated_at: String,
}

#[derive(Template)]
#[template(path = "admin/review.html")]
struct ReviewPage {
    layout: Layout,
    posts: Vec<ReviewRow>,
}

#[get("/review")]
pub async fn review_page(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["posts:publish"])?;
    let scope = post_read_scope(&caller.principal);
    // Parsed by name: a build whose statuses lack `review` has an empty queue.
    let rows = match PostStatus::parse("review") {
        Some(status) => {
            let filter = PostFilter {
                status: Some(status),
                ..PostFilter::default()
            };
            state
                .db
                .run(move |c| Ok(post_q::list_posts(c, scope, &filter, 100)?))
                .await?
        }
        None => Vec::new(),
    };
    let posts = rows
        .into_iter()
        // Oldest first: the post waiting longest is reviewed first.
        .rev()
        .map(|(p, a)| ReviewRow {
            id: p.id,
            title: p.title,
            author: a.1,
            updated_at: display_time(p.updated_at),
        })
        .collect();
    render(&ReviewPage {
        layout: Layout::new("Review queue", &caller, &session),
        posts,
    })
}

pub struct CommentRow {
    pub id: i64,
    pub body: String,
    pub author: String,
    pub post_title: String,
    pub post_slug: String,
    pub post_published: bool,
    pub created_at: String,
    pub can_delete: bool,
}

#[derive(Template)]
#[template(path = "admin/comments.html")]
struct CommentsPage {
    layout: Layout,
    comments: Vec<CommentRow>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CommentsQuery {
    cursor: Option<String>,
}

#[get("/comments")]
pub async fn comments_page(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    q: web::Query<CommentsQuery>,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["comments:delete", "posts:update"])?;
    let before_id = q
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| cursor::decode('c', c))
        .transpose()?;
    // Reading comments takes `comments:read` besides reading the post (SPEC §4).
    let scope = match caller.principal.has("comments:read") {
        true => post_read_scope(&caller.principal),
        false => ReadScope::Nothing,
    };
    let limit = 50;
    let rows = state
        .db
        .run(move |c| Ok(comment_q::list_latest_comments(c, scope, before_id, limit)?))
        .await?;
    let next_cursor = cursor::next('c', rows.len(), limit, rows.last().map(|r| r.0.id));
    let comments = rows
        .into_iter()
        .map(|(c, a, p)| CommentRow {
            can_delete: CommentCan::for_comment(&caller.principal, c.facts(&p)).delete,
            id: c.id,
            body: c.body,
            author: a.1,
            post_published: p.status() == PostStatus::Published,
            post_title: p.title,
            post_slug: p.slug,
            created_at: display_time(c.created_at),
        })
        .collect();
    render(&CommentsPage {
        layout: Layout::new("Comments", &caller, &session),
        comments,
        next_cursor,
    })
}

#[post("/comments/{id}/delete")]
pub async fn delete_comment_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, form.csrf.as_deref())?;
    guard(&caller, &req, CommentAction::Delete.requirement())?;
    let id = id.into_inner();
    let (principal, actor) = (caller.principal.clone(), caller.actor());
    state
        .db
        .run(move |c| manage::comments::delete_comment(c, &principal, &actor, id))
        .await
        .and_then(|allowed| allowed.map_err(|d| caller.deny(d)))
        .map_err(PageError::from)?;
    flash(&session, "ok", format!("Comment {id} deleted."));
    Ok(see_other("/admin/comments"))
}
