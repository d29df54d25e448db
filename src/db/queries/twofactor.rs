//! Two-factor rows (SPEC §12): the sealed TOTP secret of each enrolled user, their hashed
//! recovery codes, and sign-ins waiting for a code.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{two_factor, two_factor_pending, two_factor_recovery};
use crate::db::time::{MaybeStamp, Stamp};
use crate::db::DbConn;

/// A user's TOTP enrolment; `confirmed_at` is `None` until the first code.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = two_factor)]
pub struct TwoFactor {
    pub user_id: i64,
    pub secret: String,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = MaybeStamp)]
    pub confirmed_at: Option<NaiveDateTime>,
    pub last_step: Option<i64>,
}

/// A sign-in waiting for its code.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = two_factor_pending)]
pub struct Pending {
    pub id: i64,
    pub user_id: i64,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    pub failures: i64,
}

/// The user's enrolment, confirmed or not.
pub fn find_two_factor(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<TwoFactor>> {
    two_factor::table
        .find(user_id)
        .select(TwoFactor::as_select())
        .first(conn)
        .optional()
}

/// Whether the user has confirmed two-factor.
pub fn is_enrolled(conn: &mut DbConn, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        two_factor::table
            .filter(two_factor::user_id.eq(user_id))
            .filter(two_factor::confirmed_at.is_not_null()),
    ))
    .get_result(conn)
}

/// Stores an unconfirmed enrolment with `secret` (sealed).
pub fn insert_two_factor(
    conn: &mut DbConn,
    user_id: i64,
    secret: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(two_factor::table)
        .values((
            two_factor::user_id.eq(user_id),
            two_factor::secret.eq(secret),
            two_factor::created_at.eq(at),
        ))
        .execute(conn)
}

/// Confirms the enrolment, recording the step of its code; false when it was already
/// confirmed (two confirmations at once make one).
pub fn confirm_two_factor(
    conn: &mut DbConn,
    user_id: i64,
    step: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        two_factor::table
            .filter(two_factor::user_id.eq(user_id))
            .filter(two_factor::confirmed_at.is_null()),
    )
    .set((
        two_factor::confirmed_at.eq(at),
        two_factor::last_step.eq(step),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Accepts a code of time step `step` once: moves `last_step` forward only when it is
/// behind, so a replay (or the same code sent twice at once) finds nothing to update.
pub fn accept_step(conn: &mut DbConn, user_id: i64, step: i64) -> QueryResult<bool> {
    diesel::update(
        two_factor::table
            .filter(two_factor::user_id.eq(user_id))
            .filter(two_factor::confirmed_at.is_not_null())
            .filter(
                two_factor::last_step
                    .is_null()
                    .or(two_factor::last_step.lt(step)),
            ),
    )
    .set(two_factor::last_step.eq(step))
    .execute(conn)
    .map(|n| n == 1)
}

/// Removes the user's enrolment, recovery codes and pending sign-ins; false when there was
/// no enrolment.
pub fn delete_two_factor(conn: &mut DbConn, user_id: i64) -> QueryResult<bool> {
    diesel::delete(two_factor_recovery::table.filter(two_factor_recovery::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(two_factor_pending::table.filter(two_factor_pending::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(two_factor::table.filter(two_factor::user_id.eq(user_id)))
        .execute(conn)
        .map(|n| n > 0)
}

/// Replaces the user's recovery codes with these hashes.
pub fn replace_recovery_codes(
    conn: &mut DbConn,
    user_id: i64,
    hashes: &[String],
) -> QueryResult<()> {
    diesel::delete(two_factor_recovery::table.filter(two_factor_recovery::user_id.eq(user_id)))
        .execute(conn)?;
    // One row at a time: batch inserts do not compile for both backends at once.
    for hash in hashes {
        diesel::insert_into(two_factor_recovery::table)
            .values((
                two_factor_recovery::user_id.eq(user_id),
                two_factor_recovery::code_hash.eq(hash),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Uses up a recovery code: true when it was one of the user's and is now gone.
pub fn use_recovery_code(conn: &mut DbConn, user_id: i64, hash: &str) -> QueryResult<bool> {
    diesel::delete(
        two_factor_recovery::table
            .filter(two_factor_recovery::user_id.eq(user_id))
            .filter(two_factor_recovery::code_hash.eq(hash)),
    )
    .execute(conn)
    .map(|n| n == 1)
}

/// Stores a pending sign-in; returns its id.
pub fn insert_pending(
    conn: &mut DbConn,
    user_id: i64,
    token_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(two_factor_pending::table)
        .values((
            two_factor_pending::user_id.eq(user_id),
            two_factor_pending::token_hash.eq(token_hash),
            two_factor_pending::created_at.eq(at),
        ))
        .returning(two_factor_pending::id)
        .get_result(conn)
}

/// The pending sign-in whose secret hashes to `token_hash`.
pub fn find_pending(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<Pending>> {
    two_factor_pending::table
        .filter(two_factor_pending::token_hash.eq(token_hash))
        .select(Pending::as_select())
        .first(conn)
        .optional()
}

/// Counts a wrong code on the pending sign-in; returns the failures so far.
pub fn count_pending_failure(conn: &mut DbConn, id: i64) -> QueryResult<i64> {
    diesel::update(two_factor_pending::table.find(id))
        .set(two_factor_pending::failures.eq(two_factor_pending::failures + 1))
        .returning(two_factor_pending::failures)
        .get_result(conn)
}

/// Ends a pending sign-in; false when it had already ended.
pub fn delete_pending(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::delete(two_factor_pending::table.find(id))
        .execute(conn)
        .map(|n| n == 1)
}

/// Removes pending sign-ins started before `before` (abandoned ones).
pub fn delete_stale_pending(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(two_factor_pending::table.filter(two_factor_pending::created_at.lt(before)))
        .execute(conn)
}
