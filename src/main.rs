use clap::Parser;

fn main() {
    limit_malloc_arenas();
    let cli = quire::cli::Cli::parse();
    if let Err(e) = quire::cli::run(cli) {
        eprintln!("quire: {e}");
        std::process::exit(e.exit_code());
    }
}

/// glibc gives threads their own malloc arenas (up to 8 per core), each keeping freed
/// memory resident; with workers and blocking threads that is about 3 MiB of a ~30 MiB
/// server for no measurable speed (docs/performance.md). Two arenas, set before any
/// thread starts. `MALLOC_ARENA_MAX` in the environment still wins.
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
