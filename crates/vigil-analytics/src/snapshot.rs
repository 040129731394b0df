//! The columnar snapshot: every record the measures read, as plain vectors of small
//! integers, built once from the store's records. Measures scan these columns; they never
//! see strings or the store.

use crate::calendar::day;
use std::collections::HashMap;
use vigil_domain::risk::RiskGrade;
use vigil_domain::time::{Date, DateTime};
use vigil_domain::*;

/// "No value" in a small-integer column.
pub const NONE: u8 = u8::MAX;

fn secs(t: DateTime) -> i64 {
    t.and_utc().timestamp()
}

fn grade(g: Option<RiskGrade>) -> u8 {
    g.map_or(NONE, |g| g as u8)
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Incidents {
    pub reported: Vec<i64>,
    pub day: Vec<i32>,
    pub lpa: Vec<u8>,
    pub call_grade: Vec<u8>,
    /// 1 met, 0 missed, NONE unknown.
    pub target_met: Vec<u8>,
    pub victim: Vec<u32>,
    pub suspect: Vec<u32>,
    pub relationship: Vec<u8>,
    pub risk: Vec<u8>,
    pub has_offence: Vec<bool>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Offences {
    pub incident: Vec<u32>,
    pub lpa: Vec<u8>,
    pub group: Vec<u8>,
    pub offence_day: Vec<i32>,
    pub recorded_day: Vec<i32>,
    pub risk: Vec<u8>,
    pub outcome: Vec<u8>,
    pub outcome_day: Vec<i32>,
    pub suspect: Vec<u32>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Arrests {
    pub at: Vec<i64>,
    pub day: Vec<i32>,
    pub lpa: Vec<u8>,
    pub bwv_shown: Vec<u8>,
    pub disposal: Vec<u8>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Referrals {
    pub kind: Vec<u8>,
    pub person: Vec<u32>,
    pub at: Vec<i64>,
    pub day: Vec<i32>,
    pub lpa: Vec<u8>,
    pub police: Vec<bool>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Disclosures {
    pub route: Vec<u8>,
    pub lpa: Vec<u8>,
    pub received: Vec<i64>,
    pub received_day: Vec<i32>,
    /// Seconds from receipt to decision; negative when still open.
    pub to_decision: Vec<i64>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Orders {
    pub kind: Vec<u8>,
    pub day: Vec<i32>,
    pub lpa: Vec<u8>,
}

/// Everything the measures read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Snapshot {
    pub as_of: Option<Date>,
    pub lpas: Vec<String>,
    pub person_ids: Vec<String>,
    pub person_lpa: Vec<u8>,
    pub incidents: Incidents,
    pub offences: Offences,
    pub arrests: Arrests,
    pub referrals: Referrals,
    pub disclosures: Disclosures,
    pub orders: Orders,
    pub staffing: Vec<StaffingRecord>,
    /// Outcome codes by catalogue position (index into `OutcomeCode::all()`).
    pub outcome_codes: Vec<OutcomeCode>,
    /// Incident indices ordered by victim, then time: the repeat measures walk it. Built
    /// with the snapshot (and cached with it) because sorting is the costliest step.
    pub victim_order: Vec<u32>,
}

impl Snapshot {
    pub fn lpa_index(&self, name: &str) -> Option<u8> {
        self.lpas.iter().position(|l| l == name).map(|i| i as u8)
    }

    /// The first and last day any incident or offence is dated: the span of the data.
    pub fn span(&self) -> Option<(i32, i32)> {
        let days = self.incidents.day.iter().chain(&self.offences.recorded_day);
        let min = days.clone().min()?;
        let max = days.max()?;
        Some((*min, *max))
    }

    /// Builds the snapshot from a record set (as the store exports it).
    pub fn from_records(r: &RecordSet, as_of: Option<Date>) -> Self {
        let mut s = Snapshot {
            as_of,
            outcome_codes: OutcomeCode::all().collect(),
            ..Default::default()
        };
        let mut lpa_of: HashMap<String, u8> = HashMap::new();
        let mut lpa = |name: &str, lpas: &mut Vec<String>| -> u8 {
            if let Some(i) = lpa_of.get(name) {
                return *i;
            }
            lpas.push(name.to_owned());
            let i = (lpas.len() - 1) as u8;
            lpa_of.insert(name.to_owned(), i);
            i
        };
        let mut person_index: HashMap<&str, u32> = HashMap::with_capacity(r.persons.len());
        for p in &r.persons {
            person_index.insert(p.id.as_str(), s.person_ids.len() as u32);
            s.person_ids.push(p.id.to_string());
            let l = p
                .lpa
                .as_ref()
                .map_or(NONE, |l| lpa(l.as_str(), &mut s.lpas));
            s.person_lpa.push(l);
        }
        let pidx = |id: &PersonId| person_index.get(id.as_str()).copied().unwrap_or(u32::MAX);
        let mut incident_index: HashMap<&str, u32> = HashMap::with_capacity(r.incidents.len());
        let inc = &mut s.incidents;
        for (k, i) in r.incidents.iter().enumerate() {
            incident_index.insert(i.id.as_str(), k as u32);
            inc.reported.push(secs(i.reported_at));
            inc.day.push(day(i.reported_at.date()));
            inc.lpa.push(lpa(i.lpa.as_str(), &mut s.lpas));
            inc.call_grade.push(i.call_grade as u8);
            inc.target_met
                .push(i.response_target_met.map_or(NONE, u8::from));
            inc.victim.push(pidx(&i.victim_id));
            inc.suspect
                .push(i.suspect_id.as_ref().map_or(u32::MAX, pidx));
            inc.relationship.push(i.relationship as u8);
            inc.risk.push(grade(i.risk_level));
            inc.has_offence.push(false);
        }
        let off = &mut s.offences;
        for o in &r.offences {
            let k = incident_index
                .get(o.incident_id.as_str())
                .copied()
                .unwrap_or(u32::MAX);
            if let Some(flag) = s.incidents.has_offence.get_mut(k as usize) {
                *flag = true;
            }
            off.incident.push(k);
            off.lpa
                .push(s.incidents.lpa.get(k as usize).copied().unwrap_or(NONE));
            off.group.push(o.offence_group as u8);
            off.offence_day.push(day(o.offence_date));
            off.recorded_day.push(day(o.recorded_date));
            off.risk.push(grade(o.risk_level));
            match o.outcome {
                Some(x) => {
                    off.outcome.push(
                        s.outcome_codes
                            .iter()
                            .position(|c| *c == x.code)
                            .map_or(NONE, |p| p as u8),
                    );
                    off.outcome_day.push(day(x.date));
                }
                None => {
                    off.outcome.push(NONE);
                    off.outcome_day.push(i32::MAX);
                }
            }
            off.suspect
                .push(o.suspect_id.as_ref().map_or(u32::MAX, pidx));
        }
        let lpa_of_incident = |id: &Option<IncidentId>, person: u32, s: &Snapshot| -> u8 {
            id.as_ref()
                .and_then(|i| incident_index.get(i.as_str()))
                .map(|k| s.incidents.lpa[*k as usize])
                .unwrap_or_else(|| s.person_lpa.get(person as usize).copied().unwrap_or(NONE))
        };
        for a in &r.arrests {
            let person = pidx(&a.person_id);
            let l = lpa_of_incident(&a.incident_id, person, &s);
            s.arrests.at.push(secs(a.arrested_at));
            s.arrests.day.push(day(a.arrested_at.date()));
            s.arrests.lpa.push(l);
            s.arrests
                .bwv_shown
                .push(a.bwv_shown_in_interview.map_or(NONE, u8::from));
            s.arrests
                .disposal
                .push(a.disposal.map_or(NONE, |d| d as u8));
        }
        for f in &r.referrals {
            let person = pidx(&f.person_id);
            let l = lpa_of_incident(&f.incident_id, person, &s);
            s.referrals.kind.push(f.kind as u8);
            s.referrals.person.push(person);
            s.referrals.at.push(secs(f.referred_at));
            s.referrals.day.push(day(f.referred_at.date()));
            s.referrals.lpa.push(l);
            s.referrals.police.push(f.agency == Agency::Police);
        }
        for d in &r.disclosures {
            let l = s
                .person_lpa
                .get(pidx(&d.at_risk_id) as usize)
                .copied()
                .unwrap_or(NONE);
            s.disclosures.route.push(d.route as u8);
            s.disclosures.lpa.push(l);
            s.disclosures.received.push(secs(d.received_at));
            s.disclosures.received_day.push(day(d.received_at.date()));
            s.disclosures
                .to_decision
                .push(d.decided_at.map_or(-1, |t| secs(t) - secs(d.received_at)));
        }
        for o in &r.protection_orders {
            let l = lpa_of_incident(&o.incident_id, pidx(&o.protected_id), &s);
            s.orders.kind.push(o.kind as u8);
            s.orders.day.push(day(o.issued_at.date()));
            s.orders.lpa.push(l);
        }
        s.staffing = r.staffing.clone();
        s.victim_order = crate::measures::victim_order(&s);
        s
    }
}
