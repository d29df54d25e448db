//! `Caller`: the authenticated principal of a request, in one extractor line.
//!
//! Credentials are a bearer token (API) or a browser session (admin pages); with neither
//! the caller is anonymous and holds the `anonymous` role's permissions. A request carrying
//! an invalid token is rejected, never downgraded to anonymous.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

pub use super::bearer::bearer_token;
use super::cache::{Snapshot, UserEntry};
use super::jwt::Claims;
use super::pat::{self, PresentedPat};
use super::server_session::{self, CurrentSession};
use crate::authz::{Denied, Principal};
use crate::db::queries::pats::Pat;
use crate::db::queries::sessions as session_q;
use crate::db::DbConn;
use crate::error::AppError;
use crate::manage::Actor;
use crate::state::AppState;

mod resolve;
use resolve::authenticate;

/// How the caller authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallerKind {
    Anonymous,
    Bearer,
    Session,
}

/// The caller of a request with their effective permissions.
#[derive(Clone, Debug)]
pub struct Caller {
    pub kind: CallerKind,
    pub principal: Principal,
    pub user: Option<Arc<UserEntry>>,
    /// The verified claims when the caller used a bearer token.
    pub token: Option<Arc<Claims>>,
    /// The live personal access token when the caller used one (`kind` is `Bearer`).
    pub pat: Option<Arc<Pat>>,
    /// The live browser session when the caller used the session cookie.
    pub session: Option<CurrentSession>,
    pub snapshot: Snapshot,
    /// Kept as an address; formatted only when something records it.
    pub ip: Option<IpAddr>,
}

impl Caller {
    pub fn is_anonymous(&self) -> bool {
        self.kind == CallerKind::Anonymous
    }

    /// The signed-in user, or 401.
    pub fn user(&self) -> Result<&Arc<UserEntry>, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// The effective permissions, expanded over the catalog (for `provided` and `/api/me`).
    pub fn effective(&self) -> Vec<String> {
        let catalog: Vec<&str> = self.snapshot.catalog.iter().map(String::as_str).collect();
        self.principal.effective(&catalog)
    }

    /// At least one of `perms` (the route requirement of SPEC §4 step 1).
    pub fn require_any(&self, perms: &[&str]) -> Result<(), AppError> {
        if self.principal.has_any(perms) {
            Ok(())
        } else {
            Err(self.insufficient(perms))
        }
    }

    /// Every one of `perms`.
    pub fn require_all(&self, perms: &[&str]) -> Result<(), AppError> {
        match perms.iter().find(|p| !self.principal.has(p)) {
            None => Ok(()),
            Some(_) => Err(self.insufficient(perms)),
        }
    }

    fn insufficient(&self, perms: &[&str]) -> AppError {
        if self.is_anonymous() {
            return AppError::Unauthenticated;
        }
        AppError::InsufficientScope {
            required: perms.iter().map(|p| (*p).to_owned()).collect(),
            provided: self.effective(),
        }
    }

    /// Maps a policy denial to HTTP (SPEC §4 order: 403/401, 404, 403/401).
    pub fn deny(&self, denied: Denied) -> AppError {
        match denied {
            Denied::InsufficientScope { required } => self.insufficient(required),
            Denied::NotFound => AppError::NotFound,
            Denied::Forbidden { .. } if self.is_anonymous() => AppError::Unauthenticated,
            Denied::Forbidden { required } => AppError::Forbidden {
                message: if required.is_empty() {
                    "the policy does not allow this action on this resource".into()
                } else {
                    format!("requires {}", required.join(" or "))
                },
                required: required.iter().map(|p| (*p).to_owned()).collect(),
            },
            // Not a refusal of the caller: the post is in the wrong state (SPEC §10).
            Denied::Conflict { status } => {
                AppError::Conflict(format!("the post is {status}; this is not possible now"))
            }
        }
    }

    /// The browser session this caller signed in with, as signing out ends it.
    pub fn signed_in_session(&self) -> Option<server_session::SignedIn> {
        let (session, user) = (self.session?, self.user.as_ref()?);
        Some(server_session::SignedIn {
            actor: self.actor(),
            user_id: user.id,
            session,
        })
    }

    /// The audit identity of this caller.
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.user.as_ref().map(|u| u.id),
            name: self
                .user
                .as_ref()
                .map_or_else(|| "anonymous".to_owned(), |u| u.username.clone()),
            ip: self.ip.map(|ip| ip.to_string()),
            principal: Some(self.principal.clone()),
        }
    }
}

