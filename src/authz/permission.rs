//! Permission names, wildcard grants and fast permission sets.
//!
//! A permission is `resource:action` (more segments are allowed). A *grant*
//! is either an exact permission name, `*` (everything) or `prefix:*`, which
//! matches `prefix` itself and every name nested below it (`posts:*` matches
//! `posts`, `posts:read` and `posts:a:b`, but neither `postsx` nor
//! `admin:posts`).

use std::collections::HashSet;

/// Maximum length, in bytes, of a permission name or a grant (including any
/// `:*` suffix).
pub const MAX_NAME_LEN: usize = 64;

/// The built-in permission catalog: `(name, description)`.
pub const CATALOG: &[(&str, &str)] = &[
    ("posts:read", "read published posts; read own drafts"),
    ("posts:create", "create posts (as drafts)"),
    ("posts:update_own", "edit own posts"),
    ("posts:update", "edit any post (and read any draft)"),
    ("posts:publish_own", "publish or unpublish own posts"),
    ("posts:publish", "publish or unpublish any post"),
    ("posts:delete_own", "delete own posts"),
    ("posts:delete", "delete any post"),
    ("comments:read", "read comments on posts one may read"),
    ("comments:create", "comment on published posts one may read"),
    ("comments:update_own", "edit own comments"),
    ("comments:delete_own", "delete own comments"),
    ("comments:delete", "delete any comment (moderation)"),
    ("users:read", "list and view users"),
    ("users:manage", "create, edit, disable users"),
    ("roles:read", "view roles and grants"),
    (
        "roles:manage",
        "create, edit, delete roles, grant and revoke them",
    ),
    ("audit:read", "read the audit log"),
];

/// The names of [`CATALOG`], in catalog order (handy for
/// [`PermissionSet::expand`] and [`matches_catalog`]).
pub const CATALOG_NAMES: [&str; CATALOG.len()] = {
    let mut names = [""; CATALOG.len()];
    let mut i = 0;
    while i < CATALOG.len() {
        names[i] = CATALOG[i].0;
        i += 1;
    }
    names
};

/// A parsed, valid grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grant<'a> {
    /// `*`
    All,
    /// `prefix:*`, holding `prefix`.
    Prefix(&'a str),
    /// An exact permission name.
    Exact(&'a str),
}

fn parse_grant(s: &str) -> Option<Grant<'_>> {
    if s == "*" {
        return Some(Grant::All);
    }
    if s.len() > MAX_NAME_LEN {
        return None;
    }
    match s.strip_suffix(":*") {
        Some(prefix) if is_valid_permission_name(prefix) => Some(Grant::Prefix(prefix)),
        Some(_) => None,
        None if is_valid_permission_name(s) => Some(Grant::Exact(s)),
        None => None,
    }
}

fn is_valid_segment(segment: &str) -> bool {
    let mut bytes = segment.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

/// Is `name` equal to `prefix` or nested below it (`prefix:...`)?
fn is_under(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
}

/// Is `s` a valid permission name: `:`-separated segments of
/// `[a-z][a-z0-9_]*`, at most [`MAX_NAME_LEN`] bytes, no wildcard.
pub fn is_valid_permission_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_NAME_LEN && s.split(':').all(is_valid_segment)
}

/// Is `s` a valid grant: a permission name, `*`, or a permission name
/// followed by `:*` (at most [`MAX_NAME_LEN`] bytes in total).
pub fn is_valid_grant(s: &str) -> bool {
    parse_grant(s).is_some()
}

/// Does `grant` match the permission `perm`?
///
/// Fails closed: an invalid grant or an invalid permission name never
/// matches (so `*` matches every *valid* name).
pub fn matches(grant: &str, perm: &str) -> bool {
    if !is_valid_permission_name(perm) {
        return false;
    }
    match parse_grant(grant) {
        Some(Grant::All) => true,
        Some(Grant::Prefix(prefix)) => is_under(perm, prefix),
        Some(Grant::Exact(name)) => name == perm,
        None => false,
    }
}

