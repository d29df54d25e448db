DROP TRIGGER users_page_version ON users;
DROP FUNCTION users_page_version();
DROP TRIGGER comments_page_version ON comments;
DROP FUNCTION comments_page_version();
DROP TRIGGER posts_page_version ON posts;
DROP FUNCTION posts_page_version();
ALTER TABLE posts DROP COLUMN page_version;
