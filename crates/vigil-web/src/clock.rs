//! The server's clock. Every due time, overdue flag and record made in Vigil counts to it,
//! never to the date of the last import. It is injected: the real clock in service, a clock
//! started at a chosen instant for a demonstration over records that end in the past
//! (`vigil serve --clock 2019-09-01T09:00:00Z`), and a clock a test moves by hand.
//!
//! Sessions and the audit trail keep real time whatever this clock says: who did what, and
//! when a session ends, are facts about the world, not about the scenario.

use std::sync::Mutex;
use std::time::Instant;
use vigil_domain::time::{DateTime, Duration};

/// What the server takes "now" to be, in UTC.
pub trait Clock: Send + Sync {
    fn now_utc(&self) -> DateTime;
    /// Whether this is the real time (the phase banner says so when it is not).
    fn is_real(&self) -> bool;
}

/// The real time.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_utc(&self) -> DateTime {
        vigil_auth::now_utc()
    }
    fn is_real(&self) -> bool {
        true
    }
}

/// A clock that starts at a chosen instant and runs at the real rate from there; a test may
/// set it to another instant, from which it runs on.
pub struct SetClock {
    at: Mutex<(DateTime, Instant)>,
}

impl SetClock {
    pub fn starting_at(utc: DateTime) -> SetClock {
        SetClock {
            at: Mutex::new((utc, Instant::now())),
        }
    }

    /// Moves the clock to `utc`; it runs on from there.
    pub fn set(&self, utc: DateTime) {
        *self.at.lock().unwrap_or_else(|e| e.into_inner()) = (utc, Instant::now());
    }
}

impl Clock for SetClock {
    fn now_utc(&self) -> DateTime {
        let (start, since) = *self.at.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = since.elapsed();
        start + Duration::seconds(elapsed.as_secs() as i64)
    }
    fn is_real(&self) -> bool {
        false
    }
}

/// Reads a `--clock` value: `2019-09-01T09:00:00Z` (UTC, the `Z` optional) or a date alone
/// (09:00 UTC that day).
pub fn parse_clock(raw: &str) -> Result<DateTime, String> {
    let t = raw.trim().trim_end_matches('Z');
    if let Ok(d) = vigil_domain::time::parse_date(t) {
        return Ok(d.and_hms_opt(9, 0, 0).expect("valid time"));
    }
    vigil_domain::time::parse_datetime(t).map_err(|_| {
        format!("'{raw}' is not an instant; give it as 2019-09-01T09:00:00Z (UTC) or 2019-09-01")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_runs_from_where_it_was_set() {
        let start = parse_clock("2019-09-01T09:00:00Z").unwrap();
        let c = SetClock::starting_at(start);
        assert!(c.now_utc() >= start && c.now_utc() < start + Duration::seconds(5));
        assert!(!c.is_real());
        let later = parse_clock("2019-09-09").unwrap();
        c.set(later);
        assert!(c.now_utc() >= later);
        assert!(parse_clock("yesterday").is_err());
        assert!(SystemClock.is_real());
    }
}