/// Why a grant or a requested scope is refused against the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotInCatalog {
    /// Not a permission name or wildcard at all.
    Malformed,
    /// Well formed, but it names nothing in the catalog (an unknown permission, or a
    /// wildcard over nothing).
    Unknown,
}

/// The catalog rule of SPEC §3, for role grants and token scopes alike: a grant that is not
/// in the catalog and matches nothing in it is rejected; callers name it in their answer.
pub fn check_in_catalog(grant: &str, catalog: &[&str]) -> Result<(), NotInCatalog> {
    if !is_valid_grant(grant) {
        Err(NotInCatalog::Malformed)
    } else if catalog.iter().any(|name| matches(grant, name)) {
        Ok(())
    } else {
        Err(NotInCatalog::Unknown)
    }
}

/// Is `grant` a valid grant that matches at least one name of `catalog`
/// ([`check_in_catalog`] as a yes or no)?
pub fn matches_catalog(grant: &str, catalog: &[&str]) -> bool {
    check_in_catalog(grant, catalog).is_ok()
}

/// A wildcard `grant` whose catalog matches (at least one) all satisfy `has`.
pub(crate) fn wildcard_held(grant: &str, catalog: &[&str], has: impl Fn(&str) -> bool) -> bool {
    if !grant.ends_with('*') || !is_valid_grant(grant) {
        return false;
    }
    let mut matched = catalog.iter().filter(|p| matches(grant, p)).peekable();
    matched.peek().is_some() && matched.all(|p| has(p))
}

/// Parses an RFC 6749 scope string: tokens separated by ASCII spaces
/// (repeated spaces tolerated), duplicates removed keeping the first
/// occurrence. Returns `Err(token)` for the first token that is not a valid
/// grant. An empty string yields an empty list.
pub fn parse_scope(s: &str) -> Result<Vec<String>, String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for token in s.split(' ').filter(|t| !t.is_empty()) {
        if !is_valid_grant(token) {
            return Err(token.to_string());
        }
        if seen.insert(token) {
            out.push(token.to_string());
        }
    }
    Ok(out)
}

/// The position of `name` in [`CATALOG_NAMES`].
pub fn catalog_index(name: &str) -> Option<usize> {
    CATALOG_NAMES.iter().position(|n| *n == name)
}

/// One bit per built-in permission, by [`catalog_index`].
type CatalogBits = u32;
const _: () = assert!(CATALOG.len() <= CatalogBits::BITS as usize);

/// A set of grants (possibly wildcards) organised for fast lookups.
///
/// Invalid grants are never stored; equal grant sets compare equal. Which built-in
/// permissions the set allows is also kept as a bit mask, so the checks of a request
/// (about 25 per post of a page) cost a bit test each instead of a hash lookup and a
/// wildcard walk; the mask is recomputed whenever the grants change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PermissionSet {
    /// `*` was granted.
    all: bool,
    /// Exact permission names.
    exact: HashSet<String>,
    /// Prefixes of `prefix:*` grants, sorted and deduplicated.
    prefixes: Vec<String>,
    /// Bit `i` is set when the grants allow `CATALOG_NAMES[i]`.
    catalog: CatalogBits,
}

impl PermissionSet {
    /// An empty set (allows nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a set from grants; invalid grants are ignored.
    pub fn from_grants<I: IntoIterator<Item = S>, S: AsRef<str>>(grants: I) -> Self {
        let mut set = Self::new();
        for grant in grants {
            set.insert_grant(grant.as_ref());
        }
        set.refresh_catalog();
        set
    }

    /// Adds a grant; an invalid grant is ignored (see [`Self::try_insert`]).
    pub fn insert(&mut self, grant: &str) {
        self.try_insert(grant);
    }

    /// Adds a grant, returning `false` (and changing nothing) if it is not a
    /// valid grant.
    pub fn try_insert(&mut self, grant: &str) -> bool {
        let inserted = self.insert_grant(grant);
        if inserted {
            self.refresh_catalog();
        }
        inserted
    }

