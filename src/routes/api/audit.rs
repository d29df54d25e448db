//! `GET /api/audit` (audit:read), newest first.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::principal::Caller;
use crate::db::models::AuditEvent;
use crate::db::queries::audit::{list_events, AuditFilter};
use crate::error::AppError;
use crate::routes::api::cursor;
use crate::routes::api::views::rfc3339;
use crate::state::State;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Username (or `cli`, `anonymous`) that acted.
    actor: Option<String>,
    /// e.g. `login`, `role.grant`, `access.denied`.
    action: Option<String>,
    /// `success`, `failure` or `denied`.
    #[param(pattern = "^(success|failure|denied)$")]
    outcome: Option<String>,
    /// 1–100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventView {
    id: i64,
    at: String,
    actor: String,
    actor_id: Option<i64>,
    action: String,
    target: String,
    outcome: String,
    detail: String,
    ip: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    items: Vec<AuditEventView>,
    next_cursor: Option<String>,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            at: rfc3339(e.at),
            actor: e.actor,
            actor_id: e.actor_id,
            action: e.action,
            target: e.target,
            outcome: e.outcome,
            detail: e.detail,
            ip: e.ip,
        }
    }
}

#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("oauth2" = ["audit:read"])),
    responses(
        (status = 200, description = "Audit events, newest first", body = AuditPage),
        (status = 422, description = "Bad limit or outcome", body = crate::error::ErrorBody),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    state: State,
    caller: Caller,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["audit:read"])?;
    let q = q.into_inner();
    let limit = cursor::limit(q.limit.as_deref())?;
    if let Some(o) = &q.outcome {
        if !["success", "failure", "denied"].contains(&o.as_str()) {
            return Err(AppError::field(
                "outcome",
                "must be success, failure or denied",
            ));
        }
    }
    let filter = AuditFilter {
        actor: q.actor,
        action: q.action,
        outcome: q.outcome,
        before_id: q
            .cursor
            .as_deref()
            .map(|c| cursor::decode('a', c))
            .transpose()?,
    };
    let events = state
        .db
        .run(move |conn| Ok(list_events(conn, &filter, limit)?))
        .await?;
    let next_cursor = cursor::next('a', events.len(), limit, events.last().map(|e| e.id));
    let items = events.into_iter().map(AuditEventView::from).collect();
    Ok(HttpResponse::Ok().json(AuditPage { items, next_cursor }))
}
