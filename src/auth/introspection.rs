//! Token introspection (RFC 7662, SPEC §11): what a resource server may learn about a
//! bearer token. A token is active exactly when a request carrying it would be
//! authenticated (the same checks, through [`caller_for_token`]); anything else —
//! revoked, expired, forged, a disabled owner's, a refresh token — is `{"active": false}`
//! and nothing more, so the answer reveals nothing about tokens that do not work.

use serde::Serialize;

use super::cache::unix;
use super::principal::caller_for_token;
use crate::db::DbConn;
use crate::error::AppError;
use crate::state::AppState;

/// The `client_id` of first-party tokens (the password and refresh grants): left out of
/// the answer, which names a client only for tokens an app obtained (the code flow).
const FIRST_PARTY_CLIENT: &str = "quire";

/// RFC 7662 §2.2 answer; every member but `active` is absent for an inactive token.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Introspection {
    pub active: bool,
    /// The token's scopes ∩ the owner's current permissions, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The owner's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Expiry, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The app the token was issued to (code-flow tokens only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `Bearer` (a JWT access token) or `personal_access_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub token_type: Option<&'static str>,
}

/// Introspects `token` on `conn` (a read; the token's last use is not recorded).
pub fn introspect(
    state: &AppState,
    conn: &mut DbConn,
    token: &str,
) -> Result<Introspection, AppError> {
    let caller = match caller_for_token(state, conn, token) {
        Ok(caller) => caller,
        Err(AppError::InvalidToken(_)) => return Ok(Introspection::default()),
        Err(other) => return Err(other),
    };
    let (exp, client_id, token_type) = match (&caller.token, &caller.pat) {
        (Some(claims), _) => (
            claims.exp,
            Some(claims.client_id.clone()).filter(|c| c != FIRST_PARTY_CLIENT),
            "Bearer",
        ),
        (None, Some(pat)) => (unix(pat.expires_at), None, "personal_access_token"),
        (None, None) => return Ok(Introspection::default()),
    };
    let user = caller.user()?;
    Ok(Introspection {
        active: true,
        scope: Some(caller.effective().join(" ")),
        sub: Some(user.id.to_string()),
        username: Some(user.username.clone()),
        exp: Some(exp),
        client_id,
        token_type: Some(token_type),
    })
}
