//! `/admin/account`: the caller's own browser sessions (SPEC H7), each of which can be
//! signed out, "sign out everywhere else", and a password change. Any signed-in user may
//! open it; it only ever shows and ends the caller's own sessions.

use actix_session::Session;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::account_apps::AppLine;
use super::account_tokens::TokenLine;
use super::roles::flash_outcome;
use super::{render, see_other, signed_in, CsrfForm, Layout, PageError};
use crate::auth::password;
use crate::auth::principal::Caller;
use crate::auth::server_session::expiry_at;
use crate::auth::session::{check_csrf, flash};
use crate::db::queries::{codes as code_q, pats as pat_q, sessions as session_q};
use crate::error::AppError;
use crate::manage::sessions::{revoke_other_sessions, revoke_session};
use crate::manage::users::{update_account, AccountChanges};
use crate::routes::api::users::check_current_password;
use crate::routes::api::views::display_time;
use crate::state::State;

const PAGE: &str = "/admin/account";

pub struct SessionLine {
    pub id: i64,
    pub browser: String,
    pub address: String,
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountPage {
    layout: Layout,
    username: String,
    sessions: Vec<SessionLine>,
    others: usize,
    /// Personal access tokens, and the permissions a new one may carry.
    tokens: Vec<TokenLine>,
    grantable: Vec<String>,
    /// Apps approved through the authorization code flow.
    apps: Vec<AppLine>,
}

#[get("/account")]
pub async fn account_page(
    state: State,
    caller: Caller,
    session: Session,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    let user_id = user.id;
    let expiry = expiry_at(crate::db::now());
    let (rows, pats, apps) = state
        .db
        .run(move |conn| {
            let rows = session_q::list_user_sessions(
                conn,
                user_id,
                expiry.idle_since,
                expiry.started_since,
            )?;
            let pats = pat_q::list_live_pats(conn, user_id, crate::db::now())?;
            let apps = code_q::list_user_grants(conn, user_id)?;
            Ok((rows, pats, apps))
        })
        .await?;
    let current = caller.session.map(|s| s.id);
    let mut sessions: Vec<SessionLine> = rows
        .into_iter()
        .map(|s| SessionLine {
            id: s.id,
            browser: describe_browser(&s.user_agent),
            address: s.ip.unwrap_or_else(|| "unknown".into()),
            started: display_time(s.created_at),
            last_seen: display_time(s.last_seen_at),
            current: Some(s.id) == current,
        })
        .collect();
    // This browser first, then the others by when they were last used.
    sessions.sort_by_key(|s| !s.current);
    render(&AccountPage {
        layout: Layout::new("Your account", &caller, &session),
        username: user.username.clone(),
        others: sessions.iter().filter(|s| !s.current).count(),
        sessions,
        tokens: pats.iter().map(TokenLine::from).collect(),
        grantable: caller.effective(),
        apps: apps.iter().map(AppLine::from).collect(),
    })
}

/// `POST /admin/account/sessions/{id}/revoke`: signs one of the caller's sessions out.
#[post("/account/sessions/{id}/revoke")]
pub async fn revoke_session_form(
    state: State,
    caller: Caller,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    check_csrf(&session, form.csrf.as_deref())?;
    let (actor, session_id) = (caller.actor(), id.into_inner());
    let result = state
        .db
        .run(move |conn| revoke_session(conn, &actor, user.id, &user.username, session_id))
        .await;
    match result {
        Err(AppError::NotFound) => flash(&session, "error", "That session had already ended."),
        other => {
            flash_outcome(&session, other, "The session was signed out.".into())?;
        }
    }
    Ok(see_other(PAGE))
}

/// `POST /admin/account/sessions/revoke-others`: "sign out everywhere else".
#[post("/account/sessions/revoke-others")]
pub async fn revoke_other_sessions_form(
    state: State,
    caller: Caller,
    session: Session,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    check_csrf(&session, form.csrf.as_deref())?;
    let current = caller.session.ok_or(AppError::Unauthenticated)?;
    let actor = caller.actor();
    let ended = state
        .db
        .run(move |conn| revoke_other_sessions(conn, &actor, user.id, &user.username, current.id))
        .await?;
    let text = match ended {
        0 => "There were no other sessions.".to_owned(),
        1 => "Signed out 1 other session.".to_owned(),
        n => format!("Signed out {n} other sessions."),
    };
    flash(&session, "ok", text);
    Ok(see_other(PAGE))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    current_password: Option<String>,
    password: Option<String>,
    password_confirm: Option<String>,
}

/// `POST /admin/account/password`: the page version of a self-service password change
/// (`PATCH /api/users/{id}` with `current_password`): the same checks and throttle, and
/// every other session of the account ends; this one stays signed in.
#[post("/account/password")]
pub async fn change_password_form(
    state: State,
    caller: Caller,
    session: Session,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    let form = form.into_inner();
    check_csrf(&session, form.csrf.as_deref())?;
    let new = form.password.unwrap_or_default();
    if Some(&new) != form.password_confirm.as_ref() {
        flash(&session, "error", "The two new passwords differ.");
        return Ok(see_other(PAGE));
    }
    if let Err(m) = password::check_length(&new) {
        flash(&session, "error", format!("New password: {m}"));
        return Ok(see_other(PAGE));
    }
    let result = match check_current_password(&state, &caller, form.current_password).await {
        Ok(()) => {
            let changes = AccountChanges {
                password_hash: Some(state.verifier.hash(new).await?),
                keep_session: caller.session.map(|s| s.id),
                ..Default::default()
            };
            let actor = caller.actor();
            state
                .db
                .run(move |conn| update_account(conn, &actor, user.id, changes))
                .await
        }
        Err(e) => Err(e),
    };
    let ok = "Password changed. Your other sessions were signed out.".to_owned();
    match result {
        Err(e @ AppError::RateLimited { .. }) => flash(&session, "error", e.message()),
        other => {
            flash_outcome(&session, other, ok)?;
        }
    }
    Ok(see_other(PAGE))
}

/// A short name for a `User-Agent`, such as "Firefox on Linux". Order matters: Edge and
/// Opera also say Chrome, and Chrome also says Safari.
pub fn describe_browser(user_agent: &str) -> String {
    const BROWSERS: [(&str, &str); 10] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("python-requests/", "Python requests"),
        ("reqwest", "reqwest"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| user_agent.contains(needle))
            .map(|(_, name)| *name)
    };
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) if user_agent.is_empty() => "Unknown browser".to_owned(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_browser;

    #[test]
    fn user_agents_are_named_by_browser_and_system() {
        let rows = [
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1", "Chrome on iOS"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("curl/8.5.0", "curl"),
            ("", "Unknown browser"),
            ("SomeBot", "SomeBot"),
        ];
        for (ua, expected) in rows {
            assert_eq!(describe_browser(ua), expected, "{ua}");
        }
    }
}
