//! `/feed.atom`, `/sitemap.xml` and `/t/{tag}` (SPEC §10), and the caching headers of the
//! public pages.

use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::{feedparser_python, spawn_app, Backend, TestApp, PUBLIC_URL};

/// The feed as feedparser reads it: `{bozo, version, feed: {...}, entries: [...]}`.
fn parse_feed(xml: &str) -> Value {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), xml).unwrap();
    let script = r#"
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": bool(d.bozo),
    "bozo_exception": str(d.get("bozo_exception", "")),
    "version": d.version,
    "feed": {"title": d.feed.get("title"), "id": d.feed.get("id"),
             "links": [dict(l) for l in d.feed.get("links", [])],
             "updated": d.feed.get("updated")},
    "entries": [{"id": e.get("id"), "title": e.get("title"), "link": e.get("link"),
                 "updated": e.get("updated"), "published": e.get("published"),
                 "author": e.get("author"),
                 "content": [dict(c) for c in e.get("content", [])]}
                for e in d.entries],
}))
"#;
    let out = Command::new(feedparser_python())
        .args(["-c", script])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "feedparser: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Publishes `n` posts through the API, oldest first; returns them as created.
async fn publish_posts(app: &TestApp, token: &str, n: usize, tags: Value) -> Vec<Value> {
    let mut posts = Vec::new();
    for i in 0..n {
        let body = json!({"title": format!("Post {i}"), "body": format!("Body **{i}**"),
                          "status": "published", "tags": tags});
        posts.push(app.create_post(token, body).await);
    }
    posts
}

async fn the_feed_is_valid_atom_with_the_latest_published_posts(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let posts = publish_posts(&app, &admin, 22, json!([])).await;
    app.create_post(&admin, json!({"title": "Secret draft", "body": "no"}))
        .await;
    // An edit moves `updated` but not the order.
    let edited = &posts[20];
    let path = format!("/api/posts/{}", edited["id"]);
    let (status, _) = app
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"title": "Edited"})),
        )
        .await;
    assert_eq!(status, 200);
    let resp = app.get("/feed.atom").await;
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/atom+xml"), "{ct}");
    let xml = resp.text().await.unwrap();
    let feed = parse_feed(&xml);
    assert_eq!(feed["bozo"], false, "{}", feed["bozo_exception"]);
    assert_eq!(feed["version"], "atom10");
    let self_link = feed["feed"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .expect("a self link");
    assert_eq!(self_link["href"], format!("{PUBLIC_URL}/feed.atom"));
    let entries = feed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 20, "the latest 20");
    let titles: Vec<&str> = entries
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    let mut want: Vec<String> = (2..22).rev().map(|i| format!("Post {i}")).collect();
    want[1] = "Edited".into();
    assert_eq!(titles, want, "newest first, drafts absent");
    for (entry, post) in entries.iter().zip(posts.iter().rev()) {
        let link = entry["link"].as_str().unwrap();
        assert_eq!(
            link,
            format!("{PUBLIC_URL}/p/{}", post["slug"].as_str().unwrap())
        );
        assert!(
            entry["id"].as_str().unwrap().starts_with("https://"),
            "{entry}"
        );
        assert_eq!(entry["author"], "Administrator", "the display name");
        assert_eq!(entry["content"][0]["type"], "text/html");
    }
    let (_, fresh) = app.call("GET", &path, None, None).await;
    let updated = entries[1]["updated"].as_str().unwrap();
    let api_updated = fresh["updated_at"].as_str().unwrap();
    // The API writes whole seconds; the feed keeps the stored fraction.
    let updated = chrono::DateTime::parse_from_rfc3339(updated).unwrap();
    assert_eq!(
        updated.timestamp(),
        chrono::DateTime::parse_from_rfc3339(api_updated)
            .unwrap()
            .timestamp(),
        "updated is the post's updated_at"
    );
    let value = entries[0]["content"][0]["value"].as_str().unwrap();
    assert!(value.contains("<strong>21</strong>"), "{value}");
}

