//! The per-process cache of authorization facts, invalidated across processes.
//!
//! Every request reads one row, `authz_state.generation`, which any change to roles,
//! grants, assignments, accounts or revocations bumps in its own transaction. While the
//! generation is unchanged, the role graph, the catalog, the anonymous role's permissions,
//! the revoked token ids and families and each user's resolved permissions are served from
//! memory; when it changes (through this process, another instance or the CLI), all of it is dropped.
//! Entries also expire at the earliest expiry of the user's role assignments.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use chrono::NaiveDateTime;

use crate::authz::roles::{Assignment, RoleGraph, ANONYMOUS_ROLE};
use crate::authz::PermissionSet;
use crate::db::queries::{roles as role_q, settings, tokens, users as user_q};
use crate::db::DbConn;
use crate::error::AppError;

/// A user's authorization facts as of one generation.
#[derive(Debug)]
pub struct UserEntry {
    pub id: i64,
    pub username: String,
    pub disabled: bool,
    /// Roles of unexpired assignments.
    pub roles: Vec<String>,
    pub permissions: Arc<PermissionSet>,
    /// Unix second before which credentials (a token's `iat`, a session's sign-in) are
    /// void: set when start-up recovery restored the account (SPEC H3).
    pub tokens_valid_after: Option<i64>,
    /// Unix time at which an assignment expires and this entry must be rebuilt.
    valid_until: Option<i64>,
}

/// What one request needs to know.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub generation: i64,
    pub user: Option<Arc<UserEntry>>,
    pub anonymous: Arc<PermissionSet>,
    pub catalog: Arc<Vec<String>>,
    pub graph: Arc<RoleGraph>,
    pub token_revoked: bool,
    /// Refresh-token families whose access tokens are refused (SPEC H10).
    pub revoked_families: Arc<HashSet<String>>,
}

struct State {
    generation: i64,
    graph: Arc<RoleGraph>,
    catalog: Arc<Vec<String>>,
    anonymous: Arc<PermissionSet>,
    revoked: HashSet<String>,
    revoked_families: Arc<HashSet<String>>,
    users: HashMap<i64, Arc<UserEntry>>,
}

/// Bounds memory when very many distinct users call between two changes.
const MAX_CACHED_USERS: usize = 100_000;

/// Bounds the parsed token scope strings kept; clients use a handful of distinct ones.
const MAX_CACHED_SCOPES: usize = 1_024;

#[derive(Default)]
pub struct AuthzCache {
    state: RwLock<Option<State>>,
    /// Token scope strings parsed into sets. Parsing does not depend on the database, so
    /// these outlive generations.
    scopes: RwLock<HashMap<String, Arc<PermissionSet>>>,
}

pub fn unix(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

impl AuthzCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The facts for a request by `user_id` (if any) carrying token `jti` (if any).
    /// Costs one primary-key lookup when nothing changed. Call on a blocking thread.
    pub fn snapshot(
        &self,
        conn: &mut DbConn,
        user_id: Option<i64>,
        jti: Option<&str>,
    ) -> Result<Snapshot, AppError> {
        let generation = settings::find_generation(conn)?;
        self.snapshot_at(conn, generation, user_id, jti)
    }

    /// [`Self::snapshot`] with the current generation already read (by the caller's own
    /// query, in the same read transaction as whatever it decides about).
    pub fn snapshot_at(
        &self,
        conn: &mut DbConn,
        generation: i64,
        user_id: Option<i64>,
        jti: Option<&str>,
    ) -> Result<Snapshot, AppError> {
        let now = chrono::Utc::now().timestamp();
        {
            let guard = self.state.read().unwrap_or_else(|p| p.into_inner());
            if let Some(state) = guard.as_ref().filter(|s| s.generation == generation) {
                let cached = match user_id {
                    None => Some(None),
                    Some(id) => state
                        .users
                        .get(&id)
                        .filter(|u| u.valid_until.is_none_or(|t| t > now))
                        .map(|u| Some(u.clone())),
                };
                if let Some(user) = cached {
                    return Ok(state.snapshot(user, jti));
                }
            }
        }
        // Load outside the lock (queries may wait on the database), then publish.
        let fresh = {
            let guard = self.state.read().unwrap_or_else(|p| p.into_inner());
            guard.as_ref().is_none_or(|s| s.generation != generation)
        };
        let base = if fresh {
            Some(load_base(conn, generation)?)
        } else {
            None
        };
        let graph = {
            let mut guard = self.state.write().unwrap_or_else(|p| p.into_inner());
            if let Some(base) = base {
                // Never replace newer state with older.
                if guard.as_ref().is_none_or(|s| s.generation <= generation) {
                    *guard = Some(base);
                }
            }
            guard
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("authorization cache is empty"))?
                .graph
                .clone()
        };
        // The user's rows are read with no lock held: every request of this process takes
        // the read lock, and a login storm loads a new user several times a second. Held
        // across these statements, the write lock made every request wait for them (on
        // PostgreSQL, two round trips).
        let user = match user_id {
            None => None,
            Some(id) => load_user(conn, &graph, id, now)?,
        };
        let mut guard = self.state.write().unwrap_or_else(|p| p.into_inner());
        let state = guard
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("authorization cache is empty"))?;
        if let Some(entry) = &user {
            if state.generation == generation {
                if state.users.len() >= MAX_CACHED_USERS {
                    state.users.clear();
                }
                state.users.insert(entry.id, entry.clone());
            }
        }
        Ok(state.snapshot(user, jti))
    }
}

