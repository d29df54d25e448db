//! Throttling of repeated login failures, per account and per client address.
//!
//! In memory, per process: each instance limits what it sees. After `free` failures in a
//! window the key is locked for a delay that doubles with every further failure.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Failures allowed before locking.
    pub free: u32,
    pub first_lock: Duration,
    pub max_lock: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
}

pub const PER_ACCOUNT: Rule = Rule {
    free: 5,
    first_lock: Duration::from_secs(30),
    max_lock: Duration::from_secs(900),
    window: Duration::from_secs(900),
};

pub const PER_ADDRESS: Rule = Rule {
    free: 20,
    first_lock: Duration::from_secs(60),
    max_lock: Duration::from_secs(900),
    window: Duration::from_secs(900),
};

struct Entry {
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

#[derive(Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

/// Entries kept at most; the oldest half is dropped beyond it (memory bound under attack).
const MAX_ENTRIES: usize = 100_000;

impl Throttle {
    /// `Err(seconds to wait)` while `key` is locked.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(key).and_then(|e| e.locked_until) {
            Some(until) if until > now => Err((until - now).as_secs().max(1)),
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, key: &str, rule: Rule, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            let cutoff = now.checked_sub(rule.window).unwrap_or(now);
            entries.retain(|_, e| e.last > cutoff);
        }
        let entry = entries.entry(key.to_owned()).or_insert(Entry {
            failures: 0,
            last: now,
            locked_until: None,
        });
        if now.duration_since(entry.last) > rule.window {
            entry.failures = 0;
            entry.locked_until = None;
        }
        entry.failures += 1;
        entry.last = now;
        if entry.failures > rule.free {
            let doublings = (entry.failures - rule.free - 1).min(16);
            let lock = rule
                .first_lock
                .saturating_mul(1 << doublings)
                .min(rule.max_lock);
            entry.locked_until = Some(now + lock);
        }
    }

    pub fn record_success(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_free_failures_and_doubles() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT.free {
            t.record_failure("a", PER_ACCOUNT, now);
            assert!(t.check("a", now).is_ok());
        }
        t.record_failure("a", PER_ACCOUNT, now);
        assert_eq!(t.check("a", now), Err(30));
        t.record_failure("a", PER_ACCOUNT, now);
        assert_eq!(t.check("a", now), Err(60));
        assert!(t.check("a", now + Duration::from_secs(61)).is_ok());
        assert!(t.check("b", now).is_ok());
        t.record_success("a");
        assert!(t.check("a", now).is_ok());
    }

    #[test]
    fn old_failures_are_forgotten() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT.free {
            t.record_failure("a", PER_ACCOUNT, now);
        }
        let later = now + PER_ACCOUNT.window + Duration::from_secs(1);
        t.record_failure("a", PER_ACCOUNT, later);
        assert!(t.check("a", later).is_ok());
    }
}
