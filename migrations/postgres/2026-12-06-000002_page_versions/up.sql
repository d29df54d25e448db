-- The version of a post's public page (SPEC §10 "Caching"): the anonymous `/p/{slug}` is
-- tagged with it, so a revalidation is answered 304 from this one column, without loading
-- or rendering the page. The database keeps it: triggers bump it whenever anything the
-- page shows changes, whichever code path writes (the post's row, its tags through that
-- row, its comments, and the names of its author and commenters). What the anonymous role
-- may see is the authorization generation, which the tag includes as well.
ALTER TABLE posts ADD COLUMN page_version BIGINT NOT NULL DEFAULT 0;

-- Any change to the row; the guard skips the bumps below, which set the column themselves.
CREATE FUNCTION posts_page_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.page_version := OLD.page_version + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER posts_page_version BEFORE UPDATE ON posts FOR EACH ROW
WHEN (NEW.page_version = OLD.page_version) EXECUTE FUNCTION posts_page_version();

CREATE FUNCTION comments_page_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE posts SET page_version = page_version + 1 WHERE id = OLD.post_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE posts SET page_version = page_version + 1 WHERE id = NEW.post_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER comments_page_version AFTER INSERT OR UPDATE OR DELETE ON comments
FOR EACH ROW EXECUTE FUNCTION comments_page_version();

-- A renamed user: the pages of their posts and of the posts they commented on.
CREATE FUNCTION users_page_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE posts SET page_version = page_version + 1
    WHERE author_id = NEW.id OR id IN (SELECT post_id FROM comments WHERE author_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER users_page_version AFTER UPDATE OF username, display_name ON users
FOR EACH ROW WHEN (OLD.username IS DISTINCT FROM NEW.username
    OR OLD.display_name IS DISTINCT FROM NEW.display_name)
EXECUTE FUNCTION users_page_version();
