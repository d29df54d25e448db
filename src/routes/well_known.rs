//! Discovery (SPEC §11): `/.well-known/oauth-authorization-server` (RFC 8414) and
//! `/.well-known/jwks.json` (RFC 7517). Public, no credentials; cached briefly by anyone,
//! so that a rotation or a changed catalog shows within minutes.

use actix_web::{get, HttpResponse};
use serde::Serialize;

use crate::error::AppError;
use crate::oauth::metadata::{server_metadata, ServerMetadata, Settings};
use crate::state::State;

/// Short enough that a new key is seen well within an access token's lifetime.
const CACHE_CONTROL: &str = "public, max-age=300";

/// One Ed25519 public key (RFC 8037).
#[derive(Serialize, utoipa::ToSchema)]
pub struct JwkDoc {
    /// `OKP`
    pub kty: String,
    /// `Ed25519`
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    /// The RFC 7638 thumbprint, as in the tokens' `kid` header.
    pub kid: String,
    /// `EdDSA`
    pub alg: String,
    /// `sig`
    #[serde(rename = "use")]
    #[schema(rename = "use")]
    pub use_: String,
}

/// The key set; empty under HS256.
#[derive(Serialize, utoipa::ToSchema)]
pub struct JwksDoc {
    pub keys: Vec<JwkDoc>,
}

/// Authorization server metadata (RFC 8414).
#[utoipa::path(
    tag = "discovery",
    responses((status = 200, description = "The metadata", body = ServerMetadata))
)]
#[get("/.well-known/oauth-authorization-server")]
pub async fn server_metadata_doc(state: State) -> Result<HttpResponse, AppError> {
    let catalog = state.db.run(crate::manage::roles::catalog).await?;
    let scopes: Vec<&str> = catalog.iter().map(String::as_str).collect();
    let doc = server_metadata(&Settings {
        issuer: &state.config.public_url,
        password_grant: state.config.password_grant,
        scopes: &scopes,
    });
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", CACHE_CONTROL))
        .json(doc))
}

/// The public keys that verify access tokens (RFC 7517); `{"keys": []}` under HS256.
#[utoipa::path(
    tag = "discovery",
    responses((status = 200, description = "The key set", body = JwksDoc))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: State) -> Result<HttpResponse, AppError> {
    // Re-read first: a key another instance started signing with is published at once.
    crate::auth::key_store::refresh(&state.jwt, &state.db).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", CACHE_CONTROL))
        .json(state.jwt.jwks()))
}
