//! Bulk reading noticed and slowed. Every reader's opening of people's and cases' records is
//! counted over a window; past `SLOW_AFTER` in the window each further record waits a
//! moment and the administrators are alerted (an `alert.bulk_reads` audit entry, once a
//! window, shown on the audit page); past `REFUSE_AFTER` reads are refused until the window
//! passes. An officer at work opens tens of records an hour; a script opening thousands is
//! made slow and seen. Vigil's choices.

use std::collections::HashMap;
use std::sync::Mutex;
use vigil_domain::DateTime;

/// The window reads are counted over.
pub const WINDOW_MINUTES: i64 = 10;
/// Records a reader opens in a window before each further one is slowed and the
/// administrators alerted.
pub const SLOW_AFTER: u32 = 100;
/// Records a reader opens in a window before further ones are refused until it passes.
pub const REFUSE_AFTER: u32 = 400;
/// How long each read past `SLOW_AFTER` waits.
pub const SLOW_BY_MILLIS: u64 = 500;
/// Readers the watch remembers at most.
const MAX_READERS: usize = 10_000;

struct Window {
    since: DateTime,
    reads: u32,
    alerted: bool,
}

/// What to do with one more read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    Normal,
    /// Wait before answering; `alert` the first time in the window.
    Slow {
        alert: bool,
        reads: u32,
    },
    /// Refused until the window passes.
    Refuse {
        retry_after_secs: i64,
    },
}

#[derive(Default)]
pub struct ReadWatch {
    readers: Mutex<HashMap<String, Window>>,
}

impl ReadWatch {
    /// Counts a read of a record by `reader` at `now` (real time).
    pub fn note(&self, reader: &str, now: DateTime) -> Pace {
        let window = chrono::Duration::minutes(WINDOW_MINUTES);
        let mut m = self.readers.lock().expect("read watch lock");
        if m.len() >= MAX_READERS && !m.contains_key(reader) {
            m.retain(|_, w| now - w.since < window);
        }
        let w = m.entry(reader.to_owned()).or_insert(Window {
            since: now,
            reads: 0,
            alerted: false,
        });
        if now - w.since >= window {
            *w = Window {
                since: now,
                reads: 0,
                alerted: false,
            };
        }
        w.reads += 1;
        if w.reads > REFUSE_AFTER {
            return Pace::Refuse {
                retry_after_secs: (w.since + window - now).num_seconds().max(1),
            };
        }
        if w.reads > SLOW_AFTER {
            let alert = !w.alerted;
            w.alerted = true;
            return Pace::Slow {
                alert,
                reads: w.reads,
            };
        }
        Pace::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::time::parse_datetime;

    #[test]
    fn a_bulk_reader_is_slowed_alerted_once_then_refused() {
        let w = ReadWatch::default();
        let now = parse_datetime("2026-11-29T10:00:00").unwrap();
        for _ in 0..SLOW_AFTER {
            assert_eq!(w.note("handler", now), Pace::Normal);
        }
        assert_eq!(
            w.note("handler", now),
            Pace::Slow {
                alert: true,
                reads: SLOW_AFTER + 1
            }
        );
        assert!(matches!(
            w.note("handler", now),
            Pace::Slow { alert: false, .. }
        ));
        for _ in 0..(REFUSE_AFTER - SLOW_AFTER - 2) {
            w.note("handler", now);
        }
        assert!(matches!(
            w.note("handler", now),
            Pace::Refuse {
                retry_after_secs: 600
            }
        ));
        // Others are not affected; the window passes.
        assert_eq!(w.note("officer", now), Pace::Normal);
        let later = parse_datetime("2026-11-29T10:10:00").unwrap();
        assert_eq!(w.note("handler", later), Pace::Normal);
    }
}
