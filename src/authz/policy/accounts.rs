//! Who may read or change a user account. People see and edit their own profile without
//! any permission; everyone else needs `users:read` / `users:manage`. Disabling is never a
//! self-service action.

use super::{require_any, Denied, Principal};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAction {
    /// `GET /api/users/{id}`.
    Read,
    /// Display name, email, password.
    EditProfile,
    /// Disable or enable the account.
    SetDisabled,
}

/// Decides `action` on the account `target` (a user id).
pub fn check_user(p: &Principal, action: UserAction, target: i64) -> Result<(), Denied> {
    let own = p.user_id == Some(target);
    match action {
        UserAction::Read if own => Ok(()),
        UserAction::Read => require_any(p, &["users:read"]),
        UserAction::EditProfile if own => Ok(()),
        UserAction::EditProfile | UserAction::SetDisabled => require_any(p, &["users:manage"]),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::authz::PermissionSet;

    fn user(id: i64, grants: &[&str]) -> Principal {
        Principal::user(id, Arc::new(PermissionSet::from_grants(grants)))
    }

    #[test]
    fn account_table() {
        let anon = Principal::anonymous(Arc::new(PermissionSet::from_grants(["posts:read"])));
        let plain = user(1, &["posts:read"]);
        let reader = user(1, &["users:read"]);
        let manager = user(1, &["users:read", "users:manage"]);
        // (who, action, target, allowed)
        let rows: [(&Principal, UserAction, i64, bool); 12] = [
            (&anon, UserAction::Read, 1, false),
            (&plain, UserAction::Read, 1, true),
            (&plain, UserAction::Read, 2, false),
            (&reader, UserAction::Read, 2, true),
            (&plain, UserAction::EditProfile, 1, true),
            (&plain, UserAction::EditProfile, 2, false),
            (&reader, UserAction::EditProfile, 2, false),
            (&manager, UserAction::EditProfile, 2, true),
            (&plain, UserAction::SetDisabled, 1, false),
            (&manager, UserAction::SetDisabled, 1, true),
            (&manager, UserAction::SetDisabled, 2, true),
            (&anon, UserAction::EditProfile, 1, false),
        ];
        for (who, action, target, allowed) in rows {
            assert_eq!(
                check_user(who, action, target).is_ok(),
                allowed,
                "{who:?} {action:?} {target}"
            );
        }
    }

    #[test]
    fn denials_name_the_permission() {
        assert_eq!(
            check_user(&user(1, &[]), UserAction::SetDisabled, 1),
            Err(Denied::InsufficientScope {
                required: &["users:manage"]
            })
        );
    }
}
