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
    /// Each table's rows by the store's row key (see [`RowKeys`]): what lets a change to a
    /// few rows be patched in place of a rebuild. Empty for a snapshot not built from a store.
    pub keys: RowKeys,
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

/// The record tables a snapshot reads, as the store and its change log name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowTable {
    Persons,
    Incidents,
    Offences,
    Arrests,
    Referrals,
    Disclosures,
    ProtectionOrders,
    Staffing,
}

impl RowTable {
    pub const ALL: [RowTable; 8] = [
        RowTable::Persons,
        RowTable::Incidents,
        RowTable::Offences,
        RowTable::Arrests,
        RowTable::Referrals,
        RowTable::Disclosures,
        RowTable::ProtectionOrders,
        RowTable::Staffing,
    ];

    /// The table's name in the store.
    pub fn name(self) -> &'static str {
        match self {
            RowTable::Persons => "persons",
            RowTable::Incidents => "incidents",
            RowTable::Offences => "offences",
            RowTable::Arrests => "arrests",
            RowTable::Referrals => "referrals",
            RowTable::Disclosures => "disclosures",
            RowTable::ProtectionOrders => "protection_orders",
            RowTable::Staffing => "staffing",
        }
    }

    pub fn parse(name: &str) -> Option<RowTable> {
        RowTable::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The table whose rows a one-table chunk holds (the store streams one table at a
    /// time); `None` for an empty chunk or one holding only risk assessments.
    pub fn of(r: &RecordSet) -> Option<RowTable> {
        [
            (r.persons.is_empty(), RowTable::Persons),
            (r.incidents.is_empty(), RowTable::Incidents),
            (r.offences.is_empty(), RowTable::Offences),
            (r.arrests.is_empty(), RowTable::Arrests),
            (r.referrals.is_empty(), RowTable::Referrals),
            (r.disclosures.is_empty(), RowTable::Disclosures),
            (r.protection_orders.is_empty(), RowTable::ProtectionOrders),
            (r.staffing.is_empty(), RowTable::Staffing),
        ]
        .into_iter()
        .find(|(empty, _)| !empty)
        .map(|(_, t)| t)
    }
}

/// The store's row keys of one table in stored order (SQLite's rowid, PostgreSQL's
/// `stored`), which only ever increase as rows are added. Kept as runs of consecutive keys,
/// so a table imported in one go costs one run however many rows it has, and always in the
/// same (maximal) runs whichever way the keys arrived: a patched snapshot and a rebuilt one
/// encode alike.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct KeyRuns {
    pub starts: Vec<i64>,
    pub lens: Vec<u32>,
}

