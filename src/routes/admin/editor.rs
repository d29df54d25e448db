//! `/admin/posts/new` and `/admin/posts/{id}/edit`: one form per post whose buttons
//! (`action=save|preview|submit|publish|schedule|reject|unpublish|delete`) are shown only
//! where the policy's `can` flags allow, and whose POST goes through the same
//! `manage::posts` operations as the API.

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::editor_view::{Buttons, EditPage, Fields};
use super::{guard, render, see_other, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::{check_csrf, flash};
use crate::authz::{check_create_post, check_post, PostAction};
use crate::db::models::{Post, PostStatus};
use crate::db::queries::posts::{self as post_q, PostChanges};
use crate::domain::{PostText, Slug, Title};
use crate::error::AppError;
use crate::manage;
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
}

impl EditForm {
    fn check(&self) -> Result<Checked, AppError> {
        let title = Title::parse(self.title.as_deref().unwrap_or_default())
            .map_err(|m| AppError::field("title", m))?;
        let body = PostText::parse(self.body.as_deref().unwrap_or_default())
            .map_err(|m| AppError::field("body", m))?;
        let slug = match self.slug.as_deref().map(str::trim).unwrap_or_default() {
            "" => None,
            s => Some(Slug::parse(s).map_err(|m| AppError::field("slug", m))?),
        };
        let tags: Vec<&str> = self
            .tags
            .as_deref()
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|t| !t.is_empty())
            .collect();
        crate::blog::tags::parse_tags(&tags).map_err(|e| AppError::field("tags", e.to_string()))?;
        Ok(Checked {
            title: title.into_inner(),
            body: body.into_inner(),
            slug: slug.map(Slug::into_inner),
        })
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
    let post = load_editable(&state, &caller, id.into_inner()).await?;
    let buttons = Buttons::for_post(&caller.principal, &post);
    let fields = Fields::of_post(&post);
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
    Publish,
    Unpublish,
    Delete,
    /// `submit`, `schedule` or `reject`: the review workflow's operations (SPEC §10). Until
    /// `manage::posts` has them their buttons are never shown and pressing them is a 409.
    Workflow(&'static str),
}

impl Op {
    fn parse(action: Option<&str>) -> Result<Self, AppError> {
        Ok(match action.unwrap_or("save") {
            "save" => Self::Save,
            "preview" => Self::Preview,
            "publish" => Self::Publish,
            "unpublish" => Self::Unpublish,
            "delete" => Self::Delete,
            "submit" => Self::Workflow("submit"),
            "schedule" => Self::Workflow("schedule"),
            "reject" => Self::Workflow("reject"),
            _ => return Err(AppError::field("action", "unknown action")),
        })
    }

    /// The policy action the operation is checked as.
    fn post_action(self) -> PostAction {
        match self {
            Self::Save | Self::Preview | Self::Workflow("submit") => PostAction::Update,
            Self::Publish | Self::Workflow(_) => PostAction::Publish,
            Self::Unpublish => PostAction::Unpublish,
            Self::Delete => PostAction::Delete,
        }
    }

    fn done(self, id: i64) -> String {
        match self {
            Self::Save => "Saved.".into(),
            Self::Publish => "Published.".into(),
            Self::Unpublish => "Unpublished: the post is a draft again.".into(),
            Self::Delete => format!("Post {id} deleted."),
            Self::Preview | Self::Workflow(_) => "Done.".into(),
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
    let changes = match op {
        Op::Preview | Op::Save => {
            let checked = form.check();
            if op == Op::Preview || checked.is_err() {
                let post = load_editable(&state, &caller, id).await?;
                let buttons = Buttons::for_post(&caller.principal, &post);
                return match checked {
                    Err(e) if op == Op::Save => {
                        invalid(&caller, &session, Some(&post), &form, buttons, e)
                    }
                    _ => preview(&caller, &session, Some(&post), &form, buttons),
                };
            }
            checked.ok().map(|c| PostChanges {
                title: Some(c.title),
                body: Some(c.body),
                slug: c.slug,
                ..Default::default()
            })
        }
        Op::Publish => Some(manage::posts::publishing()),
        Op::Unpublish => Some(manage::posts::unpublishing()),
        Op::Delete => None,
        Op::Workflow(name) => {
            return Err(AppError::Conflict(format!("{name} is not available yet")).into())
        }
    };
    let result = apply(&state, &caller, id, op.post_action(), changes).await;
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
) -> Result<(), AppError> {
    let (principal, actor) = (caller.principal.clone(), caller.actor());
    state
        .db
        .run(move |conn| match changes {
            None => manage::posts::delete_post(conn, &principal, &actor, id),
            Some(changes) => {
                manage::posts::change_post(conn, &principal, &actor, id, action, changes)
                    .map(|allowed| allowed.map(|_| ()))
            }
        })
        .await
        .and_then(|allowed| allowed.map_err(|d| caller.deny(d)))
}

/// The post `id` if the caller may read it (else 404) and update it (else 403).
async fn load_editable(state: &State, caller: &Caller, id: i64) -> Result<Post, PageError> {
    let (post, _) = state
        .db
        .run(move |c| post_q::find_post(c, id)?.ok_or(AppError::NotFound))
        .await?;
    check_post(&caller.principal, PostAction::Update, post.facts()).map_err(|d| caller.deny(d))?;
    Ok(post)
}

/// The form again with the rendered body beside it; nothing is written.
fn preview(
    caller: &Caller,
    session: &Session,
    post: Option<&Post>,
    form: &EditForm,
    buttons: Buttons,
) -> Result<HttpResponse, PageError> {
    let mut page = EditPage::new(caller, session, post, Fields::of_form(form), buttons);
    page.preview = Some(crate::blog::markdown::render(
        form.body.as_deref().unwrap_or_default(),
    ));
    render(&page)
}

/// The form again with what was typed and why it was refused (422 or 409).
fn invalid(
    caller: &Caller,
    session: &Session,
    post: Option<&Post>,
    form: &EditForm,
    buttons: Buttons,
    error: AppError,
) -> Result<HttpResponse, PageError> {
    let status = actix_web::ResponseError::status_code(&error);
    let mut page = EditPage::new(caller, session, post, Fields::of_form(form), buttons);
    page.error = Some(error.message());
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}
