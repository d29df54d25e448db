//! `/admin`: who you are and what you may do.

use actix_session::Session;
use actix_web::{get, HttpRequest, HttpResponse};
use askama::Template;

use super::{render, Layout, PageError};
use crate::auth::principal::Caller;
use crate::authz::CATALOG;

pub struct PermissionLine {
    pub name: String,
    pub description: String,
}

pub struct Group {
    pub resource: String,
    pub permissions: Vec<PermissionLine>,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    layout: Layout,
    display_name: String,
    roles: Vec<String>,
    groups: Vec<Group>,
}

/// Effective permissions grouped by resource, with the catalog's descriptions.
pub fn grouped(names: &[String]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for name in names {
        let resource = name.split(':').next().unwrap_or(name).to_owned();
        let description = CATALOG
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, d)| *d)
            .to_owned();
        let line = PermissionLine {
            name: name.clone(),
            description,
        };
        match groups.iter_mut().find(|g| g.resource == resource) {
            Some(g) => g.permissions.push(line),
            None => groups.push(Group {
                resource,
                permissions: vec![line],
            }),
        }
    }
    groups
}

#[get("")]
pub async fn dashboard(
    caller: Caller,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, PageError> {
    if caller.is_anonymous() {
        return Err(PageError::Login {
            next: req.path().to_owned(),
        });
    }
    let user = caller.user()?.clone();
    render(&Dashboard {
        layout: Layout::new("Dashboard", &caller, &session),
        display_name: user.username.clone(),
        roles: user.roles.clone(),
        groups: grouped(&caller.effective()),
    })
}
