//! Criterion benches of the authorization core (`cargo bench --bench authz`).
//!
//! Everything measured here is what a request pays once its data is loaded:
//! permission lookups, role resolution, post policy decisions and JWT
//! verification, plus the same "may U update post P" decision done with
//! casbin-rs for comparison (see `versus_casbin`), and one login's bcrypt with
//! and without the pauses the server makes (see `password`). Results and the
//! command used are recorded in `docs/performance.md`.

use criterion::{criterion_group, criterion_main};

mod jwt;
mod password;
mod permissions;
mod policy;
mod roles;
mod versus_casbin;

criterion_group!(
    benches,
    permissions::bench,
    roles::bench,
    policy::bench,
    jwt::bench,
    versus_casbin::bench,
    password::bench
);
criterion_main!(benches);
