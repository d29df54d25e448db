//! One migrated PostgreSQL template per migrations version: each test clones it with
//! `CREATE DATABASE … TEMPLATE …` (a file copy) instead of running every migration again.
//!
//! The template's name carries a hash of `migrations/postgres`, so a changed migration gets
//! a new template and a stale one is never used. It is built under an advisory lock on the
//! admin database (shared by every test process on the server), under a temporary name
//! renamed only once fully migrated: a process that dies half way leaves no template behind
//! that others would trust.

use std::path::Path;
use std::sync::OnceLock;

use diesel::{Connection, PgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use super::pg_admin_url;

/// Advisory lock key for building templates (the migration runner uses another).
const TEMPLATE_LOCK: i64 = 0x7175_6972_6574;

/// The migrated template's name, built by the first caller of this process (or found, if
/// another process built it).
pub fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let name = format!("quire_tpl_{}", migrations_hash());
        ensure_template(&name);
        name
    })
}

/// A short hash over the PostgreSQL migrations' file names and contents, in sorted order.
fn migrations_hash() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files = Vec::new();
    collect_files(&root, &mut files);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        let relative = file.strip_prefix(&root).expect("under the root");
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(std::fs::read(&file).expect("read a migration"));
        hasher.update([0]);
    }
    hex::encode(&hasher.finalize()[..8])
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read migrations") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn admin_connection() -> PgConnection {
    let admin = pg_admin_url();
    PgConnection::establish(&admin)
        .unwrap_or_else(|e| panic!("the PostgreSQL suite needs a server at {admin}: {e}"))
}

/// The URL of database `name` on the test server.
pub fn database_url(name: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

#[derive(diesel::QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Creates the template `name` unless it exists; the advisory lock makes concurrent test
/// processes wait for the one building it.
fn ensure_template(name: &str) {
    let mut conn = admin_connection();
    diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .execute(&mut conn)
        .expect("take the template lock");
    let exists = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Found>(&mut conn)
        .expect("look for the template")
        .n
        > 0;
    if !exists {
        let building = format!("quire_tplb_{}", uuid::Uuid::new_v4().simple());
        diesel::sql_query(format!("CREATE DATABASE {building}"))
            .execute(&mut conn)
            .expect("create the template database");
        {
            let url = quire::config::DatabaseUrl::Postgres(database_url(&building));
            let db = quire::db::Db::connect(&url, 1).expect("connect");
            quire::db::run_migrations(&mut db.get().expect("conn")).expect("migrate template");
            // The pool (and its connection) is dropped here: a database with sessions
            // cannot be renamed or copied.
        }
        for sql in [
            format!("ALTER DATABASE {building} RENAME TO {name}"),
            format!("ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
        ] {
            diesel::sql_query(sql)
                .execute(&mut conn)
                .expect("finish the template");
        }
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
        .execute(&mut conn)
        .expect("release the template lock");
}

/// Creates database `name` as a copy of the migrated template.
pub fn clone_template(name: &str) {
    let template = template_name();
    let mut conn = admin_connection();
    diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut conn)
        .expect("clone the template database");
}
