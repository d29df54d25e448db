//! The reader's comment forms on `/p/{slug}`: add, edit and delete one's own (or, for
//! moderators, anyone's), through the same `manage::comments` operations as the API.
//! Each answers with a redirect back to the post and a flash message.

use actix_session::Session;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;

use crate::auth::principal::Caller;
use crate::auth::session::{check_csrf, flash};
use crate::authz::{CommentAction, PostAction};
use crate::db::queries::{comments as comment_q, posts as post_q};
use crate::domain::CommentText;
use crate::error::AppError;
use crate::manage;
use crate::routes::admin::{see_other, PageError};
use crate::state::State;

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    csrf: Option<String>,
    body: Option<String>,
}

fn signed_in(caller: &Caller, back: &str) -> Result<(), PageError> {
    if caller.is_anonymous() {
        return Err(PageError::Login {
            next: back.to_owned(),
        });
    }
    Ok(())
}

fn body_of(form: &CommentForm) -> Result<String, AppError> {
    CommentText::parse(form.body.as_deref().unwrap_or_default())
        .map(CommentText::into_inner)
        .map_err(|m| AppError::field("body", m))
}

/// Refusals a reader can cause by what they typed or by acting on a stale page come back
/// as a flash on the post; the rest are error pages.
fn answer(
    session: &Session,
    back: &str,
    result: Result<String, AppError>,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(done) => flash(session, "ok", done),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            flash(session, "error", format!("Not saved: {}", e.message()))
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(back))
}

#[post("/p/{slug}/comments")]
pub async fn create_comment_form(
    state: State,
    caller: Caller,
    session: Session,
    slug: web::Path<String>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner();
    let back = format!("/p/{slug}");
    signed_in(&caller, &back)?;
    check_csrf(&session, form.csrf.as_deref())?;
    caller.require_any(PostAction::Comment.requirement())?;
    let result = match body_of(&form) {
        Ok(body) => {
            let (principal, author_id) = (caller.principal.clone(), caller.user()?.id);
            state
                .db
                .run(move |conn| {
                    let (post, _) =
                        post_q::find_post_by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
                    manage::comments::create_comment(conn, &principal, author_id, post.id, body)
                })
                .await
                .and_then(|allowed| allowed.map_err(|d| caller.deny(d)))
                .map(|_| "Comment posted.".to_owned())
        }
        Err(e) => Err(e),
    };
    answer(&session, &back, result)
}

/// `POST /comments/{id}/{edit|delete}`, back to the comment's post.
#[post("/comments/{id}/{action}")]
pub async fn change_comment_form(
    state: State,
    caller: Caller,
    session: Session,
    path: web::Path<(i64, String)>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    let action = match action.as_str() {
        "edit" => CommentAction::Update,
        "delete" => CommentAction::Delete,
        _ => return Err(AppError::NotFound.into()),
    };
    signed_in(&caller, "/")?;
    check_csrf(&session, form.csrf.as_deref())?;
    caller.require_any(action.requirement())?;
    let slug = state
        .db
        .run(move |c| Ok(comment_q::find_comment(c, id)?.map(|(_, _, p)| p.slug)))
        .await?
        .ok_or(AppError::NotFound)?;
    let back = format!("/p/{slug}#comments");
    let (principal, actor) = (caller.principal.clone(), caller.actor());
    let result = match action {
        CommentAction::Update => match body_of(&form) {
            Ok(body) => state
                .db
                .run(move |c| manage::comments::update_comment(c, &principal, id, &body))
                .await
                .and_then(|allowed| allowed.map_err(|d| caller.deny(d)))
                .map(|_| "Comment updated.".to_owned()),
            Err(e) => Err(e),
        },
        CommentAction::Delete => state
            .db
            .run(move |c| manage::comments::delete_comment(c, &principal, &actor, id))
            .await
            .and_then(|allowed| allowed.map_err(|d| caller.deny(d)))
            .map(|_| "Comment deleted.".to_owned()),
    };
    answer(&session, &back, result)
}
