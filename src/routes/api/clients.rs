//! `/api/clients` (SPEC §11): public OAuth clients for the authorization code flow. Only
//! a request that holds `*` (its effective permissions cover the whole catalog) may
//! register, list, read or delete them. The rules live in `oauth::client`, the writes in
//! `manage::clients`.

use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::principal::Caller;
use crate::authz::management::holds_star;
use crate::authz::Denied;
use crate::db::queries::clients::{self as client_q, Client};
use crate::error::{AppError, ErrorBody};
use crate::manage::clients::{create_client, delete_client};
use crate::oauth::client::{validate, ValidClient};
use crate::routes::api::views::rfc3339;
use crate::routes::extractors::JsonBody;
use crate::state::State;

/// A registered client (public: it has no secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    pub client_id: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// Catalog names (wildcards are stored expanded).
    pub scopes: Vec<String>,
    pub created_at: String,
}

impl From<&Client> for ClientView {
    fn from(c: &Client) -> Self {
        Self {
            client_id: c.client_id.clone(),
            name: c.name.clone(),
            redirect_uris: c.redirect_uri_list(),
            scopes: c.scope_list(),
            created_at: rfc3339(c.created_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientList {
    pub items: Vec<ClientView>,
}

/// The registration; a value of the wrong type is a 422 on its own field ([`JsonBody`]),
/// like a value the rules refuse (`oauth::client`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientBody {
    /// 1–100 characters, shown on the consent page.
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// 1–10 absolute http(s) URIs without fragment; http only for loopback hosts.
    redirect_uris: Vec<String>,
    /// Catalog names (or wildcards) the client may ask for.
    scopes: Vec<String>,
}

/// Checks a registration against the rules and the catalog (422 naming the field).
pub fn parse_client(
    caller: &Caller,
    name: &str,
    redirect_uris: &[String],
    scopes: &[String],
) -> Result<ValidClient, AppError> {
    let catalog: Vec<&str> = caller.snapshot.catalog.iter().map(String::as_str).collect();
    validate(name, redirect_uris, scopes, &catalog).map_err(|(f, m)| AppError::field(f, m))
}

/// The guard of every client route: the request holds `*` (401 without credentials,
/// else 403 `insufficient_scope` naming `*`).
pub fn require_star(caller: &Caller) -> Result<(), AppError> {
    let catalog: Vec<&str> = caller.snapshot.catalog.iter().map(String::as_str).collect();
    if holds_star(&caller.principal, &catalog) {
        Ok(())
    } else {
        Err(caller.deny(Denied::InsufficientScope { required: &["*"] }))
    }
}

/// Registers a public client.
#[utoipa::path(
    tag = "clients",
    request_body = NewClientBody,
    security(("oauth2" = [])),
    responses(
        (status = 201, description = "Registered", body = ClientView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The request does not hold `*`", body = ErrorBody),
        (status = 422, description = "Bad `name`, `redirect_uris` or `scopes`", body = ErrorBody),
    )
)]
#[post("/clients")]
pub async fn register_client(
    state: State,
    caller: Caller,
    body: JsonBody<NewClientBody>,
) -> Result<HttpResponse, AppError> {
    require_star(&caller)?;
    let body = body.into_inner();
    let valid = parse_client(&caller, &body.name, &body.redirect_uris, &body.scopes)?;
    let actor = caller.actor();
    let client = state
        .db
        .run(move |conn| create_client(conn, &actor, &valid))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/clients/{}", client.client_id)))
        .json(ClientView::from(&client)))
}

/// Every registered client, newest first.
#[utoipa::path(
    tag = "clients",
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "Clients, newest first", body = ClientList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The request does not hold `*`", body = ErrorBody),
    )
)]
#[get("/clients")]
pub async fn list_clients(state: State, caller: Caller) -> Result<HttpResponse, AppError> {
    require_star(&caller)?;
    let items = state
        .db
        .run(|conn| Ok(client_q::list_clients(conn)?))
        .await?;
    Ok(HttpResponse::Ok().json(ClientList {
        items: items.iter().map(ClientView::from).collect(),
    }))
}

/// One client.
#[utoipa::path(
    tag = "clients",
    params(("client_id" = String, Path, description = "Client id")),
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "The client", body = ClientView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The request does not hold `*`", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
    )
)]
#[get("/clients/{client_id}")]
pub async fn get_client(
    state: State,
    caller: Caller,
    client_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_star(&caller)?;
    let id = client_id.into_inner();
    let client = state
        .db
        .run(move |conn| client_q::find_client(conn, &id)?.ok_or(AppError::NotFound))
        .await?;
    Ok(HttpResponse::Ok().json(ClientView::from(&client)))
}

/// Deletes a client: every approval of it and every token issued to it ends.
#[utoipa::path(
    tag = "clients",
    params(("client_id" = String, Path, description = "Client id")),
    security(("oauth2" = [])),
    responses(
        (status = 204, description = "Deleted; its tokens no longer work"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The request does not hold `*`", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
    )
)]
#[delete("/clients/{client_id}")]
pub async fn remove_client(
    state: State,
    caller: Caller,
    client_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_star(&caller)?;
    let (id, actor) = (client_id.into_inner(), caller.actor());
    let ttl = state.config.access_token_ttl;
    state
        .db
        .run(move |conn| delete_client(conn, &actor, &id, ttl))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
