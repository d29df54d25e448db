//! Routes, mirroring the URL space.

pub mod admin;
pub mod api;
pub mod caching;
pub mod extractors;
pub mod feeds;
pub mod health;
pub mod hygiene;
pub mod methods;
pub mod oauth;
pub mod openapi;
pub mod public;
pub mod sign_in;
pub mod tag_page;
pub mod well_known;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};

use crate::auth::client_addr;
use crate::auth::principal::Caller;
use crate::manage::audit::record_denial;
use crate::manage::Actor;
use crate::state::AppState;

/// Routes outside `/api`, mounted after the `/api` scope (see `startup`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .route("/static/quire.css", web::get().to(stylesheet))
        .configure(admin::configure)
        .service(public::index)
        .service(public::show_post)
        .service(tag_page::tag_page)
        .service(feeds::atom_feed)
        .service(feeds::sitemap_xml)
        .service(public::comments::create_comment_form)
        .service(public::comments::change_comment_form)
        .service(public::account::login_form)
        .service(public::account::login)
        .service(public::account::logout)
        .service(public::account::register_form)
        .service(public::account::register)
        .service(well_known::server_metadata_doc)
        .service(well_known::jwks)
        .service(oauth::authorize_form)
        .service(oauth::authorize);
}

/// The stylesheet, compiled in (no files needed at run time), cached for a day.
async fn stylesheet() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(include_str!("../../static/quire.css"))
}

/// Headers for every HTML page: no framing, no sniffing, no scripts (the pages need none),
/// forms only to ourselves.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
];

/// Every 403 is audited, whichever handler produced it, with the caller if known; its
/// target is the method and path, never the query string (SPEC H9). A flood of denials is
/// stored at most 60 a minute per actor ([`record_denial`]).
pub async fn audit_denials(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() == actix_web::http::StatusCode::FORBIDDEN {
        let request = res.request();
        let target = format!("{} {}", request.method(), request.path());
        if let Some(state) = request.app_data::<web::Data<AppState>>().cloned() {
            let actor = request
                .extensions()
                .get::<Caller>()
                .map(Caller::actor)
                .unwrap_or_else(|| Actor {
                    id: None,
                    name: "anonymous".into(),
                    ip: client_addr::of_request(request, &state.config.trusted_proxies)
                        .map(|a| a.to_string()),
                    principal: None,
                });
            // Written before the answer leaves, so whoever reads the log after a 403 finds
            // it there (a spawned write lost that race under load). A failed write is
            // logged, never turned into another answer.
            let result = state
                .db
                .run(move |conn| Ok(record_denial(conn, &actor, &target, "403")?))
                .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "could not audit a denial");
            }
        }
    }
    Ok(res)
}
