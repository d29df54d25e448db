//! Writing audit events.

use diesel::QueryResult;

use super::Actor;
use crate::db::models::NewAuditEvent;
use crate::db::queries::audit::insert_event;
use crate::db::{now, DbConn};

/// Outcome of an audited action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }
}

/// Records one event in the caller's transaction.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    target: &str,
    outcome: Outcome,
    detail: &str,
) -> QueryResult<()> {
    insert_event(
        conn,
        &NewAuditEvent {
            at: now(),
            actor_id: actor.id,
            actor: &actor.name,
            action,
            target,
            outcome: outcome.as_str(),
            detail,
            ip: actor.ip.as_deref(),
        },
    )
}
