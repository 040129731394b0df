//! Protective notices and the orders that follow them, worked in Vigil: a DVPN and its
//! DVPO (Crime and Security Act 2010, ss.24–33), a DAPN and its DAPO (Domestic Abuse Act
//! 2021, Part 3). One record runs from the applying officer's draft to the court's
//! decision and after it: the authorisation by an officer of the required rank, the
//! service, the hearing (due 48 counted hours after service: `deadlines::dvpo_hearing_due`),
//! the order with its length or requirements, the DAPO subject's notification, the victim
//! told of each step, and each breach.

use crate::access::{Rank, Username};
use crate::records::{OrderKind, ProtectionOrder};
use crate::text::said;
use crate::time::{Date, DateTime, Duration};
use crate::vocabulary::vocabulary;
use crate::{IncidentId, Lpa, OrderId, PersonId, ValueError};

vocabulary! {
    /// What the magistrates decided.
    pub enum CourtDecision ("court decision") {
        Granted = "granted",
        Refused = "refused",
        Adjourned = "adjourned",
    }
}

/// The lowest rank that may authorise a notice: a superintendent for a DVPN (s.24), an
/// inspector for a DAPN (s.22).
pub fn authorising_rank(kind: OrderKind) -> Rank {
    match kind {
        OrderKind::Dapn | OrderKind::Dapo => Rank::Inspector,
        OrderKind::Dvpn | OrderKind::Dvpo => Rank::Superintendent,
    }
}

/// The order a notice leads to.
pub fn order_of(kind: OrderKind) -> OrderKind {
    match kind {
        OrderKind::Dvpn | OrderKind::Dvpo => OrderKind::Dvpo,
        OrderKind::Dapn | OrderKind::Dapo => OrderKind::Dapo,
    }
}

/// What the authorising officer must have considered before issuing (s.24(3) for a DVPN;
/// the same matters for a DAPN).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Considered {
    pub children_welfare: String,
    pub victim_view: String,
    pub representations: String,
    pub other_occupants: String,
}

/// The order the court made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    pub made_at: DateTime,
    /// A DVPO's end (14 to 28 days); a DAPO's when the court set one.
    pub expires_at: Option<DateTime>,
    /// A DVPO's conditions; a DAPO's negative requirements.
    pub conditions: String,
    /// A DAPO's positive requirements (a programme, electronic monitoring).
    pub requirements: String,
    /// A DAPO's electronic monitoring, in months (12 at most unless extended).
    pub monitoring_months: Option<u32>,
}

/// A breach recorded against the notice or the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub at: DateTime,
    pub recorded_by: Username,
    /// The notice or the order breached.
    pub of: OrderKind,
    pub details: String,
    /// A DAPO's breach is an offence: the case (a new incident) its crime is recorded on.
    pub case: Option<IncidentId>,
}

/// A protective notice and what followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeCase {
    pub id: OrderId,
    /// `dvpn` or `dapn`.
    pub kind: OrderKind,
    pub subject_id: PersonId,
    pub protected_id: PersonId,
    pub incident_id: Option<IncidentId>,
    pub lpa: Lpa,
    pub applied_by: Username,
    pub applied_at: DateTime,
    pub grounds: String,
    pub considered: Considered,
    pub conditions: String,
    /// A DAPN: the address the subject gives for service of the hearing.
    pub address_for_service: String,
    pub authorised: Option<(DateTime, Username, Rank)>,
    pub served: Option<(DateTime, Username)>,
    /// The hearing's due time when it was adjourned (the next date the court set).
    pub adjourned_to: Option<DateTime>,
    pub decision: Option<(DateTime, CourtDecision, String)>,
    pub order: Option<Order>,
    /// A DAPO subject's notification of their name and address.
    pub notified_at: Option<DateTime>,
    /// The victim told: when, and of what.
    pub victim_told: Vec<(DateTime, String)>,
    pub breaches: Vec<Breach>,
}

