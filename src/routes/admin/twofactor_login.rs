//! `/admin/login/2fa` (SPEC §12): the second step of signing in with two-factor. The
//! password was right; the browser holds a pending sign-in until a code (or a recovery
//! code) completes it. Five wrong codes end it.

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{render, see_other, Layout, PageError};
use crate::auth::client_addr;
use crate::auth::principal::Caller;
use crate::auth::second_factor::{self, CodeOutcome};
use crate::auth::server_session::sign_in;
use crate::auth::session::{check_csrf, flash};
use crate::manage::Actor;
use crate::routes::sign_in::land;
use crate::state::State;

#[derive(Template)]
#[template(path = "admin/login_code.html")]
struct CodePage {
    layout: Layout,
    error: Option<String>,
}

#[get("/login/2fa")]
pub async fn code_form(caller: Caller, session: Session) -> Result<HttpResponse, PageError> {
    if !second_factor::has_pending(&session) {
        return Ok(see_other("/admin/login"));
    }
    render(&CodePage {
        layout: Layout::new("Two-factor sign-in", &caller, &session),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: Option<String>,
    code: Option<String>,
}

#[post("/login/2fa")]
pub async fn code(
    state: State,
    req: HttpRequest,
    caller: Caller,
    session: Session,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, form.csrf.as_deref())?;
    let ip = client_addr::of_request(&req, &state.config.trusted_proxies).map(|a| a.to_string());
    let code = form.code.as_deref().unwrap_or("");
    match second_factor::complete_pending(&state, &session, code, ip.as_deref()).await? {
        CodeOutcome::SignedIn {
            user_id,
            next,
            username,
        } => {
            let actor = Actor {
                id: Some(user_id),
                name: username.clone(),
                ip,
                principal: None,
            };
            sign_in(&state, &req, &session, user_id, actor).await?;
            let next = second_factor::after_sign_in(&state, &session, user_id, next).await?;
            flash(&session, "ok", format!("Signed in as {username}."));
            let to = land(&state, user_id, next).await?;
            Ok(see_other(&to))
        }
        CodeOutcome::Wrong { left } => {
            let mut resp = render(&CodePage {
                layout: Layout::new("Two-factor sign-in", &caller, &session),
                error: Some(format!("That code is not right. Tries left: {left}.")),
            })?;
            *resp.status_mut() = actix_web::http::StatusCode::UNAUTHORIZED;
            Ok(resp)
        }
        CodeOutcome::StartAgain => {
            flash(&session, "error", "Sign in again with your password.");
            Ok(see_other("/admin/login"))
        }
    }
}
