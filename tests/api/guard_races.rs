//! SPEC H1: the last-holder rule holds under concurrency. Two administrators, the only
//! holders of `*`, demote each other with real parallel requests released together by a
//! barrier, round after round; `*` must never be left with nobody.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::helpers::{spawn_app, Backend, TestApp};

const ROUNDS: usize = 12;

/// One request of a pair: method, path, bearer token, JSON body.
type Req = (&'static str, String, String, Option<Value>);

/// Sends `a` and `b` at the same instant (each on its own task, both waiting on one
/// barrier); returns their statuses.
async fn at_once(app: &TestApp, a: Req, b: Req) -> [u16; 2] {
    let barrier = Arc::new(Barrier::new(2));
    let tasks: Vec<_> = [a, b]
        .into_iter()
        .map(|(method, path, token, body)| {
            let client = app.client.clone();
            let url = app.url(&path);
            let barrier = barrier.clone();
            tokio::spawn(async move {
                let mut req = client
                    .request(method.parse().unwrap(), url)
                    .bearer_auth(token);
                if let Some(body) = body {
                    req = req.json(&body);
                }
                barrier.wait().await;
                req.send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    let mut statuses = [0; 2];
    for (i, task) in tasks.into_iter().enumerate() {
        statuses[i] = task.await.unwrap();
    }
    statuses
}

/// Enabled users holding `*` through a permanent grant, as the guard rails count them.
async fn star_holders(app: &TestApp) -> Vec<i64> {
    app.with_conn(|c| {
        let graph =
            quire::authz::RoleGraph::new(quire::db::queries::roles::load_role_defs(c).unwrap());
        quire::manage::guard::star_holders(c, &graph).unwrap()
    })
    .await
}

/// One round's outcome must be: exactly one of the two succeeded; the other was refused,
/// by the last-holder rule (409) or, when it was resolved after the first committed, for
/// lacking the permission (403) or the account (401). Returns whether it was a 409.
fn one_wins(round: usize, what: &str, statuses: [u16; 2]) -> bool {
    let ok = statuses.iter().filter(|s| (200..300).contains(*s)).count();
    let refused = statuses.iter().find(|s| !(200..300).contains(*s));
    assert_eq!(ok, 1, "round {round} ({what}): {statuses:?}");
    let refused = *refused.unwrap();
    assert!(
        [409, 403, 401].contains(&refused),
        "round {round} ({what}): {statuses:?}"
    );
    refused == 409
}

async fn two_admins_demoting_each_other_at_once_leave_one_holder_of_star(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.create_user("first", &["admin"]).await;
    let second = app.create_user("second", &["admin"]).await;
    // `first` and `second` are to be the only holders of `*`.
    let admin = app
        .with_conn(|c| {
            quire::db::queries::users::find_user_by_username(c, "admin")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    app.with_conn(move |c| {
        quire::manage::users::set_disabled(c, &quire::manage::Actor::cli(), admin, true).unwrap();
    })
    .await;
    let t1 = app.token("first", None).await.access_token;
    let t2 = app.token("second", None).await.access_token;
    let revoke = |token: &str, target: i64| -> Req {
        let path = format!("/api/users/{target}/roles/admin");
        ("DELETE", path, token.to_owned(), None)
    };
    let disable = |token: &str, target: i64| -> Req {
        let path = format!("/api/users/{target}");
        let body = Some(json!({"disabled": true}));
        ("PATCH", path, token.to_owned(), body)
    };
    let mut conflicts = 0;
    for round in 0..ROUNDS {
        let (what, a, b) = match round % 3 {
            0 => ("both revoke", revoke(&t1, second), revoke(&t2, first)),
            1 => ("both disable", disable(&t1, second), disable(&t2, first)),
            _ => (
                "revoke and disable",
                revoke(&t1, second),
                disable(&t2, first),
            ),
        };
        let statuses = at_once(&app, a, b).await;
        let holders = star_holders(&app).await;
        assert!(
            !holders.is_empty(),
            "round {round} ({what}): nobody holds `*` after {statuses:?}"
        );
        conflicts += usize::from(one_wins(round, what, statuses));
        // Both administrators again, through the command line, for the next round.
        app.with_conn(move |c| {
            let cli = quire::manage::Actor::cli();
            for id in [first, second] {
                quire::manage::users::set_disabled(c, &cli, id, false).unwrap();
                quire::manage::users::grant_role(c, &cli, id, "admin", None).unwrap();
            }
        })
        .await;
    }
    assert!(conflicts > 0, "the last-holder rule never answered 409");
}

async fn two_admins_stripping_each_others_star_role_at_once_leave_one_holder(backend: Backend) {
    let app = spawn_app(backend).await;
    let cli = quire::manage::Actor::cli();
    let setup = cli.clone();
    app.with_conn(move |c| {
        for name in ["crown", "tiara"] {
            let spec = quire::manage::roles::NewRoleSpec {
                name: name.into(),
                permissions: vec!["*".into()],
                ..Default::default()
            };
            quire::manage::roles::create_role(c, &setup, spec).unwrap();
        }
    })
    .await;
    app.create_user("ann", &["crown"]).await;
    app.create_user("bob", &["tiara"]).await;
    let admin = app
        .with_conn(|c| {
            quire::db::queries::users::find_user_by_username(c, "admin")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    let strip = cli.clone();
    app.with_conn(move |c| {
        quire::manage::users::revoke_role(c, &strip, admin, "admin").unwrap();
    })
    .await;
    let ann = app.token("ann", None).await.access_token;
    let bob = app.token("bob", None).await.access_token;
    let edit = |token: &str, role: &str| -> Req {
        let body = Some(json!({"permissions": ["posts:read"]}));
        (
            "PATCH",
            format!("/api/roles/{role}"),
            token.to_owned(),
            body,
        )
    };
    let delete = |token: &str, role: &str| -> Req {
        let path = format!("/api/roles/{role}?force=true");
        ("DELETE", path, token.to_owned(), None)
    };
    let mut conflicts = 0;
    for round in 0..ROUNDS {
        // Each strips the role the *other* one holds `*` through.
        let (what, a, b) = match round % 3 {
            0 => ("both edit", edit(&ann, "tiara"), edit(&bob, "crown")),
            1 => ("both delete", delete(&ann, "tiara"), delete(&bob, "crown")),
            _ => (
                "edit and delete",
                edit(&ann, "tiara"),
                delete(&bob, "crown"),
            ),
        };
        let statuses = at_once(&app, a, b).await;
        let holders = star_holders(&app).await;
        assert!(
            !holders.is_empty(),
            "round {round} ({what}): nobody holds `*` after {statuses:?}"
        );
        conflicts += usize::from(one_wins(round, what, statuses));
        let restore = cli.clone();
        app.with_conn(move |c| {
            use quire::manage::roles::{create_role, update_role, NewRoleSpec, RoleEdit};
            for (role, holder) in [("crown", "ann"), ("tiara", "bob")] {
                let exists = quire::db::queries::roles::find_role_by_name(c, role)
                    .unwrap()
                    .is_some();
                if exists {
                    let edit = RoleEdit {
                        permissions: Some(vec!["*".into()]),
                        ..Default::default()
                    };
                    update_role(c, &restore, role, edit).unwrap();
                } else {
                    let spec = NewRoleSpec {
                        name: role.into(),
                        permissions: vec!["*".into()],
                        ..Default::default()
                    };
                    create_role(c, &restore, spec).unwrap();
                }
                let id = quire::db::queries::users::find_user_by_username(c, holder)
                    .unwrap()
                    .unwrap()
                    .id;
                quire::manage::users::grant_role(c, &restore, id, role, None).unwrap();
            }
        })
        .await;
    }
    assert!(conflicts > 0, "the last-holder rule never answered 409");
}

both_backends!(
    two_admins_demoting_each_other_at_once_leave_one_holder_of_star,
    two_admins_stripping_each_others_star_role_at_once_leave_one_holder,
);
