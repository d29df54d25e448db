//! SPEC §8: 64 concurrent writers lose nothing and never see a 5xx or "database is locked".

use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Backend};

const WRITERS: usize = 64;
const POSTS_EACH: usize = 3;

async fn sixty_four_concurrent_writers_lose_nothing(backend: Backend) {
    // A pool smaller than the number of writers, so requests also queue for connections.
    let app = spawn_app_with(backend, &[("QUIRE_DB_POOL_SIZE", "8")]).await;
    for i in 0..8 {
        app.create_user(&format!("w{i}"), &["author"]).await;
    }
    let mut tokens = Vec::new();
    for i in 0..8 {
        tokens.push(app.token(&format!("w{i}"), None).await.access_token);
    }
    // A published post everyone comments on, so comment writes contend on one post too.
    let target: Value = app
        .client
        .post(app.url("/api/posts"))
        .bearer_auth(&tokens[0])
        .json(&json!({"title": "Shared", "body": "x", "status": "published"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let target = target["id"].as_i64().unwrap();

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let client = app.client.clone();
            let base = app.address.clone();
            let token = tokens[w % tokens.len()].clone();
            tokio::spawn(async move {
                let mut failures = Vec::new();
                for n in 0..POSTS_EACH {
                    let post = client
                        .post(format!("{base}/api/posts"))
                        .bearer_auth(&token)
                        // Half the writers share one title: their derived slugs race.
                        .json(&json!({
                            "title": if w % 2 == 0 { "Same title".to_owned() } else { format!("Writer {w} post {n}") },
                            "body": "concurrent"
                        }))
                        .send()
                        .await
                        .unwrap();
                    let comment = client
                        .post(format!("{base}/api/posts/{target}/comments"))
                        .bearer_auth(&token)
                        .json(&json!({"body": format!("writer {w} comment {n}")}))
                        .send()
                        .await
                        .unwrap();
                    for resp in [post, comment] {
                        let status = resp.status().as_u16();
                        let text = resp.text().await.unwrap();
                        if status != 201 || text.contains("locked") {
                            failures.push(format!("{status}: {text}"));
                        }
                    }
                }
                failures
            })
        })
        .collect();
    let mut failures = Vec::new();
    for w in writers {
        failures.extend(w.await.unwrap());
    }
    assert!(
        failures.is_empty(),
        "{} failed writes: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );

    // Every acknowledged write is there, counted in the database.
    let (posts, comments) = app
        .with_conn(move |c| {
            use diesel::prelude::*;
            use quire::db::schema::{comments, posts};
            let p: i64 = posts::table
                .filter(posts::body.eq("concurrent"))
                .count()
                .get_result(c)
                .unwrap();
            let k: i64 = comments::table
                .filter(comments::post_id.eq(target))
                .count()
                .get_result(c)
                .unwrap();
            (p, k)
        })
        .await;
    assert_eq!(posts as usize, WRITERS * POSTS_EACH);
    assert_eq!(comments as usize, WRITERS * POSTS_EACH);

    // The racing derived slugs are exactly `same-title`, `same-title-2`, … with no gap.
    let mut slugs: Vec<String> = app
        .with_conn(|c| {
            use diesel::prelude::*;
            use quire::db::schema::posts;
            posts::table
                .filter(posts::title.eq("Same title"))
                .select(posts::slug)
                .load(c)
                .unwrap()
        })
        .await;
    slugs.sort();
    let same = WRITERS / 2 * POSTS_EACH;
    let mut expected: Vec<String> = std::iter::once("same-title".to_owned())
        .chain((2..=same).map(|n| format!("same-title-{n}")))
        .collect();
    expected.sort();
    assert_eq!(slugs, expected);
}

both_backends!(sixty_four_concurrent_writers_lose_nothing);
