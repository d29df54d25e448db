//! `PermissionSet::allows` against exact names, `prefix:*` wildcards and `*`.

use std::hint::black_box;

use criterion::Criterion;
use quire::authz::roles::RoleGraph;
use quire::authz::PermissionSet;

pub fn bench(c: &mut Criterion) {
    // The `user` role's nine exact grants, as resolved from the built-in graph.
    let exact = RoleGraph::builtin().effective("user");
    // A mix of wildcards and exact names; the miss below scans every prefix.
    let wildcards = PermissionSet::from_grants([
        "posts:*",
        "comments:*",
        "roles:read",
        "users:read",
        "audit:read",
    ]);
    let everything = PermissionSet::from_grants(["*"]);
    assert!(exact.allows("comments:update_own") && !exact.allows("posts:update"));
    assert!(wildcards.allows("posts:publish") && !wildcards.allows("users:manage"));
    assert!(everything.allows("audit:read"));

    let cases: [(&str, &PermissionSet, &str); 6] = [
        ("exact_hit", &exact, "comments:update_own"),
        ("exact_miss", &exact, "posts:update"),
        ("prefix_hit", &wildcards, "posts:publish"),
        ("prefix_miss", &wildcards, "users:manage"),
        ("star_hit", &everything, "audit:read"),
        ("invalid_name", &everything, "Posts:Read"),
    ];
    let mut group = c.benchmark_group("permission_allows");
    for (name, set, perm) in cases {
        group.bench_function(name, |b| b.iter(|| black_box(set).allows(black_box(perm))));
    }
    group.finish();
}
