//! The actions the policy decides on, with their step-1 requirements and
//! stable names.

use std::fmt;

/// An action on an existing post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PostAction {
    /// View the post.
    Read,
    /// Edit the post.
    Update,
    /// Publish the post.
    Publish,
    /// Turn a published or scheduled post back into a draft.
    Unpublish,
    /// Submit one's own draft for review (SPEC §10).
    Submit,
    /// Have the post published at a later time (SPEC §10).
    Schedule,
    /// Send a post in review back to its author as a draft, with a note (SPEC §10).
    Reject,
    /// Delete the post.
    Delete,
    /// List the post's comments.
    ReadComments,
    /// Add a comment to the post.
    Comment,
}

impl PostAction {
    /// Every post action.
    pub const ALL: [PostAction; 10] = [
        Self::Read,
        Self::Update,
        Self::Publish,
        Self::Unpublish,
        Self::Delete,
        Self::ReadComments,
        Self::Comment,
        Self::Submit,
        Self::Schedule,
        Self::Reject,
    ];

    /// Step 1: the caller needs at least one of these permissions.
    pub fn requirement(self) -> &'static [&'static str] {
        match self {
            Self::Read => &["posts:read", "posts:update"],
            Self::Update => &["posts:update", "posts:update_own"],
            Self::Publish | Self::Unpublish | Self::Schedule => {
                &["posts:publish", "posts:publish_own"]
            }
            // Only an owner may submit, so only `_own` could ever allow it.
            Self::Submit => &["posts:update_own"],
            Self::Reject => &["posts:publish"],
            Self::Delete => &["posts:delete", "posts:delete_own"],
            Self::ReadComments => &["comments:read"],
            Self::Comment => &["comments:create"],
        }
    }

    /// Stable name, e.g. `"post:update"` (`"comment:read"` for
    /// [`Self::ReadComments`]).
    pub fn name(self) -> &'static str {
        match self {
            Self::Read => "post:read",
            Self::Update => "post:update",
            Self::Publish => "post:publish",
            Self::Unpublish => "post:unpublish",
            Self::Delete => "post:delete",
            Self::ReadComments => "comment:read",
            Self::Comment => "post:comment",
            Self::Submit => "post:submit",
            Self::Schedule => "post:schedule",
            Self::Reject => "post:reject",
        }
    }

    /// The action whose [`Self::name`] is `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == s)
    }
}

impl fmt::Display for PostAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An action on an existing comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommentAction {
    /// Edit the comment.
    Update,
    /// Delete the comment.
    Delete,
}

impl CommentAction {
    /// Every comment action.
    pub const ALL: [CommentAction; 2] = [Self::Update, Self::Delete];

    /// Step 1: the caller needs at least one of these permissions.
    pub fn requirement(self) -> &'static [&'static str] {
        match self {
            Self::Update => &["comments:update_own"],
            Self::Delete => &["comments:delete", "comments:delete_own"],
        }
    }

    /// Stable name: `"comment:update"` or `"comment:delete"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Update => "comment:update",
            Self::Delete => "comment:delete",
        }
    }

    /// The action whose [`Self::name`] is `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == s)
    }
}

impl fmt::Display for CommentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
