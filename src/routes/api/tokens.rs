//! `/api/tokens` (SPEC §11): personal access tokens. Any signed-in caller manages their own;
//! holders of `users:manage` list and delete other users' with `?user=USERNAME`. The rules
//! live in `oauth::pat`, the writes (and their audit events) in `manage::pats`.

use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::principal::Caller;
use crate::authz::PermissionSet;
use crate::db::queries::pats::{self as pat_q, Pat};
use crate::db::queries::users as user_q;
use crate::db::DbConn;
use crate::error::{AppError, ErrorBody};
use crate::manage::pats::{create_pat, revoke_pat, Owner};
use crate::oauth::pat::{self as rules, PatError};
use crate::routes::api::views::rfc3339;
use crate::routes::extractors::JsonBody;
use crate::state::State;

/// A stored token, without its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// Catalog names (wildcards are stored expanded).
    pub scopes: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
}

impl From<&Pat> for TokenView {
    fn from(p: &Pat) -> Self {
        Self {
            id: p.id,
            name: p.name.clone(),
            scopes: p.scope_list(),
            created_at: rfc3339(p.created_at),
            expires_at: rfc3339(p.expires_at),
            last_used_at: p.last_used_at.map(rfc3339),
        }
    }
}

/// A token just created: the stored fields and, this once, the secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    /// `qpat_` and 44 base62 characters; shown only in this answer.
    #[schema(example = "qpat_0123456789abcdefghijABCDEFGHIJ0123456789ab")]
    pub token: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenView>,
}

/// The creation request; a value of the wrong type is a 422 on its own field
/// ([`JsonBody`]), like a value out of range (checked by `oauth::pat`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// Catalog names or wildcards (`posts:*`), within the request's effective permissions.
    scopes: Vec<String>,
    /// 1–366.
    #[schema(minimum = 1, maximum = 366)]
    expires_in_days: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OwnerQuery {
    /// Another user's tokens (needs `users:manage`).
    user: Option<String>,
}

fn pat_error(e: PatError) -> AppError {
    match e {
        PatError::InvalidScope(bad) => AppError::OAuth {
            error: "invalid_scope",
            description: format!(
                "not in the catalog or not held by this request: {}",
                bad.join(" ")
            ),
        },
        PatError::Field { field, message } => AppError::field(field, message),
    }
}

/// Whose tokens a request names: the caller's own, or (`users:manage`) another user's.
fn owner_of(caller: &Caller, user: Option<&str>) -> Result<Option<String>, AppError> {
    let me = caller.user()?;
    match user.filter(|u| *u != me.username) {
        None => Ok(None),
        Some(other) => {
            caller.require_any(&["users:manage"])?;
            Ok(Some(other.to_owned()))
        }
    }
}

fn load_owner(conn: &mut DbConn, caller: &Caller, other: Option<&str>) -> Result<Owner, AppError> {
    let me = caller.user()?;
    match other {
        None => Ok(Owner {
            id: me.id,
            username: me.username.clone(),
        }),
        Some(name) => {
            let user = user_q::find_user_by_username(conn, name)?.ok_or(AppError::NotFound)?;
            Ok(Owner {
                id: user.id,
                username: user.username,
            })
        }
    }
}

/// Creates a personal access token for the caller. The secret is in this answer only.
#[utoipa::path(
    tag = "tokens",
    request_body = NewTokenBody,
    security(("oauth2" = [])),
    responses(
        (status = 201, description = "Created; `token` is shown this once", body = CreatedToken),
        (status = 400, description = "A scope outside the catalog or the request's effective permissions (`invalid_scope`)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Bad `name`, `scopes` or `expires_in_days`", body = ErrorBody),
    )
)]
#[post("/tokens")]
pub async fn create_token(
    state: State,
    caller: Caller,
    body: JsonBody<NewTokenBody>,
) -> Result<HttpResponse, AppError> {
    let user = caller.user()?.clone();
    let NewTokenBody {
        name,
        scopes,
        expires_in_days: days,
    } = body.into_inner();
    let catalog: Vec<&str> = caller.snapshot.catalog.iter().map(String::as_str).collect();
    let effective = PermissionSet::from_grants(caller.effective());
    let valid = rules::validate(&name, &scopes, days, &effective, &catalog, crate::db::now())
        .map_err(pat_error)?;
    let minted = rules::generate();
    let owner = Owner {
        id: user.id,
        username: user.username.clone(),
    };
    let actor = caller.actor();
    let hash = minted.hash;
    let pat = state
        .db
        .run(move |conn| create_pat(conn, &actor, &owner, &valid, &hash))
        .await?;
    let view = TokenView::from(&pat);
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(CreatedToken {
            id: view.id,
            name: view.name,
            scopes: view.scopes,
            created_at: view.created_at,
            expires_at: view.expires_at,
            last_used_at: view.last_used_at,
            token: minted.token,
        }))
}

/// The caller's live tokens (or, with `users:manage`, another user's), newest first.
#[utoipa::path(
    tag = "tokens",
    params(OwnerQuery),
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "Live tokens, newest first", body = TokenList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "`user` names someone else without users:manage", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    )
)]
#[get("/tokens")]
pub async fn list_tokens(
    state: State,
    caller: Caller,
    query: web::Query<OwnerQuery>,
) -> Result<HttpResponse, AppError> {
    let other = owner_of(&caller, query.user.as_deref())?;
    let items = state
        .db
        .run(move |conn| {
            let owner = load_owner(conn, &caller, other.as_deref())?;
            Ok(pat_q::list_live_pats(conn, owner.id, crate::db::now())?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TokenList {
        items: items.iter().map(TokenView::from).collect(),
    }))
}

/// Revokes a token: it stops working on the next request and leaves the list.
#[utoipa::path(
    tag = "tokens",
    params(("id" = i64, Path, description = "Token id"), OwnerQuery),
    security(("oauth2" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "`user` names someone else without users:manage", body = ErrorBody),
        (status = 404, description = "No such token (of this user), or no such user", body = ErrorBody),
    )
)]
#[delete("/tokens/{id}")]
pub async fn delete_token(
    state: State,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<OwnerQuery>,
) -> Result<HttpResponse, AppError> {
    let other = owner_of(&caller, query.user.as_deref())?;
    let (id, actor) = (id.into_inner(), caller.actor());
    state
        .db
        .run(move |conn| {
            let owner = load_owner(conn, &caller, other.as_deref())?;
            revoke_pat(conn, &actor, &owner, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