async fn the_sitemap_lists_published_posts_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let posts = publish_posts(&app, &admin, 3, json!([])).await;
    let draft = app
        .create_post(&admin, json!({"title": "Hidden", "body": "no"}))
        .await;
    let resp = app.get("/sitemap.xml").await;
    assert_eq!(resp.status(), 200);
    let xml = resp.text().await.unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut locs, mut in_loc, mut root) = (Vec::new(), false, None);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                root.get_or_insert(name.clone());
                in_loc = name == "loc";
            }
            quick_xml::events::Event::Text(t) if in_loc => {
                locs.push(t.decode().unwrap().into_owned());
            }
            quick_xml::events::Event::End(_) => in_loc = false,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("urlset"));
    let mut want: Vec<String> = posts
        .iter()
        .map(|p| format!("{PUBLIC_URL}/p/{}", p["slug"].as_str().unwrap()))
        .collect();
    want.reverse();
    assert_eq!(locs, want, "{xml}");
    assert!(!xml.contains(draft["slug"].as_str().unwrap()));
}

async fn tag_pages_list_published_posts_and_404_otherwise(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    publish_posts(&app, &admin, 2, json!(["rust"])).await;
    app.create_post(
        &admin,
        json!({"title": "Draft one", "body": "x", "tags": ["hidden", "rust"]}),
    )
    .await;
    let resp = app.get("/t/rust").await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Post 0") && html.contains("Post 1"), "{html}");
    assert!(!html.contains("Draft one"), "drafts are not listed");
    assert_eq!(
        app.get("/t/RUST").await.status(),
        200,
        "names are lowercased"
    );
    for missing in ["/t/hidden", "/t/nothing", "/t/bad_name", "/t/%20"] {
        assert_eq!(app.get(missing).await.status(), 404, "{missing}");
    }
    // The post page links its tags.
    let page = app.get("/p/post-0").await.text().await.unwrap();
    assert!(page.contains("href=\"/t/rust\""), "{page}");
}

async fn public_pages_cache_for_anonymous_readers(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let posts = publish_posts(&app, &admin, 1, json!(["rust"])).await;
    let slug = posts[0]["slug"].as_str().unwrap().to_owned();
    let anon = reqwest::Client::new();
    let pages = [
        "/",
        &format!("/p/{slug}"),
        "/t/rust",
        "/feed.atom",
        "/sitemap.xml",
    ];
    let mut etags = Vec::new();
    for path in pages {
        let resp = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let h = resp.headers();
        assert_eq!(h["cache-control"], "public, max-age=60", "{path}");
        assert!(h.get("set-cookie").is_none(), "{path} sets no cookie");
        let etag = h["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        // Revalidation: 304 with the same tag, no body.
        let again = anon
            .get(app.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert_eq!(again.headers()["cache-control"], "public, max-age=60");
        assert!(again.text().await.unwrap().is_empty());
        let other = anon
            .get(app.url(path))
            .header("If-None-Match", "W/\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200, "{path}");
        etags.push(etag);
    }
    // Any content change changes every page's tag.
    let path = format!("/api/posts/{}", posts[0]["id"]);
    let (status, _) = app
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"body": "changed"})),
        )
        .await;
    assert_eq!(status, 200);
    for (path, old) in pages.iter().zip(&etags) {
        let resp = anon
            .get(app.url(path))
            .header("If-None-Match", old)
            .send()
            .await
            .unwrap();
        if *path == "/" || *path == "/t/rust" || *path == "/sitemap.xml" {
            // Lists show titles and authors, the sitemap slugs and times to the second: a
            // body edit need not change them (their bytes, hence tags, stay).
            continue;
        }
        assert_eq!(resp.status(), 200, "{path} changed");
    }
    let (status, _) = app
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"title": "Retitled"})),
        )
        .await;
    assert_eq!(status, 200);
    for (path, old) in pages.iter().zip(&etags).take(4) {
        let resp = anon
            .get(app.url(path))
            .header("If-None-Match", old)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path} changed with the title");
    }
    // Signed in: private. Bearer callers too.
    let signed_in = crate::pages::sign_in(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    for path in pages {
        let resp = signed_in.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.headers()["cache-control"], "private", "{path}");
        let resp = anon
            .get(app.url(path))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.headers()["cache-control"],
            "private",
            "{path} with a token"
        );
        assert!(resp.headers()["vary"].to_str().unwrap().contains("Cookie"));
    }
    let resp = anon.get(app.url("/admin/login")).send().await.unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-store");
}

both_backends!(
    the_feed_is_valid_atom_with_the_latest_published_posts,
    the_sitemap_lists_published_posts_only,
    tag_pages_list_published_posts_and_404_otherwise,
    public_pages_cache_for_anonymous_readers,
);
