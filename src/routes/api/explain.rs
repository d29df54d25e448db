//! `GET /api/authz/explain`: would this user be allowed, and why.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::principal::Caller;
use crate::authz::explain::{explain_comment, explain_permission, explain_post, Explanation};
use crate::authz::permission::is_valid_permission_name;
use crate::authz::{CommentAction, CommentFacts, PostAction, PostFacts};
use crate::db::queries::{facts, users as user_q};
use crate::error::AppError;
use crate::startup::State;

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
    /// The comment, for `comment:update` and `comment:delete`.
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
}

fn target(q: &ExplainQuery, catalog: &[String]) -> Result<Target, AppError> {
    let need = |id: Option<i64>, field: &str| {
        id.ok_or_else(|| AppError::field(field, format!("`{}` needs `{field}`", q.action)))
    };
    if let Some(action) = PostAction::parse(&q.action) {
        return Ok(Target::Post(action, need(q.post, "post")?));
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

/// roles:read. Explains for the user's current roles, as a session would see them.
#[utoipa::path(
    tag = "authz",
    params(ExplainQuery),
    security(("oauth2" = ["roles:read"])),
    responses(
        (status = 200, description = "The decision and its reasons", body = ExplanationView),
        (status = 404, description = "No such post or comment"),
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
    let view = state
        .db
        .run(move |conn| {
            let user = user_q::find_user_by_username(conn, &q.user)?
                .ok_or_else(|| AppError::field("user", format!("no user named `{}`", q.user)))?;
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
            let explanation = match target {
                Target::Permission(perm) => explain_permission(&graph, &roles, &perm),
                Target::Post(action, id) => {
                    let (author_id, published) =
                        facts::find_post_facts(conn, id)?.ok_or(AppError::NotFound)?;
                    explain_post(
                        &graph,
                        &roles,
                        user.id,
                        action,
                        PostFacts {
                            author_id,
                            published,
                        },
                    )
                }
                Target::Comment(action, id) => {
                    let (author_id, post_author, published) =
                        facts::find_comment_facts(conn, id)?.ok_or(AppError::NotFound)?;
                    let post = PostFacts {
                        author_id: post_author,
                        published,
                    };
                    explain_comment(
                        &graph,
                        &roles,
                        user.id,
                        action,
                        CommentFacts { author_id, post },
                    )
                }
            };
            Ok(ExplanationView::from(explanation))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
