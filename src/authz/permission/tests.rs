use super::*;

#[test]
fn wildcard_rules() {
    // (grant, permission, expected)
    const RULES: &[(&str, &str, bool)] = &[
        // `prefix:*` matches the prefix itself and everything nested below.
        ("posts:*", "posts", true),
        ("posts:*", "posts:read", true),
        ("posts:*", "posts:update_own", true),
        ("posts:*", "posts:a:b", true),
        ("posts:*", "postsx", false),
        ("posts:*", "postsx:read", false),
        ("posts:*", "post", false),
        ("posts:*", "comments:read", false),
        ("users:*", "admin:users", false),
        ("users:*", "admin:users:read", false),
        // `*` matches everything (valid).
        ("*", "posts:read", true),
        ("*", "admin:users", true),
        ("*", "x", true),
        ("*", "a:b:c:d", true),
        // Nested wildcards.
        ("posts:a:*", "posts:a", true),
        ("posts:a:*", "posts:a:b", true),
        ("posts:a:*", "posts:a:b:c", true),
        ("posts:a:*", "posts:ab", false),
        ("posts:a:*", "posts", false),
        ("posts:a:*", "posts:b", false),
        // Exact grants match only themselves.
        ("posts:read", "posts:read", true),
        ("posts:read", "posts:read:x", false),
        ("posts:read", "posts", false),
        ("posts", "posts:read", false),
        // Fail closed on malformed input.
        ("posts*", "posts:read", false),
        ("posts:**", "posts:read", false),
        ("**", "posts:read", false),
        ("*", "Posts:read", false),
        ("*", "", false),
        ("posts:*", "posts:", false),
        ("posts:*", "posts:*", false),
        ("", "", false),
    ];
    for &(grant, perm, expected) in RULES {
        assert_eq!(
            matches(grant, perm),
            expected,
            "matches({grant:?}, {perm:?})"
        );
        let set = PermissionSet::from_grants([grant]);
        assert_eq!(
            set.allows(perm),
            expected,
            "set[{grant:?}].allows({perm:?})"
        );
    }
}

#[test]
fn name_validation() {
    // (input, valid permission name, valid grant)
    let long63 = format!("a{}", "b".repeat(62));
    let long64 = format!("a{}", "b".repeat(63));
    let long65 = format!("a{}", "b".repeat(64));
    let wild64 = format!("a{}:*", "b".repeat(61));
    let wild65 = format!("a{}:*", "b".repeat(62));
    let cases: Vec<(&str, bool, bool)> = vec![
        ("posts:read", true, true),
        ("posts", true, true),
        ("a", true, true),
        ("posts:update_own", true, true),
        ("a1:b2_c:d", true, true),
        ("*", false, true),
        ("posts:*", false, true),
        ("posts:a:*", false, true),
        ("", false, false),
        (":", false, false),
        (":*", false, false),
        ("posts:", false, false),
        (":read", false, false),
        ("posts::read", false, false),
        ("Posts:read", false, false),
        ("posts:Read", false, false),
        ("posts read", false, false),
        (" posts:read", false, false),
        ("posts:read ", false, false),
        ("posts\t:read", false, false),
        ("1posts", false, false),
        ("_posts", false, false),
        ("posts:_x", false, false),
        ("posts:9", false, false),
        ("posts-x", false, false),
        ("posts*", false, false),
        ("posts:*:read", false, false),
        ("*:read", false, false),
        ("**", false, false),
        ("posts:**", false, false),
        ("*:", false, false),
        ("posts:*:", false, false),
        ("posts:*:*", false, false),
        ("pösts", false, false),
        (&long63, true, true),
        (&long64, true, true),
        (&long65, false, false),
        (&wild64, false, true),
        (&wild65, false, false),
    ];
    for (input, name, grant) in cases {
        assert_eq!(is_valid_permission_name(input), name, "name {input:?}");
        assert_eq!(is_valid_grant(input), grant, "grant {input:?}");
    }
}

