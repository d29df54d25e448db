//! A listing shows exactly what the caller may read (SPEC §4: "List endpoints return only
//! what the caller may read, filtered in SQL"): for every built-in role, every filter and
//! small pages followed to the end, the ids `GET /api/posts` lists equal the seeded posts
//! for which the pure policy `can_read_post` says yes. The principal is built from the
//! effective permissions the API itself reports (`GET /api/me`, or the `anonymous` role), so
//! the check does not reuse the server's own resolution of roles.

use std::collections::BTreeSet;
use std::sync::Arc;

use quire::authz::policy::{can_read_post, PostFacts, PostStatus, Principal};
use quire::authz::PermissionSet;
use serde_json::Value;

use crate::helpers::{Backend, TestApp};

/// A seeded post and what the policy needs to know about it.
struct Seeded {
    id: i64,
    author: String,
    facts: PostFacts,
}

/// Who asks: a name for messages, the bearer token (none for anonymous), the principal.
struct Asker {
    label: String,
    token: Option<String>,
    principal: Principal,
}

fn permission_set(names: &Value) -> Arc<PermissionSet> {
    let names = names.as_array().expect("a list of permissions");
    Arc::new(PermissionSet::from_grants(
        names.iter().map(|n| n.as_str().expect("a name")),
    ))
}

/// The caller behind `token` as `GET /api/me` describes it.
async fn asker(app: &TestApp, label: &str, token: String) -> Asker {
    let (status, me) = app.call("GET", "/api/me", Some(&token), None).await;
    assert_eq!(status, 200, "GET /api/me for {label}: {me}");
    let id = me["id"].as_i64().expect("user id");
    let principal = Principal::user(id, permission_set(&me["effective_permissions"]));
    Asker {
        label: label.to_owned(),
        token: Some(token),
        principal,
    }
}

/// Seeds users of every built-in role and posts by several of them, drafts and published.
async fn seed(app: &TestApp) -> Vec<Seeded> {
    for (name, role) in [
        ("uma", "user"),
        ("carl", "contributor"),
        ("alice", "author"),
        ("edna", "editor"),
        ("mo", "moderator"),
    ] {
        app.create_user(name, &[role]).await;
    }
    let admin = app.admin_token().await.access_token;
    let mut seeded = Vec::new();
    for (author, published_too) in [
        ("alice", true),
        ("carl", false),
        ("edna", true),
        ("uma", true),
    ] {
        let token = app.token(author, None).await.access_token;
        for n in 0..4 {
            let publish = published_too && n % 2 == 1;
            let status = if publish { "published" } else { "draft" };
            let mut post = app
                .create_post(
                    &token,
                    serde_json::json!({"title": format!("{author} {n}"), "body": "text", "status": status}),
                )
                .await;
            // Posts in review are read like drafts (SPEC §10).
            if n == 2 {
                let path = format!("/api/posts/{}/submit", post["id"]);
                let (code, submitted) = app.call("POST", &path, Some(&token), None).await;
                assert_eq!(code, 200, "{submitted}");
                post = submitted;
            }
            seeded.push(facts_of(author, &post));
        }
    }
    for n in 0..3 {
        let status = if n == 0 { "draft" } else { "published" };
        let post = app
            .create_post(
                &admin,
                serde_json::json!({"title": format!("admin {n}"), "body": "text", "status": status}),
            )
            .await;
        seeded.push(facts_of("admin", &post));
    }
    seeded
}

fn facts_of(author: &str, post: &Value) -> Seeded {
    Seeded {
        id: post["id"].as_i64().expect("id"),
        author: author.to_owned(),
        facts: PostFacts {
            author_id: post["author"]["id"].as_i64().expect("author id"),
            status: PostStatus::parse(post["status"].as_str().expect("status")).expect("status"),
        },
    }
}

