//! Who may do what to which post or comment.
//!
//! Every check follows the same order, so every outcome is defined:
//! 1. the caller must hold at least one permission that could allow the
//!    action, else [`Denied::InsufficientScope`];
//! 2. a post the caller may not read is [`Denied::NotFound`] (its existence
//!    is not revealed); for comment actions this is about the comment's post;
//! 3. a readable post (or comment) the caller may not change is
//!    [`Denied::Forbidden`];
//! 4. an action the post's status does not admit (SPEC §10: submitting a post in
//!    review, sending back a draft…) is [`Denied::Conflict`], naming the status.

use std::fmt;
use std::sync::Arc;

use super::permission::PermissionSet;

mod accounts;
mod actions;
mod can;
mod status;

pub use accounts::{check_user, UserAction};
pub use actions::{CommentAction, PostAction};
pub use can::{CommentCan, PostCan};
pub use status::{transition, PostStatus};

/// The caller of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The user id; `None` for anonymous callers, who are never owners.
    pub user_id: Option<i64>,
    /// Permissions resolved from the user's (or the anonymous) roles.
    pub permissions: Arc<PermissionSet>,
    /// Scopes of the bearer token, if the request used one. Effective
    /// permissions are then `permissions ∩ scopes`.
    pub scopes: Option<Arc<PermissionSet>>,
}

impl Principal {
    /// An anonymous caller with the given permissions.
    pub fn anonymous(perms: Arc<PermissionSet>) -> Self {
        Self {
            user_id: None,
            permissions: perms,
            scopes: None,
        }
    }

    /// A signed-in user with the given permissions (no token scopes).
    pub fn user(user_id: i64, perms: Arc<PermissionSet>) -> Self {
        Self {
            user_id: Some(user_id),
            permissions: perms,
            scopes: None,
        }
    }

    /// The same caller, narrowed to the given token scopes.
    pub fn with_scopes(self, scopes: Arc<PermissionSet>) -> Self {
        Self {
            scopes: Some(scopes),
            ..self
        }
    }

    /// Is `perm` allowed by the permissions and, if present, the scopes?
    pub fn has(&self, perm: &str) -> bool {
        self.permissions.allows(perm) && self.scopes.as_ref().is_none_or(|s| s.allows(perm))
    }

    /// Is at least one of `perms` effective? (`false` for an empty list.)
    pub fn has_any(&self, perms: &[&str]) -> bool {
        perms.iter().any(|p| self.has(p))
    }

    /// Are all of `perms` effective? (`true` for an empty list.)
    pub fn has_all(&self, perms: &[&str]) -> bool {
        perms.iter().all(|p| self.has(p))
    }

    /// Is `grant` covered by the permissions and, if present, the scopes
    /// (see [`PermissionSet::covers`])?
    pub fn covers(&self, grant: &str) -> bool {
        self.permissions.covers(grant) && self.scopes.as_ref().is_none_or(|s| s.covers(grant))
    }

    /// Is `grant` within the effective permissions as far as the catalog goes (see
    /// [`PermissionSet::covers_in_catalog`]): what a caller may hand out to others.
    pub fn covers_in_catalog(&self, grant: &str, catalog: &[&str]) -> bool {
        self.covers(grant) || super::permission::wildcard_held(grant, catalog, |p| self.has(p))
    }

    /// The names of `catalog` that are effective, in catalog order.
    pub fn effective(&self, catalog: &[&str]) -> Vec<String> {
        catalog
            .iter()
            .filter(|p| self.has(p))
            .map(|p| p.to_string())
            .collect()
    }

    /// Is the caller signed in?
    pub fn is_authenticated(&self) -> bool {
        self.user_id.is_some()
    }

    /// Is the caller the user `author_id`? Never true for anonymous callers.
    pub fn is_owner(&self, author_id: i64) -> bool {
        self.user_id == Some(author_id)
    }
}

