//! Tags (SPEC §10): the rules on create and PATCH, `?tag=`, and `GET /api/tags` counting
//! only what the caller may read.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};

fn names(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect()
}

/// The `fields.tags` messages of a 422, or a panic naming what came back.
fn tags_refusal(status: u16, body: &Value) -> &Value {
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "validation_failed", "{body}");
    &body["fields"]["tags"]
}

async fn tags_are_lowercased_deduplicated_and_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let post = app
        .create_post(
            &admin,
            json!({"title": "T", "body": "b", "tags": ["Rust", "web-dev", "RUST", "rust"]}),
        )
        .await;
    assert_eq!(names(&post["tags"]), ["rust", "web-dev"], "{post}");
    let id = post["id"].as_i64().unwrap();
    let path = format!("/api/posts/{id}");
    let (_, got) = app.call("GET", &path, Some(&admin), None).await;
    assert_eq!(names(&got["tags"]), ["rust", "web-dev"]);
    // Without tags a post has none.
    let bare = app
        .create_post(&admin, json!({"title": "U", "body": "b"}))
        .await;
    assert_eq!(bare["tags"], json!([]));

    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    let mut ten_with_dups: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
    ten_with_dups.push("T3".into());
    for bad in [
        json!(eleven),
        json!(["has space"]),
        json!(["under_score"]),
        json!(["-lead"]),
        json!(["a--b"]),
        json!([""]),
        json!(["x".repeat(33)]),
        json!(["ünï"]),
        json!(["a\u{202e}b"]),
        json!(["a\u{0}b"]),
    ] {
        let body = json!({"title": "V", "body": "b", "tags": bad});
        let (status, resp) = app
            .call("POST", "/api/posts", Some(&admin), Some(body))
            .await;
        let messages = tags_refusal(status, &resp);
        assert!(messages.is_array(), "{bad}: {resp}");
        // PATCH refuses the same and changes nothing.
        let body = json!({"title": "changed", "tags": bad});
        let (status, resp) = app.call("PATCH", &path, Some(&admin), Some(body)).await;
        tags_refusal(status, &resp);
    }
    let (_, got) = app.call("GET", &path, Some(&admin), None).await;
    assert_eq!(got["title"], "T", "a refused PATCH wrote nothing");
    assert_eq!(names(&got["tags"]), ["rust", "web-dev"]);
    // Ten distinct names (the eleventh a duplicate) are fine.
    let body = json!({"title": "W", "body": "b", "tags": ten_with_dups});
    let ten = app.create_post(&admin, body).await;
    assert_eq!(ten["tags"].as_array().unwrap().len(), 10);
    // A string instead of a list is malformed input, not a tag list.
    let body = json!({"title": "X", "body": "b", "tags": "rust"});
    let (status, _) = app
        .call("POST", "/api/posts", Some(&admin), Some(body))
        .await;
    assert!(status == 400 || status == 422, "{status}");
}

async fn patch_leaves_absent_tags_alone_and_empty_clears_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let post = app
        .create_post(
            &admin,
            json!({"title": "T", "body": "b", "tags": ["a", "b"]}),
        )
        .await;
    let path = format!("/api/posts/{}", post["id"]);
    let (status, got) = app
        .call("PATCH", &path, Some(&admin), Some(json!({"title": "T2"})))
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(names(&got["tags"]), ["a", "b"], "absent: unchanged");
    let (_, got) = app
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"tags": ["C", "a"]})),
        )
        .await;
    assert_eq!(names(&got["tags"]), ["a", "c"], "replaced");
    assert_ne!(got["updated_at"], Value::Null);
    let (_, got) = app
        .call("PATCH", &path, Some(&admin), Some(json!({"tags": []})))
        .await;
    assert_eq!(got["tags"], json!([]), "[]: none");
    let (_, got) = app.call("GET", &path, Some(&admin), None).await;
    assert_eq!(got["tags"], json!([]));
}

