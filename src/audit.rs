//! Who acted and writing what they did: a leaf below `auth` and `manage`, so both record
//! events without importing each other.

use chrono::{NaiveDateTime, Timelike};
use diesel::QueryResult;

use crate::authz::Principal;
use crate::db::models::NewAuditEvent;
use crate::db::queries::audit::{self as audit_q, insert_event};
use crate::db::{now, write_tx, DbConn};

/// Who performs an administrative change.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
    /// The caller's effective permissions; `None` for the operator's CLI, which has no
    /// ceiling (it already has the database).
    pub principal: Option<Principal>,
}

impl Actor {
    /// The command line, audited as `cli`.
    pub fn cli() -> Self {
        Self {
            id: None,
            name: "cli".into(),
            ip: None,
            principal: None,
        }
    }
}

/// Denials stored one by one per actor and minute (SPEC H9); past that they are counted.
pub const DENIALS_PER_MINUTE: i64 = 60;

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
    insert(conn, actor, now(), action, target, outcome, detail).map(|_| ())
}

fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    action: &str,
    target: &str,
    outcome: Outcome,
    detail: &str,
) -> QueryResult<i64> {
    insert_event(
        conn,
        &NewAuditEvent {
            at,
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

/// The key denials are counted under: the user, or the client address of an anonymous
/// caller (an attacker's requests carry no user, and their address is what they share).
pub fn denial_key(actor: &Actor) -> String {
    match (actor.id, &actor.ip) {
        (Some(id), _) => format!("user:{id}"),
        (None, Some(ip)) => format!("ip:{ip}"),
        (None, None) => "ip:unknown".into(),
    }
}

/// Records a denial (`access.denied`) in its own transaction: the first
/// [`DENIALS_PER_MINUTE`] of an actor in a minute one by one, the rest only counted, in one
/// `access.denied.summary` event per actor and minute whose detail carries the count. A
/// flood of denied requests thus adds at most 61 rows a minute per actor.
pub fn record_denial(
    conn: &mut DbConn,
    actor: &Actor,
    target: &str,
    detail: &str,
) -> QueryResult<()> {
    let at = now();
    let minute = at
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(at);
    let key = denial_key(actor);
    write_tx(conn, |conn| {
        let (count, summary) = audit_q::count_denial(conn, &key, minute)?;
        if count <= DENIALS_PER_MINUTE {
            return insert(
                conn,
                actor,
                at,
                "access.denied",
                target,
                Outcome::Denied,
                detail,
            )
            .map(|_| ());
        }
        let summary_detail = format!(
            "{} more denials of {key} in the minute from {} UTC were counted, not stored one by one",
            count - DENIALS_PER_MINUTE,
            minute.format("%Y-%m-%d %H:%M"),
        );
        match summary {
            Some(id) => audit_q::update_event_detail(conn, id, &summary_detail),
            None => {
                let id = insert(
                    conn,
                    actor,
                    at,
                    "access.denied.summary",
                    &key,
                    Outcome::Denied,
                    &summary_detail,
                )?;
                audit_q::set_denial_summary(conn, &key, minute, id)
            }
        }
    })
}
