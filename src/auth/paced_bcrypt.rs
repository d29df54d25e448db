//! bcrypt whose expensive loop can pause: Provos and Mazières' EksBlowfish cost loop over
//! the `blowfish` crate's bcrypt primitives (the cipher and its key schedule are the
//! crate's; only the loop, the final encryption and the `$2b$` text form are here).
//!
//! Why not `bcrypt::verify` for logins: one bcrypt is a quarter of a second of uninterrupted
//! CPU. Under the Linux kernel's autogroup scheduling (the default on desktop and many
//! server distributions), every PostgreSQL backend is its own scheduling group, and one
//! that shares a core with a thread that never sleeps can wait hundreds of milliseconds for
//! it. A login storm then stalls every PostgreSQL read (docs/performance.md, "Logins during
//! reads"). Pausing for a tenth of a millisecond after each half millisecond of work hands
//! the core over often enough; `Pace` says how.
//!
//! The output is byte for byte what every bcrypt produces: the tests check it against the
//! `bcrypt` crate both ways, and stored hashes are parsed by that crate. Like every bcrypt,
//! it reads at most 72 bytes of a password; Quire's rule that longer passwords are refused,
//! not cut, lives in `auth::password`, which is the only caller in the server.

use std::str::FromStr;
use std::time::{Duration, Instant};

use base64::Engine as _;
use blowfish::Blowfish;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The work factors bcrypt defines (2^4 to 2^31 rounds); `QUIRE_BCRYPT_COST` is held to them.
pub const COSTS: std::ops::RangeInclusive<u32> = 4..=31;
/// bcrypt's key is the password and a NUL, cut at 72 bytes.
const KEY_BYTES: usize = 72;
/// The text every bcrypt encrypts 64 times with the expanded key.
const MAGIC: &[u8; 24] = b"OrpheanBeholderScryDoubt";
/// bcrypt keeps 23 of the 24 encrypted bytes.
const DIGEST_BYTES: usize = 23;
/// bcrypt's own base64 alphabet, no padding; salts from other implementations may carry
/// non-zero bits past the 16 bytes, which bcrypt ignores.
const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::BCRYPT,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
);

/// After `work` of uninterrupted hashing, sleep for `pause`.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    pub work: Duration,
    pub pause: Duration,
}

impl Pace {
    /// What the server's password threads use: an uncontended login takes about a quarter
    /// longer (303 ms instead of 238 ms at cost 12, `cargo bench --bench authz --
    /// bcrypt_cost_12`), in exchange for never holding a core for more than half a
    /// millisecond.
    pub const SERVER: Pace = Pace {
        work: Duration::from_micros(500),
        pause: Duration::from_micros(100),
    };
}

/// Lets this thread's sleeps end within a microsecond of what they ask instead of Linux's
/// default 50 µs late, so a `Pace` costs what it says. Elsewhere it does nothing.
pub fn precise_sleeps_on_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_TIMERSLACK changes only the calling thread's timer slack (in ns);
    // failure (e.g. a restricted sandbox) leaves it unchanged, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1_000 as libc::c_ulong);
    }
}

/// Sleeps for `pace.pause` whenever `pace.work` has passed since the last pause.
struct Pacer {
    pace: Option<Pace>,
    since: Instant,
    pauses: u64,
}

impl Pacer {
    fn new(pace: Option<Pace>) -> Self {
        Self {
            pace,
            since: Instant::now(),
            pauses: 0,
        }
    }

    fn tick(&mut self) {
        if let Some(pace) = self.pace {
            if self.since.elapsed() >= pace.work {
                std::thread::sleep(pace.pause);
                self.pauses += 1;
                self.since = Instant::now();
            }
        }
    }
}

/// A `$2b$` hash of `password` with `salt` at `cost` (within `COSTS`).
pub fn hash(password: &[u8], cost: u32, salt: &[u8; 16], pace: Option<Pace>) -> String {
    debug_assert!(COSTS.contains(&cost));
    let digest = digest(password, cost, salt, &mut Pacer::new(pace));
    format!(
        "$2b${cost:02}${}{}",
        B64.encode(salt),
        B64.encode(&digest[..])
    )
}

/// Whether `password` matches `stored` (any `$2a$`, `$2b$`, `$2y$` hash); a hash that does
/// not parse is a mismatch. The comparison takes the same time wherever the digests differ.
pub fn verify(password: &[u8], stored: &str, pace: Option<Pace>) -> bool {
    let Ok(parts) = bcrypt::HashParts::from_str(stored) else {
        return false;
    };
    let cost = parts.get_cost();
    if !COSTS.contains(&cost) {
        return false;
    }
    // The crate's canonical form of the stored hash: `$2b$NN$`, 22 salt, 31 digest.
    let canonical = parts.format_for_version(bcrypt::Version::TwoB);
    let Some(expected) = canonical.get(7 + 22..) else {
        return false;
    };
    let salt = parts.get_salt_raw();
    let ours = B64.encode(&digest(password, cost, &salt, &mut Pacer::new(pace))[..]);
    bool::from(ours.as_bytes().ct_eq(expected.as_bytes()))
}

