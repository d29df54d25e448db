//! PostgreSQL may close Quire's pooled connections at any time (a server restart, an idle
//! timeout, an administrator's `pg_terminate_backend`). No client may see that: reads are
//! not tested before they run but run again on another connection (`db::read_again`), and
//! writes take a connection tested with `SELECT 1` (`db::checked`). Here every backend the
//! instance holds is terminated while idle; then reads (single posts, pages, in parallel),
//! writes and logins must all succeed, on connections that are all new.

use std::collections::BTreeSet;

use diesel::sql_types::Integer;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use serde_json::json;

use crate::helpers::{spawn_app, Backend, TestApp};

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// The server processes serving the instance's database, other than `own`'s.
fn instance_backends(own: &mut PgConnection) -> BTreeSet<i32> {
    diesel::sql_query(
        "SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .load::<Pid>(own)
    .expect("pg_stat_activity")
    .into_iter()
    .map(|b| b.pid)
    .collect()
}

/// `n` concurrent reads, alternating a single post and a first page; every one must be a
/// 200 with the post in it.
async fn parallel_reads(app: &TestApp, token: &str, id: i64, n: usize) {
    let reads: Vec<_> = (0..n)
        .map(|i| {
            let client = app.client.clone();
            let url = if i % 2 == 0 {
                app.url(&format!("/api/posts/{id}"))
            } else {
                app.url("/api/posts?limit=20")
            };
            let token = token.to_owned();
            tokio::spawn(async move {
                let resp = client.get(&url).bearer_auth(token).send().await.unwrap();
                let status = resp.status().as_u16();
                (url, status, resp.text().await.unwrap())
            })
        })
        .collect();
    for read in reads {
        let (url, status, body) = read.await.unwrap();
        assert_eq!(status, 200, "GET {url}: {body}");
        assert!(body.contains("\"Survivor\""), "GET {url}: {body}");
    }
}

/// An instance whose pool is full of connections that have served reads, all of which the
/// server has then closed. Returns the app, a writer's token, a published post's id, the
/// closed backends' pids and a connection of the test's own.
async fn instance_with_a_closed_pool() -> (TestApp, String, i64, BTreeSet<i32>, PgConnection) {
    let app = spawn_app(Backend::Postgres).await;
    app.create_user("writer", &["author"]).await;
    let token = app.token("writer", None).await.access_token;
    let post = app
        .create_post(
            &token,
            json!({"title": "Survivor", "body": "b", "status": "published"}),
        )
        .await;
    let id = post["id"].as_i64().expect("created post id");

    // Fill the pool (8 connections) with connections that have served reads.
    parallel_reads(&app, &token, id, 32).await;
    let mut own = PgConnection::establish(&app.test_db.url).expect("connect to the test database");
    let before = instance_backends(&mut own);
    assert!(
        before.len() >= 2,
        "the pool holds several connections: {before:?}"
    );

    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut own)
    .expect("terminate the instance's backends");
    for _ in 0..100 {
        if instance_backends(&mut own).is_disjoint(&before) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        instance_backends(&mut own).is_disjoint(&before),
        "backends still alive"
    );
    (app, token, id, before, own)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reads_on_connections_the_server_closed_run_again() {
    let (app, token, id, before, mut own) = instance_with_a_closed_pool().await;

    // Reads meet the dead connections first; then a write; then reads again.
    parallel_reads(&app, &token, id, 32).await;
    app.create_post(&token, json!({"title": "After", "body": "b"}))
        .await;
    parallel_reads(&app, &token, id, 32).await;

    let after = instance_backends(&mut own);
    assert!(!after.is_empty(), "the instance reconnected");
    assert!(
        after.is_disjoint(&before),
        "no terminated backend is in use: {after:?}"
    );
}

/// Work that is not run again (here a login, which writes its refresh token) takes a
/// tested connection: the first requests after the pool was closed succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_writes_never_run_on_a_connection_the_server_closed() {
    let (app, ..) = instance_with_a_closed_pool().await;
    for _ in 0..3 {
        let tokens = app.token("writer", None).await;
        assert!(!tokens.access_token.is_empty());
    }
}