impl AuthzCache {
    /// The set of a token's `scope` claim (space-separated grants; invalid ones ignored).
    pub fn scopes(&self, scope: &str) -> Arc<PermissionSet> {
        if let Some(set) = self
            .scopes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(scope)
        {
            return set.clone();
        }
        let set = Arc::new(PermissionSet::from_grants(
            scope.split(' ').filter(|s| !s.is_empty()),
        ));
        let mut map = self.scopes.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_CACHED_SCOPES {
            map.clear();
        }
        map.insert(scope.to_owned(), set.clone());
        set
    }
}

impl State {
    fn snapshot(&self, user: Option<Arc<UserEntry>>, jti: Option<&str>) -> Snapshot {
        Snapshot {
            generation: self.generation,
            user,
            anonymous: self.anonymous.clone(),
            catalog: self.catalog.clone(),
            graph: self.graph.clone(),
            token_revoked: jti.is_some_and(|j| self.revoked.contains(j)),
            revoked_families: self.revoked_families.clone(),
        }
    }
}

fn load_base(conn: &mut DbConn, generation: i64) -> Result<State, AppError> {
    let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
    let catalog: Vec<String> = role_q::list_permissions(conn)?
        .into_iter()
        .map(|p| p.name)
        .collect();
    let anonymous = if graph.get(ANONYMOUS_ROLE).is_some() {
        graph.effective(ANONYMOUS_ROLE)
    } else {
        PermissionSet::new()
    };
    let revoked = tokens::list_revoked_jtis(conn, crate::db::now())?
        .into_iter()
        .collect();
    let revoked_families = tokens::list_revoked_families(conn, crate::db::now())?
        .into_iter()
        .collect();
    Ok(State {
        generation,
        graph: Arc::new(graph),
        catalog: Arc::new(catalog),
        anonymous: Arc::new(anonymous),
        revoked,
        revoked_families: Arc::new(revoked_families),
        users: HashMap::new(),
    })
}

fn load_user(
    conn: &mut DbConn,
    graph: &RoleGraph,
    id: i64,
    now: i64,
) -> Result<Option<Arc<UserEntry>>, AppError> {
    let Some(user) = user_q::find_user(conn, id)? else {
        return Ok(None);
    };
    let assignments: Vec<Assignment> = user_q::list_assignments(conn, id)?
        .into_iter()
        .map(|(role, expires_at)| Assignment {
            role,
            expires_at: expires_at.map(unix),
        })
        .collect();
    let permissions = graph.resolve_assignments(&assignments, now);
    let roles = assignments
        .iter()
        .filter(|a| a.is_active(now))
        .map(|a| a.role.clone())
        .collect();
    Ok(Some(Arc::new(UserEntry {
        id: user.id,
        username: user.username,
        disabled: user.disabled,
        roles,
        permissions: Arc::new(permissions),
        tokens_valid_after: user.tokens_valid_after.map(unix),
        valid_until: crate::authz::roles::next_expiry(&assignments, now),
    })))
}
