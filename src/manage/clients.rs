//! Registering and deleting clients, approving an authorization request and revoking an
//! approved app (SPEC §11), each one transaction with its audit event, for the JSON API
//! and the pages alike. Ending what a client holds goes through the refresh-token
//! families tied to it (`oauth_families`): [`end_family`] refuses their refresh tokens
//! and, from the next request on every instance, their access tokens.

use std::time::Duration;

use super::Actor;
use crate::audit::{record, Outcome};
use crate::auth::families::end_family;
use crate::db::queries::clients::{self as client_q, Client};
use crate::db::queries::codes as code_q;
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;
use crate::oauth::client::ValidClient;

/// Stores a validated client under a new random id and audits `client.create`.
pub fn create_client(
    conn: &mut DbConn,
    actor: &Actor,
    valid: &ValidClient,
) -> Result<Client, AppError> {
    let client = Client {
        client_id: uuid::Uuid::new_v4().to_string(),
        name: valid.name.clone(),
        redirect_uris: valid.redirect_uris.join("\n"),
        scopes: valid.scopes.join(" "),
        created_by: actor.id,
        created_at: now(),
    };
    write_tx(conn, |conn| {
        client_q::insert_client(
            conn,
            &client_q::NewClient {
                client_id: &client.client_id,
                name: &client.name,
                redirect_uris: &client.redirect_uris,
                scopes: &client.scopes,
                created_by: client.created_by,
                created_at: client.created_at,
            },
        )?;
        let detail = format!("{} ({})", client.name, client.scopes);
        record(
            conn,
            actor,
            "client.create",
            &client.client_id,
            Outcome::Success,
            &detail,
        )?;
        Ok(client.clone())
    })
}

/// Deletes a client: every token issued to it stops working, its codes and approvals go
/// with it; audits `client.delete`. 404 when there is no such client.
pub fn delete_client(
    conn: &mut DbConn,
    actor: &Actor,
    client_id: &str,
    access_ttl: Duration,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        for family in code_q::list_client_families(conn, client_id, None)? {
            end_family(conn, &family, access_ttl)?;
        }
        if !client_q::delete_client(conn, client_id)? {
            return Err(AppError::NotFound);
        }
        record(
            conn,
            actor,
            "client.delete",
            client_id,
            Outcome::Success,
            "",
        )?;
        Ok(())
    })
}

/// An approved authorization request, as the code will be bound to it.
pub struct Approval<'a> {
    pub user_id: i64,
    pub client_id: &'a str,
    /// The `redirect_uri` the request sent (`None` when it was omitted).
    pub redirect_uri: Option<&'a str>,
    pub scopes: &'a [String],
    pub challenge: &'a str,
}

/// Stores the code (by `code_hash`), remembers the approval for "apps you approved", and
/// audits `oauth.approve`.
pub fn approve(
    conn: &mut DbConn,
    actor: &Actor,
    approval: &Approval<'_>,
    code_hash: &str,
    expires_at: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let scopes = approval.scopes.join(" ");
    write_tx(conn, |conn| {
        // The code's life starts where its expiry was counted from.
        let at = expires_at - chrono::Duration::seconds(crate::oauth::codes::LIFETIME_SECS);
        code_q::insert_code(
            conn,
            &code_q::NewCode {
                code_hash,
                client_id: approval.client_id,
                user_id: approval.user_id,
                redirect_uri: approval.redirect_uri,
                scopes: &scopes,
                code_challenge: approval.challenge,
                created_at: at,
                expires_at,
            },
        )?;
        code_q::upsert_grant(conn, approval.user_id, approval.client_id, &scopes, at)?;
        let detail = format!("scope: {scopes}");
        record(
            conn,
            actor,
            "oauth.approve",
            approval.client_id,
            Outcome::Success,
            &detail,
        )?;
        Ok(())
    })
}

/// Revokes the user's approval of a client: the refresh and access tokens it holds for
/// the user stop working; audits `oauth.revoke`. 404 when the user had not approved it.
pub fn revoke_app(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    client_id: &str,
    access_ttl: Duration,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        let families = code_q::list_client_families(conn, client_id, Some(user_id))?;
        for family in &families {
            end_family(conn, family, access_ttl)?;
        }
        code_q::delete_families(conn, client_id, user_id)?;
        if !code_q::delete_grant(conn, user_id, client_id)? && families.is_empty() {
            return Err(AppError::NotFound);
        }
        record(conn, actor, "oauth.revoke", client_id, Outcome::Success, "")?;
        Ok(())
    })
}
