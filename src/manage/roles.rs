//! Role definitions (create, edit, delete) with their guard rails (SPEC §3): valid names and
//! grants, known parents, no inheritance cycle, no privilege escalation, built-ins kept, a
//! held or inherited role deleted only when forced, and never leaving nobody holding `*`.

use std::collections::HashMap;

use super::audit::{record, Outcome};
use super::users::{ensure_star_holder_remains, star_holders};
use super::Actor;
use crate::authz::permission::{is_valid_grant, matches_catalog, CATALOG_NAMES};
use crate::authz::roles::{is_non_deletable, is_valid_role_name, RoleDef, RoleGraph};
use crate::db::models::Role;
use crate::db::queries::{roles as role_q, settings, users as user_q};
use crate::db::{now, write_tx, DbConn};
use crate::error::{AppError, FieldErrors};

/// Longest description kept, in characters.
const MAX_DESCRIPTION: usize = 500;

/// How many holders or heirs a refusal names before summing up the rest.
const NAMED_LINKS: usize = 10;

/// A new role as requested.
#[derive(Debug, Default)]
pub struct NewRoleSpec {
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
    pub inherits: Vec<String>,
}

/// Changes to a role; `None` leaves a field alone.
#[derive(Debug, Default)]
pub struct RoleEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub inherits: Option<Vec<String>>,
}

/// The permission names grants are checked against: the stored catalog (a policy file may
/// extend it), or the built-in one before anything is seeded.
pub fn catalog(conn: &mut DbConn) -> Result<Vec<String>, AppError> {
    let stored: Vec<String> = role_q::list_permissions(conn)?
        .into_iter()
        .map(|p| p.name)
        .collect();
    Ok(if stored.is_empty() {
        CATALOG_NAMES.iter().map(|n| (*n).to_owned()).collect()
    } else {
        stored
    })
}

