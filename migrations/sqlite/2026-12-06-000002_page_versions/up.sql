-- The version of a post's public page (SPEC §10 "Caching"): the anonymous `/p/{slug}` is
-- tagged with it, so a revalidation is answered 304 from this one column, without loading
-- or rendering the page. The database keeps it: triggers bump it whenever anything the
-- page shows changes, whichever code path writes (the post's row, its tags through that
-- row, its comments, and the names of its author and commenters). What the anonymous role
-- may see is the authorization generation, which the tag includes as well.
ALTER TABLE posts ADD COLUMN page_version BIGINT NOT NULL DEFAULT 0;

-- Any change to the row; the guard skips the bumps below (and this trigger's own update).
CREATE TRIGGER posts_page_version AFTER UPDATE ON posts
WHEN NEW.page_version = OLD.page_version
BEGIN
    UPDATE posts SET page_version = OLD.page_version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER comments_page_version_insert AFTER INSERT ON comments
BEGIN
    UPDATE posts SET page_version = page_version + 1 WHERE id = NEW.post_id;
END;

CREATE TRIGGER comments_page_version_update AFTER UPDATE ON comments
BEGIN
    UPDATE posts SET page_version = page_version + 1 WHERE id IN (OLD.post_id, NEW.post_id);
END;

CREATE TRIGGER comments_page_version_delete AFTER DELETE ON comments
BEGIN
    UPDATE posts SET page_version = page_version + 1 WHERE id = OLD.post_id;
END;

-- A renamed user: the pages of their posts and of the posts they commented on.
CREATE TRIGGER users_page_version AFTER UPDATE OF username, display_name ON users
WHEN OLD.username IS NOT NEW.username OR OLD.display_name IS NOT NEW.display_name
BEGIN
    UPDATE posts SET page_version = page_version + 1
    WHERE author_id = NEW.id OR id IN (SELECT post_id FROM comments WHERE author_id = NEW.id);
END;
