//! The decision table: every built-in role × own/other × draft/published ×
//! every action, with the expected outcome derived by hand from the policy.
//!
//! For post actions "Own" means the caller wrote the post. For comment
//! actions it means the caller wrote the comment; the post then belongs to a
//! third user, so only the comment's ownership varies.

use std::collections::HashSet;
use std::sync::Arc;

use super::{
    check_comment, check_post, CommentAction as CA, CommentFacts, Denied, PostAction as PA,
    PostFacts, Principal,
};
use crate::authz::roles::RoleGraph;
use Act::{C, P};
use Status::{Draft, Published};
use Want::{Allow, Forbidden, NotFound, Scope};
use Who::{Other, Own};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    Own,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Status {
    Draft,
    Published,
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
}

type Row = (&'static str, Who, Status, Act, Want);

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

const TABLE: &[Row] = &[
    ("anonymous", Other, Draft, P(PA::Read), NotFound),
    ("anonymous", Other, Draft, P(PA::Update), Scope),
    ("anonymous", Other, Draft, P(PA::Publish), Scope),
    ("anonymous", Other, Draft, P(PA::Unpublish), Scope),
    ("anonymous", Other, Draft, P(PA::Delete), Scope),
    ("anonymous", Other, Draft, P(PA::ReadComments), NotFound),
    ("anonymous", Other, Draft, P(PA::Comment), Scope),
    ("anonymous", Other, Draft, C(CA::Update), Scope),
    ("anonymous", Other, Draft, C(CA::Delete), Scope),
    ("anonymous", Other, Published, P(PA::Read), Allow),
    ("anonymous", Other, Published, P(PA::Update), Scope),
    ("anonymous", Other, Published, P(PA::Publish), Scope),
    ("anonymous", Other, Published, P(PA::Unpublish), Scope),
    ("anonymous", Other, Published, P(PA::Delete), Scope),
    ("anonymous", Other, Published, P(PA::ReadComments), Allow),
    ("anonymous", Other, Published, P(PA::Comment), Scope),
    ("anonymous", Other, Published, C(CA::Update), Scope),
    ("anonymous", Other, Published, C(CA::Delete), Scope),
    ("user", Own, Draft, P(PA::Read), Allow),
    ("user", Own, Draft, P(PA::Update), Allow),
    ("user", Own, Draft, P(PA::Publish), Allow),
    ("user", Own, Draft, P(PA::Unpublish), Allow),
    ("user", Own, Draft, P(PA::Delete), Allow),
    ("user", Own, Draft, P(PA::ReadComments), Allow),
    ("user", Own, Draft, P(PA::Comment), Forbidden),
    ("user", Own, Draft, C(CA::Update), NotFound),
    ("user", Own, Draft, C(CA::Delete), NotFound),
    ("user", Own, Published, P(PA::Read), Allow),
    ("user", Own, Published, P(PA::Update), Allow),
    ("user", Own, Published, P(PA::Publish), Allow),
    ("user", Own, Published, P(PA::Unpublish), Allow),
    ("user", Own, Published, P(PA::Delete), Allow),
    ("user", Own, Published, P(PA::ReadComments), Allow),
    ("user", Own, Published, P(PA::Comment), Allow),
    ("user", Own, Published, C(CA::Update), Allow),
    ("user", Own, Published, C(CA::Delete), Allow),
    ("user", Other, Draft, P(PA::Read), NotFound),
    ("user", Other, Draft, P(PA::Update), NotFound),
    ("user", Other, Draft, P(PA::Publish), NotFound),
    ("user", Other, Draft, P(PA::Unpublish), NotFound),
    ("user", Other, Draft, P(PA::Delete), NotFound),
    ("user", Other, Draft, P(PA::ReadComments), NotFound),
    ("user", Other, Draft, P(PA::Comment), NotFound),
    ("user", Other, Draft, C(CA::Update), NotFound),
    ("user", Other, Draft, C(CA::Delete), NotFound),
    ("user", Other, Published, P(PA::Read), Allow),
    ("user", Other, Published, P(PA::Update), Forbidden),
    ("user", Other, Published, P(PA::Publish), Forbidden),
    ("user", Other, Published, P(PA::Unpublish), Forbidden),
    ("user", Other, Published, P(PA::Delete), Forbidden),
    ("user", Other, Published, P(PA::ReadComments), Allow),
    ("user", Other, Published, P(PA::Comment), Allow),
    ("user", Other, Published, C(CA::Update), Forbidden),
    ("user", Other, Published, C(CA::Delete), Forbidden),
    ("contributor", Own, Draft, P(PA::Read), Allow),
    ("contributor", Own, Draft, P(PA::Update), Allow),
    ("contributor", Own, Draft, P(PA::Publish), Scope),
    ("contributor", Own, Draft, P(PA::Unpublish), Scope),
    ("contributor", Own, Draft, P(PA::Delete), Allow),
    ("contributor", Own, Draft, P(PA::ReadComments), Allow),
    ("contributor", Own, Draft, P(PA::Comment), Forbidden),
    ("contributor", Own, Draft, C(CA::Update), NotFound),
    ("contributor", Own, Draft, C(CA::Delete), NotFound),
    ("contributor", Own, Published, P(PA::Read), Allow),
    ("contributor", Own, Published, P(PA::Update), Allow),
    ("contributor", Own, Published, P(PA::Publish), Scope),
    ("contributor", Own, Published, P(PA::Unpublish), Scope),
    ("contributor", Own, Published, P(PA::Delete), Allow),
    ("contributor", Own, Published, P(PA::ReadComments), Allow),
    ("contributor", Own, Published, P(PA::Comment), Allow),
    ("contributor", Own, Published, C(CA::Update), Allow),
    ("contributor", Own, Published, C(CA::Delete), Allow),
    ("contributor", Other, Draft, P(PA::Read), NotFound),
    ("contributor", Other, Draft, P(PA::Update), NotFound),
    ("contributor", Other, Draft, P(PA::Publish), Scope),
    ("contributor", Other, Draft, P(PA::Unpublish), Scope),
    ("contributor", Other, Draft, P(PA::Delete), NotFound),
    ("contributor", Other, Draft, P(PA::ReadComments), NotFound),
    ("contributor", Other, Draft, P(PA::Comment), NotFound),
    ("contributor", Other, Draft, C(CA::Update), NotFound),
    ("contributor", Other, Draft, C(CA::Delete), NotFound),
    ("contributor", Other, Published, P(PA::Read), Allow),
    ("contributor", Other, Published, P(PA::Update), Forbidden),
    ("contributor", Other, Published, P(PA::Publish), Scope),
    ("contributor", Other, Published, P(PA::Unpublish), Scope),
    ("contributor", Other, Published, P(PA::Delete), Forbidden),
    ("contributor", Other, Published, P(PA::ReadComments), Allow),
    ("contributor", Other, Published, P(PA::Comment), Allow),
    ("contributor", Other, Published, C(CA::Update), Forbidden),
    ("contributor", Other, Published, C(CA::Delete), Forbidden),
    ("author", Own, Draft, P(PA::Read), Allow),
    ("author", Own, Draft, P(PA::Update), Allow),
    ("author", Own, Draft, P(PA::Publish), Allow),
    ("author", Own, Draft, P(PA::Unpublish), Allow),
    ("author", Own, Draft, P(PA::Delete), Allow),
    ("author", Own, Draft, P(PA::ReadComments), Allow),
    ("author", Own, Draft, P(PA::Comment), Forbidden),
    ("author", Own, Draft, C(CA::Update), NotFound),
    ("author", Own, Draft, C(CA::Delete), NotFound),
    ("author", Own, Published, P(PA::Read), Allow),
    ("author", Own, Published, P(PA::Update), Allow),
    ("author", Own, Published, P(PA::Publish), Allow),
    ("author", Own, Published, P(PA::Unpublish), Allow),
    ("author", Own, Published, P(PA::Delete), Allow),
    ("author", Own, Published, P(PA::ReadComments), Allow),
    ("author", Own, Published, P(PA::Comment), Allow),
    ("author", Own, Published, C(CA::Update), Allow),
    ("author", Own, Published, C(CA::Delete), Allow),
    ("author", Other, Draft, P(PA::Read), NotFound),
    ("author", Other, Draft, P(PA::Update), NotFound),
    ("author", Other, Draft, P(PA::Publish), NotFound),
    ("author", Other, Draft, P(PA::Unpublish), NotFound),
    ("author", Other, Draft, P(PA::Delete), NotFound),
    ("author", Other, Draft, P(PA::ReadComments), NotFound),
    ("author", Other, Draft, P(PA::Comment), NotFound),
    ("author", Other, Draft, C(CA::Update), NotFound),
    ("author", Other, Draft, C(CA::Delete), NotFound),
    ("author", Other, Published, P(PA::Read), Allow),
    ("author", Other, Published, P(PA::Update), Forbidden),
    ("author", Other, Published, P(PA::Publish), Forbidden),
    ("author", Other, Published, P(PA::Unpublish), Forbidden),
    ("author", Other, Published, P(PA::Delete), Forbidden),
    ("author", Other, Published, P(PA::ReadComments), Allow),
    ("author", Other, Published, P(PA::Comment), Allow),
    ("author", Other, Published, C(CA::Update), Forbidden),
    ("author", Other, Published, C(CA::Delete), Forbidden),
    ("editor", Own, Draft, P(PA::Read), Allow),
    ("editor", Own, Draft, P(PA::Update), Allow),
    ("editor", Own, Draft, P(PA::Publish), Allow),
    ("editor", Own, Draft, P(PA::Unpublish), Allow),
    ("editor", Own, Draft, P(PA::Delete), Allow),
    ("editor", Own, Draft, P(PA::ReadComments), Allow),
    ("editor", Own, Draft, P(PA::Comment), Forbidden),
    ("editor", Own, Draft, C(CA::Update), Allow),
    ("editor", Own, Draft, C(CA::Delete), Allow),
    ("editor", Own, Published, P(PA::Read), Allow),
    ("editor", Own, Published, P(PA::Update), Allow),
    ("editor", Own, Published, P(PA::Publish), Allow),
    ("editor", Own, Published, P(PA::Unpublish), Allow),
    ("editor", Own, Published, P(PA::Delete), Allow),
    ("editor", Own, Published, P(PA::ReadComments), Allow),
    ("editor", Own, Published, P(PA::Comment), Allow),
    ("editor", Own, Published, C(CA::Update), Allow),
    ("editor", Own, Published, C(CA::Delete), Allow),
    ("editor", Other, Draft, P(PA::Read), Allow),
    ("editor", Other, Draft, P(PA::Update), Allow),
    ("editor", Other, Draft, P(PA::Publish), Allow),
    ("editor", Other, Draft, P(PA::Unpublish), Allow),
    ("editor", Other, Draft, P(PA::Delete), Forbidden),
    ("editor", Other, Draft, P(PA::ReadComments), Allow),
    ("editor", Other, Draft, P(PA::Comment), Forbidden),
    ("editor", Other, Draft, C(CA::Update), Forbidden),
    ("editor", Other, Draft, C(CA::Delete), Forbidden),
    ("editor", Other, Published, P(PA::Read), Allow),
    ("editor", Other, Published, P(PA::Update), Allow),
    ("editor", Other, Published, P(PA::Publish), Allow),
    ("editor", Other, Published, P(PA::Unpublish), Allow),
    ("editor", Other, Published, P(PA::Delete), Forbidden),
    ("editor", Other, Published, P(PA::ReadComments), Allow),
    ("editor", Other, Published, P(PA::Comment), Allow),
    ("editor", Other, Published, C(CA::Update), Forbidden),
    ("editor", Other, Published, C(CA::Delete), Forbidden),
    ("moderator", Own, Draft, P(PA::Read), Allow),
    ("moderator", Own, Draft, P(PA::Update), Allow),
    ("moderator", Own, Draft, P(PA::Publish), Allow),
    ("moderator", Own, Draft, P(PA::Unpublish), Allow),
    ("moderator", Own, Draft, P(PA::Delete), Allow),
    ("moderator", Own, Draft, P(PA::ReadComments), Allow),
    ("moderator", Own, Draft, P(PA::Comment), Forbidden),
    ("moderator", Own, Draft, C(CA::Update), Allow),
    ("moderator", Own, Draft, C(CA::Delete), Allow),
    ("moderator", Own, Published, P(PA::Read), Allow),
    ("moderator", Own, Published, P(PA::Update), Allow),
    ("moderator", Own, Published, P(PA::Publish), Allow),
    ("moderator", Own, Published, P(PA::Unpublish), Allow),
    ("moderator", Own, Published, P(PA::Delete), Allow),
    ("moderator", Own, Published, P(PA::ReadComments), Allow),
    ("moderator", Own, Published, P(PA::Comment), Allow),
    ("moderator", Own, Published, C(CA::Update), Allow),
    ("moderator", Own, Published, C(CA::Delete), Allow),
    ("moderator", Other, Draft, P(PA::Read), Allow),
    ("moderator", Other, Draft, P(PA::Update), Allow),
    ("moderator", Other, Draft, P(PA::Publish), Forbidden),
    ("moderator", Other, Draft, P(PA::Unpublish), Forbidden),
    ("moderator", Other, Draft, P(PA::Delete), Allow),
    ("moderator", Other, Draft, P(PA::ReadComments), Allow),
    ("moderator", Other, Draft, P(PA::Comment), Forbidden),
    ("moderator", Other, Draft, C(CA::Update), Forbidden),
    ("moderator", Other, Draft, C(CA::Delete), Allow),
    ("moderator", Other, Published, P(PA::Read), Allow),
    ("moderator", Other, Published, P(PA::Update), Allow),
    ("moderator", Other, Published, P(PA::Publish), Forbidden),
    ("moderator", Other, Published, P(PA::Unpublish), Forbidden),
    ("moderator", Other, Published, P(PA::Delete), Allow),
    ("moderator", Other, Published, P(PA::ReadComments), Allow),
    ("moderator", Other, Published, P(PA::Comment), Allow),
    ("moderator", Other, Published, C(CA::Update), Forbidden),
    ("moderator", Other, Published, C(CA::Delete), Allow),
    ("admin", Own, Draft, P(PA::Read), Allow),
    ("admin", Own, Draft, P(PA::Update), Allow),
    ("admin", Own, Draft, P(PA::Publish), Allow),
    ("admin", Own, Draft, P(PA::Unpublish), Allow),
    ("admin", Own, Draft, P(PA::Delete), Allow),
    ("admin", Own, Draft, P(PA::ReadComments), Allow),
    ("admin", Own, Draft, P(PA::Comment), Forbidden),
    ("admin", Own, Draft, C(CA::Update), Allow),
    ("admin", Own, Draft, C(CA::Delete), Allow),
    ("admin", Own, Published, P(PA::Read), Allow),
    ("admin", Own, Published, P(PA::Update), Allow),
    ("admin", Own, Published, P(PA::Publish), Allow),
    ("admin", Own, Published, P(PA::Unpublish), Allow),
    ("admin", Own, Published, P(PA::Delete), Allow),
    ("admin", Own, Published, P(PA::ReadComments), Allow),
    ("admin", Own, Published, P(PA::Comment), Allow),
    ("admin", Own, Published, C(CA::Update), Allow),
    ("admin", Own, Published, C(CA::Delete), Allow),
    ("admin", Other, Draft, P(PA::Read), Allow),
    ("admin", Other, Draft, P(PA::Update), Allow),
    ("admin", Other, Draft, P(PA::Publish), Allow),
    ("admin", Other, Draft, P(PA::Unpublish), Allow),
    ("admin", Other, Draft, P(PA::Delete), Allow),
    ("admin", Other, Draft, P(PA::ReadComments), Allow),
    ("admin", Other, Draft, P(PA::Comment), Forbidden),
    ("admin", Other, Draft, C(CA::Update), Forbidden),
    ("admin", Other, Draft, C(CA::Delete), Allow),
    ("admin", Other, Published, P(PA::Read), Allow),
    ("admin", Other, Published, P(PA::Update), Allow),
    ("admin", Other, Published, P(PA::Publish), Allow),
    ("admin", Other, Published, P(PA::Unpublish), Allow),
    ("admin", Other, Published, P(PA::Delete), Allow),
    ("admin", Other, Published, P(PA::ReadComments), Allow),
    ("admin", Other, Published, P(PA::Comment), Allow),
    ("admin", Other, Published, C(CA::Update), Forbidden),
    ("admin", Other, Published, C(CA::Delete), Allow),
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
    }
}

