//! "May user U update post P?" decided by Quire's `check_post` and by a
//! casbin-rs `Enforcer` on an equivalent model, over the built-in roles.
//!
//! Rule (SPEC §4): allowed if U holds `posts:update` through a role, or U
//! owns P and holds `posts:update_own`. Quire's policy also requires the
//! owner to be able to read P (`posts:read`); every built-in role with
//! `posts:update_own` holds `posts:read`, so the casbin model leaves that
//! out, and the table below checks that both answer alike on every case
//! before anything is timed.

use std::hint::black_box;
use std::sync::Arc;

use casbin::prelude::*;
use criterion::{BenchmarkId, Criterion};
use quire::authz::roles::{RoleGraph, ANONYMOUS_ROLE, BUILTIN_ROLES};
use quire::authz::{check_post, PostAction, PostFacts, PostStatus, Principal};
use serde::Serialize;

/// RBAC with inheritance (`g`) and an ownership condition: a policy row
/// `(role, action, scope)` applies to any object when `scope` is `any`, and
/// only to the subject's own objects otherwise. `keyMatch` gives `admin`'s
/// `*` grant its meaning.
const MODEL: &str = r#"
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, act, scope

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && keyMatch(r.act, p.act) && (p.scope == "any" || r.obj.author == r.sub)
"#;

/// The post as casbin sees it (`r.obj`).
#[derive(Serialize, Hash)]
struct PostObj {
    author: String,
    published: bool,
}

/// Someone else, the author of every post the caller does not own.
const OTHER: (i64, &str) = (999, "someone_else");

/// `(role held, caller owns the post, post published, expected answer)`.
const CASES: &[(&str, bool, bool, bool)] = &[
    ("anonymous", false, false, false),
    ("anonymous", false, true, false),
    ("user", true, false, true),
    ("user", true, true, true),
    ("user", false, false, false),
    ("user", false, true, false),
    ("contributor", true, false, true),
    ("contributor", true, true, true),
    ("contributor", false, false, false),
    ("contributor", false, true, false),
    ("author", true, false, true),
    ("author", true, true, true),
    ("author", false, false, false),
    ("author", false, true, false),
    ("editor", true, false, true),
    ("editor", true, true, true),
    ("editor", false, false, true),
    ("editor", false, true, true),
    ("moderator", true, false, true),
    ("moderator", true, true, true),
    ("moderator", false, false, true),
    ("moderator", false, true, true),
    ("admin", true, false, true),
    ("admin", true, true, true),
    ("admin", false, false, true),
    ("admin", false, true, true),
];

/// One case, prepared for both engines.
struct Case {
    name: String,
    role: &'static str,
    principal: Principal,
    facts: PostFacts,
    subject: String,
    obj: PostObj,
    expected: bool,
}

fn cases(graph: &RoleGraph) -> Vec<Case> {
    CASES
        .iter()
        .enumerate()
        .map(|(i, &(role, owns, published, expected))| {
            let perms = Arc::new(graph.effective(role));
            let user_id = 1 + i as i64;
            let subject = format!("u{user_id}_{role}");
            let principal = if role == ANONYMOUS_ROLE {
                Principal::anonymous(perms)
            } else {
                Principal::user(user_id, perms)
            };
            let (author_id, author) = if owns {
                (user_id, subject.clone())
            } else {
                (OTHER.0, OTHER.1.to_string())
            };
            let owner = if owns { "own" } else { "other" };
            let status = if published { "published" } else { "draft" };
            Case {
                name: format!("{role}_{owner}_{status}"),
                role,
                principal,
                facts: PostFacts {
                    author_id,
                    status: if published {
                        PostStatus::Published
                    } else {
                        PostStatus::Draft
                    },
                },
                obj: PostObj { author, published },
                subject,
                expected,
            }
        })
        .collect()
}

/// Quire's grants as casbin rows: `x_own` becomes `(x, own)`, anything else
/// `(grant, any)`; inheritance and each case's user become `g` rows.
fn casbin_rules(cases: &[Case]) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let row = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut policies = Vec::new();
    let mut groupings = Vec::new();
    for &(role, _, grants, parents) in BUILTIN_ROLES {
        for grant in grants {
            policies.push(match grant.strip_suffix("_own") {
                Some(action) => row(&[role, action, "own"]),
                None => row(&[role, grant, "any"]),
            });
        }
        for parent in parents {
            groupings.push(row(&[role, parent]));
        }
    }
    for case in cases {
        groupings.push(row(&[&case.subject, case.role]));
    }
    (policies, groupings)
}

fn enforcer(cases: &[Case]) -> Enforcer {
    let (policies, groupings) = casbin_rules(cases);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let model = DefaultModel::from_str(MODEL).await.expect("casbin model");
        let mut e = Enforcer::new(model, MemoryAdapter::default())
            .await
            .expect("casbin enforcer");
        e.add_policies(policies).await.expect("policies");
        e.add_grouping_policies(groupings)
            .await
            .expect("role links");
        e
    })
}

fn quire_allows(case: &Case) -> bool {
    check_post(&case.principal, PostAction::Update, case.facts).is_ok()
}

fn casbin_allows(e: &Enforcer, case: &Case) -> bool {
    e.enforce((case.subject.as_str(), &case.obj, "posts:update"))
        .expect("casbin enforce")
}

pub fn bench(c: &mut Criterion) {
    let graph = RoleGraph::builtin();
    let cases = cases(&graph);
    let e = enforcer(&cases);
    for case in &cases {
        assert_eq!(quire_allows(case), case.expected, "quire: {}", case.name);
        assert_eq!(
            casbin_allows(&e, case),
            case.expected,
            "casbin: {}",
            case.name
        );
    }

    let mut group = c.benchmark_group("update_post_decision");
    let picked = [
        "author_own_draft",
        "editor_other_published",
        "user_other_published",
    ];
    for case in cases.iter().filter(|c| picked.contains(&c.name.as_str())) {
        group.bench_with_input(BenchmarkId::new("quire", &case.name), case, |b, case| {
            b.iter(|| quire_allows(black_box(case)))
        });
        group.bench_with_input(BenchmarkId::new("casbin", &case.name), case, |b, case| {
            b.iter(|| casbin_allows(&e, black_box(case)))
        });
    }
    let all = format!("all_{}_cases", cases.len());
    group.bench_function(BenchmarkId::new("quire", &all), |b| {
        b.iter(|| black_box(&cases).iter().filter(|c| quire_allows(c)).count())
    });
    group.bench_function(BenchmarkId::new("casbin", &all), |b| {
        b.iter(|| {
            black_box(&cases)
                .iter()
                .filter(|c| casbin_allows(&e, c))
                .count()
        })
    });
    // Quire without its per-process permission cache: resolve the role
    // through the graph on every decision.
    group.bench_function(BenchmarkId::new("quire_resolve_then_check", &all), |b| {
        b.iter(|| {
            black_box(&cases)
                .iter()
                .filter(|c| {
                    let perms = Arc::new(graph.effective(c.role));
                    let p = Principal {
                        permissions: perms,
                        ..c.principal.clone()
                    };
                    check_post(&p, PostAction::Update, c.facts).is_ok()
                })
                .count()
        })
    });
    group.finish();
}
