//! `DELETE /api/users/{id}/2fa` (SPEC §12): an administrator resets another user's
//! two-factor sign-in (a lost phone and lost recovery codes).

use actix_web::{delete, web, HttpResponse};

use crate::auth::principal::Caller;
use crate::db::queries::users as user_q;
use crate::error::AppError;
use crate::manage::twofactor::reset;
use crate::state::State;

/// Resets the user's two-factor sign-in: the enrolment and recovery codes go, every
/// session of the user ends; audited as `user.2fa_reset`.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    security(("oauth2" = ["users:manage"])),
    responses(
        (status = 204, description = "Reset; the user's sessions ended"),
        (status = 403, description = "Missing users:manage", body = crate::error::ErrorBody),
        (status = 404, description = "No such user, or the user has no two-factor sign-in", body = crate::error::ErrorBody),
    )
)]
#[delete("/users/{id}/2fa")]
pub async fn reset_two_factor(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["users:manage"])?;
    let (id, actor) = (id.into_inner(), caller.actor());
    state
        .db
        .run(move |conn| {
            let user = user_q::find_user(conn, id)?.ok_or(AppError::NotFound)?;
            reset(conn, &actor, user.id, &user.username)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
