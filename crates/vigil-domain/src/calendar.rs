//! Working days, bank holidays, school days and UK local time: the calendars the clocks
//! count in.
//!
//! England and Wales bank holidays are computed by their rules for any year (Easter by the
//! Gregorian computus, substitute days at a weekend), plus the one-off days proclaimed so
//! far as data; a force adds its own (a new one-off day, a local closure) through
//! [`WorkingCalendar::extra_holidays`], so a new year never needs a new Vigil.

use crate::time::{Date, DateTime, Datelike, Duration};
use chrono::{NaiveTime, Weekday};

/// One-off bank holidays in England and Wales (jubilees, royal weddings and funerals, the
/// millennium, the coronation). The moved early-May and spring holidays are in
/// [`bank_holidays`]'s rules.
pub const ONE_OFF_BANK_HOLIDAYS: &[(i32, u32, u32)] = &[
    (1999, 12, 31),
    (2002, 6, 3),
    (2011, 4, 29),
    (2012, 6, 5),
    (2022, 6, 3),
    (2022, 9, 19),
    (2023, 5, 8),
];

fn ymd(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).expect("a date in the calendar")
}

/// Easter Sunday (anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

fn first_monday(year: i32, month: u32) -> Date {
    let mut d = ymd(year, month, 1);
    while d.weekday() != Weekday::Mon {
        d = d.succ_opt().expect("in range");
    }
    d
}

fn last_monday(year: i32, month: u32) -> Date {
    let next = if month == 12 {
        ymd(year + 1, 1, 1)
    } else {
        ymd(year, month + 1, 1)
    };
    let mut d = next.pred_opt().expect("in range");
    while d.weekday() != Weekday::Mon {
        d = d.pred_opt().expect("in range");
    }
    d
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The bank holidays of England and Wales in one year, in date order.
pub fn bank_holidays(year: i32) -> Vec<Date> {
    let mut out = Vec::with_capacity(9);
    // New Year's Day, or the Monday after when it falls at a weekend.
    let mut new_year = ymd(year, 1, 1);
    while is_weekend(new_year) {
        new_year = new_year.succ_opt().expect("in range");
    }
    out.push(new_year);
    let easter = easter_sunday(year);
    out.push(easter - Duration::days(2));
    out.push(easter + Duration::days(1));
    // Early May: the first Monday, moved to 8 May in 1995 and 2020 (VE Day anniversaries).
    out.push(match year {
        1995 | 2020 => ymd(year, 5, 8),
        _ => first_monday(year, 5),
    });
    // Spring: the last Monday of May, moved for the 2002, 2012 and 2022 jubilees.
    out.push(match year {
        2002 | 2012 => ymd(year, 6, 4),
        2022 => ymd(year, 6, 2),
        _ => last_monday(year, 5),
    });
    out.push(last_monday(year, 8));
    // Christmas and Boxing Day, each moved to the next weekday not already a holiday.
    let christmas = ymd(year, 12, 25);
    let boxing = ymd(year, 12, 26);
    let mut taken: Vec<Date> = Vec::new();
    for day in [christmas, boxing] {
        let mut d = day;
        while is_weekend(d) || taken.contains(&d) {
            d = d.succ_opt().expect("in range");
        }
        taken.push(d);
    }
    out.extend(taken);
    out.extend(
        ONE_OFF_BANK_HOLIDAYS
            .iter()
            .filter(|(y, _, _)| *y == year)
            .map(|(y, m, d)| ymd(*y, *m, *d)),
    );
    out.sort();
    out
}

/// Whether a day is an England and Wales bank holiday.
pub fn is_bank_holiday(d: Date) -> bool {
    bank_holidays(d.year()).contains(&d)
}

/// The days a force's offices work: Monday to Friday, not a bank holiday, not one of the
/// force's extra closures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Days added by the force: a newly proclaimed holiday, a local closure.
    pub extra_holidays: Vec<Date>,
}

impl WorkingCalendar {
    pub fn is_working_day(&self, d: Date) -> bool {
        !is_weekend(d) && !is_bank_holiday(d) && !self.extra_holidays.contains(&d)
    }

