use std::sync::Arc;

use super::*;
use crate::authz::permission::CATALOG_NAMES;
use crate::authz::roles::RoleGraph;

const ROLES: [&str; 7] = [
    "anonymous",
    "user",
    "contributor",
    "author",
    "editor",
    "moderator",
    "admin",
];

fn set(grants: &[&str]) -> Arc<PermissionSet> {
    Arc::new(PermissionSet::from_grants(grants))
}

fn role_principal(role: &str, user_id: Option<i64>) -> Principal {
    Principal {
        user_id,
        permissions: Arc::new(RoleGraph::builtin().effective(role)),
        scopes: None,
    }
}

/// Built-in roles (as user 1 and anonymously) plus odd custom principals.
fn principals() -> Vec<Principal> {
    let mut out = Vec::new();
    for role in ROLES {
        out.push(role_principal(role, Some(1)));
        out.push(role_principal(role, None));
    }
    for grants in [
        &[][..],
        &["posts:update"],
        &["posts:read"],
        &["posts:update_own", "comments:*"],
        &["posts:*"],
        &["comments:create", "posts:update"],
    ] {
        out.push(Principal::user(1, set(grants)));
        out.push(Principal::anonymous(set(grants)));
    }
    out.push(role_principal("admin", Some(1)).with_scopes(set(&["posts:read"])));
    out.push(role_principal("editor", Some(1)).with_scopes(set(&["posts:update_own"])));
    out
}

fn posts() -> Vec<PostFacts> {
    let mut out = Vec::new();
    for author_id in [1, 2] {
        for status in PostStatus::ALL {
            out.push(PostFacts { author_id, status });
        }
    }
    out
}

const OTHERS_PUBLISHED: PostFacts = PostFacts {
    author_id: 2,
    status: PostStatus::Published,
};

#[test]
fn scopes_narrow_permissions() {
    let admin = role_principal("admin", Some(1));
    let token = admin.clone().with_scopes(set(&["posts:read"]));
    assert_eq!(
        check_post(&admin, PostAction::Update, OTHERS_PUBLISHED),
        Ok(())
    );
    assert_eq!(
        check_post(&token, PostAction::Update, OTHERS_PUBLISHED),
        Err(Denied::InsufficientScope {
            required: &["posts:update", "posts:update_own"]
        })
    );
    assert_eq!(
        check_post(&token, PostAction::Read, OTHERS_PUBLISHED),
        Ok(())
    );
    let others_draft = PostFacts {
        status: PostStatus::Draft,
        ..OTHERS_PUBLISHED
    };
    // posts:update no longer applies, so another user's draft is hidden.
    assert_eq!(
        check_post(&token, PostAction::Read, others_draft),
        Err(Denied::NotFound)
    );
    assert!(token.has("posts:read") && !token.has("posts:update"));
    assert_eq!(token.effective(&CATALOG_NAMES), ["posts:read"]);
    assert!(!token.covers("posts:*") && admin.covers("*"));
    // Scopes never add permissions.
    let anonymous = role_principal("anonymous", None).with_scopes(set(&["*"]));
    assert_eq!(
        anonymous.effective(&CATALOG_NAMES),
        ["posts:read", "comments:read"]
    );
}

#[test]
fn create_post_rules() {
    let scope = |required: &'static [&'static str]| Err(Denied::InsufficientScope { required });
    const PUBLISH: &[&str] = &["posts:publish", "posts:publish_own"];
    for (role, draft, published) in [
        (
            "anonymous",
            scope(&["posts:create"]),
            scope(&["posts:create"]),
        ),
        ("user", Ok(()), Ok(())),
        ("contributor", Ok(()), scope(PUBLISH)),
        ("author", Ok(()), Ok(())),
        ("editor", Ok(()), Ok(())),
        ("moderator", Ok(()), Ok(())),
        ("admin", Ok(()), Ok(())),
    ] {
        let p = role_principal(role, Some(1));
        assert_eq!(check_create_post(&p, false), draft, "{role} draft");
        assert_eq!(check_create_post(&p, true), published, "{role} published");
    }
    let only_publish_any = Principal::user(1, set(&["posts:create", "posts:publish"]));
    assert_eq!(check_create_post(&only_publish_any, true), Ok(()));
    let no_create = Principal::user(1, set(&["posts:publish"]));
    assert_eq!(
        check_create_post(&no_create, true),
        scope(&["posts:create"])
    );
    let token = role_principal("user", Some(1)).with_scopes(set(&["posts:create"]));
    assert_eq!(check_create_post(&token, false), Ok(()));
    assert_eq!(check_create_post(&token, true), scope(PUBLISH));
}

