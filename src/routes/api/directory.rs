//! The reads that user and role views are shaped from ([`super::views`] only shapes): each
//! loads the rows and the role [`Directory`] in the handler's connection, then hands them
//! to the view.

use crate::db::queries::{roles as role_q, users as user_q};
use crate::db::DbConn;
use crate::error::AppError;
use crate::manage;
use crate::routes::api::views::{Directory, RoleView, UserView};

/// The role definitions and permission catalog every user or role view resolves against.
pub fn load_directory(conn: &mut DbConn) -> Result<Directory, AppError> {
    let defs = role_q::load_role_defs(conn)?;
    let catalog = manage::roles::catalog(conn)?;
    Ok(Directory::new(defs, catalog, crate::db::now()))
}

impl UserView {
    /// The view of `user`, with its assignments and the directory read.
    pub fn load(conn: &mut DbConn, user: crate::db::models::User) -> Result<Self, AppError> {
        let assignments = user_q::list_assignments(conn, user.id)?;
        Ok(load_directory(conn)?.user(user, assignments))
    }

    /// Views of several users with three queries in all.
    pub fn load_many(
        conn: &mut DbConn,
        users: Vec<crate::db::models::User>,
    ) -> Result<Vec<Self>, AppError> {
        let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let assignments = user_q::list_assignments_of(conn, &ids)?;
        Ok(load_directory(conn)?.users(users, assignments))
    }
}

impl RoleView {
    /// Every role, by name.
    pub fn load_all(conn: &mut DbConn) -> Result<Vec<Self>, AppError> {
        let counts = role_q::count_active_holders(conn, crate::db::now())?;
        let dir = load_directory(conn)?;
        Ok(role_q::list_roles(conn)?
            .into_iter()
            .map(|r| {
                let count = counts.get(&r.id).copied().unwrap_or(0);
                dir.role(r, count)
            })
            .collect())
    }

    /// Role `name`, or 404.
    pub fn load(conn: &mut DbConn, name: &str) -> Result<Self, AppError> {
        let role = role_q::find_role_by_name(conn, name)?.ok_or(AppError::NotFound)?;
        let count = role_q::count_active_holders(conn, crate::db::now())?
            .get(&role.id)
            .copied()
            .unwrap_or(0);
        Ok(load_directory(conn)?.role(role, count))
    }
}
