//! Integration tests: the real router over HTTP on a real database, once per backend.

#[macro_use]
mod helpers;

mod audit_bounds;
mod auth;
mod browser;
mod cache_generation;
mod cli;
mod comments;
mod dead_connections;
mod e2e;
mod explain_audit;
mod explain_read;
mod first_admin;
mod guard_races;
mod guard_rails;
mod health;
mod http_methods;
mod input_hygiene;
mod introspection;
mod jwks;
mod list_readable;
mod maintenance;
mod nasty;
mod openapi;
mod pages;
mod pats;
mod plans;
mod posts;
mod reliability;
mod roles;
mod route_matrix;
mod schema;
mod schemathesis;
mod session_csrf;
mod sessions;
mod throttle;
mod token_families;
mod twofactor;
mod users;
