//! Accounts: the list, one account, and new accounts (`GET /users`, `GET /users/{id}`,
//! `POST /users`).

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use validator::Validate;

use crate::auth::password;
use crate::auth::principal::Caller;
use crate::authz::{check_user, UserAction};
use crate::db::queries::users::{self as user_q, UserFilter};
use crate::domain::{parse_display_name, Email, Username};
use crate::error::{AppError, FieldErrors};
use crate::manage;
use crate::manage::users::NewAccount;
use crate::routes::api::cursor;
use crate::routes::api::views::{UserPage, UserView};
use crate::routes::extractors::validated;
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

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[schema(as = NewUserBody)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// 2–32 of lowercase letters, digits, `.`, `_`, `-`, starting with a letter or digit.
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{1,31}$")]
    username: String,
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// 8 to 72 bytes.
    #[schema(min_length = 8, max_length = 72)]
    password: String,
    #[schema(min_length = 1, max_length = 100)]
    display_name: Option<String>,
    #[validate(length(max = 50, message = "at most 50 roles"))]
    roles: Option<Vec<String>>,
}

/// Parses the fields every new account has; all problems are reported at once. A
/// reserved username is taken, as far as people are concerned: 409.
pub fn parse_account(
    username: &str,
    email: &str,
    password: &str,
    display_name: Option<&str>,
) -> Result<(Username, Email, Option<String>), AppError> {
    let mut errors = FieldErrors::new();
    let username = Username::parse(username)
        .map_err(|m| errors.insert("username".into(), vec![m]))
        .ok();
    let email = Email::parse(email)
        .map_err(|m| errors.insert("email".into(), vec![m]))
        .ok();
    let display_name = display_name
        .map(parse_display_name)
        .transpose()
        .map_err(|m| errors.insert("display_name".into(), vec![m]))
        .ok()
        .flatten();
    if let Err(m) = password::check_length(password) {
        errors.insert("password".into(), vec![m]);
    }
    match (username, email, errors.is_empty()) {
        (Some(username), _, true) if username.is_reserved() => Err(AppError::Conflict(format!(
            "the username `{}` is reserved",
            username.as_str()
        ))),
        (Some(username), Some(email), true) => Ok((username, email, display_name)),
        _ => Err(AppError::Validation(errors)),
    }
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
    body: web::Json<CreateBody>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["users:manage"])?;
    let body = body.into_inner();
    if body.roles.as_ref().is_some_and(|r| !r.is_empty()) {
        caller.require_all(&["users:manage", "roles:manage"])?;
    }
    let body = validated(body)?;
    let roles = body.roles.unwrap_or_default();
    let (username, email, display_name) = parse_account(
        &body.username,
        &body.email,
        &body.password,
        body.display_name.as_deref(),
    )?;
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
