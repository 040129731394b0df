//! What MARAC writes down: the referral form a referring agency fills in, and the record
//! of a meeting — who attended, what was said about each case and the risk after it, the
//! chair's approval of the minutes — and the transfer of a case to another MARAC.
//!
//! The rules here are the ones every backend and every screen must share: what a referral
//! form must hold (SafeLives' referral form: the referrer, the grounds, what the victim
//! wants, consent sought, the diversity questions the return counts), when a meeting's
//! record may still change (until its minutes are approved), which agencies may read the
//! minutes (those that attended) and which of them see the victim's address in them.

use crate::access::Username;
use crate::records::Agency;
use crate::text::check_free_text;
use crate::time::{Date, DateTime, Duration};
use crate::vocabulary::vocabulary;
use crate::{PersonId, ReferralId, RiskGrade, ValueError};

vocabulary! {
    /// An answer that may not be known.
    pub enum Answer ("answer") {
        Yes = "yes",
        No = "no",
        NotKnown = "not_known",
    }
}

vocabulary! {
    /// The victim's sexual orientation as the referral form asks it (SafeLives' return
    /// counts LGBT victims).
    pub enum Sexuality ("sexual orientation") {
        Heterosexual = "heterosexual",
        GayOrLesbian = "gay_or_lesbian",
        Bisexual = "bisexual",
        Other = "other",
        NotKnown = "not_known",
        /// The victim chose not to say.
        Declined = "declined",
    }
}

/// A MARAC referral form, beside its referral record (`records::Referral`, kind `marac`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralForm {
    pub referral_id: ReferralId,
    pub person_id: PersonId,
    pub referred_at: DateTime,
    /// The referring agency (the referral record's).
    pub agency: Agency,
    /// Who referred: the user, and a telephone number the coordinator can call.
    pub referrer: Username,
    pub referrer_name: String,
    pub referrer_phone: String,
    /// The perpetrator as a person the force holds, when known.
    pub perpetrator_id: Option<PersonId>,
    /// The perpetrator as the referrer named them (a partner does not see the force's
    /// records).
    pub perpetrator_name: String,
    pub children_in_household: Answer,
    /// The DASH risk checklist's yes answers, when a checklist was completed.
    pub dash_score: Option<u8>,
    /// The grounds, in words, as the area's criteria found them when referred.
    pub grounds: String,
    /// Professional judgement: why the referrer judges the risk high.
    pub judgement_reason: String,
    /// What the victim wants from the MARAC, in their words where possible.
    pub victim_wishes: String,
    /// Whether the victim was asked for consent (MARAC does not require it), and the
    /// answer when asked.
    pub consent_sought: bool,
    pub consent: Option<bool>,
    pub disability: Answer,
    pub sexuality: Sexuality,
    pub transgender: Answer,
    /// A case transferred in: the MARAC it came from (empty otherwise).
    pub transferred_from: String,
}

impl ReferralForm {
    /// Lesbian, gay, bisexual or trans, as the SafeLives return counts it.
    pub fn lgbt(&self) -> bool {
        matches!(
            self.sexuality,
            Sexuality::GayOrLesbian | Sexuality::Bisexual | Sexuality::Other
        ) || self.transgender == Answer::Yes
    }

    pub fn disabled(&self) -> bool {
        self.disability == Answer::Yes
    }
}

pub const MAX_WISHES_CHARS: usize = 2000;
pub const MAX_REASON_CHARS: usize = 2000;

