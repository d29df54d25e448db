//! SPEC §10 over HTTP: the review workflow (submit, publish/approve, schedule, send back,
//! unpublish) for each kind of staff, the 409s and 422s, `review_note` and the `can` flags.
//! The scheduler itself is in `scheduler`.

use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp};

/// A post by `author` put straight into `status` (scheduled ones far in the future, so the
/// scheduler leaves them alone).
pub async fn post_in(app: &TestApp, author: i64, status: &str, n: usize) -> i64 {
    let status = status.to_owned();
    app.with_conn(move |c| {
        use quire::db::queries::posts as post_q;
        let at = quire::db::now();
        let published_at = match status.as_str() {
            "published" => Some(at),
            "scheduled" => Some(at + chrono::Duration::days(30)),
            _ => None,
        };
        let post = post_q::insert_post(
            c,
            &quire::db::models::NewPost {
                author_id: author,
                title: format!("Workflow {n}"),
                slug: format!("workflow-{n}"),
                body: "body".into(),
                body_html: Some("<p>body</p>\n".into()),
                status: status.clone(),
                published_at,
                created_at: at,
                updated_at: at,
            },
        )
        .unwrap();
        if status == "scheduled" {
            let changes = post_q::PostChanges {
                scheduled_by: Some(Some(author)),
                ..Default::default()
            };
            post_q::update_post(c, post.id, &changes).unwrap();
        }
        post.id
    })
    .await
}

/// A time `secs` from now, as RFC 3339 (whole seconds, as responses show them).
pub fn in_secs(secs: i64) -> String {
    let t = chrono::Utc::now() + chrono::Duration::seconds(secs);
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Sends `action` on post `id` as `token`: the path and the body each action needs.
async fn act(app: &TestApp, token: &str, action: &str, id: i64) -> (u16, Value) {
    let (route, body) = match action {
        "schedule" => ("publish", Some(json!({"at": in_secs(3600)}))),
        "reject" => ("reject", Some(json!({"note": "Please add a source."}))),
        other => (other, None),
    };
    let path = format!("/api/posts/{id}/{route}");
    app.call("POST", &path, Some(token), body).await
}

/// (actor, author of the post, its status, action, expected status, status afterwards).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u16,
    &'static str,
);

/// cora: contributor, aldo: author, eddy: editor, mona: moderator, ursula: user.
const ROWS: &[Row] = &[
    // A contributor writes and submits, and can do nothing more.
    ("cora", "cora", "draft", "submit", 200, "review"),
    ("cora", "cora", "review", "submit", 409, "review"),
    ("cora", "cora", "published", "submit", 409, "published"),
    ("cora", "cora", "draft", "publish", 403, "draft"),
    ("cora", "cora", "draft", "schedule", 403, "draft"),
    ("cora", "cora", "review", "reject", 403, "review"),
    ("cora", "cora", "published", "unpublish", 403, "published"),
    // An author publishes (or schedules) their own, from draft or review.
    ("aldo", "aldo", "draft", "publish", 200, "published"),
    ("aldo", "aldo", "review", "publish", 200, "published"),
    ("aldo", "aldo", "published", "publish", 409, "published"),
    ("aldo", "aldo", "scheduled", "publish", 409, "scheduled"),
    ("aldo", "aldo", "draft", "schedule", 200, "scheduled"),
    ("aldo", "aldo", "scheduled", "schedule", 409, "scheduled"),
    ("aldo", "aldo", "draft", "submit", 200, "review"),
    ("aldo", "aldo", "scheduled", "unpublish", 200, "draft"),
    ("aldo", "aldo", "published", "unpublish", 200, "draft"),
    ("aldo", "aldo", "draft", "unpublish", 409, "draft"),
    ("aldo", "aldo", "review", "unpublish", 409, "review"),
    ("aldo", "aldo", "review", "reject", 403, "review"),
    ("aldo", "cora", "published", "unpublish", 403, "published"),
    ("aldo", "cora", "review", "publish", 404, "review"),
    // An editor approves, sends back and schedules anyone's; submitting is the owner's.
    ("eddy", "cora", "review", "publish", 200, "published"),
    ("eddy", "cora", "draft", "publish", 200, "published"),
    ("eddy", "cora", "review", "reject", 200, "draft"),
    ("eddy", "cora", "draft", "reject", 409, "draft"),
    ("eddy", "cora", "published", "reject", 409, "published"),
    ("eddy", "cora", "review", "schedule", 200, "scheduled"),
    ("eddy", "aldo", "draft", "schedule", 200, "scheduled"),
    ("eddy", "aldo", "published", "schedule", 409, "published"),
    ("eddy", "aldo", "scheduled", "unpublish", 200, "draft"),
    ("eddy", "cora", "draft", "submit", 403, "draft"),
    // A moderator reads and edits everything but publishes only their own.
    ("mona", "cora", "review", "publish", 403, "review"),
    ("mona", "cora", "review", "schedule", 403, "review"),
    ("mona", "cora", "review", "reject", 403, "review"),
    ("mona", "cora", "draft", "submit", 403, "draft"),
    ("mona", "cora", "scheduled", "unpublish", 403, "scheduled"),
    // A plain user cannot even see other people's unpublished posts.
    ("ursula", "cora", "review", "publish", 404, "review"),
    ("ursula", "cora", "draft", "submit", 404, "draft"),
    ("ursula", "cora", "scheduled", "unpublish", 404, "scheduled"),
    ("ursula", "cora", "review", "reject", 403, "review"),
    ("ursula", "cora", "published", "submit", 403, "published"),
];

