//! `/admin/roles` and `/admin/roles/{name}`: list, create, edit (description, permission
//! checkboxes grouped by resource, parents), effective permissions with inherited ones
//! marked, holders, delete with confirmation. Changes go through `manage::roles`, the same
//! guarded, audited operations as the API.

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;

use super::{guard, render, see_other, Layout, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::{check_csrf, flash};
use crate::authz::CATALOG;
use crate::db::queries::{roles as role_q, users as user_q};
use crate::error::AppError;
use crate::manage::roles::{self as manage_roles, NewRoleSpec, RoleEdit};
use crate::routes::api::views::RoleView;
use crate::state::State;

pub struct Check {
    pub name: String,
    pub description: String,
    pub checked: bool,
    /// Only what the caller holds can be granted (no privilege escalation).
    pub enabled: bool,
}

pub struct CheckGroup {
    pub resource: String,
    pub permissions: Vec<Check>,
}

/// The catalog as `&str`s, for the authz functions.
pub(super) fn catalog_refs(caller: &Caller) -> Vec<&str> {
    caller.snapshot.catalog.iter().map(String::as_str).collect()
}

/// Permission checkboxes grouped by resource; direct wildcard grants get their own group
/// so that saving the form keeps them.
fn check_groups(caller: &Caller, catalog: &[String], direct: &[String]) -> Vec<CheckGroup> {
    let mut groups: Vec<CheckGroup> = Vec::new();
    // Only what the caller could grant is enabled: the rule the change itself applies.
    let refs = catalog_refs(caller);
    let grantable = |g: &str| caller.principal.covers_in_catalog(g, &refs);
    let wildcards: Vec<&String> = direct.iter().filter(|g| g.ends_with('*')).collect();
    if !wildcards.is_empty() {
        groups.push(CheckGroup {
            resource: "wildcards".into(),
            permissions: wildcards
                .into_iter()
                .map(|g| Check {
                    name: g.clone(),
                    description: "every matching permission".into(),
                    checked: true,
                    enabled: grantable(g),
                })
                .collect(),
        });
    }
    for name in catalog {
        let resource = name.split(':').next().unwrap_or(name).to_owned();
        let check = Check {
            name: name.clone(),
            description: CATALOG
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, d)| *d)
                .to_owned(),
            checked: direct.contains(name),
            enabled: grantable(name),
        };
        match groups.iter_mut().find(|g| g.resource == resource) {
            Some(g) => g.permissions.push(check),
            None => groups.push(CheckGroup {
                resource,
                permissions: vec![check],
            }),
        }
    }
    groups
}

#[derive(Template)]
#[template(path = "admin/roles.html")]
struct RolesPage {
    layout: Layout,
    roles: Vec<RoleView>,
    can_manage: bool,
    groups: Vec<CheckGroup>,
}

#[get("/roles")]
pub async fn roles_page(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["roles:read"])?;
    let roles = state.db.run(RoleView::load_all).await?;
    render(&RolesPage {
        layout: Layout::new("Roles", &caller, &session),
        roles,
        can_manage: caller.principal.has("roles:manage"),
        groups: check_groups(&caller, &caller.snapshot.catalog, &[]),
    })
}

/// The role form: repeated `permission` and `inherits` fields.
struct RoleForm {
    csrf: Option<String>,
    name: Option<String>,
    description: String,
    permissions: Vec<String>,
    inherits: Vec<String>,
    confirm: bool,
}

fn role_form(fields: Vec<(String, String)>) -> RoleForm {
    let mut form = RoleForm {
        csrf: None,
        name: None,
        description: String::new(),
        permissions: Vec::new(),
        inherits: Vec::new(),
        confirm: false,
    };
    for (k, v) in fields {
        match k.as_str() {
            "csrf" => form.csrf = Some(v),
            "name" => form.name = Some(v.trim().to_owned()),
            "description" => form.description = v,
            "permission" => form.permissions.push(v),
            "inherits" => form.inherits.push(v),
            "confirm" => form.confirm = v == "yes",
            _ => {}
        }
    }
    form
}

