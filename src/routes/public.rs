//! The public blog: `/` (published posts) and `/p/{slug}` (a post with its comments).
//! Visitors read as the caller they are (anonymous role, or a signed-in session), through
//! the same read policy as the API.

use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::principal::Caller;
use crate::authz::{check_post, PostAction};
use crate::db::models::PostStatus;
use crate::db::queries::comments as comment_q;
use crate::db::queries::posts::{self as post_q, PostFilter};
use crate::db::queries::tags as tag_q;
use crate::error::AppError;
use crate::routes::admin::PageError;
use crate::routes::api::cursor;
use crate::routes::api::views::display_time;
use crate::routes::caching::{public_page, HTML};
use crate::state::State;

pub struct Item {
    pub slug: String,
    pub title: String,
    pub author: String,
    pub published_at: String,
}

#[derive(Template)]
#[template(path = "public/index.html")]
struct Index {
    posts: Vec<Item>,
    next_cursor: Option<String>,
}

pub struct CommentItem {
    pub author: String,
    pub created_at: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "public/post.html")]
struct PostPage {
    title: String,
    author: String,
    published_at: String,
    /// The stored, sanitized rendering: shown as markup.
    body_html: String,
    tags: Vec<String>,
    comments: Vec<CommentItem>,
}

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    cursor: Option<String>,
}

#[get("/")]
pub async fn index(
    req: HttpRequest,
    state: State,
    caller: Caller,
    q: web::Query<IndexQuery>,
) -> Result<HttpResponse, PageError> {
    let before_id = q
        .cursor
        .as_deref()
        .map(|c| cursor::decode('p', c))
        .transpose()?;
    let limit = 20;
    // The front page shows published posts only, even to editors who may read drafts.
    let filter = PostFilter {
        author_id: None,
        status: Some(PostStatus::Published),
        tag: None,
        before_id,
    };
    let scope = crate::authz::post_read_scope(&caller.principal);
    let rows = state
        .db
        .run(move |c| Ok(post_q::list_posts(c, scope, &filter, limit)?))
        .await?;
    let next_cursor = cursor::next('p', rows.len(), limit, rows.last().map(|(p, _)| p.id));
    let posts = rows
        .into_iter()
        .map(|(p, a)| Item {
            slug: p.slug,
            title: p.title,
            author: a.2,
            published_at: p.published_at.map(display_time).unwrap_or_default(),
        })
        .collect();
    let html = Index { posts, next_cursor }.render();
    let html = html.map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(public_page(&req, &caller, HTML, html))
}

#[get("/p/{slug}")]
pub async fn show_post(
    req: HttpRequest,
    state: State,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner();
    let (post, author) = state
        .db
        .run(move |c| post_q::find_post_by_slug(c, &slug)?.ok_or(AppError::NotFound))
        .await?;
    // The API's read rule, steps 1 and 2 of SPEC §4: a post one may not read does not exist.
    if check_post(&caller.principal, PostAction::Read, post.facts()).is_err() {
        return Err(AppError::NotFound.into());
    }
    // Comments only when the same policy lets this visitor read them.
    let may_read_comments =
        check_post(&caller.principal, PostAction::ReadComments, post.facts()).is_ok();
    let post_id = post.id;
    let (tags, comments) = state
        .db
        .run(move |c| {
            let tags = tag_q::tags_of_post(c, post_id)?;
            let comments = if may_read_comments {
                comment_q::list_comments(c, post_id, None, 100)?
            } else {
                Vec::new()
            };
            Ok((tags, comments))
        })
        .await?;
    // A row stored before renderings were (until the next start renders it) shows its
    // Markdown as escaped text: reading never parses Markdown.
    let body_html = post
        .body_html
        .unwrap_or_else(|| format!("<pre>{}</pre>", ammonia::clean_text(&post.body)));
    let html = PostPage {
        title: post.title,
        author: author.2,
        published_at: post.published_at.map(display_time).unwrap_or_default(),
        body_html,
        tags,
        comments: comments
            .into_iter()
            .map(|(c, a)| CommentItem {
                author: a.2,
                created_at: display_time(c.created_at),
                body: c.body,
            })
            .collect(),
    }
    .render();
    let html = html.map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(public_page(&req, &caller, HTML, html))
}
