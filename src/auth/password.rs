//! Password hashing with bcrypt, always off the async workers.

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;

use super::paced_bcrypt::{self, Pace};
use crate::error::AppError;

/// bcrypt reads at most 72 bytes; longer passwords are refused rather than truncated.
pub const MAX_BYTES: usize = 72;
pub const MIN_BYTES: usize = 8;

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

/// Hashes on the current thread: call only from a blocking context (the CLI, startup).
pub fn hash_blocking(password: &str, cost: u32) -> Result<String, anyhow::Error> {
    hash_paced(password, cost, None)
}

/// Verifies on the current thread; a malformed stored hash counts as a mismatch.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    verify_paced(password, hash, None)
}

fn hash_paced(password: &str, cost: u32, pace: Option<Pace>) -> Result<String, anyhow::Error> {
    check_length(password).map_err(|m| anyhow::anyhow!("password {m}"))?;
    anyhow::ensure!(
        paced_bcrypt::COSTS.contains(&cost),
        "bcrypt cost must be within {:?}, not {cost}",
        paced_bcrypt::COSTS
    );
    // ThreadRng is a CSPRNG seeded from the operating system.
    let salt: [u8; 16] = rand::rng().random();
    Ok(paced_bcrypt::hash(password.as_bytes(), cost, &salt, pace))
}

fn verify_paced(password: &str, hash: &str, pace: Option<Pace>) -> bool {
    check_length(password).is_ok() && paced_bcrypt::verify(password.as_bytes(), hash, pace)
}

/// A random password for generated accounts (about 119 bits).
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}

/// Runs every bcrypt of the server (verifying logins, hashing new passwords) on dedicated
/// threads (half the cores) at a lower CPU priority than the rest of the server, so a
/// login or registration storm neither takes every core nor competes on equal terms with
/// reads for the cores it uses, nor occupies the database's blocking threads; bcrypt still
/// gets whatever CPU is idle. The threads hash at `Pace::SERVER`: they give their core away
/// for a moment every half millisecond, which keeps PostgreSQL's backends from waiting
/// behind them (see `paced_bcrypt`). Unknown users are checked against a dummy hash of
/// the same cost, so both failures take the same time.
pub struct Verifier {
    jobs: std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>,
    cost: u32,
    dummy_hash: String,
}

/// How much lower than the server's the bcrypt threads' priority is (Linux nice steps;
/// 10 gives them about a tenth of a contended core).
const VERIFIER_NICENESS: i32 = 10;

impl Verifier {
    /// Starts the bcrypt threads and computes the dummy hash (one bcrypt at `cost`).
    pub fn new(cost: u32) -> Result<Self, anyhow::Error> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (jobs, receiver) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        for i in 0..(cores / 2).max(1) {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("quire-bcrypt-{i}"))
                .spawn(move || {
                    tune_this_thread();
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
        })
    }

    /// Runs `work` on a bcrypt thread and waits for its answer without blocking a worker.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let stopped = || AppError::Unexpected(anyhow::anyhow!("password threads stopped"));
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = reply.send(work());
            }))
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }

    /// `stored` is the user's hash, or `None` for an unknown user.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let ok = self
            .run(move || verify_paced(&password, &hash, Some(Pace::SERVER)))
            .await?;
        Ok(ok && known)
    }

    /// A bcrypt hash of `password` at the configured cost.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let cost = self.cost;
        self.run(move || hash_paced(&password, cost, Some(Pace::SERVER)))
            .await?
            .map_err(AppError::Unexpected)
    }
}

/// A lower priority (Linux keeps a nice value per thread; elsewhere the threads keep the
/// normal priority), and pauses that last what `Pace::SERVER` asks.
fn tune_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority with `who` = 0 changes only the calling thread's nice value;
    // failure (e.g. a restricted sandbox) leaves it unchanged, which is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, VERIFIER_NICENESS);
    }
    paced_bcrypt::precise_sleeps_on_this_thread();
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
    }

    #[test]
    fn generated_passwords_are_valid_and_distinct() {
        let a = generate();
        assert!(check_length(&a).is_ok());
        assert_ne!(a, generate());
    }
}
