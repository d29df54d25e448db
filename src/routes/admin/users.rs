//! `/admin/users` and `/admin/users/{id}`: search, roles, grant with optional expiry,
//! revoke, enable/disable, through the same guarded, audited `manage::users` operations as
//! the API.

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::roles::flash_outcome;
use super::{guard, render, see_other, urlencode, CsrfForm, Layout, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::check_csrf;
use crate::authz::management::first_beyond;
use crate::db::queries::{roles as role_q, users as user_q};
use crate::error::AppError;
use crate::manage;
use crate::routes::api::cursor;
use crate::routes::api::views::UserView;
use crate::state::State;

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub roles: Vec<String>,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    q: String,
    q_encoded: String,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    cursor: Option<String>,
}

#[get("/users")]
pub async fn users_page(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["users:read"])?;
    let q = query
        .q
        .clone()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let after_id = query
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| cursor::decode('u', c))
        .transpose()?;
    let limit = 50;
    let filter = user_q::UserFilter {
        q: q.clone(),
        after_id,
    };
    let views = state
        .db
        .run(move |conn| {
            let users = user_q::list_users(conn, &filter, limit)?;
            UserView::load_many(conn, users)
        })
        .await?;
    let next_cursor = cursor::next('u', views.len(), limit, views.last().map(|u| u.id));
    let users = views
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            email: u.email,
            roles: u.roles.into_iter().map(|r| r.name).collect(),
            disabled: u.disabled,
        })
        .collect();
    let q = q.unwrap_or_default();
    render(&UsersPage {
        layout: Layout::new("Users", &caller, &session),
        users,
        q_encoded: urlencode(&q),
        q,
        next_cursor,
    })
}

pub struct RoleLine {
    pub name: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    layout: Layout,
    id: i64,
    username: String,
    email: String,
    created_at: String,
    disabled: bool,
    roles: Vec<RoleLine>,
    permissions: Vec<String>,
    grantable: Vec<String>,
    can_grant: bool,
    can_manage: bool,
}

#[get("/users/{id}")]
pub async fn user_page(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["users:read"])?;
    let id = id.into_inner();
    let (view, all_roles) = state
        .db
        .run(move |conn| {
            let user = user_q::find_user(conn, id)?.ok_or(AppError::NotFound)?;
            let roles: Vec<String> = role_q::list_roles(conn)?
                .into_iter()
                .map(|r| r.name)
                .collect();
            Ok((UserView::load(conn, user)?, roles))
        })
        .await?;
    // Offer only roles the caller could grant (the ceiling rule the grant itself applies).
    let graph = &caller.snapshot.graph;
    let catalog = super::roles::catalog_refs(&caller);
    let grantable = all_roles
        .into_iter()
        .filter(|r| r != crate::authz::roles::ANONYMOUS_ROLE)
        .filter(|r| first_beyond(&caller.principal, &graph.effective(r), &catalog).is_none())
        .collect();
    render(&UserPage {
        layout: Layout::new(format!("User {}", view.username), &caller, &session),
        id: view.id,
        email: view.email,
        created_at: view.created_at,
        disabled: view.disabled,
        roles: view
            .roles
            .into_iter()
            .map(|r| RoleLine {
                name: r.name,
                expires: r.expires_at.unwrap_or_else(|| "never".into()),
            })
            .collect(),
        permissions: view.permissions,
        grantable,
        can_grant: caller.principal.has("roles:manage"),
        can_manage: caller.principal.has("users:manage"),
        username: view.username,
    })
}

#[derive(Debug, Deserialize)]
pub struct GrantForm {
    csrf: Option<String>,
    role: Option<String>,
    /// `datetime-local` (`2027-01-31T12:00`), read as UTC; empty means no expiry.
    expires_at: Option<String>,
}

fn parse_local(raw: &str) -> Result<chrono::NaiveDateTime, AppError> {
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            AppError::field(
                "expires_at",
                "must be a date and time like 2027-01-31T12:00",
            )
        })
}

#[post("/users/{id}/grant")]
pub async fn grant_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<GrantForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    check_csrf(&session, form.csrf.as_deref())?;
    guard(&caller, &req, &["roles:manage"])?;
    let id = id.into_inner();
    let role = form.role.unwrap_or_default();
    let expires = form
        .expires_at
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(parse_local)
        .transpose();
    let actor = caller.actor();
    let r = role.clone();
    let result = match expires {
        Ok(expires) => {
            state
                .db
                .run(move |conn| manage::users::grant_role(conn, &actor, id, &r, expires))
                .await
        }
        Err(e) => Err(e),
    };
    flash_outcome(&session, result, format!("Role {role} granted."))?;
    Ok(see_other(&format!("/admin/users/{id}")))
}

#[post("/users/{id}/revoke")]
pub async fn revoke_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<GrantForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    check_csrf(&session, form.csrf.as_deref())?;
    guard(&caller, &req, &["roles:manage"])?;
    let id = id.into_inner();
    let role = form.role.unwrap_or_default();
    let actor = caller.actor();
    let r = role.clone();
    let result = state
        .db
        .run(move |conn| manage::users::revoke_role(conn, &actor, id, &r))
        .await;
    flash_outcome(&session, result, format!("Role {role} revoked."))?;
    Ok(see_other(&format!("/admin/users/{id}")))
}

/// `POST /admin/users/{id}/{enable|disable}`.
#[post("/users/{id}/{action}")]
pub async fn account_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    path: web::Path<(i64, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, form.csrf.as_deref())?;
    guard(&caller, &req, &["users:manage"])?;
    let (id, action) = path.into_inner();
    let disabled = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(AppError::NotFound.into()),
    };
    let actor = caller.actor();
    let result = state
        .db
        .run(move |conn| manage::users::set_disabled(conn, &actor, id, disabled))
        .await;
    flash_outcome(&session, result, format!("Account {action}d."))?;
    Ok(see_other(&format!("/admin/users/{id}")))
}
