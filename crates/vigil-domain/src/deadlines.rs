//! The statutory and policy clocks that MISSION.md lists, as pure functions of the start
//! time. Whether a deadline is overdue is always asked with "now" as an argument.

use crate::calendar::{easter_sunday, end_of_day, is_bank_holiday};
use crate::time::{Date, DateTime, Duration};
use chrono::{Datelike, Weekday};

/// A day the 48 hours before a protective order's hearing do not count: a Sunday, a bank
/// holiday, Christmas Day or Good Friday (Crime and Security Act 2010, s.27(8), for a
/// DVPO; Domestic Abuse Act 2021, s.28, for a DAPO after a DAPN).
pub fn hearing_hours_disregard(d: Date) -> bool {
    d.weekday() == Weekday::Sun
        || is_bank_holiday(d)
        || (d.month() == 12 && d.day() == 25)
        || d == easter_sunday(d.year()) - Duration::days(2)
}

/// The hearing of a DVPO (or a DAPO after a DAPN) is due 48 hours after the notice was
/// served, the hours of disregarded days not counted: a notice served at 18:00 on Friday
/// 23 August 2019 is heard by 18:00 on Tuesday 27 August (Sunday and the bank holiday
/// Monday not counted). Served on a disregarded day, the hours start at the next midnight.
pub fn dvpo_hearing_due(dvpn_served_at: DateTime) -> DateTime {
    let mut left = Duration::hours(48);
    let mut at = dvpn_served_at;
    loop {
        let day = at.date();
        let midnight = (day + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight");
        if !hearing_hours_disregard(day) {
            let today = midnight - at;
            if today >= left {
                return at + left;
            }
            left -= today;
        }
        at = midnight;
    }
}

/// A Clare's Law (DVDS) decision is due `days` after the application (28 in the
/// statutory guidance; some areas still use 35): by the end of that day — an application
/// made on 1 March is due by the end of 29 March.
pub fn disclosure_decision_due(received_at: DateTime, days: i64) -> DateTime {
    end_of_day(received_at.date() + Duration::days(days))
}

/// A crime must be recorded within 24 hours of the report (National Crime Recording Standard).
pub fn crime_recording_due(reported_at: DateTime) -> DateTime {
    reported_at + Duration::hours(24)
}

/// A DAPO's subject must notify the police of their name and address "within the period
/// of 3 days beginning with the day on which the order is made" (Domestic Abuse Act 2021,
/// s.39): an order made on a Friday is due by the end of that Sunday. The same after a
/// change of name or address, from the day of the change.
pub fn dapo_notification_due(order_made_at: DateTime) -> DateTime {
    end_of_day(order_made_at.date() + Duration::days(2))
}

pub use crate::calendar::SchoolCalendar;

/// Operation Encompass: the child's school is told before the start of the next school
/// day, which is the first school-day start strictly after the incident. An incident at
/// 03:00 on a Tuesday is therefore due by 08:30 that Tuesday.
pub fn encompass_due(incident_at: DateTime, calendar: &SchoolCalendar) -> DateTime {
    calendar.next_school_day_start(incident_at)
}

/// Whether a deadline has passed at `now`.
pub fn is_overdue(due: DateTime, now: DateTime) -> bool {
    now > due
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_datetime;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime {
        parse_datetime(s).unwrap()
    }

    #[test]
    fn clocks() {
        // The worked examples. Friday 23 August 2019, 18:00: Saturday counts,
        // Sunday and the August bank holiday do not; heard by Tuesday 18:00.
        assert_eq!(
            dvpo_hearing_due(t("2019-08-23T18:00:00")),
            t("2019-08-27T18:00:00")
        );
        // A weekday with no holiday: two days on.
        assert_eq!(
            dvpo_hearing_due(t("2019-09-03T10:00:00")),
            t("2019-09-05T10:00:00")
        );
        // Served on a Sunday: the hours start on Monday.
        assert_eq!(
            dvpo_hearing_due(t("2019-09-08T15:00:00")),
            t("2019-09-11T00:00:00")
        );
        // Thursday before Easter 2019 (Good Friday 19 April, Easter Monday 22 April):
        // Thursday 12:00 to midnight is 12 hours; Saturday 24; Tuesday 12 more.
        assert_eq!(
            dvpo_hearing_due(t("2019-04-18T12:00:00")),
            t("2019-04-23T12:00:00")
        );
        // Christmas 2019: Tuesday 24 December 20:00; 25th and 26th (Boxing Day, a bank
        // holiday) disregarded; 4 hours, then Friday's 24, then Saturday's 20.
        assert_eq!(
            dvpo_hearing_due(t("2019-12-24T20:00:00")),
            t("2019-12-28T20:00:00")
        );
        // A right-to-ask application made on 1 March is due by 29 March; 35-day areas later.
        assert_eq!(
            disclosure_decision_due(t("2019-03-01T10:00:00"), 28),
            t("2019-03-29T23:59:59")
        );
        assert_eq!(
            disclosure_decision_due(t("2019-03-01T10:00:00"), 35),
            t("2019-04-05T23:59:59")
        );
        // A DAPO made on Friday 6 September 2019: notification by the end of Sunday.
        assert_eq!(
            dapo_notification_due(t("2019-09-06T14:30:00")),
            t("2019-09-08T23:59:59")
        );
        assert_eq!(
            crime_recording_due(t("2019-08-01T23:00:00")),
            t("2019-08-02T23:00:00")
        );
        let cal = SchoolCalendar::default();
        // Tuesday 03:00 → Tuesday 08:30; Friday 20:00 → Monday 08:30.
        assert_eq!(
            encompass_due(t("2019-09-03T03:00:00"), &cal),
            t("2019-09-03T08:30:00")
        );
        assert_eq!(
            encompass_due(t("2019-09-06T20:00:00"), &cal),
            t("2019-09-09T08:30:00")
        );
        let closed = SchoolCalendar {
            closures: vec![t("2019-09-09T00:00:00").date()],
            ..SchoolCalendar::default()
        };
        assert_eq!(
            encompass_due(t("2019-09-06T20:00:00"), &closed),
            t("2019-09-10T08:30:00")
        );
        assert!(is_overdue(
            t("2019-09-01T10:00:00"),
            t("2019-09-01T10:00:01")
        ));
    }

    proptest! {
        #[test]
        fn a_hearing_is_48_counted_hours_on(mins in 0i64..(60 * 24 * 366 * 3)) {
            let served = t("2019-01-01T00:00:00") + Duration::minutes(mins);
            let due = dvpo_hearing_due(served);
            // Never sooner than 48 hours; the counted hours between are exactly 48.
            prop_assert!(due - served >= Duration::hours(48));
            let mut counted = Duration::zero();
            let mut at = served;
            while at < due {
                let midnight = (at.date() + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap();
                let next = (at + Duration::hours(1)).min(midnight).min(due);
                if !hearing_hours_disregard(at.date()) {
                    counted += next - at;
                }
                at = next;
            }
            prop_assert_eq!(counted, Duration::hours(48));
            prop_assert!(!hearing_hours_disregard(due.date()) || due.time() == chrono::NaiveTime::MIN);
        }

        #[test]
        fn encompass_is_after_the_incident_on_a_school_day(mins in 0i64..(60 * 24 * 366)) {
            let cal = SchoolCalendar::default();
            let at = t("2019-01-01T00:00:00") + Duration::minutes(mins);
            let due = encompass_due(at, &cal);
            prop_assert!(due > at);
            prop_assert!(cal.is_school_day(due.date()));
            prop_assert!(due - at <= Duration::days(6)); // Easter: Thursday night to Tuesday
        }
    }
}