/// What the policy needs to know about a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostFacts {
    /// The post's author.
    pub author_id: i64,
    /// Where the post is in its life.
    pub status: PostStatus,
}

impl PostFacts {
    /// Is the post public?
    pub fn is_published(self) -> bool {
        self.status == PostStatus::Published
    }
}

/// What the policy needs to know about a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommentFacts {
    /// The comment's author.
    pub author_id: i64,
    /// The post the comment belongs to.
    pub post: PostFacts,
}

/// Why an action was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denied {
    /// Step 1: the caller holds none of `required` (any one would do).
    InsufficientScope {
        /// Permissions of which at least one is needed.
        required: &'static [&'static str],
    },
    /// Step 2: the caller may not read the post; do not reveal it exists.
    NotFound,
    /// Step 3: the caller may read the post but not do this.
    Forbidden {
        /// Permissions that would allow it given the facts (e.g. only
        /// `posts:update` for someone else's post); empty when no permission
        /// would (editing another user's comment, commenting on a draft).
        required: &'static [&'static str],
    },
    /// Step 4: the caller may do this to the post, but not while it is in `status`.
    Conflict {
        /// The post's current status.
        status: PostStatus,
    },
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InsufficientScope { required } => {
                write!(
                    f,
                    "insufficient scope: needs one of {}",
                    required.join(", ")
                )
            }
            Self::NotFound => f.write_str("not found"),
            Self::Forbidden { required: [] } => f.write_str("forbidden"),
            Self::Forbidden { required } => {
                write!(f, "forbidden: needs one of {}", required.join(", "))
            }
            Self::Conflict { status } => write!(f, "not possible while the post is {status}"),
        }
    }
}

impl std::error::Error for Denied {}

/// Step 1 helper.
fn require_any(p: &Principal, required: &'static [&'static str]) -> Result<(), Denied> {
    if p.has_any(required) {
        Ok(())
    } else {
        Err(Denied::InsufficientScope { required })
    }
}

/// Step 3 helper: one of `any`, or `own` when the caller is the owner.
fn any_or_own(
    p: &Principal,
    owner: bool,
    any: &'static [&'static str],
    own: &str,
) -> Result<(), Denied> {
    if p.has_any(any) || (owner && p.has(own)) {
        Ok(())
    } else {
        Err(Denied::Forbidden { required: any })
    }
}

/// `(posts:read and (published or owner)) or posts:update`.
pub fn can_read_post(p: &Principal, post: PostFacts) -> bool {
    (p.has("posts:read") && (post.is_published() || p.is_owner(post.author_id)))
        || p.has("posts:update")
}

/// Decides `action` on `post` (steps 1–4, see the module docs). Commenting also needs
/// a signed-in caller, who becomes the comment's author.
pub fn check_post(p: &Principal, action: PostAction, post: PostFacts) -> Result<(), Denied> {
    check_post_rights(p, action, post)?;
    match transition(action, post.status) {
        Some(_) => Ok(()),
        None => Err(Denied::Conflict {
            status: post.status,
        }),
    }
}

/// Steps 1–3 of [`check_post`]: may the caller do `action` to `post` in some status?
fn check_post_rights(p: &Principal, action: PostAction, post: PostFacts) -> Result<(), Denied> {
    require_any(p, action.requirement())?;
    if !can_read_post(p, post) {
        return Err(Denied::NotFound);
    }
    let owner = p.is_owner(post.author_id);
    match action {
        PostAction::Read | PostAction::ReadComments => Ok(()),
        PostAction::Update => any_or_own(p, owner, &["posts:update"], "posts:update_own"),
        PostAction::Publish | PostAction::Unpublish | PostAction::Schedule => {
            any_or_own(p, owner, &["posts:publish"], "posts:publish_own")
        }
        PostAction::Delete => any_or_own(p, owner, &["posts:delete"], "posts:delete_own"),
        // A comment needs an author: even an `anonymous` role given `comments:create`
        // does not let a caller without credentials write one.
        PostAction::Comment if post.is_published() && p.is_authenticated() => Ok(()),
        // Submitting asks an editor to look at one's own work; an editor acting on
        // someone else's post approves or sends it back instead.
        PostAction::Submit if owner => Ok(()),
        PostAction::Comment | PostAction::Submit => Err(Denied::Forbidden { required: &[] }),
        // Step 1 already asked for `posts:publish`, the only grant that allows it.
        PostAction::Reject => Ok(()),
    }
}

