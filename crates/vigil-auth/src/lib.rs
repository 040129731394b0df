//! Passwords and secrets. Passwords are stored only as argon2id hashes with a random salt
//! (PHC string format); a password is never logged, stored or returned.

use argon2::Argon2;
use password_hash::rand_core::{OsRng, RngCore};
use password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakPassword(pub String);

/// The shortest password Vigil accepts. Length beats composition rules (NCSC guidance), so
/// there is a length rule and a check against the obvious, not a character-class rule.
pub const MIN_PASSWORD_CHARS: usize = 12;

pub fn check_password(password: &str, username: &str) -> Result<(), WeakPassword> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(WeakPassword(format!(
            "the password has {n} characters; use at least {MIN_PASSWORD_CHARS} (three random words make a good one)"
        )));
    }
    if n > 1024 {
        return Err(WeakPassword(
            "the password is longer than 1,024 characters".into(),
        ));
    }
    let lower = password.to_lowercase();
    if lower.contains(&username.to_lowercase())
        || ["password", "vigil", "123456", "qwerty"]
            .iter()
            .any(|w| lower.contains(w))
    {
        return Err(WeakPassword(
            "the password contains the username or a commonly guessed word; choose another".into(),
        ));
    }
    Ok(())
}

/// Hashes a password with argon2id and a fresh random salt.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password with a generated salt")
        .to_string()
}

/// Whether `password` matches a stored hash. A malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A random secret (session token, CSRF token) as 64 hex characters (256 bits).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Random bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// The current time in UTC, to the second: what sessions and the audit trail are stamped with.
pub fn now_utc() -> chrono::NaiveDateTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(Default::default, |t| t.naive_utc())
}

/// The hex SHA-256 of a token: what is stored in place of the token itself.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two tokens in time that does not depend on where they first differ, so a form
/// token cannot be guessed a character at a time.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let h1 = hash_password("correct horse battery");
        let h2 = hash_password("correct horse battery");
        assert!(h1.starts_with("$argon2id$"));
        assert_ne!(h1, h2, "each hash has its own salt");
        assert!(verify_password("correct horse battery", &h1));
        assert!(!verify_password("correct horse batter", &h1));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_password("short", "ann").is_err());
        assert!(check_password("ann.smith-is-great", "ann.smith").is_err());
        assert!(check_password("mypassword123", "ann").is_err());
        assert!(check_password("lantern orbit velvet", "ann").is_ok());
    }

    #[test]
    fn tokens_are_long_and_random() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        assert!(!constant_time_eq("", "a"));
    }
}
