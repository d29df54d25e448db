//! `/oauth/authorize` (SPEC §11, RFC 6749 §4.1, RFC 7636, RFC 9207): the authorization
//! code flow's browser side. A request naming an unknown client or an unregistered
//! redirect URI is a 400 page, never a redirect (the URI cannot be trusted); a bad
//! `response_type` or PKCE challenge is sent back to the app as an error. Otherwise the
//! user signs in (and comes back), sees the consent page, and approves or denies with a
//! CSRF-protected form. The form carries the request itself, and the POST checks all of
//! it again: nothing the page showed is trusted.

use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::principal::{Caller, CallerKind};
use crate::auth::session::{check_csrf, csrf_token};
use crate::authz::PermissionSet;
use crate::db::queries::{clients as client_q, roles as role_q};
use crate::error::AppError;
use crate::manage::clients::{approve, Approval};
use crate::oauth::client::{consent, Consent};
use crate::oauth::redirect_uri::{self, Outcome};
use crate::oauth::{codes, pkce};
use crate::routes::admin::PageError;
use crate::state::State;

/// The authorization request (query on GET, form on POST with `csrf` and `decision`).
#[derive(Debug, Default, Deserialize)]
pub struct AuthorizeRequest {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    csrf: Option<String>,
    decision: Option<String>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

#[derive(Template)]
#[template(path = "oauth/error.html")]
struct ErrorPage<'a> {
    message: &'a str,
}

pub struct ScopeLine {
    pub name: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "oauth/consent.html")]
struct ConsentPage<'a> {
    client_name: &'a str,
    username: &'a str,
    granted: Vec<ScopeLine>,
    unavailable: Vec<ScopeLine>,
    req: &'a AuthorizeRequest,
    scope: String,
    csrf: String,
}

/// A request whose client and redirect URI are known good.
struct Checked {
    client: client_q::Client,
    redirect_uri: String,
    challenge: String,
}

/// Where the request stands: a 400 page, an error to send back to the app, or good.
enum Step {
    Page(HttpResponse),
    Redirect(HttpResponse),
    Ok(Checked),
}

/// Every HTML answer here: the security headers, no caching, and `form-action` widened
/// to `extra_origin` (the consent form ends in a redirect to the app).
fn html(status: StatusCode, body: String, extra_origin: Option<&str>) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    resp.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"));
    for (name, value) in crate::routes::SECURITY_HEADERS {
        match (name, extra_origin) {
            ("Content-Security-Policy", Some(origin)) => {
                let widened = format!("form-action 'self' {origin}");
                resp.insert_header((name, value.replace("form-action 'self'", &widened)))
            }
            _ => resp.insert_header((name, value)),
        };
    }
    resp.body(body)
}

fn error_page(message: &str) -> HttpResponse {
    let body = ErrorPage { message }
        .render()
        .unwrap_or_else(|_| message.to_owned());
    html(StatusCode::BAD_REQUEST, body, None)
}

