//! The OAuth2 grants (RFC 6749 password and refresh_token) and revocation (RFC 7009).

use base64::Engine;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::families::end_family;
use super::throttle;
use crate::authz::permission::{check_in_catalog, parse_scope};
use crate::authz::PermissionSet;
use crate::db::queries::{tokens as token_q, twofactor as twofactor_q, users as user_q};
use crate::db::{now, write_tx};
use crate::error::AppError;
use crate::manage::audit::{record, Outcome};
use crate::manage::Actor;
use crate::state::AppState;

/// RFC 6749 §5.1 success body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(value_type = String, example = "bearer")]
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    pub scope: String,
}

fn oauth(error: &'static str, description: impl Into<String>) -> AppError {
    AppError::OAuth {
        error,
        description: description.into(),
    }
}

const BAD_CREDENTIALS: &str = "invalid username or password";

/// A new random refresh token and the SHA-256 that is stored in its place.
fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Decides the scope string of a new token. `holds` is what may be asked for (the user's
/// permissions, or the refresh token's original scope); no scope asks for all of it.
pub fn resolve_scope(
    requested: Option<&str>,
    holds: &PermissionSet,
    catalog: &[&str],
) -> Result<String, AppError> {
    let requested = requested.map(str::trim).filter(|s| !s.is_empty());
    let Some(requested) = requested else {
        return Ok(holds.expand(catalog).join(" "));
    };
    let tokens = parse_scope(requested)
        .map_err(|bad| oauth("invalid_scope", format!("`{bad}` is not a valid scope")))?;
    for scope in &tokens {
        if check_in_catalog(scope, catalog).is_err() {
            return Err(oauth("invalid_scope", format!("unknown scope `{scope}`")));
        }
        let granted = holds.covers_in_catalog(scope, catalog);
        if !granted {
            return Err(oauth(
                "invalid_scope",
                format!("scope `{scope}` is not granted to this user"),
            ));
        }
    }
    Ok(tokens.join(" "))
}

/// The access token carries the refresh token's family, so ending the family ends it, and
/// the client the family was issued to (`None`: Quire itself).
fn issue(
    state: &AppState,
    user_id: i64,
    username: &str,
    scope: String,
    (refresh_token, family): (String, String),
    client: Option<&str>,
) -> Result<TokenResponse, AppError> {
    let ttl = state.config.access_token_ttl.as_secs();
    let (access_token, _) =
        state
            .jwt
            .issue_for_client(user_id, username, &scope, ttl as i64, Some(&family), client)?;
    Ok(TokenResponse {
        access_token,
        token_type: "bearer",
        expires_in: ttl,
        refresh_token,
        scope,
    })
}

/// Checks a username and password (throttled, constant-shape failures, audited), for the
/// token endpoint and the admin login form alike. The attempt is counted before the
/// password is checked (SPEC H4); a right password forgives the pair's failures only when
/// the account has no two-factor ([`throttle::password_right`]). Errors are RFC 6749
/// `invalid_grant`, 429, or 503 when the password queue is full.
pub async fn authenticate(
    state: &actix_web::web::Data<AppState>,
    username: &str,
    password: String,
    ip: Option<String>,
) -> Result<(crate::db::models::User, Actor), AppError> {
    let account = throttle::account_key(username);
    let address = throttle::address_key(ip.as_deref());
    let name = username.to_owned();
    let (attempt, user) = throttle::admitted(|| {
        let (key, addr, name) = (account.clone(), address.clone(), name.clone());
        state.db.run(move |c| {
            let Some(attempt) = throttle::reserve_login(c, &key, &addr, now())? else {
                return Ok(None);
            };
            Ok(Some((attempt, user_q::find_user_by_username(c, &name)?)))
        })
    })
    .await?;
    let checked = state
        .verifier
        .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
        .await;
    let ok = match checked {
        Ok(ok) => ok,
        Err(e) => {
            state
                .db
                .run(move |c| throttle::login_unchecked(c, attempt))
                .await?;
            return Err(e);
        }
    };
    let actor = Actor {
        id: user.as_ref().map(|u| u.id),
        name: username.chars().take(64).collect(),
        ip,
        principal: None,
    };
    let user = match user {
        Some(user) if ok => user,
        _ => {
            state
                .db
                .run(move |c| throttle::login_failed(c, attempt))
                .await?;
            audit(state, actor, "login", Outcome::Failure, "bad credentials").await?;
            return Err(oauth("invalid_grant", BAD_CREDENTIALS));
        }
    };
    let id = user.id;
    state
        .db
        .run(move |c| {
            let code_follows = twofactor_q::is_enrolled(c, id)?;
            throttle::password_right(c, attempt, &account, &address, code_follows)
        })
        .await?;
    if user.disabled {
        audit(state, actor, "login", Outcome::Failure, "account disabled").await?;
        return Err(oauth("invalid_grant", "the account is disabled"));
    }
    Ok((user, actor))
}

/// Is `grant_type=password` served? `QUIRE_PASSWORD_GRANT=off` turns it off (RFC 9700:
/// third parties must not use it); then it is `unsupported_grant_type`, like any grant
/// Quire does not know.
pub fn password_grant_enabled(state: &AppState) -> Result<(), AppError> {
    if state.config.password_grant {
        Ok(())
    } else {
        Err(oauth(
            "unsupported_grant_type",
            "the password grant is turned off on this server",
        ))
    }
}

/// `grant_type=password`.
pub async fn password_grant(
    state: &actix_web::web::Data<AppState>,
    username: &str,
    password: String,
    scope: Option<String>,
    ip: Option<String>,
) -> Result<TokenResponse, AppError> {
    let (user, actor) = authenticate(state, username, password, ip).await?;
    super::second_factor::check_password_grant(state, user.id).await?;
    let st = state.clone();
    let user_id = user.id;
    let ttl = state.config.refresh_token_ttl;
    let (scope, refresh) = state
        .db
        .run(move |conn| {
            let snap = st.cache.snapshot(conn, Some(user_id), None)?;
            let perms = snap
                .user
                .as_ref()
                .map(|u| u.permissions.clone())
                .unwrap_or_default();
            let catalog: Vec<&str> = snap.catalog.iter().map(String::as_str).collect();
            let scope = resolve_scope(scope.as_deref(), &perms, &catalog)?;
            let (token, hash) = new_refresh_token();
            let family = uuid::Uuid::new_v4().to_string();
            write_tx(conn, |conn| {
                insert_refresh(conn, user_id, &hash, &family, &scope, ttl)?;
                record(
                    conn,
                    &actor,
                    "login",
                    "token",
                    Outcome::Success,
                    &format!("scope: {scope}"),
                )?;
                Ok::<_, AppError>(())
            })?;
            Ok((scope, (token, family)))
        })
        .await?;
    issue(state, user.id, &user.username, scope, refresh, None)
}

fn insert_refresh(
    conn: &mut crate::db::DbConn,
    user_id: i64,
    hash: &str,
    family: &str,
    scope: &str,
    ttl: std::time::Duration,
) -> Result<(), AppError> {
    let at = now();
    let ttl = chrono::Duration::from_std(ttl).map_err(anyhow::Error::from)?;
    token_q::insert_refresh_token(
        conn,
        &token_q::NewRefreshToken {
            user_id,
            token_hash: hash,
            family,
            scope,
            created_at: at,
            expires_at: at + ttl,
            revoked: false,
        },
    )?;
    Ok(())
}

async fn audit(
    state: &AppState,
    actor: Actor,
    action: &'static str,
    outcome: Outcome,
    detail: &'static str,
) -> Result<(), AppError> {
    state
        .db
        .run(move |conn| Ok(record(conn, &actor, action, "token", outcome, detail)?))
        .await
}

enum Refreshed {
    Ok {
        user_id: i64,
        username: String,
        scope: String,
        token: String,
        family: String,
        client: Option<String>,
    },
    Denied(&'static str),
}

/// `grant_type=refresh_token`: rotates the token; a reused (already rotated) token revokes
/// its whole family.
pub async fn refresh_grant(
    state: &actix_web::web::Data<AppState>,
    presented: String,
    scope: Option<String>,
    ip: Option<String>,
) -> Result<TokenResponse, AppError> {
    let st = state.clone();
    let ttl = state.config.refresh_token_ttl;
    let access_ttl = state.config.access_token_ttl;
    let outcome = state
        .db
        .run(move |conn| {
            let catalog_snap = st.cache.snapshot(conn, None, None)?;
            write_tx(conn, |conn| {
                let Some(old) = token_q::find_refresh_token(conn, &hash_token(&presented))? else {
                    return Ok(Refreshed::Denied("unknown refresh token"));
                };
                let user = user_q::find_user(conn, old.user_id)?;
                let actor = Actor {
                    id: Some(old.user_id),
                    name: user
                        .as_ref()
                        .map_or_else(|| "unknown".into(), |u| u.username.clone()),
                    ip: ip.clone(),
                    principal: None,
                };
                if old.revoked {
                    return Ok(Refreshed::Denied("the refresh token has been revoked"));
                }
                let at = now();
                if old.rotated_at.is_some() || !token_q::mark_rotated(conn, old.id, at)? {
                    // Reuse of a rotated token: someone else may hold it. Revoke the family
                    // and its access tokens.
                    end_family(conn, &old.family, access_ttl)?;
                    record(
                        conn,
                        &actor,
                        "token.reuse",
                        "refresh_token",
                        Outcome::Denied,
                        "family revoked",
                    )?;
                    return Ok(Refreshed::Denied(
                        "the refresh token was already used; its family is revoked",
                    ));
                }
                if old.expires_at <= at {
                    return Ok(Refreshed::Denied("the refresh token has expired"));
                }
                let Some(user) = user.filter(|u| !u.disabled) else {
                    return Ok(Refreshed::Denied("the account is disabled"));
                };
                let holds =
                    PermissionSet::from_grants(old.scope.split(' ').filter(|s| !s.is_empty()));
                let catalog: Vec<&str> = catalog_snap.catalog.iter().map(String::as_str).collect();
                let new_scope = match scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => old.scope.clone(),
                    Some(_) => resolve_scope(scope.as_deref(), &holds, &catalog)?,
                };
                let (token, hash) = new_refresh_token();
                insert_refresh(conn, user.id, &hash, &old.family, &new_scope, ttl)?;
                record(
                    conn,
                    &actor,
                    "token.refresh",
                    "refresh_token",
                    Outcome::Success,
                    &format!("scope: {new_scope}"),
                )?;
                Ok(Refreshed::Ok {
                    user_id: user.id,
                    username: user.username,
                    scope: new_scope,
                    token,
                    client: crate::db::queries::codes::find_family_client(conn, &old.family)?,
                    family: old.family,
                })
            })
        })
        .await?;
    match outcome {
        Refreshed::Ok {
            user_id,
            username,
            scope,
            token,
            family,
            client,
        } => issue(
            state,
            user_id,
            &username,
            scope,
            (token, family),
            client.as_deref(),
        ),
        Refreshed::Denied(why) => Err(oauth("invalid_grant", why)),
    }
}

mod revoke;
pub use revoke::revoke;

pub mod code;
pub use code::authorization_code_grant;

#[cfg(test)]
mod tests;
