//! Both migration folders must produce the same schema.

use std::collections::BTreeMap;

use diesel::sql_types::{Integer, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::helpers::{Backend, TestDb};

#[derive(QueryableByName)]
struct Col {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

/// table → [(column, portable type, not null)]
type Shape = BTreeMap<String, Vec<(String, String, bool)>>;

fn portable(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "int".into(),
        "text" => "text".into(),
        "boolean" => "bool".into(),
        t if t.starts_with("timestamp") => "timestamp".into(),
        other => other.into(),
    }
}

fn sqlite_shape(url: &str) -> Shape {
    let mut conn = SqliteConnection::establish(url.trim_start_matches("sqlite://")).unwrap();
    let cols: Vec<Col> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
                CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 1 ELSE 0 END AS not_null
         FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'
         ORDER BY m.name, p.cid",
    )
    .load(&mut conn)
    .unwrap();
    group(cols)
}

fn pg_shape(url: &str) -> Shape {
    let mut conn = PgConnection::establish(url).unwrap();
    let cols: Vec<Col> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type,
                CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
         ORDER BY table_name, ordinal_position",
    )
    .load(&mut conn)
    .unwrap();
    group(cols)
}

fn group(cols: Vec<Col>) -> Shape {
    let mut shape = Shape::new();
    for c in cols {
        shape.entry(c.table_name).or_default().push((
            c.column_name,
            portable(&c.data_type),
            c.not_null == 1,
        ));
    }
    shape
}

fn migrate(db: &TestDb) {
    let pool =
        quire::db::Db::connect(&quire::config::DatabaseUrl::parse(&db.url).unwrap(), 1).unwrap();
    quire::db::run_migrations(&mut pool.get().unwrap()).unwrap();
}

#[test]
fn sqlite_and_postgres_migrations_produce_the_same_schema() {
    let lite = TestDb::new(Backend::Sqlite);
    let pg = TestDb::new(Backend::Postgres);
    migrate(&lite);
    migrate(&pg);
    let (a, b) = (sqlite_shape(&lite.url), pg_shape(&pg.url));
    assert_eq!(a.len(), 28, "{a:#?}");
    assert_eq!(a, b);
}

#[derive(QueryableByName)]
struct CompileOption {
    #[diesel(sql_type = Text)]
    compile_options: String,
}

/// `.cargo/config.toml` builds the bundled SQLite with the query planner stability
/// guarantee. Without it every query with a bound LIMIT (every list and every `.first()`)
/// is parsed and planned again on each execution.
#[test]
fn bundled_sqlite_keeps_prepared_statements_across_limit_rebinds() {
    let mut conn = SqliteConnection::establish(":memory:").expect("sqlite");
    let options: Vec<CompileOption> = diesel::sql_query("PRAGMA compile_options")
        .load(&mut conn)
        .expect("compile options");
    assert!(
        options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
        "SQLite was built without SQLITE_ENABLE_QPSG"
    );
}

/// `.cargo/config.toml` also drops SQLite's per-connection and allocation mutexes, which
/// every pooled connection (used by one thread at a time) paid on every call.
#[test]
fn bundled_sqlite_is_multi_thread_without_memory_statistics() {
    let mut conn = SqliteConnection::establish(":memory:").expect("sqlite");
    let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
        .load::<CompileOption>(&mut conn)
        .expect("compile options")
        .into_iter()
        .map(|o| o.compile_options)
        .collect();
    assert!(options.iter().any(|o| o == "THREADSAFE=2"), "{options:?}");
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "{options:?}"
    );
}
