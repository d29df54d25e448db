//! `/admin/posts/new` and `/admin/posts/{id}/edit`: one form per post whose buttons
//! (`action=save|preview|submit|publish|schedule|reject|unpublish|delete`) are shown only
//! where the policy's `can` flags allow, and whose POST goes through the same
//! `manage::posts` operations as the API.

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::editor_view::{Buttons, EditPage, Fields};
use super::{guard, render, see_other, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::{check_csrf, flash};
use crate::authz::{check_create_post, check_post, PostAction};
use crate::db::models::{Post, PostStatus};
use crate::db::queries::posts::{self as post_q, PostChanges};
use crate::domain::{PostText, ReviewNote, Slug, Title};
use crate::error::AppError;
use crate::manage;
use crate::routes::api::posts::parse_tags;
use crate::state::State;

/// The editor form. Every field is optional so a missing one is a 422 naming it, never a
/// bare 400 from the extractor.
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    pub csrf: Option<String>,
    pub action: Option<String>,
    pub title: Option<String>,
    pub slug: Option<String>,
    pub tags: Option<String>,
    pub body: Option<String>,
    pub at: Option<String>,
    pub note: Option<String>,
}

/// The fields of the form, checked: title, body, an optional slug, the tag list.
struct Checked {
    title: String,
    body: String,
    slug: Option<String>,
    tags: Vec<String>,
}

impl EditForm {
    /// The values as typed, to show the form again.
    fn fields(&self) -> Fields {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Fields {
            title: text(&self.title),
            slug: text(&self.slug),
            tags: text(&self.tags),
            body: text(&self.body),
            at: text(&self.at),
            note: text(&self.note),
        }
    }

    fn check(&self) -> Result<Checked, AppError> {
        let title = Title::parse(self.title.as_deref().unwrap_or_default())
            .map_err(|m| AppError::field("title", m))?;
        let body = PostText::parse(self.body.as_deref().unwrap_or_default())
            .map_err(|m| AppError::field("body", m))?;
        let slug = match self.slug.as_deref().map(str::trim).unwrap_or_default() {
            "" => None,
            s => Some(Slug::parse(s).map_err(|m| AppError::field("slug", m))?),
        };
        let tags: Vec<String> = self
            .tags
            .as_deref()
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Checked {
            title: title.into_inner(),
            body: body.into_inner(),
            slug: slug.map(Slug::into_inner),
            tags: parse_tags(&tags)?,
        })
    }

    /// The `at` of Schedule: a `datetime-local` value (`2027-01-01T09:30`), read as UTC,
    /// which must lie in the future.
    fn schedule_at(&self) -> Result<NaiveDateTime, AppError> {
        let raw = self.at.as_deref().unwrap_or_default();
        let at = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| AppError::field("at", "must be a date and time (UTC)"))?;
        if at <= crate::db::now() {
            return Err(AppError::field("at", "must be in the future"));
        }
        Ok(at)
    }

    /// The `note` of Send back (1–2000 characters).
    fn review_note(&self) -> Result<String, AppError> {
        let note = ReviewNote::parse(self.note.as_deref().unwrap_or_default());
        Ok(note.map_err(|m| AppError::field("note", m))?.into_inner())
    }
}

#[get("/posts/new")]
pub async fn new_post_form(
    caller: Caller,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["posts:create"])?;
    let buttons = Buttons::for_new(&caller.principal);
    render(&EditPage::new(
        &caller,
        &session,
        None,
        Fields::default(),
        buttons,
    ))
}

