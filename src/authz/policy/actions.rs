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
    /// Turn the post back into a draft.
    Unpublish,
    /// Delete the post.
    Delete,
    /// List the post's comments.
    ReadComments,
    /// Add a comment to the post.
    Comment,
}

impl PostAction {
    /// Every post action.
    pub const ALL: [PostAction; 7] = [
        Self::Read,
        Self::Update,
        Self::Publish,
        Self::Unpublish,
        Self::Delete,
        Self::ReadComments,
        Self::Comment,
    ];

    /// Step 1: the caller needs at least one of these permissions.
    pub fn requirement(self) -> &'static [&'static str] {
        match self {
            Self::Read => &["posts:read", "posts:update"],
            Self::Update => &["posts:update", "posts:update_own"],
            Self::Publish | Self::Unpublish => &["posts:publish", "posts:publish_own"],
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