#[test]
fn denial_details() {
    let user = role_principal("user", Some(1));
    let editor = role_principal("editor", Some(1));
    let forbidden = |required: &'static [&'static str]| Err(Denied::Forbidden { required });
    let others = OTHERS_PUBLISHED;
    let own_draft = PostFacts {
        author_id: 1,
        status: PostStatus::Draft,
    };
    let check = |p: &Principal, a| check_post(p, a, others);
    assert_eq!(
        check(&user, PostAction::Update),
        forbidden(&["posts:update"])
    );
    assert_eq!(
        check(&user, PostAction::Publish),
        forbidden(&["posts:publish"])
    );
    assert_eq!(
        check(&editor, PostAction::Delete),
        forbidden(&["posts:delete"])
    );
    assert_eq!(
        check_post(&user, PostAction::Comment, own_draft),
        forbidden(&[])
    );
    let others_comment = CommentFacts {
        author_id: 2,
        post: others,
    };
    let update = CommentAction::Update;
    assert_eq!(check_comment(&user, update, others_comment), forbidden(&[]));
    let delete = CommentAction::Delete;
    let want = forbidden(&["comments:delete"]);
    assert_eq!(check_comment(&user, delete, others_comment), want);
    // Own comment on own draft (commented before it was unpublished).
    let mine = CommentFacts {
        author_id: 1,
        post: own_draft,
    };
    assert_eq!(check_comment(&user, update, mine), Ok(()));
    assert_eq!(check_comment(&user, delete, mine), Ok(()));
    let anonymous = role_principal("anonymous", None);
    let theirs_own_post = CommentFacts {
        author_id: 1,
        post: PostFacts {
            author_id: 1,
            status: PostStatus::Published,
        },
    };
    assert_eq!(
        check_comment(&anonymous, delete, theirs_own_post),
        Err(Denied::InsufficientScope {
            required: &["comments:delete", "comments:delete_own"]
        })
    );
    assert_eq!(Denied::NotFound.to_string(), "not found");
}

#[test]
fn commenting_needs_a_signed_in_author() {
    let published = OTHERS_PUBLISHED;
    let generous = Principal::anonymous(set(&["posts:read", "comments:*"]));
    assert_eq!(
        check_post(&generous, PostAction::Comment, published),
        Err(Denied::Forbidden { required: &[] })
    );
    assert!(!PostCan::for_post(&generous, published).comment);
    let signed_in = Principal::user(1, set(&["posts:read", "comments:create"]));
    assert_eq!(
        check_post(&signed_in, PostAction::Comment, published),
        Ok(())
    );
}

#[test]
fn post_can_agrees_with_check_post() {
    for p in principals() {
        for post in posts() {
            let can = PostCan::for_post(&p, post);
            let ok = |a| check_post(&p, a, post).is_ok();
            assert_eq!(can.update, ok(PostAction::Update), "{p:?} {post:?}");
            // `publish` is about the rights, whatever the status: publishing the post as
            // a draft, unpublishing it once published.
            let as_status = |status| PostFacts { status, ..post };
            let publish = check_post(&p, PostAction::Publish, as_status(PostStatus::Draft));
            let unpublish = check_post(&p, PostAction::Unpublish, as_status(PostStatus::Published));
            assert_eq!(can.publish, publish.is_ok(), "{p:?} {post:?}");
            assert_eq!(can.publish, unpublish.is_ok(), "{p:?} {post:?}");
            assert_eq!(can.submit, ok(PostAction::Submit), "{p:?} {post:?}");
            assert_eq!(can.schedule, ok(PostAction::Schedule), "{p:?} {post:?}");
            assert_eq!(can.reject, ok(PostAction::Reject), "{p:?} {post:?}");
            assert_eq!(can.delete, ok(PostAction::Delete), "{p:?} {post:?}");
            assert_eq!(can.comment, ok(PostAction::Comment), "{p:?} {post:?}");
            for author_id in [1, 2] {
                let c = CommentFacts { author_id, post };
                let can = CommentCan::for_comment(&p, c);
                let ok = |a| check_comment(&p, a, c).is_ok();
                assert_eq!(can.update, ok(CommentAction::Update), "{p:?} {c:?}");
                assert_eq!(can.delete, ok(CommentAction::Delete), "{p:?} {c:?}");
                assert_eq!(can_comment(&p, CommentAction::Update, c), can.update);
            }
            for action in PostAction::ALL {
                assert_eq!(can_post(&p, action, post), ok(action));
            }
        }
    }
}