    /// The end (23:59:59) of the `n`th working day after the day of `at`: "within 2 working
    /// days" of something on a Friday evening is the end of Tuesday (Monday being day 1).
    /// Vigil's choice: a limit in working days runs to the end of the day, not to the hour.
    pub fn end_of_working_days_after(&self, at: DateTime, n: u32) -> DateTime {
        let mut day = at.date();
        let mut counted = 0;
        while counted < n {
            day = day.succ_opt().expect("date in range");
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        end_of_day(day)
    }
}

/// 23:59:59 on a day.
pub fn end_of_day(d: Date) -> DateTime {
    d.and_hms_opt(23, 59, 59).expect("valid time")
}

/// A school term: its first and last day, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub first: Date,
    pub last: Date,
}

/// When schools in an area are open, for Operation Encompass: Monday to Friday, within a
/// term when terms are given (no terms given: every weekday counts), never a bank holiday
/// or a listed closure (an INSET day), from `day_starts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolCalendar {
    pub day_starts: NaiveTime,
    pub terms: Vec<Term>,
    pub closures: Vec<Date>,
}

impl Default for SchoolCalendar {
    fn default() -> Self {
        SchoolCalendar {
            day_starts: NaiveTime::from_hms_opt(8, 30, 0).expect("valid time"),
            terms: Vec::new(),
            closures: Vec::new(),
        }
    }
}

impl SchoolCalendar {
    pub fn is_school_day(&self, d: Date) -> bool {
        !is_weekend(d)
            && !is_bank_holiday(d)
            && !self.closures.contains(&d)
            && (self.terms.is_empty() || self.terms.iter().any(|t| t.first <= d && d <= t.last))
    }

    /// The start of the first school day strictly after `at`. A calendar with no school day
    /// in the next 400 days (a misconfiguration) gives the start of the 400th day rather
    /// than looping for ever.
    pub fn next_school_day_start(&self, at: DateTime) -> DateTime {
        let mut day = at.date();
        for _ in 0..400 {
            let start = day.and_time(self.day_starts);
            if self.is_school_day(day) && start > at {
                return start;
            }
            day = day.succ_opt().expect("date in range");
        }
        day.and_time(self.day_starts)
    }
}

