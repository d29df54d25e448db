//! `GET /api/authz/explain`: would this user be allowed, and why.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::principal::Caller;
use crate::authz::explain::{explain_comment, explain_permission, explain_post, Explanation};
use crate::authz::permission::is_valid_permission_name;
use crate::authz::{
    can_post, can_read_post, CommentAction, CommentFacts, PostAction, PostFacts, Principal,
};
use crate::db::queries::{facts, users as user_q};
use crate::error::AppError;
use crate::state::State;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExplainQuery {
    /// Username to explain for.
    user: String,
    /// A policy action (`post:read`, `post:update`, `post:publish`, `post:unpublish`,
    /// `post:delete`, `post:comment`, `comment:read`, `comment:update`, `comment:delete`)
    /// or a permission name.
    action: String,
    /// The post, for post actions and `comment:read`.
    post: Option<i64>,
    /// The comment, for `comment:read`, `comment:update` and `comment:delete` (enough on
    /// its own; with `post` too, it must be a comment on that post).
    comment: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ViaView {
    role: String,
    grant: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExplanationView {
    allowed: bool,
    reason: String,
    via: Vec<ViaView>,
    ownership: bool,
}

impl From<Explanation> for ExplanationView {
    fn from(e: Explanation) -> Self {
        Self {
            allowed: e.allowed,
            reason: e.reason,
            via: e
                .via
                .into_iter()
                .map(|v| ViaView {
                    role: v.role,
                    grant: v.grant,
                })
                .collect(),
            ownership: e.ownership,
        }
    }
}

enum Target {
    Permission(String),
    Post(PostAction, i64),
    Comment(CommentAction, i64),
    /// `comment:read` asked about one comment (its post's comments), maybe with its post.
    CommentRead(i64, Option<i64>),
}

fn target(q: &ExplainQuery, catalog: &[String]) -> Result<Target, AppError> {
    let need = |id: Option<i64>, field: &str| {
        id.ok_or_else(|| AppError::field(field, format!("`{}` needs `{field}`", q.action)))
    };
    if let Some(action) = PostAction::parse(&q.action) {
        // SPEC H11: `comment=ID` alone is enough for the comment actions.
        if let (PostAction::ReadComments, Some(comment)) = (action, q.comment) {
            return Ok(Target::CommentRead(comment, q.post));
        }
        let post = q.post.ok_or_else(|| {
            let also = if action == PostAction::ReadComments {
                " (or `comment`)"
            } else {
                ""
            };
            AppError::field("post", format!("`{}` needs `post`{also}", q.action))
        })?;
        return Ok(Target::Post(action, post));
    }
    if let Some(action) = CommentAction::parse(&q.action) {
        return Ok(Target::Comment(action, need(q.comment, "comment")?));
    }
    if is_valid_permission_name(&q.action) && catalog.contains(&q.action) {
        return Ok(Target::Permission(q.action.clone()));
    }
    Err(AppError::field(
        "action",
        "must be a policy action (e.g. post:update) or a permission of the catalog",
    ))
}

/// What the explanation is about, once the caller is known to be allowed to read it.
enum Facts {
    None,
    Post(PostFacts),
    Comment(CommentFacts),
}

/// The facts of the target, or 404 for a post or comment that does not exist or that the
/// *caller* may not read (SPEC H11): explaining must not reveal what reading would not.
fn readable_facts(
    conn: &mut crate::db::DbConn,
    caller: &Principal,
    target: &Target,
) -> Result<Facts, AppError> {
    let comment = |conn: &mut crate::db::DbConn, id: i64, on_post: Option<i64>| {
        let row = facts::find_comment_facts(conn, id)?
            .filter(|r| on_post.is_none_or(|p| p == r.post_id))
            .ok_or(AppError::NotFound)?;
        let post = PostFacts {
            author_id: row.post_author_id,
            status: row.post_status,
        };
        if !can_post(caller, PostAction::ReadComments, post) {
            return Err(AppError::NotFound);
        }
        Ok(CommentFacts {
            author_id: row.author_id,
            post,
        })
    };
    match *target {
        Target::Permission(_) => Ok(Facts::None),
        Target::Post(_, id) => {
            let (author_id, status) =
                facts::find_post_facts(conn, id)?.ok_or(AppError::NotFound)?;
            let post = PostFacts { author_id, status };
            if !can_read_post(caller, post) {
                return Err(AppError::NotFound);
            }
            Ok(Facts::Post(post))
        }
        Target::Comment(_, id) => comment(conn, id, None).map(Facts::Comment),
        Target::CommentRead(id, on_post) => comment(conn, id, on_post).map(Facts::Comment),
    }
}

/// roles:read. Explains for the user's current roles, as a session would see them, about
/// what the caller may read.
#[utoipa::path(
    tag = "authz",
    params(ExplainQuery),
    security(("oauth2" = ["roles:read"])),
    responses(
        (status = 200, description = "The decision and its reasons", body = ExplanationView),
        (status = 404, description = "No such post or comment, or one the caller may not read"),
        (status = 422, description = "Unknown user or action"),
    )
)]
#[get("/authz/explain")]
pub async fn explain(
    state: State,
    caller: Caller,
    q: web::Query<ExplainQuery>,
) -> Result<HttpResponse, AppError> {
    caller.require_any(&["roles:read"])?;
    let q = q.into_inner();
    let target = target(&q, &caller.snapshot.catalog)?;
    let graph = caller.snapshot.graph.clone();
    let principal = caller.principal.clone();
    let view = state
        .db
        .run(move |conn| {
            let user = user_q::find_user_by_username(conn, &q.user)?
                .ok_or_else(|| AppError::field("user", format!("no user named `{}`", q.user)))?;
            let facts = readable_facts(conn, &principal, &target)?;
            if user.disabled {
                return Ok(ExplanationView {
                    allowed: false,
                    reason: "denied: the account is disabled".into(),
                    via: vec![],
                    ownership: false,
                });
            }
            let now = chrono::Utc::now().naive_utc();
            let roles: Vec<String> = user_q::list_assignments(conn, user.id)?
                .into_iter()
                .filter(|(_, exp)| exp.is_none_or(|e| e > now))
                .map(|(role, _)| role)
                .collect();
            let explanation = match (target, facts) {
                (Target::Permission(perm), _) => explain_permission(&graph, &roles, &perm),
                (Target::Post(action, _), Facts::Post(post)) => {
                    explain_post(&graph, &roles, user.id, action, post)
                }
                (Target::CommentRead(..), Facts::Comment(c)) => {
                    explain_post(&graph, &roles, user.id, PostAction::ReadComments, c.post)
                }
                (Target::Comment(action, _), Facts::Comment(c)) => {
                    explain_comment(&graph, &roles, user.id, action, c)
                }
                _ => return Err(anyhow::anyhow!("explain: facts do not match the target").into()),
            };
            Ok(ExplanationView::from(explanation))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