/// Checks what a referrer typed on the form, field by field (the field's name and what is
/// wrong). `grounds` are the criteria the area's rules found; with none, professional
/// judgement must say why.
pub fn check_form(
    f: &ReferralForm,
    grounds_found: bool,
) -> Result<(), Vec<(&'static str, ValueError)>> {
    let mut errors = Vec::new();
    let mut need = |field: &'static str, value: &str, min: usize, max: usize, what: &str| {
        // Names are one line; what people say may run to paragraphs.
        let lines = max > 200;
        let v = value.trim();
        if v.chars().count() < min {
            errors.push((
                field,
                ValueError::new(format!("{what} (at least {min} characters)")),
            ));
        } else if let Err(e) = check_free_text(v, max, lines) {
            errors.push((field, e));
        }
    };
    need(
        "referrer_name",
        &f.referrer_name,
        2,
        120,
        "enter the referrer's name",
    );
    need(
        "victim_wishes",
        &f.victim_wishes,
        5,
        MAX_WISHES_CHARS,
        "say what the victim wants from the MARAC ('Not yet asked' is an answer)",
    );
    if !grounds_found {
        need(
            "judgement_reason",
            &f.judgement_reason,
            10,
            MAX_REASON_CHARS,
            "no criterion of the area is met: say why you judge the risk high",
        );
    } else if !f.judgement_reason.trim().is_empty()
        && let Err(e) = check_free_text(f.judgement_reason.trim(), MAX_REASON_CHARS, true)
    {
        errors.push(("judgement_reason", e));
    }
    if !f.perpetrator_name.trim().is_empty()
        && let Err(e) = check_free_text(f.perpetrator_name.trim(), 120, false)
    {
        errors.push(("perpetrator_name", e));
    }
    if !f.transferred_from.trim().is_empty()
        && let Err(e) = check_free_text(f.transferred_from.trim(), 120, false)
    {
        errors.push(("transferred_from", e));
    }
    let digits = f
        .referrer_phone
        .chars()
        .filter(|c| c.is_ascii_digit())
        .count();
    let phone_ok = f
        .referrer_phone
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-'));
    if !(10..=15).contains(&digits) || !phone_ok {
        errors.push((
            "referrer_phone",
            ValueError::new("enter a telephone number the coordinator can call, like 01245 491491"),
        ));
    }
    if f.dash_score.is_some_and(|n| n > 27) {
        errors.push((
            "dash_score",
            ValueError::new("the DASH checklist has 27 questions: enter 0 to 27"),
        ));
    }
    if !f.consent_sought && f.consent.is_some() {
        errors.push((
            "consent",
            ValueError::new("consent was not sought, so there is no answer to record"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

// ----- the meeting record -----

/// An agency at a meeting, and who came for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub meeting_id: i64,
    pub agency: Agency,
    /// Names and roles of those who came, as the coordinator wrote them.
    pub attendees: String,
    pub recorded_by: Username,
    pub recorded_at: DateTime,
}

/// What the meeting said about one case, and the risk it judged after discussing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discussion {
    pub meeting_id: i64,
    pub referral_id: ReferralId,
    pub person_id: PersonId,
    pub discussion: String,
    pub risk_after: RiskGrade,
    pub recorded_by: Username,
    pub recorded_at: DateTime,
}

/// The chair's approval of a meeting's minutes: from then on the record is closed and the
/// minutes go to the agencies that attended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub meeting_id: i64,
    pub approved_by: Username,
    pub approved_at: DateTime,
}

/// A case moved from one MARAC to another (the victim moved). Within the force, the case
/// is heard at the receiving area's next meeting; to another force's MARAC, it leaves the
/// force's agendas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub referral_id: ReferralId,
    pub person_id: PersonId,
    pub from_area: String,
    pub to_area: String,
    pub reason: String,
    pub transferred_by: Username,
    pub transferred_at: DateTime,
}

pub const MAX_DISCUSSION_CHARS: usize = 6000;
pub const MAX_ATTENDEES_CHARS: usize = 500;

pub fn check_attendees(raw: &str) -> Result<String, ValueError> {
    let v = raw.trim();
    if v.chars().count() < 2 {
        return Err(ValueError::new(
            "name who attended for the agency (a name and role)",
        ));
    }
    check_free_text(v, MAX_ATTENDEES_CHARS, false)?;
    Ok(v.to_owned())
}

pub fn check_discussion(raw: &str) -> Result<String, ValueError> {
    let v = raw.trim();
    if v.chars().count() < 10 {
        return Err(ValueError::new(
            "summarise the discussion (at least 10 characters): it is what the minutes say of the case",
        ));
    }
    check_free_text(v, MAX_DISCUSSION_CHARS, true)?;
    Ok(v.to_owned())
}