#[post("/posts/new")]
pub async fn create_post_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    check_csrf(&session, form.csrf.as_deref())?;
    guard(&caller, &req, &["posts:create"])?;
    let buttons = Buttons::for_new(&caller.principal);
    let action = form.action.clone().unwrap_or_else(|| "save".into());
    let publish = match action.as_str() {
        "save" => false,
        "publish" => true,
        "preview" => return preview(&caller, &session, None, &form, buttons),
        _ => return Err(AppError::Conflict(format!("a new post cannot {action}")).into()),
    };
    check_create_post(&caller.principal, publish).map_err(|d| caller.deny(d))?;
    let checked = match form.check() {
        Ok(c) => c,
        Err(e) => return invalid(&caller, &session, None, &form, buttons, e),
    };
    let draft = manage::posts::Draft {
        author_id: caller.user()?.id,
        title: checked.title,
        body: checked.body,
        slug: checked.slug,
        tags: checked.tags,
        status: if publish {
            PostStatus::Published
        } else {
            PostStatus::Draft
        },
    };
    let result = state
        .db
        .run(move |conn| manage::posts::create_post(conn, &draft))
        .await;
    match result {
        Ok((post, _)) => {
            flash(&session, "ok", format!("Created “{}”.", post.title));
            Ok(see_other(&format!("/admin/posts/{}/edit", post.id)))
        }
        Err(e @ AppError::Conflict(_)) => invalid(&caller, &session, None, &form, buttons, e),
        Err(e) => Err(e.into()),
    }
}

#[get("/posts/{id}/edit")]
pub async fn edit_post_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, PostAction::Update.requirement())?;
    let (post, tags) = load_editable(&state, &caller, id.into_inner()).await?;
    let buttons = Buttons::for_post(&caller.principal, &post);
    let fields = Fields::of_post(&post, &tags);
    render(&EditPage::new(
        &caller,
        &session,
        Some(&post),
        fields,
        buttons,
    ))
}

/// What a press of one of the editor's buttons asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Save,
    Preview,
    Submit,
    Publish,
    Schedule,
    Reject,
    Unpublish,
    Delete,
}

impl Op {
    fn parse(action: Option<&str>) -> Result<Self, AppError> {
        Ok(match action.unwrap_or("save") {
            "save" => Self::Save,
            "preview" => Self::Preview,
            "submit" => Self::Submit,
            "publish" => Self::Publish,
            "schedule" => Self::Schedule,
            "reject" => Self::Reject,
            "unpublish" => Self::Unpublish,
            "delete" => Self::Delete,
            _ => return Err(AppError::field("action", "unknown action")),
        })
    }

    /// The policy action the operation is checked as.
    fn post_action(self) -> PostAction {
        match self {
            Self::Save | Self::Preview => PostAction::Update,
            Self::Submit => PostAction::Submit,
            Self::Publish => PostAction::Publish,
            Self::Schedule => PostAction::Schedule,
            Self::Reject => PostAction::Reject,
            Self::Unpublish => PostAction::Unpublish,
            Self::Delete => PostAction::Delete,
        }
    }

    fn done(self, id: i64) -> String {
        match self {
            Self::Save | Self::Preview => "Saved.".into(),
            Self::Submit => "Submitted for review.".into(),
            Self::Publish => "Published.".into(),
            Self::Schedule => "Scheduled.".into(),
            Self::Reject => "Sent back to the author with your note.".into(),
            Self::Unpublish => "Unpublished: the post is a draft again.".into(),
            Self::Delete => format!("Post {id} deleted."),
        }
    }
}

