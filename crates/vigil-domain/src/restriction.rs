//! Restricted records: need-to-know beyond the role. A person's or a case's record can be
//! restricted — a victim who works for the force, a high-profile case, a protected witness
//! — to named users and teams. Every other reader, whatever their role allows, is answered
//! as though the record did not exist; lists leave it out and say how many they left out.
//!
//! A case is hidden from a reader when the case itself is restricted against them or when
//! one of its people is: a police employee's restriction would be worthless if the incident
//! in which they are the victim could still be opened by anyone.

use crate::access::{Role, Username};
use crate::tasks::{WorkTeam, role_teams};
use crate::text::check_free_text;
use crate::time::DateTime;
use crate::vocabulary::vocabulary;
use crate::{IncidentId, Lpa, PersonId, ValueError};

vocabulary! {
    /// Why a record is restricted.
    pub enum Ground ("restriction ground") {
        /// The victim, suspect or a witness works for the force.
        ForceEmployee = "force_employee",
        /// A case that would draw attention (a public figure, the press).
        HighProfile = "high_profile",
        /// A witness under protection.
        ProtectedWitness = "protected_witness",
        /// Anything else; the note must say what.
        Other = "other",
    }
}

impl Ground {
    pub fn words(self) -> &'static str {
        match self {
            Ground::ForceEmployee => "Works for the force",
            Ground::HighProfile => "High-profile case",
            Ground::ProtectedWitness => "Protected witness",
            Ground::Other => "Other",
        }
    }
}

/// The record a restriction covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Person(PersonId),
    Case(IncidentId),
}

impl Subject {
    /// A record named by its kind (`person` or `case`) and its reference. References are
    /// free-form in extracts, so the kind is said rather than guessed from the reference.
    pub fn parse(kind: &str, reference: &str) -> Result<Subject, ValueError> {
        let reference = reference.trim();
        match kind.trim() {
            "person" => Ok(Subject::Person(PersonId::parse(reference)?)),
            "case" => Ok(Subject::Case(IncidentId::parse(reference)?)),
            other => {
                let shown: String = other.chars().take(30).collect();
                Err(ValueError::new(format!(
                    "'{shown}' is not a kind of record: use person or case"
                )))
            }
        }
    }

    /// `person` or `case`, as the audit trail names subjects.
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Person(_) => "person",
            Subject::Case(_) => "case",
        }
    }

    pub fn reference(&self) -> &str {
        match self {
            Subject::Person(p) => p.as_str(),
            Subject::Case(c) => c.as_str(),
        }
    }
}

/// A team allowed to see a restricted record: a work team, in one area or in every area.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TeamAccess {
    pub team: WorkTeam,
    /// `None`: the team in every area.
    pub lpa: Option<Lpa>,
}

impl TeamAccess {
    /// `dait` (every area) or `dait@Colchester`, as stored and typed.
    pub fn parse(raw: &str) -> Result<TeamAccess, ValueError> {
        let v = raw.trim();
        let (team, lpa) = match v.split_once('@') {
            Some((t, l)) => (t.trim(), Some(Lpa::parse(l.trim())?)),
            None => (v, None),
        };
        let team = WorkTeam::parse(team).map_err(|_| {
            let shown: String = team.chars().take(30).collect();
            ValueError::new(format!(
                "'{shown}' is not a team: use lpt, dait, cid or cru, with @ and an area for one area only"
            ))
        })?;
        Ok(TeamAccess { team, lpa })
    }

    pub fn written(&self) -> String {
        match &self.lpa {
            Some(l) => format!("{}@{}", self.team.as_str(), l.as_str()),
            None => self.team.as_str().to_owned(),
        }
    }
}

/// Who is asking to read: enough to decide need-to-know.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub username: &'a Username,
    pub role: Role,
    pub lpa: Option<&'a Lpa>,
}

/// A restriction on one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    pub subject: Subject,
    pub ground: Ground,
    /// Why, in words; required for [`Ground::Other`].
    pub note: String,
    /// Named users who may see the record.
    pub users: Vec<Username>,
    /// Teams who may see it.
    pub teams: Vec<TeamAccess>,
    pub set_by: Username,
    pub set_at: DateTime,
}

