-- SPEC §9 (hardening). Kept column-for-column equal between migrations/sqlite and
-- migrations/postgres.

-- H7: browser sessions live on the server. The cookie carries a random secret; only its
-- SHA-256 is stored. A session ends when its row is deleted (logout, password change,
-- disabling, "sign out everywhere else") or when it is 2 h idle or 12 h old.
CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    ip TEXT,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- H4: every sign-in attempt (and every registration) is recorded before the password is
-- checked; a successful sign-in removes its own row, so what remains are failures.
CREATE TABLE throttle_events (
    id BIGSERIAL PRIMARY KEY,
    bucket TEXT NOT NULL,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX throttle_events_account ON throttle_events (bucket, account, at);
CREATE INDEX throttle_events_address ON throttle_events (bucket, address, at);

-- H10: refresh-token families whose access tokens are refused too (until they expire).
CREATE TABLE revoked_families (
    family TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);

-- H9: denials stored per actor and minute; past the limit only the count grows, shown in
-- one summary event.
CREATE TABLE audit_denials (
    actor TEXT NOT NULL,
    minute TIMESTAMP NOT NULL,
    count BIGINT NOT NULL,
    summary_id BIGINT,
    PRIMARY KEY (actor, minute)
);
CREATE INDEX audit_events_at ON audit_events (at);

-- Periodic jobs run once across instances: whoever moves a job's last_run_at claims it.
CREATE TABLE job_runs (
    name TEXT PRIMARY KEY,
    last_run_at TIMESTAMP NOT NULL
);

-- H12: emails are unique case-insensitively.
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

-- H3: access tokens issued (and browser sign-ins made) before this time are refused, so
-- start-up recovery of the first admin also ends credentials an intruder may hold.
ALTER TABLE users ADD COLUMN tokens_valid_after TIMESTAMP;
