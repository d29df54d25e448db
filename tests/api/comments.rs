//! SPEC §4 and §6 for comments over HTTP: the policy matrix, pagination, bad input,
//! moderation audit and cascading deletes, once per backend.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};

mod inputs;
mod moderation;
mod threads;

const ROLES: [&str; 7] = [
    "anonymous",
    "user",
    "contributor",
    "author",
    "editor",
    "moderator",
    "admin",
];
const ACTIONS: [&str; 4] = ["read", "create", "edit", "delete"];

/// The built-in grants of SPEC §3 that matter here, written out (not read from the code
/// under test).
fn holds(role: &str, perm: &str) -> bool {
    let user = [
        "posts:read",
        "posts:create",
        "posts:update_own",
        "posts:publish_own",
        "posts:delete_own",
        "comments:read",
        "comments:create",
        "comments:update_own",
        "comments:delete_own",
    ];
    match role {
        "anonymous" => ["posts:read", "comments:read"].contains(&perm),
        "user" | "author" => user.contains(&perm),
        "contributor" => user.contains(&perm) && perm != "posts:publish_own",
        "editor" => user.contains(&perm) || ["posts:update", "posts:publish"].contains(&perm),
        "moderator" => {
            user.contains(&perm)
                || [
                    "users:read",
                    "posts:update",
                    "posts:delete",
                    "comments:delete",
                ]
                .contains(&perm)
        }
        "admin" => true,
        _ => false,
    }
}

/// One row of the matrix: who asks, whose post and comment, and the post's status.
#[derive(Clone, Copy, Debug)]
struct Row {
    role: &'static str,
    own_post: bool,
    own_comment: bool,
    published: bool,
    action: &'static str,
}

/// SPEC §4's rules and order of checks, as the expected status (and error code for 403).
fn expected(r: Row) -> String {
    let h = |p: &str| holds(r.role, p);
    let anon = r.role == "anonymous";
    let (any, allowed): (bool, bool) = match r.action {
        // read comments: comments:read and may read the post
        "read" => (h("comments:read"), true),
        // comment: comments:create, may read the post, post is published
        "create" => (h("comments:create"), r.published),
        // edit comment: owner with comments:update_own
        "edit" => (
            h("comments:update_own"),
            r.own_comment && h("comments:update_own"),
        ),
        // delete comment: comments:delete, or owner with comments:delete_own
        "delete" => (
            h("comments:delete") || h("comments:delete_own"),
            h("comments:delete") || (r.own_comment && h("comments:delete_own")),
        ),
        _ => unreachable!(),
    };
    // read post: (posts:read and (published or owner)) or posts:update
    let readable = (h("posts:read") && (r.published || r.own_post)) || h("posts:update");
    let status = match (any, readable, allowed) {
        (false, _, _) if anon => "401",
        (false, _, _) => "403 insufficient_scope",
        (true, false, _) => "404",
        (true, true, false) if anon => "401",
        (true, true, false) => "403 forbidden",
        (true, true, true) => match r.action {
            "create" => "201",
            "delete" => "204",
            _ => "200",
        },
    };
    status.to_owned()
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for role in ROLES {
        // Anonymous callers own nothing.
        let owns: &[bool] = if role == "anonymous" {
            &[false]
        } else {
            &[false, true]
        };
        for &own_post in owns {
            for &own_comment in owns {
                for published in [false, true] {
                    for action in ACTIONS {
                        rows.push(Row {
                            role,
                            own_post,
                            own_comment,
                            published,
                            action,
                        });
                    }
                }
            }
        }
    }
    rows
}

pub async fn make_post(app: &TestApp, author: i64, published: bool, n: usize) -> i64 {
    app.with_conn(move |c| {
        let at = quire::db::now();
        quire::db::queries::posts::insert_post(
            c,
            &quire::db::models::NewPost {
                author_id: author,
                title: format!("Post {n}"),
                slug: format!("post-{n}"),
                body: "body".into(),
                status: if published { "published" } else { "draft" }.into(),
                published_at: published.then_some(at),
                created_at: at,
                updated_at: at,
                body_html: Some("<p>body</p>\n".into()),
            },
        )
        .unwrap()
        .id
    })
    .await
}

pub async fn make_comment(app: &TestApp, post_id: i64, author: i64, body: &str) -> i64 {
    let body = body.to_owned();
    app.with_conn(move |c| {
        let at = quire::db::now();
        quire::db::queries::comments::insert_comment(
            c,
            &quire::db::models::NewComment {
                post_id,
                author_id: author,
                body,
                created_at: at,
                updated_at: at,
            },
        )
        .unwrap()
        .id
    })
    .await
}