/// At most this many named users and teams on one restriction: a restriction that names
/// half the force restricts nothing.
pub const MAX_USERS: usize = 50;
pub const MAX_TEAMS: usize = 20;
pub const MAX_NOTE_CHARS: usize = 500;

impl Restriction {
    /// A restriction as asked for, checked: someone must be able to see the record, the
    /// lists are bounded and without repeats, and an "other" ground says why. A problem
    /// names the field it is about (`note`, `users`, `teams`).
    pub fn new(
        subject: Subject,
        ground: Ground,
        note: &str,
        mut users: Vec<Username>,
        mut teams: Vec<TeamAccess>,
        set_by: Username,
        set_at: DateTime,
    ) -> Result<Restriction, (&'static str, ValueError)> {
        let note = note.trim();
        check_free_text(note, MAX_NOTE_CHARS, true).map_err(|e| ("note", e))?;
        if ground == Ground::Other && note.chars().count() < 10 {
            return Err((
                "note",
                ValueError::new(
                    "say why the record is restricted (at least 10 characters) when the ground is 'other'",
                ),
            ));
        }
        users.sort();
        users.dedup();
        teams.sort();
        teams.dedup();
        if users.is_empty() && teams.is_empty() {
            return Err((
                "users",
                ValueError::new(
                    "name at least one user or team who may see the record; otherwise nobody could work it",
                ),
            ));
        }
        if users.len() > MAX_USERS {
            return Err((
                "users",
                ValueError::new(format!(
                    "at most {MAX_USERS} named users; name a team instead"
                )),
            ));
        }
        if teams.len() > MAX_TEAMS {
            return Err((
                "teams",
                ValueError::new(format!("at most {MAX_TEAMS} teams")),
            ));
        }
        Ok(Restriction {
            subject,
            ground,
            note: note.to_owned(),
            users,
            teams,
            set_by,
            set_at,
        })
    }

    /// Whether the reader may see the record: they are named, or belong to a named team
    /// (their role's teams, in the team's area when it names one).
    pub fn admits(&self, r: Reader<'_>) -> bool {
        if self.users.iter().any(|u| u == r.username) {
            return true;
        }
        let theirs = role_teams(r.role);
        self.teams.iter().any(|t| {
            theirs.contains(&t.team)
                && match &t.lpa {
                    None => true,
                    Some(l) => r.lpa == Some(l),
                }
        })
    }
}

/// Every restriction in force, indexed for the questions readers' requests ask.
#[derive(Debug, Clone, Default)]
pub struct Restrictions {
    by_subject: std::collections::BTreeMap<Subject, Restriction>,
}

