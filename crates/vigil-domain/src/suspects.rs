//! Outstanding suspects: people identified as the suspect of an open DA crime who have not
//! been arrested for it. The seed's force names the number of outstanding DA suspects as a
//! risk on its register; each team works its own list, oldest first.
//!
//! The rule is here; each store selects by it (an open offence naming a suspect, with no
//! arrest of that person on the offence or on its incident) and the store tests check both
//! backends against [`outstanding`] over the same records.

use crate::records::{Arrest, Incident, InvestigatingTeam, Offence};
use crate::time::{Date, DateTime};
use crate::{IncidentId, Lpa, OffenceId, PersonId};

/// One suspect outstanding on one case: the open offences that name them, since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutstandingSuspect {
    pub suspect_id: PersonId,
    pub incident_id: IncidentId,
    pub lpa: Lpa,
    pub team: InvestigatingTeam,
    pub victim_id: PersonId,
    /// The open offences naming the suspect on this case, by reference.
    pub offences: Vec<OffenceId>,
    /// The earliest of those offences' recording dates: when the suspect became wanted.
    pub since: Date,
}

impl OutstandingSuspect {
    /// Whole days the suspect has been outstanding at `now` (0 on the day of recording).
    pub fn days_outstanding(&self, now: DateTime) -> i64 {
        (now.date() - self.since).num_days().max(0)
    }
}

/// The team whose list a role sees first: its own investigations' (the LPT's for a
/// response officer, the DAIT's for its investigators and sergeants); `None` shows every
/// team.
pub fn home_team(role: crate::access::Role) -> Option<InvestigatingTeam> {
    crate::access::queues(role)
        .iter()
        .flat_map(|q| crate::case::queue_teams(*q).iter().copied())
        .next()
}

/// Whether an offence leaves its suspect outstanding: it is open, it names a suspect, and
/// that person has no arrest on the offence or on the offence's incident. An arrest with
/// any disposal — bail, release under investigation, charge — deals with the suspect for
/// this list; a later decision is the investigation's, not the arrest team's.
pub fn leaves_suspect_outstanding(offence: &Offence, arrests: &[Arrest]) -> bool {
    let Some(suspect) = &offence.suspect_id else {
        return false;
    };
    offence.outcome.is_none()
        && !arrests.iter().any(|a| {
            &a.person_id == suspect
                && (a.offence_id.as_ref() == Some(&offence.id)
                    || a.incident_id.as_ref() == Some(&offence.incident_id))
        })
}

/// The order of the list: longest outstanding first, then by case and suspect so the order
/// is total (stores page by the same key).
pub fn order_key(s: &OutstandingSuspect) -> (Date, &str, &str, &str) {
    (
        s.since,
        s.incident_id.as_str(),
        s.suspect_id.as_str(),
        s.team.as_str(),
    )
}

