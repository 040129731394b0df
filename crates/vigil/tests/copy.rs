//! Moving and keeping a store: `vigil copy` between backends, `vigil backup` and
//! `vigil restore`. Everything comes across — records, users, id counters, the audit
//! trail with its chain — and a copy never merges into a store that holds anything.

use std::path::Path;

mod common;
use common::*;

fn handwritten() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/handwritten")
        .to_string_lossy()
        .into_owned()
}

fn ok(args: &[&str]) -> String {
    let o = vigil(args);
    assert!(o.status.success(), "{args:?}: {}", text(&o));
    text(&o)
}

/// A SQLite store with records, a user, a record made in Vigil and an audit trail.
fn seeded(dir: &Path) -> String {
    let db = dir.join("trial.db").to_string_lossy().into_owned();
    ok(&["--db", &db, "import", &handwritten()]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args([
            "--db",
            &db,
            "user",
            "add",
            "ann.smith",
            "--role",
            "dait_sergeant",
            "--name",
            "Ann Smith",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"lantern orbit velvet\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    ok(&["--db", &db, "user", "disable", "ann.smith"]);
    work_a_case(&db);
    db
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Works incident I1 in Vigil: its live state (saved twice, so its version is 2), a log of
/// notes and an allocation, and two tasks, one done.
fn work_a_case(db: &str) {
    use vigil_domain::access::Username;
    use vigil_domain::casework::{CaseEntry, CaseEvent, CaseState};
    use vigil_domain::tasks::{Task, TaskKind, WorkTeam};
    use vigil_domain::time::parse_datetime;
    let at = |s: &str| parse_datetime(s).unwrap();
    let incident = vigil_domain::IncidentId::parse("I1").unwrap();
    let lpa = vigil_domain::Lpa::parse("North").unwrap();
    let ann = Username::parse("ann.smith").unwrap();
    let mut state = CaseState::new(incident.clone(), lpa.clone(), at("2019-01-06T09:00:00"));
    let task = |kind, due: &str, done: Option<(&str, &str)>| Task {
        incident_id: incident.clone(),
        kind,
        key: String::new(),
        label: "a task".into(),
        team: WorkTeam::Dait,
        lpa: lpa.clone(),
        officer: Some(ann.clone()),
        due: at(due),
        done: done.map(|(t, by)| (at(t), by.to_owned())),
    };
    let note = |t: &str, text: &str| CaseEvent {
        at: at(t),
        actor: "ann.smith".into(),
        entry: CaseEntry::Note { text: text.into() },
    };
    runtime().block_on(async {
        let store = vigil_store_open::open(db, &Default::default())
            .await
            .unwrap();
        let mut change = vigil_store::CaseChange::new(state.clone(), None);
        change.log = vec![note(
            "2019-01-06T09:00:00",
            "First note, with a comma, and \"quotes\"",
        )];
        change.tasks = vec![task(
            TaskKind::InvestigationReview,
            "2019-02-03T23:59:59",
            None,
        )];
        store.save_case(&change, &[]).await.unwrap();
        state.allocated_to = Some(ann.clone());
        let mut change = vigil_store::CaseChange::new(state, Some(1));
        change.log = vec![
            CaseEvent {
                at: at("2019-01-06T10:00:00"),
                actor: "ann.smith".into(),
                entry: CaseEntry::Allocated {
                    to: Some(ann.clone()),
                },
            },
            note("2019-01-06T10:05:00", "Second note"),
        ];
        change.tasks = vec![
            task(TaskKind::InvestigationReview, "2019-02-03T23:59:59", None),
            task(
                TaskKind::SecondaryAssessment,
                "2019-01-08T09:00:00",
                Some(("2019-01-07T11:00:00", "assessment A9")),
            ),
        ];
        store.save_case(&change, &[]).await.unwrap();
        let prefs = vigil_domain::contact::ContactPreferences {
            person_id: vigil_domain::PersonId::parse("P1").unwrap(),
            method: vigil_domain::casework::ContactMethod::Text,
            safe_number: Some("07700900123".into()),
            safe_times: "weekdays".into(),
            avoid: "no voicemail".into(),
            recorded_at: at("2019-01-06T10:10:00"),
            recorded_by: "ann.smith".into(),
        };
        let audit = vigil_store::AuditEntry {
            at: at("2019-01-06T10:10:00"),
            actor: "ann.smith".into(),
            action: "person.contact_preferences".into(),
            subject_kind: "person".into(),
            subject_id: "P1".into(),
            reason: None,
        };
        store
            .save_contact_preferences(&prefs, None, &audit)
            .await
            .unwrap();
        store
            .save_contact_preferences(&prefs, Some(1), &audit)
            .await
            .unwrap();
        // The partnership's records come across too: a restriction, a MARAC meeting with
        // an action (done), an Operation Encompass notification (acknowledged) and an IDVA
        // case.
        let r = vigil_domain::restriction::Restriction::new(
            vigil_domain::restriction::Subject::parse("person", "P1").unwrap(),
            vigil_domain::restriction::Ground::ForceEmployee,
            "",
            vec![ann.clone()],
            vec![vigil_domain::restriction::TeamAccess::parse("cru@North").unwrap()],
            ann.clone(),
            at("2019-01-06T10:20:00"),
        )
        .unwrap();
        store.set_restriction(&r, &audit).await.unwrap();
        let meeting = store
            .add_meeting(
                &vigil_domain::marac_meeting::Meeting {
                    id: 0,
                    area: "North".into(),
                    held_on: vigil_domain::time::parse_date("2019-01-15").unwrap(),
                    venue: "Room 4".into(),
                    created_by: ann.clone(),
                    created_at: at("2019-01-06T10:30:00"),
                },
                &audit,
            )
            .await
            .unwrap();
        store
            .save_research(
                &vigil_domain::marac_meeting::Research {
                    meeting_id: meeting.id,
                    referral_id: vigil_domain::ReferralId::parse("R1").unwrap(),
                    agency: vigil_domain::Agency::Health,
                    text: "Two A&E visits".into(),
                    recorded_by: ann.clone(),
                    recorded_at: at("2019-01-14T10:00:00"),
                },
                &audit,
            )
            .await
            .unwrap();
        let action = store
            .add_marac_action(
                &vigil_domain::marac_actions::Action {
                    id: 0,
                    meeting_id: meeting.id,
                    referral_id: vigil_domain::ReferralId::parse("R1").unwrap(),
                    person_id: vigil_domain::PersonId::parse("P1").unwrap(),
                    about: vigil_domain::marac_actions::ActionFor::Victim,
                    owner: vigil_domain::Agency::Housing,
                    description: "Fit a door alarm".into(),
                    due: vigil_domain::time::parse_date("2019-01-22").unwrap(),
                    created_by: ann.clone(),
                    created_at: at("2019-01-15T11:00:00"),
                    done: None,
                },
                &audit,
            )
            .await
            .unwrap();
        assert!(
            store
                .complete_marac_action(
                    action.id,
                    at("2019-01-20T09:00:00"),
                    &ann,
                    "Alarm fitted",
                    &audit
                )
                .await
                .unwrap()
        );
        // What MARAC wrote down: a referral form, attendance, a discussion, the chair's
        // approval and a transfer.
        use vigil_domain::marac_record as mr;
        store
            .save_marac(
                &vigil_store::MaracChange {
                    forms: vec![mr::ReferralForm {
                        referral_id: vigil_domain::ReferralId::parse("R1").unwrap(),
                        person_id: vigil_domain::PersonId::parse("P1").unwrap(),
                        referred_at: at("2019-01-06T09:00:00"),
                        agency: vigil_domain::Agency::Police,
                        referrer: ann.clone(),
                        referrer_name: "Ann Smith".into(),
                        referrer_phone: "01245 491491".into(),
                        perpetrator_id: Some(vigil_domain::PersonId::parse("P2").unwrap()),
                        perpetrator_name: String::new(),
                        children_in_household: mr::Answer::Yes,
                        dash_score: Some(15),
                        grounds: "visible high risk (14 or more yes answers)".into(),
                        judgement_reason: String::new(),
                        victim_wishes: "To stay at home safely".into(),
                        consent_sought: true,
                        consent: Some(false),
                        disability: mr::Answer::NotKnown,
                        sexuality: mr::Sexuality::Declined,
                        transgender: mr::Answer::No,
                        transferred_from: "Suffolk (Ipswich MARAC)".into(),
                    }],
                    attendance: Some((
                        meeting.id,
                        vec![mr::Attendance {
                            meeting_id: meeting.id,
                            agency: vigil_domain::Agency::Housing,
                            attendees: "Housing options officer".into(),
                            recorded_by: ann.clone(),
                            recorded_at: at("2019-01-15T10:00:00"),
                        }],
                    )),
                    discussions: vec![mr::Discussion {
                        meeting_id: meeting.id,
                        referral_id: vigil_domain::ReferralId::parse("R1").unwrap(),
                        person_id: vigil_domain::PersonId::parse("P1").unwrap(),
                        discussion: "Sanctuary scheme agreed".into(),
                        risk_after: vigil_domain::RiskGrade::Medium,
                        recorded_by: ann.clone(),
                        recorded_at: at("2019-01-15T10:30:00"),
                    }],
                    approval: Some(mr::Approval {
                        meeting_id: meeting.id,
                        approved_by: ann.clone(),
                        approved_at: at("2019-01-15T12:00:00"),
                    }),
                    transfers: vec![mr::Transfer {
                        referral_id: vigil_domain::ReferralId::parse("R1").unwrap(),
                        person_id: vigil_domain::PersonId::parse("P1").unwrap(),
                        from_area: "North".into(),
                        to_area: "South".into(),
                        reason: "Moved".into(),
                        transferred_by: ann.clone(),
                        transferred_at: at("2019-01-16T09:00:00"),
                    }],
                    ..Default::default()
                },
                std::slice::from_ref(&audit),
            )
            .await
            .unwrap();
        // A Clare's Law application, past its contact (version 2), its decision pending.
        let application = vigil_domain::dvds::Application {
            id: vigil_domain::DisclosureId::parse("D9").unwrap(),
            route: vigil_domain::DisclosureRoute::RightToAsk,
            subject_id: vigil_domain::PersonId::parse("P2").unwrap(),
            at_risk_id: vigil_domain::PersonId::parse("P1").unwrap(),
            applicant: vigil_domain::dvds::Applicant::ThirdParty,
            applicant_name: "Jo Smith, her mother".into(),
            lpa: lpa.clone(),
            incident_id: None,
            evidence: vec![incident.clone()],
            received_at: at("2019-01-06T13:00:00"),
            received_by: ann.clone(),
            contact: None,
            meeting: None,
            checks: None,
            panel: None,
            outcome: None,
            declined: None,
        };
        store
            .save_dvds(&application, None, &[], std::slice::from_ref(&audit))
            .await
            .unwrap();
        let contacted = application
            .apply(
                &vigil_domain::dvds::Step::Contact {
                    immediate_risk: true,
                    notes: "Safeguarded the same day".into(),
                },
                &ann,
                at("2019-01-06T15:00:00"),
            )
            .unwrap();
        store
            .save_dvds(&contacted, Some(1), &[], std::slice::from_ref(&audit))
            .await
            .unwrap();
        // A DVPN, authorised, served and breached (its notice record mirrored).
        use vigil_domain::protective as pr;
        let notice = pr::NoticeCase {
            id: vigil_domain::OrderId::parse("O9").unwrap(),
            kind: vigil_domain::OrderKind::Dvpn,
            subject_id: vigil_domain::PersonId::parse("P2").unwrap(),
            protected_id: vigil_domain::PersonId::parse("P1").unwrap(),
            incident_id: Some(incident.clone()),
            lpa: lpa.clone(),
            applied_by: ann.clone(),
            applied_at: at("2019-01-06T16:00:00"),
            grounds: "Assault and threats".into(),
            considered: pr::Considered {
                children_welfare: "None".into(),
                victim_view: "Wants him away".into(),
                representations: "None given".into(),
                other_occupants: "None".into(),
            },
            conditions: "Not to enter the address".into(),
            address_for_service: String::new(),
            authorised: None,
            served: None,
            adjourned_to: None,
            decision: None,
            order: None,
            notified_at: None,
            victim_told: Vec::new(),
            breaches: Vec::new(),
        };
        let notice = notice
            .apply(
                &pr::Step::Authorise {
                    rank: Some(vigil_domain::access::Rank::Superintendent),
                },
                &ann,
                at("2019-01-06T16:30:00"),
                None,
            )
            .and_then(|n| {
                n.apply(
                    &pr::Step::Serve {
                        at: at("2019-01-06T17:00:00"),
                        address_for_service: String::new(),
                    },
                    &ann,
                    at("2019-01-06T17:05:00"),
                    None,
                )
            })
            .and_then(|n| {
                n.apply(
                    &pr::Step::VictimTold {
                        about: "Served tonight".into(),
                    },
                    &ann,
                    at("2019-01-06T17:10:00"),
                    None,
                )
            })
            .and_then(|n| {
                n.apply(
                    &pr::Step::Breach {
                        at: at("2019-01-06T23:00:00"),
                        details: "Returned to the house; arrested".into(),
                        case: None,
                    },
                    &ann,
                    at("2019-01-06T23:30:00"),
                    None,
                )
            })
            .unwrap();
        store
            .save_notice(&notice, None, std::slice::from_ref(&audit))
            .await
            .unwrap();
        let now = store.case_work(&incident).await.unwrap();
        let mut change = vigil_store::CaseChange::new(now.state.unwrap().record, Some(2));
        change.tasks = now.tasks;
        change.encompass = vec![vigil_domain::encompass::Notification {
            referral_id: vigil_domain::ReferralId::parse("R9").unwrap(),
            incident_id: incident.clone(),
            child_id: vigil_domain::PersonId::parse("P3").unwrap(),
            school: "Mill Lane Primary".into(),
            lpa: lpa.clone(),
            child_present: true,
            voice_of_child: String::new(),
            circumstances: "Police attended.".into(),
            due: at("2019-01-07T08:30:00"),
            acknowledged: None,
        }];
        let mash = vigil_domain::mash::MashCase {
            referral_id: vigil_domain::ReferralId::parse("R8").unwrap(),
            person_id: vigil_domain::PersonId::parse("P1").unwrap(),
            incident_id: Some(incident.clone()),
            lpa: lpa.clone(),
            referred_at: at("2019-01-06T12:00:00"),
            referred_by: ann.clone(),
            about: vigil_domain::mash::Subject::Children,
            children: vec![vigil_domain::PersonId::parse("P3").unwrap()],
            concern: "Children present at a serious assault".into(),
            research: None,
            decision: None,
            outcome_read_at: None,
        };
        change.mash = vec![mash.clone()];
        store.save_case(&change, &[]).await.unwrap();
        let researched = mash
            .apply(
                &vigil_domain::mash::Step::Research {
                    text: "Nothing held".into(),
                },
                &ann,
                at("2019-01-07T09:00:00"),
            )
            .unwrap();
        assert_eq!(
            store.save_mash_case(&researched, 1, &audit).await.unwrap(),
            2
        );
        assert!(
            store
                .acknowledge_encompass(
                    &vigil_domain::ReferralId::parse("R9").unwrap(),
                    at("2019-01-07T08:00:00"),
                    &ann,
                    &audit,
                )
                .await
                .unwrap()
        );
        let idva = vigil_domain::idva::IdvaCase::new(
            vigil_domain::ReferralId::parse("R1").unwrap(),
            vigil_domain::PersonId::parse("P1").unwrap(),
            at("2019-01-06T09:00:00"),
        )
        .apply(
            &vigil_domain::idva::Step::Accept,
            &ann,
            at("2019-01-06T11:00:00"),
        )
        .unwrap();
        store.save_idva_case(&idva, None, &audit).await.unwrap();
        // A cohort run (one in it, one who left) and an owner who reviewed.
        use vigil_domain::cohort as co;
        let member = |id: &str, rank: Option<u32>, movement: co::Movement| co::RunMember {
            person_id: vigil_domain::PersonId::parse(id).unwrap(),
            rank,
            movement,
            previous_rank: None,
            score: 48.3,
            r: 1.0,
            f: 0.4,
            g: 0.18,
            v: 2.0 / 3.0,
            incidents: 4,
            victims: 2,
            last_incident: Some(at("2019-01-06T00:00:00").date()),
            serial: true,
            reasons: "4 incidents in 24 months, the last today; 2 victims".into(),
        };
        let run = co::Run {
            id: 0,
            kind: co::CohortKind::Perpetrator,
            lpa: lpa.clone(),
            as_of: at("2019-01-07T00:00:00").date(),
            run_at: at("2019-01-07T06:00:00"),
            run_by: "schedule".into(),
            configuration: co::CohortConfig::default().to_text(),
            members: vec![
                member("P2", Some(1), co::Movement::Entered),
                member("P4", None, co::Movement::Left),
            ],
        };
        assert_eq!(store.save_cohort_run(&run, &[]).await.unwrap(), 1);
        let owner = co::Allocation::new(
            co::CohortKind::Perpetrator,
            lpa.clone(),
            vigil_domain::PersonId::parse("P2").unwrap(),
            ann.clone(),
            "Refer to a perpetrator programme",
            at("2019-01-14T00:00:00").date(),
            &ann,
            at("2019-01-07T10:00:00"),
            14,
        )
        .unwrap()
        .record(
            co::ActionKind::Review,
            "Reviewed with the sergeant",
            "",
            None,
            &ann,
            at("2019-01-08T10:00:00"),
            14,
        )
        .unwrap();
        store
            .save_cohort_allocation(&owner, None, std::slice::from_ref(&audit))
            .await
            .unwrap();
        store.close().await;
    });
}

/// A store's casework: live states with versions, logs in order, tasks.
fn casework(db: &str) -> vigil_store::Casework {
    runtime().block_on(async {
        let store = vigil_store_open::open(db, &Default::default())
            .await
            .unwrap();
        let work = store.casework().await.unwrap();
        store.close().await;
        work
    })
}

/// What a store holds, as its export and its users and trail print.
fn contents(db: &str, dir: &Path, name: &str) -> (Vec<(String, Vec<u8>)>, String, String) {
    let out = dir.join(name);
    ok(&["--db", db, "export", out.to_str().unwrap()]);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    let users = ok(&["--db", db, "user", "list"]);
    let trail = ok(&["--db", db, "audit", "--limit", "1000"]);
    (files, users, trail)
}

#[test]
fn a_store_copies_to_postgresql_and_back_whole() {
    let Some(pg) = new_postgres_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let trial = seeded(dir.path());
    let before = contents(&trial, dir.path(), "before");

    let said = ok(&["copy", "--from", &trial, "--to", &pg]);
    assert!(said.contains("the audit trail verifies"), "{said}");
    assert!(ok(&["--db", &pg, "audit", "--verify"]).contains("intact"));

    let back = dir.path().join("back.db").to_string_lossy().into_owned();
    ok(&["copy", "--from", &pg, "--to", &back]);
    let after = contents(&back, dir.path(), "after");
    assert_eq!(before.0, after.0, "the records differ after two copies");
    let work = casework(&trial);
    assert_eq!(work.states[0].version, 3);
    assert_eq!((work.log.len(), work.tasks.len()), (3, 2));
    assert_eq!(
        (
            work.restrictions.len(),
            work.meetings.len(),
            work.actions.len(),
            work.encompass.len(),
            work.idva.len(),
            work.research.len()
        ),
        (1, 1, 1, 1, 1, 1)
    );
    assert_eq!(work.cohort_runs.len(), 1);
    assert_eq!(work.cohort_runs[0].members.len(), 2);
    assert_eq!(work.cohort_allocations.len(), 1);
    assert_eq!(work.cohort_allocations[0].record.actions.len(), 1);
    assert_eq!(work.notices.len(), 1);
    assert_eq!(
        (
            work.notices[0].record.victim_told.len(),
            work.notices[0].record.breaches.len()
        ),
        (1, 1)
    );
    assert_eq!(work.dvds.len(), 1);
    assert_eq!(work.dvds[0].version, 2);
    assert!(work.dvds[0].record.contact.as_ref().is_some_and(|c| c.2));
    assert_eq!(work.mash.len(), 1);
    assert_eq!(work.mash[0].version, 2);
    assert!(work.mash[0].record.research.is_some());
    let m = &work.marac;
    assert_eq!(
        (
            m.forms.len(),
            m.attendance.len(),
            m.discussions.len(),
            m.approvals.len(),
            m.transfers.len()
        ),
        (1, 1, 1, 1, 1)
    );
    assert!(work.actions[0].done.is_some() && work.encompass[0].acknowledged.is_some());
    assert_eq!(work.contacts.len(), 1);
    assert_eq!(work.contacts[0].version, 2);
    assert_eq!(work, casework(&pg), "the casework differs in PostgreSQL");
    assert_eq!(
        work,
        casework(&back),
        "the casework differs after two copies"
    );
    assert_eq!(before.1, after.1, "the users differ");
    // The copied trail is the same trail: the copies' own reads of it come after.
    assert!(after.2.contains(before.2.lines().nth(1).unwrap()));
    assert!(
        after.1.contains("ann.smith") && after.1.contains("disabled"),
        "{}",
        after.1
    );
    // Every copy is audited where the records left and where they arrived.
    assert!(
        after.2.contains("store.copy") && after.2.contains("store.copied_in"),
        "{}",
        after.2
    );

    // A copy never merges into a store that holds anything.
    let o = vigil(&["copy", "--from", &trial, "--to", &pg]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is not empty"), "{}", text(&o));
    // A password never shows in what Vigil prints about a URL.
    let with_password = pg.replacen("vigil@", "vigil:hunter2@", 1);
    let o = vigil(&["copy", "--from", &trial, "--to", &with_password]);
    assert!(!text(&o).contains("hunter2"), "{}", text(&o));
}

#[test]
fn a_backup_is_a_consistent_store_that_restores_into_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let trial = seeded(dir.path());
    let before = contents(&trial, dir.path(), "before");
    let file = dir.path().join("backup.db").to_string_lossy().into_owned();
    let said = ok(&["--db", &trial, "backup", "--out", &file]);
    assert!(said.contains("its audit trail verifies"), "{said}");
    assert!(ok(&["--db", &trial, "audit", "--limit", "5"]).contains("store.backup"));
    // A backup is never written over an existing file.
    let o = vigil(&["--db", &trial, "backup", "--out", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("already exists"));

    let restored = new_store(dir.path(), "restored.db");
    ok(&["--db", &restored, "restore", "--from", &file]);
    let after = contents(&restored, dir.path(), "after");
    assert_eq!(before.0, after.0);
    assert_eq!(casework(&trial), casework(&restored));
    assert_eq!(casework(&trial).log.len(), 3);
    assert_eq!(before.1, after.1);
    // Restoring over a store that holds records is refused.
    let o = vigil(&["--db", &trial, "restore", "--from", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not empty"), "{}", text(&o));
}