fn run(graph: &RoleGraph, &(role, who, status, act, _): &Row) -> Want {
    let p = principal(graph, role);
    let published = status == Published;
    let mine = if who == Own { ME } else { SOMEONE };
    match act {
        P(action) => {
            let post = PostFacts {
                author_id: mine,
                published,
            };
            outcome(check_post(&p, action, post))
        }
        C(action) => {
            let post = PostFacts {
                author_id: THIRD,
                published,
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
    for row in TABLE {
        assert_eq!(run(&graph, row), row.4, "row {row:?}");
    }
}

#[test]
fn table_is_complete() {
    let mut acts: Vec<Act> = PA::ALL.into_iter().map(P).collect();
    acts.extend(CA::ALL.into_iter().map(C));
    for act in &acts {
        assert!(TABLE.iter().any(|row| row.3 == *act), "{act:?} missing");
    }
    let mut seen = HashSet::new();
    for &(role, who, status, act, _) in TABLE {
        assert!(ROLES.contains(&role), "unknown role {role}");
        assert!(seen.insert((role, who, status, act)), "duplicate row");
    }
    for role in ROLES {
        let whos: &[Who] = if role == "anonymous" {
            &[Other]
        } else {
            &[Own, Other]
        };
        for &who in whos {
            for status in [Draft, Published] {
                for &act in &acts {
                    let key = (role, who, status, act);
                    assert!(seen.contains(&key), "missing {key:?}");
                }
            }
        }
    }
    assert_eq!(TABLE.len(), (6 * 2 + 1) * 2 * acts.len());
}
