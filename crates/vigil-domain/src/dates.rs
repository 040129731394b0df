//! The order of a record's dates: what must come before what. One rule each, used alike by
//! the extract reader, the forms and the API, so a date that one way of entering records
//! refuses is refused by all of them.
//!
//! Each check answers with the field at fault and the reason in plain words (lower case
//! first, so a form can capitalise it and an import listing can quote it as it is).

use crate::time::{Date, DateTime};

/// A date out of order: the field to correct and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateOrder {
    pub field: &'static str,
    pub reason: String,
}

fn order(ok: bool, field: &'static str, reason: impl FnOnce() -> String) -> Result<(), DateOrder> {
    if ok {
        Ok(())
    } else {
        Err(DateOrder {
            field,
            reason: reason(),
        })
    }
}

/// The call was received on a plausible day and the first officer arrives at or after it.
pub fn incident(reported_at: DateTime, arrived_at: Option<DateTime>) -> Result<(), DateOrder> {
    plausible_event("reported_at", reported_at.date())?;
    order(
        arrived_at.is_none_or(|a| a >= reported_at),
        "arrived_at",
        || format!("the first officer cannot arrive before the call was received ({reported_at})"),
    )
}

/// A crime is recorded on or after the day the offence was committed, on plausible days. An
/// offence may be historic (abuse reported decades later), so only its recording must fall
/// in Vigil's range; the offence itself only after `earliest_birth`.
pub fn offence(offence_date: Date, recorded_date: Date) -> Result<(), DateOrder> {
    plausible_past("offence_date", offence_date)?;
    plausible_event("recorded_date", recorded_date)?;
    order(recorded_date >= offence_date, "recorded_date", || {
        format!("the crime cannot be recorded before the offence date ({offence_date})")
    })
}

/// An offence added to a case: committed no later than the incident was reported, and
/// recorded no earlier. Every problem, not just the first.
pub fn offence_in_case(
    reported_at: DateTime,
    offence_date: Option<Date>,
    recorded_date: Option<Date>,
) -> Vec<DateOrder> {
    let day = reported_at.date();
    let mut out = Vec::new();
    if let Some(d) = offence_date
        && let Err(e) = plausible_past("offence_date", d)
    {
        out.push(e);
    }
    if let Some(d) = offence_date
        && d > day
    {
        out.push(DateOrder {
            field: "offence_date",
            reason: format!(
                "the offence cannot be committed after the incident was reported ({day})"
            ),
        });
    }
    if let Some(d) = recorded_date
        && d < day
    {
        out.push(DateOrder {
            field: "recorded_date",
            reason: format!(
                "the crime cannot be recorded before the incident was reported ({day})"
            ),
        });
    }
    out
}

/// An arrest in a case happens at or after the incident was reported.
pub fn arrest_in_case(reported_at: DateTime, arrested_at: DateTime) -> Result<(), DateOrder> {
    order(arrested_at >= reported_at, "arrested_at", || {
        format!("the arrest cannot be before the incident was reported ({reported_at})")
    })
}

/// A Clare's Law decision comes on or after the application was received.
pub fn disclosure(received_at: DateTime, decided_at: Option<DateTime>) -> Result<(), DateOrder> {
    order(
        decided_at.is_none_or(|d| d >= received_at),
        "decided_at",
        || format!("the decision cannot be before the case was received ({received_at})"),
    )
}

/// A protective order expires after it was issued.
pub fn protection_order(
    issued_at: DateTime,
    expires_at: Option<DateTime>,
) -> Result<(), DateOrder> {
    order(
        expires_at.is_none_or(|e| e >= issued_at),
        "expires_at",
        || format!("the order cannot expire before it was issued ({issued_at})"),
    )
}

/// A person is born on or before the day of an incident they are part of (and not
/// implausibly long before).
pub fn born_by(birth_date: Date, reported_at: DateTime) -> Result<(), DateOrder> {
    plausible_birth(birth_date)?;
    order(birth_date <= reported_at.date(), "birth_date", || {
        format!(
            "the date of birth cannot be after the incident was reported ({})",
            reported_at.date()
        )
    })
}

/// The earliest day a record of a domestic abuse incident, offence, arrest, referral or
/// order may carry: older dates are a typing error (year 1, 1899), not history Vigil
/// holds. Vigil's choice.
pub fn earliest_event() -> Date {
    Date::from_ymd_opt(1990, 1, 1).expect("valid date")
}

/// The earliest date of birth Vigil accepts. Vigil's choice.
pub fn earliest_birth() -> Date {
    Date::from_ymd_opt(1900, 1, 1).expect("valid date")
}

/// An event's day is plausible: not before `earliest_event`.
pub fn plausible_event(field: &'static str, day: Date) -> Result<(), DateOrder> {
    order(day >= earliest_event(), field, || {
        format!("{day} is before {}: check the year", long(earliest_event()))
    })
}

