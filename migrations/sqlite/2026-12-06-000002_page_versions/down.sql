DROP TRIGGER users_page_version;
DROP TRIGGER comments_page_version_delete;
DROP TRIGGER comments_page_version_update;
DROP TRIGGER comments_page_version_insert;
DROP TRIGGER posts_page_version;
ALTER TABLE posts DROP COLUMN page_version;
