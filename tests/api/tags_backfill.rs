//! The migration that puts a post's tags on its row fills the column from the `post_tags`
//! rows already stored (a database from before it keeps its tags).

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::helpers::{Backend, TestDb};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// The last migration before tags moved onto the post's row.
const BEFORE: &str = "20261205000001";

/// Rows as a database from before the migration holds them: two tagged posts (tags
/// inserted out of name order) and an untagged one.
const OLD_ROWS: &str = "
INSERT INTO users (id, username, email, display_name, password_hash, disabled, created_at, updated_at)
    VALUES (1, 'old', 'old@example.com', 'Old', 'x', FALSE, '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO posts (id, author_id, title, slug, body, status, created_at, updated_at)
    VALUES (1, 1, 'One', 'one', 'b', 'published', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
           (2, 1, 'Two', 'two', 'b', 'draft', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
           (3, 1, 'Three', 'three', 'b', 'draft', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO post_tags (post_id, tag) VALUES (1, 'rust'), (1, 'actix'), (1, 'diesel'), (2, 'solo');
";

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Tags {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    tags: String,
}

/// Runs migrations up to and including `BEFORE`, then `rows`, then the rest.
fn migrate_around<C>(conn: &mut C, migrations: fn() -> EmbeddedMigrations)
where
    C: MigrationHarness<C::Backend> + Connection + SimpleConnection,
{
    loop {
        let version = conn
            .run_next_migration(migrations())
            .expect("a migration before the tags one")
            .to_string();
        if version == BEFORE {
            break;
        }
    }
    conn.batch_execute(OLD_ROWS).expect("rows of the old shape");
    conn.run_pending_migrations(migrations()).expect("the rest");
}

#[test]
fn stored_tags_are_copied_onto_their_posts_rows() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend);
        let query = diesel::sql_query("SELECT id, tags FROM posts ORDER BY id");
        let rows: Vec<Tags> = match backend {
            Backend::Sqlite => {
                let path = db.url.trim_start_matches("sqlite://");
                let mut conn = SqliteConnection::establish(path).unwrap();
                migrate_around(&mut conn, || SQLITE);
                query.load(&mut conn).unwrap()
            }
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&db.url).unwrap();
                migrate_around(&mut conn, || POSTGRES);
                query.load(&mut conn).unwrap()
            }
        };
        let expected = [(1, "actix,diesel,rust"), (2, "solo"), (3, "")];
        let expected: Vec<Tags> = expected
            .iter()
            .map(|(id, tags)| Tags {
                id: *id,
                tags: (*tags).into(),
            })
            .collect();
        assert_eq!(rows, expected, "{backend:?}");
    }
}
