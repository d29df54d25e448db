//! Permission names, wildcard grants and the `quire seed --file` policy parser.
//!
//! The input is read as UTF-8 text. Each of its first lines is checked as a grant on its
//! own, consecutive lines as a (grant, permission) pair, and the whole text as a policy
//! file. Properties checked (the ones privilege checks rely on):
//! - a grant is valid exactly when a `PermissionSet` accepts it, and then it is listed back
//!   unchanged by `grants()`, which re-parses to an equal set;
//! - `*` covers every valid grant, every grant covers itself, invalid grants match nothing;
//! - `matches` and `PermissionSet::allows` agree, and a wildcard never matches across a
//!   segment boundary (`posts:*` never matches `postsx` or `admin:posts`);
//! - `covers` and `covers_in_catalog` are sound: what they say is covered is allowed;
//! - the policy parser returns `Ok` or `Err` with a line inside the text, and an `Ok`
//!   policy holds only valid, known names and an acyclic role graph;
//! - on the role graph of an accepted policy, and on one read from the lines themselves
//!   (`role parent... +grant...`, cycles allowed), `find_cycle` and `would_cycle` agree
//!   with an independent reachability oracle built on `ancestors`, and the cycles and
//!   paths they report are real; `effective_with_origin` lists what `effective` allows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::authz::permission::{
    is_valid_grant, is_valid_permission_name, matches, matches_catalog, PermissionSet,
    CATALOG_NAMES, MAX_NAME_LEN,
};
use quire::authz::roles::{is_valid_role_name, BUILTIN_ROLES};
use quire::authz::{RoleDef, RoleGraph};
use quire::cli::policy::Policy;

/// Lines looked at as grants; more adds cost, not coverage.
const MAX_LINES: usize = 4;
/// Lines read as roles of a free-form graph.
const MAX_ROLES: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines: Vec<&str> = text.split('\n').take(MAX_LINES).collect();
    for line in &lines {
        check_grant(line);
    }
    for pair in lines.windows(2) {
        check_pair(pair[0], pair[1]);
        check_pair(pair[1], pair[0]);
    }
    check_graph(&graph_of_lines(text));
    check_policy(text);
});

fn everything() -> PermissionSet {
    PermissionSet::from_grants(["*"])
}

/// What a valid grant is, and how a set holding only it behaves.
fn check_grant(g: &str) {
    let mut set = PermissionSet::new();
    let valid = is_valid_grant(g);
    assert_eq!(set.try_insert(g), valid, "try_insert disagrees on {g:?}");
    if !valid {
        assert!(set.is_empty(), "invalid {g:?} was stored");
        assert!(!everything().covers(g), "`*` covers invalid {g:?}");
        assert!(
            !matches_catalog(g, &CATALOG_NAMES),
            "invalid {g:?} in catalog"
        );
        assert!(!is_valid_permission_name(g), "{g:?}: name but not grant");
        return;
    }
    assert!(g == "*" || g.len() <= MAX_NAME_LEN, "{g:?} is too long");
    assert!(
        g.bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b':' | b'*')),
        "{g:?} has a character outside the grammar"
    );
    assert_eq!(set.grants(), vec![g.to_owned()], "{g:?} is not listed back");
    assert_eq!(
        PermissionSet::from_grants(set.grants()),
        set,
        "{g:?} does not re-parse to the same set"
    );
    assert!(everything().covers(g), "`*` does not cover {g:?}");
    assert!(set.covers(g), "{g:?} does not cover itself");
    assert_eq!(
        matches_catalog(g, &CATALOG_NAMES),
        CATALOG_NAMES.iter().any(|n| matches(g, n)),
        "matches_catalog disagrees on {g:?}"
    );
    let expanded: Vec<&str> = CATALOG_NAMES
        .iter()
        .copied()
        .filter(|n| matches(g, n))
        .collect();
    assert_eq!(set.expand(&CATALOG_NAMES), expanded, "expand of {g:?}");

    if is_valid_permission_name(g) {
        assert!(!g.contains('*'), "name {g:?} holds a wildcard");
        assert!(
            matches(g, g) && set.allows(g),
            "{g:?} does not match itself"
        );
        assert!(matches("*", g), "`*` does not match {g:?}");
        // Every ancestor wildcard (and the name's own) matches the name.
        let own = format!("{g}:*");
        let ancestors = g.match_indices(':').map(|(i, _)| format!("{}:*", &g[..i]));
        for wildcard in ancestors.chain([own]) {
            if wildcard.len() <= MAX_NAME_LEN {
                assert!(matches(&wildcard, g), "{wildcard:?} does not match {g:?}");
                let wide = PermissionSet::from_grants([wildcard.as_str()]);
                assert!(wide.covers(g), "{wildcard:?} does not cover {g:?}");
            }
        }
    } else {
        assert!(g == "*" || g.ends_with(":*"), "{g:?}: odd wildcard");
    }
}

