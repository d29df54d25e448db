//! Roles, role inheritance and time-limited role assignments.
//!
//! A role carries its own grants and may inherit from parent roles. The
//! graph tolerates bad data: unknown parents are ignored and traversals never
//! loop, even if a cycle slipped into storage ([`RoleGraph::find_cycle`] and
//! [`RoleGraph::would_cycle`] exist to keep cycles out).

use std::collections::{HashMap, HashSet, VecDeque};

use super::permission::{is_valid_grant, PermissionSet};

/// Name of the role whose permissions unauthenticated callers get.
pub const ANONYMOUS_ROLE: &str = "anonymous";

/// Name of the all-powerful role.
pub const ADMIN_ROLE: &str = "admin";

/// Built-in roles that may be edited but never deleted.
pub const NON_DELETABLE_ROLES: &[&str] = &[ANONYMOUS_ROLE, ADMIN_ROLE];

/// A built-in role: `(name, description, own grants, parents)`.
pub type BuiltinRole = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const USER_GRANTS: &[&str] = &[
    "posts:read",
    "posts:create",
    "posts:update_own",
    "posts:publish_own",
    "posts:delete_own",
    "comments:read",
    "comments:create",
    "comments:update_own",
    "comments:delete_own",
];

const CONTRIBUTOR_GRANTS: &[&str] = &[
    "posts:read",
    "posts:create",
    "posts:update_own",
    "posts:delete_own",
    "comments:read",
    "comments:create",
    "comments:update_own",
    "comments:delete_own",
];

/// The built-in roles, seeded on first start.
pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    (
        ANONYMOUS_ROLE,
        "callers who are not signed in",
        &["posts:read", "comments:read"],
        &[],
    ),
    ("user", "a signed-in member", USER_GRANTS, &[]),
    (
        "contributor",
        "writes drafts that others publish",
        CONTRIBUTOR_GRANTS,
        &[],
    ),
    ("author", "writes and publishes own posts", &[], &["user"]),
    (
        "editor",
        "edits and publishes everyone's posts",
        &["posts:update", "posts:publish"],
        &["author"],
    ),
    (
        "moderator",
        "moderates posts, comments and users",
        &[
            "users:read",
            "posts:update",
            "posts:delete",
            "comments:delete",
        ],
        &["user"],
    ),
    (ADMIN_ROLE, "may do everything", &["*"], &[]),
];

/// Is `name` a built-in role that must never be deleted?
pub fn is_non_deletable(name: &str) -> bool {
    NON_DELETABLE_ROLES.contains(&name)
}

/// Is `name` a valid role name: `[a-z][a-z0-9_-]{0,63}`?
pub fn is_valid_role_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= 64
        && matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
}

/// The built-in roles as [`RoleDef`]s.
pub fn builtin_role_defs() -> Vec<RoleDef> {
    BUILTIN_ROLES
        .iter()
        .map(|&(name, _, grants, parents)| RoleDef::new(name, grants, parents))
        .collect()
}

/// A role: its name, its own grants and the roles it inherits from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDef {
    /// Role name.
    pub name: String,
    /// Grants carried by the role itself (not inherited ones).
    pub grants: Vec<String>,
    /// Names of the roles this role inherits from.
    pub parents: Vec<String>,
}

impl RoleDef {
    /// Convenience constructor from string slices.
    pub fn new<G: AsRef<str>, P: AsRef<str>>(name: &str, grants: &[G], parents: &[P]) -> Self {
        Self {
            name: name.to_string(),
            grants: grants.iter().map(|g| g.as_ref().to_string()).collect(),
            parents: parents.iter().map(|p| p.as_ref().to_string()).collect(),
        }
    }
}

/// A role assigned to a user, possibly until a point in time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The assigned role's name.
    pub role: String,
    /// Unix seconds after which the assignment no longer applies.
    pub expires_at: Option<i64>,
}

impl Assignment {
    /// Does the assignment apply at `now` (no expiry, or `expires_at > now`)?
    pub fn is_active(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

/// The earliest expiry strictly after `now` among `assignments`; useful to
/// bound how long a resolved permission set may be cached.
pub fn next_expiry(assignments: &[Assignment], now: i64) -> Option<i64> {
    assignments
        .iter()
        .filter_map(|a| a.expires_at)
        .filter(|&at| at > now)
        .min()
}

/// All roles, indexed by name, with inheritance queries.
#[derive(Clone, Debug, Default)]
pub struct RoleGraph {
    /// Roles in insertion order.
    roles: Vec<RoleDef>,
    /// Role name → position in `roles`.
    index: HashMap<String, usize>,
}

impl RoleGraph {
    /// Builds the graph; a later role with an already seen name replaces
    /// the earlier one (keeping its position).
    pub fn new(roles: impl IntoIterator<Item = RoleDef>) -> Self {
        let mut graph = Self::default();
        for role in roles {
            match graph.index.get(&role.name) {
                Some(&i) => graph.roles[i] = role,
                None => {
                    graph.index.insert(role.name.clone(), graph.roles.len());
                    graph.roles.push(role);
                }
            }
        }
        graph
    }

    /// The graph of the built-in roles.
    pub fn builtin() -> Self {
        Self::new(builtin_role_defs())
    }

    /// All roles, in insertion order.
    pub fn roles(&self) -> impl Iterator<Item = &RoleDef> {
        self.roles.iter()
    }

    /// The role called `name`, if any.
    pub fn get(&self, name: &str) -> Option<&RoleDef> {
        self.index.get(name).map(|&i| &self.roles[i])
    }

    /// The given (known) roles followed by all their ancestors, breadth
    /// first, each role once. Unknown names are skipped.
    pub fn closure<'a>(&self, roles: impl IntoIterator<Item = &'a str>) -> Vec<&RoleDef> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut out: Vec<&RoleDef> = Vec::new();
        for name in roles {
            if let Some(def) = self.get(name) {
                if seen.insert(def.name.as_str()) {
                    out.push(def);
                }
            }
        }
        let mut next = 0;
        while let Some(&def) = out.get(next) {
            next += 1;
            for parent in def.parents.iter().filter_map(|p| self.get(p)) {
                if seen.insert(parent.name.as_str()) {
                    out.push(parent);
                }
            }
        }
        out
    }

