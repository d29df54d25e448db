//! Role assignments of an account (`PUT` and `DELETE /users/{id}/roles/{role}`).

use actix_web::{delete, put, web, HttpResponse};
use serde::Deserialize;

use crate::auth::principal::Caller;
use crate::db::queries::users as user_q;
use crate::error::AppError;
use crate::manage;
use crate::routes::api::views::UserView;
use crate::routes::extractors::JsonOrEmpty;
use crate::state::State;

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