fn with_token(req: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::RequestBuilder {
    match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    }
}

async fn list(app: &TestApp, token: Option<&str>, post: i64, query: &str) -> reqwest::Response {
    let url = app.url(&format!("/api/posts/{post}/comments{query}"));
    with_token(app.client.get(url), token).send().await.unwrap()
}

async fn send(
    app: &TestApp,
    token: Option<&str>,
    action: &str,
    post: i64,
    comment: i64,
) -> reqwest::Response {
    let req = match action {
        "read" => app
            .client
            .get(app.url(&format!("/api/posts/{post}/comments"))),
        "create" => app
            .client
            .post(app.url(&format!("/api/posts/{post}/comments")))
            .json(&json!({"body": "A new comment"})),
        "edit" => app
            .client
            .patch(app.url(&format!("/api/comments/{comment}")))
            .json(&json!({"body": "Edited"})),
        "delete" => app
            .client
            .delete(app.url(&format!("/api/comments/{comment}"))),
        _ => unreachable!(),
    };
    with_token(req, token).send().await.unwrap()
}

/// `"200"`, or `"403 forbidden"` with the error code for a 403.
async fn outcome(resp: reqwest::Response) -> (String, Value) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    let out = if status == 403 {
        format!("403 {}", body["error"].as_str().unwrap_or("?"))
    } else {
        status.to_string()
    };
    (out, body)
}

/// What the caller is told it may do before acting: the comment's `can` for edit and
/// delete, the post's `can.comment` for create.
async fn can_before(
    app: &TestApp,
    token: Option<&str>,
    r: Row,
    post: i64,
    comment: i64,
) -> Option<bool> {
    match r.action {
        "edit" | "delete" => {
            let resp = list(app, token, post, "").await;
            if resp.status() != 200 {
                return None;
            }
            let page: Value = resp.json().await.unwrap();
            let item = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == json!(comment))
                .cloned()
                .expect("a readable post lists its comment");
            let key = if r.action == "edit" {
                "update"
            } else {
                "delete"
            };
            item["can"][key].as_bool()
        }
        "create" => {
            let resp = with_token(
                app.client.get(app.url(&format!("/api/posts/{post}"))),
                token,
            )
            .send()
            .await
            .unwrap();
            if resp.status() != 200 {
                return None;
            }
            let seen: Value = resp.json().await.unwrap();
            seen["can"]["comment"].as_bool()
        }
        _ => None,
    }
}

async fn comment_policy_matrix_over_http(backend: Backend) {
    let app = spawn_app(backend).await;
    // Neither the post's author nor the comment's, whoever asks.
    let poster = app.create_user("poster", &["author"]).await;
    let commenter = app.create_user("commenter", &["user"]).await;
    let mut tokens = HashMap::new();
    let mut ids = HashMap::new();
    for role in ROLES.iter().filter(|r| **r != "anonymous") {
        let name = format!("{role}-user");
        ids.insert(*role, app.create_user(&name, &[role]).await);
        tokens.insert(*role, app.token(&name, None).await.access_token);
    }
    let rows = rows();
    let mut failures = Vec::new();
    for (n, &r) in rows.iter().enumerate() {
        let me = ids.get(r.role).copied();
        let post_author = if r.own_post { me.unwrap() } else { poster };
        let comment_author = if r.own_comment {
            me.unwrap()
        } else {
            commenter
        };
        let post = make_post(&app, post_author, r.published, n).await;
        let comment = make_comment(&app, post, comment_author, "First!").await;
        let token = tokens.get(r.role).map(String::as_str);
        let can = can_before(&app, token, r, post, comment).await;
        let (got, body) = outcome(send(&app, token, r.action, post, comment).await).await;
        let want = expected(r);
        if got != want {
            failures.push(format!("{r:?}: got {got}, want {want} ({body})"));
        }
        if let Some(can) = can {
            let allowed = got.starts_with('2');
            if can != allowed {
                failures.push(format!(
                    "{r:?}: can said {can} but the server answered {got}"
                ));
            }
        }
        match got.as_str() {
            "200" if r.action == "read" => {
                let ids: Vec<&Value> = body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| &c["id"])
                    .collect();
                assert_eq!(ids, [&json!(comment)], "{r:?}");
            }
            "200" => assert_eq!(body["body"], "Edited", "{r:?}"),
            "201" => assert_eq!(
                body["can"],
                json!({"update": true, "delete": true}),
                "{r:?}"
            ),
            _ => {}
        }
    }
    assert_eq!(rows.len(), (6 * 4 + 1) * 2 * ACTIONS.len());
    assert!(
        failures.is_empty(),
        "{} of {} rows wrong:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

both_backends!(comment_policy_matrix_over_http);
