//! Pure authorization core of Quire.
//!
//! Everything in this module is plain `std` code without I/O: permission
//! names and wildcard grants ([`permission`]), the role inheritance graph
//! ([`roles`]), the per-post and per-comment policies ([`policy`]), who
//! may hand out management rights ([`management`]) and human-readable
//! explanations of decisions ([`explain`]). The web and
//! database layers feed facts in and map the results to HTTP responses.

pub mod explain;
pub mod management;
pub mod permission;
pub mod policy;
pub mod roles;

pub use explain::{Explanation, Via};
pub use permission::{is_valid_grant, is_valid_permission_name, matches, PermissionSet, CATALOG};
pub use policy::{
    can_comment, can_post, can_read_post, check_comment, check_create_post, check_post,
    check_scheduled_publish, check_user, post_read_scope, CommentAction, CommentCan, CommentFacts,
    Denied, PostAction, PostCan, PostFacts, PostStatus, Principal, ReadScope, UserAction,
};
pub use roles::{Assignment, RoleDef, RoleGraph};
