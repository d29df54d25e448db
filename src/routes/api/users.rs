//! `/api/users` (SPEC §6): accounts and their role assignments. The guard rails live in
//! `manage::users`; these handlers check the route requirement, parse, and respond.

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use serde::Deserialize;

use crate::audit::{record, Outcome};
use crate::auth::password;
use crate::auth::principal::Caller;
use crate::auth::throttle;
use crate::authz::{check_user, UserAction};
use crate::db::queries::users::{self as user_q, UserFilter};
use crate::domain::{Capped, DisplayName, Email, Username};
use crate::error::{AppError, FieldErrors};
use crate::manage::users::{AccountChanges, NewAccount};
use crate::manage::{self, Actor};
use crate::routes::api::cursor;
use crate::routes::api::views::{UserPage, UserView};
use crate::routes::extractors::{JsonBody, JsonOrEmpty};
use crate::startup::State;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Case-insensitive part of a username or email.
    #[param(max_length = 200)]
    q: Option<String>,
    /// 1–100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    cursor: Option<String>,
}

/// Users by id (oldest first); `q` is a case-insensitive substring of username or email.
#[utoipa::path(
    tag = "users",
    params(ListQuery),
    security(("oauth2" = ["users:read"])),
    responses(
        (status = 200, description = "Users, oldest first", body = UserPage),
        (status = 403, description = "Missing users:read", body = crate::error::ErrorBody),
        (status = 422, description = "Bad limit", body = crate::error::ErrorBody),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: State,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["users:read"])?;
    let limit = cursor::limit(query.limit.as_deref())?;
    let after_id = query
        .cursor
        .as_deref()
        .map(|c| cursor::decode('u', c))
        .transpose()?;
    let q = query.q.clone().filter(|q| !q.is_empty());
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(AppError::field("q", "must be at most 200 characters"));
    }
    let filter = UserFilter { q, after_id };
    let (items, more) = state
        .db
        .run(move |conn| {
            // One row more than asked tells whether another page exists.
            let mut users = user_q::list_users(conn, &filter, limit + 1)?;
            let more = users.len() as i64 > limit;
            users.truncate(limit as usize);
            Ok((UserView::load_many(conn, users)?, more))
        })
        .await?;
    let next_cursor = more
        .then(|| items.last().map(|u| cursor::encode('u', u.id)))
        .flatten();
    Ok(HttpResponse::Ok().json(UserPage { items, next_cursor }))
}

