use super::*;
use crate::authz::permission::{CATALOG, CATALOG_NAMES};

const NONE: &[&str] = &[];

fn role(name: &str, grants: &[&str], parents: &[&str]) -> RoleDef {
    RoleDef::new(name, grants, parents)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn diamond() -> RoleGraph {
    // d inherits b and c, both inherit a.
    RoleGraph::new([
        role("d", &["d:x"], &["b", "c"]),
        role("b", &["b:x"], &["a"]),
        role("c", &["c:x"], &["a"]),
        role("a", &["a:x", "shared"], &[]),
    ])
}

#[test]
fn diamond_visits_shared_ancestor_once() {
    let graph = diamond();
    assert_eq!(graph.ancestors("d"), ["b", "c", "a"]);
    assert_eq!(graph.ancestors("b"), ["a"]);
    assert!(graph.ancestors("a").is_empty());
    assert_eq!(
        graph.effective("d").grants(),
        ["a:x", "b:x", "c:x", "d:x", "shared"]
    );
    assert_eq!(graph.find_cycle(), None);
    let origin = graph.effective_with_origin("d");
    let expected = [
        ("a:x", "a"),
        ("b:x", "b"),
        ("c:x", "c"),
        ("d:x", "d"),
        ("shared", "a"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|&(g, r)| (g.to_string(), r.to_string()))
        .collect();
    assert_eq!(origin, expected);
}

#[test]
fn origin_prefers_nearest_role() {
    let graph = RoleGraph::new([
        role("child", &["x", "Bad grant"], &["parent"]),
        role("parent", &["x", "y"], &[]),
    ]);
    let origin = graph.effective_with_origin("child");
    assert_eq!(
        origin,
        [
            ("x".to_string(), "child".to_string()),
            ("y".to_string(), "parent".to_string())
        ]
    );
}

#[test]
fn cycles_are_found_and_tolerated() {
    let self_loop = RoleGraph::new([role("ok", &[], NONE), role("a", &["a:x"], &["a"])]);
    assert_eq!(self_loop.find_cycle(), Some(strings(&["a"])));
    assert!(self_loop.ancestors("a").is_empty());
    assert_eq!(self_loop.effective("a").grants(), ["a:x"]);

    let two = RoleGraph::new([role("a", &["a:x"], &["b"]), role("b", &["b:x"], &["a"])]);
    assert_eq!(two.find_cycle(), Some(strings(&["a", "b"])));
    assert_eq!(two.ancestors("a"), ["b"]);
    assert_eq!(two.ancestors("b"), ["a"]);
    assert_eq!(two.effective("b").grants(), ["a:x", "b:x"]);

    let three = RoleGraph::new([
        role("root", &[], NONE),
        role("a", &["a:x"], &["root", "b"]),
        role("b", &["b:x"], &["c"]),
        role("c", &["c:x"], &["a"]),
    ]);
    assert_eq!(three.find_cycle(), Some(strings(&["a", "b", "c"])));
    assert_eq!(three.ancestors("a"), ["root", "b", "c"]);
    assert_eq!(three.ancestors("c"), ["a", "root", "b"]);
    assert_eq!(three.effective("c").grants(), ["a:x", "b:x", "c:x"]);
}

#[test]
fn would_cycle_detects_new_cycles() {
    let graph = diamond();
    let p = |items: &[&str]| strings(items);
    // Listing itself.
    assert_eq!(graph.would_cycle("a", &p(&["a"])), Some(p(&["a"])));
    assert_eq!(graph.would_cycle("new", &p(&["new"])), Some(p(&["new"])));
    // a would inherit d, which already inherits a via b.
    assert_eq!(
        graph.would_cycle("a", &p(&["d"])),
        Some(p(&["a", "d", "b"]))
    );
    // 2-cycle.
    assert_eq!(graph.would_cycle("a", &p(&["b"])), Some(p(&["a", "b"])));
    // Harmless changes.
    assert_eq!(graph.would_cycle("d", &p(&["a"])), None);
    assert_eq!(graph.would_cycle("b", &p(&["c"])), None);
    assert_eq!(graph.would_cycle("a", &p(&["unknown"])), None);
    assert_eq!(graph.would_cycle("a", &[]), None);
    // A new role already referenced (as an unknown parent) by an existing one.
    let dangling = RoleGraph::new([role("x", &[], &["y"])]);
    assert_eq!(dangling.ancestors("x"), Vec::<String>::new());
    assert_eq!(dangling.would_cycle("y", &p(&["x"])), Some(p(&["y", "x"])));
    // Existing unrelated cycles do not make the search loop.
    let cyclic = RoleGraph::new([role("a", &[], &["b"]), role("b", &[], &["a"])]);
    assert_eq!(cyclic.would_cycle("z", &p(&["a"])), None);
}

#[test]
fn deep_chain_of_fifty_roles() {
    let names: Vec<String> = (0..50).map(|i| format!("r{i}")).collect();
    let defs = names.iter().enumerate().map(|(i, name)| {
        let parents: Vec<&str> = names.get(i + 1).map(String::as_str).into_iter().collect();
        role(name, &[&format!("p:g{i}")], &parents)
    });
    let graph = RoleGraph::new(defs);
    assert_eq!(graph.find_cycle(), None);
    assert_eq!(graph.ancestors("r0"), names[1..]);
    let effective = graph.effective("r0");
    for i in 0..50 {
        assert!(effective.allows(&format!("p:g{i}")), "g{i}");
    }
    assert_eq!(graph.effective("r49").grants(), ["p:g49"]);
    let cycle = graph.would_cycle("r49", &strings(&["r0"])).expect("cycle");
    assert_eq!(cycle.len(), 50);
    assert_eq!(cycle[0], "r49");
    assert_eq!(cycle[1..], names[..49]);

    let mut closed: Vec<RoleDef> = graph.roles().cloned().collect();
    closed[49].parents = strings(&["r0"]);
    let closed = RoleGraph::new(closed);
    assert_eq!(closed.find_cycle(), Some(names.clone()));
    assert_eq!(closed.ancestors("r10").len(), 49);
}

#[test]
fn unknown_parents_and_roles_are_ignored() {
    let graph = RoleGraph::new([
        role("a", &["a:x"], &["ghost", "b"]),
        role("b", &["b:x"], &["phantom"]),
    ]);
    assert_eq!(graph.ancestors("a"), ["b"]);
    assert!(graph.ancestors("ghost").is_empty());
    assert!(graph.effective("ghost").is_empty());
    assert_eq!(graph.resolve(["ghost", "a"]).grants(), ["a:x", "b:x"]);
    assert_eq!(graph.find_cycle(), None);
    assert!(graph.get("ghost").is_none());
    assert_eq!(
        graph.get("b").map(|d| d.grants.clone()),
        Some(strings(&["b:x"]))
    );
}

#[test]
fn later_definition_replaces_earlier() {
    let graph = RoleGraph::new([
        role("a", &["old"], NONE),
        role("b", &[], NONE),
        role("a", &["new"], NONE),
    ]);
    let names: Vec<&str> = graph.roles().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(graph.effective("a").grants(), ["new"]);
}

#[test]
fn builtin_roles_resolve_to_expected_sets() {
    let graph = RoleGraph::builtin();
    assert_eq!(graph.find_cycle(), None);
    let expand = |r: &str| graph.effective(r).expand(&CATALOG_NAMES);
    let user = [
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
    assert_eq!(expand("anonymous"), ["posts:read", "comments:read"]);
    assert_eq!(expand("user"), user);
    assert_eq!(expand("author"), user);
    let contributor: Vec<&str> = user
        .into_iter()
        .filter(|p| *p != "posts:publish_own")
        .collect();
    assert_eq!(expand("contributor"), contributor);
    let editor = graph.effective("editor");
    for perm in user.iter().chain(&["posts:update", "posts:publish"]) {
        assert!(editor.allows(perm), "editor {perm}");
    }
    assert_eq!(expand("editor").len(), user.len() + 2);
    let moderator = graph.effective("moderator");
    let extra = [
        "users:read",
        "posts:update",
        "posts:delete",
        "comments:delete",
    ];
    for perm in user.iter().chain(&extra) {
        assert!(moderator.allows(perm), "moderator {perm}");
    }
    assert!(!moderator.allows("posts:publish"));
    assert_eq!(expand("moderator").len(), user.len() + extra.len());
    assert_eq!(expand("admin").len(), CATALOG.len());
    assert!(graph.effective("admin").covers("*"));
    assert_eq!(graph.ancestors("editor"), ["author", "user"]);

    for (name, description, grants, parents) in BUILTIN_ROLES {
        assert!(is_valid_role_name(name), "{name}");
        assert!(!description.is_empty());
        assert!(grants.iter().all(|g| is_valid_grant(g)), "{name}");
        assert!(parents.iter().all(|p| graph.get(p).is_some()), "{name}");
    }
    assert!(is_non_deletable("anonymous") && is_non_deletable("admin"));
    assert!(!is_non_deletable("editor") && !is_non_deletable("custom"));
}

#[test]
fn role_name_validation() {
    let max = format!("a{}", "-".repeat(63));
    let too_long = format!("a{}", "b".repeat(64));
    for (name, ok) in [
        ("a", true),
        ("editor", true),
        ("guest-writer_2", true),
        (max.as_str(), true),
        (too_long.as_str(), false),
        ("", false),
        ("-a", false),
        ("1a", false),
        ("Editor", false),
        ("a b", false),
        ("a:b", false),
    ] {
        assert_eq!(is_valid_role_name(name), ok, "{name:?}");
    }
}

#[test]
fn assignments_respect_expiry() {
    let graph = RoleGraph::builtin();
    let assignment = |role: &str, expires_at| Assignment {
        role: role.to_string(),
        expires_at,
    };
    let assignments = [
        assignment("user", None),
        assignment("editor", Some(100)),
        assignment("moderator", Some(200)),
        assignment("admin", Some(50)),
    ];
    let at_99 = graph.resolve_assignments(&assignments, 99);
    assert!(at_99.allows("posts:publish") && at_99.allows("users:read"));
    assert!(!at_99.allows("audit:read"));
    let at_100 = graph.resolve_assignments(&assignments, 100);
    assert!(
        !at_100.allows("posts:publish"),
        "expires_at == now is expired"
    );
    assert!(at_100.allows("comments:delete"));
    let at_500 = graph.resolve_assignments(&assignments, 500);
    assert_eq!(at_500, graph.effective("user"));
    assert_eq!(next_expiry(&assignments, 0), Some(50));
    assert_eq!(next_expiry(&assignments, 50), Some(100));
    assert_eq!(next_expiry(&assignments, 150), Some(200));
    assert_eq!(next_expiry(&assignments, 200), None);
    assert_eq!(next_expiry(&[], 0), None);
}
