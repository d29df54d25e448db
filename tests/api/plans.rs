//! PostgreSQL plans each of Quire's list statements once per connection, not per request
//! (docs/decisions.md, "Generic plans on PostgreSQL"). Under the server's default plan cache
//! mode the first five executions of every statement are planned with their values, and
//! later ones too whenever the generic plan looks dearer, which at 1,000,000 posts was
//! every list query (docs/performance.md, "Scale").

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use quire::authz::policy::ReadScope;
use quire::db::models::PostStatus;
use quire::db::queries::posts::{list_posts, PostFilter};
use quire::db::DbConn;

use crate::helpers::{spawn_app, Backend};

#[derive(QueryableByName, Debug)]
struct Prepared {
    #[diesel(sql_type = Text)]
    statement: String,
    #[diesel(sql_type = BigInt)]
    generic_plans: i64,
    #[diesel(sql_type = BigInt)]
    custom_plans: i64,
}

const RUNS: i64 = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_list_statements_are_planned_once_not_per_request() {
    let app = spawn_app(Backend::Postgres).await;
    let me = app.create_user("writer", &["author"]).await;
    let other = app.create_user("other", &["author"]).await;
    let (statements, pages) = app
        .with_conn(move |conn| {
            let DbConn::Postgres(pg) = &mut *conn else {
                panic!("a PostgreSQL app hands out PostgreSQL connections")
            };
            // 300 posts, alternating authors and, every third, a draft.
            diesel::sql_query(
                "INSERT INTO posts (author_id, title, slug, body, status, published_at, created_at, updated_at)
                 SELECT CASE WHEN g % 2 = 0 THEN $1 ELSE $2 END, 'Post ' || g, 'post-' || g, 'body',
                        CASE WHEN g % 3 = 0 THEN 'draft' ELSE 'published' END,
                        now(), now(), now()
                 FROM generate_series(1, 300) AS g",
            )
            .bind::<BigInt, _>(me)
            .bind::<BigInt, _>(other)
            .execute(pg)
            .unwrap();
            diesel::sql_query("ANALYZE posts").execute(pg).unwrap();

            // Every list shape: the plain listing (first and deep page), "published or own",
            // and the client's filters, each run more often than the server's five custom plans.
            let filters = [
                (ReadScope::All, PostFilter::default()),
                (ReadScope::PublishedOrOwn(Some(me)), PostFilter::default()),
                (
                    ReadScope::PublishedOrOwn(Some(me)),
                    PostFilter {
                        before_id: Some(150),
                        ..PostFilter::default()
                    },
                ),
                (ReadScope::PublishedOrOwn(None), PostFilter::default()),
                (
                    ReadScope::All,
                    PostFilter {
                        status: Some(PostStatus::Draft),
                        ..PostFilter::default()
                    },
                ),
                (
                    ReadScope::PublishedOrOwn(Some(me)),
                    PostFilter {
                        author_id: Some(me),
                        ..PostFilter::default()
                    },
                ),
            ];
            let mut pages = Vec::new();
            for (scope, filter) in &filters {
                for run in 0..RUNS {
                    let page = list_posts(conn, *scope, filter, 20).unwrap();
                    if run == 0 {
                        pages.push(page.iter().map(|(p, _)| (p.id, p.author_id, p.status.clone())).collect::<Vec<_>>());
                    }
                }
            }
            let DbConn::Postgres(pg) = &mut *conn else { unreachable!() };
            let statements: Vec<Prepared> = diesel::sql_query(
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
                 WHERE statement LIKE 'SELECT %FROM (\"posts\" INNER JOIN%' ORDER BY statement",
            )
            .load(pg)
            .unwrap();
            (statements, pages)
        })
        .await;

    // The pages are still the right ones: newest first, 20 each, within their filter.
    for page in &pages {
        assert_eq!(page.len(), 20, "{page:?}");
        assert!(
            page.windows(2).all(|w| w[0].0 > w[1].0),
            "newest first: {page:?}"
        );
    }
    assert!(pages[1]
        .iter()
        .all(|(_, a, s)| s == "published" || *a == me));
    assert!(pages[2].iter().all(|(id, _, _)| *id < 150));
    assert!(pages[3].iter().all(|(_, _, s)| s == "published"));
    assert!(pages[4].iter().all(|(_, _, s)| s == "draft"));
    assert!(pages[5].iter().all(|(_, a, _)| *a == me));

    // Published-and-own and its two status-or-author walks, the deep page, the filters:
    // at least five distinct statements, each executed RUNS times or more.
    assert!(statements.len() >= 5, "{statements:#?}");
    for s in &statements {
        assert_eq!(s.custom_plans, 0, "planned per execution: {}", s.statement);
        assert!(s.generic_plans >= RUNS, "{s:#?}");
    }
}
