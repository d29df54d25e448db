//! Human-readable explanations of authorization decisions ("why may Alice
//! edit this post?"), for admin UIs and debugging.
//!
//! Explanations run the very same check functions as request handling and
//! only add the story of which role and grant made the difference.

use std::sync::Arc;

use super::permission::{is_valid_permission_name, matches};
use super::policy::{
    check_comment, check_post, CommentAction, CommentFacts, Denied, PostAction, PostFacts,
    Principal,
};
use super::roles::RoleGraph;

/// A grant that matched, and the role carrying it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via {
    /// The role whose own grants contain `grant` (maybe inherited by one of
    /// the user's roles).
    pub role: String,
    /// The grant as written on the role (possibly a wildcard).
    pub grant: String,
}

/// The outcome of a decision with its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// Was it allowed?
    pub allowed: bool,
    /// A sentence starting with `allowed:` or `denied:`.
    pub reason: String,
    /// The grants that made it allowed (empty when denied).
    pub via: Vec<Via>,
    /// Did the decision rely on the caller being the owner?
    pub ownership: bool,
}

/// Every (role, grant) in the closure of `user_roles` whose grant matches
/// `perm`, roles in closure order (assigned roles first, then ancestors).
pub fn grants_for(graph: &RoleGraph, user_roles: &[String], perm: &str) -> Vec<Via> {
    let mut out: Vec<Via> = Vec::new();
    for def in graph.closure(user_roles.iter().map(String::as_str)) {
        for grant in def.grants.iter().filter(|g| matches(g, perm)) {
            let via = Via {
                role: def.name.clone(),
                grant: grant.clone(),
            };
            if !out.contains(&via) {
                out.push(via);
            }
        }
    }
    out
}

/// Does the user hold `perm` through their roles, and through which grants?
pub fn explain_permission(graph: &RoleGraph, user_roles: &[String], perm: &str) -> Explanation {
    let reason = if !is_valid_permission_name(perm) {
        format!("denied: {perm:?} is not a valid permission name")
    } else if graph_principal(graph, user_roles, None).has(perm) {
        let (text, via) = describe(graph, user_roles, perm, false);
        return allowed(format!("allowed: {text}"), via, false);
    } else {
        format!("denied: no role grants {perm}")
    };
    denied(reason)
}

/// Why may (or may not) user `user_id` with `user_roles` do `action` on
/// `post`? Uses [`check_post`] with a principal built from the graph.
pub fn explain_post(
    graph: &RoleGraph,
    user_roles: &[String],
    user_id: i64,
    action: PostAction,
    post: PostFacts,
) -> Explanation {
    let p = graph_principal(graph, user_roles, Some(user_id));
    match check_post(&p, action, post) {
        Ok(()) => {
            let mut steps = match action {
                PostAction::Read => vec![],
                PostAction::Update => vec![any_or_own(&p, "posts:update", "posts:update_own")],
                PostAction::Publish | PostAction::Unpublish | PostAction::Schedule => {
                    vec![any_or_own(&p, "posts:publish", "posts:publish_own")]
                }
                PostAction::Submit => vec![("posts:update_own", true)],
                PostAction::Reject => vec![("posts:publish", false)],
                PostAction::Delete => vec![any_or_own(&p, "posts:delete", "posts:delete_own")],
                PostAction::ReadComments => vec![("comments:read", false)],
                PostAction::Comment => vec![("comments:create", false)],
            };
            if matches!(
                action,
                PostAction::Read | PostAction::ReadComments | PostAction::Comment
            ) {
                steps.push(read_basis(&p, post));
            }
            explain_allowed(graph, user_roles, &steps)
        }
        Err(denial) => {
            let draft = action == PostAction::Comment && !post.is_published();
            denied(denial_reason(&p, &denial, rule(action), draft))
        }
    }
}

/// Why may (or may not) user `user_id` with `user_roles` do `action` on the
/// comment `c`? Uses [`check_comment`] with a principal built from the graph.
pub fn explain_comment(
    graph: &RoleGraph,
    user_roles: &[String],
    user_id: i64,
    action: CommentAction,
    c: CommentFacts,
) -> Explanation {
    let p = graph_principal(graph, user_roles, Some(user_id));
    match check_comment(&p, action, c) {
        Ok(()) => {
            let step = match action {
                CommentAction::Update => ("comments:update_own", true),
                CommentAction::Delete => any_or_own(&p, "comments:delete", "comments:delete_own"),
            };
            explain_allowed(graph, user_roles, &[step])
        }
        Err(denial) => denied(denial_reason(&p, &denial, comment_rule(action), false)),
    }
}