#[test]
fn covers_table() {
    // (set grants, grant to check, expected)
    const TABLE: &[(&[&str], &str, bool)] = &[
        (&["*"], "*", true),
        (&["*"], "posts:*", true),
        (&["*"], "posts:read", true),
        (&["posts:*"], "*", false),
        (&["posts:*"], "posts:*", true),
        (&["posts:*"], "posts:a:*", true),
        (&["posts:*"], "posts", true),
        (&["posts:*"], "posts:read", true),
        (&["posts:*"], "comments:*", false),
        (&["posts:*"], "postsx:*", false),
        (&["posts:a:*"], "posts:*", false),
        (&["posts:a:*"], "posts:a:*", true),
        (&["posts:a:*"], "posts:a:b", true),
        (&["posts:a:*"], "posts:ab:*", false),
        (&["posts:read", "posts:update"], "posts:*", false),
        (&["posts:read"], "posts:read", true),
        (&["posts:read"], "posts:update", false),
        (&["posts"], "posts:*", false),
        (&[], "posts:read", false),
        (&["*"], "Posts", false),
        (&["*"], "**", false),
    ];
    for &(grants, grant, expected) in TABLE {
        let set = PermissionSet::from_grants(grants);
        assert_eq!(set.covers(grant), expected, "{grants:?} covers {grant:?}");
    }
}

#[test]
fn parse_scope_cases() {
    let ok = |s: &str| parse_scope(s).expect(s);
    assert_eq!(ok("posts:read"), ["posts:read"]);
    assert_eq!(ok("posts:read comments:*"), ["posts:read", "comments:*"]);
    assert_eq!(
        ok("  posts:read   posts:update  "),
        ["posts:read", "posts:update"]
    );
    assert_eq!(ok("b a b a"), ["b", "a"]);
    assert_eq!(ok("*"), ["*"]);
    assert_eq!(ok(""), Vec::<String>::new());
    assert_eq!(ok("   "), Vec::<String>::new());
    assert_eq!(
        parse_scope("posts:read Posts:x"),
        Err("Posts:x".to_string())
    );
    assert_eq!(
        parse_scope("posts:read\tx"),
        Err("posts:read\tx".to_string())
    );
    assert_eq!(parse_scope("a posts: b"), Err("posts:".to_string()));
    assert_eq!(parse_scope("a,b"), Err("a,b".to_string()));
}

#[test]
fn set_basics() {
    let mut set = PermissionSet::new();
    assert!(set.is_empty());
    assert!(!set.try_insert("Bad"));
    set.insert("not valid");
    assert!(set.is_empty());
    set.insert("posts:read");
    set.insert("comments:*");
    set.insert("comments:*");
    set.insert("users:a:*");
    assert!(!set.is_empty());
    assert_eq!(set.grants(), ["comments:*", "posts:read", "users:a:*"]);
    assert_eq!(
        set.expand(&CATALOG_NAMES),
        [
            "posts:read",
            "comments:read",
            "comments:create",
            "comments:update_own",
            "comments:delete_own",
            "comments:delete"
        ]
    );
    let other = PermissionSet::from_grants(["users:a:*", "posts:read", "comments:*"]);
    assert_eq!(set, other);
    let mut all = PermissionSet::from_grants(["*"]);
    assert_eq!(all.expand(&CATALOG_NAMES).len(), CATALOG.len());
    all.union_with(&set);
    assert_eq!(all.grants(), ["*", "comments:*", "posts:read", "users:a:*"]);
}

#[test]
fn catalog_is_consistent() {
    assert_eq!(CATALOG_NAMES.len(), CATALOG.len());
    let mut seen = HashSet::new();
    for (name, description) in CATALOG {
        assert!(is_valid_permission_name(name), "{name}");
        assert!(!description.is_empty(), "{name}");
        assert!(seen.insert(name), "duplicate {name}");
    }
}

#[test]
fn catalog_matching() {
    for (grant, expected) in [
        ("posts:read", true),
        ("posts:*", true),
        ("*", true),
        ("audit:*", true),
        ("posts", false),
        ("posts:read:*", true),
        ("posts:frobnicate", false),
        ("blog:*", false),
        ("posts:read:x", false),
        ("Posts:*", false),
    ] {
        assert_eq!(matches_catalog(grant, &CATALOG_NAMES), expected, "{grant}");
        assert_eq!(
            PermissionSet::matches_catalog(grant, &CATALOG_NAMES),
            expected
        );
    }
}

