-- A post's tags on its own row as well, comma-separated in name order ('' for none), so a
-- read of a post or a page of posts shows them without another statement. `post_tags`
-- stays the source for `?tag=`, `/t/{tag}` and `/api/tags`; both are written together by
-- `db::queries::tags::set_tags`, in the post write's transaction.
ALTER TABLE posts ADD COLUMN tags TEXT NOT NULL DEFAULT '';
UPDATE posts SET tags = COALESCE(
    (SELECT string_agg(tag, ',' ORDER BY tag) FROM post_tags WHERE post_id = posts.id),
    '');
