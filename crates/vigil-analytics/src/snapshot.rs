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
    /// The Home Office code, as an index into `Snapshot::ho_codes`; `u32::MAX` for none.
    pub code: Vec<u32>,
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
    /// The `DisclosureDecision`, or `NONE` while open.
    pub decision: Vec<u8>,
    /// Seconds from the decision to the disclosure; negative when none was made.
    pub to_disclosure: Vec<i64>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Orders {
    pub kind: Vec<u8>,
    pub day: Vec<i32>,
    pub lpa: Vec<u8>,
    /// `issued_at` in seconds: a notice's service, an order's making.
    pub at: Vec<i64>,
    pub subject: Vec<u32>,
    pub protected: Vec<u32>,
    /// The first breach in seconds; negative when none is recorded.
    pub breached: Vec<i64>,
}

/// Person ids packed into one buffer: a national store holds tens of millions, and one
/// allocation each would dominate both memory and the time to load the cache.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PersonIds {
    text: String,
    ends: Vec<u32>,
}

impl PersonIds {
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len() as u32);
    }

    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The packed form, for the cache: the text and the end offset of each id.
    pub fn parts(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }

    /// Rebuilds from the packed form; `None` if the offsets do not fit the text.
    pub fn from_parts(text: String, ends: Vec<u32>) -> Option<Self> {
        let mut last = 0u32;
        for e in &ends {
            if *e < last || *e as usize > text.len() || !text.is_char_boundary(*e as usize) {
                return None;
            }
            last = *e;
        }
        Some(PersonIds { text, ends })
    }
}

/// Everything the measures read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Snapshot {
    pub as_of: Option<Date>,
    pub lpas: Vec<String>,
    pub person_ids: PersonIds,
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
    /// The Home Office offence codes the offences carry, each once (upper case).
    pub ho_codes: Vec<String>,
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
        let mut b = SnapshotBuilder::new(as_of);
        b.add(r);
        b.finish()
    }
}

/// Builds a snapshot from record sets handed over a piece at a time, tables in dependency
/// order (persons, incidents, offences, then the rest), as the store streams them: a
/// national store never has to be in memory as records at once.
pub struct SnapshotBuilder {
    s: Snapshot,
    lpa_of: HashMap<String, u8>,
    code_of: HashMap<String, u32>,
    person_index: HashMap<String, u32>,
    incident_index: HashMap<String, u32>,
}

impl SnapshotBuilder {
    pub fn new(as_of: Option<Date>) -> Self {
        SnapshotBuilder {
            s: Snapshot {
                as_of,
                outcome_codes: OutcomeCode::all().collect(),
                ..Default::default()
            },
            lpa_of: HashMap::new(),
            code_of: HashMap::new(),
            person_index: HashMap::new(),
            incident_index: HashMap::new(),
        }
    }

    fn lpa(&mut self, name: &str) -> u8 {
        if let Some(i) = self.lpa_of.get(name) {
            return *i;
        }
        self.s.lpas.push(name.to_owned());
        let i = (self.s.lpas.len() - 1) as u8;
        self.lpa_of.insert(name.to_owned(), i);
        i
    }

    fn person(&self, id: &PersonId) -> u32 {
        self.person_index
            .get(id.as_str())
            .copied()
            .unwrap_or(u32::MAX)
    }

    /// The LPA of an incident, or else of a person: where a referral, arrest or order counts.
    fn lpa_of_incident(&self, id: &Option<IncidentId>, person: u32) -> u8 {
        id.as_ref()
            .and_then(|i| self.incident_index.get(i.as_str()))
            .map(|k| self.s.incidents.lpa[*k as usize])
            .unwrap_or_else(|| {
                self.s
                    .person_lpa
                    .get(person as usize)
                    .copied()
                    .unwrap_or(NONE)
            })
    }

