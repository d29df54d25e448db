//! `body_html` (SPEC §10): the Markdown body rendered and sanitized when it is written,
//! returned in the Post JSON and shown on the public page; old rows rendered at start.

use serde_json::{json, Value};

use crate::helpers::{spawn_on, Backend, TestDb};

/// The markup of `html`: every `<...>` segment, lowercased. Escaped text (`&lt;script&gt;`)
/// is harmless and not markup.
fn markup(html: &str) -> String {
    html.to_ascii_lowercase()
        .split('<')
        .skip(1)
        .map(|s| format!("<{}>", s.split('>').next().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(" ")
}

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" OnError = \"alert(1)\">",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<form action=/x><input name=a></form>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p <img src=x onerror=alert(1)>>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">ok</a>",
    "<<img src=x onerror=alert(1)//<",
    "<object data=\"x.swf\"></object><embed src=x>",
    "<style>body{display:none}</style>",
    "<!-- <img src=x onerror=alert(1)> -->",
    "<details open ontoggle=alert(1)>",
];

const FORBIDDEN: &[&str] = &[
    "<script",
    "onerror",
    "onload",
    "onclick",
    "ontoggle",
    "javascript:",
    "data:text",
    "data:image/svg",
    "<svg",
    "<iframe",
    "<form",
    "<input",
    "<object",
    "<embed",
    "<style",
    "style=",
    "<math",
    "<details",
];

fn assert_clean(html: &str, payload: &str) {
    let m = markup(html);
    for bad in FORBIDDEN {
        assert!(!m.contains(bad), "{bad:?} survived {payload:?}: {html:?}");
    }
}

async fn xss_payloads_never_survive_in_body_html(backend: Backend) {
    let app = spawn_on(std::sync::Arc::new(TestDb::migrated(backend)), &[]).await;
    let admin = app.admin_token().await.access_token;
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let body = format!("Before\n\n{payload}\n\nafter");
        let post = app
            .create_post(
                &admin,
                json!({"title": format!("X{i}"), "body": body, "status": "published"}),
            )
            .await;
        assert_eq!(post["body"], body, "the Markdown is kept as written");
        let html = post["body_html"].as_str().expect("body_html on create");
        assert_clean(html, payload);
        assert!(html.contains("<p>Before</p>"), "{html}");
        // The same payload through PATCH.
        let path = format!("/api/posts/{}", post["id"]);
        let patched = format!("{payload} patched");
        let (status, got) = app
            .call("PATCH", &path, Some(&admin), Some(json!({"body": patched})))
            .await;
        assert_eq!(status, 200, "{got}");
        assert_clean(got["body_html"].as_str().unwrap(), payload);
        // The public page shows the stored HTML as markup, and nothing else of the payload.
        let slug = post["slug"].as_str().unwrap();
        let page = app.get(&format!("/p/{slug}")).await.text().await.unwrap();
        let start = page
            .find("class=\"post-body")
            .expect("the body on the page");
        let shown = &page[start..];
        let shown = &shown[..shown.find("</article>").unwrap_or(shown.len())];
        assert_clean(shown, payload);
    }
}

async fn tables_strikethrough_and_links_render(backend: Backend) {
    let app = spawn_on(std::sync::Arc::new(TestDb::migrated(backend)), &[]).await;
    let admin = app.admin_token().await.access_token;
    let body = "# Head\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~ [site](https://ok.example) \
                [mail](mailto:a@ok.example) [rel](/p/x) ![pic](https://ok.example/a.png)";
    let post = app
        .create_post(
            &admin,
            json!({"title": "Rich", "body": body, "status": "published"}),
        )
        .await;
    let html = post["body_html"].as_str().unwrap();
    for want in [
        "<h1>Head</h1>",
        "<table>",
        "<th style=\"text-align: left\">a</th>",
        "<td style=\"text-align: right\">2</td>",
        "<del>gone</del>",
        "href=\"https://ok.example\"",
        "href=\"mailto:a@ok.example\"",
        "href=\"/p/x\"",
        "<img src=\"https://ok.example/a.png\" alt=\"pic\">",
    ] {
        assert!(html.contains(want), "{want} in {html}");
    }
    let (_, got) = app
        .call("GET", &format!("/api/posts/{}", post["id"]), None, None)
        .await;
    assert_eq!(
        got["body_html"].as_str(),
        Some(html),
        "reads return the stored HTML"
    );
    let page = app.get("/p/rich").await.text().await.unwrap();
    assert!(
        page.contains("<del>gone</del>") && page.contains("<table>"),
        "{page}"
    );
    // A title change leaves the rendering alone; a body change replaces it.
    let path = format!("/api/posts/{}", post["id"]);
    let (_, got) = app
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"title": "Renamed"})),
        )
        .await;
    assert_eq!(got["body_html"].as_str(), Some(html));
    let (_, got) = app
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"body": "**new**"})),
        )
        .await;
    assert_eq!(got["body_html"], "<p><strong>new</strong></p>\n");
}