/// EksBlowfish setup at `cost`, then `MAGIC` encrypted 64 times; the first 23 bytes.
fn digest(
    password: &[u8],
    cost: u32,
    salt: &[u8; 16],
    pacer: &mut Pacer,
) -> Zeroizing<[u8; DIGEST_BYTES]> {
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    let key_len = (password.len() + 1).min(KEY_BYTES);
    let copied = password.len().min(KEY_BYTES);
    key[..copied].copy_from_slice(&password[..copied]);
    // key[copied] is already the NUL when there is room for it.
    let key = &key[..key_len];

    let mut state = Blowfish::bc_init_state();
    state.salted_expand_key(salt, key);
    for _ in 0..1u64 << cost {
        state.bc_expand_key(key);
        state.bc_expand_key(salt);
        pacer.tick();
    }

    let mut words = [0u32; 6];
    for (word, bytes) in words.iter_mut().zip(MAGIC.chunks_exact(4)) {
        *word = u32::from_be_bytes(bytes.try_into().expect("chunks of 4"));
    }
    for _ in 0..64 {
        for block in words.chunks_exact_mut(2) {
            let [l, r] = state.bc_encrypt([block[0], block[1]]);
            block[0] = l;
            block[1] = r;
        }
    }
    let mut out = Zeroizing::new([0u8; 24]);
    for (bytes, word) in out.chunks_exact_mut(4).zip(words) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    let mut digest = Zeroizing::new([0u8; DIGEST_BYTES]);
    digest.copy_from_slice(&out[..DIGEST_BYTES]);
    digest
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn random_password(rng: &mut impl Rng) -> Vec<u8> {
        let len = rng.random_range(0..=80);
        (0..len).map(|_| rng.random_range(1..=255u8)).collect()
    }

    #[test]
    fn hashes_verify_with_the_bcrypt_crate_and_back() {
        let mut rng = rand::rng();
        for i in 0..24 {
            let password = random_password(&mut rng);
            let cost = 4 + i % 2;
            let salt: [u8; 16] = rng.random();
            let ours = hash(&password, cost, &salt, None);
            // Byte for byte the crate's hash for the same salt.
            let theirs = bcrypt::hash_with_salt(&password, cost, salt)
                .unwrap()
                .format_for_version(bcrypt::Version::TwoB);
            assert_eq!(ours, theirs, "password {password:?}");
            assert!(bcrypt::verify(&password, &ours).unwrap());
            assert!(verify(
                &password,
                &bcrypt::hash(&password, cost).unwrap(),
                None
            ));
        }
    }

    #[test]
    fn published_test_vectors_verify() {
        // From the test vectors of OpenBSD's and John the Ripper's bcrypt.
        for (password, stored) in [
            (
                "U*U",
                "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
            ),
            (
                "",
                "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy",
            ),
        ] {
            assert!(verify(password.as_bytes(), stored, None), "{password:?}");
            assert!(!verify(b"U*V", stored, None));
        }
    }

    #[test]
    fn wrong_passwords_and_malformed_hashes_do_not_verify() {
        let stored = hash(b"correct horse", 4, &[7; 16], None);
        assert!(verify(b"correct horse", &stored, None));
        assert!(!verify(b"correct horsf", &stored, None));
        assert!(!verify(b"", &stored, None));
        // One digest character changed (not the last: two of its bits are padding).
        let mut tampered = stored.clone().into_bytes();
        let at = tampered.len() - 5;
        tampered[at] = if tampered[at] == b'a' { b'Z' } else { b'a' };
        assert!(!verify(
            b"correct horse",
            std::str::from_utf8(&tampered).unwrap(),
            None
        ));
        for bad in [
            "",
            "not a hash",
            "$2b$04$",
            &stored[..stored.len() - 1],
            &stored.replace("$2b$04$", "$2b$99$"),
            &stored.replace("$2b$04$", "$3b$04$"),
            &stored.replace("$2b$04$", "$2b$03$"),
            // Multi-byte characters where the salt and digest belong, same length in bytes.
            &format!("$2b$04${}", "é".repeat(26) + "x"),
        ] {
            assert!(!verify(b"correct horse", bad, None), "{bad:?}");
        }
    }

    #[test]
    fn other_bcrypt_versions_verify() {
        let stored = hash(b"correct horse", 4, &[9; 16], None);
        for version in ["$2a$", "$2y$"] {
            let other = stored.replacen("$2b$", version, 1);
            assert!(verify(b"correct horse", &other, None), "{version}");
            assert!(bcrypt::verify("correct horse", &other).unwrap());
        }
    }

    #[test]
    fn only_the_first_72_bytes_count() {
        let long = [b'x'; 100];
        let stored = hash(&long[..72], 4, &[3; 16], None);
        assert!(verify(&long, &stored, None));
        assert!(!verify(&long[..71], &stored, None));
    }

    #[test]
    fn the_cost_loop_pauses_when_its_work_time_is_up() {
        let always = Pace {
            work: Duration::ZERO,
            pause: Duration::from_micros(1),
        };
        let mut pacer = Pacer::new(Some(always));
        digest(b"correct horse", 5, &[1; 16], &mut pacer);
        assert_eq!(pacer.pauses, 32, "one pause per round of cost 5");
        let mut pacer = Pacer::new(None);
        digest(b"correct horse", 5, &[1; 16], &mut pacer);
        assert_eq!(pacer.pauses, 0);
    }

    #[test]
    fn pacing_changes_the_timing_not_the_hash() {
        let pace = Pace {
            work: Duration::from_micros(50),
            pause: Duration::from_micros(10),
        };
        let salt = [5; 16];
        assert_eq!(
            hash(b"correct horse", 6, &salt, Some(pace)),
            hash(b"correct horse", 6, &salt, None)
        );
    }
}
