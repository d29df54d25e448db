use diesel::prelude::*;

use crate::db::models::NewAuditEvent;
use crate::db::schema::audit_events;
use crate::db::DbConn;

/// Appends one audit event.
pub fn insert_event(conn: &mut DbConn, event: &NewAuditEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)
        .map(|_| ())
}

/// Filters of `GET /api/audit` and the admin audit page.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Only events with an id below this (keyset pagination, newest first).
    pub before_id: Option<i64>,
}

/// Newest first, at most `limit`.
pub fn list_events(
    conn: &mut DbConn,
    filter: &AuditFilter,
    limit: i64,
) -> QueryResult<Vec<crate::db::models::AuditEvent>> {
    let mut query = audit_events::table
        .select(crate::db::models::AuditEvent::as_select())
        .order(audit_events::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_events::actor.eq(actor.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(outcome) = &filter.outcome {
        query = query.filter(audit_events::outcome.eq(outcome.clone()));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(audit_events::id.lt(before));
    }
    query.load(conn)
}

/// Did the command line (not a person through the API or registration) create the account
/// `username`? The CLI is audited as actor `cli` with no actor id; an account that happens
/// to be called `cli` always has one. Used to adopt the first admin of a database from
/// before the first admin's id was remembered (docs/decisions.md).
pub fn created_by_cli(conn: &mut DbConn, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        audit_events::table
            .filter(audit_events::actor.eq("cli"))
            .filter(audit_events::actor_id.is_null())
            .filter(audit_events::action.eq("user.create"))
            .filter(audit_events::target.eq(username))
            .filter(audit_events::outcome.eq("success")),
    ))
    .get_result(conn)
}