fn graph_principal(graph: &RoleGraph, user_roles: &[String], user_id: Option<i64>) -> Principal {
    Principal {
        user_id,
        permissions: Arc::new(graph.resolve(user_roles.iter().map(String::as_str))),
        scopes: None,
    }
}

/// The any-of rule of a post action, as read by humans.
fn rule(action: PostAction) -> &'static str {
    match action {
        PostAction::Read => "posts:read, or posts:update",
        PostAction::Update => "posts:update, or posts:update_own as owner",
        PostAction::Publish | PostAction::Unpublish | PostAction::Schedule => {
            "posts:publish, or posts:publish_own as owner"
        }
        PostAction::Submit => "posts:update_own as owner",
        PostAction::Reject => "posts:publish",
        PostAction::Delete => "posts:delete, or posts:delete_own as owner",
        PostAction::ReadComments => "comments:read",
        PostAction::Comment => "comments:create",
    }
}

/// The any-of rule of a comment action, as read by humans.
fn comment_rule(action: CommentAction) -> &'static str {
    match action {
        CommentAction::Update => "comments:update_own as owner",
        CommentAction::Delete => "comments:delete, or comments:delete_own as owner",
    }
}

/// The permission that decided an allowed "any, or own as owner" rule; the
/// broader permission is preferred so ownership is claimed only if needed.
fn any_or_own(p: &Principal, any: &'static str, own: &'static str) -> (&'static str, bool) {
    if p.has(any) {
        (any, false)
    } else {
        (own, true)
    }
}

/// The permission that let the caller read a post it may read.
fn read_basis(p: &Principal, post: PostFacts) -> (&'static str, bool) {
    if post.is_published() && p.has("posts:read") {
        ("posts:read", false)
    } else if p.has("posts:update") {
        ("posts:update", false)
    } else {
        ("posts:read", true)
    }
}

fn explain_allowed(
    graph: &RoleGraph,
    user_roles: &[String],
    steps: &[(&str, bool)],
) -> Explanation {
    let mut texts = Vec::new();
    let mut all_via = Vec::new();
    for &(perm, as_owner) in steps {
        let (text, via) = describe(graph, user_roles, perm, as_owner);
        texts.push(text);
        for v in via {
            if !all_via.contains(&v) {
                all_via.push(v);
            }
        }
    }
    let ownership = steps.iter().any(|&(_, as_owner)| as_owner);
    allowed(
        format!("allowed: {}", texts.join(" and ")),
        all_via,
        ownership,
    )
}

/// `owner with posts:update_own (via role "user")` and the matching grants.
fn describe(
    graph: &RoleGraph,
    user_roles: &[String],
    perm: &str,
    as_owner: bool,
) -> (String, Vec<Via>) {
    let via = grants_for(graph, user_roles, perm);
    let sources: Vec<String> = via
        .iter()
        .map(|v| {
            let mut s = format!("via role {:?}", v.role);
            if v.grant != perm {
                s.push_str(&format!(" grant {:?}", v.grant));
            }
            if !user_roles.contains(&v.role) {
                s.push_str(", inherited");
            }
            s
        })
        .collect();
    let owner = if as_owner { "owner with " } else { "" };
    (format!("{owner}{perm} ({})", sources.join("; ")), via)
}

/// The reason for a denial; `draft_comment` marks commenting on a draft.
fn denial_reason(p: &Principal, denial: &Denied, rule: &str, draft_comment: bool) -> String {
    match denial {
        Denied::InsufficientScope { .. } => format!("denied: needs {rule}"),
        Denied::NotFound if p.has("posts:read") => {
            "denied: cannot read the post (draft of another user)".to_string()
        }
        Denied::NotFound => {
            "denied: cannot read the post (needs posts:read, or posts:update)".into()
        }
        Denied::Forbidden { .. } if draft_comment => {
            "denied: the post is not published".to_string()
        }
        Denied::Forbidden { .. } => format!("denied: needs {rule} (not the owner)"),
        Denied::Conflict { status } => format!("denied: not possible while the post is {status}"),
    }
}

fn allowed(reason: String, via: Vec<Via>, ownership: bool) -> Explanation {
    Explanation {
        allowed: true,
        reason,
        via,
        ownership,
    }
}

fn denied(reason: String) -> Explanation {
    Explanation {
        allowed: false,
        reason,
        via: Vec::new(),
        ownership: false,
    }
}

#[cfg(test)]
mod tests;
