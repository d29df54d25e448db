//! `quire seed`: an idempotent, transactional upsert of a policy, plus optional demo data.

use crate::audit::{record, Outcome};
use crate::cli::policy::Policy;
use crate::db::models::Permission;
use crate::db::queries::{roles as role_q, settings};
use crate::db::DbConn;
use crate::error::AppError;
use crate::manage::guard::guarded_tx;
use crate::manage::Actor;

/// What a seed run changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub permissions_created: usize,
    pub permissions_updated: usize,
    pub roles_created: usize,
    pub roles_updated: usize,
}

impl SeedReport {
    pub fn changed(&self) -> bool {
        *self != Self::default()
    }
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.changed() {
            return write!(
                f,
                "nothing to change: the database already matches the policy"
            );
        }
        write!(
            f,
            "permissions: {} created, {} updated; roles: {} created, {} updated",
            self.permissions_created,
            self.permissions_updated,
            self.roles_created,
            self.roles_updated
        )
    }
}

/// Upserts `policy` in one transaction: the catalog, then every role's description,
/// grants and parents. A role the policy does not name is left alone. Any error rolls
/// everything back.
pub fn apply(conn: &mut DbConn, actor: &Actor, policy: &Policy) -> Result<SeedReport, AppError> {
    guarded_tx(conn, |conn| {
        let mut report = SeedReport::default();
        let existing: Vec<String> = role_q::list_permissions(conn)?
            .into_iter()
            .map(|p| p.name)
            .collect();
        for spec in &policy.permissions {
            let (resource, action) = spec.name.split_once(':').unwrap_or((&spec.name, ""));
            let row = Permission {
                name: spec.name.clone(),
                resource: resource.to_owned(),
                action: action.to_owned(),
                description: spec.description.clone(),
            };
            if role_q::upsert_permission(conn, &row)? {
                if existing.contains(&spec.name) {
                    report.permissions_updated += 1;
                } else {
                    report.permissions_created += 1;
                }
            }
        }

        let mut ids = Vec::new();
        for spec in &policy.roles {
            let (role, created) = match role_q::find_role_by_name(conn, &spec.name)? {
                Some(role) => (role, false),
                None => (
                    role_q::insert_role(conn, &spec.name, &spec.description, spec.builtin)?,
                    true,
                ),
            };
            let mut changed = created;
            if !created && role.description != spec.description {
                role_q::update_role_description(conn, role.id, &spec.description)?;
                changed = true;
            }
            let mut wanted = spec.grants.clone();
            wanted.sort();
            if role_q::list_role_grants(conn, role.id)? != wanted {
                role_q::set_role_grants(conn, role.id, &wanted)?;
                changed = true;
            }
            ids.push((role.id, created, changed));
        }
        let defs = role_q::load_role_defs(conn)?;
        for ((role_id, created, changed), spec) in ids.into_iter().zip(&policy.roles) {
            let current = defs
                .iter()
                .find(|d| d.name == spec.name)
                .map(|d| {
                    let mut p = d.parents.clone();
                    p.sort();
                    p
                })
                .unwrap_or_default();
            let mut wanted = spec.inherits.clone();
            wanted.sort();
            let mut changed = changed;
            if current != wanted {
                let mut parent_ids = Vec::new();
                for parent in &wanted {
                    let found = role_q::find_role_by_name(conn, parent)?.ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "role `{}` inherits unknown role `{parent}`",
                            spec.name
                        ))
                    })?;
                    parent_ids.push(found.id);
                }
                role_q::set_role_parents(conn, role_id, &parent_ids)?;
                changed = true;
            }
            if created {
                report.roles_created += 1;
            } else if changed {
                report.roles_updated += 1;
            }
        }

        let graph = crate::authz::roles::RoleGraph::new(role_q::load_role_defs(conn)?);
        if let Some(cycle) = graph.find_cycle() {
            return Err(AppError::BadRequest(format!(
                "inheritance cycle: {}",
                cycle.join(" -> ")
            )));
        }
        if report.changed() {
            record(
                conn,
                actor,
                "seed",
                "policy",
                Outcome::Success,
                &report.to_string(),
            )?;
            settings::bump_generation(conn)?;
        }
        Ok(report)
    })
}

/// Seeds the built-in policy only when the database has no roles yet (first start).
pub fn seed_if_empty(conn: &mut DbConn) -> Result<Option<SeedReport>, AppError> {
    if role_q::count_roles(conn)? > 0 {
        return Ok(None);
    }
    apply(conn, &Actor::cli(), &Policy::builtin()).map(Some)
}
