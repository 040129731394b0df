//! Clare's Law (the Domestic Violence Disclosure Scheme): when the police should consider
//! telling someone of a partner's past abuse without being asked (right to know).
//!
//! The trigger, one rule for the intake screen and the batch screen alike: an incident
//! between partners or ex-partners whose suspect was, before it, the suspect of an
//! incident against a different partner or ex-partner. "Before" is strictly earlier:
//! two incidents reported at the same moment do not trigger each other.

use crate::records::Relationship;
use crate::time::DateTime;

/// Whether an earlier incident of the same suspect (its victim, relationship and time)
/// triggers right to know for this one.
pub fn triggers_right_to_know<P: PartialEq>(
    now: (&P, Relationship, DateTime),
    earlier: (&P, Relationship, DateTime),
) -> bool {
    now.1.is_partner() && earlier.1.is_partner() && earlier.0 != now.0 && earlier.2 < now.2
}

/// One incident as the batch screen reads it: people and areas as small numbers (the
/// caller's own interning), so a force's whole history fits in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenRow {
    pub victim: u32,
    pub suspect: Option<u32>,
    pub relationship: Relationship,
    pub at: DateTime,
    pub lpa: u16,
}

/// One hit: the incident (its index in the rows) and the earlier incidents that trigger
/// it (indices, oldest first), with how many other partners those were against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub incident: usize,
    pub earlier: Vec<usize>,
    pub other_partners: usize,
}

/// Every incident reported up to `as_of` (in `lpa`, when given) that triggers right to
/// know, in the order of the rows. Earlier incidents count from any area, up to the
/// incident's own time.
pub fn screen(rows: &[ScreenRow], as_of: DateTime, lpa: Option<u16>) -> Vec<Hit> {
    let mut by_suspect: std::collections::HashMap<u32, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(s) = r.suspect
            && r.relationship.is_partner()
            && r.at <= as_of
        {
            by_suspect.entry(s).or_default().push(i);
        }
    }
    let mut hits = Vec::new();
    for group in by_suspect.values_mut() {
        if group.len() < 2 {
            continue;
        }
        group.sort_by_key(|i| (rows[*i].at, *i));
        for (n, &i) in group.iter().enumerate() {
            let r = &rows[i];
            if lpa.is_some_and(|l| l != r.lpa) {
                continue;
            }
            let earlier: Vec<usize> = group[..n]
                .iter()
                .copied()
                .filter(|&j| {
                    let e = &rows[j];
                    triggers_right_to_know(
                        (&r.victim, r.relationship, r.at),
                        (&e.victim, e.relationship, e.at),
                    )
                })
                .collect();
            if earlier.is_empty() {
                continue;
            }
            let mut partners: Vec<u32> = earlier.iter().map(|&j| rows[j].victim).collect();
            partners.sort_unstable();
            partners.dedup();
            hits.push(Hit {
                incident: i,
                other_partners: partners.len(),
                earlier,
            });
        }
    }
    hits.sort_by_key(|h| h.incident);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use Relationship::*;

    fn row(victim: u32, suspect: u32, rel: Relationship, day: u32, lpa: u16) -> ScreenRow {
        ScreenRow {
            victim,
            suspect: Some(suspect),
            relationship: rel,
            at: crate::time::Date::from_ymd_opt(2019, 1, day)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap(),
            lpa,
        }
    }

    #[test]
    fn a_suspects_earlier_abuse_of_another_partner_triggers_right_to_know() {
        let rows = [
            row(1, 9, Partner, 1, 0),
            // The same victim again: no trigger.
            row(1, 9, Partner, 2, 0),
            // A new partner: triggered by both earlier incidents against victim 1.
            row(2, 9, ExPartner, 3, 1),
            // Against a family member: not a partner incident, neither triggers nor is.
            row(3, 9, Sibling, 4, 0),
            // A third partner, later: triggered by 1's and 2's.
            row(4, 9, Partner, 5, 0),
            // Another suspect's only incident.
            row(5, 8, Partner, 6, 0),
        ];
        let at = |d| {
            crate::time::Date::from_ymd_opt(2019, 1, d)
                .unwrap()
                .and_hms_opt(23, 0, 0)
                .unwrap()
        };
        let hits = screen(&rows, at(31), None);
        assert_eq!(
            hits,
            [
                Hit {
                    incident: 2,
                    earlier: vec![0, 1],
                    other_partners: 1
                },
                Hit {
                    incident: 4,
                    earlier: vec![0, 1, 2],
                    other_partners: 2
                },
            ]
        );
        // Only area 1's incidents; and as of 4 January the third partner is not yet seen.
        assert_eq!(screen(&rows, at(31), Some(1))[0].incident, 2);
        assert_eq!(screen(&rows, at(31), Some(1)).len(), 1);
        assert_eq!(screen(&rows, at(4), None).len(), 1);
        // At the same moment: no trigger.
        let same = [row(1, 9, Partner, 1, 0), row(2, 9, Partner, 1, 0)];
        assert!(screen(&same, at(31), None).is_empty());
    }
}