/// Every id of `GET /api/posts?{filter}`, pages of 3 followed through `next_cursor`.
async fn list_all(app: &TestApp, asker: &Asker, filter: &[(&str, &str)]) -> Vec<i64> {
    // A client of its own: no cookie from another request can change who is asking.
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut query: Vec<(&str, &str)> = filter.to_vec();
        query.push(("limit", "3"));
        if let Some(c) = &cursor {
            query.push(("cursor", c));
        }
        let mut req = client.get(app.url("/api/posts")).query(&query);
        if let Some(t) = &asker.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let page: Value = resp.json().await.expect("json");
        assert_eq!(status, 200, "{} {filter:?}: {page}", asker.label);
        let items = page["items"].as_array().expect("items");
        assert!(
            items.len() <= 3,
            "{} {filter:?}: page over the limit",
            asker.label
        );
        ids.extend(items.iter().map(|p| p["id"].as_i64().expect("id")));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
    panic!("{} {filter:?}: next_cursor never ended", asker.label);
}

async fn the_listing_is_exactly_the_readable_posts(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let posts = seed(&app).await;

    let admin = app.admin_token().await.access_token;
    let (status, anonymous_role) = app
        .call("GET", "/api/roles/anonymous", Some(&admin), None)
        .await;
    assert_eq!(status, 200, "{anonymous_role}");
    let mut askers = vec![Asker {
        label: "anonymous".into(),
        token: None,
        principal: Principal::anonymous(permission_set(&anonymous_role["effective_permissions"])),
    }];
    for name in ["uma", "carl", "alice", "edna", "mo"] {
        let token = app.token(name, None).await.access_token;
        askers.push(asker(&app, name, token).await);
    }
    askers.push(asker(&app, "admin", admin).await);
    // A token narrower than its user: the editor reading with `posts:read` only sees what
    // that scope allows (published posts and her own drafts), not every draft.
    let narrow = app.token("edna", Some("posts:read")).await.access_token;
    askers.push(asker(&app, "edna with posts:read", narrow).await);

    let filters: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("none".into(), vec![]),
        ("drafts".into(), vec![("status", "draft")]),
        ("published".into(), vec![("status", "published")]),
        ("in review".into(), vec![("status", "review")]),
        ("by alice".into(), vec![("author", "alice")]),
        ("by carl".into(), vec![("author", "carl")]),
        ("by admin".into(), vec![("author", "admin")]),
        (
            "edna's drafts".into(),
            vec![("author", "edna"), ("status", "draft")],
        ),
        ("by nobody".into(), vec![("author", "no-such-user")]),
    ];

    let mut nonempty = 0;
    for asker in &askers {
        for (label, filter) in &filters {
            let listed = list_all(&app, asker, filter).await;
            let unique: BTreeSet<i64> = listed.iter().copied().collect();
            assert_eq!(
                unique.len(),
                listed.len(),
                "{} / {label}: an id listed twice",
                asker.label
            );
            let expected: BTreeSet<i64> = posts
                .iter()
                .filter(|p| matches_filter(p, filter))
                .filter(|p| can_read_post(&asker.principal, p.facts))
                .map(|p| p.id)
                .collect();
            assert_eq!(unique, expected, "{} / {label}", asker.label);
            // Newest first: ids only go down.
            assert!(
                listed.windows(2).all(|w| w[0] > w[1]),
                "{} / {label}: not newest first: {listed:?}",
                asker.label
            );
            nonempty += usize::from(!expected.is_empty());
        }
    }
    // The comparison means something only if many combinations list posts at all.
    assert!(nonempty > askers.len() * 3, "too few non-empty listings");
}

/// Does the seeded post pass the query's `author=` and `status=` filters?
fn matches_filter(post: &Seeded, filter: &[(&str, &str)]) -> bool {
    filter.iter().all(|(key, value)| match *key {
        "author" => post.author == *value,
        "status" => post.facts.status.as_str() == *value,
        other => panic!("no such filter {other}"),
    })
}

both_backends!(the_listing_is_exactly_the_readable_posts);
