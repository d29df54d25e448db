use clap::Parser;

fn main() {
    limit_malloc_arenas();
    let cli = quire::cli::Cli::parse();
    if let Err(e) = quire::cli::run(cli) {
        eprintln!("quire: {e}");
        std::process::exit(e.exit_code());
    }
}

/// Rust allocations go to mimalloc (below); SQLite and libpq still allocate with glibc,
/// which gives threads their own malloc arenas (up to 8 per core), each keeping freed
/// memory resident, about 3 MiB of a ~30 MiB server for no measurable speed
/// (docs/performance.md). Two arenas, set before any thread starts. `MALLOC_ARENA_MAX` in
/// the environment still wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only adjusts allocator tunables; called on the main thread
        // before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

/// glibc malloc and free were 10–15 % of a single-post read under load; mimalloc spends
/// about a third of that, within the same memory budget (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