    fn insert_grant(&mut self, grant: &str) -> bool {
        match parse_grant(grant) {
            Some(Grant::All) => self.all = true,
            Some(Grant::Prefix(prefix)) => {
                if let Err(pos) = self.prefixes.binary_search_by(|p| p.as_str().cmp(prefix)) {
                    self.prefixes.insert(pos, prefix.to_string());
                }
            }
            Some(Grant::Exact(name)) => {
                self.exact.insert(name.to_string());
            }
            None => return false,
        }
        true
    }

    /// Adds every grant of `other` to this set.
    pub fn union_with(&mut self, other: &PermissionSet) {
        self.all |= other.all;
        self.exact.extend(other.exact.iter().cloned());
        for prefix in &other.prefixes {
            if let Err(pos) = self.prefixes.binary_search(prefix) {
                self.prefixes.insert(pos, prefix.clone());
            }
        }
        self.catalog |= other.catalog;
    }

    fn refresh_catalog(&mut self) {
        self.catalog = CATALOG_NAMES
            .iter()
            .enumerate()
            .filter(|(_, name)| self.allows_by_grants(name))
            .fold(0, |bits, (i, _)| bits | (1 << i));
    }

    /// Does the set allow the built-in permission at `index` ([`catalog_index`])?
    fn allows_catalog(&self, index: usize) -> bool {
        self.catalog & (1 << index) != 0
    }

    /// Does any grant of the set match the permission `perm`? Invalid names
    /// are never allowed.
    pub fn allows(&self, perm: &str) -> bool {
        match catalog_index(perm) {
            Some(i) => self.allows_catalog(i),
            None => self.allows_by_grants(perm),
        }
    }

    /// [`Self::allows`] from the grants themselves, without the catalog mask.
    fn allows_by_grants(&self, perm: &str) -> bool {
        is_valid_permission_name(perm)
            && (self.all
                || self.exact.contains(perm)
                || self.prefixes.iter().any(|prefix| is_under(perm, prefix)))
    }

    /// Is everything `grant` would match also matched by this set?
    ///
    /// Used against privilege escalation: a caller may only grant what their
    /// own set covers. `*` is covered only by `*`; `p:*` by `*` or a wildcard
    /// on `p` or on an ancestor prefix of `p`; an exact name whenever
    /// [`Self::allows`] it. Invalid grants are never covered.
    pub fn covers(&self, grant: &str) -> bool {
        match parse_grant(grant) {
            Some(Grant::All) => self.all,
            Some(Grant::Prefix(prefix)) => {
                self.all || self.prefixes.iter().any(|own| is_under(prefix, own))
            }
            Some(Grant::Exact(name)) => self.allows(name),
            None => false,
        }
    }

    /// [`Self::covers`], or — for a wildcard — everything it matches in `catalog` is
    /// allowed (and it matches something). Holding every `posts:` permission one by one is
    /// holding `posts:*` as far as the catalog goes: the rule for requested token scopes and
    /// for what a caller may grant.
    pub fn covers_in_catalog(&self, grant: &str, catalog: &[&str]) -> bool {
        self.covers(grant) || wildcard_held(grant, catalog, |p| self.allows(p))
    }

    /// The grants of the set, sorted.
    pub fn grants(&self) -> Vec<String> {
        let mut out: Vec<String> = self.exact.iter().cloned().collect();
        out.extend(self.prefixes.iter().map(|p| format!("{p}:*")));
        if self.all {
            out.push("*".to_string());
        }
        out.sort();
        out
    }

    /// Does the set hold no grant at all?
    pub fn is_empty(&self) -> bool {
        !self.all && self.exact.is_empty() && self.prefixes.is_empty()
    }

    /// The names of `catalog` this set allows, in catalog order.
    pub fn expand(&self, catalog: &[&str]) -> Vec<String> {
        catalog
            .iter()
            .filter(|name| self.allows(name))
            .map(|name| name.to_string())
            .collect()
    }

    /// Same as the free function [`matches_catalog`].
    pub fn matches_catalog(grant: &str, catalog: &[&str]) -> bool {
        matches_catalog(grant, catalog)
    }
}

#[cfg(test)]
mod tests;
