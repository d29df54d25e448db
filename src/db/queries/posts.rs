use diesel::prelude::*;

use crate::db::models::NewPost;
use crate::db::schema::posts;
use crate::db::DbConn;

/// Inserts many posts in one statement (demo data, benchmarks).
pub fn insert_posts(conn: &mut DbConn, batch: &[NewPost]) -> QueryResult<usize> {
    // Multi-row VALUES is backend-specific in diesel (SQLite has no DEFAULT keyword), so
    // this is one of the few places that matches on the backend.
    match conn {
        DbConn::Sqlite(c) => diesel::insert_into(posts::table).values(batch).execute(c),
        DbConn::Postgres(c) => diesel::insert_into(posts::table).values(batch).execute(c),
    }
}

pub fn count_posts(conn: &mut DbConn) -> QueryResult<i64> {
    posts::table.count().get_result(conn)
}

use crate::authz::ReadScope;
use crate::db::models::{PageVersion, Post, PostStatus, PostSummary};
use crate::db::schema::{post_tags, users};

/// The author fields every post response shows.
pub type AuthorRow = (i64, String, String);

/// Filters of `GET /api/posts`.
#[derive(Clone, Debug, Default)]
pub struct PostFilter {
    pub author_id: Option<i64>,
    pub status: Option<PostStatus>,
    /// Only posts carrying this tag (a checked name).
    pub tag: Option<String>,
    /// Keyset pagination, newest first: only posts with an id below this.
    pub before_id: Option<i64>,
}

/// Post `id` with its author, by primary key.
pub fn find_post(conn: &mut DbConn, id: i64) -> QueryResult<Option<(Post, AuthorRow)>> {
    crate::on_backend!(conn, |c| posts::table
        .inner_join(users::table)
        .filter(posts::id.eq(id))
        .select((
            posts::all_columns,
            (users::id, users::username, users::display_name),
        ))
        .first(c)
        .optional())
}

/// The status everyone with `posts:read` may see.
const PUBLISHED: PostStatus = PostStatus::Published;

/// Posts the caller may read, newest first: the read rule of SPEC §4 as SQL (derived from
/// `authz::ReadScope`), so pages are never post-filtered.
///
/// "Published or own" runs as two keyset queries, one walking `(status, id)` and one walking
/// `(author_id, id)`, whose pages are merged: a single `status = 'published' OR author_id = ?`
/// makes SQLite (and often PostgreSQL) gather every match and sort it, which grows with the
/// table. The first `limit` rows of the merge are exactly the first `limit` rows of the OR.
pub fn list_posts(
    conn: &mut DbConn,
    scope: ReadScope,
    filter: &PostFilter,
    limit: i64,
) -> QueryResult<Vec<(Post, AuthorRow)>> {
    match scope {
        ReadScope::Nothing => Ok(Vec::new()),
        ReadScope::All => page(conn, filter, None, None, None, limit),
        ReadScope::PublishedOrOwn(None) => page(conn, filter, Some(PUBLISHED), None, None, limit),
        ReadScope::PublishedOrOwn(Some(me)) => {
            // Asked for another status, the published walk has nothing to add.
            let published = match filter.status {
                Some(status) if status != PUBLISHED => Vec::new(),
                _ => page(conn, filter, Some(PUBLISHED), None, None, limit)?,
            };
            // Below the last post of a full page of published posts, no own post can make
            // the first `limit`: only the own posts above it are fetched (usually none).
            let above = (published.len() as i64 == limit)
                .then(|| published.last().map(|r| r.0.id))
                .flatten();
            let own = if filter.author_id.is_some_and(|a| a != me) {
                Vec::new()
            } else {
                page(conn, filter, None, Some(me), above, limit)?
            };
            let mut rows: Vec<(Post, AuthorRow)> = published.into_iter().chain(own).collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.0.id));
            rows.dedup_by_key(|r| r.0.id);
            rows.truncate(limit as usize);
            Ok(rows)
        }
    }
}

