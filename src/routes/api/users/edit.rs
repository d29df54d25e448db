//! Editing an account (`PATCH /users/{id}`): the profile, the password (one's own needs
//! the current one) and the account state.

use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;

use crate::audit::{record, Outcome};
use crate::auth::password;
use crate::auth::principal::Caller;
use crate::auth::throttle;
use crate::authz::{check_user, UserAction};
use crate::db::queries::{twofactor as twofactor_q, users as user_q};
use crate::domain::{DisplayName, Email};
use crate::error::{AppError, FieldErrors};
use crate::manage::users::AccountChanges;
use crate::manage::{self, Actor};
use crate::routes::api::views::UserView;
use crate::routes::extractors::JsonBody;
use crate::state::State;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = UserPatchBody)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    #[schema(inline)]
    display_name: Option<DisplayName>,
    #[schema(inline)]
    email: Option<Email>,
    disabled: Option<bool>,
    /// 8 to 72 bytes; a change of one's own needs `current_password`.
    #[schema(min_length = 8, max_length = 72)]
    password: Option<String>,
    current_password: Option<String>,
}

/// Edits an account: users:manage, or the user themself for display name, email and
/// password (a password change of one's own needs the current password). `disabled`
/// always takes users:manage.
#[utoipa::path(
    tag = "users",
    request_body = PatchBody,
    params(("id" = i64, Path, description = "User id")),
    security(("oauth2" = ["users:manage"]), ("oauth2" = [])),
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 403, description = "Not allowed", body = crate::error::ErrorBody),
        (status = 404, description = "No such user", body = crate::error::ErrorBody),
        (status = 409, description = "Taken, or the last active holder of *", body = crate::error::ErrorBody),
        (status = 422, description = "Invalid fields or wrong current_password", body = crate::error::ErrorBody),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
    body: JsonBody<PatchBody>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let own = caller.principal.user_id == Some(id);
    check_user(&caller.principal, UserAction::EditProfile, id).map_err(|d| caller.deny(d))?;
    if body.disabled.is_some() {
        check_user(&caller.principal, UserAction::SetDisabled, id).map_err(|d| caller.deny(d))?;
    }
    let mut changes = parse_changes(&body)?;
    if let Some(new_password) = body.password {
        if own {
            check_current_password(&state, &caller, body.current_password).await?;
        }
        let hash = state.verifier.hash(new_password).await?;
        changes.password_hash = Some(hash);
    }
    changes.keep_session = caller.session.map(|s| s.id);
    let actor = caller.actor();
    let view = state
        .db
        .run(move |conn| {
            let user = manage::users::update_account(conn, &actor, id, changes)?;
            UserView::load(conn, user)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

fn parse_changes(body: &PatchBody) -> Result<AccountChanges, AppError> {
    let mut errors = FieldErrors::new();
    let display_name = body.display_name.clone().map(DisplayName::into_inner);
    let email = body.email.clone();
    match &body.password {
        Some(p) => {
            if let Err(m) = password::check_length(p) {
                errors.insert("password".into(), vec![m]);
            }
        }
        None if body.current_password.is_some() => {
            errors.insert(
                "current_password".into(),
                vec!["is only used together with password".into()],
            );
        }
        None => {}
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(AccountChanges {
        display_name,
        email,
        password_hash: None,
        disabled: body.disabled,
        keep_session: None,
    })
}

/// A stolen token alone must not be enough to take the account over: changing one's own
/// password needs the current one, guessed no faster than at the login (same throttle).
pub(crate) async fn check_current_password(
    state: &State,
    caller: &Caller,
    given: Option<String>,
) -> Result<(), AppError> {
    let user = caller.user()?.clone();
    let Some(given) = given else {
        return Err(AppError::field(
            "current_password",
            "is required to change your own password",
        ));
    };
    // Counted like a sign-in attempt of this account from the caller's address (SPEC H4).
    let account = throttle::account_key(&user.username);
    let address = throttle::address_key(caller.ip.map(|ip| ip.to_string()).as_deref());
    let id = user.id;
    let (attempt, stored) = throttle::admitted(|| {
        let (key, addr) = (account.clone(), address.clone());
        state.db.run(move |c| {
            let Some(attempt) = throttle::reserve_login(c, &key, &addr, crate::db::now())? else {
                return Ok(None);
            };
            Ok(Some((
                attempt,
                user_q::find_user(c, id)?.map(|u| u.password_hash),
            )))
        })
    })
    .await?;
    let checked = state.verifier.verify(given, stored).await;
    let settle = match checked {
        Ok(true) => {
            // As at sign-in: with two-factor, only a right code forgives the pair.
            return state
                .db
                .run(move |c| {
                    let code_follows = twofactor_q::is_enrolled(c, id)?;
                    throttle::password_right(c, attempt, &account, &address, code_follows)
                })
                .await;
        }
        Ok(false) => throttle::login_failed,
        Err(_) => throttle::login_unchecked,
    };
    state.db.run(move |c| settle(c, attempt)).await?;
    checked?;
    let actor: Actor = caller.actor();
    state
        .db
        .run(move |c| {
            let detail = "wrong current password";
            Ok(record(
                c,
                &actor,
                "user.update",
                &user.username,
                Outcome::Failure,
                detail,
            )?)
        })
        .await?;
    Err(AppError::field(
        "current_password",
        "does not match your current password",
    ))
}
