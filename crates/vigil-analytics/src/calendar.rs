//! Days, months and windows as the measures count them (METRICS.md): a month is a calendar
//! month of the local date; a window includes both ends.

use std::fmt;
use vigil_domain::ValueError;
use vigil_domain::time::{Date, Datelike, parse_date};

/// Days since 1970-01-01.
pub fn day(d: Date) -> i32 {
    d.num_days_from_ce() - 719_163
}

pub fn date(day: i32) -> Date {
    Date::from_num_days_from_ce_opt(day + 719_163).expect("day in range")
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(d: Date) -> Self {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn of_day(day: i32) -> Self {
        Self::of(date(day))
    }

    /// Months since year 0, for indexing.
    pub fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    pub fn from_index(i: i32) -> Self {
        Month {
            year: i.div_euclid(12),
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }

    pub fn first_day(self) -> Date {
        Date::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(self) -> Date {
        Month::from_index(self.index() + 1)
            .first_day()
            .pred_opt()
            .expect("valid date")
    }

    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// A window of days `[from, to]`, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    pub from: Date,
    pub to: Date,
}

impl Window {
    pub fn new(from: Date, to: Date) -> Result<Self, ValueError> {
        if to < from {
            return Err(ValueError::new(format!(
                "the window {from}..{to} ends before it starts"
            )));
        }
        Ok(Window { from, to })
    }

    /// Reads `YYYY-MM-DD..YYYY-MM-DD`.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let (a, b) = raw.split_once("..").ok_or_else(|| {
            ValueError::new(format!(
                "'{raw}' is not a window; expected YYYY-MM-DD..YYYY-MM-DD, for example 2024-04-01..2025-03-31 (a financial year)"
            ))
        })?;
        Window::new(parse_date(a)?, parse_date(b)?)
    }

    /// The twelve whole months ending with the month of `last`.
    pub fn twelve_months_to(last: Month) -> Self {
        Window {
            from: Month::from_index(last.index() - 11).first_day(),
            to: last.last_day(),
        }
    }

    pub fn key(&self) -> String {
        format!("{}..{}", self.from, self.to)
    }

    pub fn days(&self) -> (i32, i32) {
        (day(self.from), day(self.to))
    }

    pub fn contains_day(&self, d: i32) -> bool {
        let (a, b) = self.days();
        d >= a && d <= b
    }

    /// Whole calendar months the window spans (for monthly means).
    pub fn months(&self) -> f64 {
        let a = Month::of(self.from).index();
        let b = Month::of(self.to).index();
        f64::from(b - a + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_windows() {
        let m = Month {
            year: 2019,
            month: 1,
        };
        assert_eq!(Month::from_index(m.index() - 1).key(), "2018-12");
        assert_eq!(m.last_day().to_string(), "2019-01-31");
        let w = Window::twelve_months_to(Month {
            year: 2019,
            month: 8,
        });
        assert_eq!(w.key(), "2018-09-01..2019-08-31");
        assert_eq!(w.months(), 12.0);
        assert!(Window::parse("2019-01-01..2018-01-01").is_err());
        assert!(Window::parse("2019-01-01").is_err());
        assert_eq!(date(day(m.first_day())), m.first_day());
    }
}
