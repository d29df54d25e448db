//! `/admin/account/2fa` (SPEC §12): enrolling TOTP (QR code, otpauth URI, base32 secret),
//! confirming it with one code (then the recovery codes, shown once); making new recovery
//! codes and turning it off, each with a current code or a recovery code.

use actix_session::Session;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::signed_in;
use super::{render, see_other, Layout, PageError};
use crate::auth::cache::UserEntry;
use crate::auth::principal::Caller;
use crate::auth::second_factor::{self, ENROL_PAGE};
use crate::auth::session::{check_csrf, flash};
use crate::auth::totp::{self, Enrolment};
use crate::manage::twofactor::{
    confirm_enrolment, disable, replace_recovery_codes, start_enrolment, Confirmation,
};
use crate::state::State;

#[derive(Template)]
#[template(path = "admin/twofactor.html")]
struct TwoFactorPage {
    layout: Layout,
    /// `None` when two-factor is already on.
    enrolment: Option<Enrolment>,
}

#[derive(Template)]
#[template(path = "admin/twofactor_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    heading: &'static str,
    codes: Vec<String>,
}

/// The form of both buttons: the CSRF token and a code.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: Option<String>,
    code: Option<String>,
}

/// `GET /admin/account/2fa`: the enrolment (a secret is made on the first visit and kept
/// until confirmed, so reloading shows the same one), or the "turn off" form.
#[get("/account/2fa")]
pub async fn two_factor_page(
    state: State,
    caller: Caller,
    session: Session,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    let user_id = user.id;
    let sealed = totp::seal(state.two_factor_key(), user_id, &totp::new_secret())?;
    let pending = state
        .db
        .run(move |c| start_enrolment(c, user_id, &sealed))
        .await?;
    let enrolment = match pending {
        Some(row) => {
            let secret = totp::open(state.two_factor_key(), user_id, &row.secret)?;
            Some(totp::enrolment(&secret, &user.username)?)
        }
        None => None,
    };
    render(&TwoFactorPage {
        layout: Layout::new("Two-factor sign-in", &caller, &session),
        enrolment,
    })
}

/// `POST /admin/account/2fa/confirm`: one right code turns two-factor on; the other
/// sessions end and the ten recovery codes are shown, this once.
#[post("/account/2fa/confirm")]
pub async fn confirm_form(
    state: State,
    caller: Caller,
    session: Session,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    check_csrf(&session, form.csrf.as_deref())?;
    let user_id = user.id;
    let row = state
        .db
        .run(move |c| Ok(crate::db::queries::twofactor::find_two_factor(c, user_id)?))
        .await?
        .filter(|r| r.confirmed_at.is_none());
    let Some(row) = row else {
        return Ok(see_other(ENROL_PAGE));
    };
    let secret = totp::open(state.two_factor_key(), user_id, &row.secret)?;
    let unix = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    let code = form.code.as_deref().unwrap_or("");
    let Some(step) = totp::matching_step(&totp::totp(&secret, &user.username)?, code, unix) else {
        flash(
            &session,
            "error",
            "That code is not right; try the one the app shows now.",
        );
        return Ok(see_other(ENROL_PAGE));
    };
    let (codes, recovery_hashes) = totp::new_recovery_codes_with_hashes();
    let confirmation = Confirmation {
        step,
        recovery_hashes,
        keep_session: caller.session.map(|s| s.id),
    };
    let actor = caller.actor();
    state
        .db
        .run(move |c| confirm_enrolment(c, &actor, user.id, &user.username, &confirmation))
        .await?;
    second_factor::enrolled_now(&session);
    render(&RecoveryCodesPage {
        layout: Layout::new("Recovery codes", &caller, &session),
        heading: "Two-factor sign-in is on",
        codes,
    })
}

/// `POST /admin/account/2fa/disable`: needs a current code or a recovery code (checked and
/// throttled as at sign-in). Refused while a role of the user requires two-factor.
#[post("/account/2fa/disable")]
pub async fn disable_form(
    state: State,
    caller: Caller,
    session: Session,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    check_csrf(&session, form.csrf.as_deref())?;
    if second_factor::required_for(&state, &user.roles) {
        flash(
            &session,
            "error",
            "A role of yours requires two-factor sign-in; it stays on.",
        );
        return Ok(see_other(ENROL_PAGE));
    }
    if !code_accepted(&state, &caller, &user, &form).await? {
        flash(
            &session,
            "error",
            "That code is not right (or was already used).",
        );
        return Ok(see_other(ENROL_PAGE));
    }
    let actor = caller.actor();
    state
        .db
        .run(move |c| disable(c, &actor, user.id, &user.username))
        .await?;
    flash(&session, "ok", "Two-factor sign-in is off.");
    Ok(see_other("/admin/account"))
}

/// `POST /admin/account/2fa/recovery-codes`: with a current code or a recovery code
/// (checked and throttled as at sign-in), ten new recovery codes replace the old ones and
/// are shown, this once.
#[post("/account/2fa/recovery-codes")]
pub async fn recovery_codes_form(
    state: State,
    caller: Caller,
    session: Session,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    check_csrf(&session, form.csrf.as_deref())?;
    if !code_accepted(&state, &caller, &user, &form).await? {
        flash(
            &session,
            "error",
            "That code is not right (or was already used); the recovery codes are unchanged.",
        );
        return Ok(see_other(ENROL_PAGE));
    }
    let (codes, hashes) = totp::new_recovery_codes_with_hashes();
    let actor = caller.actor();
    state
        .db
        .run(move |c| replace_recovery_codes(c, &actor, user.id, &user.username, &hashes))
        .await?;
    render(&RecoveryCodesPage {
        layout: Layout::new("Recovery codes", &caller, &session),
        heading: "New recovery codes",
        codes,
    })
}

/// `POST /admin/users/{id}/2fa/reset`: the page version of `DELETE /api/users/{id}/2fa`.
#[post("/users/{id}/2fa/reset")]
pub async fn reset_form(
    state: State,
    caller: Caller,
    req: actix_web::HttpRequest,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<super::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, form.csrf.as_deref())?;
    super::guard(&caller, &req, &["users:manage"])?;
    let (id, actor) = (id.into_inner(), caller.actor());
    let result = state
        .db
        .run(move |conn| {
            let user = crate::db::queries::users::find_user(conn, id)?
                .ok_or(crate::error::AppError::NotFound)?;
            crate::manage::twofactor::reset(conn, &actor, user.id, &user.username)
        })
        .await;
    let ok = "Two-factor sign-in reset; the user's sessions ended.".to_owned();
    match result {
        Err(crate::error::AppError::NotFound) => {
            flash(
                &session,
                "error",
                "That user has no two-factor sign-in to reset.",
            );
        }
        other => {
            super::roles::flash_outcome(&session, other, ok)?;
        }
    }
    Ok(see_other(&format!("/admin/users/{id}")))
}

/// The form's code (an app code or a recovery code), checked and throttled as at sign-in.
async fn code_accepted(
    state: &State,
    caller: &Caller,
    user: &UserEntry,
    form: &CodeForm,
) -> Result<bool, PageError> {
    let ip = caller.ip.map(|a| a.to_string());
    let code = form.code.as_deref().unwrap_or("");
    Ok(second_factor::check_code(state, user.id, &user.username, code, ip.as_deref()).await?)
}
