//! `/api/users` (SPEC §6): accounts and their role assignments, a file per resource and
//! verb. The guard rails live in `manage::users` (and `manage::guard`); these handlers
//! check the route requirement, parse, and respond.

mod accounts;
mod edit;
mod grants;
mod twofactor;

pub use accounts::{create_user, get_user, list_users, parse_account};
pub(crate) use edit::check_current_password;
pub use edit::update_user;
pub use grants::{grant_role, revoke_role};
pub use twofactor::reset_two_factor;
