//! Patching a snapshot with the rows the store says changed since it was built, instead of
//! building it again from every record: a saved incident reaches the dashboard in
//! milliseconds, not the minutes a national rebuild takes.
//!
//! The invariant: a patched snapshot is the one a full build from the store would give,
//! column for column (a test compares their encodings byte for byte). A change whose effect
//! reaches beyond its own row in ways a patch cannot follow (a person or incident moving
//! area, which moves their offences, arrests and referrals; a person, incident or offence
//! deleted, which would renumber what refers to it; a new area; staffing) is refused with
//! the reason, and the caller rebuilds.

use crate::snapshot::{RowTable, Snapshot};
use std::collections::HashMap;
use vigil_domain::RecordSet;

/// What the store's change log says changed after a revision, as the rows now stand.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    /// The store revision these changes bring the snapshot to.
    pub revision: u64,
    /// The changed rows that still exist, each table in stored order.
    pub rows: RecordSet,
    /// The row key of each row in `rows`, by table, in the same order.
    pub keys: [Vec<i64>; 8],
    /// Rows that no longer exist.
    pub deleted: Vec<(RowTable, i64)>,
    /// The row keys of the persons and incidents the changed rows refer to.
    pub person_keys: HashMap<String, i64>,
    pub incident_keys: HashMap<String, i64>,
    /// Each table's highest row key in the store now (`None` for an empty table): a patched
    /// snapshot must end on the same row, or rows reached the table without the log (the
    /// file rewritten by hand, keys renumbered by a VACUUM) and it is rebuilt.
    pub last_keys: [Option<i64>; 8],
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.deleted.is_empty() && self.keys.iter().all(|k| k.is_empty())
    }
}

/// Why a snapshot must be rebuilt rather than patched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuild(pub String);

impl std::fmt::Display for Rebuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn rebuild<T>(why: impl Into<String>) -> Result<T, Rebuild> {
    Err(Rebuild(why.into()))
}

/// Removes the value at `i` from each of a table's columns.
macro_rules! remove_row {
    ($i:expr; $($col:expr),+) => {{ $($col.remove($i);)+ }};
}