/// Every outstanding suspect, one per suspect, case and investigating team (each team works
/// its own offences), oldest first. The victim shown is the least victim reference among
/// the offences (a case almost always has one). The reference computation the stores are
/// tested against.
pub fn outstanding(
    incidents: &[Incident],
    offences: &[Offence],
    arrests: &[Arrest],
) -> Vec<OutstandingSuspect> {
    use std::collections::{BTreeMap, HashMap};
    let areas: HashMap<&IncidentId, &Lpa> = incidents.iter().map(|i| (&i.id, &i.lpa)).collect();
    let mut found: BTreeMap<(&IncidentId, &PersonId, InvestigatingTeam), OutstandingSuspect> =
        BTreeMap::new();
    for o in offences {
        if !leaves_suspect_outstanding(o, arrests) {
            continue;
        }
        let (Some(suspect), Some(lpa)) = (&o.suspect_id, areas.get(&o.incident_id)) else {
            continue;
        };
        let s = found
            .entry((&o.incident_id, suspect, o.team))
            .or_insert_with(|| OutstandingSuspect {
                suspect_id: suspect.clone(),
                incident_id: o.incident_id.clone(),
                lpa: (*lpa).clone(),
                team: o.team,
                victim_id: o.victim_id.clone(),
                offences: Vec::new(),
                since: o.recorded_date,
            });
        s.offences.push(o.id.clone());
        s.since = s.since.min(o.recorded_date);
        if o.victim_id < s.victim_id {
            s.victim_id = o.victim_id.clone();
        }
    }
    let mut list: Vec<_> = found
        .into_values()
        .map(|mut s| {
            s.offences.sort();
            s
        })
        .collect();
    list.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{CallGrade, OffenceGroup, Relationship};
    use crate::time::{parse_date, parse_datetime};
    use crate::{ArrestDisposal, OutcomeCode};

    fn incident(id: &str, lpa: &str) -> Incident {
        Incident {
            id: IncidentId::parse(id).unwrap(),
            reported_at: parse_datetime("2019-08-01T20:00:00").unwrap(),
            lpa: Lpa::parse(lpa).unwrap(),
            call_grade: CallGrade::Emergency,
            arrived_at: None,
            response_target_met: None,
            victim_id: PersonId::parse("V1").unwrap(),
            suspect_id: Some(PersonId::parse("S1").unwrap()),
            relationship: Relationship::Partner,
            children_present: false,
            risk_level: None,
            dash_yes_count: None,
        }
    }

    fn offence(id: &str, incident: &str, suspect: Option<&str>, recorded: &str) -> Offence {
        Offence {
            id: OffenceId::parse(id).unwrap(),
            incident_id: IncidentId::parse(incident).unwrap(),
            ho_code: None,
            offence_group: OffenceGroup::ViolenceWithInjury,
            offence_date: parse_date("2019-08-01").unwrap(),
            recorded_date: parse_date(recorded).unwrap(),
            victim_id: PersonId::parse("V1").unwrap(),
            suspect_id: suspect.map(|s| PersonId::parse(s).unwrap()),
            risk_level: None,
            team: InvestigatingTeam::Dait,
            outcome: None,
            bwv_captured: false,
        }
    }

    fn arrest(person: &str, incident: Option<&str>, offence: Option<&str>) -> Arrest {
        Arrest {
            id: crate::ArrestId::parse("A1").unwrap(),
            person_id: PersonId::parse(person).unwrap(),
            incident_id: incident.map(|i| IncidentId::parse(i).unwrap()),
            offence_id: offence.map(|o| OffenceId::parse(o).unwrap()),
            arrested_at: parse_datetime("2019-08-02T10:00:00").unwrap(),
            bwv_shown_in_interview: None,
            disposal: Some(ArrestDisposal::Bail),
        }
    }

    #[test]
    fn an_identified_suspect_is_outstanding_until_arrested_or_the_crime_is_finalised() {
        let o = offence("C1", "I1", Some("S1"), "2019-08-02");
        assert!(leaves_suspect_outstanding(&o, &[]));
        // Arrested on the offence, or on its incident: dealt with.
        assert!(!leaves_suspect_outstanding(
            &o,
            &[arrest("S1", None, Some("C1"))]
        ));
        assert!(!leaves_suspect_outstanding(
            &o,
            &[arrest("S1", Some("I1"), None)]
        ));
        // Someone else arrested, or the suspect arrested on another case: still outstanding.
        assert!(leaves_suspect_outstanding(
            &o,
            &[arrest("S2", Some("I1"), Some("C1"))]
        ));
        assert!(leaves_suspect_outstanding(
            &o,
            &[arrest("S1", Some("I9"), Some("C9"))]
        ));
        // No suspect identified, or an outcome given: not on the list.
        assert!(!leaves_suspect_outstanding(
            &offence("C1", "I1", None, "2019-08-02"),
            &[]
        ));
        let mut done = o.clone();
        done.outcome = Some(crate::records::Outcome {
            code: OutcomeCode::parse("16").unwrap(),
            date: parse_date("2019-08-20").unwrap(),
        });
        assert!(!leaves_suspect_outstanding(&done, &[]));
    }

    #[test]
    fn one_row_per_suspect_and_case_oldest_first_with_days_outstanding() {
        let incidents = [incident("I1", "North"), incident("I2", "South")];
        let offences = [
            offence("C3", "I1", Some("S1"), "2019-08-05"),
            offence("C1", "I1", Some("S1"), "2019-08-03"),
            offence("C2", "I2", Some("S2"), "2019-08-01"),
            offence("C4", "I2", Some("S3"), "2019-08-09"),
        ];
        let arrests = [arrest("S3", Some("I2"), None)];
        let list = outstanding(&incidents, &offences, &arrests);
        let got: Vec<_> = list
            .iter()
            .map(|s| {
                (
                    s.incident_id.as_str(),
                    s.suspect_id.as_str(),
                    s.offences.len(),
                )
            })
            .collect();
        assert_eq!(got, [("I2", "S2", 1), ("I1", "S1", 2)]);
        assert_eq!(list[1].since, parse_date("2019-08-03").unwrap());
        assert_eq!(list[1].lpa.as_str(), "North");
        let now = parse_datetime("2019-09-02T09:00:00").unwrap();
        assert_eq!(list[0].days_outstanding(now), 32);
    }
}
