//! Responses of the cacheable public pages (SPEC §10 "Caching"): `/`, `/p/{slug}`,
//! `/t/{tag}`, `/feed.atom` and `/sitemap.xml`.
//!
//! Anonymous callers get `Cache-Control: public, max-age=60`; signed-in callers (a session
//! or a bearer token) `private`, since their pages may show what only they may see. Both
//! get a weak ETag of the bytes and a 304 when `If-None-Match` matches it. `Vary` names the
//! headers that make a caller signed in, so a shared cache never hands the anonymous copy
//! to a signed-in reader (or the reverse).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::auth::principal::Caller;
use crate::blog::http_cache::{self, content_etag, ETag};

/// `text/html; charset=utf-8`.
pub const HTML: &str = "text/html; charset=utf-8";
/// RFC 4287 §7.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";
/// The sitemaps.org protocol asks for XML, UTF-8.
pub const XML: &str = "application/xml; charset=utf-8";

/// The 200 (or 304) answer with `body` of type `content_type` for `caller`, tagged with
/// the ETag of its bytes.
pub fn public_page(
    req: &HttpRequest,
    caller: &Caller,
    content_type: &'static str,
    body: String,
) -> HttpResponse {
    let etag = content_etag(body.as_bytes());
    let fresh = is_fresh(req, &etag);
    page_response(caller, fresh, &etag, content_type, body)
}

/// Whether the request's `If-None-Match` matches `etag` (the client's copy is current).
pub fn is_fresh(req: &HttpRequest, etag: &ETag) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| http_cache::if_none_match(v, etag))
}

/// The 304 for a client whose copy, tagged `etag`, is current: the same headers as the
/// page's 200, no content.
pub fn not_modified(caller: &Caller, etag: &ETag) -> HttpResponse {
    page_response(caller, true, etag, HTML, String::new())
}

/// The page's 200 with `body`, or its 304 when `fresh`.
pub fn page_response(
    caller: &Caller,
    fresh: bool,
    etag: &ETag,
    content_type: &'static str,
    body: String,
) -> HttpResponse {
    let cache_control = if caller.is_anonymous() {
        http_cache::PUBLIC
    } else {
        http_cache::PRIVATE
    };
    let status = if fresh {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut resp = HttpResponse::build(status);
    resp.insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::ETAG, etag.as_str()))
        .insert_header((
            header::VARY,
            HeaderValue::from_static("Cookie, Authorization"),
        ));
    for h in crate::routes::SECURITY_HEADERS {
        resp.insert_header(h);
    }
    if fresh {
        // RFC 9110 §15.4.5: a 304 carries the validators and cache headers, no content.
        return resp.finish();
    }
    resp.content_type(content_type).body(body)
}