/// What the request presented, parsed without touching the database.
#[derive(Clone)]
enum Presented {
    Nothing,
    Bearer(Arc<Claims>),
    /// A personal access token (`qpat_…`), looked up by its hash when resolved.
    Pat(PresentedPat),
    /// The SHA-256 of the cookie's session secret.
    Session(String),
}

fn presented(req: &HttpRequest, state: &AppState) -> Result<Presented, AppError> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        return presented_bearer(state, bearer_token(value)?);
    }
    match server_session::presented_hash(req) {
        Some(hash) => {
            server_session::check_api_csrf(req)?;
            super::second_factor::check_api_while_enrolling(req)?;
            Ok(Presented::Session(hash))
        }
        None => Ok(Presented::Nothing),
    }
}

/// A bearer token is a PAT when it has the PAT prefix, else a JWT (verified here).
fn presented_bearer(state: &AppState, token: &str) -> Result<Presented, AppError> {
    if let Some(pat) = pat::parse(token)? {
        return Ok(Presented::Pat(pat));
    }
    state
        .jwt
        .verify(token)
        .map(Presented::Bearer)
        .map_err(AppError::InvalidToken)
}

/// The caller a request carrying `Authorization: Bearer {token}` would be, with every check
/// such a request gets (token introspection, RFC 7662); a bad token is `InvalidToken`.
pub fn caller_for_token(
    state: &AppState,
    conn: &mut DbConn,
    token: &str,
) -> Result<Caller, AppError> {
    let presented = presented_bearer(state, token)?;
    authenticate(state, conn, presented, None).map(|(caller, _)| caller)
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(caller) = req.extensions().get::<Caller>() {
            return Box::pin(std::future::ready(Ok(caller.clone())));
        }
        let credentials = Credentials::from_request(req, &mut Payload::None).into_inner();
        Box::pin(async move {
            let credentials = credentials?;
            let (caller, ()) = credentials.run(|_, _| Ok(())).await?;
            Ok(caller)
        })
    }
}

/// What a request presented, checked without the database (the JWT signature and claims).
///
/// The hot read routes take this instead of [`Caller`] and resolve the caller on the same
/// connection as their own query ([`Credentials::run`], a [`crate::db::Db::read`]): on
/// SQLite no hop to another thread at all, on PostgreSQL one instead of two.
pub struct Credentials {
    req: HttpRequest,
    state: actix_web::web::Data<AppState>,
    presented: Presented,
    ip: Option<IpAddr>,
}

impl FromRequest for Credentials {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready((|| {
            let state = req
                .app_data::<actix_web::web::Data<AppState>>()
                .ok_or_else(|| anyhow::anyhow!("application state missing"))?
                .clone();
            let presented = presented(req, &state)?;
            Ok(Credentials {
                req: req.clone(),
                ip: super::client_addr::of_request(req, &state.config.trusted_proxies),
                state,
                presented,
            })
        })())
    }
}

impl Credentials {
    /// Resolves the caller (the cached permissions, checked against the current
    /// generation) and runs `f` with it, on one pooled connection, as one read
    /// ([`crate::db::Db::read`]): `f` must not write, and may run again if the connection
    /// turns out to be closed.
    /// The caller is remembered on the request even when `f` fails, so a denial is
    /// audited with its identity.
    pub async fn run<T, F>(self, mut f: F) -> Result<(Caller, T), AppError>
    where
        F: FnMut(&mut DbConn, &Caller) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let Credentials {
            req,
            state,
            presented,
            ip,
        } = self;
        let known = req.extensions().get::<Caller>().cloned();
        let cache_state = state.clone();
        let (caller, touch, result) = state
            .db
            .read(move |conn| {
                let (caller, touch) = match &known {
                    Some(caller) => (caller.clone(), false),
                    None => authenticate(&cache_state, conn, presented.clone(), ip)?,
                };
                let result = f(conn, &caller);
                Ok((caller, touch, result))
            })
            .await?;
        if touch {
            match (caller.session, &caller.pat) {
                (Some(current), _) => touch_session(state, current.id),
                (None, Some(token)) => pat::touch(state, token.id),
                (None, None) => {}
            }
        }
        req.extensions_mut().insert(caller.clone());
        result.map(|value| (caller, value))
    }
}

/// Records that the session is in use, off the read path (the read may run on SQLite's
/// async worker, where nothing is written): a spawned write that moves `last_seen_at` only
/// if it is still stale, so parallel requests and instances write it once.
fn touch_session(state: actix_web::web::Data<AppState>, id: i64) {
    actix_web::rt::spawn(async move {
        let at = crate::db::now();
        let stale_before = at - server_session::TOUCH_EVERY;
        let result = state
            .db
            .run(move |conn| Ok(session_q::touch_session(conn, id, at, stale_before)?))
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record a session's last use");
        }
    });
}
