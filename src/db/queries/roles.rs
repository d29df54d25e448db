use std::collections::HashMap;

use diesel::prelude::*;

use crate::authz::roles::RoleDef;
use crate::db::models::{NewRole, Permission, Role};
use crate::db::schema::{permissions, role_parents, role_permissions, roles, user_roles};
use crate::db::{now, DbConn};

/// The permission catalog, by name.
pub fn list_permissions(conn: &mut DbConn) -> QueryResult<Vec<Permission>> {
    permissions::table
        .order(permissions::name)
        .select(Permission::as_select())
        .load(conn)
}

/// Inserts or updates one catalog entry; returns whether anything changed.
pub fn upsert_permission(conn: &mut DbConn, p: &Permission) -> QueryResult<bool> {
    let existing: Option<Permission> = permissions::table
        .find(&p.name)
        .select(Permission::as_select())
        .first(conn)
        .optional()?;
    match existing {
        Some(current) if current == *p => Ok(false),
        Some(_) => {
            diesel::update(permissions::table.find(&p.name))
                .set((
                    permissions::resource.eq(&p.resource),
                    permissions::action.eq(&p.action),
                    permissions::description.eq(&p.description),
                ))
                .execute(conn)?;
            Ok(true)
        }
        None => {
            diesel::insert_into(permissions::table)
                .values(p)
                .execute(conn)?;
            Ok(true)
        }
    }
}

pub fn count_roles(conn: &mut DbConn) -> QueryResult<i64> {
    roles::table.count().get_result(conn)
}

pub fn find_role_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<Role>> {
    roles::table
        .filter(roles::name.eq(name))
        .select(Role::as_select())
        .first(conn)
        .optional()
}

pub fn list_roles(conn: &mut DbConn) -> QueryResult<Vec<Role>> {
    roles::table
        .order(roles::name)
        .select(Role::as_select())
        .load(conn)
}

pub fn insert_role(
    conn: &mut DbConn,
    name: &str,
    description: &str,
    builtin: bool,
) -> QueryResult<Role> {
    let at = now();
    diesel::insert_into(roles::table)
        .values(&NewRole {
            name,
            description,
            builtin,
            created_at: at,
            updated_at: at,
        })
        .returning(roles::all_columns)
        .get_result(conn)
}

pub fn update_role_description(conn: &mut DbConn, id: i64, description: &str) -> QueryResult<()> {
    diesel::update(roles::table.find(id))
        .set((
            roles::description.eq(description),
            roles::updated_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A role's direct grants, sorted.
pub fn list_role_grants(conn: &mut DbConn, role_id: i64) -> QueryResult<Vec<String>> {
    role_permissions::table
        .filter(role_permissions::role_id.eq(role_id))
        .order(role_permissions::permission)
        .select(role_permissions::permission)
        .load(conn)
}

/// Replaces a role's direct grants.
pub fn set_role_grants(conn: &mut DbConn, role_id: i64, grants: &[String]) -> QueryResult<()> {
    diesel::delete(role_permissions::table.filter(role_permissions::role_id.eq(role_id)))
        .execute(conn)?;
    for grant in grants {
        diesel::insert_into(role_permissions::table)
            .values((
                role_permissions::role_id.eq(role_id),
                role_permissions::permission.eq(grant),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces a role's parents (by id).
pub fn set_role_parents(conn: &mut DbConn, role_id: i64, parent_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(role_parents::table.filter(role_parents::role_id.eq(role_id))).execute(conn)?;
    for parent in parent_ids {
        diesel::insert_into(role_parents::table)
            .values((
                role_parents::role_id.eq(role_id),
                role_parents::parent_id.eq(parent),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Every role with its direct grants and parents by name: the input of `authz::RoleGraph`.
pub fn load_role_defs(conn: &mut DbConn) -> QueryResult<Vec<RoleDef>> {
    let all: Vec<(i64, String)> = roles::table
        .order(roles::name)
        .select((roles::id, roles::name))
        .load(conn)?;
    let names: HashMap<i64, String> = all.iter().cloned().collect();
    let mut defs: HashMap<i64, RoleDef> = all
        .into_iter()
        .map(|(id, name)| {
            (
                id,
                RoleDef {
                    name,
                    grants: Vec::new(),
                    parents: Vec::new(),
                },
            )
        })
        .collect();
    let grants: Vec<(i64, String)> = role_permissions::table
        .order((role_permissions::role_id, role_permissions::permission))
        .select((role_permissions::role_id, role_permissions::permission))
        .load(conn)?;
    for (role_id, grant) in grants {
        if let Some(def) = defs.get_mut(&role_id) {
            def.grants.push(grant);
        }
    }
    let parents: Vec<(i64, i64)> = role_parents::table
        .order((role_parents::role_id, role_parents::parent_id))
        .select((role_parents::role_id, role_parents::parent_id))
        .load(conn)?;
    for (role_id, parent_id) in parents {
        if let (Some(def), Some(parent)) = (defs.get_mut(&role_id), names.get(&parent_id)) {
            def.parents.push(parent.clone());
        }
    }
    let mut out: Vec<RoleDef> = defs.into_values().collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// How many users hold the role directly (expired assignments included until revoked).
pub fn count_role_holders(conn: &mut DbConn, role_id: i64) -> QueryResult<i64> {
    user_roles::table
        .filter(user_roles::role_id.eq(role_id))
        .count()
        .get_result(conn)
}

/// Renames a role and/or changes its description.
pub fn update_role(
    conn: &mut DbConn,
    id: i64,
    name: Option<&str>,
    description: Option<&str>,
) -> QueryResult<Role> {
    diesel::update(roles::table.find(id))
        .set((
            name.map(|n| roles::name.eq(n)),
            description.map(|d| roles::description.eq(d)),
            roles::updated_at.eq(now()),
        ))
        .returning(roles::all_columns)
        .get_result(conn)
}

/// Names of the roles that list `role_id` as a parent, sorted.
pub fn list_child_roles(conn: &mut DbConn, role_id: i64) -> QueryResult<Vec<String>> {
    role_parents::table
        .inner_join(roles::table.on(roles::id.eq(role_parents::role_id)))
        .filter(role_parents::parent_id.eq(role_id))
        .order(roles::name)
        .select(roles::name)
        .load(conn)
}

/// Unexpired direct assignments per role id (roles nobody holds are absent).
pub fn count_active_holders(
    conn: &mut DbConn,
    at: chrono::NaiveDateTime,
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = user_roles::table
        .filter(
            user_roles::expires_at
                .is_null()
                .or(user_roles::expires_at.gt(at)),
        )
        .group_by(user_roles::role_id)
        .select((user_roles::role_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Deletes a role with its grants, its assignments and every inheritance link to or from
/// it. Explicit rather than left to `ON DELETE CASCADE`, which SQLite applies only when
/// `foreign_keys` is on.
pub fn delete_role(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::role_id.eq(id))).execute(conn)?;
    diesel::delete(
        role_parents::table.filter(
            role_parents::role_id
                .eq(id)
                .or(role_parents::parent_id.eq(id)),
        ),
    )
    .execute(conn)?;
    diesel::delete(role_permissions::table.filter(role_permissions::role_id.eq(id)))
        .execute(conn)?;
    diesel::delete(roles::table.find(id)).execute(conn)?;
    Ok(())
}