async fn list_filters_by_tag(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let mut tagged = Vec::new();
    for (i, tags) in [
        json!(["rust"]),
        json!(["go"]),
        json!(["rust", "go"]),
        json!([]),
    ]
    .into_iter()
    .enumerate()
    {
        let body =
            json!({"title": format!("P{i}"), "body": "b", "tags": tags, "status": "published"});
        let post = app.create_post(&admin, body).await;
        if post["tags"].as_array().unwrap().iter().any(|t| t == "rust") {
            tagged.push(post["id"].as_i64().unwrap());
        }
    }
    tagged.reverse();
    for query in ["/api/posts?tag=rust", "/api/posts?tag=RUST"] {
        let (status, page) = app.call("GET", query, None, None).await;
        assert_eq!(status, 200, "{page}");
        let ids: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, tagged, "{query}: newest first, only the tagged");
        assert!(page["items"][0]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "rust"));
    }
    // Pagination keeps the filter.
    let (_, first) = app
        .call("GET", "/api/posts?tag=rust&limit=1", None, None)
        .await;
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (_, second) = app
        .call(
            "GET",
            &format!("/api/posts?tag=rust&limit=1&cursor={cursor}"),
            None,
            None,
        )
        .await;
    assert_eq!(second["items"][0]["id"].as_i64(), Some(tagged[1]));
    let (_, none) = app
        .call("GET", "/api/posts?tag=nothing-here", None, None)
        .await;
    assert_eq!(none["items"], json!([]));
    let (status, body) = app
        .call("GET", "/api/posts?tag=not_a_tag", None, None)
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["tag"].is_array(), "{body}");
}

async fn tag_counts(app: &TestApp, token: Option<&str>) -> Vec<(String, i64)> {
    let (status, body) = app.call("GET", "/api/tags", token, None).await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn counts(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect()
}

async fn tag_counts_follow_the_read_rule(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["author"]).await;
    app.create_user("bob", &["user"]).await;
    app.create_user("eve", &["editor"]).await;
    let admin = app.admin_token().await.access_token;
    let ada = app.token("ada", None).await.access_token;
    let bob = app.token("bob", None).await.access_token;
    let eve = app.token("eve", None).await.access_token;
    let body = json!({"title": "Pub", "body": "b", "tags": ["rust", "web"], "status": "published"});
    app.create_post(&admin, body).await;
    let body = json!({"title": "Draft", "body": "b", "tags": ["rust", "secret"]});
    app.create_post(&ada, body).await;
    let untagged = app
        .create_post(&admin, json!({"title": "Later", "body": "b"}))
        .await;

    let public = counts(&[("rust", 1), ("web", 1)]);
    let everything = counts(&[("rust", 2), ("secret", 1), ("web", 1)]);
    assert_eq!(tag_counts(&app, None).await, public, "anonymous");
    assert_eq!(tag_counts(&app, Some(&bob)).await, public, "bob");
    assert_eq!(
        tag_counts(&app, Some(&ada)).await,
        everything,
        "ada owns the draft"
    );
    assert_eq!(
        tag_counts(&app, Some(&eve)).await,
        everything,
        "editors read drafts"
    );
    assert_eq!(tag_counts(&app, Some(&admin)).await, everything, "admin");
    // The counts agree with the list the same caller gets.
    let (_, listed) = app
        .call("GET", "/api/posts?tag=rust", Some(&bob), None)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let (_, listed) = app
        .call("GET", "/api/posts?tag=rust", Some(&ada), None)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    // A tag no post carries any more is absent.
    let path = format!("/api/posts/{}", untagged["id"]);
    app.call(
        "PATCH",
        &path,
        Some(&admin),
        Some(json!({"tags": ["gone"]})),
    )
    .await;
    assert!(tag_counts(&app, Some(&admin))
        .await
        .iter()
        .any(|(n, _)| n == "gone"));
    app.call("PATCH", &path, Some(&admin), Some(json!({"tags": []})))
        .await;
    assert_eq!(tag_counts(&app, Some(&admin)).await, everything);
    // A token without posts:read may not list tags.
    let narrow = app.token("bob", Some("comments:create")).await.access_token;
    let (status, _) = app.call("GET", "/api/tags", Some(&narrow), None).await;
    assert_eq!(status, 403);
}

both_backends!(
    tags_are_lowercased_deduplicated_and_checked,
    patch_leaves_absent_tags_alone_and_empty_clears_them,
    list_filters_by_tag,
    tag_counts_follow_the_read_rule,
);