/// A meeting's record may change until its minutes are approved, and only on or after its
/// day (a meeting not yet held has no discussion to record).
pub fn check_open(held_on: Date, today: Date, approved: bool) -> Result<(), ValueError> {
    if approved {
        return Err(ValueError::new(
            "the minutes of this meeting were approved; the record is closed",
        ));
    }
    if today < held_on {
        return Err(ValueError::new(format!(
            "the meeting is held on {}: record it on or after that day",
            crate::dates::long(held_on)
        )));
    }
    Ok(())
}

/// Minutes are approved once every case on the agenda was discussed and attendance taken.
pub fn check_approvable(
    agenda: &[ReferralId],
    discussed: &[ReferralId],
    agencies_present: usize,
) -> Result<(), ValueError> {
    let missing = agenda.iter().filter(|r| !discussed.contains(r)).count();
    if missing > 0 {
        return Err(ValueError::new(format!(
            "{missing} case{} on the agenda {} no discussion recorded yet",
            if missing == 1 { "" } else { "s" },
            if missing == 1 { "has" } else { "have" }
        )));
    }
    if agencies_present == 0 {
        return Err(ValueError::new(
            "record who attended before approving the minutes",
        ));
    }
    Ok(())
}

/// Whether the minutes show the victim's address to an agency: those whose part in the
/// plan needs it — the police, the IDVA service and housing (target hardening, moves).
/// A confidential (refuge) address is never in the minutes.
pub fn minutes_show_address(agency: Option<Agency>) -> bool {
    matches!(
        agency,
        Some(Agency::Police | Agency::Idva | Agency::Housing)
    )
}

/// The longest a case may wait to be transferred: after 12 months it is a new referral.
pub const TRANSFER_WITHIN_DAYS: i64 = 365;

/// Checks a transfer: to somewhere else, said why, while the referral is recent.
pub fn check_transfer(
    from_area: &str,
    to_area: &str,
    reason: &str,
    referred_at: DateTime,
    now: DateTime,
) -> Result<(), (&'static str, ValueError)> {
    let to = to_area.trim();
    if to.chars().count() < 2 {
        return Err((
            "to_area",
            ValueError::new("name the MARAC the case goes to"),
        ));
    }
    check_free_text(to, 120, false).map_err(|e| ("to_area", e))?;
    if to.eq_ignore_ascii_case(from_area.trim()) {
        return Err((
            "to_area",
            ValueError::new(format!("the case is already heard by {from_area}")),
        ));
    }
    let r = reason.trim();
    if r.chars().count() < 5 {
        return Err((
            "reason",
            ValueError::new("say why the case moves (at least 5 characters)"),
        ));
    }
    check_free_text(r, 500, true).map_err(|e| ("reason", e))?;
    if now - referred_at > Duration::days(TRANSFER_WITHIN_DAYS) {
        return Err((
            "referral_id",
            ValueError::new(
                "the referral is more than 12 months old: refer the victim afresh rather than transfer",
            ),
        ));
    }
    Ok(())
}

