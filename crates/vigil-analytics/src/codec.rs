//! The snapshot's binary form, for the columnar cache kept beside the store: decoding it is
//! far faster than reading every record back through SQL. Bytes in, bytes out: where the
//! cache lives and when it is stale is the caller's business (the store's revision number
//! is written into the header and compared on load).

use crate::snapshot::*;
use vigil_domain::time::Date;
use vigil_domain::{Lpa, Rank, StaffTeam, StaffingRecord};

const MAGIC: &[u8; 8] = b"VIGILSNP";
const FORMAT: u32 = 6;

/// The cache written a column at a time to any writer (a file, through a buffer): the
/// snapshot is never held twice. The first error is kept and returned at the end.
struct Out<'a> {
    w: &'a mut dyn std::io::Write,
    failed: Option<std::io::Error>,
}

impl Out<'_> {
    fn raw(&mut self, b: &[u8]) {
        if self.failed.is_none()
            && let Err(e) = self.w.write_all(b)
        {
            self.failed = Some(e);
        }
    }
    fn u32(&mut self, v: u32) {
        self.raw(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.raw(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.raw(v);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn strs(&mut self, v: &[String]) {
        self.u64(v.len() as u64);
        for s in v {
            self.str(s);
        }
    }
    /// A column of fixed-width values, little-endian: on a little-endian machine its memory
    /// is already that, and goes out in one write; elsewhere a block at a time.
    fn column<T: Copy + zerocopy::IntoBytes + zerocopy::Immutable, const W: usize>(
        &mut self,
        v: &[T],
        le: fn(T) -> [u8; W],
    ) {
        self.u64(v.len() as u64);
        if cfg!(target_endian = "little") {
            self.raw(zerocopy::IntoBytes::as_bytes(v));
            return;
        }
        let mut block = Vec::with_capacity(W * 8192);
        for part in v.chunks(8192) {
            block.clear();
            for x in part {
                block.extend_from_slice(&le(*x));
            }
            self.raw(&block);
        }
    }
    fn i32s(&mut self, v: &[i32]) {
        self.column(v, i32::to_le_bytes);
    }
    fn i64s(&mut self, v: &[i64]) {
        self.column(v, i64::to_le_bytes);
    }
    fn u32s(&mut self, v: &[u32]) {
        self.column(v, u32::to_le_bytes);
    }
    fn bools(&mut self, v: &[bool]) {
        self.u64(v.len() as u64);
        let bytes: Vec<u8> = v.iter().map(|b| u8::from(*b)).collect();
        self.raw(&bytes);
    }
}

/// The cache read a column at a time from any reader: a national cache is over a gigabyte,
/// and reading it whole before decoding would hold it twice.
struct In<'a> {
    r: &'a mut dyn std::io::Read,
    /// Bytes left to read, so a damaged length is refused before it is allocated.
    left: u64,
    at: u64,
}

type R<T> = Result<T, String>;

impl In<'_> {
    fn take(&mut self, n: usize) -> R<Vec<u8>> {
        if n as u64 > self.left {
            return Err(format!(
                "the snapshot cache is truncated ({n} bytes wanted at {}, {} left)",
                self.at, self.left
            ));
        }
        let mut buf = vec![0u8; n];
        self.r
            .read_exact(&mut buf)
            .map_err(|e| format!("the snapshot cache cannot be read: {e}"))?;
        self.left -= n as u64;
        self.at += n as u64;
        Ok(buf)
    }
    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> R<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn len(&mut self, width: usize) -> R<usize> {
        let n = self.u64()? as usize;
        if (n as u64).saturating_mul(width as u64) > self.left {
            return Err(format!(
                "the snapshot cache is truncated (a column of {n} values of {width} bytes at {}, {} bytes left)",
                self.at, self.left
            ));
        }
        Ok(n)
    }
    fn bytes(&mut self) -> R<Vec<u8>> {
        let n = self.len(1)?;
        self.take(n)
    }
    fn str(&mut self) -> R<String> {
        String::from_utf8(self.bytes()?).map_err(|_| "the snapshot cache holds invalid text".into())
    }
    fn strs(&mut self) -> R<Vec<String>> {
        let n = self.len(8)?;
        (0..n).map(|_| self.str()).collect()
    }
    /// A column of fixed-width little-endian values, read straight into the vector's
    /// memory (one copy), then put in the machine's order (nothing to do on little-endian).
    fn column<T>(&mut self, from_le: fn(T) -> T) -> R<Vec<T>>
    where
        T: Copy + Default + zerocopy::IntoBytes + zerocopy::FromBytes,
    {
        let n = self.len(std::mem::size_of::<T>())?;
        let mut v = vec![T::default(); n];
        let bytes = zerocopy::IntoBytes::as_mut_bytes(v.as_mut_slice());
        self.r
            .read_exact(bytes)
            .map_err(|e| format!("the snapshot cache cannot be read: {e}"))?;
        let len = bytes.len() as u64;
        self.left -= len;
        self.at += len;
        if cfg!(target_endian = "big") {
            for x in &mut v {
                *x = from_le(*x);
            }
        }
        Ok(v)
    }
    fn i32s(&mut self) -> R<Vec<i32>> {
        self.column(i32::from_le)
    }
    fn i64s(&mut self) -> R<Vec<i64>> {
        self.column(i64::from_le)
    }
    fn u32s(&mut self) -> R<Vec<u32>> {
        self.column(u32::from_le)
    }
    fn bools(&mut self) -> R<Vec<bool>> {
        Ok(self.bytes()?.into_iter().map(|b| b != 0).collect())
    }
    fn f64(&mut self) -> R<f64> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }
}