impl KeyRuns {
    pub fn len(&self) -> usize {
        self.lens.iter().map(|n| *n as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    pub fn last(&self) -> Option<i64> {
        Some(self.starts.last()? + i64::from(*self.lens.last()?) - 1)
    }

    /// Adds the key of a row stored after every other.
    pub fn push(&mut self, key: i64) {
        match self.last() {
            Some(last) if key == last + 1 => *self.lens.last_mut().expect("a run") += 1,
            _ => {
                self.starts.push(key);
                self.lens.push(1);
            }
        }
    }

    /// The row's position in the table, or `None` if no row has the key.
    pub fn position(&self, key: i64) -> Option<usize> {
        let run = self.starts.partition_point(|s| *s <= key).checked_sub(1)?;
        let offset = key - self.starts[run];
        if offset >= i64::from(self.lens[run]) {
            return None;
        }
        let before: usize = self.lens[..run].iter().map(|n| *n as usize).sum();
        Some(before + offset as usize)
    }

    /// Takes out a key, splitting its run.
    pub fn remove(&mut self, key: i64) {
        let Some(run) = self.starts.partition_point(|s| *s <= key).checked_sub(1) else {
            return;
        };
        let (start, len) = (self.starts[run], i64::from(self.lens[run]));
        if key >= start + len {
            return;
        }
        let (left, right) = (key - start, start + len - key - 1);
        let mut replace = Vec::new();
        if left > 0 {
            replace.push((start, left as u32));
        }
        if right > 0 {
            replace.push((key + 1, right as u32));
        }
        self.starts
            .splice(run..=run, replace.iter().map(|(s, _)| *s));
        self.lens.splice(run..=run, replace.iter().map(|(_, n)| *n));
    }
}

/// Every table's row keys, by [`RowTable`].
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RowKeys(pub [KeyRuns; 8]);

impl RowKeys {
    pub fn of(&self, t: RowTable) -> &KeyRuns {
        &self.0[t as usize]
    }
    pub fn of_mut(&mut self, t: RowTable) -> &mut KeyRuns {
        &mut self.0[t as usize]
    }
}

/// Sets a column's value at `at`, or appends it.
fn put<T>(column: &mut Vec<T>, at: Option<usize>, value: T) {
    match at {
        Some(i) => column[i] = value,
        None => column.push(value),
    }
}

/// One row of each table into its columns, at a position (a changed row) or appended (a
/// new one). The full build and a patch both write rows only through these, so the two
/// cannot encode a record differently. References (a person's, an incident's position)
/// and areas are resolved by the caller, which is where the two differ.
impl Snapshot {
    pub(crate) fn put_person(&mut self, at: Option<usize>, p: &Person, lpa: u8) {
        if at.is_none() {
            self.person_ids.push(p.id.as_str());
        }
        put(&mut self.person_lpa, at, lpa);
    }

    pub(crate) fn put_incident(
        &mut self,
        at: Option<usize>,
        i: &Incident,
        lpa: u8,
        people: (u32, u32),
    ) {
        let inc = &mut self.incidents;
        put(&mut inc.reported, at, secs(i.reported_at));
        put(&mut inc.day, at, day(i.reported_at.date()));
        put(&mut inc.lpa, at, lpa);
        put(&mut inc.call_grade, at, i.call_grade as u8);
        put(
            &mut inc.target_met,
            at,
            i.response_target_met.map_or(NONE, u8::from),
        );
        put(&mut inc.victim, at, people.0);
        put(&mut inc.suspect, at, people.1);
        put(&mut inc.relationship, at, i.relationship as u8);
        put(&mut inc.risk, at, grade(i.risk_level));
        // Whether an offence was recorded is the offences' to say (`put_offence`).
        if at.is_none() {
            inc.has_offence.push(false);
        }
    }

    pub(crate) fn put_offence(
        &mut self,
        at: Option<usize>,
        o: &Offence,
        incident: u32,
        suspect: u32,
        code: u32,
    ) {
        if let Some(flag) = self.incidents.has_offence.get_mut(incident as usize) {
            *flag = true;
        }
        let lpa = self
            .incidents
            .lpa
            .get(incident as usize)
            .copied()
            .unwrap_or(NONE);
        let outcome = o.outcome.map(|x| {
            self.outcome_codes
                .iter()
                .position(|c| *c == x.code)
                .map_or(NONE, |p| p as u8)
        });
        let off = &mut self.offences;
        put(&mut off.incident, at, incident);
        put(&mut off.lpa, at, lpa);
        put(&mut off.group, at, o.offence_group as u8);
        put(&mut off.offence_day, at, day(o.offence_date));
        put(&mut off.recorded_day, at, day(o.recorded_date));
        put(&mut off.risk, at, grade(o.risk_level));
        put(&mut off.outcome, at, outcome.unwrap_or(NONE));
        put(
            &mut off.outcome_day,
            at,
            o.outcome.map_or(i32::MAX, |x| day(x.date)),
        );
        put(&mut off.suspect, at, suspect);
        put(&mut off.code, at, code);
    }

    /// The area an arrest, referral or order counts in: its incident's, else its person's.
    pub(crate) fn lpa_of(&self, incident: Option<u32>, person: u32) -> u8 {
        incident
            .and_then(|k| self.incidents.lpa.get(k as usize))
            .or_else(|| self.person_lpa.get(person as usize))
            .copied()
            .unwrap_or(NONE)
    }

    pub(crate) fn put_arrest(&mut self, at: Option<usize>, a: &Arrest, lpa: u8) {
        let ar = &mut self.arrests;
        put(&mut ar.at, at, secs(a.arrested_at));
        put(&mut ar.day, at, day(a.arrested_at.date()));
        put(&mut ar.lpa, at, lpa);
        put(
            &mut ar.bwv_shown,
            at,
            a.bwv_shown_in_interview.map_or(NONE, u8::from),
        );
        put(&mut ar.disposal, at, a.disposal.map_or(NONE, |d| d as u8));
    }

    pub(crate) fn put_referral(&mut self, at: Option<usize>, f: &Referral, person: u32, lpa: u8) {
        let rf = &mut self.referrals;
        put(&mut rf.kind, at, f.kind as u8);
        put(&mut rf.person, at, person);
        put(&mut rf.at, at, secs(f.referred_at));
        put(&mut rf.day, at, day(f.referred_at.date()));
        put(&mut rf.lpa, at, lpa);
        put(&mut rf.police, at, f.agency == Agency::Police);
    }

    pub(crate) fn put_disclosure(&mut self, at: Option<usize>, d: &Disclosure, at_risk: u32) {
        let lpa = self
            .person_lpa
            .get(at_risk as usize)
            .copied()
            .unwrap_or(NONE);
        let ds = &mut self.disclosures;
        put(&mut ds.route, at, d.route as u8);
        put(&mut ds.lpa, at, lpa);
        put(&mut ds.received, at, secs(d.received_at));
        put(&mut ds.received_day, at, day(d.received_at.date()));
        put(
            &mut ds.to_decision,
            at,
            d.decided_at.map_or(-1, |t| secs(t) - secs(d.received_at)),
        );
        put(&mut ds.decision, at, d.decision.map_or(NONE, |x| x as u8));
        let to_disclosure = match (d.decided_at, d.disclosed_at) {
            (Some(a), Some(b)) => (secs(b) - secs(a)).max(0),
            _ => -1,
        };
        put(&mut ds.to_disclosure, at, to_disclosure);
    }

    pub(crate) fn put_order(
        &mut self,
        at: Option<usize>,
        o: &ProtectionOrder,
        people: (u32, u32),
        lpa: u8,
    ) {
        let or = &mut self.orders;
        put(&mut or.kind, at, o.kind as u8);
        put(&mut or.day, at, day(o.issued_at.date()));
        put(&mut or.lpa, at, lpa);
        put(&mut or.at, at, secs(o.issued_at));
        put(&mut or.subject, at, people.0);
        put(&mut or.protected, at, people.1);
        put(&mut or.breached, at, o.breached_at.map_or(-1, secs));
    }

    /// The position of a Home Office code in `ho_codes`, added if new.
    pub(crate) fn code(&mut self, code: &Option<String>) -> u32 {
        let Some(c) = code else { return u32::MAX };
        let c = c.trim().to_ascii_uppercase();
        match self.ho_codes.iter().position(|x| *x == c) {
            Some(k) => k as u32,
            None => {
                self.ho_codes.push(c);
                (self.ho_codes.len() - 1) as u32
            }
        }
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

    fn incident(&self, id: &Option<IncidentId>) -> Option<u32> {
        self.incident_index.get(id.as_ref()?.as_str()).copied()
    }

    /// Adds the records of every table in `r`.
    pub fn add(&mut self, r: &RecordSet) {
        for p in &r.persons {
            self.person_index
                .insert(p.id.as_str().to_owned(), self.s.person_ids.len() as u32);
            let l = p.lpa.as_ref().map_or(NONE, |l| self.lpa(l.as_str()));
            self.s.put_person(None, p, l);
        }
        for i in &r.incidents {
            self.incident_index
                .insert(i.id.as_str().to_owned(), self.s.incidents.day.len() as u32);
            let l = self.lpa(i.lpa.as_str());
            let people = (
                self.person(&i.victim_id),
                i.suspect_id.as_ref().map_or(u32::MAX, |x| self.person(x)),
            );
            self.s.put_incident(None, i, l, people);
        }
        for o in &r.offences {
            let k = self
                .incident_index
                .get(o.incident_id.as_str())
                .copied()
                .unwrap_or(u32::MAX);
            let suspect = o.suspect_id.as_ref().map_or(u32::MAX, |x| self.person(x));
            // A map, not `Snapshot::code`'s scan: an import meets each code many times.
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
            self.s.put_offence(None, o, k, suspect, code);
        }
        for a in &r.arrests {
            let l = self
                .s
                .lpa_of(self.incident(&a.incident_id), self.person(&a.person_id));
            self.s.put_arrest(None, a, l);
        }
        for f in &r.referrals {
            let person = self.person(&f.person_id);
            let l = self.s.lpa_of(self.incident(&f.incident_id), person);
            self.s.put_referral(None, f, person, l);
        }
        for d in &r.disclosures {
            let at_risk = self.person(&d.at_risk_id);
            self.s.put_disclosure(None, d, at_risk);
        }
        for o in &r.protection_orders {
            let people = (self.person(&o.subject_id), self.person(&o.protected_id));
            let l = self.s.lpa_of(self.incident(&o.incident_id), people.1);
            self.s.put_order(None, o, people, l);
        }
        self.s.staffing.extend(r.staffing.iter().cloned());
    }

    /// Records the store's row keys of the rows of `table` just added, in the same order.
    pub fn add_keys(&mut self, table: RowTable, keys: &[i64]) {
        let runs = self.s.keys.of_mut(table);
        for k in keys {
            runs.push(*k);
        }
    }

    /// The finished snapshot, with its victim order built.
    pub fn finish(mut self) -> Snapshot {
        self.s.victim_order = crate::measures::victim_order(&self.s);
        self.s
    }
}
