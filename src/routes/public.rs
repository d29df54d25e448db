//! The public blog: `/` (published posts) and `/p/{slug}` (a post with its comments), and
//! the reader's sign-in, registration and comment forms. Visitors read as the caller they
//! are (anonymous role, or a signed-in session), through the same policy as the API.

pub mod account;
pub mod comments;

use actix_session::Session;
use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::principal::Caller;
use crate::auth::session::{csrf_token, take_flashes, Flash};
use crate::authz::{check_post, CommentCan, PostAction, PostCan};
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

/// The reader's header: who is signed in, with the sign-out form's token. Anonymous
/// visitors get no token and no flash, so their pages set no cookie (they are cacheable).
pub struct Reader {
    pub user: Option<String>,
    pub csrf: String,
    pub flashes: Vec<Flash>,
}

impl Reader {
    pub fn new(caller: &Caller, session: &Session) -> Self {
        match &caller.user {
            Some(u) => Self {
                user: Some(u.username.clone()),
                csrf: csrf_token(session),
                flashes: take_flashes(session),
            },
            None => Self::anonymous(),
        }
    }

    pub fn anonymous() -> Self {
        Self {
            user: None,
            csrf: String::new(),
            flashes: Vec::new(),
        }
    }
}

pub struct Item {
    pub slug: String,
    pub title: String,
    pub author: String,
    pub published_at: String,
}

#[derive(Template)]
#[template(path = "public/index.html")]
struct Index {
    reader: Reader,
    posts: Vec<Item>,
    next_cursor: Option<String>,
}

pub struct CommentItem {
    pub id: i64,
    pub author: String,
    pub created_at: String,
    pub body: String,
    pub can: CommentCan,
}

#[derive(Template)]
#[template(path = "public/post.html")]
struct PostPage {
    reader: Reader,
    slug: String,
    title: String,
    author: String,
    published_at: String,
    /// The stored, sanitized rendering: shown as markup.
    body_html: String,
    tags: Vec<String>,
    comments: Vec<CommentItem>,
    can: PostCan,
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
    session: Session,
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
    let page = Index {
        reader: Reader::new(&caller, &session),
        posts,
        next_cursor,
    };
    let html = page.render().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(public_page(&req, &caller, HTML, html))
}

#[get("/p/{slug}")]
pub async fn show_post(
    req: HttpRequest,
    state: State,
    caller: Caller,
    session: Session,
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
    let can = PostCan::for_post(&caller.principal, post.facts());
    // Rows written before bodies were stored rendered are rendered here, never shown raw.
    let body_html = post
        .body_html
        .clone()
        .unwrap_or_else(|| crate::blog::markdown::render(&post.body));
    let page = PostPage {
        reader: Reader::new(&caller, &session),
        comments: comments
            .into_iter()
            .map(|(c, a)| CommentItem {
                id: c.id,
                can: CommentCan::for_comment(&caller.principal, c.facts(&post)),
                author: a.2,
                created_at: display_time(c.created_at),
                body: c.body,
            })
            .collect(),
        slug: post.slug,
        title: post.title,
        author: author.2,
        published_at: post.published_at.map(display_time).unwrap_or_default(),
        body_html,
        tags,
        can,
    };
    let html = page.render().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(public_page(&req, &caller, HTML, html))
}
