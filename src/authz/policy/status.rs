//! Where a post is in its life (SPEC §10), and which statuses each action may start from.

use std::fmt;

use super::actions::PostAction;

/// Where a post is in its life, stored as text in `posts.status`.
///
/// A new state is one more variant, one more arm in [`PostStatus::as_str`], one more entry
/// in [`PostStatus::ALL`] (which [`PostStatus::parse`] reads) and the migration's `CHECK`;
/// the compiler then points at every `match` that must decide what the state means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PostStatus {
    /// Being written; read like any unpublished post (owner, or `posts:update`).
    Draft,
    /// Submitted for review; read like a draft.
    Review,
    /// To be published at its `published_at` by the scheduler; read like a draft.
    Scheduled,
    /// Public.
    Published,
}

impl PostStatus {
    /// Every status, in the order a post moves through them.
    pub const ALL: [PostStatus; 4] = [
        PostStatus::Draft,
        PostStatus::Review,
        PostStatus::Scheduled,
        PostStatus::Published,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "review",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
        }
    }

    /// The status named `raw` exactly (no case folding: the names are an API value).
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The names joined for a message: `draft, review, scheduled or published`.
    pub fn names() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl fmt::Display for PostStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status `action` moves a post in status `from` to: `Some(from)` for the actions that
/// do not change the status (reading, editing, deleting, commenting), `None` when the
/// action is not possible from `from` (the table of SPEC §10: a 409 naming `from`).
pub fn transition(action: PostAction, from: PostStatus) -> Option<PostStatus> {
    use PostStatus::{Draft, Published, Review, Scheduled};
    match (action, from) {
        (PostAction::Submit, Draft) => Some(Review),
        (PostAction::Publish, Draft | Review) => Some(Published),
        (PostAction::Schedule, Draft | Review) => Some(Scheduled),
        (PostAction::Reject, Review) => Some(Draft),
        (PostAction::Unpublish, Published | Scheduled) => Some(Draft),
        (
            PostAction::Submit
            | PostAction::Publish
            | PostAction::Schedule
            | PostAction::Reject
            | PostAction::Unpublish,
            _,
        ) => None,
        (
            PostAction::Read
            | PostAction::Update
            | PostAction::Delete
            | PostAction::ReadComments
            | PostAction::Comment,
            _,
        ) => Some(from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_parses_back_from_its_name_and_nothing_else_does() {
        for status in PostStatus::ALL {
            assert_eq!(PostStatus::parse(status.as_str()), Some(status), "{status}");
        }
        for raw in ["", "Published", "DRAFT", " draft", "deleted", "Review"] {
            assert_eq!(PostStatus::parse(raw), None, "{raw:?}");
        }
        assert_eq!(PostStatus::names(), "draft, review, scheduled or published");
    }

    #[test]
    fn transitions_follow_the_table_of_spec_10() {
        use PostStatus::{Draft, Published, Review, Scheduled};
        let moves = [
            (PostAction::Submit, Draft, Review),
            (PostAction::Publish, Draft, Published),
            (PostAction::Publish, Review, Published),
            (PostAction::Schedule, Draft, Scheduled),
            (PostAction::Schedule, Review, Scheduled),
            (PostAction::Reject, Review, Draft),
            (PostAction::Unpublish, Published, Draft),
            (PostAction::Unpublish, Scheduled, Draft),
        ];
        for action in [
            PostAction::Submit,
            PostAction::Publish,
            PostAction::Schedule,
            PostAction::Reject,
            PostAction::Unpublish,
        ] {
            for from in PostStatus::ALL {
                let want = moves
                    .iter()
                    .find(|m| m.0 == action && m.1 == from)
                    .map(|m| m.2);
                assert_eq!(transition(action, from), want, "{action} from {from}");
            }
        }
        for action in [PostAction::Read, PostAction::Update, PostAction::Delete] {
            for from in PostStatus::ALL {
                assert_eq!(transition(action, from), Some(from), "{action} from {from}");
            }
        }
    }
}