#[test]
fn catalog_rejection_says_why() {
    for (grant, expected) in [
        ("posts:read", Ok(())),
        ("comments:*", Ok(())),
        ("*", Ok(())),
        ("posts:frobnicate", Err(NotInCatalog::Unknown)),
        ("blog:*", Err(NotInCatalog::Unknown)),
        ("Posts:*", Err(NotInCatalog::Malformed)),
        ("", Err(NotInCatalog::Malformed)),
        ("posts:*:read", Err(NotInCatalog::Malformed)),
    ] {
        assert_eq!(check_in_catalog(grant, &CATALOG_NAMES), expected, "{grant}");
    }
}

#[test]
fn covers_in_catalog_counts_a_wildcard_held_one_by_one() {
    let catalog = ["posts:read", "posts:create", "comments:read"];
    let one_by_one = PermissionSet::from_grants(["posts:read", "posts:create"]);
    let partial = PermissionSet::from_grants(["posts:read"]);
    let star = PermissionSet::from_grants(["*"]);
    // (set, grant, expected)
    let rows: [(&PermissionSet, &str, bool); 9] = [
        (&one_by_one, "posts:*", true),
        (&one_by_one, "posts:read", true),
        (&one_by_one, "*", false),
        (&one_by_one, "users:*", false), // matches nothing in the catalog
        (&partial, "posts:*", false),
        (&partial, "comments:*", false),
        (&star, "*", true),
        (&star, "users:*", true), // covered as written
        (&one_by_one, "bad**", false),
    ];
    for (set, grant, expected) in rows {
        assert_eq!(
            set.covers_in_catalog(grant, &catalog),
            expected,
            "{set:?} {grant}"
        );
    }
}

#[test]
fn a_principal_covers_in_catalog_only_within_its_scopes() {
    use crate::authz::Principal;
    use std::sync::Arc;
    let catalog = ["posts:read", "posts:create"];
    let user = Principal::user(
        1,
        Arc::new(PermissionSet::from_grants(["posts:read", "posts:create"])),
    );
    assert!(user.covers_in_catalog("posts:*", &catalog));
    let narrowed = user.with_scopes(Arc::new(PermissionSet::from_grants(["posts:read"])));
    assert!(!narrowed.covers_in_catalog("posts:*", &catalog));
    assert!(narrowed.covers_in_catalog("posts:read", &catalog));
}

/// Every way of building a set: the catalog mask must agree with the grants, for every
/// built-in name, and `allows` must agree with `matches` for built-in and custom names.
#[test]
fn catalog_mask_agrees_with_the_grants() {
    let grants = [
        "*",
        "posts:*",
        "posts:read",
        "posts:update_own",
        "comments:*",
        "comments:delete",
        "users:read",
        "roles:*",
        "audit:read",
        "posts:read:*",
        "custom:thing",
        "custom:*",
        "postsx:*",
        "bad grant",
        "POSTS:read",
    ];
    let mut names: Vec<&str> = CATALOG_NAMES.to_vec();
    names.extend([
        "custom:thing",
        "custom:other",
        "posts",
        "posts:read:x",
        "postsx:read",
    ]);
    // Every subset of up to three grants, built three ways.
    let mut sets = Vec::new();
    for a in 0..grants.len() {
        for b in a..grants.len() {
            for c in b..grants.len() {
                let chosen = [grants[a], grants[b], grants[c]];
                sets.push((chosen, PermissionSet::from_grants(chosen)));
                let mut inserted = PermissionSet::new();
                for g in chosen {
                    inserted.insert(g);
                }
                sets.push((chosen, inserted));
                let mut united = PermissionSet::from_grants([chosen[0]]);
                united.union_with(&PermissionSet::from_grants([chosen[1], chosen[2]]));
                sets.push((chosen, united));
            }
        }
    }
    for (chosen, set) in &sets {
        for name in &names {
            let by_grants = chosen.iter().any(|g| matches(g, name));
            assert_eq!(set.allows(name), by_grants, "{chosen:?} allows {name}");
            if let Some(i) = catalog_index(name) {
                assert_eq!(set.allows_catalog(i), by_grants, "{chosen:?} mask {name}");
            }
        }
    }
}

#[test]
fn catalog_index_finds_every_built_in_name_and_nothing_else() {
    for (i, name) in CATALOG_NAMES.iter().enumerate() {
        assert_eq!(catalog_index(name), Some(i));
    }
    for name in ["", "posts", "posts:read:x", "custom:thing", "*", "posts:*"] {
        assert_eq!(catalog_index(name), None, "{name}");
    }
}
