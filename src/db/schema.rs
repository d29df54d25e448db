//! The one schema both backends share (portable column types only).

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        tokens_valid_after -> Nullable<Timestamp>,
    }
}

diesel::table! {
    permissions (name) {
        name -> Text,
        resource -> Text,
        action -> Text,
        description -> Text,
    }
}

diesel::table! {
    roles (id) {
        id -> BigInt,
        name -> Text,
        description -> Text,
        builtin -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    role_permissions (role_id, permission) {
        role_id -> BigInt,
        permission -> Text,
    }
}

diesel::table! {
    role_parents (role_id, parent_id) {
        role_id -> BigInt,
        parent_id -> BigInt,
    }
}

diesel::table! {
    user_roles (user_id, role_id) {
        user_id -> BigInt,
        role_id -> BigInt,
        granted_at -> Timestamp,
        granted_by -> Nullable<BigInt>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        slug -> Text,
        body -> Text,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        body_html -> Nullable<Text>,
        review_note -> Nullable<Text>,
        scheduled_by -> Nullable<BigInt>,
        tags -> Text,
        page_version -> BigInt,
    }
}

diesel::table! {
    post_tags (post_id, tag) {
        post_id -> BigInt,
        tag -> Text,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        post_id -> BigInt,
        author_id -> BigInt,
        body -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        family -> Text,
        scope -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked -> Bool,
    }
}

diesel::table! {
    revoked_tokens (jti) {
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor -> Text,
        action -> Text,
        target -> Text,
        outcome -> Text,
        detail -> Text,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    authz_state (id) {
        id -> Integer,
        generation -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        ip -> Nullable<Text>,
        user_agent -> Text,
    }
}

diesel::table! {
    throttle_events (id) {
        id -> BigInt,
        bucket -> Text,
        account -> Text,
        address -> Text,
        at -> Timestamp,
        pending -> Bool,
    }
}

diesel::table! {
    revoked_families (family) {
        family -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    audit_denials (actor, minute) {
        actor -> Text,
        minute -> Timestamp,
        count -> BigInt,
        summary_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    job_runs (name) {
        name -> Text,
        last_run_at -> Timestamp,
    }
}

// SPEC §11 (apps without passwords): personal access tokens, public clients, codes,
// approved apps, their refresh families, EdDSA signing keys.
diesel::table! {
    personal_access_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked -> Bool,
    }
}

diesel::table! {
    oauth_clients (client_id) {
        client_id -> Text,
        name -> Text,
        redirect_uris -> Text,
        scopes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    authorization_codes (code_hash) {
        code_hash -> Text,
        client_id -> Text,
        user_id -> BigInt,
        redirect_uri -> Nullable<Text>,
        scopes -> Text,
        code_challenge -> Text,
        family -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oauth_grants (user_id, client_id) {
        user_id -> BigInt,
        client_id -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    oauth_families (family) {
        family -> Text,
        user_id -> BigInt,
        client_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        alg -> Text,
        private_key -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(role_permissions -> roles (role_id));
diesel::table! {
    two_factor (user_id) {
        user_id -> BigInt,
        secret -> Text,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    two_factor_recovery (id) {
        id -> BigInt,
        user_id -> BigInt,
        code_hash -> Text,
    }
}

diesel::table! {
    two_factor_pending (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        failures -> BigInt,
    }
}

diesel::joinable!(user_roles -> roles (role_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(posts -> users (author_id));
diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(post_tags -> posts (post_id));
diesel::joinable!(comments -> users (author_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(personal_access_tokens -> users (user_id));
diesel::joinable!(authorization_codes -> oauth_clients (client_id));
diesel::joinable!(oauth_grants -> oauth_clients (client_id));
diesel::joinable!(oauth_families -> oauth_clients (client_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    permissions,
    roles,
    role_permissions,
    role_parents,
    user_roles,
    posts,
    comments,
    refresh_tokens,
    revoked_tokens,
    audit_events,
    settings,
    authz_state,
    sessions,
    throttle_events,
    revoked_families,
    audit_denials,
    job_runs,
    personal_access_tokens,
    post_tags,
    oauth_clients,
    authorization_codes,
    oauth_grants,
    oauth_families,
    signing_keys,
    two_factor,
    two_factor_recovery,
    two_factor_pending,
);