/// Names worth asking a grant about, derived from another string.
fn probes(h: &str) -> Vec<String> {
    let bare = h.strip_suffix(":*").unwrap_or(h);
    let mut out = vec![
        h.to_owned(),
        bare.to_owned(),
        format!("{bare}:x"),
        format!("{bare}x"),
        format!("x:{bare}"),
    ];
    out.extend(CATALOG_NAMES.iter().map(|n| (*n).to_owned()));
    out
}

/// How two strings relate as (grant, permission) and (holder, requested grant).
fn check_pair(g: &str, h: &str) {
    let set = PermissionSet::from_grants([g]);
    let hit = matches(g, h);
    assert_eq!(hit, set.allows(h), "matches({g:?}, {h:?}) != allows");
    if hit {
        assert!(is_valid_grant(g) && is_valid_permission_name(h));
        let ok = match g.strip_suffix(":*") {
            _ if g == "*" => true,
            Some(prefix) => {
                h == prefix
                    || h.strip_prefix(prefix)
                        .is_some_and(|rest| rest.starts_with(':'))
            }
            None => g == h,
        };
        assert!(ok, "{g:?} matches {h:?} across a segment boundary");
    }

    // Soundness against privilege escalation: a holder of `g` may hand out `h` only if
    // everything `h` matches is allowed to the holder.
    if set.covers(h) {
        for name in probes(h) {
            if matches(h, &name) {
                assert!(set.allows(&name), "{g:?} covers {h:?} but not {name:?}");
            }
        }
    }
    if set.covers_in_catalog(h, &CATALOG_NAMES) {
        for name in CATALOG_NAMES {
            if matches(h, name) {
                assert!(set.allows(name), "{g:?} covers {h:?} but not {name:?}");
            }
        }
    }

    let both = PermissionSet::from_grants([g, h]);
    for name in probes(h).iter().chain(probes(g).iter()) {
        assert_eq!(
            both.allows(name),
            matches(g, name) || matches(h, name),
            "union of {g:?} and {h:?} on {name:?}"
        );
    }
}

/// The policy file parser never panics, and what it accepts is well formed.
fn check_policy(text: &str) {
    let known = [
        RoleDef::new("legacy", &["posts:read"], &["user"]),
        RoleDef::new("base", &[] as &[&str], &["legacy"]),
    ];
    let policy = match Policy::from_toml(text, &known) {
        Ok(policy) => policy,
        Err(e) => {
            let lines = text.matches('\n').count() + 1;
            assert!(
                (1..=lines).contains(&e.line),
                "error line {} outside 1..={lines}: {e}",
                e.line
            );
            assert!(!e.message.is_empty(), "empty error message");
            return;
        }
    };
    let catalog: Vec<&str> = policy.permissions.iter().map(|p| p.name.as_str()).collect();
    for (i, name) in catalog.iter().enumerate() {
        assert!(is_valid_permission_name(name), "catalog holds {name:?}");
        assert!(!catalog[..i].contains(name), "{name:?} declared twice");
    }
    for builtin in CATALOG_NAMES {
        assert!(catalog.contains(&builtin), "built-in {builtin:?} dropped");
    }
    for (i, role) in policy.roles.iter().enumerate() {
        assert!(is_valid_role_name(&role.name), "role {:?}", role.name);
        assert!(
            !policy.roles[..i].iter().any(|r| r.name == role.name),
            "role {:?} declared twice",
            role.name
        );
        for grant in &role.grants {
            assert!(matches_catalog(grant, &catalog), "grant {grant:?} accepted");
        }
        for parent in &role.inherits {
            let declared = policy.roles.iter().any(|r| &r.name == parent)
                || BUILTIN_ROLES.iter().any(|r| r.0 == parent)
                || known.iter().any(|r| &r.name == parent);
            assert!(declared, "{} inherits unknown {parent:?}", role.name);
        }
    }
    assert!(
        policy.overlay(&known).find_cycle().is_none(),
        "a cyclic policy was accepted"
    );
    let again = Policy::from_toml(text, &known).expect("parsing twice gives another answer");
    assert_eq!(again, policy);
    check_graph(&policy.overlay(&known));
}