#[test]
fn read_scope_agrees_with_can_read_post() {
    for p in principals() {
        let scope = post_read_scope(&p);
        for post in posts() {
            let what = format!("{p:?} {post:?} {scope:?}");
            assert_eq!(scope.admits(post), can_read_post(&p, post), "{what}");
            assert_eq!(
                scope.admits(post),
                check_post(&p, PostAction::Read, post).is_ok(),
                "{what}"
            );
            if post.is_published() {
                assert_eq!(scope.admits_published(), scope.admits(post), "{what}");
            }
        }
    }
    assert_eq!(
        post_read_scope(&role_principal("editor", Some(1))),
        ReadScope::All
    );
    assert_eq!(
        post_read_scope(&role_principal("user", Some(7))),
        ReadScope::PublishedOrOwn(Some(7))
    );
    assert_eq!(
        post_read_scope(&role_principal("anonymous", None)),
        ReadScope::PublishedOrOwn(None)
    );
    assert_eq!(
        post_read_scope(&Principal::user(1, set(&[]))),
        ReadScope::Nothing
    );
}

#[test]
fn action_names_round_trip() {
    let names: Vec<&str> = PostAction::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        [
            "post:read",
            "post:update",
            "post:publish",
            "post:unpublish",
            "post:delete",
            "comment:read",
            "post:comment",
            "post:submit",
            "post:schedule",
            "post:reject"
        ]
    );
    for action in PostAction::ALL {
        assert_eq!(PostAction::parse(action.name()), Some(action));
        assert_eq!(action.to_string(), action.name());
        assert!(!action.requirement().is_empty());
    }
    for action in CommentAction::ALL {
        assert_eq!(CommentAction::parse(action.name()), Some(action));
    }
    assert_eq!(CommentAction::Update.name(), "comment:update");
    assert_eq!(CommentAction::Delete.name(), "comment:delete");
    assert_eq!(PostAction::parse("post:frobnicate"), None);
    assert_eq!(CommentAction::parse("post:update"), None);
}

#[test]
fn principal_helpers() {
    let p = Principal::user(5, set(&["posts:*"]));
    assert!(p.is_authenticated() && p.is_owner(5) && !p.is_owner(6));
    assert!(p.has_all(&["posts:read", "posts:update"]) && p.has_all(&[]));
    assert!(p.has_any(&["users:read", "posts:read"]) && !p.has_any(&[]));
    assert!(!p.has("users:read") && !p.has("Posts:read"));
    assert!(p.covers("posts:a:*") && !p.covers("*"));
    let anonymous = Principal::anonymous(set(&["*"]));
    assert!(!anonymous.is_authenticated() && !anonymous.is_owner(0));
}

#[test]
fn a_scheduled_post_is_published_only_with_publish_rights_at_that_moment() {
    let own = PostFacts {
        author_id: 1,
        status: PostStatus::Scheduled,
    };
    let others = PostFacts {
        author_id: 2,
        ..own
    };
    let author = role_principal("author", Some(1));
    let editor = role_principal("editor", Some(1));
    let contributor = role_principal("contributor", Some(1));
    assert_eq!(check_scheduled_publish(&author, own), Ok(()));
    assert_eq!(check_scheduled_publish(&editor, others), Ok(()));
    // An author demoted to contributor since scheduling it.
    assert!(matches!(
        check_scheduled_publish(&contributor, own),
        Err(Denied::InsufficientScope { .. })
    ));
    assert_eq!(
        check_scheduled_publish(&author, others),
        Err(Denied::NotFound)
    );
    for status in [PostStatus::Draft, PostStatus::Review, PostStatus::Published] {
        let post = PostFacts { status, ..own };
        assert_eq!(
            check_scheduled_publish(&editor, post),
            Err(Denied::Conflict { status })
        );
    }
}
