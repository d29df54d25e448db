DROP INDEX post_tags_tag;
DROP TABLE post_tags;
DROP INDEX posts_scheduled_at;
ALTER TABLE posts DROP COLUMN scheduled_by;
ALTER TABLE posts DROP COLUMN review_note;
ALTER TABLE posts DROP COLUMN body_html;
UPDATE posts SET status = 'draft' WHERE status IN ('review', 'scheduled');
DROP INDEX posts_status_id;
ALTER TABLE posts ADD COLUMN status_v1 TEXT NOT NULL DEFAULT 'draft'
    CHECK (status_v1 IN ('draft', 'published'));
UPDATE posts SET status_v1 = status;
ALTER TABLE posts DROP COLUMN status;
ALTER TABLE posts RENAME COLUMN status_v1 TO status;
ALTER TABLE posts RENAME CONSTRAINT posts_status_v1_check TO posts_status_check;
CREATE INDEX posts_status_id ON posts (status, id DESC);
