//! One force, simulated: couples whose abuse recurs, incidents that are or are not recorded
//! as crimes, offences, risk assessments, routing, arrests, outcomes, referrals, disclosures,
//! orders and staffing. Every measure the performance pack prints about the result comes
//! out of these mechanisms; nothing here knows the seed report's figures.

use crate::people::{PersonDraft, draft};
use crate::rng::Rng;
use crate::scenario::ForceParams;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use vigil_domain::counting_rules;
use vigil_domain::deadlines::{SchoolCalendar, encompass_due};
use vigil_domain::risk::{AssessmentStage, GradeThresholds, InstrumentKind, RiskGrade, instrument};
use vigil_domain::routing::{TeamLoad, route};
use vigil_domain::time::{Date, DateTime, Datelike, Duration};

/// Controlling or coercive behaviour became an offence on 29 December 2015 (Serious Crime
/// Act 2015, section 76): national law, the same for every scenario, not a scenario event.
fn coercive_control_in_force() -> Date {
    Date::from_ymd_opt(2015, 12, 29).expect("date")
}
use vigil_domain::*;

/// Whether a victim was abused again, and seriously, in the 12 months after an incident:
/// the ground truth the risk model is trained and tested on. Never part of the extract.
#[derive(Debug, Clone)]
pub struct TruthRow {
    pub incident_id: String,
    pub victim_id: String,
    pub reported_at: DateTime,
    pub revictimised_12m: bool,
    pub serious_revictimisation_12m: bool,
}

#[derive(Debug, Default)]
pub struct ForceOutput {
    pub records: RecordSet,
    pub truth: Vec<TruthRow>,
}

struct Couple {
    victim: usize,
    suspect: usize,
    relationship: Relationship,
    /// How prone this couple is to further incidents (mean 1).
    propensity: f64,
    /// Latent severity (standard normal): drives injury, DASH answers weakly.
    severity: f64,
    urban: bool,
    children: bool,
    incidents: u32,
}

/// An incident as it happened, whether or not it falls inside the extract.
struct Happened {
    at: DateTime,
    serious: bool,
    incident: Option<usize>,
}

/// Seasonal pattern of DA incidents (higher in summer and at new year).
const SEASON: [f64; 12] = [
    1.03, 0.92, 0.97, 0.98, 1.02, 1.04, 1.08, 1.06, 0.98, 0.98, 0.94, 1.00,
];

/// Base chance of a yes to each DASH question for a typical incident.
const DASH_BASE: [f64; 27] = [
    0.35, 0.55, 0.50, 0.22, 0.28, 0.35, 0.18, 0.30, 0.08, 0.12, 0.06, 0.05, 0.30, 0.28, 0.38, 0.12,
    0.14, 0.10, 0.08, 0.10, 0.15, 0.06, 0.25, 0.40, 0.14, 0.12, 0.35,
];

struct Ids {
    prefix: String,
    next: [u64; 8],
}

impl Ids {
    fn make(&mut self, kind: usize, letter: &str, width: usize) -> String {
        self.next[kind] += 1;
        format!("{}{letter}{:0width$}", self.prefix, self.next[kind])
    }
}

/// No couple's incidents may grow without end: each incident leads to at most this many
/// further incidents on average.
const MAX_BRANCHING: f64 = 0.85;

/// Turns the share of incidents that are repeats into the branching ratio that produces it.
///
/// Couples differ in how prone they are to repeat (gamma-distributed propensity), so a
/// couple with propensity `h` has on average `1 / (1 − min(ratio·h, cap))` incidents in
/// all; the share of repeats among all incidents is one minus the inverse of that mean.
/// The ratio is found by bisection over a fixed sample of propensities.
struct Branching {
    sample: Vec<f64>,
    cache: std::cell::RefCell<Vec<(u64, f64)>>,
}

impl Branching {
    fn new(rng: &mut Rng) -> Self {
        let sample = (0..4000)
            .map(|_| {
                let severity = rng.normal();
                propensity(rng, severity)
            })
            .collect();
        Branching {
            sample,
            cache: Default::default(),
        }
    }

    fn repeat_share(&self, ratio: f64) -> f64 {
        let progeny: f64 = self
            .sample
            .iter()
            .map(|h| 1.0 / (1.0 - (ratio * h).min(MAX_BRANCHING)))
            .sum::<f64>()
            / self.sample.len() as f64;
        1.0 - 1.0 / progeny
    }

    fn ratio_for(&self, share: f64) -> f64 {
        let key = share.to_bits();
        if let Some((_, r)) = self.cache.borrow().iter().find(|(k, _)| *k == key) {
            return *r;
        }
        let (mut lo, mut hi) = (0.0, 3.0);
        for _ in 0..50 {
            let mid = (lo + hi) / 2.0;
            if self.repeat_share(mid) < share {
                lo = mid
            } else {
                hi = mid
            }
        }
        let r = (lo + hi) / 2.0;
        let mut cache = self.cache.borrow_mut();
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.push((key, r));
        r
    }
}

/// A couple's propensity to repeat: heterogeneous (gamma, mean about 1) and only loosely
/// tied to severity, so the couple's history, not the DASH answers, best predicts the next
/// incident.
fn propensity(rng: &mut Rng, severity: f64) -> f64 {
    rng.gamma(5.0, 1.0) * (0.25 * severity).exp() / 1.03
}

struct Sim<'p> {
    p: &'p ForceParams,
    branching: Branching,
    /// The arrival process (new couples, repeats) has its own stream, and each incident's
    /// details draw from a stream of their own, seeded from the incident's sequence number:
    /// changing one mechanism's parameters then changes only that mechanism's records,
    /// not every record drawn after it.
    arrivals: Rng,
    partners: Rng,
    incident_seed: u64,
    couple_seed: u64,
    rng: Rng,
    start: Date,
    as_of: Date,
    base: DateTime,
    people: Vec<PersonDraft>,
    person_ids: Vec<Option<PersonId>>,
    couples: Vec<Couple>,
    /// Couples per suspect, to find serial perpetrators.
    suspect_couples: Vec<Vec<usize>>,
    happened: Vec<Happened>,
    /// Incidents per victim (indices into `happened`), in time order.
    victim_history: Vec<Vec<usize>>,
    last_marac: Vec<Option<DateTime>>,
    recent_victims: Vec<(usize, DateTime, RiskGrade)>,
    recent_suspects: Vec<usize>,
    dait_open: Vec<BinaryHeap<Reverse<i32>>>,
    ids: Ids,
    out: RecordSet,
    lpas: Vec<Lpa>,
    thresholds: GradeThresholds,
    school: SchoolCalendar,
}

