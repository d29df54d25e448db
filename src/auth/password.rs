//! Password hashing with bcrypt, always off the async workers.

use rand::distr::{Alphanumeric, SampleString};

use crate::error::AppError;

/// bcrypt reads at most 72 bytes; longer passwords are refused rather than truncated.
pub const MAX_BYTES: usize = 72;
pub const MIN_BYTES: usize = 8;

/// The work factors bcrypt defines (2^4 to 2^31 rounds); `QUIRE_BCRYPT_COST` is held to them.
pub const COSTS: std::ops::RangeInclusive<u32> = 4..=31;

/// The length rule, in bytes (bcrypt's unit), plus no NUL (C bcrypt stops there).
pub fn check_length(password: &str) -> Result<(), String> {
    let len = password.len();
    if len < MIN_BYTES {
        return Err(format!("must be at least {MIN_BYTES} bytes"));
    }
    if len > MAX_BYTES {
        return Err(format!(
            "must be at most {MAX_BYTES} bytes (bcrypt's limit; got {len})"
        ));
    }
    if password.contains('\0') {
        return Err("must not contain NUL characters".into());
    }
    Ok(())
}

/// Hashes on the current thread: call only from a blocking context (the CLI, startup, the
/// password threads).
pub fn hash_blocking(password: &str, cost: u32) -> Result<String, anyhow::Error> {
    check_length(password).map_err(|m| anyhow::anyhow!("password {m}"))?;
    anyhow::ensure!(
        COSTS.contains(&cost),
        "bcrypt cost must be within {COSTS:?}, not {cost}"
    );
    // The crate draws the salt from the operating system's CSPRNG.
    Ok(bcrypt::hash(password, cost)?)
}

/// Verifies on the current thread; a malformed stored hash counts as a mismatch.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    check_length(password).is_ok() && bcrypt::verify(password, hash).unwrap_or(false)
}

/// A random password for generated accounts (about 119 bits).
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}

/// Runs every bcrypt of the server (verifying logins and current passwords, hashing new
/// passwords) on its own threads — half the cores, at least one — with a bounded queue in
/// front (SPEC H5): a login storm can neither take every core nor make requests wait
/// without end; when the queue is full the request is answered 503 at once. The threads run
/// at a lower CPU priority than the rest of the server, so reads keep the cores they need
/// and bcrypt gets whatever is idle. Unknown users are checked against a dummy hash of the
/// same cost, so both failures take the same time.
pub struct Verifier {
    jobs: std::sync::mpsc::SyncSender<Job>,
    cost: u32,
    dummy_hash: String,
    threads: usize,
}

type Job = Box<dyn FnOnce() + Send>;

/// Jobs that may wait per password thread: at cost 12 (a quarter of a second each) a full
/// queue is about four seconds of work.
pub const QUEUE_PER_THREAD: usize = 16;

/// How much lower than the server's the bcrypt threads' priority is (Linux nice steps;
/// 10 gives them about a tenth of a contended core).
const VERIFIER_NICENESS: i32 = 10;

impl Verifier {
    /// Starts the bcrypt threads and computes the dummy hash (one bcrypt at `cost`).
    pub fn new(cost: u32) -> Result<Self, anyhow::Error> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = (cores / 2).max(1);
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<Job>(threads * QUEUE_PER_THREAD);
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        for i in 0..threads {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("quire-bcrypt-{i}"))
                .spawn(move || {
                    lower_this_threads_priority();
                    loop {
                        let job = receiver.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        // The sender is gone: the server is shutting down.
                        let Ok(job) = job else { return };
                        job();
                    }
                })?;
        }
        Ok(Self {
            jobs,
            cost,
            dummy_hash: hash_blocking(&generate(), cost)?,
            threads,
        })
    }

    /// Runs `work` on a bcrypt thread and waits for its answer without blocking a worker;
    /// 503 when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let stopped = || AppError::Unexpected(anyhow::anyhow!("password threads stopped"));
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(work());
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(std::sync::mpsc::TrySendError::Full(_)) => {
                return Err(AppError::Overloaded {
                    retry_after_secs: self.retry_after_secs(),
                })
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return Err(stopped()),
        }
        answer.await.map_err(|_| stopped())
    }

    /// About how long a full queue takes to drain at this cost.
    fn retry_after_secs(&self) -> u64 {
        // 2^cost rounds; cost 12 is about 0.25 s on one core of a current machine.
        let per_job_ms = 250u64.saturating_mul(1 << self.cost.min(31)) >> 12;
        (per_job_ms.saturating_mul(QUEUE_PER_THREAD as u64) / 1000).clamp(1, 60)
    }

    /// How many password threads run.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// `stored` is the user's hash, or `None` for an unknown user.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let ok = self.run(move || verify_blocking(&password, &hash)).await?;
        Ok(ok && known)
    }

    /// A bcrypt hash of `password` at the configured cost.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let cost = self.cost;
        self.run(move || hash_blocking(&password, cost))
            .await?
            .map_err(AppError::Unexpected)
    }
}

/// A lower priority for the calling thread (Linux keeps a nice value per thread; elsewhere
/// the threads keep the normal priority).
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority with `who` = 0 changes only the calling thread's nice value;
    // failure (e.g. a restricted sandbox) leaves it unchanged, which is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, VERIFIER_NICENESS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_are_in_bytes() {
        assert!(check_length("12345678").is_ok());
        assert!(check_length("1234567").is_err());
        assert!(check_length(&"x".repeat(72)).is_ok());
        assert!(check_length(&"x".repeat(73)).is_err());
        // 25 three-byte characters are 75 bytes: too long although only 25 characters.
        assert!(check_length(&"€".repeat(25)).is_err());
        assert!(check_length("abcd\0efgh").is_err());
    }

    #[test]
    fn hash_and_verify_round_trip() {
        let hash = hash_blocking("correct horse", 4).unwrap();
        assert!(verify_blocking("correct horse", &hash));
        assert!(!verify_blocking("correct horsf", &hash));
        assert!(!verify_blocking("correct horse", "not a hash"));
        assert!(hash.starts_with("$2b$04$"), "{hash}");
    }

    #[test]
    fn costs_outside_bcrypts_range_are_refused() {
        assert!(hash_blocking("correct horse", 3).is_err());
        assert!(hash_blocking("short", 4).is_err());
    }

    #[test]
    fn generated_passwords_are_valid_and_distinct() {
        let a = generate();
        assert!(check_length(&a).is_ok());
        assert_ne!(a, generate());
    }
}
