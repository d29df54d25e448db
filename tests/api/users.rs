//! SPEC §3 guard rails and §6 over HTTP: the users API, role grants and revocations, and
//! the authorization matrix of every administration route.

use serde_json::{json, Value};

use crate::helpers::{create_role, password_of, spawn_app, Backend, TestApp};

mod accounts;
mod grants;
mod listing;

const PRINCIPALS: [&str; 5] = ["anonymous", "user", "moderator", "role-reader", "admin"];

/// (method, path, body, expected status per principal in `PRINCIPALS` order). Each
/// mutating row has its own target, and only the last principal (admin) succeeds, so rows
/// do not disturb each other.
type Row = (&'static str, String, Option<Value>, [u16; 5]);
