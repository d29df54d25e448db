//! `/api/auth/*` and `/api/me` (SPEC §5).

use std::collections::HashMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::auth::client_addr;
use crate::auth::principal::{Caller, CallerKind};
use crate::auth::{throttle, tokens};
use crate::config::Registration;
use crate::domain::{DisplayName, Email, Username};
use crate::error::{AppError, ErrorBody};
use crate::manage::{self, Actor};
use crate::routes::api::users::parse_account;
use crate::routes::api::views::{MeView, UserView};
use crate::routes::extractors::JsonBody;
use crate::state::State;

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    form.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn required<'a>(form: &'a HashMap<String, String>, name: &str) -> Result<&'a str, AppError> {
    field(form, name).ok_or_else(|| AppError::OAuth {
        error: "invalid_request",
        description: format!("`{name}` is required"),
    })
}

/// The token request form (documentation; the handler reads the form leniently so that
/// every error is an RFC 6749 error).
#[derive(utoipa::ToSchema)]
#[expect(
    dead_code,
    reason = "documents the form; the handler reads it leniently"
)]
pub struct TokenForm {
    /// `password` (default), `refresh_token` or `authorization_code`.
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    /// `authorization_code`: the code from the redirect.
    code: Option<String>,
    /// `authorization_code`: the PKCE verifier (RFC 7636).
    code_verifier: Option<String>,
    /// `authorization_code`: the public client's id.
    client_id: Option<String>,
    /// `authorization_code`: required when the authorization request sent one.
    redirect_uri: Option<String>,
    /// Space-separated permissions; absent means all of the user's.
    scope: Option<String>,
}

#[derive(utoipa::ToSchema)]
#[expect(
    dead_code,
    reason = "documents the form; the handler reads it leniently"
)]
pub struct RevokeForm {
    token: String,
    token_type_hint: Option<String>,
}

/// RFC 6749 token endpoint: password, refresh_token and authorization_code (PKCE) grants.
/// Client authentication headers (Swagger UI sends `Basic Og==`) are ignored: every
/// registered client is public (`client_id` in the form, no secret).
#[utoipa::path(
    tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Tokens issued", body = crate::auth::tokens::TokenResponse),
        (status = 400, description = "RFC 6749 error", body = ErrorBody),
        (status = 429, description = "Too many failures", body = ErrorBody),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    state: State,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let ip = client_addr::of_request(&req, &state.config.trusted_proxies).map(|a| a.to_string());
    let scope = field(&form, "scope").map(str::to_owned);
    let response = match field(&form, "grant_type").unwrap_or("password") {
        "password" => {
            tokens::password_grant_enabled(&state)?;
            let username = required(&form, "username")?;
            let password = required(&form, "password")?.to_owned();
            tokens::password_grant(&state, username, password, scope, ip).await?
        }
        "refresh_token" => {
            let refresh = required(&form, "refresh_token")?.to_owned();
            tokens::refresh_grant(&state, refresh, scope, ip).await?
        }
        "authorization_code" => {
            let request = tokens::code::CodeRequest {
                code: required(&form, "code")?.to_owned(),
                verifier: required(&form, "code_verifier")?.to_owned(),
                client_id: required(&form, "client_id")?.to_owned(),
                redirect_uri: field(&form, "redirect_uri").map(str::to_owned),
            };
            tokens::authorization_code_grant(&state, request, ip).await?
        }
        other => {
            return Err(AppError::OAuth {
                error: "unsupported_grant_type",
                description: format!(
                    "grant_type `{}` is not supported",
                    other.chars().take(40).collect::<String>()
                ),
            })
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(response))
}

/// RFC 7009 revocation, authenticated by the caller's own bearer token.
#[utoipa::path(
    tag = "auth",
    request_body(content = RevokeForm, content_type = "application/x-www-form-urlencoded"),
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "Revoked (or unknown): `{}`", body = Object),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
    )
)]
#[post("/auth/revoke")]
pub async fn revoke_token(
    state: State,
    caller: Caller,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    if caller.kind != CallerKind::Bearer {
        return Err(AppError::Unauthenticated);
    }
    let presented = required(&form, "token")?.to_owned();
    tokens::revoke(&state, &caller, presented).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
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
}

/// Self-registration, only with `QUIRE_REGISTRATION=open`.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Account created", body = UserView),
        (status = 403, description = "Registration is closed", body = ErrorBody),
        (status = 409, description = "Username or email taken, or a reserved username", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
#[post("/auth/register")]
pub async fn register_user(
    state: State,
    req: HttpRequest,
    body: JsonBody<RegisterBody>,
) -> Result<HttpResponse, AppError> {
    if state.config.registration != Registration::Open {
        return Err(AppError::Forbidden {
            required: vec![],
            message: "registration is closed on this site".into(),
        });
    }
    let body = body.into_inner();
    let (username, email, display_name) =
        parse_account(body.username, body.email, &body.password, body.display_name)?;
    let ip = client_addr::of_request(&req, &state.config.trusted_proxies).map(|a| a.to_string());
    // Counted before the account exists (SPEC H4), given back if none is created.
    let address = throttle::address_key(ip.as_deref());
    let attempt = state
        .db
        .run(move |c| throttle::reserve_registration(c, &address, crate::db::now()))
        .await?;
    let account = async {
        let password_hash = state.verifier.hash(body.password).await?;
        let actor = Actor {
            id: None,
            name: username.as_str().to_owned(),
            ip,
            principal: None,
        };
        let roles = vec![state.config.default_role.clone()];
        let account = manage::users::NewAccount {
            username,
            email,
            display_name,
            password_hash,
            roles,
        };
        state
            .db
            .run(move |conn| {
                let user = manage::users::create_user(conn, &actor, account)?;
                UserView::load(conn, user)
            })
            .await
    };
    let view = match account.await {
        Ok(view) => view,
        Err(e) => {
            state
                .db
                .run(move |c| throttle::registration_failed(c, attempt))
                .await?;
            return Err(e);
        }
    };
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/users/{}", view.id)))
        .json(view))
}

/// The caller: user, roles, permissions, the token's scopes and the effective set.
#[utoipa::path(
    tag = "auth",
    security(("oauth2" = [])),
    responses(
        (status = 200, description = "The caller and what this request may do", body = MeView),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
#[get("/me")]
pub async fn get_me(
    state: State,
    caller: Caller,
    session: actix_session::Session,
) -> Result<HttpResponse, AppError> {
    let user_id = caller.user()?.id;
    let view = state
        .db
        .run(move |conn| {
            let user =
                crate::db::queries::users::find_user(conn, user_id)?.ok_or(AppError::NotFound)?;
            UserView::load(conn, user)
        })
        .await?;
    let scopes = match (&caller.token, &caller.pat) {
        (Some(t), _) => Some(
            t.scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        (None, Some(pat)) => Some(pat.scope_list()),
        (None, None) => None,
    };
    let authenticated_by = match caller.kind {
        CallerKind::Bearer => "bearer",
        CallerKind::Session => "session",
        CallerKind::Anonymous => "anonymous",
    };
    let csrf_token = caller
        .session
        .map(|_| crate::auth::session::csrf_token(&session));
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(MeView {
            user: view,
            scopes,
            effective_permissions: caller.effective(),
            authenticated_by: authenticated_by.into(),
            csrf_token,
        }))
}
