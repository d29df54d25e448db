//! Server-rendered admin pages (SPEC §7). Same principal and permission checks as the API
//! (`Caller`), rendered as HTML: not signed in → redirect to the login page, missing
//! permission → a 403 page. Every form POST carries the session's CSRF token.

pub mod account;
pub mod account_apps;
pub mod account_tokens;
pub mod audit;
pub mod clients;
pub mod dashboard;
pub mod editor;
mod editor_view;
pub mod login;
pub mod matrix;
pub mod posts;
pub mod review;
pub mod roles;
pub mod twofactor;
pub mod twofactor_login;
pub mod users;

use actix_session::Session;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use actix_session::SessionExt;

use crate::auth::principal::Caller;
use crate::auth::second_factor;
use crate::auth::session::{csrf_token, take_flashes, Flash};
use crate::error::AppError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .wrap(actix_web::middleware::from_fn(sign_in_first))
            .service(login::login_form)
            .service(login::login)
            .service(twofactor_login::code_form)
            .service(twofactor_login::code)
            .service(twofactor::two_factor_page)
            .service(twofactor::confirm_form)
            .service(twofactor::disable_form)
            .service(twofactor::recovery_codes_form)
            .service(login::logout)
            .service(dashboard::dashboard)
            .service(account::account_page)
            .service(account::revoke_session_form)
            .service(account::revoke_other_sessions_form)
            .service(account::change_password_form)
            .service(account_tokens::create_token_form)
            .service(account_tokens::revoke_token_form)
            .service(account_apps::revoke_app_form)
            .service(posts::posts_page)
            // Before `change_post_form`, whose `/posts/{id}/{action}` would take `edit`.
            .service(editor::new_post_form)
            .service(editor::create_post_form)
            .service(editor::edit_post_form)
            .service(editor::save_post_form)
            .service(posts::change_post_form)
            .service(review::review_page)
            .service(review::comments_page)
            .service(review::delete_comment_form)
            .service(audit::audit_page)
            .service(matrix::matrix_page)
            .service(roles::roles_page)
            .service(roles::create_role_form)
            .service(roles::role_page)
            .service(roles::delete_role_form)
            .service(roles::update_role_form)
            .service(clients::clients_page)
            .service(clients::create_client_form)
            .service(clients::delete_client_form)
            .service(users::users_page)
            .service(users::user_page)
            .service(users::grant_form)
            .service(users::revoke_form)
            .service(twofactor::reset_form)
            .service(users::account_form),
    );
}

/// An anonymous POST to an admin page is sent to the login page before its handler runs,
/// so before its CSRF check: that check's 403 would be audited once per request, and
/// anonymous callers can send any number of them (SPEC H9). The sign-in form itself is
/// exempt. A signed-in POST with a bad token still gets its 403.
async fn sign_in_first(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // SPEC §12: a session that must enrol two-factor sees only the enrolment page.
    let confined = second_factor::must_enrol(&req.get_session())
        && !second_factor::allowed_while_enrolling(req.path());
    if confined {
        return Ok(req
            .into_response(see_other(second_factor::ENROL_PAGE))
            .map_into_right_body());
    }
    if req.method() == Method::POST && !req.path().starts_with("/admin/login") {
        // Resolved once: the handler's own `Caller` is this one, from the request.
        if let Ok(caller) = req.extract::<Caller>().await {
            if caller.is_anonymous() {
                return Ok(req
                    .into_response(see_other("/admin/login"))
                    .map_into_right_body());
            }
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// A form whose only field is the CSRF token (buttons that act on the URL's resource).
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// What the base layout shows.
pub struct Layout {
    pub title: String,
    pub user: Option<String>,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub nav: Nav,
}

/// Navigation entries the caller may open (the same permissions as the pages' guards).
pub struct Nav {
    pub roles: bool,
    pub users: bool,
    pub audit: bool,
    pub posts: bool,
    pub review: bool,
    pub comments: bool,
}

impl Layout {
    pub fn new(title: impl Into<String>, caller: &Caller, session: &Session) -> Self {
        let p = &caller.principal;
        Self {
            title: title.into(),
            user: caller.user.as_ref().map(|u| u.username.clone()),
            csrf: csrf_token(session),
            flashes: take_flashes(session),
            nav: Nav {
                roles: p.has("roles:read"),
                users: p.has("users:read"),
                audit: p.has("audit:read"),
                posts: p.has_any(&["posts:read", "posts:update"]),
                review: p.has("posts:publish"),
                comments: p.has_any(&["comments:delete", "posts:update"]),
            },
        }
    }
}

/// The signed-in user, or the login page (which comes back to the account page): the
/// account pages' first step.
pub(super) fn signed_in(
    caller: &Caller,
) -> Result<std::sync::Arc<crate::auth::cache::UserEntry>, PageError> {
    caller.user.clone().ok_or_else(|| PageError::Login {
        next: "/admin/account".to_owned(),
    })
}

/// Errors of HTML pages.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("sign in first")]
    Login { next: String },
    #[error(transparent)]
    App(#[from] AppError),
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    status: u16,
    heading: &'a str,
    message: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Login { .. } => StatusCode::SEE_OTHER,
            Self::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Login { next } => HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("/admin/login?next={}", urlencode(next)),
                ))
                .finish(),
            Self::App(AppError::Unexpected(cause)) => {
                tracing::error!(error = ?cause, "unexpected error on a page");
                page_error(500, "Something went wrong", "The error was logged.".into())
            }
            Self::App(e) => {
                let status = e.status_code().as_u16();
                let heading = match status {
                    401 | 403 => "Not allowed",
                    404 => "Not found",
                    409 => "Refused",
                    429 => "Too many attempts",
                    _ => "Cannot do that",
                };
                page_error(status, heading, e.message())
            }
        }
    }
}

fn page_error(status: u16, heading: &str, message: String) -> HttpResponse {
    let html = ErrorPage {
        status,
        heading,
        message,
    }
    .render()
    .unwrap_or_else(|_| "error".into());
    html_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        html,
    )
}

/// Every HTML response goes through here, so every page carries the security headers.
fn html_response(status: StatusCode, html: String) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    resp.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"));
    for h in crate::routes::SECURITY_HEADERS {
        resp.insert_header(h);
    }
    resp.body(html)
}

/// Renders a template as a 200 page.
pub fn render<T: Template>(page: &T) -> Result<HttpResponse, PageError> {
    let html = page.render().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(html_response(StatusCode::OK, html))
}

/// 303 to `to` (after a form POST).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// The page guard: signed in (else redirect to login with `next`), and at least one of
/// `perms` (else the 403 page). The same check the API makes.
pub fn guard(caller: &Caller, req: &HttpRequest, perms: &[&str]) -> Result<(), PageError> {
    if caller.is_anonymous() {
        let next = req
            .uri()
            .path_and_query()
            .map_or("/admin", |p| p.as_str())
            .to_owned();
        return Err(PageError::Login { next });
    }
    caller.require_any(perms).map_err(PageError::App)
}

/// Bytes left as they are in a query value: RFC 3986 unreserved characters and `/`
/// (so `next=/admin/posts` stays readable).
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

pub(crate) fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}
