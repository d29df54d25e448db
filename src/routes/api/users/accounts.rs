//! Accounts: the list, one account, and new accounts (`GET /users`, `GET /users/{id}`,
//! `POST /users`).

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use crate::auth::password;
use crate::auth::principal::Caller;
use crate::authz::{check_user, UserAction};
use crate::db::queries::users::{self as user_q, UserFilter};
use crate::domain::{Capped, DisplayName, Email, Username};
use crate::error::AppError;
use crate::manage;
use crate::manage::users::NewAccount;
use crate::routes::api::cursor;
use crate::routes::api::views::{UserPage, UserView};
use crate::routes::extractors::JsonBody;
use crate::state::State;

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
