//! SPEC §4 over HTTP: every built-in role × own/other × draft/published × post action
//! (the review and scheduling workflow of §10 is in `workflow`).

use serde_json::{json, Value};

use crate::helpers::{create_role, spawn_app, spawn_on, Backend, TestApp};

const ROLES: [&str; 7] = [
    "anonymous",
    "user",
    "contributor",
    "author",
    "editor",
    "moderator",
    "admin",
];
const ACTIONS: [&str; 5] = ["read", "update", "publish", "unpublish", "delete"];

/// The built-in grants of SPEC §3, written out (not read from the code under test).
fn holds(role: &str, perm: &str) -> bool {
    let user = [
        "posts:read",
        "posts:create",
        "posts:update_own",
        "posts:publish_own",
        "posts:delete_own",
    ];
    match role {
        "anonymous" => perm == "posts:read",
        "user" | "author" => user.contains(&perm),
        "contributor" => user.contains(&perm) && perm != "posts:publish_own",
        "editor" => user.contains(&perm) || ["posts:update", "posts:publish"].contains(&perm),
        "moderator" => user.contains(&perm) || ["posts:update", "posts:delete"].contains(&perm),
        "admin" => true,
        _ => false,
    }
}

/// SPEC §4's table and order of checks, as the expected HTTP status.
fn expected(role: &str, own: bool, published: bool, action: &str) -> u16 {
    let h = |p: &str| holds(role, p);
    let anon = role == "anonymous";
    let (any, allowed): (bool, bool) = match action {
        "read" => (h("posts:read") || h("posts:update"), true),
        "update" => (
            h("posts:update") || h("posts:update_own"),
            h("posts:update") || (own && h("posts:update_own")),
        ),
        "publish" | "unpublish" => (
            h("posts:publish") || h("posts:publish_own"),
            h("posts:publish") || (own && h("posts:publish_own")),
        ),
        "delete" => (
            h("posts:delete") || h("posts:delete_own"),
            h("posts:delete") || (own && h("posts:delete_own")),
        ),
        _ => unreachable!(),
    };
    let readable = (h("posts:read") && (published || own)) || h("posts:update");
    match (any, readable, allowed) {
        (false, _, _) if anon => 401,
        (false, _, _) => 403,
        (true, false, _) => 404,
        (true, true, false) if anon => 401,
        (true, true, false) => 403,
        (true, true, true) if action == "delete" => 204,
        // SPEC §10: publishing is from draft (or review), unpublishing from published
        // (or scheduled); anything else is 409 naming the status.
        (true, true, true) if action == "publish" && published => 409,
        (true, true, true) if action == "unpublish" && !published => 409,
        (true, true, true) => 200,
    }
}

