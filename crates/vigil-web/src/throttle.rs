//! The sign-in throttle: what an unauthenticated client can make Vigil do is bounded.
//!
//! - Each client address may try to sign in `PER_ADDRESS` times a minute, and everyone
//!   together `OVERALL` times a minute: past either, `429` with `Retry-After`.
//! - A username is locked after `LOCK_AFTER` wrong passwords **from one address** within
//!   `LOCK_WINDOW`: an attacker elsewhere cannot lock an officer out, and the officer at their
//!   own desk is not locked by someone else's guesses.
//! - Memory is bounded: each map holds at most `MAX_ENTRIES`, expired entries go first and
//!   then the oldest.
//! - Wrong passwords are also written to the store (`Store::record_sign_in_failure`) and read
//!   back at start, so a restart does not lift a lock.
//!
//! Times are real UTC (never the server's set clock): they guard the service, not a case.
//! Vigil's choices throughout.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use vigil_domain::DateTime;

/// Sign-in attempts one address may make in a minute.
pub const PER_ADDRESS: u32 = 30;
/// Sign-in attempts all clients together may make in a minute.
pub const OVERALL: u32 = 600;
/// Wrong passwords for one username from one address before it is locked there.
pub const LOCK_AFTER: u32 = 5;
/// How long wrong passwords count, and a lock lasts.
pub const LOCK_WINDOW_MINUTES: i64 = 15;
/// Entries each map holds at most.
pub const MAX_ENTRIES: usize = 10_000;

/// A count within a window that started at `since`.
#[derive(Debug, Clone, Copy)]
struct Count {
    n: u32,
    since: DateTime,
}

#[derive(Default)]
struct State {
    /// Attempts by address, this minute.
    by_address: HashMap<IpAddr, Count>,
    /// Attempts by everyone, this minute.
    overall: Option<Count>,
    /// Wrong passwords by username and address, this lock window.
    failures: HashMap<(String, IpAddr), Count>,
}

/// Why a sign-in is refused before its password is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Too many attempts: from this address, or from everyone.
    TooMany { retry_after_secs: i64 },
    /// This username is locked from this address.
    Locked { retry_after_secs: i64 },
}

#[derive(Default)]
pub struct SignInThrottle {
    state: Mutex<State>,
}

fn bounded<K: std::hash::Hash + Eq + Clone>(
    map: &mut HashMap<K, Count>,
    now: DateTime,
    window: chrono::Duration,
) {
    if map.len() < MAX_ENTRIES {
        return;
    }
    map.retain(|_, c| now - c.since < window);
    if map.len() >= MAX_ENTRIES {
        // Still full of live entries: the oldest tenth goes at once, so a flood costs one
        // sort per thousand new entries, not a scan per entry.
        let mut by_age: Vec<(DateTime, K)> =
            map.iter().map(|(k, c)| (c.since, k.clone())).collect();
        by_age.sort_by_key(|(since, _)| *since);
        for (_, k) in by_age.into_iter().take(MAX_ENTRIES / 10) {
            map.remove(&k);
        }
    }
}

/// Counts one more in a window: a fresh window when the old one has passed.
fn bump(c: &mut Count, now: DateTime, window: chrono::Duration) {
    if now - c.since >= window {
        *c = Count { n: 0, since: now };
    }
    c.n += 1;
}

impl SignInThrottle {
    /// Counts an attempt and says whether it may go ahead. `name` is the parsed username
    /// (`None` when what was typed is not one: it is never a key).
    pub fn attempt(
        &self,
        name: Option<&str>,
        address: IpAddr,
        now: DateTime,
    ) -> Result<(), Refusal> {
        let minute = chrono::Duration::minutes(1);
        let lock = chrono::Duration::minutes(LOCK_WINDOW_MINUTES);
        let mut s = self.state.lock().expect("throttle lock");
        let left =
            |c: &Count, window: chrono::Duration| (c.since + window - now).num_seconds().max(1);
        let overall = s.overall.get_or_insert(Count { n: 0, since: now });
        bump(overall, now, minute);
        if overall.n > OVERALL {
            return Err(Refusal::TooMany {
                retry_after_secs: left(overall, minute),
            });
        }
        bounded(&mut s.by_address, now, minute);
        let here = s
            .by_address
            .entry(address)
            .or_insert(Count { n: 0, since: now });
        bump(here, now, minute);
        if here.n > PER_ADDRESS {
            return Err(Refusal::TooMany {
                retry_after_secs: left(here, minute),
            });
        }
        if let Some(name) = name
            && let Some(c) = s.failures.get(&(name.to_owned(), address))
            && c.n >= LOCK_AFTER
            && now - c.since < lock
        {
            return Err(Refusal::Locked {
                retry_after_secs: left(c, lock),
            });
        }
        Ok(())
    }