/// Encodes the snapshot with the store revision it was built from.
pub fn encode(s: &Snapshot, revision: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    encode_to(&mut out, s, revision).expect("writing to memory cannot fail");
    out
}

/// Encodes the snapshot to a writer (for the cache file, without a copy in memory).
pub fn encode_to(w: &mut dyn std::io::Write, s: &Snapshot, revision: u64) -> std::io::Result<()> {
    let mut o = Out { w, failed: None };
    o.raw(MAGIC);
    o.u32(FORMAT);
    o.u64(revision);
    o.i32s(&[s.as_of.map_or(i32::MIN, crate::calendar::day)]);
    o.strs(&s.lpas);
    let (text, ends) = s.person_ids.parts();
    o.str(text);
    o.u32s(ends);
    o.bytes(&s.person_lpa);
    let i = &s.incidents;
    o.i64s(&i.reported);
    o.i32s(&i.day);
    o.bytes(&i.lpa);
    o.bytes(&i.call_grade);
    o.bytes(&i.target_met);
    o.u32s(&i.victim);
    o.u32s(&i.suspect);
    o.bytes(&i.relationship);
    o.bytes(&i.risk);
    o.bools(&i.has_offence);
    let f = &s.offences;
    o.u32s(&f.incident);
    o.bytes(&f.lpa);
    o.bytes(&f.group);
    o.i32s(&f.offence_day);
    o.i32s(&f.recorded_day);
    o.bytes(&f.risk);
    o.bytes(&f.outcome);
    o.i32s(&f.outcome_day);
    o.u32s(&f.suspect);
    o.u32s(&f.code);
    o.strs(&s.ho_codes);
    let a = &s.arrests;
    o.i64s(&a.at);
    o.i32s(&a.day);
    o.bytes(&a.lpa);
    o.bytes(&a.bwv_shown);
    o.bytes(&a.disposal);
    let r = &s.referrals;
    o.bytes(&r.kind);
    o.u32s(&r.person);
    o.i64s(&r.at);
    o.i32s(&r.day);
    o.bytes(&r.lpa);
    o.bools(&r.police);
    let d = &s.disclosures;
    o.bytes(&d.route);
    o.bytes(&d.lpa);
    o.i64s(&d.received);
    o.i32s(&d.received_day);
    o.i64s(&d.to_decision);
    o.bytes(&d.decision);
    o.i64s(&d.to_disclosure);
    let p = &s.orders;
    o.bytes(&p.kind);
    o.i32s(&p.day);
    o.bytes(&p.lpa);
    o.i64s(&p.at);
    o.u32s(&p.subject);
    o.u32s(&p.protected);
    o.i64s(&p.breached);
    o.u32s(&s.victim_order);
    o.u64(s.staffing.len() as u64);
    for st in &s.staffing {
        o.i32s(&[crate::calendar::day(st.as_of)]);
        o.bytes(&[st.team as u8, st.rank as u8]);
        o.str(st.lpa.as_ref().map_or("", |l| l.as_str()));
        for x in [st.establishment_fte, st.strength_fte, st.deployable_fte] {
            o.raw(&x.to_le_bytes());
        }
    }
    for runs in &s.keys.0 {
        o.i64s(&runs.starts);
        o.u32s(&runs.lens);
    }
    match o.failed {
        Some(e) => Err(e),
        None => o.w.flush(),
    }
}

