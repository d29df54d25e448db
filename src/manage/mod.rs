//! Administrative operations shared by the CLI, the JSON API and the admin pages. Each is one
//! transactional unit that enforces the guard rails of SPEC §3, writes its audit event and
//! bumps the authorization generation, so no caller can forget one of the three.

pub mod guard;
pub mod maintenance;
pub mod pats;
pub mod posts;
pub mod recovery;
pub mod roles;
pub mod sessions;
pub mod users;

/// Kept so `crate::manage::audit::…` and `crate::manage::Actor` paths still resolve.
pub use crate::audit::{self, Actor};
