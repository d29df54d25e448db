//! SPEC §3 guard rails and §6 over HTTP: the roles API.

use serde_json::{json, Value};

use crate::helpers::{create_role, spawn_app, Backend, TestApp};

mod definitions;
mod live;
mod rails;

/// The built-in catalog of SPEC §3, written out (not read from the code under test).
const CATALOG: [&str; 18] = [
    "posts:read",
    "posts:create",
    "posts:update_own",
    "posts:update",
    "posts:publish_own",
    "posts:publish",
    "posts:delete_own",
    "posts:delete",
    "comments:read",
    "comments:create",
    "comments:update_own",
    "comments:delete_own",
    "comments:delete",
    "users:read",
    "users:manage",
    "roles:read",
    "roles:manage",
    "audit:read",
];

fn sorted(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

async fn role(app: &TestApp, token: &str, name: &str) -> Value {
    let (status, view) = app
        .call("GET", &format!("/api/roles/{name}"), Some(token), None)
        .await;
    assert_eq!(status, 200, "{name}: {view}");
    view
}
