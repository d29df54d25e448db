//! Two-factor changes (SPEC §12), each one transaction with its audit event: confirming an
//! enrolment (which ends the user's other sessions), using a code or a recovery code once,
//! new recovery codes, disabling, and an administrator's reset (which ends every session of the user).

use super::Actor;
use crate::audit::{record, Outcome};
use crate::db::queries::{sessions as session_q, twofactor as q};
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;

/// The user's unconfirmed enrolment, created with `sealed` when there is none yet; `None`
/// when two-factor is already on.
pub fn start_enrolment(
    conn: &mut DbConn,
    user_id: i64,
    sealed: &str,
) -> Result<Option<q::TwoFactor>, AppError> {
    write_tx(conn, |conn| {
        if q::find_two_factor(conn, user_id)?.is_none() {
            q::insert_two_factor(conn, user_id, sealed, now())?;
        }
        let row = q::find_two_factor(conn, user_id)?;
        Ok(row.filter(|r| r.confirmed_at.is_none()))
    })
}

/// What confirming an enrolment needs: the step of the code that confirmed it, the hashes
/// of the new recovery codes, and the session that stays signed in.
pub struct Confirmation {
    pub step: i64,
    pub recovery_hashes: Vec<String>,
    pub keep_session: Option<i64>,
}

/// Turns two-factor on: stores the recovery codes, ends the user's other sessions, audits
/// `user.2fa_enable`. 409 when it was already on.
pub fn confirm_enrolment(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    username: &str,
    confirmation: &Confirmation,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        if !q::confirm_two_factor(conn, user_id, confirmation.step, now())? {
            return Err(AppError::Conflict(
                "two-factor sign-in is already on".into(),
            ));
        }
        q::replace_recovery_codes(conn, user_id, &confirmation.recovery_hashes)?;
        let ended = session_q::delete_user_sessions(conn, user_id, confirmation.keep_session)?;
        let detail = format!("other sessions ended: {ended}");
        record(
            conn,
            actor,
            "user.2fa_enable",
            username,
            Outcome::Success,
            &detail,
        )?;
        Ok(())
    })
}

/// A second factor as presented: the step a TOTP code matched, or a recovery code's hash.
pub enum Presented {
    Step(i64),
    Recovery(String),
    /// Neither: a wrong code.
    Nothing,
}

/// Uses the presented factor once: a step later than the last accepted one, or a recovery
/// code that is then gone. False for a replay, a used code or a wrong one.
pub fn use_factor(
    conn: &mut DbConn,
    user_id: i64,
    presented: &Presented,
) -> Result<bool, AppError> {
    Ok(match presented {
        Presented::Step(step) => q::accept_step(conn, user_id, *step)?,
        Presented::Recovery(hash) => q::use_recovery_code(conn, user_id, hash)?,
        Presented::Nothing => false,
    })
}

/// The user turns two-factor off (after presenting a factor): audited `user.2fa_disable`.
pub fn disable(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    username: &str,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        q::delete_two_factor(conn, user_id)?;
        record(
            conn,
            actor,
            "user.2fa_disable",
            username,
            Outcome::Success,
            "",
        )?;
        Ok(())
    })
}

/// The user replaces their recovery codes (after presenting a factor): the old ones stop
/// working, audited `user.2fa_recovery_codes`. 404 when two-factor is off.
pub fn replace_recovery_codes(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    username: &str,
    hashes: &[String],
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        if !q::is_enrolled(conn, user_id)? {
            return Err(AppError::NotFound);
        }
        q::replace_recovery_codes(conn, user_id, hashes)?;
        let detail = format!("new recovery codes: {}", hashes.len());
        record(
            conn,
            actor,
            "user.2fa_recovery_codes",
            username,
            Outcome::Success,
            &detail,
        )?;
        Ok(())
    })
}

/// An administrator resets another user's two-factor: the enrolment, recovery codes and
/// pending sign-ins go, every session of the user ends, audited `user.2fa_reset`. 404 when
/// the user has no two-factor to reset.
pub fn reset(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i64,
    username: &str,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        if !q::delete_two_factor(conn, user_id)? {
            return Err(AppError::NotFound);
        }
        let ended = session_q::delete_user_sessions(conn, user_id, None)?;
        let detail = format!("sessions ended: {ended}");
        record(
            conn,
            actor,
            "user.2fa_reset",
            username,
            Outcome::Success,
            &detail,
        )?;
        Ok(())
    })
}
