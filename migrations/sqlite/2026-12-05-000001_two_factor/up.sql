-- SPEC §12: two-factor sign-in. The TOTP secret is stored encrypted (AES-256-GCM under a
-- key derived from the server secret); confirmed_at is NULL while enrolment awaits its
-- first code; last_step is the last accepted time step, so a code is accepted once.
CREATE TABLE two_factor (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT
);

-- Single-use recovery codes, stored as SHA-256 (they are random, 80 bits each).
CREATE TABLE two_factor_recovery (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE
);
CREATE INDEX two_factor_recovery_user ON two_factor_recovery (user_id);

-- A sign-in whose password was right and whose code is awaited. The cookie carries a random
-- secret; the row its SHA-256 and the wrong codes so far (five end it).
CREATE TABLE two_factor_pending (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX two_factor_pending_user ON two_factor_pending (user_id);