/// The result of a form action as a flash message; guard-rail refusals are shown, not raised.
pub(super) fn flash_outcome<T>(
    session: &Session,
    result: Result<T, AppError>,
    ok: String,
) -> Result<bool, PageError> {
    match result {
        Ok(_) => {
            flash(session, "ok", ok);
            Ok(true)
        }
        Err(AppError::Validation(fields)) => {
            let text = fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.join("; ")))
                .collect::<Vec<_>>()
                .join(" · ");
            flash(session, "error", text);
            Ok(false)
        }
        Err(
            e @ (AppError::Forbidden { .. }
            | AppError::Conflict(_)
            | AppError::InsufficientScope { .. }),
        ) => {
            flash(session, "error", e.message());
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/roles")]
pub async fn create_role_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = role_form(fields.into_inner());
    check_csrf(&session, form.csrf.as_deref())?;
    guard(&caller, &req, &["roles:manage"])?;
    let name = form.name.clone().unwrap_or_default();
    let actor = caller.actor();
    let spec = NewRoleSpec {
        name: name.clone(),
        description: form.description,
        permissions: form.permissions,
        inherits: form.inherits,
    };
    let result = state
        .db
        .run(move |conn| manage_roles::create_role(conn, &actor, spec))
        .await;
    if flash_outcome(&session, result, format!("Role {name} created."))? {
        Ok(see_other(&format!("/admin/roles/{name}")))
    } else {
        Ok(see_other("/admin/roles"))
    }
}

pub struct ParentCheck {
    pub name: String,
    pub checked: bool,
}

pub struct EffectiveLine {
    pub grant: String,
    pub from: String,
    pub inherited: bool,
}

#[derive(Template)]
#[template(path = "admin/role.html")]
struct RolePage {
    layout: Layout,
    name: String,
    description: String,
    builtin: bool,
    deletable: bool,
    can_manage: bool,
    groups: Vec<CheckGroup>,
    parents: Vec<ParentCheck>,
    effective: Vec<EffectiveLine>,
    holders: Vec<String>,
}

#[get("/roles/{name}")]
pub async fn role_page(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    name: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["roles:read"])?;
    let name = name.into_inner();
    let wanted = name.clone();
    let (view, holders, all) = state
        .db
        .run(move |conn| {
            let view = RoleView::load(conn, &wanted)?;
            let role = role_q::find_role_by_name(conn, &wanted)?.ok_or(AppError::NotFound)?;
            let holders = user_q::list_role_holders(conn, role.id, crate::db::now())?;
            let all: Vec<String> = role_q::list_roles(conn)?
                .into_iter()
                .map(|r| r.name)
                .collect();
            Ok((view, holders, all))
        })
        .await?;
    let parents = all
        .into_iter()
        .filter(|r| *r != name)
        .map(|r| ParentCheck {
            checked: view.inherits.contains(&r),
            name: r,
        })
        .collect();
    let effective = view
        .effective_grants
        .iter()
        .map(|g| EffectiveLine {
            grant: g.grant.clone(),
            from: g.via.clone(),
            inherited: g.via != name,
        })
        .collect();
    render(&RolePage {
        layout: Layout::new(format!("Role {name}"), &caller, &session),
        groups: check_groups(&caller, &caller.snapshot.catalog, &view.permissions),
        deletable: !crate::authz::roles::is_non_deletable(&name),
        can_manage: caller.principal.has("roles:manage"),
        builtin: view.builtin,
        description: view.description,
        name,
        parents,
        effective,
        holders,
    })
}

#[post("/roles/{name}")]
pub async fn update_role_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    name: web::Path<String>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = role_form(fields.into_inner());
    check_csrf(&session, form.csrf.as_deref())?;
    guard(&caller, &req, &["roles:manage"])?;
    let name = name.into_inner();
    let actor = caller.actor();
    let edit = RoleEdit {
        name: None,
        description: Some(form.description),
        permissions: Some(form.permissions),
        inherits: Some(form.inherits),
    };
    let target = name.clone();
    let result = state
        .db
        .run(move |conn| manage_roles::update_role(conn, &actor, &target, edit))
        .await;
    flash_outcome(&session, result, format!("Role {name} saved."))?;
    Ok(see_other(&format!("/admin/roles/{name}")))
}

#[post("/roles/{name}/delete")]
pub async fn delete_role_form(
    state: State,
    caller: Caller,
    req: HttpRequest,
    session: Session,
    name: web::Path<String>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = role_form(fields.into_inner());
    check_csrf(&session, form.csrf.as_deref())?;
    guard(&caller, &req, &["roles:manage"])?;
    let name = name.into_inner();
    if !form.confirm {
        flash(
            &session,
            "error",
            "Tick the confirmation box to delete the role.",
        );
        return Ok(see_other(&format!("/admin/roles/{name}")));
    }
    let actor = caller.actor();
    let target = name.clone();
    // Confirmed on the page, which says how many users lose it: force removes the links.
    let result = state
        .db
        .run(move |conn| manage_roles::delete_role(conn, &actor, &target, true))
        .await;
    if flash_outcome(&session, result, format!("Role {name} deleted."))? {
        Ok(see_other("/admin/roles"))
    } else {
        Ok(see_other(&format!("/admin/roles/{name}")))
    }
}
