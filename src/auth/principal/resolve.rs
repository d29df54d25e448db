//! From what a request presented to its [`Caller`]: the session or PAT row, the cached
//! authorization snapshot, and the rules that refuse a token (revoked, voided, disabled).

use std::net::IpAddr;
use std::sync::Arc;

use super::{Caller, CallerKind, Presented};
use crate::auth::cache::{self, Snapshot, UserEntry};
use crate::auth::pat;
use crate::auth::server_session::{self, CurrentSession};
use crate::authz::Principal;
use crate::db::queries::pats::Pat;
use crate::db::queries::sessions as session_q;
use crate::db::DbConn;
use crate::error::AppError;
use crate::state::AppState;

/// The caller for what was presented, from the authorization cache, and whether the
/// caller's session or PAT should be marked as used. A session cookie or a PAT costs one
/// statement, its row read with the generation: as many as a JWT spends on the generation
/// alone. An unknown, ended or expired session is anonymous, such a PAT an invalid token.
pub(super) fn authenticate(
    state: &AppState,
    conn: &mut DbConn,
    presented: Presented,
    ip: Option<IpAddr>,
) -> Result<(Caller, bool), AppError> {
    let (mut session, mut generation) = (None, None);
    if let Presented::Session(hash) = &presented {
        let now = crate::db::now();
        if let Some((found, at)) = session_q::find_session_by_hash(conn, hash)? {
            session = server_session::is_live(&found, now)
                .then(|| (found, server_session::needs_touch(&found, now)));
            generation = Some(at);
        }
    }
    let (mut token, mut pat_touch) = (None, false);
    if let Presented::Pat(presented) = &presented {
        let now = crate::db::now();
        let (live, at) = pat::find_live(conn, presented, now)?;
        pat_touch = pat::needs_touch(&live, now);
        token = Some(Arc::new(live));
        generation = Some(at);
    }
    let (user_id, jti) = match &presented {
        Presented::Nothing => (None, None),
        Presented::Bearer(claims) => {
            let id = claims.user_id().ok_or_else(|| {
                AppError::InvalidToken("the token's subject is not a user".into())
            })?;
            (Some(id), Some(claims.jti.as_str()))
        }
        Presented::Session(_) => (session.map(|(s, _)| s.user_id), None),
        Presented::Pat(_) => (token.as_ref().map(|t| t.user_id), None),
    };
    let snapshot = match generation {
        Some(at) => state.cache.snapshot_at(conn, at, user_id, jti)?,
        None => state.cache.snapshot(conn, user_id, jti)?,
    };
    let current = session.map(|(s, _)| CurrentSession { id: s.id });
    let caller = resolve(state, presented, (current, token), snapshot, ip)?;
    Ok((caller, session.is_some_and(|(_, touch)| touch) || pat_touch))
}

fn resolve(
    state: &AppState,
    presented: Presented,
    (session, pat): (Option<CurrentSession>, Option<Arc<Pat>>),
    snapshot: Snapshot,
    ip: Option<IpAddr>,
) -> Result<Caller, AppError> {
    let anonymous = |snapshot: Snapshot, ip| Caller {
        kind: CallerKind::Anonymous,
        principal: Principal::anonymous(snapshot.anonymous.clone()),
        user: None,
        token: None,
        pat: None,
        session: None,
        snapshot,
        ip,
    };
    match presented {
        Presented::Nothing => Ok(anonymous(snapshot, ip)),
        Presented::Bearer(claims) => {
            // A revoked family ends every access token issued from it (SPEC H10).
            let family_revoked = claims
                .fam
                .as_ref()
                .is_some_and(|f| snapshot.revoked_families.contains(f));
            if snapshot.token_revoked || family_revoked {
                return Err(AppError::InvalidToken("the token has been revoked".into()));
            }
            let user = live_owner(&snapshot)?;
            if voided(&user, claims.iat) {
                return Err(AppError::InvalidToken(
                    "the token was issued before the account was recovered".into(),
                ));
            }
            // Effective permissions: the token's scopes ∩ the user's current permissions.
            let scopes = state.cache.scopes(&claims.scope);
            let principal = Principal::user(user.id, user.permissions.clone()).with_scopes(scopes);
            Ok(Caller {
                kind: CallerKind::Bearer,
                principal,
                user: Some(user),
                token: Some(claims),
                pat: None,
                session: None,
                snapshot,
                ip,
            })
        }
        Presented::Session(_) => match (session, snapshot.user.clone()) {
            // A session of a disabled or vanished account is simply no longer signed in.
            (Some(session), Some(user)) if !user.disabled => Ok(Caller {
                kind: CallerKind::Session,
                principal: Principal::user(user.id, user.permissions.clone()),
                user: Some(user),
                token: None,
                pat: None,
                session: Some(session),
                snapshot,
                ip,
            }),
            _ => Ok(anonymous(snapshot, ip)),
        },
        Presented::Pat(_) => {
            let pat = pat.ok_or_else(|| anyhow::anyhow!("a PAT caller without its row"))?;
            let user = live_owner(&snapshot)?;
            if voided(&user, cache::unix(pat.created_at)) {
                return Err(AppError::InvalidToken(
                    "the token was created before the account was recovered".into(),
                ));
            }
            // Effective permissions: the token's scopes ∩ the owner's current permissions.
            let scopes = state.cache.scopes(&pat.scopes);
            Ok(Caller {
                kind: CallerKind::Bearer,
                principal: Principal::user(user.id, user.permissions.clone()).with_scopes(scopes),
                user: Some(user),
                token: None,
                pat: Some(pat),
                session: None,
                snapshot,
                ip,
            })
        }
    }
}

/// A token's owner, who must exist and not be disabled.
fn live_owner(snapshot: &Snapshot) -> Result<Arc<UserEntry>, AppError> {
    match &snapshot.user {
        Some(u) if !u.disabled => Ok(u.clone()),
        Some(_) => Err(AppError::InvalidToken("the account is disabled".into())),
        None => Err(AppError::InvalidToken(
            "the token's user does not exist".into(),
        )),
    }
}

/// Was this token issued before the account's `tokens_valid_after` (start-up recovery)?
/// Compared in whole seconds, as a JWT's `iat` is: a token from the very second of the
/// recovery still passes, one from any second before does not. (Sessions need no such
/// check: recovery deletes their rows.)
fn voided(user: &UserEntry, issued_at: i64) -> bool {
    user.tokens_valid_after
        .is_some_and(|after| issued_at < after)
}