/// One user: users:read, or the user themself.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    security(("oauth2" = ["users:read"]), ("oauth2" = [])),
    responses(
        (status = 200, description = "The user (users:read, or the user themself)", body = UserView),
        (status = 403, description = "Neither users:read nor self", body = crate::error::ErrorBody),
        (status = 404, description = "No such user", body = crate::error::ErrorBody),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    check_user(&caller.principal, UserAction::Read, id).map_err(|d| caller.deny(d))?;
    let view = state
        .db
        .run(move |conn| {
            let user = user_q::find_user(conn, id)?.ok_or(AppError::NotFound)?;
            UserView::load(conn, user)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The roles a new account starts with: at most 50. (A named type: utoipa reads a
/// generic one as a schema to compose.)
type Roles = Capped<String, 50>;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = NewUserBody)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    // Described by its own schema: a description here would wrap it in an `allOf`.
    #[schema(inline)]
    username: Username,
    #[schema(inline)]
    email: Email,
    /// 8 to 72 bytes.
    #[schema(min_length = 8, max_length = 72)]
    password: String,
    #[schema(inline)]
    display_name: Option<DisplayName>,
    #[schema(inline)]
    roles: Option<Roles>,
}

/// Checks what the field types of a new account's body do not: the password's length,
/// then the username's reservation. A reserved username is taken, as far as people are
/// concerned: 409.
pub fn parse_account(
    username: Username,
    email: Email,
    password: &str,
    display_name: Option<DisplayName>,
) -> Result<(Username, Email, Option<String>), AppError> {
    password::check_length(password).map_err(|m| AppError::field("password", m))?;
    if username.is_reserved() {
        return Err(AppError::Conflict(format!(
            "the username `{}` is reserved",
            username.as_str()
        )));
    }
    Ok((username, email, display_name.map(DisplayName::into_inner)))
}

/// Creates an account (users:manage); giving it roles also takes roles:manage, and every
/// role must be within the caller's own permissions.
#[utoipa::path(
    tag = "users",
    request_body = CreateBody,
    security(("oauth2" = ["users:manage"])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 403, description = "Missing users:manage, or roles beyond the caller", body = crate::error::ErrorBody),
        (status = 409, description = "Username or email taken, or a reserved username", body = crate::error::ErrorBody),
        (status = 422, description = "Invalid fields", body = crate::error::ErrorBody),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: State,
    caller: Caller,
    body: JsonBody<CreateBody>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["users:manage"])?;
    let body = body.into_inner();
    if body
        .roles
        .as_ref()
        .is_some_and(|r| !r.as_slice().is_empty())
    {
        caller.require_all(&["users:manage", "roles:manage"])?;
    }
    let roles = body.roles.map(Capped::into_inner).unwrap_or_default();
    let (username, email, display_name) =
        parse_account(body.username, body.email, &body.password, body.display_name)?;
    let password_hash = state.verifier.hash(body.password).await?;
    let actor = caller.actor();
    let view = state
        .db
        .run(move |conn| {
            let account = NewAccount {
                username,
                email,
                display_name,
                password_hash,
                roles,
            };
            let user = manage::users::create_user(conn, &actor, account)?;
            UserView::load(conn, user)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/users/{}", view.id)))
        .json(view))
}

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
    let (key, addr) = (account.clone(), address.clone());
    let stored = state
        .db
        .run(move |c| {
            throttle::reserve_login(c, &key, &addr, crate::db::now())?;
            Ok(user_q::find_user(c, id)?.map(|u| u.password_hash))
        })
        .await?;
    if state.verifier.verify(given, stored).await? {
        return state
            .db
            .run(move |c| throttle::login_succeeded(c, &account, &address))
            .await;
    }
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

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// RFC 3339; absent for a permanent grant.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

/// RFC 3339 with an offset, stored as UTC.
fn parse_expiry(raw: &str) -> Result<chrono::NaiveDateTime, AppError> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.naive_utc())
        .map_err(|_| {
            AppError::field(
                "expires_at",
                "must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z",
            )
        })
}

/// Grants a role (or changes the expiry of a grant): 201 when new, 200 when updated.
#[utoipa::path(
    tag = "users",
    request_body(content = Option<GrantBody>, description = "Optional: no body is a permanent grant"),
    params(("id" = i64, Path, description = "User id"), ("role" = String, Path, description = "Role name")),
    security(("oauth2" = ["roles:manage"])),
    responses(
        (status = 200, description = "Expiry updated", body = UserView),
        (status = 201, description = "Granted", body = UserView),
        (status = 403, description = "Missing roles:manage, or the role carries more than the caller holds", body = crate::error::ErrorBody),
        (status = 404, description = "No such user or role", body = crate::error::ErrorBody),
        (status = 409, description = "Would leave no active holder of *", body = crate::error::ErrorBody),
        (status = 422, description = "Bad expires_at", body = crate::error::ErrorBody),
    )
)]
#[put("/users/{id}/roles/{role}")]
pub async fn grant_role(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String)>,
    body: JsonOrEmpty<GrantBody>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:manage"])?;
    let (id, role) = path.into_inner();
    let expires_at = body.0.expires_at.as_deref().map(parse_expiry).transpose()?;
    let actor = caller.actor();
    let (created, view) = state
        .db
        .run(move |conn| {
            // The role is named by the path: an unknown one is a 404, like an unknown user.
            crate::db::queries::roles::find_role_by_name(conn, &role)?.ok_or(AppError::NotFound)?;
            let created = manage::users::grant_role(conn, &actor, id, &role, expires_at)?;
            let user = user_q::find_user(conn, id)?.ok_or(AppError::NotFound)?;
            Ok((created, UserView::load(conn, user)?))
        })
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(view))
}

/// Revokes a role: 204; 404 when the user does not hold it.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id"), ("role" = String, Path, description = "Role name")),
    security(("oauth2" = ["roles:manage"])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not allowed", body = crate::error::ErrorBody),
        (status = 404, description = "No such user, role or grant", body = crate::error::ErrorBody),
        (status = 409, description = "Would leave no active holder of *", body = crate::error::ErrorBody),
    )
)]
#[delete("/users/{id}/roles/{role}")]
pub async fn revoke_role(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:manage"])?;
    let (id, role) = path.into_inner();
    let actor = caller.actor();
    state
        .db
        .run(move |conn| manage::users::revoke_role(conn, &actor, id, &role))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