/// A step in the work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// By an officer of the required rank (their recorded rank).
    Authorise {
        rank: Option<Rank>,
    },
    Serve {
        at: DateTime,
        address_for_service: String,
    },
    Hearing {
        decision: CourtDecision,
        /// A DVPO's length, 14 to 28 days.
        days: Option<i64>,
        /// An adjournment's next hearing.
        next_hearing: Option<DateTime>,
        conditions: String,
        requirements: String,
        monitoring_months: Option<u32>,
        notes: String,
    },
    Notified {
        at: DateTime,
    },
    VictimTold {
        about: String,
    },
    /// `case`: the new incident for the offence, when a breach now is an offence
    /// ([`NoticeCase::breach_is_offence`]); none otherwise.
    Breach {
        at: DateTime,
        details: String,
        case: Option<IncidentId>,
    },
}

/// The Home Office classification Vigil gives the offence of breaching a DAPO (Domestic
/// Abuse Act 2021, s.39): 8L, harassment, where the counting rules put breaches of
/// restraining and non-molestation orders. Unsure for a DAPO — a force's crime registrar
/// may classify it otherwise and correct the offence.
pub const DAPO_BREACH_HO_CODE: &str = "8L";

/// Checks a draft as the applying officer writes it: a notice, the grounds, each matter
/// considered, the conditions; a DAPN's address for service comes at service.
pub fn check_draft(
    kind: OrderKind,
    grounds: &str,
    considered: &Considered,
    conditions: &str,
) -> Result<(), Vec<(&'static str, ValueError)>> {
    let mut errors = Vec::new();
    if !matches!(kind, OrderKind::Dvpn | OrderKind::Dapn) {
        errors.push((
            "kind",
            ValueError::new("a notice is a DVPN or a DAPN; the court makes the order"),
        ));
    }
    for (field, v, what) in [
        (
            "grounds",
            grounds,
            "give the grounds: the violence or abuse, and why the notice is needed to protect the victim",
        ),
        (
            "children_welfare",
            considered.children_welfare.as_str(),
            "say what was considered of any child's welfare ('No children' is an answer)",
        ),
        (
            "victim_view",
            considered.victim_view.as_str(),
            "record the victim's view (their support is not required)",
        ),
        (
            "representations",
            considered.representations.as_str(),
            "record the suspect's representations ('Declined to comment' is an answer)",
        ),
        (
            "other_occupants",
            considered.other_occupants.as_str(),
            "record other occupants' views ('None' is an answer)",
        ),
        ("conditions", conditions, "set out the notice's conditions"),
    ] {
        if let Err(e) = said(field, v, 4, what) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl NoticeCase {
    /// The order the court may make.
    pub fn order_kind(&self) -> OrderKind {
        order_of(self.kind)
    }

    /// What a breach now would be a breach of: the order once made, else the notice.
    pub fn in_force_kind(&self) -> OrderKind {
        if self.order.is_some() {
            self.order_kind()
        } else {
            self.kind
        }
    }

    /// Whether breaching it now is a criminal offence: a DAPO's breach is (Domestic Abuse
    /// Act 2021, s.39), to be recorded as a crime on a new incident with its own clocks; a
    /// DVPN's leads to arrest, a DVPO's to the magistrates for contempt, a DAPN's to arrest.
    pub fn breach_is_offence(&self) -> bool {
        self.in_force_kind() == OrderKind::Dapo
    }

    /// When the hearing is due: 48 counted hours after service, or the adjourned date.
    pub fn hearing_due(&self) -> Option<DateTime> {
        if self
            .decision
            .as_ref()
            .is_some_and(|d| d.1 != CourtDecision::Adjourned)
        {
            return None;
        }
        self.adjourned_to.or(self
            .served
            .as_ref()
            .map(|(at, _)| crate::deadlines::dvpo_hearing_due(*at)))
    }

    /// When a DAPO subject's notification is due (until it is made).
    pub fn notification_due(&self) -> Option<DateTime> {
        match (&self.order, self.notified_at) {
            (Some(o), None) if self.kind == OrderKind::Dapn => {
                Some(crate::deadlines::dapo_notification_due(o.made_at))
            }
            _ => None,
        }
    }

    /// Where it stands, in words.
    pub fn state(&self) -> &'static str {
        match (&self.authorised, &self.served, &self.decision, &self.order) {
            (None, _, _, _) => "Awaiting authorisation",
            (Some(_), None, _, _) => "Authorised: to be served",
            (_, Some(_), None, _) => "Served: hearing due",
            (_, _, Some((_, CourtDecision::Adjourned, _)), _) => "Adjourned: hearing due",
            (_, _, Some((_, CourtDecision::Refused, _)), _) => "Refused by the court",
            (_, _, _, Some(_)) => "Order made",
            _ => "Decided",
        }
    }

    /// The notice and the order as the records hold them (`protection_orders`, which the
    /// measures read): the notice from its service, the order from the court's grant.
    pub fn records(&self) -> Vec<ProtectionOrder> {
        let mut out = Vec::new();
        let breached = |of: OrderKind| {
            self.breaches
                .iter()
                .filter(|b| b.of == of)
                .map(|b| b.at)
                .min()
        };
        if let Some((at, _)) = &self.served {
            out.push(ProtectionOrder {
                id: self.id.clone(),
                kind: self.kind,
                subject_id: self.subject_id.clone(),
                protected_id: self.protected_id.clone(),
                incident_id: self.incident_id.clone(),
                issued_at: *at,
                expires_at: self.hearing_due(),
                breached_at: breached(self.kind),
            });
        }
        if let Some(o) = &self.order {
            out.push(ProtectionOrder {
                id: o.id.clone(),
                kind: self.order_kind(),
                subject_id: self.subject_id.clone(),
                protected_id: self.protected_id.clone(),
                incident_id: self.incident_id.clone(),
                issued_at: o.made_at,
                expires_at: o.expires_at,
                breached_at: breached(self.order_kind()),
            });
        }
        out
    }

    /// The case after `step` by `by` at `now`, or why not (with the field). `order_id` is
    /// the id a granted order takes.
    pub fn apply(
        &self,
        step: &Step,
        by: &Username,
        now: DateTime,
        order_id: Option<OrderId>,
    ) -> Result<NoticeCase, (&'static str, ValueError)> {
        let mut c = self.clone();
        let fail = |field: &'static str, why: String| Err((field, ValueError::new(why)));
        match step {
            Step::Authorise { rank } => {
                if self.authorised.is_some() {
                    return fail("step", "the notice is already authorised".into());
                }
                let need = authorising_rank(self.kind);
                match rank {
                    Some(r) if *r >= need => c.authorised = Some((now, by.clone(), *r)),
                    _ => {
                        return fail(
                            "rank",
                            format!(
                                "a {} is authorised by an officer of at least {} rank; your recorded rank is {}",
                                self.kind.as_str().to_uppercase(),
                                need.as_str().replace('_', " "),
                                rank.map_or("not recorded".to_owned(), |r| r
                                    .as_str()
                                    .replace('_', " "))
                            ),
                        );
                    }
                }
            }
            Step::Serve {
                at,
                address_for_service,
            } => {
                let Some((authorised_at, _, _)) = self.authorised else {
                    return fail(
                        "step",
                        "the notice must be authorised before it is served".into(),
                    );
                };
                if self.served.is_some() {
                    return fail("step", "the notice was already served".into());
                }
                // Times are typed to the minute: service in the minute of authorisation is
                // after it.
                if *at < authorised_at - Duration::seconds(59) || *at > now {
                    return fail(
                        "served_at",
                        "the notice is served after its authorisation and not in the future".into(),
                    );
                }
                if self.kind == OrderKind::Dapn {
                    c.address_for_service = said(
                        "address_for_service",
                        address_for_service,
                        5,
                        "record the address the subject gives for service",
                    )?;
                }
                c.served = Some((*at, by.clone()));
            }
            Step::Hearing {
                decision,
                days,
                next_hearing,
                conditions,
                requirements,
                monitoring_months,
                notes,
            } => {
                if self.served.is_none() {
                    return fail(
                        "step",
                        "the notice must be served before the hearing".into(),
                    );
                }
                if self
                    .decision
                    .as_ref()
                    .is_some_and(|d| d.1 != CourtDecision::Adjourned)
                {
                    return fail("step", "the court has already decided".into());
                }
                let notes = said("notes", notes, 4, "record what the court said")?;
                match decision {
                    CourtDecision::Adjourned => {
                        let Some(next) = next_hearing.filter(|n| *n > now) else {
                            return fail(
                                "next_hearing",
                                "give the date and time of the adjourned hearing".into(),
                            );
                        };
                        c.adjourned_to = Some(next);
                    }
                    CourtDecision::Refused => {}
                    CourtDecision::Granted => {
                        let Some(id) = order_id else {
                            return fail("step", "the order needs an id".into());
                        };
                        let conditions = said(
                            "conditions",
                            conditions,
                            4,
                            "set out the order's conditions (its prohibitions)",
                        )?;
                        let (expires_at, requirements, monitoring) = match self.kind {
                            OrderKind::Dvpn => match days {
                                Some(d) if (14..=28).contains(d) => {
                                    (Some(now + Duration::days(*d)), String::new(), None)
                                }
                                _ => {
                                    return fail(
                                        "days",
                                        "a DVPO lasts 14 to 28 days: give its length".into(),
                                    );
                                }
                            },
                            _ => {
                                if monitoring_months.is_some_and(|m| m == 0 || m > 12) {
                                    return fail(
                                        "monitoring_months",
                                        "electronic monitoring runs 1 to 12 months unless the court extends it".into(),
                                    );
                                }
                                (
                                    days.map(|d| now + Duration::days(d)),
                                    requirements.trim().to_owned(),
                                    *monitoring_months,
                                )
                            }
                        };
                        c.order = Some(Order {
                            id,
                            made_at: now,
                            expires_at,
                            conditions,
                            requirements,
                            monitoring_months: monitoring,
                        });
                    }
                }
                c.decision = Some((now, *decision, notes));
            }
            Step::Notified { at } => {
                if self.notification_due().is_none() {
                    return fail(
                        "step",
                        "only a DAPO's subject notifies, once the order is made".into(),
                    );
                }
                if *at > now || self.order.as_ref().is_some_and(|o| *at < o.made_at) {
                    return fail(
                        "notified_at",
                        "the notification is made after the order and not in the future".into(),
                    );
                }
                c.notified_at = Some(*at);
            }
            Step::VictimTold { about } => {
                let about = said("about", about, 4, "say what the victim was told")?;
                c.victim_told.push((now, about));
            }
            Step::Breach { at, details, case } => {
                let of = self.in_force_kind();
                if self.breach_is_offence() != case.is_some() {
                    return fail(
                        "step",
                        if case.is_some() {
                            "only a DAPO's breach is an offence with a case of its own".into()
                        } else {
                            "a DAPO's breach is an offence: it needs a new case for its crime"
                                .into()
                        },
                    );
                }
                let in_force_from = match (&self.order, &self.served) {
                    (Some(o), _) => Some(o.made_at),
                    (None, Some((at, _))) => Some(*at),
                    _ => None,
                };
                let Some(from) = in_force_from else {
                    return fail(
                        "step",
                        "nothing is in force to breach: the notice is not served".into(),
                    );
                };
                if *at < from || *at > now {
                    return fail(
                        "breached_at",
                        "a breach happens while the notice or order is in force, not in the future"
                            .into(),
                    );
                }
                let details = said(
                    "details",
                    details,
                    10,
                    "say what the breach was and what was done",
                )?;
                c.breaches.push(Breach {
                    at: *at,
                    recorded_by: by.clone(),
                    of,
                    details,
                    case: case.clone(),
                });
            }
        }
        Ok(c)
    }
}

/// Why a case prompts its officer to consider a protective notice, if it does: a medium or
/// high-risk case with no arrest within `hours` of the report, or finalised without a
/// charge — until a notice is drafted or the decision (and why not) is recorded.
#[allow(clippy::too_many_arguments)]
pub fn notice_prompt(
    grade: Option<crate::RiskGrade>,
    reported_at: DateTime,
    first_arrest: Option<DateTime>,
    finalised_without_charge: bool,
    now: DateTime,
    hours: i64,
    considered: bool,
    notice_exists: bool,
) -> Option<String> {
    if considered
        || notice_exists
        || !matches!(
            grade,
            Some(crate::RiskGrade::Medium | crate::RiskGrade::High)
        )
    {
        return None;
    }
    if finalised_without_charge {
        return Some(
            "The case was finalised without a charge: consider a protective notice".to_owned(),
        );
    }
    let limit = reported_at + Duration::hours(hours);
    match first_arrest {
        Some(t) if t <= limit => None,
        _ if now > limit => Some(format!(
            "No arrest within {hours} hours of the report: consider a protective notice"
        )),
        _ => None,
    }
}

/// Whether DAPNs may be given in an area on a day: switched on per area from a date (the
/// 2024–25 pilots). `from` is the area's first day, if any.
pub fn dapn_in_force(from: Option<Date>, day: Date) -> bool {
    from.is_some_and(|f| day >= f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime {
        crate::time::parse_datetime(s).unwrap()
    }

    fn draft(kind: OrderKind) -> NoticeCase {
        NoticeCase {
            id: OrderId::parse("O1").unwrap(),
            kind,
            subject_id: PersonId::parse("P2").unwrap(),
            protected_id: PersonId::parse("P1").unwrap(),
            incident_id: None,
            lpa: Lpa::parse("North").unwrap(),
            applied_by: Username::parse("officer").unwrap(),
            applied_at: at("2019-08-23T15:00:00"),
            grounds: "Assault".into(),
            considered: Considered::default(),
            conditions: "Not to enter 1 High Street".into(),
            address_for_service: String::new(),
            authorised: None,
            served: None,
            adjourned_to: None,
            decision: None,
            order: None,
            notified_at: None,
            victim_told: Vec::new(),
            breaches: Vec::new(),
        }
    }

    #[test]
    fn a_dvpn_authorised_served_heard_granted_and_breached() {
        let supt = Username::parse("supt").unwrap();
        let inspector = Username::parse("insp").unwrap();
        let c = draft(OrderKind::Dvpn);
        let now = at("2019-08-23T17:00:00");
        // An inspector may not authorise a DVPN; a superintendent may.
        let e = c
            .apply(
                &Step::Authorise {
                    rank: Some(Rank::Inspector),
                },
                &inspector,
                now,
                None,
            )
            .unwrap_err();
        assert_eq!(e.0, "rank");
        assert!(e.1.reason.contains("superintendent"), "{}", e.1.reason);
        let c = c
            .apply(
                &Step::Authorise {
                    rank: Some(Rank::Superintendent),
                },
                &supt,
                now,
                None,
            )
            .unwrap();
        let c = c
            .apply(
                &Step::Serve {
                    at: at("2019-08-23T18:00:00"),
                    address_for_service: String::new(),
                },
                &supt,
                at("2019-08-23T18:05:00"),
                None,
            )
            .unwrap();
        // The worked example: Tuesday 27 August 18:00.
        assert_eq!(c.hearing_due(), Some(at("2019-08-27T18:00:00")));
        let hearing = |days| Step::Hearing {
            decision: CourtDecision::Granted,
            days,
            next_hearing: None,
            conditions: "Not to contact the victim".into(),
            requirements: String::new(),
            monitoring_months: None,
            notes: "Granted at Chelmsford".into(),
        };
        let then = at("2019-08-27T11:00:00");
        assert_eq!(
            c.apply(&hearing(Some(30)), &supt, then, OrderId::parse("O2").ok())
                .unwrap_err()
                .0,
            "days"
        );
        let c = c
            .apply(&hearing(Some(28)), &supt, then, OrderId::parse("O2").ok())
            .unwrap();
        assert_eq!(c.hearing_due(), None);
        assert_eq!(
            c.order.as_ref().unwrap().expires_at,
            Some(at("2019-09-24T11:00:00"))
        );
        assert!(!c.breach_is_offence(), "a DVPO's breach is contempt");
        let with_case = c.apply(
            &Step::Breach {
                at: at("2019-09-01T22:00:00"),
                details: "Came to the house; arrested".into(),
                case: Some(IncidentId::parse("I9").unwrap()),
            },
            &supt,
            at("2019-09-02T09:00:00"),
            None,
        );
        assert!(with_case.is_err(), "only a DAPO's breach opens a case");
        let c = c
            .apply(
                &Step::Breach {
                    at: at("2019-09-01T22:00:00"),
                    details: "Came to the house; arrested".into(),
                    case: None,
                },
                &supt,
                at("2019-09-02T09:00:00"),
                None,
            )
            .unwrap();
        let records = c.records();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].kind, OrderKind::Dvpo);
        assert_eq!(records[1].breached_at, Some(at("2019-09-01T22:00:00")));
        assert_eq!(records[0].breached_at, None, "the notice was not breached");
    }

    #[test]
    fn a_case_without_an_arrest_or_a_charge_prompts_a_notice() {
        use crate::RiskGrade::*;
        let r = at("2019-09-01T10:00:00");
        let late = at("2019-09-02T11:00:00");
        assert!(notice_prompt(Some(High), r, None, false, late, 24, false, false).is_some());
        assert!(
            notice_prompt(
                Some(High),
                r,
                None,
                false,
                at("2019-09-02T09:00:00"),
                24,
                false,
                false
            )
            .is_none()
        );
        assert!(notice_prompt(Some(Standard), r, None, false, late, 24, false, false).is_none());
        assert!(
            notice_prompt(
                Some(Medium),
                r,
                Some(at("2019-09-01T12:00:00")),
                false,
                late,
                24,
                false,
                false
            )
            .is_none()
        );
        assert!(
            notice_prompt(
                Some(Medium),
                r,
                Some(at("2019-09-01T12:00:00")),
                true,
                late,
                24,
                false,
                false
            )
            .is_some()
        );
        assert!(notice_prompt(Some(High), r, None, false, late, 24, true, false).is_none());
        assert!(notice_prompt(Some(High), r, None, false, late, 24, false, true).is_none());
    }

    #[test]
    fn a_dapn_needs_an_inspector_an_address_and_its_dapo_a_notification() {
        let insp = Username::parse("insp").unwrap();
        let c = draft(OrderKind::Dapn)
            .apply(
                &Step::Authorise {
                    rank: Some(Rank::Inspector),
                },
                &insp,
                at("2019-09-06T09:00:00"),
                None,
            )
            .unwrap();
        let serve = |addr: &str| Step::Serve {
            at: at("2019-09-06T10:00:00"),
            address_for_service: addr.into(),
        };
        assert_eq!(
            c.apply(&serve(""), &insp, at("2019-09-06T10:05:00"), None)
                .unwrap_err()
                .0,
            "address_for_service"
        );
        let c = c
            .apply(
                &serve("4 Mill Lane, ZZ1 4DD"),
                &insp,
                at("2019-09-06T10:05:00"),
                None,
            )
            .unwrap();
        let granted = Step::Hearing {
            decision: CourtDecision::Granted,
            days: None,
            next_hearing: None,
            conditions: "Not to contact the victim".into(),
            requirements: "Attend a perpetrator programme".into(),
            monitoring_months: Some(13),
            notes: "Granted".into(),
        };
        // Made on Friday 6 September.
        let made = at("2019-09-06T14:30:00");
        assert_eq!(
            c.apply(&granted, &insp, made, OrderId::parse("O3").ok())
                .unwrap_err()
                .0,
            "monitoring_months"
        );
        let granted = Step::Hearing {
            decision: CourtDecision::Granted,
            days: None,
            next_hearing: None,
            conditions: "Not to contact the victim".into(),
            requirements: "Attend a perpetrator programme".into(),
            monitoring_months: Some(6),
            notes: "Granted".into(),
        };
        let c = c
            .apply(&granted, &insp, made, OrderId::parse("O3").ok())
            .unwrap();
        assert_eq!(
            c.order.as_ref().unwrap().expires_at,
            None,
            "a DAPO has no fixed length"
        );
        assert_eq!(c.notification_due(), Some(at("2019-09-08T23:59:59")));
        let c = c
            .apply(
                &Step::Notified {
                    at: at("2019-09-07T10:00:00"),
                },
                &insp,
                at("2019-09-07T11:00:00"),
                None,
            )
            .unwrap();
        assert_eq!(c.notification_due(), None);
        // A DAPO's breach is an offence: it needs its new case, and names it.
        assert!(c.breach_is_offence());
        let breach = |case: Option<IncidentId>| Step::Breach {
            at: at("2019-09-07T20:00:00"),
            details: "Sent forty messages in one evening".into(),
            case,
        };
        let now = at("2019-09-07T21:00:00");
        assert!(c.apply(&breach(None), &insp, now, None).is_err());
        let c = c
            .apply(
                &breach(Some(IncidentId::parse("I9").unwrap())),
                &insp,
                now,
                None,
            )
            .unwrap();
        assert_eq!(c.breaches[0].of, OrderKind::Dapo);
        assert_eq!(c.breaches[0].case, Some(IncidentId::parse("I9").unwrap()));
        assert!(dapn_in_force(
            crate::time::parse_date("2024-11-27").ok(),
            crate::time::parse_date("2024-12-01").unwrap()
        ));
        assert!(!dapn_in_force(
            None,
            crate::time::parse_date("2024-12-01").unwrap()
        ));
    }
}
