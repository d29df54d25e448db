//! Who may hand out management rights (SPEC H15).
//!
//! `users:manage` and `roles:manage` are the permissions that make more administrators:
//! with them one creates accounts, resets passwords, edits roles and grants them. The
//! ceiling rule of SPEC §3 (nobody grants beyond their own permissions) still lets a
//! holder of `roles:manage` pass `roles:manage` on, for instance by adding it to the
//! `user` role every self-registered account gets. So handing either one out — directly,
//! through a wildcard (`roles:*`, `users:*`, `*`), by editing a role so that it (and
//! every role inheriting from it) carries one it did not, by creating a role that carries
//! one (its own grant or an inherited one), or by assigning such a role to a user —
//! takes holding `*`. Revoking and narrowing never do.
//!
//! The plainer ceiling (nobody hands out what they do not hold) is [`first_beyond`].

use super::permission::PermissionSet;
use super::policy::Principal;

/// The permissions only holders of `*` hand out.
pub const MANAGEMENT: [&str; 2] = ["users:manage", "roles:manage"];

/// The management permissions `after` carries that `before` did not: what a change hands
/// out. For a role edit, `before` and `after` are the role's effective permissions
/// around the edit; for a new role or an assignment, `before` is empty.
pub fn management_gained(before: &PermissionSet, after: &PermissionSet) -> Vec<&'static str> {
    MANAGEMENT
        .into_iter()
        .filter(|m| after.allows(m) && !before.allows(m))
        .collect()
}

/// Does `actor` hold `*`, as far as the catalog goes: every permission of the catalog is
/// effective for the request (an admin's session, or an admin's token asked for without
/// a narrowing scope; SPEC §11).
pub fn holds_star(actor: &Principal, catalog: &[&str]) -> bool {
    actor.covers_in_catalog("*", catalog)
}

/// The ceiling rule of SPEC §3 (no privilege escalation): the first grant of `carried`
/// (what a role or an account brings with it, inheritance included) that lies outside the
/// actor's effective permissions, or `None` when all of it lies within. A wildcard counts
/// as held when the actor holds everything it matches in `catalog` one by one
/// ([`Principal::covers_in_catalog`]), so the same role is grantable whichever way the
/// actor came by those permissions.
pub fn first_beyond(
    actor: &Principal,
    carried: &PermissionSet,
    catalog: &[&str],
) -> Option<String> {
    carried
        .grants()
        .into_iter()
        .find(|g| !actor.covers_in_catalog(g, catalog))
}