impl Snapshot {
    /// Applies `changes`. On `Err` the snapshot may be part-patched and must be dropped.
    pub fn apply(&mut self, changes: &Changes) -> Result<(), Rebuild> {
        for (table, key) in &changes.deleted {
            let Some(i) = self.keys.of(*table).position(*key) else {
                continue; // never in this snapshot: added and deleted since
            };
            match table {
                RowTable::Arrests => {
                    let a = &mut self.arrests;
                    remove_row!(i; a.at, a.day, a.lpa, a.bwv_shown, a.disposal)
                }
                RowTable::Referrals => {
                    let r = &mut self.referrals;
                    remove_row!(i; r.kind, r.person, r.at, r.day, r.lpa, r.police)
                }
                RowTable::Disclosures => {
                    let d = &mut self.disclosures;
                    remove_row!(i; d.route, d.lpa, d.received, d.received_day, d.to_decision, d.decision, d.to_disclosure)
                }
                RowTable::ProtectionOrders => {
                    let o = &mut self.orders;
                    remove_row!(i; o.kind, o.day, o.lpa, o.at, o.subject, o.protected, o.breached)
                }
                t => return rebuild(format!("a row of {} was deleted", t.name())),
            }
            self.keys.of_mut(*table).remove(*key);
        }
        if !changes.rows.staffing.is_empty() {
            return rebuild("the staffing changed");
        }
        let r = &changes.rows;
        let keys = |t: RowTable| &changes.keys[t as usize];
        for (p, key) in r.persons.iter().zip(keys(RowTable::Persons)) {
            let lpa = match &p.lpa {
                Some(l) => self.known_lpa(l.as_str())?,
                None => crate::snapshot::NONE,
            };
            let at = self.slot(RowTable::Persons, *key)?;
            if let Some(i) = at {
                if self.person_ids.get(i) != p.id.as_str() {
                    return rebuild("a person's id changed");
                }
                if self.person_lpa[i] != lpa {
                    return rebuild("a person moved area");
                }
            }
            self.put_person(at, p, lpa);
        }
        let mut moved = Vec::new();
        for (inc, key) in r.incidents.iter().zip(keys(RowTable::Incidents)) {
            let lpa = self.known_lpa(inc.lpa.as_str())?;
            let people = (
                self.person_at(changes, inc.victim_id.as_str())?,
                match &inc.suspect_id {
                    Some(s) => self.person_at(changes, s.as_str())?,
                    None => u32::MAX,
                },
            );
            let at = self.slot(RowTable::Incidents, *key)?;
            if let Some(i) = at
                && self.incidents.lpa[i] != lpa
            {
                return rebuild("an incident moved area");
            }
            moved.push(at.unwrap_or(self.incidents.day.len()) as u32);
            self.put_incident(at, inc, lpa, people);
        }
        for (o, key) in r.offences.iter().zip(keys(RowTable::Offences)) {
            let incident = self.incident_at(changes, Some(o.incident_id.as_str()))?;
            let suspect = match &o.suspect_id {
                Some(s) => self.person_at(changes, s.as_str())?,
                None => u32::MAX,
            };
            let at = self.slot(RowTable::Offences, *key)?;
            let code = match at {
                Some(i) => {
                    let old = self.offences.code[i];
                    let same = match &o.ho_code {
                        Some(c) => {
                            self.ho_codes.get(old as usize).map(String::as_str)
                                == Some(c.trim().to_ascii_uppercase().as_str())
                        }
                        None => old == u32::MAX,
                    };
                    if !same {
                        return rebuild("an offence's Home Office code changed");
                    }
                    if self.offences.incident[i] != incident {
                        return rebuild("an offence moved to another incident");
                    }
                    old
                }
                None => self.code(&o.ho_code),
            };
            self.put_offence(at, o, incident, suspect, code);
        }
        for (a, key) in r.arrests.iter().zip(keys(RowTable::Arrests)) {
            let incident = self.incident_at(changes, a.incident_id.as_ref().map(|i| i.as_str()))?;
            let person = self.person_at(changes, a.person_id.as_str())?;
            let lpa = self.lpa_of(Some(incident).filter(|k| *k != u32::MAX), person);
            let at = self.slot(RowTable::Arrests, *key)?;
            self.put_arrest(at, a, lpa);
        }
        for (f, key) in r.referrals.iter().zip(keys(RowTable::Referrals)) {
            let incident = self.incident_at(changes, f.incident_id.as_ref().map(|i| i.as_str()))?;
            let person = self.person_at(changes, f.person_id.as_str())?;
            let lpa = self.lpa_of(Some(incident).filter(|k| *k != u32::MAX), person);
            let at = self.slot(RowTable::Referrals, *key)?;
            self.put_referral(at, f, person, lpa);
        }
        for (d, key) in r.disclosures.iter().zip(keys(RowTable::Disclosures)) {
            let at_risk = self.person_at(changes, d.at_risk_id.as_str())?;
            let at = self.slot(RowTable::Disclosures, *key)?;
            self.put_disclosure(at, d, at_risk);
        }
        for (o, key) in r
            .protection_orders
            .iter()
            .zip(keys(RowTable::ProtectionOrders))
        {
            let incident = self.incident_at(changes, o.incident_id.as_ref().map(|i| i.as_str()))?;
            let people = (
                self.person_at(changes, o.subject_id.as_str())?,
                self.person_at(changes, o.protected_id.as_str())?,
            );
            let lpa = self.lpa_of(Some(incident).filter(|k| *k != u32::MAX), people.1);
            let at = self.slot(RowTable::ProtectionOrders, *key)?;
            self.put_order(at, o, people, lpa);
        }
        if !moved.is_empty() {
            self.victim_order = reorder(self, &self.victim_order, moved);
        }
        for t in RowTable::ALL {
            if self.keys.of(t).last() != changes.last_keys[t as usize] {
                return rebuild(format!(
                    "the store's {} do not end where the patched snapshot does",
                    t.name()
                ));
            }
        }
        Ok(())
    }