fn day_num(d: Date) -> i32 {
    d.num_days_from_ce()
}

impl Sim<'_> {
    fn end_of_as_of(&self) -> DateTime {
        self.as_of.and_hms_opt(23, 59, 59).expect("valid time")
    }

    fn known(&self, t: DateTime) -> bool {
        t <= self.end_of_as_of()
    }

    fn new_person(&mut self, sex: Sex, age: (i64, i64), at: Date, lpa: usize) -> usize {
        let born = (
            at - Duration::days(age.1 * 365),
            at - Duration::days(age.0 * 365),
        );
        let d = draft(&mut self.rng, sex, born, lpa);
        self.people.push(d);
        self.person_ids.push(None);
        self.suspect_couples.push(Vec::new());
        self.victim_history.push(Vec::new());
        self.last_marac.push(None);
        self.people.len() - 1
    }

    /// The person's id, creating their extract row the first time a record refers to them.
    fn person_id(&mut self, i: usize) -> PersonId {
        if let Some(id) = &self.person_ids[i] {
            return id.clone();
        }
        let id = PersonId::parse(&self.ids.make(0, "P", 7)).expect("valid id");
        let d = &self.people[i];
        self.out.persons.push(Person {
            id: id.clone(),
            sex: d.sex,
            birth_date: Some(d.birth_date),
            ethnicity: d.ethnicity,
            lpa: Some(self.lpas[d.lpa].clone()),
            identity: Identity {
                family_name: Some(d.family_name.into()),
                given_names: Some(d.given_names.into()),
                address: Some(format!("{} {} {}", d.house, d.street, d.street_kind)),
                postcode: Some(d.postcode.clone()),
            },
            address_confidential: d.confidential,
        });
        self.person_ids[i] = Some(id.clone());
        id
    }

    fn new_couple(&mut self, at: DateTime) -> usize {
        let stream = Rng::new(
            self.couple_seed ^ (self.couples.len() as u64).wrapping_mul(0xD1B5_4A32_D192_ED03),
        );
        let saved = std::mem::replace(&mut self.rng, stream);
        let c = self.new_couple_inner(at);
        self.rng = saved;
        c
    }

    fn new_couple_inner(&mut self, at: DateTime) -> usize {
        let rng = &mut self.rng;
        let weights: Vec<f64> = self.p.lpas.iter().map(|(_, w)| *w).collect();
        let lpa = rng.weighted(&weights);
        let partner = rng.chance(self.p.partner_share.at(at.date()));
        let relationship = if partner {
            if rng.chance(0.55) {
                Relationship::Partner
            } else {
                Relationship::ExPartner
            }
        } else {
            [
                Relationship::Parent,
                Relationship::Child,
                Relationship::Sibling,
                Relationship::OtherFamily,
            ][rng.weighted(&[0.15, 0.38, 0.24, 0.23])]
        };
        let victim_sex = if partner {
            if rng.chance(0.79) {
                Sex::Female
            } else {
                Sex::Male
            }
        } else if rng.chance(0.62) {
            Sex::Female
        } else {
            Sex::Male
        };
        let date = at.date();
        let victim_age = match relationship {
            Relationship::Child => (40, 85),
            Relationship::Parent => (16, 30),
            _ => (17, 60),
        };
        let victim = self.new_person(victim_sex, victim_age, date, lpa);
        // A serial perpetrator: an abuser of an earlier partner who moves on to a new one.
        let serial = partner && !self.recent_suspects.is_empty() && self.rng.chance(0.09);
        let suspect = if serial {
            let i = self.rng.below(self.recent_suspects.len() as u64) as usize;
            self.recent_suspects[i]
        } else {
            let suspect_sex = match (partner, victim_sex) {
                (true, Sex::Female) => {
                    if self.rng.chance(0.96) {
                        Sex::Male
                    } else {
                        Sex::Female
                    }
                }
                (true, _) => {
                    if self.rng.chance(0.85) {
                        Sex::Female
                    } else {
                        Sex::Male
                    }
                }
                _ => {
                    if self.rng.chance(0.7) {
                        Sex::Male
                    } else {
                        Sex::Female
                    }
                }
            };
            let suspect_age = match relationship {
                Relationship::Child => (16, 45),
                Relationship::Parent => (38, 70),
                _ => (17, 62),
            };
            self.new_person(suspect_sex, suspect_age, date, lpa)
        };
        let severity = self.rng.normal();
        let propensity = propensity(&mut self.rng, severity);
        let children = self.rng.chance(if partner { 0.42 } else { 0.15 });
        let couple = Couple {
            victim,
            suspect,
            relationship,
            propensity,
            severity,
            urban: self.rng.chance(0.7),
            children,
            incidents: 0,
        };
        self.couples.push(couple);
        let c = self.couples.len() - 1;
        self.suspect_couples[suspect].push(c);
        if partner {
            if self.recent_suspects.len() < 4000 {
                self.recent_suspects.push(suspect);
            } else {
                let i = self.rng.below(4000) as usize;
                self.recent_suspects[i] = suspect;
            }
        }
        c
    }

    fn minutes(&self, t: DateTime) -> i64 {
        (t - self.base).num_minutes()
    }

    fn at(&self, minutes: i64) -> DateTime {
        self.base + Duration::minutes(minutes)
    }

    fn time_of_day(&mut self) -> i64 {
        // Evening and night-heavy, as DA calls are.
        let hour = [
            3.0, 2.2, 1.6, 1.1, 0.8, 0.7, 1.0, 1.6, 2.4, 3.0, 3.4, 3.6, 3.8, 3.9, 4.0, 4.3, 4.7,
            5.2, 5.8, 6.2, 6.4, 6.2, 5.2, 4.0,
        ];
        self.arrivals.weighted(&hour) as i64 * 60 + self.arrivals.below(60) as i64
    }

    fn dash(&mut self, couple: usize, at: Date) -> (String, u8) {
        let intensity = self.p.dash_intensity.at(at);
        let c = &self.couples[couple];
        let lift = (0.45 * c.severity + 0.45 * self.rng.normal()).exp() * intensity;
        let mut answers = String::with_capacity(27);
        let mut yes = 0u8;
        for base in DASH_BASE {
            let r = self.rng.uniform();
            let a = if r < (base * lift).min(0.95) {
                yes += 1;
                'Y'
            } else if r > 0.97 {
                'U'
            } else {
                'N'
            };
            answers.push(a);
        }
        (answers, yes)
    }

    /// Handles one incident: schedules the repeats it leads to and, inside the extract's
    /// period, writes its records.
    fn incident(
        &mut self,
        minute: i64,
        couple: usize,
        heap: &mut BinaryHeap<Reverse<(i64, u64, usize)>>,
        seq: &mut u64,
    ) {
        let at = self.at(minute);
        let date = at.date();
        let c = &mut self.couples[couple];
        c.incidents += 1;
        // Each incident draws from its own stream, keyed by the couple and the incident's
        // number within the couple, so a change elsewhere never reshuffles it.
        self.rng = Rng::new(
            self.incident_seed
                ^ (couple as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ u64::from(c.incidents).wrapping_mul(0xC2B2_AE3D_27D4_EB4F),
        );
        let ratio = self.branching.ratio_for(self.p.repeat_share.at(date));
        let mean = (ratio * self.couples[couple].propensity).min(MAX_BRANCHING);
        let repeats = self.rng.poisson(mean);
        for _ in 0..repeats {
            let gap = (self.rng.exponential(80.0) * 1440.0) as i64 + 60;
            *seq += 1;
            heap.push(Reverse((minute + gap, *seq, couple)));
        }
        let c = &self.couples[couple];
        let history = c.incidents;
        let severity = c.severity;
        let victim = c.victim;
        let injury_chance =
            (0.16 + 0.07 * severity + 0.02 * f64::from(history.min(6))).clamp(0.02, 0.6);
        let serious = self.rng.chance(injury_chance);
        let idx = self.happened.len();
        self.happened.push(Happened {
            at,
            serious,
            incident: None,
        });
        self.victim_history[victim].push(idx);
        if date >= self.start && date <= self.as_of {
            let i = self.write_incident(at, couple, serious);
            self.happened[idx].incident = Some(i);
        }
    }

    fn grade_with_judgement(&mut self, yes: u8, severity: f64, on: Date) -> (RiskGrade, bool) {
        let score = self.thresholds.grade_for(usize::from(yes));
        // How readily officers raise a grade by judgement (risk aversion) changes over time.
        let caution = self.p.judgement_raise.at(on);
        let raise = match score {
            RiskGrade::Standard => self.rng.chance(caution * (1.0 + 0.3 * severity.max(0.0))),
            RiskGrade::Medium => self
                .rng
                .chance(caution * 0.8 * (1.0 + 0.3 * severity.max(0.0))),
            RiskGrade::High => false,
        };
        if raise {
            let up = if score == RiskGrade::Standard {
                RiskGrade::Medium
            } else {
                RiskGrade::High
            };
            (up, true)
        } else {
            (score, false)
        }
    }

    /// Records a DASH assessment if it happened by `as_of`; returns whether it did.
    #[allow(clippy::too_many_arguments)]
    fn assess(
        &mut self,
        incident_id: &IncidentId,
        stage: AssessmentStage,
        assessed_at: DateTime,
        answers: String,
        yes_count: u8,
        grade: RiskGrade,
        judgement_raised: bool,
    ) -> bool {
        if !self.known(assessed_at) {
            return false;
        }
        self.out.risk_assessments.push(RiskAssessment {
            id: AssessmentId::parse(&self.ids.make(2, "RA", 8)).expect("valid id"),
            incident_id: incident_id.clone(),
            stage,
            instrument: InstrumentKind::Dash,
            assessed_at,
            answers,
            yes_count,
            grade,
            judgement_raised,
        });
        true
    }

    fn write_incident(&mut self, at: DateTime, couple: usize, serious: bool) -> usize {
        let date = at.date();
        let (victim_i, suspect_i, relationship, urban, children, severity) = {
            let c = &self.couples[couple];
            (
                c.victim,
                c.suspect,
                c.relationship,
                c.urban,
                c.children,
                c.severity,
            )
        };
        let lpa_i = self.people[victim_i].lpa;
        let incident_id = IncidentId::parse(&self.ids.make(1, "INC", 8)).expect("valid id");
        let victim_id = self.person_id(victim_i);
        let suspect_known = self.rng.chance(0.97);
        let suspect_id = suspect_known.then(|| self.person_id(suspect_i));
        let grade_word = [
            CallGrade::Emergency,
            CallGrade::Priority,
            CallGrade::Scheduled,
            CallGrade::Other,
        ][self.rng.weighted(&[0.36, 0.40, 0.19, 0.05])];
        let (arrived_at, target_met) = match grade_word {
            CallGrade::Emergency => {
                let target = if urban { 15.0 } else { 20.0 };
                let on_target = self.p.response_on_target.at(date);
                let met = self.rng.chance(on_target);
                let mins = if met {
                    2.0 + self.rng.uniform() * (target - 2.0)
                } else {
                    target + 1.0 + self.rng.exponential(14.0)
                };
                (Some(at + Duration::minutes(mins as i64)), Some(met))
            }
            CallGrade::Priority => (
                Some(at + Duration::minutes(20 + self.rng.exponential(70.0) as i64)),
                None,
            ),
            CallGrade::Scheduled => (
                self.rng
                    .chance(0.9)
                    .then(|| at + Duration::minutes(240 + self.rng.exponential(1400.0) as i64)),
                None,
            ),
            _ => (None, None),
        };
        let children_present = children && self.rng.chance(0.75);
        let assessed = self.rng.chance(0.96);
        let (mut grade, mut yes_count) = (None, None);
        if assessed {
            let (answers, yes) = self.dash(couple, date);
            let (g, raised) = self.grade_with_judgement(yes, severity, date);
            let assessed_at =
                arrived_at.unwrap_or(at) + Duration::minutes(20 + self.rng.below(90) as i64);
            self.assess(
                &incident_id,
                AssessmentStage::Primary,
                assessed_at,
                answers,
                yes,
                g,
                raised,
            );
            grade = Some(g);
            yes_count = Some(yes);
        }
        let index = self.out.incidents.len();
        self.out.incidents.push(Incident {
            id: incident_id.clone(),
            reported_at: at,
            lpa: self.lpas[lpa_i].clone(),
            call_grade: grade_word,
            arrived_at,
            response_target_met: target_met,
            victim_id: victim_id.clone(),
            suspect_id: suspect_id.clone(),
            relationship,
            children_present,
            risk_level: grade,
            dash_yes_count: yes_count,
        });
        let lift = match grade {
            Some(RiskGrade::High) => 1.35,
            Some(RiskGrade::Medium) => 1.2,
            _ => 1.0,
        };
        let crime = self.rng.chance(
            (self.p.crime_recording.at(date) * lift * if serious { 1.3 } else { 0.95 }).min(0.97),
        );
        let mut final_grade = grade;
        if crime && matches!(grade, Some(RiskGrade::Medium | RiskGrade::High)) {
            // The DAIT sergeant's secondary assessment: may raise the grade further.
            let (answers, yes) = self.dash(couple, date);
            let score = self.thresholds.grade_for(usize::from(yes));
            let primary = grade.expect("graded");
            let g = if self.rng.chance(0.12) && primary < RiskGrade::High {
                RiskGrade::High
            } else {
                primary.max(score)
            };
            let raised = g > score;
            let assessed_at = at + Duration::hours(18 + self.rng.below(60) as i64);
            if self.assess(
                &incident_id,
                AssessmentStage::Secondary,
                assessed_at,
                answers,
                yes,
                g,
                raised,
            ) {
                final_grade = Some(g);
            }
        }
        let arrest_chance = if crime {
            self.p.arrest_rate.at(date)
                * if final_grade == Some(RiskGrade::High) {
                    1.1
                } else {
                    1.0
                }
        } else {
            0.02
        };
        let arrested = suspect_known && self.rng.chance(arrest_chance.min(0.98));
        let bwv = self.rng.chance(self.p.bwv_share.at(date));
        let interviewed = arrested && self.rng.chance(0.78);
        let shown = interviewed && bwv && self.rng.chance(0.6);
        let mut principal_outcome = None;
        let mut principal_offence = None;
        if crime {
            let (outcome, offence) = self.write_offences(
                &incident_id,
                at,
                victim_id.clone(),
                suspect_id.clone(),
                final_grade,
                serious,
                arrested,
                shown,
                lpa_i,
                bwv,
            );
            principal_outcome = outcome;
            principal_offence = offence;
        }
        if arrested {
            let disposal = match principal_outcome {
                Some(o) if ["1", "1A"].contains(&o.code.as_str()) => Some(ArrestDisposal::Charge),
                Some(o) if ["2", "3"].contains(&o.code.as_str()) => Some(ArrestDisposal::Caution),
                Some(_) => Some(
                    [
                        ArrestDisposal::NoFurtherAction,
                        ArrestDisposal::ReleasedUnderInvestigation,
                        ArrestDisposal::Other,
                    ][self.rng.weighted(&[0.7, 0.2, 0.1])],
                ),
                None => [
                    None,
                    Some(ArrestDisposal::ReleasedUnderInvestigation),
                    Some(ArrestDisposal::Bail),
                ][self.rng.weighted(&[0.3, 0.4, 0.3])],
            };
            let arrested_at = at + Duration::minutes(30 + self.rng.exponential(300.0) as i64);
            let disposal = if self.known(arrested_at + Duration::days(2)) {
                disposal
            } else {
                None
            };
            if self.known(arrested_at) {
                self.out.arrests.push(Arrest {
                    id: ArrestId::parse(&self.ids.make(3, "AR", 8)).expect("valid id"),
                    person_id: suspect_id.clone().expect("arrests need a known suspect"),
                    incident_id: Some(incident_id.clone()),
                    offence_id: principal_offence.clone(),
                    arrested_at,
                    bwv_shown_in_interview: interviewed.then_some(shown),
                    disposal,
                });
            }
        }
        self.safeguarding(
            at,
            couple,
            &incident_id,
            victim_id.clone(),
            suspect_id.clone(),
            final_grade,
            children_present,
            arrested,
            principal_outcome,
        );
        if self.recent_victims.len() < 3000 {
            self.recent_victims
                .push((victim_i, at, final_grade.unwrap_or(RiskGrade::Standard)));
        } else {
            let i = self.rng.below(3000) as usize;
            self.recent_victims[i] = (victim_i, at, final_grade.unwrap_or(RiskGrade::Standard));
        }
        index
    }

    #[allow(clippy::too_many_arguments)]
    fn write_offences(
        &mut self,
        incident_id: &IncidentId,
        at: DateTime,
        victim_id: PersonId,
        suspect_id: Option<PersonId>,
        grade: Option<RiskGrade>,
        serious: bool,
        arrested: bool,
        shown: bool,
        lpa: usize,
        bwv: bool,
    ) -> (Option<Outcome>, Option<OffenceId>) {
        let date = at.date();
        let rules = counting_rules::in_force(date);
        let principal = if serious {
            if self.rng.chance(0.1) {
                OffenceGroup::Sexual
            } else {
                OffenceGroup::ViolenceWithInjury
            }
        } else {
            let ccb = if date >= coercive_control_in_force() {
                0.07
            } else {
                0.0
            };
            [
                OffenceGroup::ViolenceWithoutInjury,
                OffenceGroup::StalkingHarassment,
                OffenceGroup::CriminalDamage,
                OffenceGroup::PublicOrder,
                OffenceGroup::CoerciveControl,
                OffenceGroup::Other,
            ][self.rng.weighted(&[0.46, 0.15, 0.14, 0.10, ccb, 0.08])]
        };
        let mut groups = vec![principal];
        for _ in 0..self.rng.poisson(self.p.additional_offences.at(date)) {
            groups.push(
                [
                    OffenceGroup::CriminalDamage,
                    OffenceGroup::PublicOrder,
                    OffenceGroup::ViolenceWithoutInjury,
                    OffenceGroup::Other,
                ][self.rng.weighted(&[0.35, 0.3, 0.25, 0.1])],
            );
        }
        if rules.is_some_and(|r| r.stalking_harassment_recorded_in_addition)
            && principal != OffenceGroup::StalkingHarassment
            && self.rng.chance(self.p.stalking_in_addition)
        {
            groups.push(OffenceGroup::StalkingHarassment);
        }
        let non_recent = self.rng.chance(self.p.non_recent_reports);
        let recorded = if self.rng.chance(0.9) {
            date + Duration::days(self.rng.weighted(&[0.7, 0.25, 0.05]) as i64)
        } else {
            date + Duration::days(2 + self.rng.exponential(25.0) as i64)
        };
        // Routing by the domain rule, against DAIT's open caseload in this LPA.
        let today = day_num(date);
        while self.dait_open[lpa]
            .peek()
            .is_some_and(|Reverse(d)| *d <= today)
        {
            self.dait_open[lpa].pop();
        }
        let capacity = (self.p.dait_constables_per_lpa * self.p.dait_cases_per_investigator) as u32;
        let routing = route(
            grade.unwrap_or(RiskGrade::Standard),
            TeamLoad {
                open_cases: self.dait_open[lpa].len() as u32,
                capacity,
            },
        );
        let mut principal_outcome = None;
        let mut principal_id = None;
        for (k, group) in groups.into_iter().enumerate() {
            let offence_date = if non_recent {
                date - Duration::days(366 + self.rng.exponential(900.0) as i64)
            } else if matches!(
                group,
                OffenceGroup::StalkingHarassment | OffenceGroup::CoerciveControl
            ) && self.rng.chance(0.55)
            {
                // A course of conduct: the offence date is when it began.
                date - Duration::days(1 + self.rng.exponential(60.0) as i64)
            } else {
                date
            };
            let id = OffenceId::parse(&self.ids.make(4, "CR", 8)).expect("valid id");
            let delay = (recorded - offence_date).num_days();
            let band = if delay <= 7 {
                1.0
            } else if delay <= 365 {
                0.75
            } else {
                0.42
            };
            let mut p_solved = self.p.solved.at(recorded) * band;
            p_solved *= if arrested { 1.3 } else { 0.55 };
            if shown {
                p_solved *= 1.15;
            }
            if k > 0 {
                p_solved *= 0.45;
            }
            let outcome = self.outcome(recorded, p_solved.min(0.9));
            if let Some(o) = outcome
                && routing.investigation == InvestigatingTeam::Dait
                && k == 0
            {
                self.dait_open[lpa].push(Reverse(day_num(o.date)));
            }
            let known = outcome.filter(|o| o.date <= self.as_of);
            if k == 0 {
                // The custody decision (charge, caution, release) is made within days of
                // the arrest, before the outcome is recorded on the crime: arrests see the
                // eventual outcome, not only what is recorded by `as_of`.
                principal_outcome = outcome;
                if recorded <= self.as_of {
                    principal_id = Some(id.clone());
                }
            }
            let ho = match group {
                OffenceGroup::ViolenceWithInjury => "8N",
                OffenceGroup::ViolenceWithoutInjury => "105A",
                OffenceGroup::StalkingHarassment => {
                    if self.rng.chance(0.2) {
                        "8Q"
                    } else {
                        "8R"
                    }
                }
                OffenceGroup::CoerciveControl => "8U",
                OffenceGroup::Sexual => "19C",
                OffenceGroup::CriminalDamage => "58A",
                OffenceGroup::PublicOrder => "9A",
                OffenceGroup::Other => "99",
            };
            if recorded <= self.as_of {
                self.out.offences.push(Offence {
                    id,
                    incident_id: incident_id.clone(),
                    ho_code: Some(ho.into()),
                    offence_group: group,
                    offence_date,
                    recorded_date: recorded,
                    victim_id: victim_id.clone(),
                    suspect_id: suspect_id.clone(),
                    risk_level: grade,
                    team: routing.investigation,
                    outcome: known,
                    bwv_captured: bwv,
                });
            }
        }
        (principal_outcome, principal_id)
    }

    /// An outcome and its date, or `None` for an investigation that never closes in the
    /// simulated time. Dates after `as_of` are dropped by the caller.
    fn outcome(&mut self, recorded: Date, p_solved: f64) -> Option<Outcome> {
        let code = |c: &str| OutcomeCode::of(c);
        let rng = &mut self.rng;
        let (c, median) = if rng.chance(p_solved) {
            let c = ["1", "1A", "2", "3", "4", "6", "8"]
                [rng.weighted(&[0.70, 0.02, 0.02, 0.11, 0.01, 0.01, 0.13])];
            (code(c), 16.0)
        } else if rng.chance(self.p.resolved.at(recorded)) {
            let after_22 = recorded >= vigil_domain::outcome::outcome_22_from();
            let w22 = if after_22 { 0.25 } else { 0.0 };
            let c = ["5", "9", "10", "20", "21", "22"]
                [rng.weighted(&[0.05, 0.15, 0.4, 0.2, 0.15, w22])];
            (code(c), 25.0)
        } else if rng.chance(self.p.outcome_16_share.at(recorded)) {
            (code("16"), 9.0)
        } else {
            let c = ["15", "14", "18", "17", "12", "13"]
                [rng.weighted(&[0.45, 0.2, 0.22, 0.05, 0.04, 0.04])];
            let median = if c == "17" { 190.0 } else { 24.0 };
            (code(c), median)
        };
        let mut days = self.rng.lognormal(median, 0.95).min(900.0) as i64;
        if ["1", "1A"].contains(&c.as_str())
            && self
                .p
                .paper_charging_advice_from
                .is_some_and(|from| recorded + Duration::days(days) >= from)
        {
            // CPS paper charging advice (no telephone advice from summer 2019): 3–6 weeks.
            days += 21 + self.rng.below(22) as i64;
        }
        let mut c = c;
        let mut date = recorded + Duration::days(days);
        if let Some((from, to, share)) = self.p.outcome_22_surge
            && ["15", "16"].contains(&c.as_str())
            && recorded < from
            && recorded >= from - Duration::days(120)
            && date >= from
            && self.rng.chance(share * 0.04)
        {
            // Cases held for a diversion scheme, finalised with outcome 22 once it existed.
            c = code("22");
            date =
                from + Duration::days(self.rng.below(((to - from).num_days() + 1) as u64) as i64);
        }
        if let Some(review) = self.p.backlog_review {
            let month_end = review.month_start + Duration::days(30);
            if date > review.month_start
                && (review.month_start - recorded).num_days() >= review.min_age_days
                && self.rng.chance(review.share)
            {
                date = date
                    .min(review.month_start + Duration::days(self.rng.below(31) as i64))
                    .min(month_end);
            }
        }
        Some(Outcome { code: c, date })
    }

    #[allow(clippy::too_many_arguments)]
    fn safeguarding(
        &mut self,
        at: DateTime,
        couple: usize,
        incident_id: &IncidentId,
        victim_id: PersonId,
        suspect_id: Option<PersonId>,
        grade: Option<RiskGrade>,
        children_present: bool,
        arrested: bool,
        outcome: Option<Outcome>,
    ) {
        let victim = self.couples[couple].victim;
        let high = grade == Some(RiskGrade::High);
        let medium_plus = matches!(grade, Some(RiskGrade::Medium | RiskGrade::High));
        if high && self.rng.chance(self.p.idva_high_risk) {
            let t = at + Duration::hours(2 + self.rng.exponential(60.0) as i64);
            let consent = Some(self.rng.chance(0.9));
            self.referral(
                ReferralKind::Idva,
                victim_id.clone(),
                Some(incident_id.clone()),
                t,
                Agency::Police,
                consent,
            );
        }
        if high {
            let recent =
                self.last_marac[victim].is_some_and(|last| at - last <= Duration::days(365));
            if !recent && self.rng.chance(self.p.marac_police) {
                let t = at + Duration::hours(24 + self.rng.below(200) as i64);
                self.last_marac[victim] = Some(t);
                self.referral(
                    ReferralKind::Marac,
                    victim_id.clone(),
                    Some(incident_id.clone()),
                    t,
                    Agency::Police,
                    None,
                );
                if self.rng.chance(0.03) {
                    self.people[victim].confidential = true;
                }
            }
        }
        if children_present && medium_plus && self.rng.chance(0.7) {
            let t = at + Duration::hours(4 + self.rng.below(48) as i64);
            self.referral(
                ReferralKind::Mash,
                victim_id.clone(),
                Some(incident_id.clone()),
                t,
                Agency::Police,
                None,
            );
        }
        let encompass_share = self.p.encompass_share.at(at.date());
        if children_present && self.rng.chance(encompass_share) {
            let lpa = self.people[victim].lpa;
            let sex = if self.rng.chance(0.5) {
                Sex::Female
            } else {
                Sex::Male
            };
            let child = self.new_person(sex, (4, 15), at.date(), lpa);
            let child_id = self.person_id(child);
            let due = encompass_due(at, &self.school);
            let t = if self.rng.chance(0.9) {
                due - Duration::minutes(30 + self.rng.below(600) as i64)
            } else {
                due + Duration::hours(1 + self.rng.below(30) as i64)
            };
            let t = t.max(at + Duration::minutes(30));
            self.referral(
                ReferralKind::Encompass,
                child_id,
                Some(incident_id.clone()),
                t,
                Agency::Police,
                None,
            );
        }
        // Clare's Law, right to know: the suspect has abused an earlier partner.
        let suspect = self.couples[couple].suspect;
        let serial = self.suspect_couples[suspect].len() > 1
            && self.couples[couple].relationship.is_partner();
        if let Some(sid) = &suspect_id
            && serial
            && self.couples[couple].incidents == 1
            && self.rng.chance(0.4)
        {
            let received = at + Duration::hours(12 + self.rng.below(96) as i64);
            self.disclosure(
                DisclosureRoute::RightToKnow,
                sid.clone(),
                victim_id.clone(),
                received,
            );
        }
        let charged = outcome.is_some_and(|o| ["1", "1A"].contains(&o.code.as_str()));
        if medium_plus
            && !charged
            && let Some(sid) = suspect_id
            && self
                .rng
                .chance(self.p.dvpn_rate.at(at.date()) * if arrested { 1.3 } else { 0.7 })
        {
            let issued = at + Duration::hours(2 + self.rng.below(30) as i64);
            let dvpn = self.order(
                OrderKind::Dvpn,
                sid.clone(),
                victim_id.clone(),
                incident_id,
                issued,
                issued + Duration::hours(48),
                None,
            );
            if dvpn && self.rng.chance(0.82) {
                // Most orders are made at a hearing within the 48 hours; some hearings are
                // adjourned, so a few orders come later (the hearings measure sees them).
                let made = issued + Duration::hours(20 + self.rng.below(44) as i64);
                let expires = made + Duration::days(14 + self.rng.below(15) as i64);
                let breached = self
                    .rng
                    .chance(0.18)
                    .then(|| made + Duration::hours(12 + self.rng.below(300) as i64))
                    .filter(|b| *b < expires);
                self.order(
                    OrderKind::Dvpo,
                    sid,
                    victim_id,
                    incident_id,
                    made,
                    expires,
                    breached,
                );
            }
        }
    }

    fn referral(
        &mut self,
        kind: ReferralKind,
        person: PersonId,
        incident: Option<IncidentId>,
        at: DateTime,
        agency: Agency,
        consent: Option<bool>,
    ) {
        if !self.known(at) {
            return;
        }
        self.out.referrals.push(Referral {
            id: ReferralId::parse(&self.ids.make(5, "RF", 7)).expect("valid id"),
            kind,
            person_id: person,
            incident_id: incident,
            referred_at: at,
            agency,
            consent,
        });
    }

    fn disclosure(
        &mut self,
        route: DisclosureRoute,
        subject: PersonId,
        at_risk: PersonId,
        received: DateTime,
    ) {
        if !self.known(received) {
            return;
        }
        let decided = received + Duration::hours((self.rng.lognormal(18.0, 0.55) * 24.0) as i64);
        let decision = [
            DisclosureDecision::Disclose,
            DisclosureDecision::NoDisclosure,
            DisclosureDecision::Withdrawn,
        ][self.rng.weighted(&[0.55, 0.35, 0.10])];
        let known = self.known(decided);
        let disclosed = (known && decision == DisclosureDecision::Disclose)
            .then(|| decided + Duration::hours(2 + self.rng.below(96) as i64))
            .filter(|t| self.known(*t));
        self.out.disclosures.push(Disclosure {
            id: DisclosureId::parse(&self.ids.make(6, "DV", 6)).expect("valid id"),
            route,
            subject_id: subject,
            at_risk_id: at_risk,
            received_at: received,
            decided_at: known.then_some(decided),
            decision: known.then_some(decision),
            disclosed_at: disclosed,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn order(
        &mut self,
        kind: OrderKind,
        subject: PersonId,
        protected: PersonId,
        incident: &IncidentId,
        issued: DateTime,
        expires: DateTime,
        breached: Option<DateTime>,
    ) -> bool {
        if !self.known(issued) {
            return false;
        }
        self.out.protection_orders.push(ProtectionOrder {
            id: OrderId::parse(&self.ids.make(7, "PO", 6)).expect("valid id"),
            kind,
            subject_id: subject,
            protected_id: protected,
            incident_id: Some(incident.clone()),
            issued_at: issued,
            expires_at: Some(expires),
            breached_at: breached.filter(|b| self.known(*b)),
        });
        true
    }

    /// Referrals and applications that do not start from a police incident: partner
    /// agencies' MARAC referrals, other IDVA referrals, right-to-ask applications.
    fn daily_partner_activity(&mut self, day: Date) {
        if day < self.start || day > self.as_of || self.recent_victims.is_empty() {
            return;
        }
        self.rng = self
            .partners
            .fork(u64::from(day.num_days_from_ce().unsigned_abs()));
        let noon = day.and_hms_opt(9, 0, 0).expect("valid time");
        let marac = self
            .rng
            .poisson(self.p.marac_partner_per_month.at(day) / 30.44);
        for _ in 0..marac {
            let (victim, _, _) = *self.rng.pick(&self.recent_victims);
            let agency = [
                Agency::Health,
                Agency::Idva,
                Agency::Housing,
                Agency::ChildrensServices,
                Agency::AdultServices,
                Agency::Probation,
                Agency::Voluntary,
            ][self.rng.weighted(&[0.3, 0.25, 0.1, 0.15, 0.05, 0.05, 0.1])];
            let id = self.person_id(victim);
            let t = noon + Duration::minutes(self.rng.below(480) as i64);
            self.referral(ReferralKind::Marac, id, None, t, agency, None);
        }
        let idva = self.rng.poisson(self.p.idva_other_per_month / 30.44);
        for _ in 0..idva {
            let (victim, _, _) = *self.rng.pick(&self.recent_victims);
            let agency = [
                Agency::Health,
                Agency::Voluntary,
                Agency::Police,
                Agency::Housing,
            ][self.rng.weighted(&[0.4, 0.3, 0.2, 0.1])];
            let id = self.person_id(victim);
            let t = noon + Duration::minutes(self.rng.below(480) as i64);
            self.referral(ReferralKind::Idva, id, None, t, agency, Some(true));
        }
        let ask = self.rng.poisson(self.p.right_to_ask_per_month / 30.44);
        for _ in 0..ask {
            let (victim, _, _) = *self.rng.pick(&self.recent_victims);
            let subject = self
                .couples
                .iter()
                .rev()
                .take(500)
                .find(|c| c.victim == victim)
                .map(|c| c.suspect);
            if let Some(s) = subject {
                let sid = self.person_id(s);
                let vid = self.person_id(victim);
                let t = noon + Duration::minutes(self.rng.below(480) as i64);
                self.disclosure(DisclosureRoute::RightToAsk, sid, vid, t);
            }
        }
    }

    fn staffing(&mut self) {
        let force_wide = self
            .p
            .force_wide_lpa
            .as_deref()
            .map(|l| Lpa::parse(l).expect("valid force code"));
        let mut d = self.start;
        let dait_share = [0.36, 0.36, 0.28];
        while d <= self.as_of {
            let snapshot = (d - Duration::days(1)).max(self.start);
            let last = (d + Duration::days(92)) > self.as_of;
            let as_of = if last {
                self.as_of - Duration::days(1)
            } else {
                snapshot
            };
            for (l, lpa) in self.lpas.clone().iter().enumerate() {
                let scale = self.p.lpas[l].1 / 0.33;
                for (rank, est) in [
                    (Rank::Inspector, 6.0),
                    (Rank::Sergeant, 32.0),
                    (Rank::Constable, 265.0),
                ] {
                    let est: f64 = (est * scale).round();
                    let strength =
                        (est * (0.93 + 0.04 * self.rng.uniform()) * 100.0).round() / 100.0;
                    let deployable =
                        (est * (0.88 + 0.04 * self.rng.uniform()) * 100.0).round() / 100.0;
                    self.out.staffing.push(StaffingRecord {
                        as_of,
                        team: StaffTeam::Lpt,
                        lpa: Some(lpa.clone()),
                        rank,
                        establishment_fte: est,
                        strength_fte: strength,
                        deployable_fte: deployable.min(strength),
                    });
                }
                for (rank, est, vacancy) in [
                    (Rank::Inspector, 5.0_f64, 0.0),
                    (Rank::Sergeant, 21.0, 0.096),
                    (Rank::Constable, 127.0, 0.096),
                    (Rank::Staff, 13.0, 0.03),
                ] {
                    let share = if rank == Rank::Inspector {
                        [2.0, 2.0, 1.0][l] / 5.0
                    } else {
                        dait_share[l]
                    };
                    let est = (est * share * 100.0).round() / 100.0;
                    let strength = (est * (1.0 - vacancy) * 100.0).round() / 100.0;
                    self.out.staffing.push(StaffingRecord {
                        as_of,
                        team: StaffTeam::Dait,
                        lpa: Some(lpa.clone()),
                        rank,
                        establishment_fte: est,
                        strength_fte: strength,
                        deployable_fte: (strength * 0.94 * 100.0).round() / 100.0,
                    });
                }
            }
            for (rank, est, strength) in [
                (Rank::Inspector, 1.0, 1.0),
                (Rank::Sergeant, 3.0, 3.0),
                (Rank::Constable, 28.02, 23.92),
            ] {
                self.out.staffing.push(StaffingRecord {
                    as_of,
                    team: StaffTeam::Cru,
                    lpa: force_wide.clone(),
                    rank,
                    establishment_fte: est,
                    strength_fte: strength,
                    deployable_fte: (strength * 0.95 * 100.0).round() / 100.0,
                });
            }
            self.out.staffing.push(StaffingRecord {
                as_of,
                team: StaffTeam::Mash,
                lpa: force_wide.clone(),
                rank: Rank::Inspector,
                establishment_fte: 1.0,
                strength_fte: 1.0,
                deployable_fte: 1.0,
            });
            if last {
                break;
            }
            d += Duration::days(92);
        }
    }
}

/// Simulates one force from a year before `start` (so couples have histories) to a year
/// after `as_of` (so the ground truth can look ahead), keeping records dated up to `as_of`.
pub fn simulate(p: &ForceParams, start: Date, as_of: Date, seed: u64) -> ForceOutput {
    let mut root = Rng::new(seed);
    // Four years of history before the extract starts, so the repeat process has reached
    // its steady state (long-running couples) by the first month written.
    let burn_in = start - Duration::days(4 * 365);
    let horizon = as_of + Duration::days(366);
    let base = burn_in.and_hms_opt(0, 0, 0).expect("valid time");
    let dash = instrument(InstrumentKind::Dash).expect("DASH is defined");
    let mut sim = Sim {
        p,
        branching: Branching::new(&mut root.fork(2)),
        arrivals: root.fork(3),
        partners: root.fork(4),
        incident_seed: root.next_u64(),
        couple_seed: root.next_u64(),
        rng: root.fork(1),
        start,
        as_of,
        base,
        people: Vec::new(),
        person_ids: Vec::new(),
        couples: Vec::new(),
        suspect_couples: Vec::new(),
        happened: Vec::new(),
        victim_history: Vec::new(),
        last_marac: Vec::new(),
        recent_victims: Vec::new(),
        recent_suspects: Vec::new(),
        dait_open: vec![BinaryHeap::new(); p.lpas.len()],
        ids: Ids {
            prefix: p.id_prefix.clone(),
            next: [0; 8],
        },
        out: RecordSet::default(),
        lpas: p
            .lpas
            .iter()
            .map(|(n, _)| Lpa::parse(n).expect("valid LPA"))
            .collect(),
        thresholds: GradeThresholds::default_for(dash),
        school: SchoolCalendar::default(),
    };
    let mut heap: BinaryHeap<Reverse<(i64, u64, usize)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut day = burn_in;
    while day < horizon {
        let month_rate = p.incidents_per_month.at(day) * SEASON[day.month0() as usize];
        let new_couples = month_rate / 30.44 * (1.0 - p.repeat_share.at(day));
        let n = sim.arrivals.poisson(new_couples);
        let day_start = sim.minutes(day.and_hms_opt(0, 0, 0).expect("valid time"));
        for _ in 0..n {
            let minute = day_start + sim.time_of_day();
            let couple = sim.new_couple(sim.at(minute));
            seq += 1;
            heap.push(Reverse((minute, seq, couple)));
        }
        let next_day = day_start + 1440;
        while let Some(Reverse((minute, _, couple))) = heap.peek().copied() {
            if minute >= next_day {
                break;
            }
            heap.pop();
            sim.incident(minute, couple, &mut heap, &mut seq);
        }
        sim.daily_partner_activity(day);
        day += Duration::days(1);
    }
    sim.staffing();
    let truth = ground_truth(&sim);
    sort_by_time(&mut sim.out);
    ForceOutput {
        records: sim.out,
        truth,
    }
}

/// Records are made in the order incidents happen, but follow-on records (an arrest hours
/// later, a referral days later) of one incident can land after the next incident's; the
/// extract lists each table in time order, as a records system would.
fn sort_by_time(r: &mut RecordSet) {
    r.arrests.sort_by(|a, b| {
        a.arrested_at
            .cmp(&b.arrested_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    r.referrals.sort_by(|a, b| {
        a.referred_at
            .cmp(&b.referred_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    r.disclosures.sort_by(|a, b| {
        a.received_at
            .cmp(&b.received_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    r.protection_orders
        .sort_by(|a, b| a.issued_at.cmp(&b.issued_at).then_with(|| a.id.cmp(&b.id)));
    r.risk_assessments.sort_by(|a, b| {
        a.assessed_at
            .cmp(&b.assessed_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    r.persons.sort_by(|a, b| a.id.cmp(&b.id));
}

fn ground_truth(sim: &Sim) -> Vec<TruthRow> {
    let mut rows = Vec::new();
    for history in &sim.victim_history {
        for (k, &h) in history.iter().enumerate() {
            let here = &sim.happened[h];
            let Some(i) = here.incident else { continue };
            let later = history[k + 1..]
                .iter()
                .map(|&j| &sim.happened[j])
                .take_while(|x| x.at - here.at <= Duration::days(365));
            let (mut again, mut serious) = (false, false);
            for x in later {
                again = true;
                serious |= x.serious;
            }
            let inc = &sim.out.incidents[i];
            rows.push(TruthRow {
                incident_id: inc.id.to_string(),
                victim_id: inc.victim_id.to_string(),
                reported_at: inc.reported_at,
                revictimised_12m: again,
                serious_revictimisation_12m: serious,
            });
        }
    }
    rows.sort_by(|a, b| {
        a.reported_at
            .cmp(&b.reported_at)
            .then_with(|| a.incident_id.cmp(&b.incident_id))
    });
    rows
}