/// May `actor` make a change whose subject goes from `before` to `after`? `None` is the
/// operator's command line, which has no principal and may. On refusal, the management
/// permissions the change would have handed out.
pub fn check_hand_out(
    actor: Option<&Principal>,
    before: &PermissionSet,
    after: &PermissionSet,
    catalog: &[&str],
) -> Result<(), Vec<&'static str>> {
    let Some(actor) = actor else {
        return Ok(());
    };
    let gained = management_gained(before, after);
    if gained.is_empty() || holds_star(actor, catalog) {
        Ok(())
    } else {
        Err(gained)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::authz::permission::CATALOG_NAMES;

    fn set(grants: &[&str]) -> PermissionSet {
        PermissionSet::from_grants(grants)
    }

    fn actor(grants: &[&str], scope: Option<&[&str]>) -> Principal {
        let p = Principal::user(1, Arc::new(set(grants)));
        match scope {
            Some(s) => p.with_scopes(Arc::new(set(s))),
            None => p,
        }
    }

    const EVERYTHING: &[&str] = &CATALOG_NAMES;
    const NONE: &[&str] = &[];

    /// (actor grants, token scope, before, after, refused permissions)
    type Row = (
        &'static [&'static str],
        Option<&'static [&'static str]>,
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    );

    const ROWS: &[Row] = &[
        // Nothing managed is handed out: anyone may.
        (&["roles:manage"], None, NONE, &["posts:read"], NONE),
        (&["roles:manage"], None, &["posts:*"], &["posts:read"], NONE),
        // Directly, by a holder of roles:manage who is not an admin.
        (
            &["roles:manage"],
            None,
            NONE,
            &["roles:manage"],
            &["roles:manage"],
        ),
        (
            &["users:manage", "roles:manage"],
            None,
            NONE,
            &["users:manage"],
            &["users:manage"],
        ),
        // Through wildcards.
        (&["roles:*"], None, NONE, &["roles:*"], &["roles:manage"]),
        (
            &["users:*", "roles:*"],
            None,
            NONE,
            &["users:*"],
            &["users:manage"],
        ),
        (
            &["roles:*", "users:*"],
            None,
            NONE,
            &["*"],
            &["users:manage", "roles:manage"],
        ),
        // A wildcard that carries neither is fine.
        (&["roles:manage", "posts:*"], None, NONE, &["posts:*"], NONE),
        // Already carried before the change (an edit of something else): nothing new.
        (
            &["roles:manage"],
            None,
            &["roles:manage"],
            &["roles:manage", "posts:read"],
            NONE,
        ),
        (
            &["roles:manage"],
            None,
            &["users:manage"],
            &["users:*"],
            NONE,
        ),
        (
            &["roles:manage"],
            None,
            &["users:manage"],
            &["users:manage", "roles:manage"],
            &["roles:manage"],
        ),
        // Taking away is never refused.
        (
            &["roles:manage"],
            None,
            &["roles:manage", "users:manage"],
            NONE,
            NONE,
        ),
        // Holders of `*` may, by the grant itself or by holding the whole catalog.
        (&["*"], None, NONE, &["roles:manage", "users:manage"], NONE),
        (EVERYTHING, None, NONE, &["*"], NONE),
        // An admin's token narrowed below the catalog does not hold `*`.
        (
            &["*"],
            Some(&["roles:manage", "users:manage"]),
            NONE,
            &["roles:manage"],
            &["roles:manage"],
        ),
        (&["*"], Some(&["*"]), NONE, &["roles:manage"], NONE),
    ];

    #[test]
    fn hand_out_table() {
        let catalog: &[&str] = &CATALOG_NAMES;
        for (i, &(grants, scope, before, after, refused)) in ROWS.iter().enumerate() {
            let who = actor(grants, scope);
            let got = check_hand_out(Some(&who), &set(before), &set(after), catalog);
            let want = if refused.is_empty() {
                Ok(())
            } else {
                Err(refused.to_vec())
            };
            assert_eq!(
                got, want,
                "row {i}: {grants:?} scope {scope:?}: {before:?} -> {after:?}"
            );
        }
    }

    #[test]
    fn first_beyond_names_what_the_actor_lacks() {
        let catalog: &[&str] = &CATALOG_NAMES;
        let editor = actor(&["posts:*", "comments:read"], None);
        assert_eq!(
            first_beyond(&editor, &set(&["posts:update"]), catalog),
            None
        );
        assert_eq!(first_beyond(&editor, &set(&["posts:*"]), catalog), None);
        assert_eq!(
            first_beyond(&editor, &set(&["comments:*", "posts:read"]), catalog),
            Some("comments:*".to_owned())
        );
        // Every `comments:` permission one by one is `comments:*` as far as the catalog goes.
        let comments: Vec<&str> = EVERYTHING
            .iter()
            .copied()
            .filter(|p| p.starts_with("comments:"))
            .collect();
        let one_by_one = actor(&comments, None);
        assert_eq!(
            first_beyond(&one_by_one, &set(&["comments:*"]), catalog),
            None
        );
        assert_eq!(
            first_beyond(&one_by_one, &set(&["*"]), catalog),
            Some("*".to_owned())
        );
        // A token's scopes narrow it.
        let narrowed = actor(&["*"], Some(&["posts:read"]));
        assert_eq!(
            first_beyond(&narrowed, &set(&["posts:read", "posts:create"]), catalog),
            Some("posts:create".to_owned())
        );
    }

    #[test]
    fn the_command_line_may_hand_out_anything() {
        let catalog: &[&str] = &CATALOG_NAMES;
        assert_eq!(
            check_hand_out(None, &set(NONE), &set(&["*"]), catalog),
            Ok(())
        );
    }

    #[test]
    fn holding_star_means_the_whole_catalog() {
        let catalog: &[&str] = &CATALOG_NAMES;
        assert!(holds_star(&actor(&["*"], None), catalog));
        assert!(holds_star(&actor(EVERYTHING, None), catalog));
        let most: Vec<&str> = EVERYTHING
            .iter()
            .copied()
            .filter(|p| *p != "audit:read")
            .collect();
        assert!(!holds_star(&actor(&most, None), catalog));
    }
}
