//! The checks and formatting helpers of role changes ([`super`]): names, descriptions,
//! grants, parents, cycles, and the messages that name what is wrong.

use std::collections::HashMap;

use crate::authz::permission::{check_in_catalog, NotInCatalog};
use crate::authz::roles::{is_valid_role_name, RoleDef, RoleGraph};
use crate::db::queries::roles as role_q;
use crate::db::DbConn;
use crate::error::{AppError, FieldErrors};
use crate::manage::guard::catalog;

/// Longest description kept, in characters.
const MAX_DESCRIPTION: usize = 500;

/// How many holders or heirs a refusal names before summing up the rest.
const NAMED_LINKS: usize = 10;

/// Do two lists hold the same names (in any order)?
pub(super) fn same_names(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

pub(super) fn check_name(name: &str, errors: &mut FieldErrors) {
    if !is_valid_role_name(name) {
        errors.insert(
            "name".into(),
            vec!["must be 1 to 64 of a-z, 0-9, `_` and `-`, starting with a letter".into()],
        );
    }
}

pub(super) fn check_description(description: &str, errors: &mut FieldErrors) {
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
pub(super) fn check_grants(
    conn: &mut DbConn,
    raw: &[String],
    errors: &mut FieldErrors,
) -> Result<Vec<String>, AppError> {
    let catalog = catalog(conn)?;
    let catalog: Vec<&str> = catalog.iter().map(String::as_str).collect();
    let mut bad = Vec::new();
    for grant in raw {
        match check_in_catalog(grant, &catalog) {
            Ok(()) => {}
            Err(NotInCatalog::Malformed) => bad.push(format!(
                "`{}` is not a permission name or wildcard",
                shown(grant)
            )),
            Err(NotInCatalog::Unknown) => {
                bad.push(format!("unknown permission `{}`", shown(grant)));
            }
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

/// A new name, or a new name for a role, must not be taken (409).
pub(super) fn check_name_free(defs: &[RoleDef], name: &str) -> Result<(), AppError> {
    if defs.iter().any(|d| d.name == name) {
        return Err(AppError::Conflict(format!(
            "a role named `{name}` already exists"
        )));
    }
    Ok(())
}

/// Every parent must be an existing role. Returns them sorted, without duplicates.
pub(super) fn check_parents(
    defs: &[RoleDef],
    raw: &[String],
    errors: &mut FieldErrors,
) -> Vec<String> {
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

pub(super) fn check_acyclic(graph: &RoleGraph, def: &RoleDef) -> Result<(), AppError> {
    match graph.would_cycle(&def.name, &def.parents) {
        None => Ok(()),
        Some(cycle) => Err(AppError::field(
            "inherits",
            format!("inheritance cycle: {} -> {}", cycle.join(" -> "), def.name),
        )),
    }
}

/// `def` in place of the role called `old`, with references to `old` following a rename.
pub(super) fn renamed(d: RoleDef, old: &str, def: &RoleDef) -> RoleDef {
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

pub(super) fn parent_ids(conn: &mut DbConn, parents: &[String]) -> Result<Vec<i64>, AppError> {
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
pub(super) fn describe_links(holders: &[String], heirs: &[String]) -> String {
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
pub(super) fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
