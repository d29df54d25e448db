//! `/feed.atom` and `/sitemap.xml` (SPEC §10): the published posts as the anonymous or
//! signed-in caller may read them, with absolute links on the public URL
//! (`QUIRE_PUBLIC_URL`, SPEC §11).

use actix_web::{get, HttpRequest, HttpResponse};
use chrono::DateTime;

use crate::auth::principal::Caller;
use crate::authz::{post_read_scope, ReadScope};
use crate::blog::{feed, sitemap};
use crate::db::models::PostStatus;
use crate::db::queries::posts::{self as post_q, PostFilter};
use crate::routes::admin::PageError;
use crate::routes::caching::{public_page, ATOM, XML};
use crate::state::State;

/// Entries in the feed.
const FEED_ENTRIES: i64 = 20;

#[get("/feed.atom")]
pub async fn atom_feed(
    req: HttpRequest,
    state: State,
    caller: Caller,
) -> Result<HttpResponse, PageError> {
    let filter = PostFilter {
        status: Some(PostStatus::Published),
        ..PostFilter::default()
    };
    let scope = post_read_scope(&caller.principal);
    let rows = state
        .db
        .run(move |c| Ok(post_q::list_posts(c, scope, &filter, FEED_ENTRIES)?))
        .await?;
    let base = &state.config.public_url;
    // Built first: the entries borrow these strings.
    let links: Vec<(String, String)> = rows
        .iter()
        .map(|(p, _)| {
            // The id is the post's, not its slug's: a renamed post stays the same entry.
            let id = format!("{base}/api/posts/{}", p.id);
            (id, format!("{base}/p/{}", p.slug))
        })
        .collect();
    let entries = rows
        .iter()
        .zip(&links)
        .map(|((post, author), (id, link))| feed::FeedEntry {
            id,
            title: &post.title,
            link,
            updated: post.updated_at,
            published: post.published_at,
            author: &author.2,
            summary: None,
            content_html: post.body_html.as_deref(),
        })
        .collect::<Vec<_>>();
    // The feed changed when its newest entry did; an empty feed keeps one fixed time, so
    // its bytes (and ETag) stay put.
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH.naive_utc());
    let (home, own) = (format!("{base}/"), format!("{base}/feed.atom"));
    let xml = feed::build(&feed::FeedInfo {
        id: &home,
        title: "Quire",
        link: &home,
        self_link: &own,
        updated,
        entries,
    });
    Ok(public_page(&req, &caller, ATOM, xml))
}

#[get("/sitemap.xml")]
pub async fn sitemap_xml(
    req: HttpRequest,
    state: State,
    caller: Caller,
) -> Result<HttpResponse, PageError> {
    let scope = post_read_scope(&caller.principal);
    let rows = match scope {
        // Published posts are what everyone who may read at all may read.
        ReadScope::Nothing => Vec::new(),
        ReadScope::All | ReadScope::PublishedOrOwn(_) => {
            let limit = sitemap::MAX_URLS as i64;
            state
                .db
                .run(move |c| Ok(post_q::published_slugs(c, limit)?))
                .await?
        }
    };
    let base = &state.config.public_url;
    let urls: Vec<(String, chrono::NaiveDateTime)> = rows
        .into_iter()
        .map(|(slug, at)| (format!("{base}/p/{slug}"), at))
        .collect();
    let xml = sitemap::build(urls.iter().map(|(u, at)| (u.as_str(), *at)));
    Ok(public_page(&req, &caller, XML, xml))
}