/// May `p`, who scheduled `post`, still have it published (SPEC §10)? Asked by the
/// scheduler when the post is due, with `p`'s permissions at that moment: the rights of
/// publishing it (steps 1–3). The move itself, scheduled → published, is the scheduler's
/// alone, so any other status is [`Denied::Conflict`].
pub fn check_scheduled_publish(p: &Principal, post: PostFacts) -> Result<(), Denied> {
    if post.status != PostStatus::Scheduled {
        return Err(Denied::Conflict {
            status: post.status,
        });
    }
    check_post_rights(p, PostAction::Publish, post)
}

/// Is `action` on `post` allowed?
pub fn can_post(p: &Principal, action: PostAction, post: PostFacts) -> bool {
    check_post(p, action, post).is_ok()
}

/// May the caller create a post (as a draft, or published when `publish`)?
///
/// Needs `posts:create`; publishing at creation also needs `posts:publish`
/// or `posts:publish_own` (the creator is the owner). Both are pure
/// permission requirements, so failures are [`Denied::InsufficientScope`].
pub fn check_create_post(p: &Principal, publish: bool) -> Result<(), Denied> {
    require_any(p, &["posts:create"])?;
    if publish {
        require_any(p, &["posts:publish", "posts:publish_own"])?;
    }
    Ok(())
}

/// Decides `action` on the comment `c` (steps 1–3, step 2 being about the
/// comment's post).
pub fn check_comment(p: &Principal, action: CommentAction, c: CommentFacts) -> Result<(), Denied> {
    require_any(p, action.requirement())?;
    if !can_read_post(p, c.post) {
        return Err(Denied::NotFound);
    }
    let owner = p.is_owner(c.author_id);
    match action {
        CommentAction::Update if owner && p.has("comments:update_own") => Ok(()),
        CommentAction::Update => Err(Denied::Forbidden { required: &[] }),
        CommentAction::Delete => any_or_own(p, owner, &["comments:delete"], "comments:delete_own"),
    }
}

/// Is `action` on the comment `c` allowed?
pub fn can_comment(p: &Principal, action: CommentAction, c: CommentFacts) -> bool {
    check_comment(p, action, c).is_ok()
}

/// Which posts a listing may show, derived from the same rule as
/// [`can_read_post`] (to be turned into an SQL filter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadScope {
    /// Every post (`posts:update`).
    All,
    /// Published posts, plus drafts authored by this user if `Some`.
    PublishedOrOwn(Option<i64>),
    /// No post at all.
    Nothing,
}

impl ReadScope {
    /// Does the filter let `post` through?
    pub fn admits(self, post: PostFacts) -> bool {
        match self {
            Self::All => true,
            Self::PublishedOrOwn(user_id) => post.is_published() || user_id == Some(post.author_id),
            Self::Nothing => false,
        }
    }

    /// Does the filter let every published post through? (The front page lists only
    /// those, whoever asks.)
    pub fn admits_published(self) -> bool {
        !matches!(self, Self::Nothing)
    }
}

/// The listing filter for the caller; `post_read_scope(p).admits(post)`
/// equals `can_read_post(p, post)` for every post.
pub fn post_read_scope(p: &Principal) -> ReadScope {
    if p.has("posts:update") {
        ReadScope::All
    } else if p.has("posts:read") {
        ReadScope::PublishedOrOwn(p.user_id)
    } else {
        ReadScope::Nothing
    }
}

#[cfg(test)]
mod table;
#[cfg(test)]
mod tests;
