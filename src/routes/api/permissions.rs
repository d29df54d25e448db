use actix_web::{get, HttpResponse};

use crate::auth::principal::Caller;
use crate::error::AppError;
use crate::routes::api::views::{PermissionList, PermissionView};
use crate::state::State;

/// The permission catalog with descriptions (roles:read).
#[utoipa::path(
    tag = "roles",
    security(("oauth2" = ["roles:read"])),
    responses(
        (status = 200, description = "The catalog", body = PermissionList),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Missing roles:read", body = crate::error::ErrorBody),
    )
)]
#[get("/permissions")]
pub async fn list_permissions(state: State, caller: Caller) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:read"])?;
    let perms = state
        .db
        .run(|c| Ok(crate::db::queries::roles::list_permissions(c)?))
        .await?;
    let items = perms
        .into_iter()
        .map(|p| PermissionView {
            name: p.name,
            resource: p.resource,
            action: p.action,
            description: p.description,
        })
        .collect();
    Ok(HttpResponse::Ok().json(PermissionList { items }))
}
