//! Post policy decisions (`check_post`, `PostCan::for_post`) for owners and
//! non-owners, with permissions already resolved (as the per-process cache
//! hands them to a request).

use std::hint::black_box;
use std::sync::Arc;

use criterion::Criterion;
use quire::authz::roles::RoleGraph;
use quire::authz::{check_post, PostAction, PostCan, PostFacts, PostStatus, Principal};

/// A signed-in user holding the built-in `role`.
pub fn principal(graph: &RoleGraph, user_id: i64, role: &str) -> Principal {
    Principal::user(user_id, Arc::new(graph.effective(role)))
}

pub fn bench(c: &mut Criterion) {
    let graph = RoleGraph::builtin();
    let user = principal(&graph, 7, "user");
    let editor = principal(&graph, 8, "editor");
    let own = PostFacts {
        author_id: 7,
        status: PostStatus::Draft,
    };
    let other = PostFacts {
        author_id: 99,
        status: PostStatus::Published,
    };
    assert!(check_post(&user, PostAction::Update, own).is_ok());
    assert!(check_post(&user, PostAction::Update, other).is_err());
    assert!(check_post(&editor, PostAction::Update, other).is_ok());
    let owner_can = PostCan::for_post(&user, own);
    assert!(owner_can.update && owner_can.publish && owner_can.delete && !owner_can.comment);
    let other_can = PostCan::for_post(&user, other);
    assert!(!other_can.update && !other_can.publish && !other_can.delete && other_can.comment);

    let mut group = c.benchmark_group("post_policy");
    let decisions = [
        ("check_update_owner", &user, own),
        ("check_update_non_owner_denied", &user, other),
        ("check_update_editor_non_owner", &editor, other),
    ];
    for (name, who, post) in decisions {
        group.bench_function(name, |b| {
            b.iter(|| check_post(black_box(who), PostAction::Update, black_box(post)).is_ok())
        });
    }
    for (name, post) in [("post_can_owner", own), ("post_can_non_owner", other)] {
        group.bench_function(name, |b| {
            b.iter(|| PostCan::for_post(black_box(&user), black_box(post)))
        });
    }
    group.finish();
}
