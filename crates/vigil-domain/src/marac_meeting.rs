//! MARAC meetings and their agendas. A MARAC area meets on a day; the agenda is built from
//! the area's MARAC referrals since its last meeting, in SafeLives' suggested order: cases
//! with children first (children's agencies may then leave), then adult-only cases. Each
//! case says whether it is a repeat (a MARAC referral of the victim in the 12 months
//! before) and whether 12 months or more have passed since the victim's last MARAC (heard
//! before, to be reviewed as such).
//!
//! Vigil's choice: a meeting's agenda holds the referrals made after the area's previous
//! meeting day up to the day before this one; the first meeting of an area looks back
//! `FIRST_LOOKBACK_DAYS`.

use crate::ValueError;
use crate::access::Username;
use crate::marac_return::{MaracAreas, REPEAT_WINDOW_DAYS, ReferralFacts};
use crate::text::check_free_text;
use crate::time::{Date, DateTime, Duration};

/// How far back the first meeting of an area looks for referrals.
pub const FIRST_LOOKBACK_DAYS: i64 = 28;

/// How many cases a meeting hears when the force has not said: Vigil's choice, to warn a
/// coordinator before an agenda grows past what one sitting can discuss (SafeLives sets no
/// number; a force sets its own in the rules file).
pub const DEFAULT_CAPACITY: u32 = 25;

/// How a MARAC area meets: every `every_weeks` weeks on the weekday of `first`, hearing at
/// most `capacity` cases a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    pub first: Date,
    pub every_weeks: u32,
    pub capacity: u32,
}

impl Pattern {
    /// Whether a meeting on `day` keeps to the pattern.
    pub fn fits(&self, day: Date) -> bool {
        let days = (day - self.first).num_days();
        days >= 0 && days % (7 * i64::from(self.every_weeks)) == 0
    }

    /// The pattern's next `n` meeting days on or after `from`.
    pub fn next(&self, from: Date, n: usize) -> Vec<Date> {
        let step = 7 * i64::from(self.every_weeks.max(1));
        let mut day = if from <= self.first {
            self.first
        } else {
            let behind = (from - self.first).num_days();
            self.first + Duration::days((behind + step - 1) / step * step)
        };
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            out.push(day);
            day += Duration::days(step);
        }
        out
    }

    /// The pattern in words.
    pub fn describe(&self) -> String {
        format!(
            "{} on {}s from {}, up to {} cases a meeting",
            if self.every_weeks == 1 {
                "every week".to_owned()
            } else {
                format!("every {} weeks", self.every_weeks)
            },
            self.first.format("%A"),
            crate::dates::long(self.first),
            self.capacity
        )
    }
}

/// A meeting as planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    /// The MARAC area that meets.
    pub area: String,
    pub held_on: Date,
    pub venue: String,
    pub created_by: Username,
    pub created_at: DateTime,
}

/// Checks a venue as typed: required, one line, bounded.
pub fn check_venue(raw: &str) -> Result<String, ValueError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(ValueError::new(
            "say where the meeting is held (a room, or 'Online')",
        ));
    }
    check_free_text(v, 200, false)?;
    Ok(v.to_owned())
}

/// The days whose referrals a meeting hears: after the previous meeting's day (else
/// `FIRST_LOOKBACK_DAYS` before), up to the day before the meeting. Inclusive.
pub fn agenda_window(held_on: Date, previous: Option<Date>) -> (Date, Date) {
    let from = match previous {
        Some(p) => p + Duration::days(1),
        None => held_on - Duration::days(FIRST_LOOKBACK_DAYS),
    };
    (from, held_on - Duration::days(1))
}

/// What one agency holds on a case before the meeting: on the victim, the perpetrator and
/// the children. Seen by the meeting only (its coordinator and the agencies that sit at
/// it), never in a partner's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Research {
    pub meeting_id: i64,
    pub referral_id: crate::ReferralId,
    pub agency: crate::records::Agency,
    pub text: String,
    pub recorded_by: Username,
    pub recorded_at: DateTime,
}

pub const MAX_RESEARCH_CHARS: usize = 4000;

/// Checks research as typed: said in words, bounded, no control or reordering characters.
pub fn check_research(raw: &str) -> Result<String, ValueError> {
    let v = raw.trim();
    if v.chars().count() < 5 {
        return Err(ValueError::new(
            "say what your agency holds (at least 5 characters; 'Nothing held' is an answer)",
        ));
    }
    check_free_text(v, MAX_RESEARCH_CHARS, true)?;
    Ok(v.to_owned())
}

/// One case on the agenda.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaItem {
    pub referral: ReferralFacts,
    /// Children in the household: heard first.
    pub children: bool,
    /// Referred to MARAC in the 12 months before.
    pub repeat: bool,
    /// The victim's last MARAC referral was 12 months or more before: heard before.
    pub review: bool,
    /// The victim's previous MARAC referral, if any.
    pub last_marac: Option<DateTime>,
}

