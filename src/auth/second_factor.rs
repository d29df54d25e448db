//! The second factor in the sign-in flows (SPEC §12): checking a code the way a password is
//! checked (throttled, SPEC H4), the sign-in that waits for its code, and the rule that
//! holders of `QUIRE_REQUIRE_2FA` roles enrol before anything else.
//!
//! A pending sign-in is a row (`two_factor_pending`) whose random secret only the browser's
//! cookie holds: the count of wrong codes lives on the server, so replaying an older cookie
//! does not reset it, and five wrong codes delete the row.

use actix_session::Session;
use chrono::TimeDelta;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{throttle, totp};
use crate::db::queries::{twofactor as q, users as user_q};
use crate::db::{now, DbConn};
use crate::error::AppError;
use crate::manage::twofactor::{use_factor, Presented};
use crate::state::{AppState, State};

/// Wrong codes that end a pending sign-in.
pub const MAX_WRONG_CODES: i64 = 5;
/// A pending sign-in not completed within this long has to start again.
const PENDING_FOR: TimeDelta = TimeDelta::minutes(10);

const PENDING_KEY: &str = "2fa_pending";
const MUST_ENROL_KEY: &str = "2fa_must_enrol";

/// What the cookie keeps of a pending sign-in.
#[derive(Debug, Serialize, Deserialize)]
struct PendingCookie {
    secret: String,
    next: String,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether the user has two-factor on.
pub async fn enrolled(state: &State, user_id: i64) -> Result<bool, AppError> {
    state.db.run(move |c| Ok(q::is_enrolled(c, user_id)?)).await
}

/// Whether any of `roles` is one `QUIRE_REQUIRE_2FA` names.
pub fn required_for(state: &AppState, roles: &[String]) -> bool {
    roles.iter().any(|r| state.config.require_2fa.contains(r))
}

/// The roles of `user_id`'s unexpired assignments (from the authorization cache).
pub fn roles_of(
    state: &AppState,
    conn: &mut DbConn,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    let snap = state.cache.snapshot(conn, Some(user_id), None)?;
    Ok(snap.user.map(|u| u.roles.clone()).unwrap_or_default())
}

/// The password grant for an account with two-factor, or one that must enrol first: SPEC
/// §12 refuses both with `invalid_grant`.
pub async fn check_password_grant(state: &State, user_id: i64) -> Result<(), AppError> {
    let st = state.clone();
    let (on, roles) = state
        .db
        .run(move |c| Ok((q::is_enrolled(c, user_id)?, roles_of(&st, c, user_id)?)))
        .await?;
    let refuse = |description: &str| AppError::OAuth {
        error: "invalid_grant",
        description: description.to_owned(),
    };
    if on {
        return Err(refuse(
            "this account has two-factor sign-in: the password grant cannot ask for a code; \
             use a personal access token or the authorization code flow",
        ));
    }
    if required_for(state, &roles) {
        return Err(refuse(
            "this account must enrol two-factor sign-in first (at /admin/account/2fa)",
        ));
    }
    Ok(())
}

/// Checks `code` (a TOTP code or a recovery code) of `user_id`, counted as a sign-in
/// attempt of `username` from `ip` before it is checked; a code is used at most once.
/// `Ok(false)`: wrong, replayed or used up (and counted as a failure).
pub async fn check_code(
    state: &State,
    user_id: i64,
    username: &str,
    code: &str,
    ip: Option<&str>,
) -> Result<bool, AppError> {
    let account = throttle::account_key(username);
    let address = throttle::address_key(ip);
    let (key, addr) = (account.clone(), address.clone());
    let (attempt, row) = throttle::admitted(|| {
        let (key, addr) = (key.clone(), addr.clone());
        state.db.run(move |c| {
            let Some(attempt) = throttle::reserve_login(c, &key, &addr, now())? else {
                return Ok(None);
            };
            Ok(Some((attempt, q::find_two_factor(c, user_id)?)))
        })
    })
    .await?;
    let presented = match (
        row.filter(|r| r.confirmed_at.is_some()),
        totp::recovery_hash(code),
    ) {
        (None, _) => Presented::Nothing,
        (Some(_), Some(hash)) => Presented::Recovery(hash),
        (Some(row), None) => {
            let secret = totp::open(state.two_factor_key(), user_id, &row.secret)?;
            let unix = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
            match totp::matching_step(&totp::totp(&secret, username)?, code, unix) {
                Some(step) => Presented::Step(step),
                None => Presented::Nothing,
            }
        }
    };
    state
        .db
        .run(move |c| {
            let ok = use_factor(c, user_id, &presented)?;
            if ok {
                throttle::login_succeeded(c, &account, &address)?;
            } else {
                throttle::login_failed(c, attempt)?;
            }
            Ok(ok)
        })
        .await
}

/// The password was right and the account has two-factor: the sign-in waits for a code.
pub async fn begin_pending(
    state: &State,
    session: &Session,
    user_id: i64,
    next: String,
) -> Result<(), AppError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let token_hash = hash(&secret);
    state
        .db
        .run(move |c| {
            q::delete_stale_pending(c, now() - PENDING_FOR)?;
            Ok(q::insert_pending(c, user_id, &token_hash, now())?)
        })
        .await?;
    session
        .insert(PENDING_KEY, PendingCookie { secret, next })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// How a code sent for a pending sign-in went.
pub enum CodeOutcome {
    /// Right: sign `user_id` in and go to `next`.
    SignedIn {
        user_id: i64,
        username: String,
        next: String,
    },
    /// Wrong: `left` more tries.
    Wrong { left: i64 },
    /// Wrong for the last time, or no (live) pending sign-in: start with the password.
    StartAgain,
}

/// Checks `code` for the browser's pending sign-in.
pub async fn complete_pending(
    state: &State,
    session: &Session,
    code: &str,
    ip: Option<&str>,
) -> Result<CodeOutcome, AppError> {
    let Some(cookie) = session.get::<PendingCookie>(PENDING_KEY).ok().flatten() else {
        return Ok(CodeOutcome::StartAgain);
    };
    let token_hash = hash(&cookie.secret);
    let found = state
        .db
        .run(move |c| {
            let Some(p) = q::find_pending(c, &token_hash)? else {
                return Ok(None);
            };
            Ok(user_q::find_user(c, p.user_id)?.map(|u| (p, u)))
        })
        .await?;
    let fresh = |p: &q::Pending| now() - p.created_at < PENDING_FOR;
    let Some((pending, user)) = found.filter(|(p, u)| fresh(p) && !u.disabled) else {
        session.remove(PENDING_KEY);
        return Ok(CodeOutcome::StartAgain);
    };
    let right = check_code(state, user.id, &user.username, code, ip).await?;
    let id = pending.id;
    if right {
        session.remove(PENDING_KEY);
        state.db.run(move |c| Ok(q::delete_pending(c, id)?)).await?;
        return Ok(CodeOutcome::SignedIn {
            user_id: user.id,
            username: user.username,
            next: cookie.next,
        });
    }
    let failures = state
        .db
        .run(move |c| {
            let failures = q::count_pending_failure(c, id)?;
            if failures >= MAX_WRONG_CODES {
                q::delete_pending(c, id)?;
            }
            Ok(failures)
        })
        .await?;
    if failures >= MAX_WRONG_CODES {
        session.remove(PENDING_KEY);
        return Ok(CodeOutcome::StartAgain);
    }
    Ok(CodeOutcome::Wrong {
        left: MAX_WRONG_CODES - failures,
    })
}

/// Whether this browser waits for a code.
pub fn has_pending(session: &Session) -> bool {
    matches!(session.get::<PendingCookie>(PENDING_KEY), Ok(Some(_)))
}

/// After a browser sign-in of `user_id`: when a role of theirs requires two-factor and they
/// have none, the session is confined to enrolment ([`must_enrol`]) and goes there.
pub async fn after_sign_in(
    state: &State,
    session: &Session,
    user_id: i64,
    next: String,
) -> Result<String, AppError> {
    if state.config.require_2fa.is_empty() {
        return Ok(next);
    }
    let st = state.clone();
    let (on, roles) = state
        .db
        .run(move |c| Ok((q::is_enrolled(c, user_id)?, roles_of(&st, c, user_id)?)))
        .await?;
    if on || !required_for(state, &roles) {
        return Ok(next);
    }
    session
        .insert(MUST_ENROL_KEY, true)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(ENROL_PAGE.to_owned())
}

/// Where enrolment happens.
pub const ENROL_PAGE: &str = "/admin/account/2fa";

/// Whether this browser session must enrol before using anything else. The flag is in the
/// private (encrypted, authenticated) cookie, written at sign-in with the session's
/// identity: no cookie of that session was ever issued without it.
pub fn must_enrol(session: &Session) -> bool {
    matches!(session.get::<bool>(MUST_ENROL_KEY), Ok(Some(true)))
}

/// Enrolment is done: the session is no longer confined.
pub fn enrolled_now(session: &Session) {
    session.remove(MUST_ENROL_KEY);
}

/// The paths a confined session may still use: enrolment, sign-out, the sign-in pages.
pub fn allowed_while_enrolling(path: &str) -> bool {
    path == ENROL_PAGE
        || path.starts_with("/admin/account/2fa/")
        || path == "/admin/logout"
        || path.starts_with("/admin/login")
}

/// SPEC §12: a session that must enrol cannot use the API (bearer tokens are not affected).
pub fn check_api_while_enrolling(req: &actix_web::HttpRequest) -> Result<(), AppError> {
    use actix_session::SessionExt;
    let path = req.path();
    let api = path == "/api" || path.starts_with("/api/");
    if api && must_enrol(&req.get_session()) {
        return Err(AppError::Forbidden {
            required: vec![],
            message: format!("enrol two-factor sign-in at {ENROL_PAGE} first"),
        });
    }
    Ok(())
}
