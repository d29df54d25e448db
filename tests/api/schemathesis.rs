//! Property-based testing of the whole JSON API against its own OpenAPI document:
//! schemathesis (from PyPI, in the suite's venv) generates valid and invalid requests for
//! every operation, as an administrator holding every scope, and checks that no answer is a
//! 5xx and that every answer's status, content type and body are the documented ones.
//! Bounded: a fixed seed, a few examples per operation, one worker, and a hard time limit.
//! See docs/reliability.md ("Schemathesis") for what it found.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{create_role, spawn_app, venv_python, Backend, TestApp};

/// The run is killed (and the test fails) past this; a normal run takes well under it.
const TIME_LIMIT: Duration = Duration::from_secs(120);
/// Test cases per operation and phase; enough to reach every error path at least once.
const MAX_EXAMPLES: &str = "25";
const SEED: &str = "20261123";
const CHECKS: &str = "not_a_server_error,status_code_conformance,\
                      content_type_conformance,response_schema_conformance";

/// A little of everything, so that small path ids (users, posts, comments) and role names
/// exist and the generated requests reach the handlers' logic, not only their 404s.
async fn seed(app: &TestApp, token: &str) {
    app.create_user("alice", &["author"]).await;
    app.create_user("bob", &["moderator"]).await;
    app.create_user("carol", &["contributor"]).await;
    create_role(app, "reviewer", &["posts:read", "comments:read"]).await;
    for n in 0..4 {
        let status = if n % 2 == 0 { "published" } else { "draft" };
        let (code, post) = app
            .call(
                "POST",
                "/api/posts",
                Some(token),
                Some(json!({"title": format!("Post {n}"), "body": "Text.", "status": status})),
            )
            .await;
        assert_eq!(code, 201, "{post}");
        if status == "published" {
            let path = format!("/api/posts/{}/comments", post["id"]);
            let (code, comment) = app
                .call("POST", &path, Some(token), Some(json!({"body": "Nice."})))
                .await;
            assert_eq!(code, 201, "{comment}");
        }
    }
}

/// `st run`, with its output in `dir/output.txt`; `None` when it ran out of time.
fn run_schemathesis(dir: &Path, url: &str, token: &str) -> (Option<bool>, String) {
    let st = PathBuf::from(venv_python()).with_file_name("st");
    let output = dir.join("output.txt");
    let file = std::fs::File::create(&output).unwrap();
    let mut child = Command::new(st)
        .arg("run")
        .arg(url)
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", CHECKS])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        // One worker: the run is then reproducible, and Hypothesis's source inspection is
        // not thread-safe (two workers occasionally end in an internal "Runtime Error").
        .args(["--workers", "1", "--request-timeout", "10"])
        .args(["--generation-database", "none", "--no-color"])
        // Its reports and caches stay in the temporary directory.
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("run schemathesis from the venv");
    let deadline = Instant::now() + TIME_LIMIT;
    let passed = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status.success());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    (passed, std::fs::read_to_string(output).unwrap_or_default())
}

async fn the_api_answers_as_its_openapi_document_says(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await.access_token;
    seed(&app, &token).await;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let url = app.url("/api/openapi.json");
    let bearer = token.clone();
    let started = Instant::now();
    let (passed, output) =
        tokio::task::spawn_blocking(move || run_schemathesis(&path, &url, &bearer))
            .await
            .unwrap();
    let elapsed = started.elapsed();
    match passed {
        Some(true) => eprintln!("schemathesis ({backend:?}) passed in {elapsed:.0?}"),
        Some(false) => panic!("schemathesis ({backend:?}) found failures:\n{output}"),
        None => panic!("schemathesis ({backend:?}) ran past {TIME_LIMIT:?}:\n{output}"),
    }

    // Nothing in the run (role edits, grants, disabling users, revocations) locked the
    // administrator out, so every operation was exercised with full rights to the end.
    let (code, me) = app.call("GET", "/api/me", Some(&token), None).await;
    assert_eq!(code, 200, "{me}");
    let effective = me["effective_permissions"].as_array().unwrap();
    for (name, _) in quire::authz::CATALOG {
        assert!(effective.iter().any(|p| p == name), "{name} lost: {me}");
    }
}

both_backends!(the_api_answers_as_its_openapi_document_says);