    /// Transitive parents of `role` (excluding `role` itself), breadth first
    /// in the order parents are listed, each once. Unknown parents are
    /// ignored; cycles are tolerated.
    pub fn ancestors(&self, role: &str) -> Vec<String> {
        self.closure([role])
            .into_iter()
            .skip(1)
            .map(|def| def.name.clone())
            .collect()
    }

    /// The role's own grants together with all its ancestors' grants.
    pub fn effective(&self, role: &str) -> PermissionSet {
        self.resolve([role])
    }

    /// Every valid grant `role` holds with the role carrying it, sorted by
    /// grant. When several roles carry a grant the nearest one is given
    /// (the role itself before its parents), so UIs can mark inherited ones.
    pub fn effective_with_origin(&self, role: &str) -> Vec<(String, String)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for def in self.closure([role]) {
            for grant in &def.grants {
                if is_valid_grant(grant) && seen.insert(grant.as_str()) {
                    out.push((grant.clone(), def.name.clone()));
                }
            }
        }
        out.sort();
        out
    }

    /// Union of the effective permissions of `roles` (already filtered to
    /// unexpired ones). Unknown roles contribute nothing.
    pub fn resolve<'a>(&self, roles: impl IntoIterator<Item = &'a str>) -> PermissionSet {
        PermissionSet::from_grants(
            self.closure(roles)
                .into_iter()
                .flat_map(|def| def.grants.iter()),
        )
    }

    /// Union of the effective permissions of the assignments active at `now`.
    pub fn resolve_assignments(&self, assignments: &[Assignment], now: i64) -> PermissionSet {
        self.resolve(
            assignments
                .iter()
                .filter(|a| a.is_active(now))
                .map(|a| a.role.as_str()),
        )
    }

    /// A cycle in the inheritance graph, if any: `[a, b, c]` means `a`
    /// inherits `b`, `b` inherits `c` and `c` inherits `a`. Deterministic
    /// (roles and parents are visited in insertion order).
    pub fn find_cycle(&self) -> Option<Vec<String>> {
        const NEW: u8 = 0;
        const ACTIVE: u8 = 1;
        const DONE: u8 = 2;
        let mut state = vec![NEW; self.roles.len()];
        for start in 0..self.roles.len() {
            if state[start] != NEW {
                continue;
            }
            state[start] = ACTIVE;
            // (role index, index of the next parent to visit)
            let mut stack = vec![(start, 0usize)];
            while let Some(top) = stack.last_mut() {
                let (node, next) = *top;
                let Some(parent) = self.roles[node].parents.get(next) else {
                    state[node] = DONE;
                    stack.pop();
                    continue;
                };
                top.1 += 1;
                let Some(&p) = self.index.get(parent) else {
                    continue;
                };
                match state[p] {
                    NEW => {
                        state[p] = ACTIVE;
                        stack.push((p, 0));
                    }
                    ACTIVE => {
                        let from = stack.iter().position(|&(n, _)| n == p).unwrap_or(0);
                        let cycle = stack[from..].iter();
                        return Some(cycle.map(|&(n, _)| self.roles[n].name.clone()).collect());
                    }
                    _ => {}
                }
            }
        }
        None
    }

    /// Would giving `role` (existing or not) the parents `new_parents`
    /// create a cycle? Returns it as `[role, parent, ..., last]` where
    /// `last` inherits `role`. A role listing itself is the cycle `[role]`.
    pub fn would_cycle(&self, role: &str, new_parents: &[String]) -> Option<Vec<String>> {
        if new_parents.iter().any(|p| p == role) {
            return Some(vec![role.to_string()]);
        }
        new_parents.iter().find_map(|parent| {
            let path = self.path_to(parent, role)?;
            Some(std::iter::once(role.to_string()).chain(path).collect())
        })
    }

    /// Shortest inheritance path `[from, ..., last]` such that `last` lists
    /// `target` as a parent, following existing roles only.
    fn path_to(&self, from: &str, target: &str) -> Option<Vec<String>> {
        let mut previous: HashMap<&str, &str> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::from([from]);
        let mut queue: VecDeque<&str> = VecDeque::from([from]);
        while let Some(name) = queue.pop_front() {
            let Some(def) = self.get(name) else {
                continue;
            };
            for parent in &def.parents {
                if parent == target {
                    let mut path = vec![name.to_string()];
                    let mut current = name;
                    while let Some(&before) = previous.get(current) {
                        path.push(before.to_string());
                        current = before;
                    }
                    path.reverse();
                    return Some(path);
                }
                if seen.insert(parent.as_str()) {
                    previous.insert(parent.as_str(), name);
                    queue.push_back(parent.as_str());
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
