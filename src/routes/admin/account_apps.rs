//! The "apps you approved" section of `/admin/account` (SPEC §11): each client the caller
//! approved in the authorization code flow, with a revoke button that ends its refresh
//! and access tokens (`manage::clients::revoke_app`).

use actix_session::Session;
use actix_web::{post, web, HttpResponse};

use super::roles::flash_outcome;
use super::{see_other, signed_in, CsrfForm, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::{check_csrf, flash};
use crate::db::queries::codes::ApprovedApp;
use crate::error::AppError;
use crate::manage::clients::revoke_app;
use crate::routes::api::views::display_time;
use crate::state::State;

const PAGE: &str = "/admin/account";

/// One approved app in the list.
pub struct AppLine {
    pub client_id: String,
    pub name: String,
    pub scopes: String,
    pub approved: String,
}

impl From<&ApprovedApp> for AppLine {
    fn from(a: &ApprovedApp) -> Self {
        Self {
            client_id: a.client_id.clone(),
            name: a.name.clone(),
            scopes: a.scopes.clone(),
            approved: display_time(a.approved_at),
        }
    }
}

/// `POST /admin/account/apps/{client_id}/revoke`: forgets the approval and ends the
/// app's tokens for the caller (their next request is 401).
#[post("/account/apps/{client_id}/revoke")]
pub async fn revoke_app_form(
    state: State,
    caller: Caller,
    session: Session,
    client_id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    check_csrf(&session, form.csrf.as_deref())?;
    let (actor, client_id) = (caller.actor(), client_id.into_inner());
    let ttl = state.config.access_token_ttl;
    let result = state
        .db
        .run(move |conn| revoke_app(conn, &actor, user.id, &client_id, ttl))
        .await;
    match result {
        Err(AppError::NotFound) => flash(&session, "error", "That app had no access any more."),
        other => {
            flash_outcome(&session, other, "The app's access was revoked.".into())?;
        }
    }
    Ok(see_other(PAGE))
}
