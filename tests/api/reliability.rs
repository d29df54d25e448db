//! SPEC §8: 64 concurrent writers lose nothing and never see a 5xx or "database is locked".

use serde_json::json;

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
    let target = app
        .create_post(
            &tokens[0],
            json!({"title": "Shared", "body": "x", "status": "published"}),
        )
        .await;
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

/// The SQLite read pin (`db::read_pin`) keeps a read transaction open most of the time.
/// Under a sustained stream of writes with readers alongside, the WAL must still be
/// checkpointed and restarted from its beginning, or it grows with every write. The WAL
/// file keeps its largest size, so its size at the end is the high-water mark: about
/// 5 MiB here with the pin as built and without any pin, about 30 MiB with a pin that
/// never steps aside after writes.
#[tokio::test]
async fn sqlite_wal_stays_bounded_under_sustained_writes_with_the_read_pin() {
    const WRITERS: usize = 4;
    const POSTS_EACH: usize = 300;
    let app = spawn_app_with(Backend::Sqlite, &[]).await;
    app.create_user("wal", &["author"]).await;
    let token = app.token("wal", None).await.access_token;
    // Over half a page each, so that every post adds pages of its own to the WAL.
    let body = "wal ".repeat(600);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (client, base, token, done) = (
                app.client.clone(),
                app.address.clone(),
                token.clone(),
                done.clone(),
            );
            tokio::spawn(async move {
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let resp = client
                        .get(format!("{base}/api/posts?limit=20"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(resp.status(), 200);
                }
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (client, base, token, body) = (
                app.client.clone(),
                app.address.clone(),
                token.clone(),
                body.clone(),
            );
            tokio::spawn(async move {
                for n in 0..POSTS_EACH {
                    let resp = client
                        .post(format!("{base}/api/posts"))
                        .bearer_auth(&token)
                        .json(&json!({"title": format!("WAL {w} {n}"), "body": body}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(resp.status(), 201);
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }

    let db_path = app.test_db.url.trim_start_matches("sqlite://").to_owned();
    let wal = std::fs::metadata(format!("{db_path}-wal")).unwrap().len();
    let db = std::fs::metadata(&db_path).unwrap().len();
    eprintln!("WAL high-water mark: {wal} bytes; database: {db} bytes");
    assert!(
        wal < 12 << 20,
        "the WAL grew to {wal} bytes for a {db}-byte database: not restarted"
    );
}

/// Read locks this process holds on the WAL index's read-mark slots, as `/proc/locks`
/// shows them: POSIX read locks on bytes 123–127 of the `-shm` file (SQLite's
/// `WAL_READ_LOCK(0..5)`; byte 128, which every open connection holds, is not one).
fn pinned_read_locks(shm: &std::path::Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(shm).unwrap().ino();
    let pid = std::process::id().to_string();
    std::fs::read_to_string("/proc/locks")
        .unwrap()
        .lines()
        .filter(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            f.len() >= 8
                && f[1] == "POSIX"
                && f[3] == "READ"
                && f[4] == pid
                && f[5].rsplit(':').next() == Some(inode.to_string().as_str())
                && f[6]
                    .parse::<u32>()
                    .is_ok_and(|start| (123..=127).contains(&start))
        })
        .count()
}

/// The pin holds a shared lock on a read-mark slot while the database is idle (so request
/// reads only count themselves in), and lets go of it when dropped.
#[tokio::test]
async fn sqlite_read_pin_holds_the_wal_read_lock_until_dropped() {
    use quire::config::DatabaseUrl;
    use quire::db::read_pin::{ReadPin, HOLD};
    let test_db = crate::helpers::TestDb::new(Backend::Sqlite);
    let url = DatabaseUrl::parse(&test_db.url).unwrap();
    let db = quire::db::Db::connect(&url, 1).unwrap();
    quire::db::run_migrations(&mut db.get().unwrap()).unwrap();
    let shm = std::path::PathBuf::from(format!(
        "{}-shm",
        test_db.url.trim_start_matches("sqlite://")
    ));
    let seen = |tries: u32| {
        let shm = shm.clone();
        async move {
            for _ in 0..tries {
                if pinned_read_locks(&shm) > 0 {
                    return true;
                }
                tokio::time::sleep(HOLD / 8).await;
            }
            false
        }
    };
    assert!(!seen(4).await, "no read lock before the pin starts");

    let pin = ReadPin::start(&url).unwrap().expect("a pin on SQLite");
    assert!(seen(40).await, "the pin holds a read lock");
    // Held almost all the time while nothing is written: most samples see it.
    let mut held = 0;
    for _ in 0..40 {
        held += usize::from(pinned_read_locks(&shm) > 0);
        tokio::time::sleep(HOLD / 8).await;
    }
    assert!(held >= 30, "held in only {held} of 40 samples");

    drop(pin);
    tokio::time::sleep(HOLD * 3).await;
    assert!(
        !seen(8).await,
        "the lock is released once the pin is dropped"
    );
    drop(db);

    // PostgreSQL readers take no such lock: no pin there.
    assert!(
        ReadPin::start(&DatabaseUrl::Postgres("postgres://unused/x".into()))
            .unwrap()
            .is_none()
    );
}
