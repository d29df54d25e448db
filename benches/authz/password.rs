//! One login's bcrypt (cost 12, as served): the `bcrypt` crate's uninterrupted verify, and
//! Quire's own loop (`auth::paced_bcrypt`) without pauses and at `Pace::SERVER`, which is
//! what the server's password threads run. The difference between the last two is what
//! the pauses cost an uncontended login.

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use quire::auth::paced_bcrypt::{self, Pace};

const COST: u32 = 12;

pub fn bench(c: &mut Criterion) {
    let password = b"bench-demo-password";
    let stored = paced_bcrypt::hash(password, COST, &[42; 16], None);
    assert!(bcrypt::verify(password, &stored).expect("a valid hash"));
    // As on the server's password threads.
    paced_bcrypt::precise_sleeps_on_this_thread();

    let mut group = c.benchmark_group("bcrypt_cost_12");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("bcrypt_crate_verify", |b| {
        b.iter(|| bcrypt::verify(black_box(password), black_box(&stored)))
    });
    group.bench_function("quire_verify_unpaced", |b| {
        b.iter(|| paced_bcrypt::verify(black_box(password), black_box(&stored), None))
    });
    group.bench_function("quire_verify_paced_as_served", |b| {
        b.iter(|| paced_bcrypt::verify(black_box(password), black_box(&stored), Some(Pace::SERVER)))
    });
    group.finish();
}