async fn rows_without_html_are_rendered_at_start(backend: Backend) {
    let test_db = std::sync::Arc::new(TestDb::migrated(backend));
    let app = spawn_on(test_db.clone(), &[]).await;
    let admin_id = app
        .with_conn(|c| {
            quire::db::queries::users::find_user_by_username(c, "admin")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    // As an older release stored them: no rendering. More than one batch of them.
    let ids: Vec<i64> = app
        .with_conn(move |c| {
            let at = quire::db::now();
            (0..230)
                .map(|n| {
                    quire::db::queries::posts::insert_post(
                        c,
                        &quire::db::models::NewPost {
                            author_id: admin_id,
                            title: format!("Old {n}"),
                            slug: format!("old-{n}"),
                            body: format!("*old* {n} <script>x</script>"),
                            status: "published".into(),
                            published_at: Some(at),
                            created_at: at,
                            updated_at: at,
                            body_html: None,
                        },
                    )
                    .unwrap()
                    .id
                })
                .collect()
        })
        .await;
    let first = format!("/api/posts/{}", ids[0]);
    let (_, before) = app.call("GET", &first, None, None).await;
    assert_eq!(before["body_html"], Value::Null, "reading never renders");
    // Two instances starting on the same database at once.
    let (a, b) = tokio::join!(spawn_on(test_db.clone(), &[]), spawn_on(test_db, &[]));
    let missing = a
        .with_conn(|c| {
            quire::db::queries::posts::unrendered_posts(c, 1000)
                .unwrap()
                .len()
        })
        .await;
    assert_eq!(missing, 0);
    for (n, id) in ids.iter().enumerate().step_by(57) {
        let (_, got) = b.call("GET", &format!("/api/posts/{id}"), None, None).await;
        assert_eq!(
            got["body_html"],
            format!("<p><em>old</em> {n} </p>\n"),
            "{got}"
        );
    }
}

async fn a_new_renderer_version_renders_every_post_again(backend: Backend) {
    let test_db = std::sync::Arc::new(TestDb::migrated(backend));
    let app = spawn_on(test_db.clone(), &[]).await;
    let admin = app.admin_token().await.access_token;
    let post = app
        .create_post(&admin, json!({"title": "Kept", "body": "*fresh*"}))
        .await;
    let id = post["id"].as_i64().unwrap();
    // As a release with another renderer left it: an outdated rendering, another version.
    app.with_conn(move |c| {
        use diesel::prelude::*;
        use quire::db::schema::posts;
        diesel::update(posts::table.find(id))
            .set(posts::body_html.eq("<p>stale</p>"))
            .execute(c)
            .unwrap();
        quire::db::queries::settings::set_setting(c, "markdown_render_version", "0").unwrap();
    })
    .await;
    let path = format!("/api/posts/{id}");
    let (_, got) = app.call("GET", &path, Some(&admin), None).await;
    assert_eq!(got["body_html"], "<p>stale</p>", "reading never renders");
    let next = spawn_on(test_db, &[]).await;
    let (_, got) = next.call("GET", &path, Some(&admin), None).await;
    assert_eq!(got["body_html"], "<p><em>fresh</em></p>\n");
    let version = next
        .with_conn(|c| {
            quire::db::queries::settings::find_setting(c, "markdown_render_version").unwrap()
        })
        .await;
    assert_eq!(
        version,
        Some(quire::blog::markdown::RENDER_VERSION.to_string())
    );
}

both_backends!(
    xss_payloads_never_survive_in_body_html,
    tables_strikethrough_and_links_render,
    rows_without_html_are_rendered_at_start,
    a_new_renderer_version_renders_every_post_again,
);