const STAFF: [(&str, &str); 5] = [
    ("cora", "contributor"),
    ("aldo", "author"),
    ("eddy", "editor"),
    ("mona", "moderator"),
    ("ursula", "user"),
];

async fn staff(app: &TestApp) -> std::collections::HashMap<&'static str, (i64, String)> {
    let mut out = std::collections::HashMap::new();
    for (name, role) in STAFF {
        let id = app.create_user(name, &[role]).await;
        out.insert(name, (id, app.token(name, None).await.access_token));
    }
    out
}

async fn every_transition_for_every_kind_of_staff(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let who = staff(&app).await;
    let admin = app.admin_token().await.access_token;
    let mut failures = Vec::new();
    for (n, &(actor, author, status, action, want, after)) in ROWS.iter().enumerate() {
        let id = post_in(&app, who[author].0, status, n).await;
        let (got, body) = act(&app, &who[actor].1, action, id).await;
        let (_, seen) = app
            .call("GET", &format!("/api/posts/{id}"), Some(&admin), None)
            .await;
        let row = format!("{actor} {action} {author}'s {status} post");
        if got != want {
            failures.push(format!("{row}: got {got}, want {want}: {body}"));
        }
        if seen["status"] != after {
            failures.push(format!("{row}: now {}, want {after}", seen["status"]));
        }
        if want == 409 {
            // The 409 names the current status.
            let message = body["message"].as_str().unwrap_or_default();
            if body["error"] != "conflict" || !message.contains(status) {
                failures.push(format!("{row}: 409 body {body}"));
            }
        }
        if want == 200 && body["status"] != after {
            failures.push(format!("{row}: answered {}", body["status"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

async fn approvals_schedules_and_send_backs_are_audited(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let who = staff(&app).await;
    let eddy = &who["eddy"].1;
    let review = post_in(&app, who["cora"].0, "review", 1).await;
    let draft = post_in(&app, who["cora"].0, "draft", 2).await;
    let to_schedule = post_in(&app, who["aldo"].0, "draft", 3).await;
    let own = post_in(&app, who["aldo"].0, "draft", 4).await;
    assert_eq!(act(&app, eddy, "publish", review).await.0, 200);
    assert_eq!(act(&app, eddy, "publish", draft).await.0, 200);
    assert_eq!(act(&app, eddy, "schedule", to_schedule).await.0, 200);
    // Scheduling one's own post is audited too (the scheduler acts on it later).
    assert_eq!(act(&app, &who["aldo"].1, "schedule", own).await.0, 200);
    let rejected = post_in(&app, who["cora"].0, "review", 5).await;
    assert_eq!(act(&app, eddy, "reject", rejected).await.0, 200);
    let events: Vec<(String, String, String)> = app
        .with_conn(|c| {
            quire::db::queries::audit::list_events(c, &Default::default(), 1000)
                .unwrap()
                .into_iter()
                .filter(|e| e.action.starts_with("post."))
                .map(|e| (e.actor, e.action, e.target))
                .collect()
        })
        .await;
    let has = |actor: &str, action: &str, id: i64| {
        let target = format!("post {id}");
        events
            .iter()
            .any(|e| e.0 == actor && e.1 == action && e.2 == target)
    };
    assert!(has("eddy", "post.approve", review), "{events:?}");
    assert!(has("eddy", "post.publish", draft), "{events:?}");
    assert!(!has("eddy", "post.approve", draft), "{events:?}");
    assert!(has("eddy", "post.schedule", to_schedule), "{events:?}");
    assert!(has("aldo", "post.schedule", own), "{events:?}");
    assert!(has("eddy", "post.reject", rejected), "{events:?}");
}

async fn bad_times_and_notes_are_422_naming_the_field(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let who = staff(&app).await;
    let eddy = &who["eddy"].1;
    let id = post_in(&app, who["cora"].0, "review", 1).await;
    let publish = format!("/api/posts/{id}/publish");
    let reject = format!("/api/posts/{id}/reject");
    for (path, body, field) in [
        (&publish, json!({"at": in_secs(-60)}), "at"),
        (&publish, json!({"at": "2020-01-01T00:00:00Z"}), "at"),
        (&publish, json!({"at": "tomorrow"}), "at"),
        (&publish, json!({"at": "2030-01-01T00:00:00"}), "at"),
        (&reject, json!({}), "note"),
        (&reject, json!({"note": ""}), "note"),
        (&reject, json!({"note": "  \n "}), "note"),
        (&reject, json!({"note": "x".repeat(2001)}), "note"),
        (&reject, json!({"note": "a\u{0}b"}), "note"),
    ] {
        let (status, err) = app.call("POST", path, Some(eddy), Some(body.clone())).await;
        assert_eq!(status, 422, "{path} {body}: {err}");
        assert!(err["fields"][field].is_array(), "{path} {body}: {err}");
    }
    let (_, post) = app
        .call("GET", &format!("/api/posts/{id}"), Some(eddy), None)
        .await;
    assert_eq!(post["status"], "review", "nothing changed");
    // The longest note is fine, and an explicit `null` body publishes now.
    let (status, _) = app
        .call(
            "POST",
            &reject,
            Some(eddy),
            Some(json!({"note": "é".repeat(2000)})),
        )
        .await;
    assert_eq!(status, 200);
    let draft = post_in(&app, who["cora"].0, "draft", 2).await;
    let path = format!("/api/posts/{draft}/publish");
    let (status, post) = app.call("POST", &path, Some(eddy), Some(Value::Null)).await;
    assert_eq!((status, &post["status"]), (200, &json!("published")));
}

async fn review_notes_are_shown_to_those_who_may_edit_and_cleared_on_publish(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let who = staff(&app).await;
    let cora = who["cora"].0;
    let id = post_in(&app, cora, "review", 1).await;
    let path = format!("/api/posts/{id}/reject");
    let note = json!({"note": "Needs a source."});
    let (status, post) = app
        .call("POST", &path, Some(&who["eddy"].1), Some(note))
        .await;
    assert_eq!(status, 200);
    assert_eq!(post["review_note"], "Needs a source.");
    let one = format!("/api/posts/{id}");
    for (name, shown) in [("cora", true), ("eddy", true), ("mona", true)] {
        let (_, post) = app.call("GET", &one, Some(&who[name].1), None).await;
        let want = if shown {
            json!("Needs a source.")
        } else {
            Value::Null
        };
        assert_eq!(post["review_note"], want, "{name}");
    }
    // The author submits again and an editor approves: the note is gone, also once public.
    assert_eq!(act(&app, &who["cora"].1, "submit", id).await.0, 200);
    let (_, post) = app.call("GET", &one, Some(&who["cora"].1), None).await;
    assert_eq!(
        post["review_note"], "Needs a source.",
        "kept while in review"
    );
    assert_eq!(act(&app, &who["eddy"].1, "publish", id).await.0, 200);
    for name in ["cora", "eddy", "ursula"] {
        let (_, post) = app.call("GET", &one, Some(&who[name].1), None).await;
        assert_eq!(post["review_note"], Value::Null, "{name}");
    }
}

async fn can_flags_follow_the_status(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let who = staff(&app).await;
    let cora = who["cora"].0;
    // (viewer, status of cora's post, [submit, schedule, reject, publish]).
    let rows = [
        ("cora", "draft", [true, false, false, false]),
        ("cora", "review", [false, false, false, false]),
        ("eddy", "draft", [false, true, false, true]),
        ("eddy", "review", [false, true, true, true]),
        ("eddy", "scheduled", [false, false, false, true]),
        ("eddy", "published", [false, false, false, true]),
        ("mona", "review", [false, false, false, false]),
        ("ursula", "published", [false, false, false, false]),
    ];
    for (n, (viewer, status, want)) in rows.into_iter().enumerate() {
        let id = post_in(&app, cora, status, n).await;
        let (code, post) = app
            .call(
                "GET",
                &format!("/api/posts/{id}"),
                Some(&who[viewer].1),
                None,
            )
            .await;
        assert_eq!(code, 200, "{viewer} {status}");
        let can = &post["can"];
        let got = ["submit", "schedule", "reject", "publish"].map(|k| can[k].as_bool().unwrap());
        assert_eq!(got, want, "{viewer} on a {status} post: {can}");
    }
    // Aldo's own draft: he may submit it and schedule it, not send it back.
    let id = post_in(&app, who["aldo"].0, "draft", 100).await;
    let (_, post) = app
        .call(
            "GET",
            &format!("/api/posts/{id}"),
            Some(&who["aldo"].1),
            None,
        )
        .await;
    assert_eq!(post["can"]["submit"], true);
    assert_eq!(post["can"]["schedule"], true);
    assert_eq!(post["can"]["reject"], false);
    // Every status filters the listing.
    for status in ["draft", "review", "scheduled", "published"] {
        let (code, page) = app
            .call(
                "GET",
                &format!("/api/posts?status={status}"),
                Some(&who["eddy"].1),
                None,
            )
            .await;
        assert_eq!(code, 200, "{status}");
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{status}");
        assert!(
            items.iter().all(|p| p["status"] == status),
            "{status}: {page}"
        );
    }
}

both_backends!(
    every_transition_for_every_kind_of_staff,
    approvals_schedules_and_send_backs_are_audited,
    bad_times_and_notes_are_422_naming_the_field,
    review_notes_are_shown_to_those_who_may_edit_and_cleared_on_publish,
    can_flags_follow_the_status,
);