/// UK local time (what people and records systems write) for an instant in UTC: British
/// Summer Time, one hour ahead, runs from 01:00 UTC on the last Sunday of March to 01:00 UTC
/// on the last Sunday of October.
pub fn uk_local(utc: DateTime) -> DateTime {
    let year = utc.year();
    let last_sunday = |month: u32| {
        let mut d = ymd(year, month, 31);
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().expect("in range");
        }
        d.and_hms_opt(1, 0, 0).expect("valid time")
    };
    if utc >= last_sunday(3) && utc < last_sunday(10) {
        utc + Duration::hours(1)
    } else {
        utc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_datetime;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        crate::time::parse_date(s).unwrap()
    }

    fn t(s: &str) -> DateTime {
        parse_datetime(s).unwrap()
    }

    /// The published England and Wales lists (gov.uk) for years with every kind of
    /// exception: weekend Christmases, a moved early May, a moved spring holiday, one-offs.
    #[test]
    fn bank_holidays_match_the_published_lists() {
        let list = |y| {
            bank_holidays(y)
                .into_iter()
                .map(crate::time::format_date)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            list(2019),
            [
                "2019-01-01",
                "2019-04-19",
                "2019-04-22",
                "2019-05-06",
                "2019-05-27",
                "2019-08-26",
                "2019-12-25",
                "2019-12-26"
            ]
        );
        assert_eq!(
            list(2020),
            [
                "2020-01-01",
                "2020-04-10",
                "2020-04-13",
                "2020-05-08",
                "2020-05-25",
                "2020-08-31",
                "2020-12-25",
                "2020-12-28"
            ]
        );
        assert_eq!(
            list(2022),
            [
                "2022-01-03",
                "2022-04-15",
                "2022-04-18",
                "2022-05-02",
                "2022-06-02",
                "2022-06-03",
                "2022-08-29",
                "2022-09-19",
                "2022-12-26",
                "2022-12-27"
            ]
        );
        assert_eq!(
            list(2023),
            [
                "2023-01-02",
                "2023-04-07",
                "2023-04-10",
                "2023-05-01",
                "2023-05-08",
                "2023-05-29",
                "2023-08-28",
                "2023-12-25",
                "2023-12-26"
            ]
        );
        assert_eq!(easter_sunday(2026), d("2026-04-05"));
        assert_eq!(easter_sunday(2027), d("2027-03-28"));
    }

    /// Worked examples: a Friday-evening event and a bank-holiday Monday.
    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        let cal = WorkingCalendar::default();
        // Friday 23 August 2019, 20:00; Monday 26 August is the summer bank holiday, so day 1
        // is Tuesday 27 and day 2 Wednesday 28.
        assert_eq!(
            cal.end_of_working_days_after(t("2019-08-23T20:00:00"), 2),
            t("2019-08-28T23:59:59")
        );
        // Friday 6 September 2019 evening: Monday is day 1.
        assert_eq!(
            cal.end_of_working_days_after(t("2019-09-06T19:30:00"), 1),
            t("2019-09-09T23:59:59")
        );
        let closed = WorkingCalendar {
            extra_holidays: vec![d("2019-09-09")],
        };
        assert_eq!(
            closed.end_of_working_days_after(t("2019-09-06T19:30:00"), 1),
            t("2019-09-10T23:59:59")
        );
    }

    #[test]
    fn school_days_follow_terms_closures_and_bank_holidays() {
        let mut cal = SchoolCalendar::default();
        // Friday evening → Monday 08:30.
        assert_eq!(
            cal.next_school_day_start(t("2019-09-06T20:00:00")),
            t("2019-09-09T08:30:00")
        );
        // Before school on a school day → that morning.
        assert_eq!(
            cal.next_school_day_start(t("2019-09-03T03:00:00")),
            t("2019-09-03T08:30:00")
        );
        // Friday before the summer bank holiday → Tuesday.
        assert_eq!(
            cal.next_school_day_start(t("2019-08-23T18:00:00")),
            t("2019-08-27T08:30:00")
        );
        // With terms: the summer holiday runs to 3 September, so an incident on Friday 30
        // August is told on Wednesday 4 September, the first day of term.
        cal.terms = vec![
            Term {
                first: d("2019-04-23"),
                last: d("2019-07-23"),
            },
            Term {
                first: d("2019-09-04"),
                last: d("2019-12-20"),
            },
        ];
        assert_eq!(
            cal.next_school_day_start(t("2019-08-30T18:00:00")),
            t("2019-09-04T08:30:00")
        );
        cal.closures = vec![d("2019-09-04")];
        assert_eq!(
            cal.next_school_day_start(t("2019-08-30T18:00:00")),
            t("2019-09-05T08:30:00")
        );
    }

    #[test]
    fn uk_local_time_follows_summer_time() {
        assert_eq!(uk_local(t("2019-09-01T09:00:00")), t("2019-09-01T10:00:00"));
        assert_eq!(uk_local(t("2019-12-01T09:00:00")), t("2019-12-01T09:00:00"));
        // 2019: BST from 31 March 01:00 UTC to 27 October 01:00 UTC.
        assert_eq!(uk_local(t("2019-03-31T00:59:59")), t("2019-03-31T00:59:59"));
        assert_eq!(uk_local(t("2019-03-31T01:00:00")), t("2019-03-31T02:00:00"));
        assert_eq!(uk_local(t("2019-10-27T00:59:59")), t("2019-10-27T01:59:59"));
        assert_eq!(uk_local(t("2019-10-27T01:00:00")), t("2019-10-27T01:00:00"));
    }

    proptest! {
        #[test]
        fn a_working_day_limit_ends_on_a_working_day(mins in 0i64..(60 * 24 * 366 * 3), n in 1u32..6) {
            let cal = WorkingCalendar::default();
            let at = t("2019-01-01T00:00:00") + Duration::minutes(mins);
            let due = cal.end_of_working_days_after(at, n);
            prop_assert!(due > at);
            prop_assert!(cal.is_working_day(due.date()));
            // n working days never take more than n weeks plus a holiday season.
            prop_assert!(due - at <= Duration::days(i64::from(n) * 7 + 5));
        }

        #[test]
        fn the_next_school_day_is_after_and_open(mins in 0i64..(60 * 24 * 366 * 3)) {
            let cal = SchoolCalendar::default();
            let at = t("2019-01-01T00:00:00") + Duration::minutes(mins);
            let due = cal.next_school_day_start(at);
            prop_assert!(due > at);
            prop_assert!(cal.is_school_day(due.date()));
            prop_assert!(due - at <= Duration::days(6));
        }
    }
}
