//! `POST /api/auth/introspect` (RFC 7662, SPEC §11): for resource servers holding
//! `users:read`. The decision lives in `auth::introspection`.

use std::collections::HashMap;

use actix_web::{post, web, HttpResponse};

use crate::auth::introspection::{introspect, Introspection};
use crate::auth::principal::Caller;
use crate::error::{AppError, ErrorBody};
use crate::state::State;

/// The introspection form (documentation; the handler reads it leniently so that every
/// error is an RFC 6749 error).
#[derive(utoipa::ToSchema)]
#[expect(
    dead_code,
    reason = "documents the form; the handler reads it leniently"
)]
pub struct IntrospectForm {
    /// An access token (JWT) or a personal access token.
    token: String,
    /// Ignored: the token's shape tells what it is.
    token_type_hint: Option<String>,
}

/// Whether a token is live, and for whom and what (RFC 7662).
#[utoipa::path(
    tag = "auth",
    request_body(content = IntrospectForm, content_type = "application/x-www-form-urlencoded"),
    security(("oauth2" = ["users:read"])),
    responses(
        (status = 200, description = "The token's state; `{\"active\": false}` alone for anything not live", body = Introspection),
        (status = 400, description = "No `token` (`invalid_request`)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Missing users:read", body = ErrorBody),
    )
)]
#[post("/auth/introspect")]
pub async fn introspect_token(
    state: State,
    caller: Caller,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["users:read"])?;
    let token = form
        .get("token")
        .filter(|t| !t.is_empty())
        .cloned()
        .ok_or_else(|| AppError::OAuth {
            error: "invalid_request",
            description: "`token` is required".into(),
        })?;
    let st = state.clone();
    let answer = state
        .db
        .run(move |conn| introspect(&st, conn, &token))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(answer))
}
