//! The sign-in steps shared by `/login` and `/admin/login` (SPEC §10, §12): the form, the
//! throttled password check, the two-factor hand-off, and where a sign-in lands. Below both
//! sets of pages: it imports neither.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use serde::Deserialize;

use crate::auth::server_session::sign_in;
use crate::auth::session::{check_csrf, flash, safe_next};
use crate::auth::{client_addr, second_factor, tokens::authenticate};
use crate::error::AppError;
use crate::manage::Actor;
use crate::state::State;

/// Where the two-factor code is asked for.
pub const CODE_PAGE: &str = "/admin/login/2fa";

/// `next` when it is a local path, else empty (the landing then depends on the account).
pub fn local_next(next: Option<&str>) -> String {
    next.filter(|n| safe_next(Some(n)) == *n)
        .unwrap_or_default()
        .to_owned()
}

/// The sign-in form of `/login` and `/admin/login`.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    next: Option<String>,
}

/// What the password step of a sign-in form came to.
pub enum PasswordStep {
    /// Go here now: `next`, the landing page, or the two-factor code page.
    Go(String),
    /// Refused: the form again, with the name typed, `next`, why, and the status.
    Refused {
        username: String,
        next: String,
        message: String,
        status: StatusCode,
    },
}

/// The password step of both sign-in forms (CSRF, the throttled check, then
/// [`after_password`]).
pub async fn password_step(
    state: &State,
    req: &HttpRequest,
    session: &Session,
    form: LoginForm,
) -> Result<PasswordStep, AppError> {
    check_csrf(session, form.csrf.as_deref())?;
    let username = form.username.unwrap_or_default();
    let next = local_next(form.next.as_deref());
    let ip = client_addr::of_request(req, &state.config.trusted_proxies).map(|a| a.to_string());
    match authenticate(state, &username, form.password.unwrap_or_default(), ip).await {
        Ok((user, actor)) => Ok(PasswordStep::Go(
            after_password(state, req, session, &user, actor, next).await?,
        )),
        Err(e @ (AppError::OAuth { .. } | AppError::RateLimited { .. })) => {
            let (message, status) = match &e {
                AppError::RateLimited { .. } => (e.message(), StatusCode::TOO_MANY_REQUESTS),
                _ => (
                    "Invalid username or password, or the account is disabled.".into(),
                    StatusCode::UNAUTHORIZED,
                ),
            };
            Ok(PasswordStep::Refused {
                username,
                next,
                message,
                status,
            })
        }
        Err(other) => Err(other),
    }
}

/// After the right password, for `/login` and `/admin/login` alike: with two-factor on,
/// the pending sign-in and its code page (SPEC §12: not signed in yet); else the session,
/// the enrolment requirement, and where to land (`next`, or by role).
pub async fn after_password(
    state: &State,
    req: &HttpRequest,
    session: &Session,
    user: &crate::db::models::User,
    actor: Actor,
    next: String,
) -> Result<String, AppError> {
    if second_factor::enrolled(state, user.id).await? {
        second_factor::begin_pending(state, session, user.id, next).await?;
        return Ok(CODE_PAGE.to_owned());
    }
    sign_in(state, req, session, user.id, actor).await?;
    flash(session, "ok", format!("Signed in as {}.", user.username));
    let next = second_factor::after_sign_in(state, session, user.id, next).await?;
    land(state, user.id, next).await
}

/// `next` when there is one, else the landing page of the user's roles.
pub async fn land(state: &State, user_id: i64, next: String) -> Result<String, AppError> {
    match next.is_empty() {
        true => landing(state, user_id).await,
        false => Ok(next),
    }
}

/// Where a sign-in without `next` lands: staff (anyone holding a permission only the admin
/// pages use) on `/admin`, contributors and authors on their own posts, readers on `/`.
pub async fn landing(state: &State, user_id: i64) -> Result<String, AppError> {
    let st = state.clone();
    let entry = state
        .db
        .run(move |c| Ok(st.cache.snapshot(c, Some(user_id), None)?.user))
        .await?;
    let Some(entry) = entry else {
        return Ok("/".into());
    };
    const STAFF: [&str; 6] = [
        "posts:update",
        "posts:publish",
        "comments:delete",
        "users:read",
        "roles:read",
        "audit:read",
    ];
    let staff = STAFF.iter().any(|p| entry.permissions.allows(p));
    let writer = entry
        .roles
        .iter()
        .any(|r| r == "contributor" || r == "author");
    Ok(if staff {
        "/admin".into()
    } else if writer {
        format!("/admin/posts?author={}", entry.username)
    } else {
        "/".into()
    })
}