    /// Adds the records of every table in `r`.
    pub fn add(&mut self, r: &RecordSet) {
        for p in &r.persons {
            let n = self.s.person_ids.len() as u32;
            self.person_index.insert(p.id.as_str().to_owned(), n);
            self.s.person_ids.push(p.id.as_str());
            let l = p.lpa.as_ref().map_or(NONE, |l| self.lpa(l.as_str()));
            self.s.person_lpa.push(l);
        }
        for i in &r.incidents {
            let k = self.s.incidents.day.len() as u32;
            self.incident_index.insert(i.id.as_str().to_owned(), k);
            let l = self.lpa(i.lpa.as_str());
            let (victim, suspect) = (
                self.person(&i.victim_id),
                i.suspect_id.as_ref().map_or(u32::MAX, |x| self.person(x)),
            );
            let inc = &mut self.s.incidents;
            inc.reported.push(secs(i.reported_at));
            inc.day.push(day(i.reported_at.date()));
            inc.lpa.push(l);
            inc.call_grade.push(i.call_grade as u8);
            inc.target_met
                .push(i.response_target_met.map_or(NONE, u8::from));
            inc.victim.push(victim);
            inc.suspect.push(suspect);
            inc.relationship.push(i.relationship as u8);
            inc.risk.push(grade(i.risk_level));
            inc.has_offence.push(false);
        }
        for o in &r.offences {
            let k = self
                .incident_index
                .get(o.incident_id.as_str())
                .copied()
                .unwrap_or(u32::MAX);
            if let Some(flag) = self.s.incidents.has_offence.get_mut(k as usize) {
                *flag = true;
            }
            let lpa = self
                .s
                .incidents
                .lpa
                .get(k as usize)
                .copied()
                .unwrap_or(NONE);
            let suspect = o.suspect_id.as_ref().map_or(u32::MAX, |x| self.person(x));
            let code = o.outcome.map(|x| {
                self.s
                    .outcome_codes
                    .iter()
                    .position(|c| *c == x.code)
                    .map_or(NONE, |p| p as u8)
            });
            let off = &mut self.s.offences;
            off.incident.push(k);
            off.lpa.push(lpa);
            off.group.push(o.offence_group as u8);
            off.offence_day.push(day(o.offence_date));
            off.recorded_day.push(day(o.recorded_date));
            off.risk.push(grade(o.risk_level));
            off.outcome.push(code.unwrap_or(NONE));
            off.outcome_day
                .push(o.outcome.map_or(i32::MAX, |x| day(x.date)));
            off.suspect.push(suspect);
            let code = match &o.ho_code {
                Some(c) => {
                    let c = c.trim().to_ascii_uppercase();
                    match self.code_of.get(&c) {
                        Some(k) => *k,
                        None => {
                            let k = self.s.ho_codes.len() as u32;
                            self.s.ho_codes.push(c.clone());
                            self.code_of.insert(c, k);
                            k
                        }
                    }
                }
                None => u32::MAX,
            };
            self.s.offences.code.push(code);
        }
        for a in &r.arrests {
            let l = self.lpa_of_incident(&a.incident_id, self.person(&a.person_id));
            let ar = &mut self.s.arrests;
            ar.at.push(secs(a.arrested_at));
            ar.day.push(day(a.arrested_at.date()));
            ar.lpa.push(l);
            ar.bwv_shown
                .push(a.bwv_shown_in_interview.map_or(NONE, u8::from));
            ar.disposal.push(a.disposal.map_or(NONE, |d| d as u8));
        }
        for f in &r.referrals {
            let person = self.person(&f.person_id);
            let l = self.lpa_of_incident(&f.incident_id, person);
            let rf = &mut self.s.referrals;
            rf.kind.push(f.kind as u8);
            rf.person.push(person);
            rf.at.push(secs(f.referred_at));
            rf.day.push(day(f.referred_at.date()));
            rf.lpa.push(l);
            rf.police.push(f.agency == Agency::Police);
        }
        for d in &r.disclosures {
            let l = self
                .s
                .person_lpa
                .get(self.person(&d.at_risk_id) as usize)
                .copied()
                .unwrap_or(NONE);
            let ds = &mut self.s.disclosures;
            ds.route.push(d.route as u8);
            ds.lpa.push(l);
            ds.received.push(secs(d.received_at));
            ds.received_day.push(day(d.received_at.date()));
            ds.to_decision
                .push(d.decided_at.map_or(-1, |t| secs(t) - secs(d.received_at)));
            ds.decision.push(d.decision.map_or(NONE, |x| x as u8));
            ds.to_disclosure.push(match (d.decided_at, d.disclosed_at) {
                (Some(a), Some(b)) => (secs(b) - secs(a)).max(0),
                _ => -1,
            });
        }
        for o in &r.protection_orders {
            let (subject, protected) = (self.person(&o.subject_id), self.person(&o.protected_id));
            let l = self.lpa_of_incident(&o.incident_id, protected);
            let or = &mut self.s.orders;
            or.kind.push(o.kind as u8);
            or.day.push(day(o.issued_at.date()));
            or.lpa.push(l);
            or.at.push(secs(o.issued_at));
            or.subject.push(subject);
            or.protected.push(protected);
            or.breached.push(o.breached_at.map_or(-1, secs));
        }
        self.s.staffing.extend(r.staffing.iter().cloned());
    }

    /// The finished snapshot, with its victim order built.
    pub fn finish(mut self) -> Snapshot {
        self.s.victim_order = crate::measures::victim_order(&self.s);
        self.s
    }
}