/// Each line `name parent... +grant...` is a role; names and grants are not validated,
/// as the graph must cope with whatever storage holds.
fn graph_of_lines(text: &str) -> RoleGraph {
    RoleGraph::new(text.lines().take(MAX_ROLES).filter_map(|line| {
        let mut words = line.split(' ').filter(|w| !w.is_empty());
        let name = words.next()?;
        let (grants, parents): (Vec<&str>, Vec<&str>) = words.partition(|w| w.starts_with('+'));
        let grants: Vec<&str> = grants.iter().map(|g| &g[1..]).collect();
        Some(RoleDef::new(name, &grants, &parents))
    }))
}

fn check_graph(graph: &RoleGraph) {
    let names: Vec<&str> = graph.roles().map(|r| r.name.as_str()).collect();
    let inherits = |child: &str, parent: &str| {
        graph.get(parent).is_some()
            && graph
                .get(child)
                .is_some_and(|d| d.parents.iter().any(|p| p == parent))
    };
    // The oracle: `a` reaches `b` when `b` is `a` or one of its ancestors.
    let reaches = |a: &str, b: &str| a == b || graph.ancestors(a).iter().any(|x| x == b);
    // A cycle exists when some role's parent reaches back to the role.
    let cyclic = names
        .iter()
        .any(|&n| names.iter().any(|&p| inherits(n, p) && reaches(p, n)));

    match graph.find_cycle() {
        None => assert!(!cyclic, "find_cycle missed a cycle in {graph:?}"),
        Some(cycle) => {
            assert!(cyclic, "find_cycle invented {cycle:?} in {graph:?}");
            assert!(!cycle.is_empty());
            for (i, role) in cycle.iter().enumerate() {
                let next = &cycle[(i + 1) % cycle.len()];
                assert!(inherits(role, next), "{cycle:?}: {role} !< {next}");
            }
        }
    }

    for &role in &names {
        let ancestors = graph.ancestors(role);
        for (i, a) in ancestors.iter().enumerate() {
            assert!(!ancestors[..i].contains(a), "{role}: {a} listed twice");
        }
        for &parent in &names {
            let cycle = graph.would_cycle(role, &[parent.to_owned()]);
            assert_eq!(
                cycle.is_some(),
                reaches(parent, role),
                "would_cycle({role}, [{parent}]) = {cycle:?} in {graph:?}"
            );
            let Some(path) = cycle else { continue };
            assert_eq!(path[0], role);
            if parent == role {
                assert_eq!(path.len(), 1, "{path:?}");
                continue;
            }
            assert_eq!(path[1], parent, "{path:?}");
            for pair in path[1..].windows(2) {
                assert!(inherits(&pair[0], &pair[1]), "{path:?} in {graph:?}");
            }
            assert!(
                inherits(path.last().unwrap(), role),
                "{path:?} in {graph:?}"
            );
        }
        let listed: Vec<String> = graph
            .effective_with_origin(role)
            .into_iter()
            .map(|(grant, _)| grant)
            .collect();
        assert_eq!(
            listed,
            graph.effective(role).grants(),
            "{role} in {graph:?}"
        );
    }
}