/// Where and from when a referral is heard: its latest transfer within the force wins;
/// a transfer out of the force takes it off the force's agendas (`None`).
pub fn heard_in(
    referral: &ReferralId,
    home_area: &str,
    referred_at: DateTime,
    transfers: &[Transfer],
    force_areas: &[String],
) -> Option<(String, DateTime)> {
    match transfers
        .iter()
        .filter(|t| &t.referral_id == referral)
        .max_by_key(|t| t.transferred_at)
    {
        None => Some((home_area.to_owned(), referred_at)),
        Some(t) if force_areas.iter().any(|a| a == &t.to_area) => {
            Some((t.to_area.clone(), t.transferred_at))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        crate::time::parse_datetime(s).unwrap()
    }

    fn form() -> ReferralForm {
        ReferralForm {
            referral_id: ReferralId::parse("R1").unwrap(),
            person_id: PersonId::parse("P1").unwrap(),
            referred_at: dt("2019-09-02T10:00:00"),
            agency: Agency::Police,
            referrer: Username::parse("cru").unwrap(),
            referrer_name: "DC Ann Example".into(),
            referrer_phone: "01245 491491".into(),
            perpetrator_id: None,
            perpetrator_name: String::new(),
            children_in_household: Answer::Yes,
            dash_score: Some(15),
            grounds: "visible high risk".into(),
            judgement_reason: String::new(),
            victim_wishes: "To be safe at home".into(),
            consent_sought: true,
            consent: Some(true),
            disability: Answer::No,
            sexuality: Sexuality::Bisexual,
            transgender: Answer::NotKnown,
            transferred_from: String::new(),
        }
    }

    #[test]
    fn a_form_names_each_problem_by_field() {
        assert!(check_form(&form(), true).is_ok());
        let bad = ReferralForm {
            referrer_phone: "call me".into(),
            victim_wishes: "".into(),
            dash_score: Some(28),
            consent_sought: false,
            ..form()
        };
        let fields: Vec<&str> = check_form(&bad, false)
            .unwrap_err()
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(
            fields,
            [
                "victim_wishes",
                "judgement_reason",
                "referrer_phone",
                "dash_score",
                "consent"
            ]
        );
    }

    #[test]
    fn the_return_counts_lgbt_and_disabled_victims_from_the_form() {
        assert!(form().lgbt());
        let f = ReferralForm {
            sexuality: Sexuality::Declined,
            transgender: Answer::Yes,
            disability: Answer::Yes,
            ..form()
        };
        assert!(f.lgbt() && f.disabled());
        let f = ReferralForm {
            sexuality: Sexuality::Heterosexual,
            transgender: Answer::No,
            ..form()
        };
        assert!(!f.lgbt() && !f.disabled());
    }

    #[test]
    fn a_record_closes_when_its_minutes_are_approved() {
        let d = crate::time::parse_date("2019-09-03").unwrap();
        assert!(check_open(d, d, false).is_ok());
        assert!(check_open(d, d - Duration::days(1), false).is_err());
        assert!(check_open(d, d, true).is_err());
        let r = |s: &str| ReferralId::parse(s).unwrap();
        assert!(check_approvable(&[r("R1"), r("R2")], &[r("R1")], 3).is_err());
        assert!(check_approvable(&[r("R1")], &[r("R1")], 0).is_err());
        assert!(check_approvable(&[r("R1")], &[r("R1")], 3).is_ok());
    }

    #[test]
    fn minutes_show_the_address_only_to_agencies_that_act_on_it() {
        assert!(minutes_show_address(Some(Agency::Housing)));
        assert!(minutes_show_address(Some(Agency::Police)));
        assert!(!minutes_show_address(Some(Agency::Health)));
        assert!(!minutes_show_address(Some(Agency::Education)));
        assert!(!minutes_show_address(None));
    }

    #[test]
    fn a_transfer_moves_the_case_or_takes_it_out_of_the_force() {
        let areas = vec!["North".to_owned(), "South".to_owned()];
        let t = |to: &str, at: &str| Transfer {
            referral_id: ReferralId::parse("R1").unwrap(),
            person_id: PersonId::parse("P1").unwrap(),
            from_area: "North".into(),
            to_area: to.into(),
            reason: "Moved to a refuge".into(),
            transferred_by: Username::parse("coordinator").unwrap(),
            transferred_at: dt(at),
        };
        let id = ReferralId::parse("R1").unwrap();
        let at = dt("2019-09-01T10:00:00");
        assert_eq!(
            heard_in(&id, "North", at, &[], &areas),
            Some(("North".into(), at))
        );
        let moved = [t("South", "2019-09-05T10:00:00")];
        assert_eq!(
            heard_in(&id, "North", at, &moved, &areas),
            Some(("South".into(), dt("2019-09-05T10:00:00")))
        );
        let out = [
            t("South", "2019-09-05T10:00:00"),
            t("Suffolk (Ipswich MARAC)", "2019-09-20T10:00:00"),
        ];
        assert_eq!(heard_in(&id, "North", at, &out, &areas), None);
        assert_eq!(
            check_transfer("North", "north", "Moved", at, at)
                .unwrap_err()
                .0,
            "to_area"
        );
        assert_eq!(
            check_transfer(
                "North",
                "South",
                "Moved house",
                at,
                dt("2020-09-02T10:00:00")
            )
            .unwrap_err()
            .0,
            "referral_id"
        );
        assert!(check_transfer("North", "South", "Moved house", at, at).is_ok());
    }
}
