-- SPEC §10 (the blog in the browser). Kept equal between migrations/sqlite and
-- migrations/postgres (but for naming PostgreSQL's CHECK constraint).
--
-- The status column gains `review` and `scheduled`. SQLite cannot alter a CHECK, and
-- rebuilding `posts` would mean switching foreign keys off around a copy of the table; a
-- column whose CHECK is its own can be dropped, though. So the new column is added, filled,
-- and renamed into place, the same way on both backends, so both keep one column order.
DROP INDEX posts_status_id;
ALTER TABLE posts ADD COLUMN status_v2 TEXT NOT NULL DEFAULT 'draft'
    CHECK (status_v2 IN ('draft', 'review', 'scheduled', 'published'));
UPDATE posts SET status_v2 = status;
ALTER TABLE posts DROP COLUMN status;
ALTER TABLE posts RENAME COLUMN status_v2 TO status;
CREATE INDEX posts_status_id ON posts (status, id DESC);

-- The rendered, sanitized HTML of `body`, written with it (reading a post never parses
-- Markdown). NULL for rows written before this migration until Quire renders them at start.
ALTER TABLE posts ADD COLUMN body_html TEXT;
-- The editor's note when a post is sent back from review; cleared when it is published.
ALTER TABLE posts ADD COLUMN review_note TEXT;
-- Who scheduled the post: the scheduler publishes only if this user may still publish it.
ALTER TABLE posts ADD COLUMN scheduled_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
-- The scheduler's scan: due scheduled posts, oldest first.
CREATE INDEX posts_scheduled_at ON posts (published_at) WHERE status = 'scheduled';

-- Tags: 0–10 per post, lowercase names; one row per (post, tag).
CREATE TABLE post_tags (
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);
CREATE INDEX post_tags_tag ON post_tags (tag, post_id);
