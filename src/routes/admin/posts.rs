//! `/admin/posts`: posts the caller may read, with publish/unpublish/delete where the
//! policy allows (the same `manage::posts` operations as the API).

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{guard, render, see_other, CsrfForm, Layout, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::{check_csrf, flash};
use crate::authz::{post_read_scope, PostAction, PostCan};
use crate::db::models::PostStatus;
use crate::db::queries::posts::{self as post_q, PostFilter};
use crate::error::AppError;
use crate::manage;
use crate::routes::api::cursor;
use crate::routes::api::views::display_time;
use crate::state::State;

pub struct PostRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub author: String,
    pub status: String,
    pub published: bool,
    pub updated_at: String,
    pub can_update: bool,
    pub can_publish: bool,
    pub can_delete: bool,
}

#[derive(Template)]
#[template(path = "admin/posts.html")]
struct PostsPage {
    layout: Layout,
    posts: Vec<PostRow>,
    status: String,
    author: String,
    can_create: bool,
    /// The query string of the filters, for the "Older posts" link.
    filters: String,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PostsQuery {
    status: Option<String>,
    author: Option<String>,
    cursor: Option<String>,
}

#[get("/posts")]
pub async fn posts_page(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    q: web::Query<PostsQuery>,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, PostAction::Read.requirement())?;
    // An unknown status in the address shows every post rather than an error page.
    let status = q.status.as_deref().and_then(PostStatus::parse);
    let before_id = q
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| cursor::decode('p', c))
        .transpose()?;
    let scope = post_read_scope(&caller.principal);
    let author = own_first(&caller, q.author.as_deref());
    let filter = PostFilter {
        author_id: None,
        status,
        tag: None,
        before_id,
    };
    let limit = 25;
    let by = author.clone();
    let rows = state
        .db
        .run(move |c| {
            let mut filter = filter;
            if !by.is_empty() {
                // An unknown author has no posts: an empty page, not every post.
                match post_q::find_user_id_by_username(c, &by)? {
                    Some(id) => filter.author_id = Some(id),
                    None => return Ok(Vec::new()),
                }
            }
            Ok(post_q::list_posts(c, scope, &filter, limit)?)
        })
        .await?;
    let next_cursor = cursor::next('p', rows.len(), limit, rows.last().map(|(p, _)| p.id));
    let posts = rows
        .into_iter()
        .map(|(p, a)| {
            let can = PostCan::for_post(&caller.principal, p.facts());
            PostRow {
                id: p.id,
                published: p.status() == PostStatus::Published,
                title: p.title,
                slug: p.slug,
                author: a.1,
                status: p.status,
                updated_at: display_time(p.updated_at),
                can_update: can.update,
                can_publish: can.publish,
                can_delete: can.delete,
            }
        })
        .collect();
    let status = status
        .map(PostStatus::as_str)
        .unwrap_or_default()
        .to_owned();
    let filters = format!(
        "status={}&author={}",
        super::urlencode(&status),
        super::urlencode(&author)
    );
    render(&PostsPage {
        layout: Layout::new("Posts", &caller, &session),
        posts,
        status,
        author,
        can_create: caller.principal.has("posts:create"),
        filters,
        next_cursor,
    })
}

/// The author filter: the one asked for (`author=` empty means everyone); without one,
/// writers who cannot edit others' posts (contributors, authors) see their own first.
fn own_first(caller: &Caller, asked: Option<&str>) -> String {
    match (asked, &caller.user) {
        (Some(a), _) => a.trim().to_owned(),
        (None, Some(u)) if !caller.principal.has("posts:update") => u.username.clone(),
        _ => String::new(),
    }
}

/// `POST /admin/posts/{id}/{publish|unpublish|delete}`.
#[post("/posts/{id}/{action}")]
pub async fn change_post_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    path: web::Path<(i64, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, form.csrf.as_deref())?;
    let (id, action) = path.into_inner();
    let action = match action.as_str() {
        "publish" => PostAction::Publish,
        "unpublish" => PostAction::Unpublish,
        "delete" => PostAction::Delete,
        _ => return Err(AppError::NotFound.into()),
    };
    guard(&caller, &req, action.requirement())?;
    let (principal, actor) = (caller.principal.clone(), caller.actor());
    let result = state
        .db
        .run(move |conn| match action {
            PostAction::Delete => manage::posts::delete_post(conn, &principal, &actor, id),
            _ => {
                let changes = match action {
                    PostAction::Publish => manage::posts::publishing(),
                    _ => manage::posts::unpublishing(),
                };
                manage::posts::change_post(conn, &principal, &actor, id, action, changes)
                    .map(|allowed| allowed.map(|_| ()))
            }
        })
        .await
        .and_then(|allowed| allowed.map_err(|d| caller.deny(d)));
    match result {
        Ok(()) => flash(
            &session,
            "ok",
            format!(
                "Post {id}: {} done.",
                action.name().trim_start_matches("post:")
            ),
        ),
        Err(e @ (AppError::Forbidden { .. } | AppError::Conflict(_))) => {
            flash(&session, "error", e.message())
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other("/admin/posts"))
}