impl Restrictions {
    pub fn new(all: Vec<Restriction>) -> Restrictions {
        Restrictions {
            by_subject: all.into_iter().map(|r| (r.subject.clone(), r)).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_subject.is_empty()
    }

    pub fn get(&self, s: &Subject) -> Option<&Restriction> {
        self.by_subject.get(s)
    }

    pub fn all(&self) -> impl Iterator<Item = &Restriction> {
        self.by_subject.values()
    }

    fn hides(&self, s: Subject, r: Reader<'_>) -> bool {
        self.by_subject.get(&s).is_some_and(|x| !x.admits(r))
    }

    /// Whether a person's record is hidden from the reader.
    pub fn hides_person(&self, p: &PersonId, r: Reader<'_>) -> bool {
        !self.is_empty() && self.hides(Subject::Person(p.clone()), r)
    }

    /// Whether a case is hidden from the reader: it is restricted against them, or one of
    /// `people` (its victim, suspect, children) is.
    pub fn hides_case<'p>(
        &self,
        c: &IncidentId,
        people: impl IntoIterator<Item = &'p PersonId>,
        r: Reader<'_>,
    ) -> bool {
        if self.is_empty() {
            return false;
        }
        self.hides(Subject::Case(c.clone()), r)
            || people.into_iter().any(|p| self.hides_person(p, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn user(n: &str) -> Username {
        Username::parse(n).unwrap()
    }

    fn lpa(n: &str) -> Lpa {
        Lpa::parse(n).unwrap()
    }

    fn restriction(users: &[&str], teams: &[&str]) -> Restriction {
        Restriction::new(
            Subject::parse("person", "P000042").unwrap(),
            Ground::ForceEmployee,
            "",
            users.iter().map(|u| user(u)).collect(),
            teams
                .iter()
                .map(|t| TeamAccess::parse(t).unwrap())
                .collect(),
            user("admin"),
            at(),
        )
        .unwrap()
    }

    #[test]
    fn named_users_and_teams_in_their_area_are_admitted_and_nobody_else() {
        let r = restriction(&["dsmith"], &["dait@Colchester"]);
        let named = user("dsmith");
        let other = user("jbloggs");
        let (colchester, harlow) = (lpa("Colchester"), lpa("Harlow"));
        let reader = |u, role, l| Reader {
            username: u,
            role,
            lpa: l,
        };
        assert!(r.admits(reader(&named, Role::CallHandler, None)));
        assert!(r.admits(reader(&other, Role::DaitInvestigator, Some(&colchester))));
        assert!(r.admits(reader(&other, Role::DaitSergeant, Some(&colchester))));
        // The same team elsewhere, another team here, and a reader of every record.
        assert!(!r.admits(reader(&other, Role::DaitInvestigator, Some(&harlow))));
        assert!(!r.admits(reader(&other, Role::CruOfficer, Some(&colchester))));
        assert!(!r.admits(reader(&other, Role::Analyst, None)));
        assert!(!r.admits(reader(&other, Role::Administrator, None)));
        // A team without an area: that team anywhere.
        let everywhere = restriction(&[], &["cru"]);
        assert!(everywhere.admits(reader(&other, Role::CruOfficer, Some(&harlow))));
    }

    #[test]
    fn a_restriction_must_leave_someone_able_to_work_the_record() {
        let s = Subject::parse("case", "INC0000001").unwrap();
        let err = Restriction::new(
            s.clone(),
            Ground::HighProfile,
            "",
            vec![],
            vec![],
            user("admin"),
            at(),
        )
        .unwrap_err();
        assert_eq!(err.0, "users");
        assert!(
            err.1.to_string().contains("at least one user or team"),
            "{}",
            err.1
        );
        let err = Restriction::new(
            s.clone(),
            Ground::Other,
            "x",
            vec![user("abc")],
            vec![],
            user("admin"),
            at(),
        )
        .unwrap_err();
        assert_eq!(err.0, "note");
        assert!(err.1.to_string().contains("say why"), "{}", err.1);
        let many: Vec<Username> = (0..=MAX_USERS).map(|i| user(&format!("user{i}"))).collect();
        assert!(
            Restriction::new(
                s.clone(),
                Ground::HighProfile,
                "",
                many,
                vec![],
                user("admin"),
                at()
            )
            .is_err()
        );
        let bidi = Restriction::new(
            s,
            Ground::Other,
            "a note \u{202e}reversed",
            vec![user("abc")],
            vec![],
            user("admin"),
            at(),
        );
        assert!(bidi.is_err());
        assert!(TeamAccess::parse("sales").is_err());
        assert_eq!(
            TeamAccess::parse(" dait @ Harlow ").unwrap().written(),
            "dait@Harlow"
        );
        assert!(Subject::parse("witness", "P1").is_err());
    }

    #[test]
    fn a_case_is_hidden_when_it_or_any_of_its_people_is_restricted() {
        let victim = PersonId::parse("P000042").unwrap();
        let suspect = PersonId::parse("P000043").unwrap();
        let case = IncidentId::parse("INC0000001").unwrap();
        let all = Restrictions::new(vec![restriction(&["dsmith"], &[])]);
        let (named, other) = (user("dsmith"), user("jbloggs"));
        let r = |u| Reader {
            username: u,
            role: Role::DaitInvestigator,
            lpa: None,
        };
        assert!(all.hides_person(&victim, r(&other)));
        assert!(!all.hides_person(&suspect, r(&other)));
        assert!(all.hides_case(&case, [&suspect, &victim], r(&other)));
        assert!(!all.hides_case(&case, [&suspect], r(&other)));
        assert!(!all.hides_case(&case, [&suspect, &victim], r(&named)));
        assert!(!Restrictions::default().hides_case(&case, [&victim], r(&other)));
    }
}
