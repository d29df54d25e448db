//! Password hashing with bcrypt, always off the async workers.

use rand::distr::{Alphanumeric, SampleString};

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

/// Hashes on the current thread: call only from a blocking context (CLI, `web::block`).
pub fn hash_blocking(password: &str, cost: u32) -> Result<String, anyhow::Error> {
    check_length(password).map_err(|m| anyhow::anyhow!("password {m}"))?;
    Ok(bcrypt::hash(password, cost)?)
}

/// Verifies on the current thread; a malformed stored hash counts as a mismatch.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    check_length(password).is_ok() && bcrypt::verify(password, hash).unwrap_or(false)
}

/// Hashes on the blocking pool.
pub async fn hash(password: String, cost: u32) -> Result<String, AppError> {
    actix_web::web::block(move || hash_blocking(&password, cost))
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))?
        .map_err(AppError::Unexpected)
}

/// A random password for generated accounts (about 119 bits).
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}

/// Verifies passwords on the blocking pool, a bounded number at a time, so a login storm
/// cannot take every core from other requests. Unknown users are checked against a dummy
/// hash of the same cost, so both failures take the same time.
pub struct Verifier {
    permits: tokio::sync::Semaphore,
    dummy_hash: String,
}

impl Verifier {
    /// Computes the dummy hash (one bcrypt at the configured cost).
    pub fn new(cost: u32) -> Result<Self, anyhow::Error> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self {
            permits: tokio::sync::Semaphore::new((cores / 2).max(1)),
            dummy_hash: hash_blocking(&generate(), cost)?,
        })
    }

    /// `stored` is the user's hash, or `None` for an unknown user.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("verifier closed: {e}")))?;
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let ok = actix_web::web::block(move || verify_blocking(&password, &hash))
            .await
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))?;
        Ok(ok && known)
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
    }

    #[test]
    fn generated_passwords_are_valid_and_distinct() {
        let a = generate();
        assert!(check_length(&a).is_ok());
        assert_ne!(a, generate());
    }
}
