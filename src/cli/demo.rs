//! `quire seed --demo`: demo users and posts, inserted in batches so that large data sets
//! (benchmarks) load quickly.

use crate::config::Config;
use crate::db::models::{NewPost, PostStatus};
use crate::db::queries::{posts as post_q, users as user_q};
use crate::db::{now, write_tx, DbConn};
use crate::domain::{Email, Username};
use crate::error::AppError;
use crate::manage::{self, Actor};

/// The named demo accounts and their roles.
const DEMO_PEOPLE: &[(&str, &str)] = &[
    ("alice", "author"),
    ("bob", "editor"),
    ("carol", "moderator"),
    ("dave", "contributor"),
    ("erin", "user"),
];

const BATCH: usize = 500;

/// Adds the demo accounts (password from `QUIRE_DEMO_PASSWORD`, else generated and
/// printed), `extra_users` more named `user0001`…, and `posts` posts spread over them
/// (every other one published). Accounts that exist are kept; it can be rerun.
pub fn seed_demo(
    conn: &mut DbConn,
    config: &Config,
    extra_users: u32,
    posts: u32,
) -> Result<String, AppError> {
    let password = std::env::var("QUIRE_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let generated = password.is_none();
    let password = password.unwrap_or_else(crate::auth::password::generate);
    crate::auth::password::check_length(&password)
        .map_err(|m| AppError::field("QUIRE_DEMO_PASSWORD", m))?;
    // One hash for every demo account: bcrypt per account would take minutes for thousands.
    let hash = crate::auth::password::hash_blocking(&password, config.bcrypt_cost)?;

    let mut people: Vec<(String, String)> = DEMO_PEOPLE
        .iter()
        .map(|(n, r)| ((*n).to_owned(), (*r).to_owned()))
        .collect();
    people.extend((1..=extra_users).map(|i| (format!("user{i:04}"), "user".to_owned())));

    let actor = Actor::cli();
    let mut author_ids = Vec::new();
    let mut created = 0;
    for (name, role) in &people {
        if let Some(existing) = user_q::find_user_by_username(conn, name)? {
            author_ids.push(existing.id);
            continue;
        }
        let user = manage::users::create_user(
            conn,
            &actor,
            manage::users::NewAccount {
                username: Username::parse(name).map_err(|m| AppError::field("username", m))?,
                email: Email::parse(&format!("{name}@example.com"))
                    .map_err(|m| AppError::field("email", m))?,
                display_name: None,
                password_hash: hash.clone(),
                roles: vec![role.clone()],
            },
        )?;
        author_ids.push(user.id);
        created += 1;
    }

    let start = post_q::count_posts(conn)?;
    let mut inserted = 0usize;
    let total = posts as usize;
    while inserted < total {
        let n = BATCH.min(total - inserted);
        let at = now();
        let batch: Vec<NewPost> = (0..n)
            .map(|k| {
                let i = start as usize + inserted + k + 1;
                let status = if i.is_multiple_of(2) {
                    PostStatus::Published
                } else {
                    PostStatus::Draft
                };
                let body = format!(
                    "This is demo post number {i}. It exists so there is something to read."
                );
                NewPost {
                    author_id: author_ids[i % author_ids.len()],
                    title: format!("Demo post {i}"),
                    slug: format!("demo-post-{i}"),
                    body_html: Some(crate::blog::markdown::render(&body)),
                    body,
                    status: status.as_str().to_owned(),
                    published_at: (status == PostStatus::Published).then_some(at),
                    created_at: at,
                    updated_at: at,
                }
            })
            .collect();
        write_tx(conn, |c| {
            post_q::insert_posts(c, &batch).map_err(AppError::from)
        })?;
        inserted += n;
    }
    if generated && created > 0 {
        eprintln!("quire: demo accounts' password: {password}");
    }
    Ok(format!("{created} users created, {inserted} posts added"))
}