/// Creates a role. Errors: 422 naming each bad field, 409 for a taken name, 403 when the
/// role's effective permissions reach beyond the actor's.
pub fn create_role(conn: &mut DbConn, actor: &Actor, spec: NewRoleSpec) -> Result<Role, AppError> {
    write_tx(conn, |conn| {
        let defs = role_q::load_role_defs(conn)?;
        let mut errors = FieldErrors::new();
        check_name(&spec.name, &mut errors);
        check_description(&spec.description, &mut errors);
        let grants = check_grants(conn, &spec.permissions, &mut errors)?;
        let parents = check_parents(&defs, &spec.inherits, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        if defs.iter().any(|d| d.name == spec.name) {
            return Err(AppError::Conflict(format!(
                "a role named `{}` already exists",
                spec.name
            )));
        }
        let def = RoleDef::new(&spec.name, &grants, &parents);
        let graph = RoleGraph::new(defs.into_iter().chain([def.clone()]));
        check_acyclic(&graph, &def)?;
        let subject = format!("role `{}`", def.name);
        actor.ensure_covers(&subject, &graph.effective(&def.name), &catalog(conn)?)?;
        let role = role_q::insert_role(conn, &spec.name, &spec.description, false)?;
        role_q::set_role_grants(conn, role.id, &grants)?;
        let ids = parent_ids(conn, &parents)?;
        role_q::set_role_parents(conn, role.id, &ids)?;
        let detail = format!(
            "permissions: [{}]; inherits: [{}]",
            grants.join(", "),
            parents.join(", ")
        );
        record(
            conn,
            actor,
            "role.create",
            &role.name,
            Outcome::Success,
            &detail,
        )?;
        settings::bump_generation(conn)?;
        Ok(role)
    })
}

/// Edits a role. Besides the rules of [`create_role`]: the actor must cover the role both
/// before and after the edit (nobody reshapes a role beyond their own reach), built-in roles
/// keep their names, and no edit may leave nobody active holding `*`.
pub fn update_role(
    conn: &mut DbConn,
    actor: &Actor,
    name: &str,
    edit: RoleEdit,
) -> Result<Role, AppError> {
    write_tx(conn, |conn| {
        let role = role_q::find_role_by_name(conn, name)?.ok_or(AppError::NotFound)?;
        let defs = role_q::load_role_defs(conn)?;
        let before_graph = RoleGraph::new(defs.clone());
        let subject = format!("role `{name}`");
        actor.ensure_covers(&subject, &before_graph.effective(name), &catalog(conn)?)?;
        let current = before_graph.get(name).cloned().ok_or(AppError::NotFound)?;

        let new_name = edit.name.filter(|n| n != name);
        let mut errors = FieldErrors::new();
        if let Some(new_name) = &new_name {
            check_name(new_name, &mut errors);
        }
        if let Some(description) = &edit.description {
            check_description(description, &mut errors);
        }
        let grants = match &edit.permissions {
            Some(raw) => check_grants(conn, raw, &mut errors)?,
            None => current.grants.clone(),
        };
        let parents = match &edit.inherits {
            Some(raw) => check_parents(&defs, raw, &mut errors),
            None => current.parents.clone(),
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        if let Some(new_name) = &new_name {
            if role.builtin {
                return Err(AppError::Conflict(format!(
                    "the built-in role `{name}` cannot be renamed"
                )));
            }
            if defs.iter().any(|d| &d.name == new_name) {
                return Err(AppError::Conflict(format!(
                    "a role named `{new_name}` already exists"
                )));
            }
        }

        let final_name = new_name.clone().unwrap_or_else(|| name.to_owned());
        let def = RoleDef::new(&final_name, &grants, &parents);
        let graph = RoleGraph::new(defs.into_iter().map(|d| renamed(d, name, &def)));
        check_acyclic(&graph, &def)?;
        let subject = format!("role `{final_name}`");
        actor.ensure_covers(&subject, &graph.effective(&final_name), &catalog(conn)?)?;

        let before = star_holders(conn, &before_graph)?;
        let role = role_q::update_role(
            conn,
            role.id,
            new_name.as_deref(),
            edit.description.as_deref(),
        )?;
        if edit.permissions.is_some() {
            role_q::set_role_grants(conn, role.id, &grants)?;
        }
        if edit.inherits.is_some() {
            let ids = parent_ids(conn, &parents)?;
            role_q::set_role_parents(conn, role.id, &ids)?;
        }
        let after = RoleGraph::new(role_q::load_role_defs(conn)?);
        ensure_star_holder_remains(conn, &after, &before)?;

        let mut detail = Vec::new();
        if let Some(new_name) = &new_name {
            detail.push(format!("renamed from `{name}` to `{new_name}`"));
        }
        if edit.description.is_some() {
            detail.push("description".to_owned());
        }
        if edit.permissions.is_some() {
            detail.push(format!("permissions: [{}]", grants.join(", ")));
        }
        if edit.inherits.is_some() {
            detail.push(format!("inherits: [{}]", parents.join(", ")));
        }
        let detail = detail.join("; ");
        record(
            conn,
            actor,
            "role.update",
            &role.name,
            Outcome::Success,
            &detail,
        )?;
        settings::bump_generation(conn)?;
        Ok(role)
    })
}

/// Deletes a role. `anonymous` and `admin` are never deleted (409). A role that users hold
/// or other roles inherit from is deleted only with `force`, which removes those links in
/// the same transaction; otherwise 409 names them.
pub fn delete_role(
    conn: &mut DbConn,
    actor: &Actor,
    name: &str,
    force: bool,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        let role = role_q::find_role_by_name(conn, name)?.ok_or(AppError::NotFound)?;
        if is_non_deletable(name) {
            return Err(AppError::Conflict(format!(
                "the built-in role `{name}` cannot be deleted (it can be edited)"
            )));
        }
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        let subject = format!("role `{name}`");
        actor.ensure_covers(&subject, &graph.effective(name), &catalog(conn)?)?;
        let holders = user_q::list_role_holders(conn, role.id, now())?;
        let heirs = role_q::list_child_roles(conn, role.id)?;
        let links = describe_links(&holders, &heirs);
        if !force && !links.is_empty() {
            return Err(AppError::Conflict(format!(
                "role `{name}` is {links}; delete it with ?force=true to remove these links too"
            )));
        }
        let before = star_holders(conn, &graph)?;
        role_q::delete_role(conn, role.id)?;
        let after = RoleGraph::new(role_q::load_role_defs(conn)?);
        ensure_star_holder_remains(conn, &after, &before)?;
        let detail = if links.is_empty() {
            String::new()
        } else {
            format!("forced; it was {links}")
        };
        record(conn, actor, "role.delete", name, Outcome::Success, &detail)?;
        settings::bump_generation(conn)?;
        Ok(())
    })
}

