//! The public blog: `/` (published posts) and `/p/{slug}` (a post with its comments), and
//! the reader's sign-in, registration and comment forms. Visitors read as the caller they
//! are (anonymous role, or a signed-in session), through the same policy as the API.

pub mod account;
pub mod comments;

use std::sync::LazyLock;

use actix_session::Session;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::principal::{Caller, Credentials};
use crate::auth::session::{csrf_token, take_flashes, Flash};
use crate::authz::{check_post, post_read_scope, CommentCan, PostAction, PostCan};
use crate::blog::http_cache::{self, ETag};
use crate::db::models::{Comment, Post};
use crate::db::queries::comments as comment_q;
use crate::db::queries::posts::{self as post_q, AuthorRow};
use crate::db::DbConn;
use crate::error::AppError;
use crate::routes::admin::PageError;
use crate::routes::api::cursor;
use crate::routes::api::views::display_time;
use crate::routes::caching::{not_modified, page_response, public_page, HTML};

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

/// The front page: the caller and a page of published posts in one [`Credentials::run`].
#[get("/")]
pub async fn index(
    req: HttpRequest,
    credentials: Credentials,
    session: Session,
    q: web::Query<IndexQuery>,
) -> Result<HttpResponse, PageError> {
    let before_id = q
        .cursor
        .as_deref()
        .map(|c| cursor::decode('p', c))
        .transpose()?;
    let limit = 20;
    let (caller, rows) = credentials
        .run(move |conn, caller| {
            // The front page shows published posts only, even to editors who may read
            // drafts.
            if !post_read_scope(&caller.principal).admits_published() {
                return Ok(Vec::new());
            }
            Ok(post_q::published_summaries(conn, before_id, limit)?)
        })
        .await?;
    let next_cursor = cursor::next('p', rows.len(), limit, rows.last().map(|p| p.id));
    let posts = rows
        .into_iter()
        .map(|p| Item {
            slug: p.slug,
            title: p.title,
            author: p.author,
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

/// The post page: the post, its tags and comments, read with the caller in one
/// [`Credentials::run`]. An anonymous reader's copy is revalidated from the post's
/// `page_version` alone ([`post_page_etag`]): a 304 loads and renders nothing else.
#[get("/p/{slug}")]
pub async fn show_post(
    req: HttpRequest,
    credentials: Credentials,
    session: Session,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner();
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (caller, loaded) = credentials
        .run(move |conn, caller| load_post_page(conn, caller, &slug, if_none_match.as_deref()))
        .await?;
    let (post, author, comments, etag) = match loaded {
        PostPageLoad::NotModified(etag) => return Ok(not_modified(&caller, &etag)),
        PostPageLoad::Page(page) => *page,
    };
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
        tags: post.tag_list(),
        slug: post.slug,
        title: post.title,
        author: author.2,
        published_at: post.published_at.map(display_time).unwrap_or_default(),
        body_html,
        can,
    };
    let html = page.render().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(match etag {
        // Anonymous: tagged by what the page is built from, as its revalidation checks.
        Some(etag) => page_response(&caller, false, &etag, HTML, html),
        // A signed-in reader's page shows their own forms: tagged by its bytes.
        None => public_page(&req, &caller, HTML, html),
    })
}

/// What [`show_post`] read: a 304's tag, or the post, its author and comments, and (for an
/// anonymous reader) the page's tag.
enum PostPageLoad {
    NotModified(ETag),
    Page(Box<PostPageRows>),
}

type PostPageRows = (Post, AuthorRow, Vec<(Comment, AuthorRow)>, Option<ETag>);

fn load_post_page(
    conn: &mut DbConn,
    caller: &Caller,
    slug: &str,
    if_none_match: Option<&str>,
) -> Result<PostPageLoad, AppError> {
    let generation = caller.snapshot.generation;
    if let (true, Some(header)) = (caller.is_anonymous(), if_none_match) {
        if let Some(version) = post_q::find_page_version(conn, slug)? {
            let readable = check_post(&caller.principal, PostAction::Read, version.facts());
            let etag = post_page_etag(slug, generation, version.id, version.page_version);
            if readable.is_ok() && http_cache::if_none_match(header, &etag) {
                return Ok(PostPageLoad::NotModified(etag));
            }
        }
    }
    let (post, author) = post_q::find_post_by_slug(conn, slug)?.ok_or(AppError::NotFound)?;
    // The API's read rule, steps 1 and 2 of SPEC §4: a post one may not read does not exist.
    if check_post(&caller.principal, PostAction::Read, post.facts()).is_err() {
        return Err(AppError::NotFound);
    }
    // Comments only when the same policy lets this visitor read them.
    let comments = match check_post(&caller.principal, PostAction::ReadComments, post.facts()) {
        Ok(()) => comment_q::list_comments(conn, post.id, None, 100)?,
        Err(_) => Vec::new(),
    };
    // The version is read before the comments: a comment written in between makes the tag
    // older than the page, never newer, so the next revalidation sends the page again.
    let etag = caller
        .is_anonymous()
        .then(|| post_page_etag(slug, generation, post.id, post.page_version));
    Ok(PostPageLoad::Page(Box::new((post, author, comments, etag))))
}

/// The anonymous `/p/{slug}`'s ETag: this build's page templates, the slug, the
/// authorization generation (what the anonymous role may read and do) and the post's id
/// and `page_version`, which the database bumps on any change to what the page shows
/// (`migrations/*/2026-12-06-000002_page_versions`).
fn post_page_etag(slug: &str, generation: i64, post_id: i64, page_version: i64) -> ETag {
    static BUILD: LazyLock<String> = LazyLock::new(|| {
        let sources = [
            env!("CARGO_PKG_VERSION"),
            include_str!("../../templates/public/layout.html"),
            include_str!("../../templates/public/post.html"),
        ];
        hex::encode(&Sha256::digest(sources.concat())[..16])
    });
    http_cache::page_etag(&BUILD, slug, &[generation, post_id, page_version])
}
