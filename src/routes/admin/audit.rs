//! `/admin/audit`: the audit log with filters and paging.

use actix_session::Session;
use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{guard, render, Layout, PageError};
use crate::auth::principal::Caller;
use crate::db::queries::audit::{list_events, AuditFilter};
use crate::routes::api::cursor;
use crate::routes::api::views::display_time;
use crate::state::State;

pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    events: Vec<EventRow>,
    actor: String,
    action: String,
    outcome: String,
    older_link: String,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    cursor: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

#[get("/audit")]
pub async fn audit_page(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["audit:read"])?;
    let filter = AuditFilter {
        actor: nonempty(&q.actor),
        action: nonempty(&q.action),
        outcome: nonempty(&q.outcome),
        before_id: q
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| cursor::decode('a', c))
            .transpose()?,
    };
    let older_link = format!(
        "/admin/audit?actor={}&action={}&outcome={}",
        super::urlencode(filter.actor.as_deref().unwrap_or("")),
        super::urlencode(filter.action.as_deref().unwrap_or("")),
        super::urlencode(filter.outcome.as_deref().unwrap_or("")),
    );
    let limit = 50;
    let f = filter.clone();
    let events = state
        .db
        .run(move |c| Ok(list_events(c, &f, limit)?))
        .await?;
    let next_cursor = cursor::next('a', events.len(), limit, events.last().map(|e| e.id));
    let events = events
        .into_iter()
        .map(|e| EventRow {
            at: display_time(e.at),
            actor: e.actor,
            action: e.action,
            target: e.target,
            outcome: e.outcome,
            detail: e.detail,
            ip: e.ip.unwrap_or_default(),
        })
        .collect();
    render(&AuditPage {
        layout: Layout::new("Audit log", &caller, &session),
        events,
        actor: filter.actor.unwrap_or_default(),
        action: filter.action.unwrap_or_default(),
        outcome: filter.outcome.unwrap_or_default(),
        older_link,
        next_cursor,
    })
}
