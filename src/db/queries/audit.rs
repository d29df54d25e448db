use std::borrow::Cow;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::NewAuditEvent;
use crate::db::schema::{audit_denials, audit_events};
use crate::db::DbConn;

/// A stored target is at most this many characters (SPEC H9).
pub const MAX_TARGET_CHARS: usize = 256;

/// A stored detail is at most this many bytes (SPEC H9).
pub const MAX_DETAIL_BYTES: usize = 2048;

const CUT: char = '…';

/// `s` cut to `max` characters, the last one `…` when something was cut.
pub fn bounded_chars(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) => {
            let (end, _) = s.char_indices().nth(max - 1).unwrap_or((0, CUT));
            Cow::Owned(format!("{}{CUT}", &s[..end]))
        }
    }
}

/// `s` cut on a character boundary to at most `max` bytes, ending in `…` when something
/// was cut.
pub fn bounded_bytes(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let end = s.floor_char_boundary(max - CUT.len_utf8());
    Cow::Owned(format!("{}{CUT}", &s[..end]))
}

/// Appends one audit event and returns its id. Every event is written here, so this is
/// where the bounds of its target and detail hold: whatever a request carries (a 60 KB
/// path, a long form value), a row stays small.
pub fn insert_event(conn: &mut DbConn, event: &NewAuditEvent<'_>) -> QueryResult<i64> {
    let target = bounded_chars(event.target, MAX_TARGET_CHARS);
    let detail = bounded_bytes(event.detail, MAX_DETAIL_BYTES);
    diesel::insert_into(audit_events::table)
        .values(&NewAuditEvent {
            target: &target,
            detail: &detail,
            ..*event
        })
        .returning(audit_events::id)
        .get_result(conn)
}

/// Replaces the detail of event `id` (a denial summary whose count grew), within bounds.
pub fn update_event_detail(conn: &mut DbConn, id: i64, detail: &str) -> QueryResult<()> {
    diesel::update(audit_events::table.find(id))
        .set(audit_events::detail.eq(bounded_bytes(detail, MAX_DETAIL_BYTES).as_ref()))
        .execute(conn)
        .map(|_| ())
}

/// Counts one denial of `actor` in `minute` and returns the count so far with the id of
/// the minute's summary event, if written yet. One upsert: the row lock it takes orders
/// concurrent denials, also from other instances on the same PostgreSQL database, so each
/// sees its own count and the one that passes the limit is the only one to see it.
pub fn count_denial(
    conn: &mut DbConn,
    actor: &str,
    minute: NaiveDateTime,
) -> QueryResult<(i64, Option<i64>)> {
    crate::on_backend!(conn, |c| diesel::insert_into(audit_denials::table)
        .values((
            audit_denials::actor.eq(actor),
            audit_denials::minute.eq(minute),
            audit_denials::count.eq(1_i64),
        ))
        .on_conflict((audit_denials::actor, audit_denials::minute))
        .do_update()
        .set(audit_denials::count.eq(audit_denials::count + 1_i64))
        .returning((audit_denials::count, audit_denials::summary_id))
        .get_result(c))
}

/// Remembers the summary event of `actor`'s denials in `minute`.
pub fn set_denial_summary(
    conn: &mut DbConn,
    actor: &str,
    minute: NaiveDateTime,
    summary_id: i64,
) -> QueryResult<()> {
    diesel::update(audit_denials::table.find((actor, minute)))
        .set(audit_denials::summary_id.eq(summary_id))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_cut_to_256_characters() {
        assert_eq!(bounded_chars("GET /x", 256), "GET /x");
        let exact = "é".repeat(256);
        assert_eq!(bounded_chars(&exact, 256), exact);
        let long = "é".repeat(300);
        let cut = bounded_chars(&long, 256);
        assert_eq!(cut.chars().count(), 256);
        assert!(cut.ends_with("é…"));
    }

    #[test]
    fn details_are_cut_to_2_kib_on_a_character_boundary() {
        let exact = "a".repeat(2048);
        assert_eq!(bounded_bytes(&exact, 2048), exact);
        // Four-byte characters: the cut never splits one.
        for prefix in ["", "a", "ab", "abc"] {
            let long = format!("{prefix}{}", "𝄞".repeat(1000));
            let cut = bounded_bytes(&long, 2048);
            assert!(cut.len() <= 2048, "{prefix:?}: {}", cut.len());
            assert!(cut.len() > 2048 - 4 - 3, "{prefix:?}: {}", cut.len());
            assert!(cut.ends_with("𝄞…"), "{prefix:?}");
        }
    }
}