/// 303 to the app with this outcome, `state` and `iss`.
fn back_to_app(
    state: &State,
    to: &str,
    outcome: &Outcome<'_>,
    req: &AuthorizeRequest,
) -> Result<HttpResponse, AppError> {
    let url = redirect_uri::build(to, outcome, present(&req.state), &state.config.public_url)
        .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

fn error_back(
    state: &State,
    to: &str,
    error: &str,
    why: Option<&str>,
    req: &AuthorizeRequest,
) -> Result<Step, AppError> {
    let outcome = Outcome::Error {
        error,
        description: why,
    };
    Ok(Step::Redirect(back_to_app(state, to, &outcome, req)?))
}

/// The checks of SPEC §11 in order: client, redirect URI (both a page), then
/// `response_type` and PKCE (both sent back to the app).
async fn check(state: &State, req: &AuthorizeRequest) -> Result<Step, AppError> {
    let Some(client_id) = present(&req.client_id).map(str::to_owned) else {
        return Ok(Step::Page(error_page(
            "The request names no client (client_id is missing).",
        )));
    };
    let Some(client) = state
        .db
        .run(move |c| Ok(client_q::find_client(c, &client_id)?))
        .await?
    else {
        return Ok(Step::Page(error_page(
            "The request names an unknown client.",
        )));
    };
    let registered = client.redirect_uri_list();
    let Some(to) =
        redirect_uri::resolve(present(&req.redirect_uri), &registered).map(str::to_owned)
    else {
        return Ok(Step::Page(error_page(
            "The redirect URI is not registered for this client.",
        )));
    };
    match present(&req.response_type) {
        Some("code") => {}
        None => {
            return error_back(
                state,
                &to,
                "invalid_request",
                Some("response_type is required"),
                req,
            )
        }
        Some(_) => {
            return error_back(
                state,
                &to,
                "unsupported_response_type",
                Some("only response_type=code is supported"),
                req,
            )
        }
    }
    let challenge = match pkce::check_challenge(
        present(&req.code_challenge),
        present(&req.code_challenge_method),
    ) {
        Ok(c) => c,
        Err(e) => return error_back(state, &to, "invalid_request", Some(&e.description()), req),
    };
    Ok(Step::Ok(Checked {
        client,
        redirect_uri: to,
        challenge,
    }))
}

/// The signed-in browser user, or the login page coming back to this very request.
fn signed_in(caller: &Caller, http: &HttpRequest) -> Result<(), PageError> {
    if caller.kind == CallerKind::Session && caller.user.is_some() {
        return Ok(());
    }
    let next = http
        .uri()
        .path_and_query()
        .map_or("/oauth/authorize", |p| p.as_str());
    Err(PageError::Login {
        next: next.to_owned(),
    })
}

fn decide(caller: &Caller, checked: &Checked, scope: Option<&str>) -> Consent {
    let catalog: Vec<&str> = caller.snapshot.catalog.iter().map(String::as_str).collect();
    let user = PermissionSet::from_grants(caller.effective());
    consent(scope, &checked.client.scope_list(), &user, &catalog)
}

fn origin_of(uri: &str) -> Option<String> {
    url::Url::parse(uri)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

/// `GET /oauth/authorize`: checks the request, signs in if needed, shows the consent page.
#[get("/oauth/authorize")]
pub async fn authorize_form(
    state: State,
    caller: Caller,
    session: Session,
    http: HttpRequest,
    query: web::Query<AuthorizeRequest>,
) -> Result<HttpResponse, PageError> {
    let req = query.into_inner();
    let checked = match check(&state, &req).await? {
        Step::Page(resp) | Step::Redirect(resp) => return Ok(resp),
        Step::Ok(c) => c,
    };
    signed_in(&caller, &http)?;
    let Consent {
        granted,
        unavailable,
    } = decide(&caller, &checked, present(&req.scope));
    let catalog = state.db.run(|c| Ok(role_q::list_permissions(c)?)).await?;
    let line = |name: &String| ScopeLine {
        description: catalog
            .iter()
            .find(|p| &p.name == name)
            .map_or_else(String::new, |p| p.description.clone()),
        name: name.clone(),
    };
    let username = caller
        .user
        .as_ref()
        .map(|u| u.username.clone())
        .unwrap_or_default();
    let page = ConsentPage {
        client_name: &checked.client.name,
        username: &username,
        scope: granted.join(" "),
        granted: granted.iter().map(line).collect(),
        unavailable: unavailable.iter().map(line).collect(),
        req: &req,
        csrf: csrf_token(&session),
    };
    let body = page.render().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(html(
        StatusCode::OK,
        body,
        origin_of(&checked.redirect_uri).as_deref(),
    ))
}

/// `POST /oauth/authorize`: the consent form. Approve → a code, deny → `access_denied`;
/// both go back to the app with `state` and `iss`.
#[post("/oauth/authorize")]
pub async fn authorize(
    state: State,
    caller: Caller,
    session: Session,
    http: HttpRequest,
    form: web::Form<AuthorizeRequest>,
) -> Result<HttpResponse, PageError> {
    let req = form.into_inner();
    signed_in(&caller, &http).map_err(|_| PageError::Login {
        next: "/admin".into(),
    })?;
    check_csrf(&session, req.csrf.as_deref())?;
    let checked = match check(&state, &req).await? {
        Step::Page(resp) | Step::Redirect(resp) => return Ok(resp),
        Step::Ok(c) => c,
    };
    let to = checked.redirect_uri.clone();
    if present(&req.decision) != Some("approve") {
        let outcome = Outcome::Error {
            error: "access_denied",
            description: None,
        };
        return Ok(back_to_app(&state, &to, &outcome, &req)?);
    }
    // The scopes the page offered, checked again against the client and the user now.
    let granted = decide(&caller, &checked, present(&req.scope)).granted;
    if granted.is_empty() {
        let outcome = Outcome::Error {
            error: "invalid_scope",
            description: Some("none of the requested scopes can be granted"),
        };
        return Ok(back_to_app(&state, &to, &outcome, &req)?);
    }
    let code = codes::generate(crate::db::now());
    let (actor, user_id) = (caller.actor(), caller.user()?.id);
    let sent_uri = present(&req.redirect_uri).map(str::to_owned);
    let client_id = checked.client.client_id.clone();
    let (hash, expires_at) = (code.hash.clone(), code.expires_at);
    state
        .db
        .run(move |conn| {
            let approval = Approval {
                user_id,
                client_id: &client_id,
                redirect_uri: sent_uri.as_deref(),
                scopes: &granted,
                challenge: &checked.challenge,
            };
            approve(conn, &actor, &approval, &hash, expires_at)
        })
        .await?;
    Ok(back_to_app(&state, &to, &Outcome::Code(&code.code), &req)?)
}