    /// A wrong password for `name` from `address`.
    pub fn failed(&self, name: &str, address: IpAddr, at: DateTime) {
        let lock = chrono::Duration::minutes(LOCK_WINDOW_MINUTES);
        let mut s = self.state.lock().expect("throttle lock");
        bounded(&mut s.failures, at, lock);
        let c = s
            .failures
            .entry((name.to_owned(), address))
            .or_insert(Count { n: 0, since: at });
        bump(c, at, lock);
    }

    /// The right password: the lock for this name and address is lifted.
    pub fn succeeded(&self, name: &str, address: IpAddr) {
        self.state
            .lock()
            .expect("throttle lock")
            .failures
            .remove(&(name.to_owned(), address));
    }

    /// How many entries the throttle holds (for tests of its bound).
    pub fn entries(&self) -> usize {
        let s = self.state.lock().expect("throttle lock");
        s.by_address.len() + s.failures.len()
    }
}

/// API requests one user may make in a minute (a script that needs more is doing what
/// no officer does).
pub const API_PER_USER: u32 = 600;

/// Each user's API requests, per minute, bounded.
#[derive(Default)]
pub struct ApiLimit {
    users: Mutex<HashMap<String, Count>>,
}

impl ApiLimit {
    /// Counts a request; `Err(seconds)` to wait when the user is over the limit.
    pub fn allow(&self, user: &str, now: DateTime) -> Result<(), i64> {
        let minute = chrono::Duration::minutes(1);
        let mut m = self.users.lock().expect("api limit lock");
        bounded(&mut m, now, minute);
        let c = m
            .entry(user.to_owned())
            .or_insert(Count { n: 0, since: now });
        bump(c, now, minute);
        if c.n > API_PER_USER {
            return Err((c.since + minute - now).num_seconds().max(1));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::time::parse_datetime;

    fn t(s: &str) -> DateTime {
        parse_datetime(s).unwrap()
    }

    #[test]
    fn a_username_locks_only_from_the_address_that_guessed() {
        let th = SignInThrottle::default();
        let attacker: IpAddr = "203.0.113.9".parse().unwrap();
        let officer: IpAddr = "10.1.2.3".parse().unwrap();
        let now = t("2026-11-29T10:00:00");
        for _ in 0..LOCK_AFTER {
            assert!(th.attempt(Some("ann.smith"), attacker, now).is_ok());
            th.failed("ann.smith", attacker, now);
        }
        assert!(matches!(
            th.attempt(Some("ann.smith"), attacker, now),
            Err(Refusal::Locked { .. })
        ));
        // The officer at their own desk is not locked out.
        assert!(th.attempt(Some("ann.smith"), officer, now).is_ok());
        // The lock passes with its window.
        let later = t("2026-11-29T10:16:00");
        assert!(th.attempt(Some("ann.smith"), attacker, later).is_ok());
    }

    #[test]
    fn one_address_and_everyone_are_limited_per_minute() {
        let th = SignInThrottle::default();
        let a: IpAddr = "203.0.113.9".parse().unwrap();
        let now = t("2026-11-29T10:00:00");
        for _ in 0..PER_ADDRESS {
            assert!(th.attempt(None, a, now).is_ok());
        }
        let refused = th.attempt(None, a, now).unwrap_err();
        assert_eq!(
            refused,
            Refusal::TooMany {
                retry_after_secs: 60
            }
        );
        assert!(th.attempt(None, a, t("2026-11-29T10:01:00")).is_ok());
        // Spread over many addresses, the overall limit holds.
        let th = SignInThrottle::default();
        let refused = (0..=OVERALL)
            .map(|i| {
                th.attempt(
                    None,
                    IpAddr::from([10, 0, (i / 256) as u8, (i % 256) as u8]),
                    now,
                )
            })
            .filter(Result::is_err)
            .count();
        assert_eq!(refused, 1);
    }

    #[test]
    fn each_user_is_limited_on_the_api() {
        let l = ApiLimit::default();
        let now = t("2026-11-29T10:00:30");
        for _ in 0..API_PER_USER {
            assert!(l.allow("handler", now).is_ok());
        }
        assert_eq!(l.allow("handler", now), Err(60));
        assert!(l.allow("officer", now).is_ok());
        assert!(l.allow("handler", t("2026-11-29T10:01:30")).is_ok());
    }

    #[test]
    fn memory_stays_bounded_under_made_up_names_and_addresses() {
        let th = SignInThrottle::default();
        let now = t("2026-11-29T10:00:00");
        for i in 0..(3 * MAX_ENTRIES as u32) {
            let a = IpAddr::from(i.to_be_bytes());
            th.failed(&format!("user{i}"), a, now);
            let _ = th.attempt(Some("x.y"), a, now);
        }
        assert!(th.entries() <= 2 * MAX_ENTRIES, "{}", th.entries());
    }
}
