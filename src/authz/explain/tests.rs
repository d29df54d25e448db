use super::*;
use crate::authz::roles::RoleDef;
use crate::authz::PostStatus;

fn roles(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn via(role: &str, grant: &str) -> Via {
    Via {
        role: role.to_string(),
        grant: grant.to_string(),
    }
}

const ME: i64 = 1;

fn post(author_id: i64, published: bool) -> PostFacts {
    let status = if published {
        PostStatus::Published
    } else {
        PostStatus::Draft
    };
    PostFacts { author_id, status }
}

#[test]
fn owner_update_is_explained() {
    let graph = RoleGraph::builtin();
    let e = explain_post(
        &graph,
        &roles(&["user"]),
        ME,
        PostAction::Update,
        post(ME, false),
    );
    assert_eq!(
        e,
        Explanation {
            allowed: true,
            reason: "allowed: owner with posts:update_own (via role \"user\")".to_string(),
            via: vec![via("user", "posts:update_own")],
            ownership: true,
        }
    );
    // An editor does not need to be the owner.
    let e = explain_post(
        &graph,
        &roles(&["editor"]),
        ME,
        PostAction::Update,
        post(ME, false),
    );
    assert!(e.allowed && !e.ownership, "{e:?}");
    assert_eq!(e.reason, "allowed: posts:update (via role \"editor\")");
    assert_eq!(e.via, [via("editor", "posts:update")]);
}

#[test]
fn inherited_and_wildcard_grants_are_named() {
    let graph = RoleGraph::builtin();
    let e = explain_post(
        &graph,
        &roles(&["author"]),
        ME,
        PostAction::Publish,
        post(ME, false),
    );
    assert!(e.allowed && e.ownership);
    assert_eq!(
        e.reason,
        "allowed: owner with posts:publish_own (via role \"user\", inherited)"
    );
    let e = explain_post(
        &graph,
        &roles(&["admin"]),
        ME,
        PostAction::Delete,
        post(2, false),
    );
    assert_eq!(
        e.reason,
        "allowed: posts:delete (via role \"admin\" grant \"*\")"
    );
    assert_eq!(e.via, [via("admin", "*")]);
    let e = explain_permission(&graph, &roles(&["moderator", "editor"]), "posts:update");
    assert!(e.allowed);
    assert_eq!(
        e.via,
        [
            via("moderator", "posts:update"),
            via("editor", "posts:update")
        ]
    );
    assert_eq!(
        e.reason,
        "allowed: posts:update (via role \"moderator\"; via role \"editor\")"
    );
}

#[test]
fn denials_are_explained() {
    let graph = RoleGraph::builtin();
    let user = roles(&["user"]);
    let e = explain_post(&graph, &user, ME, PostAction::Publish, post(2, true));
    assert!(!e.allowed && e.via.is_empty() && !e.ownership);
    assert_eq!(
        e.reason,
        "denied: needs posts:publish, or posts:publish_own as owner (not the owner)"
    );
    let e = explain_post(
        &graph,
        &roles(&["contributor"]),
        ME,
        PostAction::Publish,
        post(ME, false),
    );
    assert_eq!(
        e.reason,
        "denied: needs posts:publish, or posts:publish_own as owner"
    );
    let e = explain_post(&graph, &user, ME, PostAction::Read, post(2, false));
    assert_eq!(
        e.reason,
        "denied: cannot read the post (draft of another user)"
    );
    let e = explain_post(&graph, &user, ME, PostAction::Comment, post(ME, false));
    assert_eq!(e.reason, "denied: the post is not published");
    let e = explain_post(&graph, &[], ME, PostAction::Read, post(2, true));
    assert_eq!(e.reason, "denied: needs posts:read, or posts:update");
    let c = CommentFacts {
        author_id: 2,
        post: post(2, true),
    };
    let e = explain_comment(&graph, &user, ME, CommentAction::Update, c);
    assert_eq!(
        e.reason,
        "denied: needs comments:update_own as owner (not the owner)"
    );
    let hidden = CommentFacts {
        author_id: ME,
        post: post(2, false),
    };
    let e = explain_comment(&graph, &user, ME, CommentAction::Delete, hidden);
    assert_eq!(
        e.reason,
        "denied: cannot read the post (draft of another user)"
    );
    let e = explain_permission(&graph, &user, "audit:read");
    assert_eq!(e.reason, "denied: no role grants audit:read");
    let e = explain_permission(&graph, &user, "Audit");
    assert!(!e.allowed && e.reason.contains("not a valid permission name"));
}

#[test]
fn composite_actions_list_every_grant() {
    let graph = RoleGraph::builtin();
    let user = roles(&["user"]);
    let e = explain_post(&graph, &user, ME, PostAction::ReadComments, post(ME, false));
    assert!(e.allowed && e.ownership);
    assert_eq!(
        e.reason,
        "allowed: comments:read (via role \"user\") and owner with posts:read (via role \"user\")"
    );
    assert_eq!(
        e.via,
        [via("user", "comments:read"), via("user", "posts:read")]
    );
    let e = explain_post(&graph, &user, ME, PostAction::Comment, post(2, true));
    assert!(e.allowed && !e.ownership);
    let moderator = roles(&["moderator"]);
    let c = CommentFacts {
        author_id: 2,
        post: post(2, false),
    };
    let e = explain_comment(&graph, &moderator, ME, CommentAction::Delete, c);
    assert!(e.allowed && !e.ownership);
    assert_eq!(e.via, [via("moderator", "comments:delete")]);
}

#[test]
fn grants_for_walks_the_closure() {
    let graph = RoleGraph::new([
        RoleDef::new("a", &["posts:*", "posts:read"], &["b"]),
        RoleDef::new("b", &["*", "posts:read", "Broken"], &["a"]),
        RoleDef::new("c", &["posts:read"], &[] as &[&str]),
    ]);
    let found = grants_for(&graph, &roles(&["a", "ghost"]), "posts:read");
    assert_eq!(
        found,
        [
            via("a", "posts:*"),
            via("a", "posts:read"),
            via("b", "*"),
            via("b", "posts:read")
        ]
    );
    assert!(grants_for(&graph, &roles(&["c"]), "posts:update").is_empty());
    assert!(grants_for(&graph, &roles(&["b"]), "Broken").is_empty());
}

#[test]
fn explanations_agree_with_checks() {
    let graph = RoleGraph::builtin();
    for role in graph.roles().map(|r| r.name.clone()) {
        let user_roles = vec![role];
        let p = Principal {
            user_id: Some(ME),
            permissions: Arc::new(graph.resolve(user_roles.iter().map(String::as_str))),
            scopes: None,
        };
        for author_id in [ME, 2] {
            for status in PostStatus::ALL {
                let facts = PostFacts { author_id, status };
                for action in PostAction::ALL {
                    let e = explain_post(&graph, &user_roles, ME, action, facts);
                    let ok = check_post(&p, action, facts).is_ok();
                    assert_eq!(e.allowed, ok, "{user_roles:?} {action:?} {facts:?}");
                    assert_eq!(e.allowed, !e.via.is_empty(), "{e:?}");
                    assert!(e
                        .reason
                        .starts_with(if ok { "allowed: " } else { "denied: " }));
                }
                let c = CommentFacts {
                    author_id: 2,
                    post: facts,
                };
                for action in CommentAction::ALL {
                    let e = explain_comment(&graph, &user_roles, ME, action, c);
                    assert_eq!(e.allowed, check_comment(&p, action, c).is_ok(), "{e:?}");
                    assert_eq!(e.allowed, !e.via.is_empty(), "{e:?}");
                }
            }
        }
    }
}
