//! Unit tests of `auth::tokens`: the scope rules.

use super::*;
use crate::authz::permission::CATALOG_NAMES;

fn scope(requested: Option<&str>, holds: &[&str]) -> Result<String, String> {
    resolve_scope(
        requested,
        &PermissionSet::from_grants(holds),
        &CATALOG_NAMES,
    )
    .map_err(|e| e.message())
}

#[test]
fn scope_rules() {
    assert_eq!(
        scope(None, &["posts:read", "posts:create"]).unwrap(),
        "posts:read posts:create"
    );
    assert_eq!(scope(Some("  "), &["posts:read"]).unwrap(), "posts:read");
    assert_eq!(
        scope(Some("posts:read"), &["posts:*"]).unwrap(),
        "posts:read"
    );
    assert_eq!(scope(Some("posts:*"), &["*"]).unwrap(), "posts:*");
    assert!(scope(Some("posts:update"), &["posts:read"])
        .unwrap_err()
        .contains("posts:update"));
    assert!(scope(Some("posts:fly"), &["*"])
        .unwrap_err()
        .contains("unknown scope `posts:fly`"));
    assert!(scope(Some("POSTS"), &["*"]).is_err());
    assert!(scope(Some("posts:*"), &["posts:read"]).is_err());
    // Holding every posts permission one by one is holding posts:*.
    let all_posts: Vec<&str> = CATALOG_NAMES
        .iter()
        .copied()
        .filter(|p| p.starts_with("posts:"))
        .collect();
    assert!(scope(Some("posts:*"), &all_posts).is_ok());
    assert_eq!(
        scope(None, &["*"]).unwrap().split(' ').count(),
        CATALOG_NAMES.len()
    );
}