/// A day in the past a record may name (a historic offence's): not before `earliest_birth`.
pub fn plausible_past(field: &'static str, day: Date) -> Result<(), DateOrder> {
    order(day >= earliest_birth(), field, || {
        format!("{day} is before {}: check the year", long(earliest_birth()))
    })
}

/// A date of birth is plausible: not before `earliest_birth`.
pub fn plausible_birth(day: Date) -> Result<(), DateOrder> {
    order(day >= earliest_birth(), "birth_date", || {
        format!(
            "a date of birth of {day} is before {}: check the year",
            long(earliest_birth())
        )
    })
}

/// How far past the clock's day a record may be dated: a day, for a record made late in the
/// evening on a machine whose clock or time zone runs ahead. Vigil's choice.
pub const FUTURE_TOLERANCE_DAYS: i64 = 1;

/// A day no record of an event may be dated after, given the clock's day.
pub fn latest_event(today: Date) -> Date {
    today + chrono::Duration::days(FUTURE_TOLERANCE_DAYS)
}

/// An event's day is not in the future (past `latest_event(today)`).
pub fn not_in_future(field: &'static str, day: Date, today: Date) -> Result<(), DateOrder> {
    let latest = latest_event(today);
    order(day <= latest, field, || {
        format!(
            "{day} is after {}: a record cannot be dated in the future; check the year, and the clock of the system that made it",
            long(today)
        )
    })
}

/// Whether a record's field may name a day in the future: only an order's expiry.
pub fn may_be_future(field: &str) -> bool {
    field == "expires_at"
}

/// A date as people write it: "1 September 2019".
pub fn long(d: Date) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A time as people write it: "1 September 2019, 10:05".
pub fn long_time(t: DateTime) -> String {
    t.format("%-d %B %Y, %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_date, parse_datetime};
    use proptest::prelude::*;

    #[test]
    fn implausible_dates_are_refused_by_every_rule_that_takes_them() {
        let old = parse_datetime("1899-06-01T10:00:00").unwrap();
        let e = incident(old, None).unwrap_err();
        assert_eq!(e.field, "reported_at");
        assert!(e.reason.contains("check the year"), "{e:?}");
        let now = parse_datetime("2019-09-01T10:00:00").unwrap();
        assert!(incident(now, None).is_ok());
        let e = born_by(parse_date("1800-01-01").unwrap(), now).unwrap_err();
        assert_eq!(e.field, "birth_date");
        assert!(
            offence(
                parse_date("0001-01-01").unwrap(),
                parse_date("2019-01-01").unwrap()
            )
            .is_err()
        );
        assert_eq!(
            offence_in_case(now, Some(parse_date("1850-01-01").unwrap()), None)[0].field,
            "offence_date"
        );
        // A historic offence, recorded now, is a crime like any other.
        assert!(
            offence(
                parse_date("1988-05-29").unwrap(),
                parse_date("2019-01-01").unwrap()
            )
            .is_ok()
        );
        assert!(offence_in_case(now, Some(parse_date("1988-05-29").unwrap()), None).is_empty());
    }

    fn at(days: i64, secs: i64) -> DateTime {
        parse_datetime("2019-01-01T00:00:00").unwrap()
            + chrono::Duration::days(days)
            + chrono::Duration::seconds(secs)
    }

    proptest! {
        #[test]
        fn each_rule_accepts_exactly_the_ordered_pairs(a in 0i64..2000, b in 0i64..2000, s in 0i64..86_400) {
            let (first, second) = (at(a, s), at(b, s));
            prop_assert_eq!(incident(first, Some(second)).is_ok(), second >= first);
            prop_assert_eq!(offence(first.date(), second.date()).is_ok(), second.date() >= first.date());
            prop_assert_eq!(arrest_in_case(first, second).is_ok(), second >= first);
            prop_assert_eq!(disclosure(first, Some(second)).is_ok(), second >= first);
            prop_assert_eq!(protection_order(first, Some(second)).is_ok(), second >= first);
            prop_assert_eq!(born_by(second.date(), first).is_ok(), second.date() <= first.date());
            let in_case = offence_in_case(first, Some(second.date()), Some(second.date()));
            prop_assert_eq!(in_case.iter().any(|p| p.field == "offence_date"), second.date() > first.date());
            prop_assert_eq!(in_case.iter().any(|p| p.field == "recorded_date"), second.date() < first.date());
        }
    }

    #[test]
    fn a_missing_later_date_is_never_out_of_order() {
        let t = at(0, 0);
        assert!(incident(t, None).is_ok());
        assert!(disclosure(t, None).is_ok());
        assert!(protection_order(t, None).is_ok());
        assert!(offence_in_case(t, None, None).is_empty());
        let e = offence(
            parse_date("2019-02-02").unwrap(),
            parse_date("2019-02-01").unwrap(),
        )
        .unwrap_err();
        assert_eq!(e.field, "recorded_date");
        assert!(e.reason.contains("2019-02-02"));
    }
}
