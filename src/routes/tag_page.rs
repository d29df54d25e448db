//! `/t/{tag}` (SPEC §10): the published posts with a tag, newest first, 20 a page; 404 when
//! there are none (an unknown tag, or one that breaks the tag rules).

use actix_session::Session;
use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::principal::Caller;
use crate::blog::tags::Tag;
use crate::db::models::PostStatus;
use crate::db::queries::posts::{self as post_q, PostFilter};
use crate::error::AppError;
use crate::routes::admin::PageError;
use crate::routes::api::cursor;
use crate::routes::api::views::display_time;
use crate::routes::caching::{public_page, HTML};
use crate::routes::public::{Item, Reader};
use crate::state::State;

#[derive(Template)]
#[template(path = "public/tag.html")]
struct TagPage {
    reader: Reader,
    tag: String,
    posts: Vec<Item>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TagQuery {
    cursor: Option<String>,
}

#[get("/t/{tag}")]
pub async fn tag_page(
    req: HttpRequest,
    state: State,
    caller: Caller,
    session: Session,
    tag: web::Path<String>,
    q: web::Query<TagQuery>,
) -> Result<HttpResponse, PageError> {
    // A name no post can carry has no page; `/t/Rust` is the page of `rust`.
    let tag = Tag::parse(&tag).map_err(|_| AppError::NotFound)?;
    let before_id = q
        .cursor
        .as_deref()
        .map(|c| cursor::decode('p', c))
        .transpose()?;
    let limit = 20;
    let filter = PostFilter {
        status: Some(PostStatus::Published),
        tag: Some(tag.to_string()),
        before_id,
        ..PostFilter::default()
    };
    let scope = crate::authz::post_read_scope(&caller.principal);
    let rows = state
        .db
        .run(move |c| Ok(post_q::list_posts(c, scope, &filter, limit)?))
        .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound.into());
    }
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
    let page = TagPage {
        reader: Reader::new(&caller, &session),
        tag: tag.to_string(),
        posts,
        next_cursor,
    };
    let html = page.render().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(public_page(&req, &caller, HTML, html))
}
