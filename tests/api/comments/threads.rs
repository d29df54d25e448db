//! Reading threads: keyset pages visit every comment once; deleting a post takes its
//! comments with it.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::{list, make_comment, make_post};
use crate::helpers::{spawn_app, Backend, TestApp};

/// Walks a thread `limit` at a time; after the first page, `late_author` (if any) writes a
/// comment, whose id is returned with the comments seen.
async fn walk(
    app: &TestApp,
    token: Option<&str>,
    post: i64,
    limit: usize,
    late_author: Option<i64>,
) -> (Vec<Value>, Option<i64>) {
    let mut seen = Vec::new();
    let mut late = None;
    let mut cursor: Option<String> = None;
    for pages in 1.. {
        let query = match &cursor {
            Some(c) => format!("?limit={limit}&cursor={c}"),
            None => format!("?limit={limit}"),
        };
        let resp = list(app, token, post, &query).await;
        assert_eq!(resp.status(), 200, "{query}");
        let page: Value = resp.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        seen.extend(items.iter().cloned());
        if let (1, Some(author)) = (pages, late_author) {
            late = Some(make_comment(app, post, author, "late").await);
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages < 100, "the walk does not end");
    }
    (seen, late)
}

async fn pages_visit_every_comment_once_oldest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.create_user("me", &["user"]).await;
    let you = app.create_user("you", &["user"]).await;
    let post = make_post(&app, you, true, 1).await;
    let elsewhere = make_post(&app, you, true, 2).await;
    let mut written = Vec::new();
    for i in 0..25 {
        let author = if i % 2 == 0 { me } else { you };
        written.push(make_comment(&app, post, author, &format!("comment {i}")).await);
        if i % 5 == 0 {
            make_comment(&app, elsewhere, me, "not in this thread").await;
        }
    }
    let token = app.token("me", None).await.access_token;
    // A comment written while the thread is being read is appended, and seen once.
    let (seen, late) = walk(&app, Some(&token), post, 7, Some(you)).await;
    written.push(late.unwrap());
    let ids: Vec<i64> = seen.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, written, "every comment once, oldest first");
    for c in &seen {
        assert_eq!(c["post_id"], json!(post));
        let mine = c["author"]["id"] == json!(me);
        assert_eq!(c["author"]["username"], if mine { "me" } else { "you" });
        assert_eq!(c["can"], json!({"update": mine, "delete": mine}), "{c}");
        for key in ["created_at", "updated_at"] {
            assert!(c[key].as_str().unwrap().ends_with('Z'), "{c}");
        }
    }

    // Anonymous readers walk the same thread.
    let (anon, _) = walk(&app, None, post, 100, None).await;
    assert_eq!(anon.len(), written.len());
    assert!(anon
        .iter()
        .all(|c| c["can"] == json!({"update": false, "delete": false})));

    // Default page size is 20.
    let first: Value = list(&app, Some(&token), post, "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    assert!(first["next_cursor"].is_string());

    for (query, status) in [
        ("?limit=0", 422),
        ("?limit=101", 422),
        ("?limit=ten", 422),
        ("?cursor=%25%25%25", 400),
        ("?cursor=", 400),
    ] {
        let resp = list(&app, Some(&token), post, query).await;
        assert_eq!(resp.status(), status, "{query}");
    }
    // A cursor of the post list is not one of this list's.
    let posts: Value = app
        .get_with("/api/posts?limit=1", &token)
        .await
        .json()
        .await
        .unwrap();
    let post_cursor = posts["next_cursor"].as_str().unwrap().to_owned();
    let resp = list(&app, Some(&token), post, &format!("?cursor={post_cursor}")).await;
    assert_eq!(resp.status(), 400);
}

async fn unreadable_or_missing_threads_are_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let you = app.create_user("you", &["user"]).await;
    app.create_user("me", &["user"]).await;
    let draft = make_post(&app, you, false, 1).await;
    make_comment(&app, draft, you, "a note on my draft").await;
    let token = app.token("me", None).await.access_token;
    for token in [None, Some(token.as_str())] {
        assert_eq!(list(&app, token, draft, "").await.status(), 404);
        assert_eq!(list(&app, token, 999_999, "").await.status(), 404);
    }
    for path in [
        "/api/posts/abc/comments",
        "/api/posts/99999999999999999999/comments",
        "/api/posts/-1/comments",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    // The author reads their own draft's thread.
    let own = app.token("you", None).await.access_token;
    let page: Value = list(&app, Some(&own), draft, "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["next_cursor"], Value::Null);
}

fn comments_of(conn: &mut quire::db::DbConn, post: i64) -> i64 {
    use quire::db::schema::comments;
    // Counted without joins, so an orphaned row could not hide.
    comments::table
        .filter(comments::post_id.eq(post))
        .count()
        .get_result(conn)
        .unwrap()
}

async fn deleting_a_post_deletes_its_comments(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.create_user("me", &["author"]).await;
    let you = app.create_user("you", &["user"]).await;
    let doomed = make_post(&app, me, true, 1).await;
    let kept = make_post(&app, me, true, 2).await;
    let mut doomed_comments = Vec::new();
    for i in 0..3 {
        doomed_comments.push(make_comment(&app, doomed, you, &format!("c{i}")).await);
    }
    make_comment(&app, kept, you, "stays").await;
    let token = app.token("me", None).await.access_token;
    let resp = app
        .client
        .delete(app.url(&format!("/api/posts/{doomed}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (gone, left) = app
        .with_conn(move |c| (comments_of(c, doomed), comments_of(c, kept)))
        .await;
    assert_eq!((gone, left), (0, 1));
    let theirs = app.token("you", None).await.access_token;
    for id in doomed_comments {
        let resp = app
            .client
            .delete(app.url(&format!("/api/comments/{id}")))
            .bearer_auth(&theirs)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404);
    }
    assert_eq!(list(&app, Some(&token), doomed, "").await.status(), 404);
}

both_backends!(
    pages_visit_every_comment_once_oldest_first,
    unreadable_or_missing_threads_are_not_found,
    deleting_a_post_deletes_its_comments,
);
