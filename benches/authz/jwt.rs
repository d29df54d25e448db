//! Verification of an HS256 access token, as done on every API request: the first time a
//! token is seen, and again (the verified tokens are remembered by digest).

use std::hint::black_box;

use criterion::Criterion;
use quire::auth::jwt::JwtKeys;

const SECRET: &str = "bench-secret-bench-secret-bench!";

pub fn bench(c: &mut Criterion) {
    let keys = JwtKeys::new(SECRET, "quire", "quire-api");
    let scope = "posts:read posts:create posts:update_own posts:publish_own posts:delete_own \
                 comments:read comments:create comments:update_own comments:delete_own";
    let (token, claims) = keys.issue(7, "ada", scope, 3600).expect("issue a token");
    assert_eq!(keys.verify_uncached(&token).as_ref(), Ok(&claims));
    assert_eq!(keys.verify(&token).as_deref(), Ok(&claims));
    let forger = JwtKeys::new("another-secret-another-secret-xx", "quire", "quire-api");
    let (forged, _) = forger.issue(7, "ada", scope, 3600).expect("issue a token");
    assert!(keys.verify(&forged).is_err());

    let mut group = c.benchmark_group("jwt");
    // A token seen for the first time: base64, HMAC-SHA256, JSON, claim checks.
    group.bench_function("verify_hs256", |b| {
        b.iter(|| black_box(&keys).verify_uncached(black_box(&token)))
    });
    // The same token again, as on every request of a client after its first: the digest
    // lookup in the verified tokens and the expiry check.
    group.bench_function("verify_hs256_seen_before", |b| {
        b.iter(|| black_box(&keys).verify(black_box(&token)))
    });
    group.bench_function("verify_bad_signature", |b| {
        b.iter(|| black_box(&keys).verify(black_box(&forged)))
    });
    group.finish();
}