/// The agenda of `meeting`: its area's referrals in the window, cases with children first,
/// then by the time of referral. `referrals` must reach back `REPEAT_WINDOW_DAYS` (and
/// further for the review flag) before the window. A case transferred to this area is
/// heard in the window its transfer falls in; one transferred away is not heard here
/// (`marac_record::heard_in`; `force_areas` tells a transfer within the force from one out
/// of it).
pub fn agenda(
    meeting: &Meeting,
    previous: Option<Date>,
    referrals: &[ReferralFacts],
    areas: &MaracAreas,
    transfers: &[crate::marac_record::Transfer],
    force_areas: &[String],
) -> Vec<AgendaItem> {
    let (from, to) = agenda_window(meeting.held_on, previous);
    let mut items: Vec<AgendaItem> = referrals
        .iter()
        .filter(|r| {
            let Some((area, since)) = crate::marac_record::heard_in(
                &r.id,
                &areas.area_of(r),
                r.referred_at,
                transfers,
                force_areas,
            ) else {
                return false;
            };
            let day = since.date();
            day >= from && day <= to && area == meeting.area
        })
        .map(|r| {
            let last_marac = referrals
                .iter()
                .filter(|o| o.person == r.person && o.referred_at < r.referred_at)
                .map(|o| o.referred_at)
                .max();
            let repeat =
                last_marac.is_some_and(|t| r.referred_at - t <= Duration::days(REPEAT_WINDOW_DAYS));
            AgendaItem {
                children: r.children_present == Some(true),
                repeat,
                review: last_marac.is_some() && !repeat,
                last_marac,
                referral: r.clone(),
            }
        })
        .collect();
    items.sort_by(|a, b| {
        b.children
            .cmp(&a.children)
            .then(a.referral.referred_at.cmp(&b.referral.referred_at))
            .then_with(|| a.referral.id.as_str().cmp(b.referral.id.as_str()))
    });
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Agency, Ethnicity, Sex};
    use crate::{Lpa, PersonId, ReferralId};

    fn d(s: &str) -> Date {
        crate::time::parse_date(s).unwrap()
    }

    fn r(id: &str, person: &str, when: &str, lpa: &str, children: bool) -> ReferralFacts {
        ReferralFacts {
            id: ReferralId::parse(id).unwrap(),
            person: PersonId::parse(person).unwrap(),
            referred_at: crate::time::parse_datetime(when).unwrap(),
            agency: Agency::Police,
            incident: None,
            incident_lpa: Some(Lpa::parse(lpa).unwrap()),
            victim_lpa: None,
            victim_sex: Sex::Female,
            victim_birth: None,
            victim_ethnicity: Ethnicity::White,
            perpetrator_birth: None,
            children_present: Some(children),
            lgbt: None,
            disabled: None,
        }
    }

    fn meeting(area: &str, on: &str) -> Meeting {
        Meeting {
            id: 1,
            area: area.into(),
            held_on: d(on),
            venue: "Room 1".into(),
            created_by: Username::parse("coordinator").unwrap(),
            created_at: crate::time::parse_datetime("2019-09-01T09:00:00").unwrap(),
        }
    }

    #[test]
    fn children_first_repeats_and_reviews_marked_since_the_last_meeting() {
        let all = [
            // Heard long ago: her new referral is a review, not a repeat.
            r("R0", "V3", "2018-01-10T09:00:00", "North", false),
            // Within 12 months: a repeat.
            r("R1", "V2", "2019-03-01T09:00:00", "North", false),
            // Before the previous meeting: heard then.
            r("R2", "V1", "2019-08-05T09:00:00", "North", false),
            r("R3", "V1", "2019-08-20T09:00:00", "North", false),
            r("R4", "V2", "2019-08-21T09:00:00", "North", false),
            r("R5", "V4", "2019-08-22T09:00:00", "North", true),
            r("R6", "V3", "2019-08-23T09:00:00", "North", false),
            // Another area, and the meeting day itself: not on this agenda.
            r("R7", "V5", "2019-08-23T09:00:00", "South", true),
            r("R8", "V6", "2019-09-03T09:00:00", "North", true),
        ];
        let m = meeting("North", "2019-09-03");
        let items = agenda(
            &m,
            Some(d("2019-08-06")),
            &all,
            &MaracAreas::default(),
            &[],
            &[],
        );
        let ids: Vec<&str> = items.iter().map(|i| i.referral.id.as_str()).collect();
        assert_eq!(
            ids,
            ["R5", "R3", "R4", "R6"],
            "children first, then by time"
        );
        let flags: Vec<(bool, bool)> = items.iter().map(|i| (i.repeat, i.review)).collect();
        // R3: V1 referred on 5 August (a repeat); R4: V2 in March (a repeat); R6: V3
        // referred 19 months before (a review).
        assert_eq!(
            flags,
            [(false, false), (true, false), (true, false), (false, true)]
        );
        // The first meeting of an area looks back four weeks.
        assert_eq!(
            agenda_window(d("2019-09-03"), None),
            (d("2019-08-06"), d("2019-09-02"))
        );
    }

    #[test]
    fn a_pattern_names_its_days_and_refuses_others() {
        let p = Pattern {
            first: d("2019-09-03"),
            every_weeks: 2,
            capacity: 20,
        };
        assert!(p.fits(d("2019-09-17")) && !p.fits(d("2019-09-10")) && !p.fits(d("2019-08-20")));
        assert_eq!(
            p.next(d("2019-09-04"), 2),
            [d("2019-09-17"), d("2019-10-01")]
        );
        assert_eq!(p.next(d("2019-08-01"), 1), [d("2019-09-03")]);
        assert_eq!(p.next(d("2019-09-17"), 1), [d("2019-09-17")]);
        assert_eq!(
            p.describe(),
            "every 2 weeks on Tuesdays from 3 September 2019, up to 20 cases a meeting"
        );
    }

    #[test]
    fn research_is_said_in_words() {
        assert!(check_research("no").is_err());
        assert_eq!(check_research(" Nothing held ").unwrap(), "Nothing held");
        assert!(check_research(&"x".repeat(MAX_RESEARCH_CHARS + 1)).is_err());
    }

    #[test]
    fn a_venue_is_required_and_one_line() {
        assert!(check_venue(" ").is_err());
        assert!(check_venue("Room\n1").is_err());
        assert_eq!(check_venue(" Online ").unwrap(), "Online");
    }
}
