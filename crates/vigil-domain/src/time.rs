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

fn push_num(out: &mut String, n: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut i = buf.len();
    let mut n = n;
    while n > 0 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for _ in (buf.len() - i)..width {
        out.push('0');
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

/// Appends `YYYY-MM-DD`. Written by hand because chrono's formatter parses its pattern on
/// every call, which dominates an import or export of millions of rows.
pub fn push_date(out: &mut String, d: Date) {
    push_num(out, d.year().max(0) as u32, 4);
    out.push('-');
    push_num(out, d.month(), 2);
    out.push('-');
    push_num(out, d.day(), 2);
}

/// Appends `YYYY-MM-DDTHH:MM:SS`.
pub fn push_datetime(out: &mut String, t: DateTime) {
    push_date(out, t.date());
    out.push('T');
    push_num(out, t.hour(), 2);
    out.push(':');
    push_num(out, t.minute(), 2);
    out.push(':');
    push_num(out, t.second(), 2);
}

/// Writes `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, d);
    s
}

/// Writes `YYYY-MM-DDTHH:MM:SS`.
pub fn format_datetime(t: DateTime) -> String {
    let mut s = String::with_capacity(19);
    push_datetime(&mut s, t);
    s
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