    /// Where a changed row goes: its position when the snapshot holds its key, `None` (to
    /// append) when the key comes after every other. The key is recorded.
    fn slot(&mut self, table: RowTable, key: i64) -> Result<Option<usize>, Rebuild> {
        let runs = self.keys.of_mut(table);
        if let Some(i) = runs.position(key) {
            return Ok(Some(i));
        }
        if runs.last().is_some_and(|last| key < last) {
            // Stored before a row the snapshot already holds (a transaction that committed
            // after a later one): its place is in the middle.
            return rebuild(format!("a row of {} was stored out of order", table.name()));
        }
        runs.push(key);
        Ok(None)
    }

    fn known_lpa(&self, name: &str) -> Result<u8, Rebuild> {
        match self.lpa_index(name) {
            Some(i) => Ok(i),
            None => rebuild(format!("a record names a new area, {name}")),
        }
    }

    fn person_at(&self, changes: &Changes, id: &str) -> Result<u32, Rebuild> {
        changes
            .person_keys
            .get(id)
            .and_then(|k| self.keys.of(RowTable::Persons).position(*k))
            .map(|i| i as u32)
            .ok_or_else(|| {
                Rebuild(format!(
                    "a changed row refers to a person ({id}) the snapshot does not hold"
                ))
            })
    }

    /// An incident's position; `u32::MAX` for none.
    fn incident_at(&self, changes: &Changes, id: Option<&str>) -> Result<u32, Rebuild> {
        let Some(id) = id else { return Ok(u32::MAX) };
        changes
            .incident_keys
            .get(id)
            .and_then(|k| self.keys.of(RowTable::Incidents).position(*k))
            .map(|i| i as u32)
            .ok_or_else(|| {
                Rebuild(format!(
                    "a changed row refers to an incident ({id}) the snapshot does not hold"
                ))
            })
    }
}

