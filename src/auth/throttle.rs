//! Throttling of password guesses and registrations (SPEC H4), kept in the database so that
//! every instance on one PostgreSQL database counts the same attempts.
//!
//! An attempt is counted **before** the password is checked: [`reserve_login`] decides and
//! records it in one serialized step (a named lock on PostgreSQL, `BEGIN IMMEDIATE` on
//! SQLite), so a hundred guesses sent at once are counted one after the other and only the
//! first few get to bcrypt. A reserved attempt is *pending* until its check settles it:
//! [`login_failed`] makes it a failure, [`login_succeeded`] forgives the pair (a right
//! password of an account with two-factor forgives nothing: [`password_right`]). A request
//! that finds a limit reached only because of pending attempts is not refused but told to
//! wait ([`admitted`] polls): if they were right, the pair is forgiven and it goes ahead
//! (parallel sign-ins with the right password all succeed); if they were guesses, they
//! settle as failures and it gets its 429. Registrations are reserved the same way, settled
//! at once, and given back when no account came of them.

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::db::queries::locks::lock_for_transaction;
use crate::db::queries::throttle::{self as q, Window};
use crate::db::{write_tx, DbConn};
use crate::error::AppError;

/// At most `max` events within `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window: Duration,
}

const MINUTES_15: Duration = Duration::from_secs(15 * 60);
const HOUR: Duration = Duration::from_secs(60 * 60);

/// Failed sign-ins of one account from one address.
pub const PER_PAIR: Limit = Limit {
    max: 5,
    window: MINUTES_15,
};
/// Failed sign-ins from one address, whatever the account.
pub const PER_ADDRESS: Limit = Limit {
    max: 20,
    window: MINUTES_15,
};
/// Failed sign-ins of one account from every address. The only limit that stops a correct
/// password from an address with no failures of its own: anybody can reach it for any
/// account, so it is high.
pub const PER_ACCOUNT: Limit = Limit {
    max: 100,
    window: HOUR,
};
/// Accounts created from one address.
pub const REGISTRATIONS: Limit = Limit {
    max: 10,
    window: HOUR,
};

/// A check still pending after this long counts as a failure (its instance may have stopped).
const PENDING_AT_MOST: Duration = Duration::from_secs(30);
/// How long a sign-in waits for the pending checks ahead of it before it gives up with 429.
const WAIT_AT_MOST: Duration = Duration::from_secs(5);
const POLL_EVERY: Duration = Duration::from_millis(20);

/// The longest a throttle looks back; older events may be pruned.
pub const LONGEST_WINDOW: Duration = HOUR;

const LOGIN: &str = "login";
const REGISTER: &str = "register";
/// One lock for every reservation: reservations are a few indexed reads and one insert,
/// while each guess they admit costs a bcrypt, so they never queue for long.
const LOCK: &str = "quire:throttle";

/// An attempt that has been counted.
#[derive(Clone, Copy, Debug)]
pub struct Attempt(i64);

/// The account key of a sign-in: what was typed, as usernames are compared (lowercase),
/// cut to a length no username reaches.
pub fn account_key(username: &str) -> String {
    username.chars().take(64).collect::<String>().to_lowercase()
}

/// The address key; requests without a known address share one.
pub fn address_key(address: Option<&str>) -> String {
    address.unwrap_or("-").to_owned()
}