#[post("/posts/{id}/edit")]
pub async fn save_post_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    check_csrf(&session, form.csrf.as_deref())?;
    let id = id.into_inner();
    let op = Op::parse(form.action.as_deref())?;
    guard(&caller, &req, op.post_action().requirement())?;
    let mut tags = None;
    let changes = match op {
        Op::Preview | Op::Save => {
            let checked = form.check();
            if op == Op::Preview || checked.is_err() {
                let (post, tags) = load_editable(&state, &caller, id).await?;
                let buttons = Buttons::for_post(&caller.principal, &post);
                return match checked {
                    Err(e) if op == Op::Save => {
                        invalid(&caller, &session, Some((&post, &tags)), &form, buttons, e)
                    }
                    _ => preview(&caller, &session, Some((&post, &tags)), &form, buttons),
                };
            }
            checked.ok().map(|c| {
                tags = Some(c.tags);
                PostChanges {
                    title: Some(c.title),
                    body: Some(c.body),
                    slug: c.slug,
                    ..Default::default()
                }
            })
        }
        Op::Submit => Some(manage::posts::submitting()),
        Op::Publish => Some(manage::posts::publishing()),
        Op::Schedule | Op::Reject => {
            let by = caller.user()?.id;
            let changes = match op {
                Op::Schedule => form
                    .schedule_at()
                    .map(|at| manage::posts::scheduling(at, by)),
                _ => form.review_note().map(manage::posts::rejecting),
            };
            match changes {
                Ok(changes) => Some(changes),
                // A bad `at` or `note`: said on the page, nothing written.
                Err(e) => {
                    flash(&session, "error", e.message());
                    return Ok(see_other(&format!("/admin/posts/{id}/edit")));
                }
            }
        }
        Op::Unpublish => Some(manage::posts::unpublishing()),
        Op::Delete => None,
    };
    let result = apply(&state, &caller, id, op.post_action(), changes, tags).await;
    let back = match op {
        Op::Delete => "/admin/posts".to_owned(),
        _ => format!("/admin/posts/{id}/edit"),
    };
    match result {
        Ok(()) => flash(&session, "ok", op.done(id)),
        // A stale page (publishing what is already published, a taken slug): say so there.
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_))) => {
            flash(&session, "error", e.message())
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(&back))
}

/// Writes `changes` (or deletes, for `None`) through `manage::posts`, whose transaction
/// checks the policy on the post as stored.
async fn apply(
    state: &State,
    caller: &Caller,
    id: i64,
    action: PostAction,
    changes: Option<PostChanges>,
    tags: Option<Vec<String>>,
) -> Result<(), AppError> {
    let (principal, actor) = (caller.principal.clone(), caller.actor());
    state
        .db
        .run(move |conn| match changes {
            None => manage::posts::delete_post(conn, &principal, &actor, id),
            Some(changes) => manage::posts::change_post_tagged(
                conn,
                &principal,
                &actor,
                id,
                action,
                changes,
                tags.as_deref(),
            )
            .map(|allowed| allowed.map(|_| ())),
        })
        .await
        .and_then(|allowed| allowed.map_err(|d| caller.deny(d)))
}

/// The post `id` with its tags if the caller may read it (else 404) and update it (else 403).
async fn load_editable(
    state: &State,
    caller: &Caller,
    id: i64,
) -> Result<(Post, Vec<String>), PageError> {
    let (post, _) = state
        .db
        .run(move |c| post_q::find_post(c, id)?.ok_or(AppError::NotFound))
        .await?;
    check_post(&caller.principal, PostAction::Update, post.facts()).map_err(|d| caller.deny(d))?;
    let tags = post.tag_list();
    Ok((post, tags))
}

/// The form again with the rendered body beside it; nothing is written.
fn preview(
    caller: &Caller,
    session: &Session,
    post: Option<(&Post, &[String])>,
    form: &EditForm,
    buttons: Buttons,
) -> Result<HttpResponse, PageError> {
    let post = post.map(|(p, _)| p);
    let mut page = EditPage::new(caller, session, post, form.fields(), buttons);
    page.preview = Some(crate::blog::markdown::render(
        form.body.as_deref().unwrap_or_default(),
    ));
    render(&page)
}

/// The form again with what was typed and why it was refused (422 or 409).
fn invalid(
    caller: &Caller,
    session: &Session,
    post: Option<(&Post, &[String])>,
    form: &EditForm,
    buttons: Buttons,
    error: AppError,
) -> Result<HttpResponse, PageError> {
    let status = actix_web::ResponseError::status_code(&error);
    let post = post.map(|(p, _)| p);
    let mut page = EditPage::new(caller, session, post, form.fields(), buttons);
    page.error = Some(error.message());
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}
