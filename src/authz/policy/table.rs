//! The decision table: every built-in role × own/other × every action, with the expected
//! outcome in each status (draft, review, scheduled, published — the order of
//! [`PostStatus::ALL`]), derived by hand from SPEC §4 and §10.
//!
//! For post actions "Own" means the caller wrote the post. For comment actions it means
//! the caller wrote the comment; the post then belongs to a third user, so only the
//! comment's ownership varies.

use std::collections::HashSet;
use std::sync::Arc;

use super::{
    check_comment, check_post, CommentAction as CA, CommentFacts, Denied, PostAction as PA,
    PostFacts, PostStatus, Principal,
};
use crate::authz::roles::RoleGraph;
use Act::{C, P};
use Want::{Allow, Conflict, Forbidden, NotFound, Scope};
use Who::{Other, Own};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    Own,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Act {
    P(PA),
    C(CA),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    Allow,
    NotFound,
    Forbidden,
    Scope,
    /// The status does not admit the action (409).
    Conflict,
}

/// (role, whose, action, outcome per status of `PostStatus::ALL`).
type Row = (&'static str, Who, Act, [Want; 4]);

const ROLES: [&str; 7] = [
    "anonymous",
    "user",
    "contributor",
    "author",
    "editor",
    "moderator",
    "admin",
];

const ME: i64 = 1;
const SOMEONE: i64 = 2;
const THIRD: i64 = 3;

// One row a line, so a row reads as a sentence of the table.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    ("anonymous", Other, P(PA::Read), [NotFound, NotFound, NotFound, Allow]),
    ("anonymous", Other, P(PA::Update), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, P(PA::Publish), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, P(PA::Unpublish), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, P(PA::Delete), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, P(PA::ReadComments), [NotFound, NotFound, NotFound, Allow]),
    ("anonymous", Other, P(PA::Comment), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, P(PA::Submit), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, P(PA::Schedule), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, C(CA::Update), [Scope, Scope, Scope, Scope]),
    ("anonymous", Other, C(CA::Delete), [Scope, Scope, Scope, Scope]),
    ("user", Own, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("user", Own, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("user", Own, P(PA::Publish), [Allow, Allow, Conflict, Conflict]),
    ("user", Own, P(PA::Unpublish), [Conflict, Conflict, Allow, Allow]),
    ("user", Own, P(PA::Delete), [Allow, Allow, Allow, Allow]),
    ("user", Own, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("user", Own, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("user", Own, P(PA::Submit), [Allow, Conflict, Conflict, Conflict]),
    ("user", Own, P(PA::Schedule), [Allow, Allow, Conflict, Conflict]),
    ("user", Own, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("user", Own, C(CA::Update), [NotFound, NotFound, NotFound, Allow]),
    ("user", Own, C(CA::Delete), [NotFound, NotFound, NotFound, Allow]),
    ("user", Other, P(PA::Read), [NotFound, NotFound, NotFound, Allow]),
    ("user", Other, P(PA::Update), [NotFound, NotFound, NotFound, Forbidden]),
    ("user", Other, P(PA::Publish), [NotFound, NotFound, NotFound, Forbidden]),
    ("user", Other, P(PA::Unpublish), [NotFound, NotFound, NotFound, Forbidden]),
    ("user", Other, P(PA::Delete), [NotFound, NotFound, NotFound, Forbidden]),
    ("user", Other, P(PA::ReadComments), [NotFound, NotFound, NotFound, Allow]),
    ("user", Other, P(PA::Comment), [NotFound, NotFound, NotFound, Allow]),
    ("user", Other, P(PA::Submit), [NotFound, NotFound, NotFound, Forbidden]),
    ("user", Other, P(PA::Schedule), [NotFound, NotFound, NotFound, Forbidden]),
    ("user", Other, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("user", Other, C(CA::Update), [NotFound, NotFound, NotFound, Forbidden]),
    ("user", Other, C(CA::Delete), [NotFound, NotFound, NotFound, Forbidden]),
    ("contributor", Own, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("contributor", Own, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("contributor", Own, P(PA::Publish), [Scope, Scope, Scope, Scope]),
    ("contributor", Own, P(PA::Unpublish), [Scope, Scope, Scope, Scope]),
    ("contributor", Own, P(PA::Delete), [Allow, Allow, Allow, Allow]),
    ("contributor", Own, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("contributor", Own, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("contributor", Own, P(PA::Submit), [Allow, Conflict, Conflict, Conflict]),
    ("contributor", Own, P(PA::Schedule), [Scope, Scope, Scope, Scope]),
    ("contributor", Own, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("contributor", Own, C(CA::Update), [NotFound, NotFound, NotFound, Allow]),
    ("contributor", Own, C(CA::Delete), [NotFound, NotFound, NotFound, Allow]),
    ("contributor", Other, P(PA::Read), [NotFound, NotFound, NotFound, Allow]),
    ("contributor", Other, P(PA::Update), [NotFound, NotFound, NotFound, Forbidden]),
    ("contributor", Other, P(PA::Publish), [Scope, Scope, Scope, Scope]),
    ("contributor", Other, P(PA::Unpublish), [Scope, Scope, Scope, Scope]),
    ("contributor", Other, P(PA::Delete), [NotFound, NotFound, NotFound, Forbidden]),
    ("contributor", Other, P(PA::ReadComments), [NotFound, NotFound, NotFound, Allow]),
    ("contributor", Other, P(PA::Comment), [NotFound, NotFound, NotFound, Allow]),
    ("contributor", Other, P(PA::Submit), [NotFound, NotFound, NotFound, Forbidden]),
    ("contributor", Other, P(PA::Schedule), [Scope, Scope, Scope, Scope]),
    ("contributor", Other, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("contributor", Other, C(CA::Update), [NotFound, NotFound, NotFound, Forbidden]),
    ("contributor", Other, C(CA::Delete), [NotFound, NotFound, NotFound, Forbidden]),
    ("author", Own, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("author", Own, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("author", Own, P(PA::Publish), [Allow, Allow, Conflict, Conflict]),
    ("author", Own, P(PA::Unpublish), [Conflict, Conflict, Allow, Allow]),
    ("author", Own, P(PA::Delete), [Allow, Allow, Allow, Allow]),
    ("author", Own, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("author", Own, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("author", Own, P(PA::Submit), [Allow, Conflict, Conflict, Conflict]),
    ("author", Own, P(PA::Schedule), [Allow, Allow, Conflict, Conflict]),
    ("author", Own, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("author", Own, C(CA::Update), [NotFound, NotFound, NotFound, Allow]),
    ("author", Own, C(CA::Delete), [NotFound, NotFound, NotFound, Allow]),
    ("author", Other, P(PA::Read), [NotFound, NotFound, NotFound, Allow]),
    ("author", Other, P(PA::Update), [NotFound, NotFound, NotFound, Forbidden]),
    ("author", Other, P(PA::Publish), [NotFound, NotFound, NotFound, Forbidden]),
    ("author", Other, P(PA::Unpublish), [NotFound, NotFound, NotFound, Forbidden]),
    ("author", Other, P(PA::Delete), [NotFound, NotFound, NotFound, Forbidden]),
    ("author", Other, P(PA::ReadComments), [NotFound, NotFound, NotFound, Allow]),
    ("author", Other, P(PA::Comment), [NotFound, NotFound, NotFound, Allow]),
    ("author", Other, P(PA::Submit), [NotFound, NotFound, NotFound, Forbidden]),
    ("author", Other, P(PA::Schedule), [NotFound, NotFound, NotFound, Forbidden]),
    ("author", Other, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("author", Other, C(CA::Update), [NotFound, NotFound, NotFound, Forbidden]),
    ("author", Other, C(CA::Delete), [NotFound, NotFound, NotFound, Forbidden]),
    ("editor", Own, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("editor", Own, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("editor", Own, P(PA::Publish), [Allow, Allow, Conflict, Conflict]),
    ("editor", Own, P(PA::Unpublish), [Conflict, Conflict, Allow, Allow]),
    ("editor", Own, P(PA::Delete), [Allow, Allow, Allow, Allow]),
    ("editor", Own, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("editor", Own, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("editor", Own, P(PA::Submit), [Allow, Conflict, Conflict, Conflict]),
    ("editor", Own, P(PA::Schedule), [Allow, Allow, Conflict, Conflict]),
    ("editor", Own, P(PA::Reject), [Conflict, Allow, Conflict, Conflict]),
    ("editor", Own, C(CA::Update), [Allow, Allow, Allow, Allow]),
    ("editor", Own, C(CA::Delete), [Allow, Allow, Allow, Allow]),
    ("editor", Other, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("editor", Other, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("editor", Other, P(PA::Publish), [Allow, Allow, Conflict, Conflict]),
    ("editor", Other, P(PA::Unpublish), [Conflict, Conflict, Allow, Allow]),
    ("editor", Other, P(PA::Delete), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("editor", Other, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("editor", Other, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("editor", Other, P(PA::Submit), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("editor", Other, P(PA::Schedule), [Allow, Allow, Conflict, Conflict]),
    ("editor", Other, P(PA::Reject), [Conflict, Allow, Conflict, Conflict]),
    ("editor", Other, C(CA::Update), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("editor", Other, C(CA::Delete), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("moderator", Own, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("moderator", Own, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("moderator", Own, P(PA::Publish), [Allow, Allow, Conflict, Conflict]),
    ("moderator", Own, P(PA::Unpublish), [Conflict, Conflict, Allow, Allow]),
    ("moderator", Own, P(PA::Delete), [Allow, Allow, Allow, Allow]),
    ("moderator", Own, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("moderator", Own, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("moderator", Own, P(PA::Submit), [Allow, Conflict, Conflict, Conflict]),
    ("moderator", Own, P(PA::Schedule), [Allow, Allow, Conflict, Conflict]),
    ("moderator", Own, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("moderator", Own, C(CA::Update), [Allow, Allow, Allow, Allow]),
    ("moderator", Own, C(CA::Delete), [Allow, Allow, Allow, Allow]),
    ("moderator", Other, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("moderator", Other, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("moderator", Other, P(PA::Publish), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("moderator", Other, P(PA::Unpublish), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("moderator", Other, P(PA::Delete), [Allow, Allow, Allow, Allow]),
    ("moderator", Other, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("moderator", Other, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("moderator", Other, P(PA::Submit), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("moderator", Other, P(PA::Schedule), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("moderator", Other, P(PA::Reject), [Scope, Scope, Scope, Scope]),
    ("moderator", Other, C(CA::Update), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("moderator", Other, C(CA::Delete), [Allow, Allow, Allow, Allow]),
    ("admin", Own, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("admin", Own, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("admin", Own, P(PA::Publish), [Allow, Allow, Conflict, Conflict]),
    ("admin", Own, P(PA::Unpublish), [Conflict, Conflict, Allow, Allow]),
    ("admin", Own, P(PA::Delete), [Allow, Allow, Allow, Allow]),
    ("admin", Own, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("admin", Own, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("admin", Own, P(PA::Submit), [Allow, Conflict, Conflict, Conflict]),
    ("admin", Own, P(PA::Schedule), [Allow, Allow, Conflict, Conflict]),
    ("admin", Own, P(PA::Reject), [Conflict, Allow, Conflict, Conflict]),
    ("admin", Own, C(CA::Update), [Allow, Allow, Allow, Allow]),
    ("admin", Own, C(CA::Delete), [Allow, Allow, Allow, Allow]),
    ("admin", Other, P(PA::Read), [Allow, Allow, Allow, Allow]),
    ("admin", Other, P(PA::Update), [Allow, Allow, Allow, Allow]),
    ("admin", Other, P(PA::Publish), [Allow, Allow, Conflict, Conflict]),
    ("admin", Other, P(PA::Unpublish), [Conflict, Conflict, Allow, Allow]),
    ("admin", Other, P(PA::Delete), [Allow, Allow, Allow, Allow]),
    ("admin", Other, P(PA::ReadComments), [Allow, Allow, Allow, Allow]),
    ("admin", Other, P(PA::Comment), [Forbidden, Forbidden, Forbidden, Allow]),
    ("admin", Other, P(PA::Submit), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("admin", Other, P(PA::Schedule), [Allow, Allow, Conflict, Conflict]),
    ("admin", Other, P(PA::Reject), [Conflict, Allow, Conflict, Conflict]),
    ("admin", Other, C(CA::Update), [Forbidden, Forbidden, Forbidden, Forbidden]),
    ("admin", Other, C(CA::Delete), [Allow, Allow, Allow, Allow]),
];

fn principal(graph: &RoleGraph, role: &str) -> Principal {
    let perms = Arc::new(graph.effective(role));
    if role == "anonymous" {
        Principal::anonymous(perms)
    } else {
        Principal::user(ME, perms)
    }
}

fn outcome(result: Result<(), Denied>) -> Want {
    match result {
        Ok(()) => Allow,
        Err(Denied::NotFound) => NotFound,
        Err(Denied::Forbidden { .. }) => Forbidden,
        Err(Denied::InsufficientScope { .. }) => Scope,
        Err(Denied::Conflict { .. }) => Conflict,
    }
}

fn run(graph: &RoleGraph, role: &str, who: Who, act: Act, status: PostStatus) -> Want {
    let p = principal(graph, role);
    let mine = if who == Own { ME } else { SOMEONE };
    match act {
        P(action) => {
            let post = PostFacts {
                author_id: mine,
                status,
            };
            outcome(check_post(&p, action, post))
        }
        C(action) => {
            let post = PostFacts {
                author_id: THIRD,
                status,
            };
            let comment = CommentFacts {
                author_id: mine,
                post,
            };
            outcome(check_comment(&p, action, comment))
        }
    }
}

#[test]
fn decision_table() {
    let graph = RoleGraph::builtin();
    for &(role, who, act, wants) in TABLE {
        for (status, want) in PostStatus::ALL.into_iter().zip(wants) {
            let got = run(&graph, role, who, act, status);
            assert_eq!(got, want, "{role} {who:?} {act:?} on a {status} post");
        }
    }
}

#[test]
fn table_is_complete() {
    let mut acts: Vec<Act> = PA::ALL.into_iter().map(P).collect();
    acts.extend(CA::ALL.into_iter().map(C));
    let mut seen = HashSet::new();
    for &(role, who, act, _) in TABLE {
        assert!(ROLES.contains(&role), "unknown role {role}");
        assert!(seen.insert((role, who, act)), "duplicate row");
    }
    for role in ROLES {
        let whos: &[Who] = if role == "anonymous" {
            &[Other]
        } else {
            &[Own, Other]
        };
        for &who in whos {
            for &act in &acts {
                let key = (role, who, act);
                assert!(seen.contains(&key), "missing {key:?}");
            }
        }
    }
    assert_eq!(TABLE.len(), (6 * 2 + 1) * acts.len());
    // Every status is a column of every row.
    assert_eq!(PostStatus::ALL.len(), TABLE[0].3.len());
}
