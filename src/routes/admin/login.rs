//! `/admin/login` and `POST /admin/logout` (the same session as `/login`, see
//! `routes::public::account`).

use actix_identity::Identity;
use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{render, see_other, CsrfForm, Layout, PageError};
use crate::auth::client_addr;
use crate::auth::principal::Caller;
use crate::auth::server_session::sign_out;
use crate::auth::session::check_csrf;
use crate::auth::tokens::authenticate;
use crate::error::AppError;
use crate::routes::public::account::{after_password, local_next};
use crate::startup::State;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[get("/login")]
pub async fn login_form(
    caller: Caller,
    session: Session,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = local_next(q.next.as_deref());
    if !caller.is_anonymous() {
        return Ok(see_other(if next.is_empty() { "/admin" } else { &next }));
    }
    render(&LoginPage {
        layout: Layout::new("Sign in", &caller, &session),
        next,
        username: String::new(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    next: Option<String>,
}

#[post("/login")]
pub async fn login(
    state: State,
    req: HttpRequest,
    caller: Caller,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    check_csrf(&session, form.csrf.as_deref())?;
    let username = form.username.unwrap_or_default();
    let next = local_next(form.next.as_deref());
    let ip = client_addr::of_request(&req, &state.config.trusted_proxies).map(|a| a.to_string());
    match authenticate(&state, &username, form.password.unwrap_or_default(), ip).await {
        Ok((user, actor)) => {
            // SPEC §12: with two-factor on, the password only starts the sign-in.
            let to = after_password(&state, &req, &session, &user, actor, next).await?;
            Ok(see_other(&to))
        }
        Err(e @ (AppError::OAuth { .. } | AppError::RateLimited { .. })) => {
            let status = e.status_code_for_page();
            let mut resp = render(&LoginPage {
                layout: Layout::new("Sign in", &caller, &session),
                next,
                username,
                error: Some(match &e {
                    AppError::RateLimited { .. } => e.message(),
                    _ => "Invalid username or password, or the account is disabled.".into(),
                }),
            })?;
            *resp.status_mut() = status;
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}

#[post("/logout")]
pub async fn logout(
    state: State,
    caller: Caller,
    identity: Option<Identity>,
    session: Session,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, form.csrf.as_deref())?;
    sign_out(&state, &caller, identity).await?;
    // Staff and readers alike land on the blog (SPEC §10).
    Ok(see_other("/"))
}

impl AppError {
    /// The status a re-rendered login page answers with.
    fn status_code_for_page(&self) -> actix_web::http::StatusCode {
        match self {
            AppError::RateLimited { .. } => actix_web::http::StatusCode::TOO_MANY_REQUESTS,
            _ => actix_web::http::StatusCode::UNAUTHORIZED,
        }
    }
}
