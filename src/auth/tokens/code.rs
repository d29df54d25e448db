//! `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5, SPEC §11). The code
//! is used up by any presentation, and a second one ends the refresh family (so every
//! token) the first one started: the code may have been stolen (RFC 6749 §4.1.2).

use super::{insert_refresh, issue, new_refresh_token, oauth, TokenResponse};
use crate::auth::families::end_family;
use crate::db::queries::{codes as code_q, users as user_q};
use crate::db::{now, write_tx};
use crate::error::AppError;
use crate::manage::audit::{record, Outcome};
use crate::manage::Actor;
use crate::oauth::codes::{decide, CodeRecord, Decision, Exchange};
use crate::oauth::hash_secret;
use crate::state::AppState;

/// The token request's fields.
pub struct CodeRequest {
    pub code: String,
    pub verifier: String,
    pub client_id: String,
    pub redirect_uri: Option<String>,
}

enum Exchanged {
    Ok {
        user_id: i64,
        username: String,
        scope: String,
        token: String,
        family: String,
    },
    Denied(&'static str),
}

/// Exchanges a code for tokens whose `scope` is what the user approved and whose access
/// tokens name the client; their family is tied to the client, so revoking the app or
/// deleting the client ends them.
pub async fn authorization_code_grant(
    state: &actix_web::web::Data<AppState>,
    request: CodeRequest,
    ip: Option<String>,
) -> Result<TokenResponse, AppError> {
    let ttl = state.config.refresh_token_ttl;
    let access_ttl = state.config.access_token_ttl;
    let client_id = request.client_id.clone();
    let outcome = state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let hash = hash_secret(&request.code);
                let Some(stored) = code_q::find_code(conn, &hash)? else {
                    return Ok(Exchanged::Denied("unknown authorization code"));
                };
                let actor = Actor {
                    id: Some(stored.user_id),
                    name: user_q::find_user(conn, stored.user_id)?
                        .map_or_else(|| "unknown".into(), |u| u.username),
                    ip: ip.clone(),
                    principal: None,
                };
                let record_of = CodeRecord {
                    client_id: stored.client_id.clone(),
                    redirect_uri: stored.redirect_uri.clone(),
                    challenge: stored.code_challenge.clone(),
                    expires_at: stored.expires_at,
                    used_at: stored.used_at,
                };
                let exchange = Exchange {
                    client_id: &request.client_id,
                    redirect_uri: request.redirect_uri.as_deref(),
                    verifier: &request.verifier,
                };
                let at = now();
                let mut decision = decide(&record_of, &exchange, at);
                // Another exchange of the same code may have committed since it was read.
                if decision != Decision::Reused && !code_q::mark_code_used(conn, &hash, at)? {
                    decision = Decision::Reused;
                }
                match decision {
                    Decision::Reused => {
                        let family = code_q::find_code(conn, &hash)?.and_then(|c| c.family);
                        if let Some(family) = family {
                            end_family(conn, &family, access_ttl)?;
                        }
                        let target = stored.client_id.as_str();
                        record(conn, &actor, "token.code_reuse", target, Outcome::Denied, "family revoked")?;
                        return Ok(Exchanged::Denied(
                            "the authorization code was already used; the tokens it issued are revoked",
                        ));
                    }
                    Decision::Refuse(why) => return Ok(Exchanged::Denied(why)),
                    Decision::Issue => {}
                }
                let Some(user) = user_q::find_user(conn, stored.user_id)?.filter(|u| !u.disabled)
                else {
                    return Ok(Exchanged::Denied("the account is disabled"));
                };
                let (token, token_hash) = new_refresh_token();
                let family = uuid::Uuid::new_v4().to_string();
                insert_refresh(conn, user.id, &token_hash, &family, &stored.scopes, ttl)?;
                code_q::insert_family(conn, &family, user.id, &stored.client_id, at)?;
                code_q::set_code_family(conn, &hash, &family)?;
                let detail = format!("authorization code for {}; scope: {}", stored.client_id, stored.scopes);
                record(conn, &actor, "login", "token", Outcome::Success, &detail)?;
                Ok::<_, AppError>(Exchanged::Ok {
                    user_id: user.id,
                    username: user.username,
                    scope: stored.scopes,
                    token,
                    family,
                })
            })
        })
        .await?;
    match outcome {
        Exchanged::Ok {
            user_id,
            username,
            scope,
            token,
            family,
        } => issue(
            state,
            user_id,
            &username,
            scope,
            (token, family),
            Some(&client_id),
        ),
        Exchanged::Denied(why) => Err(oauth("invalid_grant", why)),
    }
}
