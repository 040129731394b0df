//! Dates and datetimes as the extract format writes them.
//!
//! A date is `YYYY-MM-DD`; a datetime is `YYYY-MM-DDTHH:MM:SS` in UK local time, with no
//! offset, because that is what command-and-control and records systems export. The parsers
//! are strict (no other layout is guessed at) and fast, since an import reads millions.

use crate::ValueError;
pub use chrono::{Datelike, Duration, Timelike};

pub type Date = chrono::NaiveDate;
pub type DateTime = chrono::NaiveDateTime;

fn digits(bytes: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

/// Reads `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<Date, ValueError> {
    let b = raw.as_bytes();
    let bad = || {
        ValueError::new(format!(
            "'{raw}' is not a date; expected YYYY-MM-DD, for example 2019-08-31"
        ))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let (y, m, d) = (
        digits(&b[0..4]).ok_or_else(bad)?,
        digits(&b[5..7]).ok_or_else(bad)?,
        digits(&b[8..10]).ok_or_else(bad)?,
    );
    Date::from_ymd_opt(y as i32, m, d)
        .ok_or_else(|| ValueError::new(format!("'{raw}' is not a date in the calendar")))
}

/// Reads `YYYY-MM-DDTHH:MM:SS`.
pub fn parse_datetime(raw: &str) -> Result<DateTime, ValueError> {
    let b = raw.as_bytes();
    let bad = || {
        ValueError::new(format!(
            "'{raw}' is not a datetime; expected YYYY-MM-DDTHH:MM:SS (UK local time), for example 2019-08-31T14:05:00"
        ))
    };
    if b.len() != 19 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let date = parse_date(&raw[..10]).map_err(|_| bad())?;
    let (h, mi, s) = (
        digits(&b[11..13]).ok_or_else(bad)?,
        digits(&b[14..16]).ok_or_else(bad)?,
        digits(&b[17..19]).ok_or_else(bad)?,
    );
    date.and_hms_opt(h, mi, s)
        .ok_or_else(|| ValueError::new(format!("'{raw}' is not a time of day")))
}

/// Writes `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Writes `YYYY-MM-DDTHH:MM:SS`.
pub fn format_datetime(t: DateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strict_layouts() {
        assert!(parse_date("2019-08-31").is_ok());
        assert!(parse_date("31/08/2019").is_err());
        assert!(parse_date("2019-02-30").is_err());
        assert!(parse_date("2019-8-31").is_err());
        assert!(parse_datetime("2019-08-31T14:05:00").is_ok());
        assert!(parse_datetime("2019-08-31 14:05:00").is_err());
        assert!(parse_datetime("2019-08-31T24:05:00").is_err());
    }

    proptest! {
        #[test]
        fn datetimes_round_trip(days in 0i64..40_000, secs in 0u32..86_400) {
            let t = Date::from_ymd_opt(1950, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
                + Duration::days(days) + Duration::seconds(i64::from(secs));
            prop_assert_eq!(parse_datetime(&format_datetime(t)).unwrap(), t);
            prop_assert_eq!(parse_date(&format_date(t.date())).unwrap(), t.date());
        }
    }
}
