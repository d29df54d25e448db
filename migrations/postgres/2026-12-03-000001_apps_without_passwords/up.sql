-- SPEC §11 (apps without passwords). Kept column-for-column equal between
-- migrations/sqlite and migrations/postgres. Secrets are stored as SHA-256 hex only.
-- Scope lists are space-separated catalog names (RFC 6749 §3.3); redirect URI lists are
-- newline-separated (a URI never holds a raw newline).

-- Personal access tokens: the hash is the lookup key (one indexed read per request).
CREATE TABLE personal_access_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id);

-- Public clients (no secret): RFC 6749 §2.1.
CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);

-- Authorization codes: 60 s, single use; `family` is the refresh-token family the
-- exchange started, so presenting the code again ends what it issued.
CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri TEXT,
    scopes TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    family TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);

-- What a user approved for a client ("apps you approved"); revoking deletes the row and
-- ends the families below.
CREATE TABLE oauth_grants (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
CREATE INDEX oauth_grants_client ON oauth_grants (client_id);

-- The refresh-token families issued to a client for a user, so revoking the app (or
-- deleting the client) ends its refresh and access tokens without touching refresh_tokens.
CREATE TABLE oauth_families (
    family TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX oauth_families_grant ON oauth_families (user_id, client_id);
CREATE INDEX oauth_families_client ON oauth_families (client_id);

-- QUIRE_JWT_ALG=EdDSA keys (PKCS#8 PEM, like the HS256 secret kept in settings).
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);
