//! `/api/roles` (SPEC §6): role definitions. The rules (valid grants, known parents, no
//! cycle, no escalation, built-ins kept, forced deletes, the last `*`) live in
//! `manage::roles`.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;

use crate::auth::principal::Caller;
use crate::domain::Capped;
use crate::error::AppError;
use crate::manage;
use crate::manage::roles::{NewRoleSpec, RoleEdit};
use crate::routes::api::views::{RoleList, RoleView};
use crate::routes::extractors::JsonBody;
use crate::state::State;

/// Every role, by name (a short list: not paginated, `next_cursor` is always null).
#[utoipa::path(
    tag = "roles",
    security(("oauth2" = ["roles:read"])),
    responses(
        (status = 200, description = "Every role, by name", body = RoleList),
        (status = 403, description = "Missing roles:read", body = crate::error::ErrorBody),
    )
)]
#[get("/roles")]
pub async fn list_roles(state: State, caller: Caller) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:read"])?;
    let items = state.db.run(RoleView::load_all).await?;
    Ok(HttpResponse::Ok().json(RoleList {
        items,
        next_cursor: None,
    }))
}

#[utoipa::path(
    tag = "roles",
    params(("name" = String, Path, description = "Role name")),
    security(("oauth2" = ["roles:read"])),
    responses(
        (status = 200, description = "The role", body = RoleView),
        (status = 404, description = "No such role", body = crate::error::ErrorBody),
    )
)]
#[get("/roles/{name}")]
pub async fn get_role(
    state: State,
    caller: Caller,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:read"])?;
    let name = name.into_inner();
    let view = state
        .db
        .run(move |conn| RoleView::load(conn, &name))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// A role's grants: at most 200.
type Grants = Capped<String, 200>;
/// A role's parents: at most 50.
type Parents = Capped<String, 50>;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = NewRoleBody)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// `[a-z][a-z0-9_-]{0,63}`.
    #[schema(pattern = "^[a-z][a-z0-9_-]{0,63}$")]
    name: String,
    description: Option<String>,
    #[serde(default)]
    #[schema(inline)]
    permissions: Grants,
    #[serde(default)]
    #[schema(inline)]
    inherits: Parents,
}

#[utoipa::path(
    tag = "roles",
    request_body = CreateBody,
    security(("oauth2" = ["roles:manage"])),
    responses(
        (status = 201, description = "Created", body = RoleView),
        (status = 403, description = "Grants beyond the caller", body = crate::error::ErrorBody),
        (status = 409, description = "Name taken", body = crate::error::ErrorBody),
        (status = 422, description = "Bad name, unknown permission or parent, or a cycle", body = crate::error::ErrorBody),
    )
)]
#[post("/roles")]
pub async fn create_role(
    state: State,
    caller: Caller,
    body: JsonBody<CreateBody>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:manage"])?;
    let body = body.into_inner();
    let spec = NewRoleSpec {
        name: body.name,
        description: body.description.unwrap_or_default(),
        permissions: body.permissions.into_inner(),
        inherits: body.inherits.into_inner(),
    };
    let actor = caller.actor();
    let view = state
        .db
        .run(move |conn| {
            let role = manage::roles::create_role(conn, &actor, spec)?;
            RoleView::load(conn, &role.name)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/roles/{}", view.name)))
        .json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = RolePatchBody)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    /// `[a-z][a-z0-9_-]{0,63}`.
    #[schema(pattern = "^[a-z][a-z0-9_-]{0,63}$")]
    name: Option<String>,
    description: Option<String>,
    #[schema(inline)]
    permissions: Option<Grants>,
    #[schema(inline)]
    inherits: Option<Parents>,
}

/// Edits a role; each field is optional, `permissions` and `inherits` replace the lists.
#[utoipa::path(
    tag = "roles",
    request_body = PatchBody,
    params(("name" = String, Path, description = "Role name")),
    security(("oauth2" = ["roles:manage"])),
    responses(
        (status = 200, description = "Updated", body = RoleView),
        (status = 403, description = "Beyond the caller", body = crate::error::ErrorBody),
        (status = 404, description = "No such role", body = crate::error::ErrorBody),
        (status = 409, description = "Would leave no active holder of *, or a name taken", body = crate::error::ErrorBody),
        (status = 422, description = "Invalid fields or a cycle", body = crate::error::ErrorBody),
    )
)]
#[patch("/roles/{name}")]
pub async fn update_role(
    state: State,
    caller: Caller,
    name: web::Path<String>,
    body: JsonBody<PatchBody>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:manage"])?;
    let body = body.into_inner();
    let name = name.into_inner();
    let edit = RoleEdit {
        name: body.name,
        description: body.description,
        permissions: body.permissions.map(Capped::into_inner),
        inherits: body.inherits.map(Capped::into_inner),
    };
    let actor = caller.actor();
    let view = state
        .db
        .run(move |conn| {
            let role = manage::roles::update_role(conn, &actor, &name, edit)?;
            RoleView::load(conn, &role.name)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeleteQuery {
    /// Also remove the role from its holders and heirs, in the same transaction.
    force: Option<bool>,
}

/// Deletes a role: 204. Held or inherited roles need `?force=true` (else 409 naming the
/// links); `anonymous` and `admin` are never deleted.
#[utoipa::path(
    tag = "roles",
    params(("name" = String, Path, description = "Role name"), DeleteQuery),
    security(("oauth2" = ["roles:manage"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Beyond the caller", body = crate::error::ErrorBody),
        (status = 404, description = "No such role", body = crate::error::ErrorBody),
        (status = 409, description = "Built in, or held/inherited without force", body = crate::error::ErrorBody),
    )
)]
#[delete("/roles/{name}")]
pub async fn delete_role(
    state: State,
    caller: Caller,
    name: web::Path<String>,
    query: web::Query<DeleteQuery>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:manage"])?;
    let name = name.into_inner();
    let force = query.force.unwrap_or(false);
    let actor = caller.actor();
    state
        .db
        .run(move |conn| manage::roles::delete_role(conn, &actor, &name, force))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
