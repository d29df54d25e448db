//! One login's bcrypt at cost 12, as the server's password threads run it
//! (`auth::password::verify_blocking`, the `bcrypt` crate underneath).

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use quire::auth::password::{hash_blocking, verify_blocking};

const COST: u32 = 12;

pub fn bench(c: &mut Criterion) {
    let password = "bench-demo-password";
    let stored = hash_blocking(password, COST).expect("a hash");
    let mut group = c.benchmark_group("bcrypt_cost_12");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("verify", |b| {
        b.iter(|| verify_blocking(black_box(password), black_box(&stored)))
    });
    group.finish();
}
