ALTER TABLE users DROP COLUMN tokens_valid_after;
DROP INDEX users_email_lower;
DROP TABLE job_runs;
DROP INDEX audit_events_at;
DROP TABLE audit_denials;
DROP TABLE revoked_families;
DROP TABLE throttle_events;
DROP TABLE sessions;
