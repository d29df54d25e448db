//! The `can` object of posts and comments: what the UI may offer, decided by the same
//! functions that guard the actions.

use super::{
    can_comment, can_post, check_post_rights, CommentAction, CommentFacts, PostAction, PostFacts,
    Principal,
};

/// What the UI may offer for a post the caller can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostCan {
    /// May edit.
    pub update: bool,
    /// May publish and unpublish this post, whatever its status now (the buttons that
    /// apply depend on it: publish a draft or a post in review, unpublish a published or
    /// scheduled one).
    pub publish: bool,
    /// May delete.
    pub delete: bool,
    /// May add a comment.
    pub comment: bool,
    /// May submit it for review (an own draft).
    pub submit: bool,
    /// May schedule it (a draft or a post in review, with publish rights).
    pub schedule: bool,
    /// May send it back (a post in review, with `posts:publish`).
    pub reject: bool,
}

impl PostCan {
    /// Computed with [`super::check_post`], so it always agrees with it.
    pub fn for_post(p: &Principal, post: PostFacts) -> Self {
        let rights = |a| check_post_rights(p, a, post).is_ok();
        Self {
            update: can_post(p, PostAction::Update, post),
            publish: rights(PostAction::Publish) && rights(PostAction::Unpublish),
            delete: can_post(p, PostAction::Delete, post),
            comment: can_post(p, PostAction::Comment, post),
            submit: can_post(p, PostAction::Submit, post),
            schedule: can_post(p, PostAction::Schedule, post),
            reject: can_post(p, PostAction::Reject, post),
        }
    }
}

/// What the UI may offer for a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommentCan {
    /// May edit.
    pub update: bool,
    /// May delete.
    pub delete: bool,
}

impl CommentCan {
    /// Computed with [`super::check_comment`], so it always agrees with it.
    pub fn for_comment(p: &Principal, c: CommentFacts) -> Self {
        Self {
            update: can_comment(p, CommentAction::Update, c),
            delete: can_comment(p, CommentAction::Delete, c),
        }
    }
}
