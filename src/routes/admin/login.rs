//! `/admin/login` and `POST /admin/logout` (the same session as `/login`, see
//! `routes::public::account`).

use actix_identity::Identity;
use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{render, see_other, CsrfForm, Layout, PageError};
use crate::auth::principal::Caller;
use crate::auth::server_session::sign_out;
use crate::auth::session::check_csrf;
use crate::routes::sign_in::{local_next, password_step, LoginForm, PasswordStep};
use crate::state::State;

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

#[post("/login")]
pub async fn login(
    state: State,
    req: HttpRequest,
    caller: Caller,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    // SPEC §12: with two-factor on, the password only starts the sign-in.
    match password_step(&state, &req, &session, form.into_inner()).await? {
        PasswordStep::Go(to) => Ok(see_other(&to)),
        PasswordStep::Refused {
            username,
            next,
            message,
            status,
        } => {
            let mut resp = render(&LoginPage {
                layout: Layout::new("Sign in", &caller, &session),
                next,
                username,
                error: Some(message),
            })?;
            *resp.status_mut() = status;
            Ok(resp)
        }
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
    sign_out(&state, caller.signed_in_session(), identity).await?;
    // Staff and readers alike land on the blog (SPEC §10).
    Ok(see_other("/"))
}
