//! OAuth2 `scope` strings: the `scope` form value of `POST /api/auth/token` and the
//! `scope` claim of an access token.
//!
//! Properties checked:
//! - `parse_scope` returns the valid, de-duplicated space-separated tokens in order, whose
//!   join parses back to the same list; or the first invalid token;
//! - `resolve_scope`, for several holders (nothing, `*`, `posts:*`, the built-in roles'
//!   own grants), never grants more than the holder has over the catalog, answers only
//!   `invalid_scope` errors, is idempotent, and its result can be asked for again with a
//!   refresh token carrying it;
//! - the token side (`PermissionSet` built from the claim) sees the same grants.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::auth::tokens::resolve_scope;
use quire::authz::permission::{
    is_valid_grant, matches_catalog, parse_scope, PermissionSet, CATALOG_NAMES,
};
use quire::authz::roles::BUILTIN_ROLES;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_parse(text);
    for holds in holders() {
        check_resolve(text, &holds);
    }
});

fn holders() -> Vec<PermissionSet> {
    let mut out = vec![
        PermissionSet::new(),
        PermissionSet::from_grants(["*"]),
        PermissionSet::from_grants(["posts:*"]),
    ];
    out.extend(
        BUILTIN_ROLES
            .iter()
            .map(|(_, _, grants, _)| PermissionSet::from_grants(grants.iter())),
    );
    out
}

fn tokens_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(' ').filter(|t| !t.is_empty())
}

fn check_parse(text: &str) {
    match parse_scope(text) {
        Ok(tokens) => {
            let mut expected: Vec<&str> = Vec::new();
            for t in tokens_of(text) {
                if !expected.contains(&t) {
                    expected.push(t);
                }
            }
            assert_eq!(tokens, expected, "parse_scope({text:?})");
            for t in &tokens {
                assert!(is_valid_grant(t), "{t:?} accepted as a scope");
            }
            let joined = tokens.join(" ");
            assert_eq!(parse_scope(&joined).as_ref(), Ok(&tokens), "{joined:?}");
            // The access token carries the joined string; the request side rebuilds the
            // set from it and must see exactly these grants.
            assert_eq!(
                PermissionSet::from_grants(tokens_of(&joined)),
                PermissionSet::from_grants(&tokens),
                "{joined:?}"
            );
        }
        Err(bad) => {
            let first_bad = tokens_of(text).find(|t| !is_valid_grant(t));
            assert_eq!(Some(bad.as_str()), first_bad, "parse_scope({text:?})");
        }
    }
}

fn check_resolve(text: &str, holds: &PermissionSet) {
    let scope = match resolve_scope(Some(text), holds, &CATALOG_NAMES) {
        Ok(scope) => scope,
        Err(e) => {
            assert_eq!(e.code(), "invalid_scope", "{text:?}: {e}");
            assert!(!e.message().is_empty());
            return;
        }
    };
    let granted = PermissionSet::from_grants(tokens_of(&scope));
    for t in tokens_of(&scope) {
        assert!(matches_catalog(t, &CATALOG_NAMES), "{t:?} granted");
        assert!(
            holds.covers_in_catalog(t, &CATALOG_NAMES),
            "{t:?} granted to {holds:?}"
        );
    }
    // No escalation: over the catalog, the token allows nothing the holder lacks.
    for name in CATALOG_NAMES {
        assert!(
            !granted.allows(name) || holds.allows(name),
            "{text:?} granted {name:?} to {holds:?}"
        );
    }
    if scope.is_empty() {
        return;
    }
    let again = resolve_scope(Some(&scope), holds, &CATALOG_NAMES);
    assert_eq!(
        again.ok().as_ref(),
        Some(&scope),
        "not idempotent: {scope:?}"
    );
    let refreshed = resolve_scope(Some(text), &granted, &CATALOG_NAMES);
    assert_eq!(
        refreshed.ok().as_ref(),
        Some(&scope),
        "a refresh with {scope:?} cannot ask for {text:?}"
    );
}
