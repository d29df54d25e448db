//! What the post editor page shows: the form's fields, the buttons allowed, a preview.

use actix_session::Session;
use askama::Template;

use super::Layout;
use crate::auth::principal::Caller;
use crate::authz::{check_create_post, PostCan, Principal};
use crate::db::models::{Post, PostStatus};

/// The buttons the caller may press, each from the policy's `can` flags.
#[derive(Clone, Copy, Debug, Default)]
pub struct Buttons {
    pub save: bool,
    pub submit: bool,
    pub publish: bool,
    pub schedule: bool,
    pub reject: bool,
    pub unpublish: bool,
    pub delete: bool,
}

/// The form's values, as stored or as typed.
#[derive(Debug, Default)]
pub struct Fields {
    pub title: String,
    pub slug: String,
    pub tags: String,
    pub body: String,
    pub at: String,
    pub note: String,
}

impl Fields {
    pub fn of_post(post: &Post, tags: &[String]) -> Self {
        Self {
            title: post.title.clone(),
            slug: post.slug.clone(),
            tags: tags.join(", "),
            body: post.body.clone(),
            ..Self::default()
        }
    }
}

#[derive(Template)]
#[template(path = "admin/post_edit.html")]
pub struct EditPage {
    pub layout: Layout,
    /// `/admin/posts/new` or `/admin/posts/{id}/edit`.
    pub action_url: String,
    pub status: String,
    pub public_url: Option<String>,
    pub review_note: Option<String>,
    pub fields: Fields,
    pub buttons: Buttons,
    /// Sanitized HTML of the body as typed, when Preview was pressed.
    pub preview: Option<String>,
    pub error: Option<String>,
}

impl EditPage {
    pub fn new(
        caller: &Caller,
        session: &Session,
        post: Option<&Post>,
        fields: Fields,
        buttons: Buttons,
    ) -> Self {
        let title = match post {
            Some(p) => format!("Edit “{}”", p.title),
            None => "New post".into(),
        };
        Self {
            layout: Layout::new(title, caller, session),
            action_url: post.map_or("/admin/posts/new".into(), |p| {
                format!("/admin/posts/{}/edit", p.id)
            }),
            status: post.map_or("new".into(), |p| p.status.clone()),
            public_url: post
                .filter(|p| p.status == "published")
                .map(|p| format!("/p/{}", p.slug)),
            review_note: post.and_then(|p| p.review_note.clone()),
            fields,
            buttons,
            preview: None,
            error: None,
        }
    }
}

impl Buttons {
    /// The buttons of a post not yet created: save (and preview), publish with publish rights.
    pub fn for_new(p: &Principal) -> Self {
        Self {
            save: true,
            publish: check_create_post(p, true).is_ok(),
            ..Self::default()
        }
    }

    /// The buttons the policy allows on `post` for `p`, by its status.
    pub fn for_post(p: &Principal, post: &Post) -> Self {
        let can = PostCan::for_post(p, post.facts());
        let status = post.status();
        let live = matches!(status, PostStatus::Published | PostStatus::Scheduled);
        Self {
            save: can.update,
            publish: can.publish && !live,
            unpublish: can.publish && live,
            delete: can.delete,
            submit: can.submit,
            schedule: can.schedule,
            reject: can.reject,
        }
    }
}