async fn make_post(app: &TestApp, author: i64, published: bool, n: usize) -> i64 {
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

async fn send(app: &TestApp, token: Option<&str>, action: &str, id: i64) -> reqwest::Response {
    let url = |p: &str| app.url(&format!("/api/posts/{id}{p}"));
    let req = match action {
        "read" => app.client.get(url("")),
        "update" => app.client.patch(url("")).json(&json!({"title": "Edited"})),
        "publish" => app.client.post(url("/publish")),
        "unpublish" => app.client.post(url("/unpublish")),
        "delete" => app.client.delete(url("")),
        _ => unreachable!(),
    };
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    req.send().await.unwrap()
}

async fn post_policy_matrix_over_http(backend: Backend) {
    let app = spawn_app(backend).await;
    let other = app.create_user("someone", &["author"]).await;
    let mut tokens = std::collections::HashMap::new();
    let mut ids = std::collections::HashMap::new();
    for role in ROLES.iter().filter(|r| **r != "anonymous") {
        let name = format!("{role}-user");
        ids.insert(*role, app.create_user(&name, &[role]).await);
        tokens.insert(*role, app.token(&name, None).await.access_token);
    }
    let mut n = 0;
    let mut failures = Vec::new();
    for role in ROLES {
        for own in [false, true] {
            if own && role == "anonymous" {
                continue;
            }
            for published in [false, true] {
                for action in ACTIONS {
                    n += 1;
                    let author = if own { ids[role] } else { other };
                    let id = make_post(&app, author, published, n).await;
                    let token = tokens.get(role).map(String::as_str);
                    // What `can` says before acting (as the admin sees it, the post exists).
                    let seen = send(&app, token, "read", id).await;
                    let can: Option<Value> = if seen.status() == 200 {
                        Some(seen.json::<Value>().await.unwrap()["can"].clone())
                    } else {
                        None
                    };
                    let status = send(&app, token, action, id).await.status().as_u16();
                    let want = expected(role, own, published, action);
                    if status != want {
                        failures.push(format!("{role} own={own} published={published} {action}: got {status}, want {want}"));
                    }
                    if let Some(can) = can {
                        let key = match action {
                            "unpublish" => "publish",
                            "read" => continue,
                            a => a,
                        };
                        // `can.publish` is about the rights; a 409 is about the status.
                        let ok = status == 200 || status == 204 || status == 409;
                        if can[key].as_bool() != Some(ok) {
                            failures.push(format!("{role} own={own} published={published} {action}: can.{key}={} but status {status}", can[key]));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} rows wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn lists_never_leak_drafts_and_page_through_each_post_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.create_user("me", &["user"]).await;
    let other = app.create_user("other", &["user"]).await;
    for i in 0..30 {
        let author = if i % 3 == 0 { me } else { other };
        make_post(&app, author, i % 2 == 0, i).await;
    }
    let token = app.token("me", None).await.access_token;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/posts?limit=4&cursor={c}"),
            None => "/api/posts?limit=4".to_owned(),
        };
        let page: Value = app.get_with(&path, &token).await.json().await.unwrap();
        // A post inserted between pages must not disturb the walk.
        if pages == 1 {
            make_post(&app, other, true, 1000).await;
        }
        for item in page["items"].as_array().unwrap() {
            let own = item["author"]["id"] == json!(me);
            assert!(
                item["status"] == "published" || own,
                "leaked a draft: {item}"
            );
            seen.push(item["id"].as_i64().unwrap());
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let expected: usize = (0..30).filter(|i| i % 2 == 0 || i % 3 == 0).count();
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a post was listed twice");
    assert_eq!(seen.len(), expected);
    let bad = app.get_with("/api/posts?limit=0", &token).await;
    assert_eq!(bad.status(), 422);
    let bad = app.get_with("/api/posts?cursor=%%%", &token).await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        app.get_with("/api/posts/not-a-number", &token)
            .await
            .status(),
        404
    );
}

async fn create_validates_and_derives_unique_slugs(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("wri", &["contributor"]).await;
    let token = app.token("wri", None).await.access_token;
    let create = |body: Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.client
                .post(app.url("/api/posts"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = create(json!({"title": "Hello, World!", "body": "'; DROP TABLE posts; --"})).await;
    assert_eq!(r.status(), 201);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/api/posts/"));
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["slug"], "hello-world");
    assert_eq!(first["body"], "'; DROP TABLE posts; --");
    assert_eq!(first["status"], "draft");
    let second: Value = create(json!({"title": "Hello world", "body": "x"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["slug"], "hello-world-2");
    // A contributor may not create a published post.
    assert_eq!(
        create(json!({"title": "Pub", "body": "x", "status": "published"}))
            .await
            .status(),
        403
    );
    for (body, field) in [
        (json!({"title": "", "body": "x"}), "title"),
        (json!({"title": "t", "body": ""}), "body"),
        (
            json!({"title": "t", "body": "x", "slug": "Bad Slug"}),
            "slug",
        ),
        (
            json!({"title": "t", "body": "x", "status": "live"}),
            "status",
        ),
        (json!({"body": "x"}), "title"),
    ] {
        let r = create(body.clone()).await;
        assert_eq!(r.status(), 422, "{body}");
        let err: Value = r.json().await.unwrap();
        assert!(err["fields"][field].is_array(), "{body}: {err}");
    }
    assert_eq!(
        create(json!({"title": "t", "body": "x", "slug": "hello-world"}))
            .await
            .status(),
        409
    );
}

/// `GET /api/posts/{id}` reads the authorization generation in the same statement as the
/// post (and `GET /api/posts` on its own): a change made through another instance must
/// still decide the very next read, on both instances.
async fn single_and_list_reads_see_changes_from_another_instance(backend: Backend) {
    let a = spawn_app(backend).await;
    let b = spawn_on(a.test_db.clone(), &[]).await;
    let author = a.create_user("wri", &["user"]).await;
    let post = make_post(&a, author, true, 1).await;
    let draft = make_post(&a, author, false, 2).await;
    create_role(&a, "reader", &["posts:read"]).await;
    let id = a.create_user("rea", &["reader"]).await;
    let token = a.token("rea", None).await.access_token;
    let spare = a.token("rea", None).await.access_token;
    let one = format!("/api/posts/{post}");
    for app in [&a, &b] {
        assert_eq!(app.get_with(&one, &token).await.status(), 200);
        let hidden = app.get_with(&format!("/api/posts/{draft}"), &token).await;
        assert_eq!(hidden.status(), 404);
        assert_eq!(app.get_with("/api/posts", &token).await.status(), 200);
    }
    // The role is revoked through B's database handle: both refuse at once.
    let actor = quire::manage::Actor::cli();
    b.with_conn(move |c| quire::manage::users::revoke_role(c, &actor, id, "reader").unwrap())
        .await;
    for app in [&a, &b] {
        let resp = app.get_with(&one, &token).await;
        assert_eq!(resp.status(), 403);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["provided"], json!([]));
        assert_eq!(app.get_with("/api/posts", &token).await.status(), 403);
    }
    // Granted again through A: B reads again.
    let actor = quire::manage::Actor::cli();
    a.with_conn(move |c| quire::manage::users::grant_role(c, &actor, id, "reader", None).unwrap())
        .await;
    assert_eq!(b.get_with(&one, &token).await.status(), 200);
    // A token revoked through A is refused by B, though B verified it before.
    assert_eq!(b.get_with(&one, &spare).await.status(), 200);
    let revoked = a
        .client
        .post(a.url("/api/auth/revoke"))
        .bearer_auth(&spare)
        .form(&[("token", spare.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(b.get_with(&one, &spare).await.status(), 401);
    assert_eq!(b.get_with(&one, &token).await.status(), 200);
    // The account is disabled through A: B refuses the other token too.
    let actor = quire::manage::Actor::cli();
    a.with_conn(move |c| quire::manage::users::set_disabled(c, &actor, id, true).unwrap())
        .await;
    for app in [&a, &b] {
        assert_eq!(app.get_with(&one, &token).await.status(), 401);
        assert_eq!(app.get_with("/api/posts", &token).await.status(), 401);
    }
    // A post that does not exist still answers after a change (the generation is then
    // read on its own).
    let actor = quire::manage::Actor::cli();
    a.with_conn(move |c| quire::manage::users::set_disabled(c, &actor, id, false).unwrap())
        .await;
    assert_eq!(b.get_with("/api/posts/987654", &token).await.status(), 404);
    assert_eq!(b.get_with(&one, &token).await.status(), 200);
}

both_backends!(
    post_policy_matrix_over_http,
    single_and_list_reads_see_changes_from_another_instance,
    lists_never_leak_drafts_and_page_through_each_post_once,
    create_validates_and_derives_unique_slugs,
);
