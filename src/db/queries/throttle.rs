//! Sign-in attempts and registrations counted per account and client address (SPEC H4).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::throttle_events;
use crate::db::DbConn;

/// Which events a count looks at: a bucket, optionally one account and/or one address,
/// since a time.
#[derive(Clone, Copy, Debug)]
pub struct Window<'a> {
    pub bucket: &'a str,
    pub account: Option<&'a str>,
    pub address: Option<&'a str>,
    pub since: NaiveDateTime,
    /// Count only settled events, and pending ones recorded before this time (a check that
    /// never settled, say on an instance that stopped): `None` counts every event.
    pub settled_or_before: Option<NaiveDateTime>,
}

/// The time of the `n`-th newest event in `window` (1-based), if there are that many: while
/// it lies in the window, the window holds at least `n` events.
pub fn find_nth_newest(
    conn: &mut DbConn,
    window: Window<'_>,
    n: i64,
) -> QueryResult<Option<NaiveDateTime>> {
    let mut query = throttle_events::table
        .filter(throttle_events::bucket.eq(window.bucket))
        .filter(throttle_events::at.gt(window.since))
        .select(throttle_events::at)
        .order(throttle_events::at.desc())
        .offset(n - 1)
        .limit(1)
        .into_boxed();
    if let Some(account) = window.account {
        query = query.filter(throttle_events::account.eq(account));
    }
    if let Some(address) = window.address {
        query = query.filter(throttle_events::address.eq(address));
    }
    if let Some(before) = window.settled_or_before {
        query = query.filter(
            throttle_events::pending
                .eq(false)
                .or(throttle_events::at.lt(before)),
        );
    }
    query.first(conn).optional()
}

pub fn insert_event(
    conn: &mut DbConn,
    bucket: &str,
    account: &str,
    address: &str,
    at: NaiveDateTime,
    pending: bool,
) -> QueryResult<i64> {
    diesel::insert_into(throttle_events::table)
        .values((
            throttle_events::bucket.eq(bucket),
            throttle_events::account.eq(account),
            throttle_events::address.eq(address),
            throttle_events::at.eq(at),
            throttle_events::pending.eq(pending),
        ))
        .returning(throttle_events::id)
        .get_result(conn)
}

/// Settles a pending event: it counts as a failure from now on.
pub fn settle_event(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(throttle_events::table.find(id))
        .set(throttle_events::pending.eq(false))
        .execute(conn)
}

pub fn delete_event(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::delete(throttle_events::table.find(id)).execute(conn)
}

/// Forgets the events of one account from one address (after that pair signed in).
pub fn delete_pair(
    conn: &mut DbConn,
    bucket: &str,
    account: &str,
    address: &str,
) -> QueryResult<usize> {
    diesel::delete(
        throttle_events::table
            .filter(throttle_events::bucket.eq(bucket))
            .filter(throttle_events::account.eq(account))
            .filter(throttle_events::address.eq(address)),
    )
    .execute(conn)
}