/// The victim order with the `moved` incidents (new or changed) put back in their places:
/// the others keep their order, so one merge replaces a sort of every incident.
fn reorder(s: &Snapshot, old: &[u32], mut moved: Vec<u32>) -> Vec<u32> {
    let inc = &s.incidents;
    let key = |i: u32| (inc.victim[i as usize], inc.reported[i as usize], i);
    moved.sort_unstable();
    moved.dedup();
    let gone = moved.clone();
    let kept = old
        .iter()
        .copied()
        .filter(|i| gone.binary_search(i).is_err());
    moved.sort_unstable_by_key(|i| key(*i));
    let mut out = Vec::with_capacity(inc.day.len());
    let mut moved = moved.into_iter().peekable();
    for i in kept {
        while let Some(m) = moved.next_if(|m| key(*m) < key(i)) {
            out.push(m);
        }
        out.push(i);
    }
    out.extend(moved);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::encode;
    use crate::snapshot::SnapshotBuilder;
    use vigil_domain::risk::RiskGrade;
    use vigil_domain::time::{parse_date, parse_datetime};
    use vigil_domain::*;

    fn person(id: &str, lpa: &str) -> Person {
        Person {
            id: PersonId::parse(id).unwrap(),
            sex: Sex::Female,
            birth_date: None,
            ethnicity: Ethnicity::White,
            lpa: Some(Lpa::parse(lpa).unwrap()),
            identity: Identity::default(),
            address_confidential: false,
        }
    }

    fn incident(id: &str, at: &str, victim: &str, suspect: &str) -> Incident {
        Incident {
            id: IncidentId::parse(id).unwrap(),
            reported_at: parse_datetime(at).unwrap(),
            lpa: Lpa::parse("North").unwrap(),
            call_grade: CallGrade::Emergency,
            arrived_at: None,
            response_target_met: Some(true),
            victim_id: PersonId::parse(victim).unwrap(),
            suspect_id: Some(PersonId::parse(suspect).unwrap()),
            relationship: Relationship::Partner,
            children_present: false,
            risk_level: Some(RiskGrade::Medium),
            dash_yes_count: Some(8),
        }
    }

    fn offence(id: &str, incident: &str, code: &str) -> Offence {
        Offence {
            id: OffenceId::parse(id).unwrap(),
            incident_id: IncidentId::parse(incident).unwrap(),
            ho_code: Some(code.into()),
            offence_group: OffenceGroup::ViolenceWithInjury,
            offence_date: parse_date("2019-03-01").unwrap(),
            recorded_date: parse_date("2019-03-02").unwrap(),
            victim_id: PersonId::parse("V1").unwrap(),
            suspect_id: Some(PersonId::parse("S1").unwrap()),
            risk_level: None,
            team: InvestigatingTeam::Dait,
            outcome: None,
            bwv_captured: false,
        }
    }

    fn disclosure(id: &str, decided: Option<&str>) -> Disclosure {
        Disclosure {
            id: DisclosureId::parse(id).unwrap(),
            route: DisclosureRoute::RightToAsk,
            subject_id: PersonId::parse("S1").unwrap(),
            at_risk_id: PersonId::parse("V2").unwrap(),
            received_at: parse_datetime("2019-04-01T09:00:00").unwrap(),
            decided_at: decided.map(|d| parse_datetime(d).unwrap()),
            decision: decided.map(|_| DisclosureDecision::Disclose),
            disclosed_at: None,
        }
    }

    /// A table's rows with their keys, as the store streams them.
    struct Stored {
        builder: SnapshotBuilder,
    }

    impl Stored {
        fn new() -> Self {
            Stored {
                builder: SnapshotBuilder::new(Some(parse_date("2019-09-01").unwrap())),
            }
        }
        fn add(&mut self, r: RecordSet, keys: &[i64]) -> &mut Self {
            let t = RowTable::of(&r).unwrap();
            self.builder.add(&r);
            self.builder.add_keys(t, keys);
            self
        }
    }

    /// The same history built whole, and built in part then patched with the rest (a new
    /// person, incident and offence with a new code; an incident changed; a disclosure
    /// decided, which the store saves by deleting and storing it again), encodes the same.
    #[test]
    fn a_patched_snapshot_is_the_one_a_full_build_gives() {
        let people = || RecordSet {
            persons: vec![
                person("V1", "North"),
                person("S1", "South"),
                person("V2", "North"),
            ],
            ..Default::default()
        };
        let early = vec![
            incident("I1", "2019-03-01T10:00:00", "V1", "S1"),
            incident("I2", "2019-02-01T10:00:00", "V2", "S1"),
        ];
        let mut changed_i1 = early[0].clone();
        changed_i1.risk_level = Some(RiskGrade::High);
        changed_i1.reported_at = parse_datetime("2019-01-15T08:00:00").unwrap();
        let later = incident("I3", "2019-05-01T10:00:00", "V3", "S1");

        let mut whole = Stored::new();
        whole
            .add(
                RecordSet {
                    persons: [people().persons, vec![person("V3", "South")]].concat(),
                    ..Default::default()
                },
                &[1, 2, 3, 7],
            )
            .add(
                RecordSet {
                    incidents: vec![changed_i1.clone(), early[1].clone(), later.clone()],
                    ..Default::default()
                },
                &[1, 2, 5],
            )
            .add(
                RecordSet {
                    offences: vec![offence("O1", "I1", "8N"), offence("O3", "I3", "105A")],
                    ..Default::default()
                },
                &[1, 2],
            )
            .add(
                RecordSet {
                    disclosures: vec![
                        disclosure("D2", None),
                        disclosure("D1", Some("2019-04-20T12:00:00")),
                    ],
                    ..Default::default()
                },
                &[2, 3],
            );
        let whole = whole.builder.finish();

        let mut part = Stored::new();
        part.add(people(), &[1, 2, 3])
            .add(
                RecordSet {
                    incidents: early,
                    ..Default::default()
                },
                &[1, 2],
            )
            .add(
                RecordSet {
                    offences: vec![offence("O1", "I1", "8N")],
                    ..Default::default()
                },
                &[1],
            )
            .add(
                RecordSet {
                    disclosures: vec![disclosure("D1", None), disclosure("D2", None)],
                    ..Default::default()
                },
                &[1, 2],
            );
        let mut patched = part.builder.finish();
        let mut keys: [Vec<i64>; 8] = Default::default();
        keys[RowTable::Persons as usize] = vec![7];
        keys[RowTable::Incidents as usize] = vec![1, 5];
        keys[RowTable::Offences as usize] = vec![2];
        keys[RowTable::Disclosures as usize] = vec![3];
        let changes = Changes {
            revision: 2,
            rows: RecordSet {
                persons: vec![person("V3", "South")],
                incidents: vec![changed_i1, later],
                offences: vec![offence("O3", "I3", "105A")],
                disclosures: vec![disclosure("D1", Some("2019-04-20T12:00:00"))],
                ..Default::default()
            },
            keys,
            deleted: vec![(RowTable::Disclosures, 1)],
            person_keys: [("V1", 1), ("S1", 2), ("V2", 3), ("V3", 7)]
                .map(|(k, v)| (k.to_owned(), v))
                .into(),
            incident_keys: [("I1", 1), ("I3", 5)]
                .map(|(k, v)| (k.to_owned(), v))
                .into(),
            last_keys: [Some(7), Some(5), Some(2), None, None, Some(3), None, None],
        };
        // A store whose incidents end elsewhere (rows added without the log) is refused.
        let mut elsewhere = changes.clone();
        elsewhere.last_keys[RowTable::Incidents as usize] = Some(6);
        let why = patched.clone().apply(&elsewhere).unwrap_err().0;
        assert!(why.contains("do not end"), "{why}");
        patched.apply(&changes).unwrap();
        assert_eq!(patched, whole);
        assert_eq!(encode(&patched, 2), encode(&whole, 2));
        // I1 now comes before I2 in time, and I3 has its offence.
        assert!(patched.incidents.has_offence[2]);
        assert_eq!(patched.keys.of(RowTable::Disclosures).starts, vec![2]);
    }

    #[test]
    fn changes_a_patch_cannot_follow_are_refused() {
        let mut s = Stored::new();
        s.add(
            RecordSet {
                persons: vec![person("V1", "North"), person("S1", "North")],
                ..Default::default()
            },
            &[1, 2],
        )
        .add(
            RecordSet {
                incidents: vec![incident("I1", "2019-03-01T10:00:00", "V1", "S1")],
                ..Default::default()
            },
            &[4],
        );
        let base = s.builder.finish();
        let with = |f: &dyn Fn(&mut Changes)| {
            let mut c = Changes {
                person_keys: [("V1", 1), ("S1", 2)]
                    .map(|(k, v)| (k.to_owned(), v))
                    .into(),
                ..Default::default()
            };
            f(&mut c);
            base.clone().apply(&c).unwrap_err().0
        };
        let moved = with(&|c| {
            c.rows.persons = vec![person("V1", "South")];
            c.keys[RowTable::Persons as usize] = vec![1];
        });
        assert!(moved.contains("new area"), "{moved}");
        let early = with(&|c| {
            c.rows.incidents = vec![incident("I0", "2019-03-01T10:00:00", "V1", "S1")];
            c.keys[RowTable::Incidents as usize] = vec![3];
        });
        assert!(early.contains("out of order"), "{early}");
        let gone = with(&|c| c.deleted = vec![(RowTable::Incidents, 4)]);
        assert!(gone.contains("deleted"), "{gone}");
        let unknown = with(&|c| {
            c.rows.incidents = vec![incident("I9", "2019-03-01T10:00:00", "V9", "S1")];
            c.keys[RowTable::Incidents as usize] = vec![9];
        });
        assert!(unknown.contains("does not hold"), "{unknown}");
    }

    #[test]
    fn key_runs_stay_maximal() {
        use crate::snapshot::KeyRuns;
        let mut k = KeyRuns::default();
        for x in [1, 2, 3, 4, 7, 8] {
            k.push(x);
        }
        assert_eq!((k.starts.clone(), k.lens.clone()), (vec![1, 7], vec![4, 2]));
        assert_eq!(k.position(8), Some(5));
        assert_eq!(k.position(5), None);
        k.remove(3);
        assert_eq!(
            (k.starts.clone(), k.lens.clone()),
            (vec![1, 4, 7], vec![2, 1, 2])
        );
        k.remove(4);
        k.remove(1);
        assert_eq!((k.starts.clone(), k.lens.clone()), (vec![2, 7], vec![1, 2]));
        assert_eq!(k.position(7), Some(1));
        assert_eq!(k.len(), 3);
    }
}