/// Decodes a cache; any damage is an error (the caller rebuilds from the store).
pub fn decode(mut bytes: &[u8]) -> Result<(Snapshot, u64), String> {
    let left = bytes.len() as u64;
    decode_from(&mut bytes, left)
}

/// Decodes a cache file a column at a time, never holding the file's bytes whole.
pub fn decode_file(path: &std::path::Path) -> Result<(Snapshot, u64), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let left = file.metadata().map_err(|e| e.to_string())?.len();
    let mut r = std::io::BufReader::with_capacity(1 << 20, file);
    decode_from(&mut r, left)
}

fn decode_from(r: &mut dyn std::io::Read, left: u64) -> Result<(Snapshot, u64), String> {
    let mut i = In { r, left, at: 0 };
    if i.take(8)? != MAGIC || i.u32()? != FORMAT {
        return Err("not a snapshot cache of this Vigil".into());
    }
    let revision = i.u64()?;
    let as_of = i
        .i32s()?
        .first()
        .copied()
        .filter(|d| *d != i32::MIN)
        .map(crate::calendar::date);
    let mut s = Snapshot {
        as_of,
        lpas: i.strs()?,
        person_ids: {
            let text = i.str()?;
            PersonIds::from_parts(text, i.u32s()?)
                .ok_or("the snapshot cache's person ids are damaged")?
        },
        person_lpa: i.bytes()?,
        outcome_codes: vigil_domain::OutcomeCode::all().collect(),
        ..Default::default()
    };
    s.incidents = Incidents {
        reported: i.i64s()?,
        day: i.i32s()?,
        lpa: i.bytes()?,
        call_grade: i.bytes()?,
        target_met: i.bytes()?,
        victim: i.u32s()?,
        suspect: i.u32s()?,
        relationship: i.bytes()?,
        risk: i.bytes()?,
        has_offence: i.bools()?,
    };
    s.offences = Offences {
        incident: i.u32s()?,
        lpa: i.bytes()?,
        group: i.bytes()?,
        offence_day: i.i32s()?,
        recorded_day: i.i32s()?,
        risk: i.bytes()?,
        outcome: i.bytes()?,
        outcome_day: i.i32s()?,
        suspect: i.u32s()?,
        code: i.u32s()?,
    };
    s.ho_codes = i.strs()?;
    s.arrests = Arrests {
        at: i.i64s()?,
        day: i.i32s()?,
        lpa: i.bytes()?,
        bwv_shown: i.bytes()?,
        disposal: i.bytes()?,
    };
    s.referrals = Referrals {
        kind: i.bytes()?,
        person: i.u32s()?,
        at: i.i64s()?,
        day: i.i32s()?,
        lpa: i.bytes()?,
        police: i.bools()?,
    };
    s.disclosures = Disclosures {
        route: i.bytes()?,
        lpa: i.bytes()?,
        received: i.i64s()?,
        received_day: i.i32s()?,
        to_decision: i.i64s()?,
        decision: i.bytes()?,
        to_disclosure: i.i64s()?,
    };
    s.orders = Orders {
        kind: i.bytes()?,
        day: i.i32s()?,
        lpa: i.bytes()?,
        at: i.i64s()?,
        subject: i.u32s()?,
        protected: i.u32s()?,
        breached: i.i64s()?,
    };
    s.victim_order = i.u32s()?;
    let n = i.len(8)?;
    for _ in 0..n {
        let as_of: Date = crate::calendar::date(*i.i32s()?.first().ok_or("bad staffing row")?);
        let tr = i.bytes()?;
        let (team, rank) = (
            *StaffTeam::ALL
                .get(usize::from(*tr.first().ok_or("bad staffing row")?))
                .ok_or("bad team")?,
            *Rank::ALL
                .get(usize::from(*tr.get(1).ok_or("bad staffing row")?))
                .ok_or("bad rank")?,
        );
        let lpa = i.str()?;
        let mut f = [0.0; 3];
        for x in &mut f {
            *x = i.f64()?;
        }
        s.staffing.push(StaffingRecord {
            as_of,
            team,
            lpa: if lpa.is_empty() {
                None
            } else {
                Some(Lpa::parse(&lpa).map_err(|e| e.reason)?)
            },
            rank,
            establishment_fte: f[0],
            strength_fte: f[1],
            deployable_fte: f[2],
        });
    }
    for runs in &mut s.keys.0 {
        runs.starts = i.i64s()?;
        runs.lens = i.u32s()?;
        if runs.starts.len() != runs.lens.len() {
            return Err("the snapshot cache's row keys are damaged".into());
        }
    }
    // Every column of a table must be as long as the table, and its keys as many.
    let same = |lens: &[usize]| lens.windows(2).all(|w| w[0] == w[1]);
    let inc = &s.incidents;
    let off = &s.offences;
    if !same(&[
        inc.reported.len(),
        inc.day.len(),
        inc.lpa.len(),
        inc.call_grade.len(),
        inc.target_met.len(),
        inc.victim.len(),
        inc.suspect.len(),
        inc.relationship.len(),
        inc.risk.len(),
        inc.has_offence.len(),
    ]) || !same(&[
        off.incident.len(),
        off.lpa.len(),
        off.group.len(),
        off.offence_day.len(),
        off.recorded_day.len(),
        off.risk.len(),
        off.outcome.len(),
        off.outcome_day.len(),
        off.suspect.len(),
        off.code.len(),
    ]) || !same(&[s.person_ids.len(), s.person_lpa.len()])
        || !same(&[inc.day.len(), s.victim_order.len()])
        || !same(&[
            s.disclosures.route.len(),
            s.disclosures.lpa.len(),
            s.disclosures.received.len(),
            s.disclosures.received_day.len(),
            s.disclosures.to_decision.len(),
            s.disclosures.decision.len(),
            s.disclosures.to_disclosure.len(),
        ])
        || !same(&[
            s.orders.kind.len(),
            s.orders.day.len(),
            s.orders.lpa.len(),
            s.orders.at.len(),
            s.orders.subject.len(),
            s.orders.protected.len(),
            s.orders.breached.len(),
        ])
    {
        return Err("the snapshot cache's columns disagree in length".into());
    }
    let rows = [
        s.person_ids.len(),
        s.incidents.day.len(),
        s.offences.incident.len(),
        s.arrests.at.len(),
        s.referrals.at.len(),
        s.disclosures.route.len(),
        s.orders.kind.len(),
        s.staffing.len(),
    ];
    if s.keys
        .0
        .iter()
        .zip(rows)
        .any(|(k, n)| !k.is_empty() && k.len() != n)
    {
        return Err("the snapshot cache's row keys disagree with its rows".into());
    }
    Ok((s, revision))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        use vigil_domain::time::{parse_date, parse_datetime};
        use vigil_domain::*;
        let person = |id: &str| Person {
            id: PersonId::parse(id).unwrap(),
            sex: Sex::Female,
            birth_date: None,
            ethnicity: Ethnicity::White,
            lpa: Some(Lpa::parse("North").unwrap()),
            identity: Identity::default(),
            address_confidential: false,
        };
        let incident = |id: &str, at: &str| Incident {
            id: IncidentId::parse(id).unwrap(),
            reported_at: parse_datetime(at).unwrap(),
            lpa: Lpa::parse("North").unwrap(),
            call_grade: CallGrade::Emergency,
            arrived_at: None,
            response_target_met: Some(true),
            victim_id: PersonId::parse("V").unwrap(),
            suspect_id: Some(PersonId::parse("S").unwrap()),
            relationship: Relationship::Partner,
            children_present: false,
            risk_level: Some(RiskGrade::High),
            dash_yes_count: Some(15),
        };
        let records = RecordSet {
            persons: vec![person("V"), person("S")],
            incidents: vec![
                incident("I2", "2019-02-01T10:00:00"),
                incident("I1", "2019-01-01T10:00:00"),
            ],
            staffing: vec![StaffingRecord {
                as_of: parse_date("2019-08-31").unwrap(),
                team: StaffTeam::Cru,
                lpa: None,
                rank: Rank::Constable,
                establishment_fte: 28.02,
                strength_fte: 23.92,
                deployable_fte: 22.0,
            }],
            ..RecordSet::default()
        };
        Snapshot::from_records(&records, Some(parse_date("2019-09-01").unwrap()))
    }

    #[test]
    fn a_snapshot_round_trips_exactly() {
        let s = sample();
        assert_eq!(s.victim_order, vec![1, 0]);
        let (back, rev) = decode(&encode(&s, 3)).unwrap();
        assert_eq!(rev, 3);
        assert_eq!(back, s);
    }

    #[test]
    fn damaged_caches_are_refused() {
        let s = Snapshot::default();
        let bytes = encode(&s, 7);
        assert_eq!(decode(&bytes).unwrap().1, 7);
        assert!(decode(&bytes[..bytes.len() - 3]).is_err());
        assert!(decode(b"not a cache at all").is_err());
    }
}
