//! The statutory and policy clocks that MISSION.md lists, as pure functions of the start
//! time. Whether a deadline is overdue is always asked with "now" as an argument.

use crate::time::{DateTime, Duration};

/// A DVPO application must be heard by magistrates within 48 hours of the DVPN being served.
pub fn dvpo_hearing_due(dvpn_served_at: DateTime) -> DateTime {
    dvpn_served_at + Duration::hours(48)
}

/// A Clare's Law (DVDS) application should be decided within 28 days of receipt.
pub fn disclosure_decision_due(received_at: DateTime) -> DateTime {
    received_at + Duration::days(28)
}

/// A crime must be recorded within 24 hours of the report (National Crime Recording Standard).
pub fn crime_recording_due(reported_at: DateTime) -> DateTime {
    reported_at + Duration::hours(24)
}

/// A DAPO's subject must notify the police of their name and address within 3 days.
pub fn dapo_notification_due(order_made_at: DateTime) -> DateTime {
    order_made_at + Duration::days(3)
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
        assert_eq!(
            dvpo_hearing_due(t("2019-08-30T10:00:00")),
            t("2019-09-01T10:00:00")
        );
        assert_eq!(
            disclosure_decision_due(t("2019-08-01T10:00:00")),
            t("2019-08-29T10:00:00")
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
