//! Administrative operations shared by the CLI, the JSON API and the admin pages. Each is one
//! transactional unit that enforces the guard rails of SPEC §3, writes its audit event and
//! bumps the authorization generation, so no caller can forget one of the three.

pub mod clients;
pub mod comments;
pub mod guard;
pub mod maintenance;
pub mod pats;
pub mod posts;
pub mod recovery;
pub mod rendering;
pub mod roles;
pub mod scheduler;
pub mod sessions;
pub mod twofactor;
pub mod users;

/// Kept so `crate::manage::audit::…` and `crate::manage::Actor` paths still resolve.
pub use crate::audit::{self, Actor};

/// The answer of an operation whose policy check runs inside its transaction: `Ok` with
/// the result, or the policy's refusal.
///
/// Such operations return `Result<Allowed<T>, AppError>`: the outer `Err` is a failure
/// (a missing row, a conflict, the database), the inner one a refusal. `manage` takes plain
/// values (a `Principal` to decide with, an `Actor` to record) and never sees the HTTP
/// caller, so it cannot phrase a refusal for HTTP (401 or 403, with `provided`): the
/// handler does, in one call, `...await?.map_err(|d| caller.deny(d))?`, and the denial
/// middleware audits the 403 it becomes. Nothing has been written when a refusal comes
/// back (the check precedes every write), so the transaction commits empty.
pub type Allowed<T> = Result<T, crate::authz::Denied>;