/// One keyset page, newest first, with the filter plus an optional status, author and
/// lower id bound (exclusive).
fn page(
    conn: &mut DbConn,
    filter: &PostFilter,
    status: Option<PostStatus>,
    author: Option<i64>,
    above: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(Post, AuthorRow)>> {
    if filter.author_id.is_none() && filter.status.is_none() && filter.tag.is_none() {
        return unfiltered_page(conn, filter.before_id, status, author, above, limit);
    }
    crate::on_backend!(conn, |c| {
        let mut query = posts::table
            .inner_join(users::table)
            .select((
                posts::all_columns,
                (users::id, users::username, users::display_name),
            ))
            .order(posts::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(posts::status.eq(status.as_str()));
        }
        if let Some(author) = author {
            query = query.filter(posts::author_id.eq(author));
        }
        if let Some(author) = filter.author_id {
            query = query.filter(posts::author_id.eq(author));
        }
        if let Some(status) = filter.status {
            query = query.filter(posts::status.eq(status.as_str()));
        }
        if let Some(tag) = &filter.tag {
            let tagged = post_tags::table
                .filter(post_tags::tag.eq(tag))
                .select(post_tags::post_id);
            query = query.filter(posts::id.eq_any(tagged));
        }
        if let Some(before) = filter.before_id {
            query = query.filter(posts::id.lt(before));
        }
        if let Some(above) = above {
            query = query.filter(posts::id.gt(above));
        }
        query.load(c)
    })
}

/// [`page`] without the client's filters: the first and the deep pages of a plain listing,
/// nearly every list request. Each shape is a query of static type, so its prepared
/// statement is found by type, without building its SQL (a boxed query builds it every
/// time). Absent bounds are the extreme ids, which the same index range scan handles.
fn unfiltered_page(
    conn: &mut DbConn,
    before: Option<i64>,
    status: Option<PostStatus>,
    author: Option<i64>,
    above: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(Post, AuthorRow)>> {
    let range = posts::id
        .lt(before.unwrap_or(i64::MAX))
        .and(posts::id.gt(above.unwrap_or(i64::MIN)));
    crate::on_backend!(conn, |c| {
        let query = posts::table
            .inner_join(users::table)
            .select((
                posts::all_columns,
                (users::id, users::username, users::display_name),
            ))
            .order(posts::id.desc())
            .limit(limit);
        match (status.map(PostStatus::as_str), author) {
            (None, None) => query.filter(range).load(c),
            (Some(status), None) => query.filter(posts::status.eq(status).and(range)).load(c),
            (None, Some(author)) => query.filter(posts::author_id.eq(author).and(range)).load(c),
            (Some(status), Some(author)) => query
                .filter(
                    posts::status
                        .eq(status)
                        .and(posts::author_id.eq(author))
                        .and(range),
                )
                .load(c),
        }
    })
}

pub fn insert_post(conn: &mut DbConn, new: &NewPost) -> QueryResult<Post> {
    diesel::insert_into(posts::table)
        .values(new)
        .returning(posts::all_columns)
        .get_result(conn)
}

pub fn slug_taken(conn: &mut DbConn, slug: &str, except_id: Option<i64>) -> QueryResult<bool> {
    let found: Option<i64> = posts::table
        .filter(posts::slug.eq(slug))
        .select(posts::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some_and(|id| Some(id) != except_id))
}

/// Makes transactions deriving a slug from the same `base` take turns until they commit, so
/// they never pick the same free slug.
pub fn lock_slug_base(conn: &mut DbConn, base: &str) -> QueryResult<()> {
    super::locks::lock_for_transaction(conn, &format!("quire:slug:{base}"))
}

/// Changes to a post; `None` leaves a column alone.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = posts)]
pub struct PostChanges {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub body: Option<String>,
    /// Set with `body`: its rendering (`blog::markdown::render`).
    pub body_html: Option<String>,
    pub status: Option<String>,
    pub published_at: Option<Option<chrono::NaiveDateTime>>,
    pub updated_at: Option<chrono::NaiveDateTime>,
    pub review_note: Option<Option<String>>,
    pub scheduled_by: Option<Option<i64>>,
}

pub fn update_post(conn: &mut DbConn, id: i64, changes: &PostChanges) -> QueryResult<Post> {
    diesel::update(posts::table.find(id))
        .set(changes)
        .returning(posts::all_columns)
        .get_result(conn)
}

pub fn delete_post(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::delete(posts::table.find(id))
        .execute(conn)
        .map(|n| n > 0)
}

pub fn find_user_id_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<i64>> {
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(conn)
        .optional()
}

pub fn find_post_by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<(Post, AuthorRow)>> {
    crate::on_backend!(conn, |c| posts::table
        .inner_join(users::table)
        .filter(posts::slug.eq(slug))
        .select((
            posts::all_columns,
            (users::id, users::username, users::display_name),
        ))
        .first(c)
        .optional())
}

/// The newest published posts below `before` (all when `None`), at most `limit`, as the
/// front page lists them: published posts are readable by anyone with `posts:read`, so
/// this is the read rule's published half, without the columns a list does not show.
pub fn published_summaries(
    conn: &mut DbConn,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<PostSummary>> {
    let before = before.unwrap_or(i64::MAX);
    crate::on_backend!(conn, |c| posts::table
        .inner_join(users::table)
        .filter(
            posts::status
                .eq(PUBLISHED.as_str())
                .and(posts::id.lt(before))
        )
        .select((
            posts::id,
            posts::slug,
            posts::title,
            posts::published_at,
            users::display_name,
        ))
        .order(posts::id.desc())
        .limit(limit)
        .load(c))
}

/// The status, owner and page version of the post with `slug` (the revalidation of its
/// public page).
pub fn find_page_version(conn: &mut DbConn, slug: &str) -> QueryResult<Option<PageVersion>> {
    crate::on_backend!(conn, |c| posts::table
        .filter(posts::slug.eq(slug))
        .select(PageVersion::as_select())
        .first(c)
        .optional())
}

/// Slug and last change of the newest published posts, at most `limit` (the sitemap).
pub fn published_slugs(
    conn: &mut DbConn,
    limit: i64,
) -> QueryResult<Vec<(String, chrono::NaiveDateTime)>> {
    posts::table
        .filter(posts::status.eq(PUBLISHED.as_str()))
        .order(posts::id.desc())
        .limit(limit)
        .select((posts::slug, posts::updated_at))
        .load(conn)
}

/// Up to `limit` posts whose rendering is missing: (id, body), oldest first.
pub fn unrendered_posts(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<(i64, String)>> {
    posts::table
        .filter(posts::body_html.is_null())
        .order(posts::id.asc())
        .limit(limit)
        .select((posts::id, posts::body))
        .load(conn)
}

/// Up to `limit` posts with an id above `after`: (id, body), by id.
pub fn bodies_after(conn: &mut DbConn, after: i64, limit: i64) -> QueryResult<Vec<(i64, String)>> {
    posts::table
        .filter(posts::id.gt(after))
        .order(posts::id.asc())
        .limit(limit)
        .select((posts::id, posts::body))
        .load(conn)
}

/// Replaces the rendering of post `id` if its body is still `body` (an edit made meanwhile
/// stored its own rendering, of the newer body).
pub fn replace_rendering(conn: &mut DbConn, id: i64, body: &str, html: &str) -> QueryResult<usize> {
    diesel::update(
        posts::table
            .filter(posts::id.eq(id))
            .filter(posts::body.eq(body)),
    )
    .set(posts::body_html.eq(html))
    .execute(conn)
}

/// Stores the rendering of post `id` unless one was stored meanwhile (an edit writes body
/// and rendering together, and must not be overwritten with a rendering of the old body).
pub fn store_rendering(conn: &mut DbConn, id: i64, html: &str) -> QueryResult<usize> {
    diesel::update(
        posts::table
            .filter(posts::id.eq(id))
            .filter(posts::body_html.is_null()),
    )
    .set(posts::body_html.eq(html))
    .execute(conn)
}
