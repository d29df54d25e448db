//! Role definitions (create, edit, delete) with their guard rails (SPEC §3): valid names and
//! grants, known parents, no inheritance cycle, no privilege escalation, built-ins kept, a
//! held or inherited role deleted only when forced, never leaving nobody holding `*`, and
//! management rights added only by holders of `*` (SPEC H15).

mod checks;

use checks::{
    check_acyclic, check_description, check_grants, check_name, check_name_free, check_parents,
    describe_links, parent_ids, renamed, same_names,
};

use super::guard::{
    ensure_deletable, ensure_may_give, ensure_renamable, ensure_star_holder_remains,
    ensure_within_reach, guarded_tx, star_holders,
};
use super::Actor;
use crate::audit::{record, Outcome};
use crate::authz::roles::{RoleDef, RoleGraph};
use crate::authz::PermissionSet;
use crate::db::models::Role;
use crate::db::queries::{roles as role_q, settings, users as user_q};
use crate::db::{now, DbConn};
use crate::error::{AppError, FieldErrors};

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

/// Kept so `manage::roles::catalog` still resolves; the catalog belongs to the guard rails.
pub use super::guard::catalog;

/// Creates a role. Errors: 422 naming each bad field, 409 for a taken name, 403 when the
/// role's effective permissions reach beyond the actor's, or carry management rights the
/// actor may not hand out.
pub fn create_role(conn: &mut DbConn, actor: &Actor, spec: NewRoleSpec) -> Result<Role, AppError> {
    guarded_tx(conn, |conn| {
        let defs = role_q::load_role_defs(conn)?;
        let mut errors = FieldErrors::new();
        check_name(&spec.name, &mut errors);
        check_description(&spec.description, &mut errors);
        let grants = check_grants(conn, &spec.permissions, &mut errors)?;
        let parents = check_parents(&defs, &spec.inherits, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        check_name_free(&defs, &spec.name)?;
        let def = RoleDef::new(&spec.name, &grants, &parents);
        let graph = RoleGraph::new(defs.into_iter().chain([def.clone()]));
        check_acyclic(&graph, &def)?;
        let subject = format!("role `{}`", def.name);
        let effective = graph.effective(&def.name);
        ensure_may_give(conn, actor, &subject, &PermissionSet::new(), &effective)?;
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
/// keep their names, and no edit may leave nobody active holding `*`. Fields equal to what
/// is stored are no change; a change of the description alone does not bump the
/// generation (SPEC H14).
pub fn update_role(
    conn: &mut DbConn,
    actor: &Actor,
    name: &str,
    edit: RoleEdit,
) -> Result<Role, AppError> {
    guarded_tx(conn, |conn| {
        let role = role_q::find_role_by_name(conn, name)?.ok_or(AppError::NotFound)?;
        let defs = role_q::load_role_defs(conn)?;
        let before_graph = RoleGraph::new(defs.clone());
        let was = before_graph.effective(name);
        ensure_within_reach(conn, actor, &format!("role `{name}`"), &was)?;
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
            ensure_renamable(&role)?;
            check_name_free(&defs, new_name)?;
        }

        let final_name = new_name.clone().unwrap_or_else(|| name.to_owned());
        let def = RoleDef::new(&final_name, &grants, &parents);
        let graph = RoleGraph::new(defs.into_iter().map(|d| renamed(d, name, &def)));
        check_acyclic(&graph, &def)?;
        let subject = format!("role `{final_name}`");
        // Roles inheriting from this one gain exactly what it gains.
        ensure_may_give(conn, actor, &subject, &was, &graph.effective(&final_name))?;

        let grants_changed = edit.permissions.is_some() && !same_names(&grants, &current.grants);
        let parents_changed = edit.inherits.is_some() && !same_names(&parents, &current.parents);
        let description = edit.description.filter(|d| *d != role.description);
        if new_name.is_none() && description.is_none() && !grants_changed && !parents_changed {
            return Ok(role);
        }
        let before = star_holders(conn, &before_graph)?;
        let role = role_q::update_role(conn, role.id, new_name.as_deref(), description.as_deref())?;
        if grants_changed {
            role_q::set_role_grants(conn, role.id, &grants)?;
        }
        if parents_changed {
            let ids = parent_ids(conn, &parents)?;
            role_q::set_role_parents(conn, role.id, &ids)?;
        }
        let after = RoleGraph::new(role_q::load_role_defs(conn)?);
        ensure_star_holder_remains(conn, &after, &before)?;

        let mut detail = Vec::new();
        if let Some(new_name) = &new_name {
            detail.push(format!("renamed from `{name}` to `{new_name}`"));
        }
        if description.is_some() {
            detail.push("description".to_owned());
        }
        if grants_changed {
            detail.push(format!("permissions: [{}]", grants.join(", ")));
        }
        if parents_changed {
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
        // A rename changes the names cached users' roles are resolved by.
        if new_name.is_some() || grants_changed || parents_changed {
            settings::bump_generation(conn)?;
        }
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
    guarded_tx(conn, |conn| {
        let role = role_q::find_role_by_name(conn, name)?.ok_or(AppError::NotFound)?;
        ensure_deletable(name)?;
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        ensure_within_reach(
            conn,
            actor,
            &format!("role `{name}`"),
            &graph.effective(name),
        )?;
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