fn check_name(name: &str, errors: &mut FieldErrors) {
    if !is_valid_role_name(name) {
        errors.insert(
            "name".into(),
            vec!["must be 1 to 64 of a-z, 0-9, `_` and `-`, starting with a letter".into()],
        );
    }
}

fn check_description(description: &str, errors: &mut FieldErrors) {
    if description.chars().count() > MAX_DESCRIPTION {
        errors.insert(
            "description".into(),
            vec![format!("must be at most {MAX_DESCRIPTION} characters")],
        );
    } else if let Err(message) = crate::domain::check_controls("description", description) {
        errors.insert("description".into(), vec![message]);
    }
}

/// Each grant must be a permission or wildcard matching something in the catalog; every
/// bad one is named. Returns the grants sorted, without duplicates.
fn check_grants(
    conn: &mut DbConn,
    raw: &[String],
    errors: &mut FieldErrors,
) -> Result<Vec<String>, AppError> {
    let catalog = catalog(conn)?;
    let catalog: Vec<&str> = catalog.iter().map(String::as_str).collect();
    let mut bad = Vec::new();
    for grant in raw {
        if !is_valid_grant(grant) {
            bad.push(format!(
                "`{}` is not a permission name or wildcard",
                shown(grant)
            ));
        } else if !matches_catalog(grant, &catalog) {
            bad.push(format!("unknown permission `{}`", shown(grant)));
        }
    }
    if !bad.is_empty() {
        errors.insert("permissions".into(), bad);
    }
    let mut grants = raw.to_vec();
    grants.sort();
    grants.dedup();
    Ok(grants)
}

/// Every parent must be an existing role. Returns them sorted, without duplicates.
fn check_parents(defs: &[RoleDef], raw: &[String], errors: &mut FieldErrors) -> Vec<String> {
    let unknown: Vec<String> = raw
        .iter()
        .filter(|p| !defs.iter().any(|d| &d.name == *p))
        .map(|p| format!("unknown role `{}`", shown(p)))
        .collect();
    if !unknown.is_empty() {
        errors.insert("inherits".into(), unknown);
    }
    let mut parents = raw.to_vec();
    parents.sort();
    parents.dedup();
    parents
}

fn check_acyclic(graph: &RoleGraph, def: &RoleDef) -> Result<(), AppError> {
    match graph.would_cycle(&def.name, &def.parents) {
        None => Ok(()),
        Some(cycle) => Err(AppError::field(
            "inherits",
            format!("inheritance cycle: {} -> {}", cycle.join(" -> "), def.name),
        )),
    }
}

/// `def` in place of the role called `old`, with references to `old` following a rename.
fn renamed(d: RoleDef, old: &str, def: &RoleDef) -> RoleDef {
    if d.name == old {
        return def.clone();
    }
    RoleDef {
        parents: d
            .parents
            .into_iter()
            .map(|p| if p == old { def.name.clone() } else { p })
            .collect(),
        ..d
    }
}

fn parent_ids(conn: &mut DbConn, parents: &[String]) -> Result<Vec<i64>, AppError> {
    let ids: HashMap<String, i64> = role_q::list_roles(conn)?
        .into_iter()
        .map(|r| (r.name, r.id))
        .collect();
    parents
        .iter()
        .map(|p| ids.get(p).copied().ok_or(AppError::NotFound))
        .collect()
}

/// "held by alice, bob and inherited by editor", or empty when nothing links to the role.
fn describe_links(holders: &[String], heirs: &[String]) -> String {
    let list = |names: &[String]| {
        let mut shown: Vec<&str> = names.iter().take(NAMED_LINKS).map(String::as_str).collect();
        let more = names.len().saturating_sub(NAMED_LINKS);
        let more = format!("{more} more");
        if names.len() > NAMED_LINKS {
            shown.push(&more);
        }
        shown.join(", ")
    };
    let mut parts = Vec::new();
    if !holders.is_empty() {
        parts.push(format!("held by {}", list(holders)));
    }
    if !heirs.is_empty() {
        parts.push(format!("inherited by {}", list(heirs)));
    }
    parts.join(" and ")
}

/// User input echoed in a message, cut to a readable length.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
