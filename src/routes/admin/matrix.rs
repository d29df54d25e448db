//! `/admin/matrix`: roles × permissions, direct grants vs inherited ones.

use actix_session::Session;
use actix_web::{get, HttpRequest, HttpResponse};
use askama::Template;

use super::{guard, render, Layout, PageError};
use crate::auth::principal::Caller;
use crate::authz::permission::matches;
use crate::authz::PermissionSet;

pub struct Cell {
    pub mark: &'static str,
    pub title: String,
}

/// One role's column: its own grants, its effective set, and where each grant comes from.
struct Column {
    own: PermissionSet,
    effective: PermissionSet,
    origins: Vec<(String, String)>,
}

pub struct Row {
    pub permission: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "admin/matrix.html")]
struct MatrixPage {
    layout: Layout,
    roles: Vec<String>,
    rows: Vec<Row>,
}

#[get("/matrix")]
pub async fn matrix_page(
    caller: Caller,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, PageError> {
    guard(&caller, &req, &["roles:read"])?;
    let graph = caller.snapshot.graph.clone();
    let roles: Vec<String> = graph.roles().map(|r| r.name.clone()).collect();
    let columns: Vec<Column> = roles
        .iter()
        .map(|name| Column {
            own: PermissionSet::from_grants(
                graph
                    .get(name)
                    .map(|r| r.grants.clone())
                    .unwrap_or_default(),
            ),
            effective: graph.effective(name),
            origins: graph.effective_with_origin(name),
        })
        .collect();
    let rows = caller
        .snapshot
        .catalog
        .iter()
        .map(|perm| Row {
            permission: perm.clone(),
            cells: roles
                .iter()
                .zip(&columns)
                .map(|(role, col)| {
                    let Column {
                        own,
                        effective,
                        origins,
                    } = col;
                    let via = origins.iter().find(|(g, _)| matches(g, perm));
                    let title = |how: &str| match via {
                        Some((grant, from)) => format!("{role}: {how} ({grant} from {from})"),
                        None => format!("{role}: {how}"),
                    };
                    if own.allows(perm) {
                        Cell {
                            mark: "●",
                            title: title("granted directly"),
                        }
                    } else if effective.allows(perm) {
                        Cell {
                            mark: "○",
                            title: title("inherited"),
                        }
                    } else {
                        Cell {
                            mark: "",
                            title: format!("{role}: not held"),
                        }
                    }
                })
                .collect(),
        })
        .collect();
    render(&MatrixPage {
        layout: Layout::new("Matrix", &caller, &session),
        roles,
        rows,
    })
}