/// Counts a sign-in attempt of `account` from `address` as pending, or refuses it with 429
/// when one of the limits is reached by settled failures. `None`: a limit is reached only
/// with attempts still being checked; ask again shortly ([`admitted`]).
pub fn reserve_login(
    conn: &mut DbConn,
    account: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<Option<Attempt>, AppError> {
    let windows = [
        (PER_PAIR, Some(account), Some(address)),
        (PER_ADDRESS, None, Some(address)),
        (PER_ACCOUNT, Some(account), None),
    ];
    reserve(conn, LOGIN, &windows, account, address, now, true)
}

/// Runs `reserve` (a database step around [`reserve_login`]) until it admits the attempt,
/// waiting while the attempts ahead of it are being checked, for at most a few seconds.
pub async fn admitted<T, F, Fut>(mut reserve: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, AppError>>,
{
    let give_up_at = Instant::now() + WAIT_AT_MOST;
    loop {
        if let Some(admitted) = reserve().await? {
            return Ok(admitted);
        }
        if Instant::now() >= give_up_at {
            return Err(AppError::RateLimited {
                retry_after_secs: 1,
            });
        }
        actix_web::rt::time::sleep(POLL_EVERY).await;
    }
}

/// The attempt completed a sign-in (the password of an account without two-factor, or a
/// right code): it does not count, and neither do the earlier failures of the same account
/// from the same address, wrong passwords and wrong codes alike.
pub fn login_succeeded(conn: &mut DbConn, account: &str, address: &str) -> Result<(), AppError> {
    q::delete_pair(conn, LOGIN, account, address)?;
    Ok(())
}

/// The attempt's password was right. Without two-factor that completes the sign-in
/// ([`login_succeeded`]). With two-factor (`code_follows`) it is only the first half: the
/// attempt does not count, but nothing is forgiven, so the pair's wrong passwords and wrong
/// codes stay until a right code completes the sign-in. Were the password to forgive them,
/// whoever holds it could guess codes without limit, four per sign-in (SPEC §12, H4).
pub fn password_right(
    conn: &mut DbConn,
    attempt: Attempt,
    account: &str,
    address: &str,
    code_follows: bool,
) -> Result<(), AppError> {
    if code_follows {
        q::delete_event(conn, attempt.0)?;
        Ok(())
    } else {
        login_succeeded(conn, account, address)
    }
}

/// The attempt's password was wrong (or its account unusable): it counts as a failure.
pub fn login_failed(conn: &mut DbConn, attempt: Attempt) -> Result<(), AppError> {
    q::settle_event(conn, attempt.0)?;
    Ok(())
}

/// The attempt's password was never checked (the password queue was full): it does not count.
pub fn login_unchecked(conn: &mut DbConn, attempt: Attempt) -> Result<(), AppError> {
    q::delete_event(conn, attempt.0)?;
    Ok(())
}

/// Counts an account about to be created from `address`, or refuses with 429.
pub fn reserve_registration(
    conn: &mut DbConn,
    address: &str,
    now: NaiveDateTime,
) -> Result<Attempt, AppError> {
    let windows = [(REGISTRATIONS, None, Some(address))];
    // Registrations are never pending, so `None` cannot come back; if it did, it is a wait.
    reserve(conn, REGISTER, &windows, "", address, now, false)?.ok_or(AppError::RateLimited {
        retry_after_secs: 1,
    })
}

/// No account came of the reserved registration (taken name, bad input): it does not count.
pub fn registration_failed(conn: &mut DbConn, attempt: Attempt) -> Result<(), AppError> {
    q::delete_event(conn, attempt.0)?;
    Ok(())
}

type LimitWindow<'a> = (Limit, Option<&'a str>, Option<&'a str>);

fn reserve(
    conn: &mut DbConn,
    bucket: &str,
    limits: &[LimitWindow<'_>],
    account: &str,
    address: &str,
    now: NaiveDateTime,
    pending: bool,
) -> Result<Option<Attempt>, AppError> {
    let stale = now - chrono::Duration::from_std(PENDING_AT_MOST).unwrap_or_default();
    write_tx(conn, |conn| {
        lock_for_transaction(conn, LOCK)?;
        let mut wait = Duration::ZERO;
        let mut behind_pending = false;
        for (limit, account, address) in limits {
            let mut window = Window {
                bucket,
                account: *account,
                address: *address,
                since: now - chrono::Duration::from_std(limit.window).unwrap_or_default(),
                settled_or_before: None,
            };
            if q::find_nth_newest(conn, window, limit.max)?.is_none() {
                continue;
            }
            // Reached, counting the attempts still being checked: by settled ones alone?
            window.settled_or_before = Some(stale);
            match q::find_nth_newest(conn, window, limit.max)? {
                Some(at) => wait = wait.max(until_free(at, limit.window, now)),
                None => behind_pending = true,
            }
        }
        if !wait.is_zero() {
            return Err(AppError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        if behind_pending {
            return Ok(None);
        }
        let id = q::insert_event(conn, bucket, account, address, now, pending)?;
        Ok(Some(Attempt(id)))
    })
}

/// How long until an event at `at` leaves a window of `window` (rounded up to a second).
fn until_free(at: NaiveDateTime, window: Duration, now: NaiveDateTime) -> Duration {
    let free_at = at + chrono::Duration::from_std(window).unwrap_or_default();
    let left = (free_at - now).to_std().unwrap_or_default();
    Duration::from_secs(left.as_secs() + u64::from(left.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_rounded_up_to_whole_seconds() {
        let now = chrono::DateTime::from_timestamp(1_000_000, 0)
            .unwrap()
            .naive_utc();
        let at = now - chrono::Duration::milliseconds(60_500);
        assert_eq!(until_free(at, Duration::from_secs(120), now).as_secs(), 60);
        assert_eq!(
            until_free(now, Duration::from_secs(900), now).as_secs(),
            900
        );
        assert_eq!(until_free(at, Duration::from_secs(60), now).as_secs(), 0);
    }

    #[test]
    fn account_keys_are_case_insensitive_and_bounded() {
        assert_eq!(account_key("Ada"), "ada");
        assert_eq!(account_key(&"x".repeat(500)).len(), 64);
    }
}
