//! The store's use cases through the `Store` trait, against each backend: a fresh SQLite
//! file and a fresh PostgreSQL database per test. Every story runs on both (see `stories!`
//! at the end); a behaviour that differs between the backends fails here.

use vigil_domain::time::{parse_date, parse_datetime};
use vigil_domain::*;
use vigil_store::{ExtractInfo, StoreError};

mod fresh;
mod parity;
mod postgres_audit;
use fresh::{Backend, Fresh, empty};

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn records() -> RecordSet {
    let person = |id: &str, sex| Person {
        id: PersonId::parse(id).unwrap(),
        sex,
        birth_date: None,
        ethnicity: Ethnicity::White,
        lpa: Some(Lpa::parse("North").unwrap()),
        identity: Identity::default(),
        address_confidential: false,
    };
    RecordSet {
        persons: vec![person("V", Sex::Female), person("S", Sex::Male)],
        incidents: vec![Incident {
            id: IncidentId::parse("I").unwrap(),
            reported_at: parse_datetime("2019-01-01T10:00:00").unwrap(),
            lpa: Lpa::parse("North").unwrap(),
            call_grade: CallGrade::Emergency,
            arrived_at: None,
            response_target_met: None,
            victim_id: PersonId::parse("V").unwrap(),
            suspect_id: Some(PersonId::parse("S").unwrap()),
            relationship: Relationship::Partner,
            children_present: false,
            risk_level: None,
            dash_yes_count: None,
        }],
        offences: vec![Offence {
            id: OffenceId::parse("O").unwrap(),
            incident_id: IncidentId::parse("I").unwrap(),
            ho_code: None,
            offence_group: OffenceGroup::ViolenceWithInjury,
            offence_date: d("2019-01-01"),
            recorded_date: d("2019-01-02"),
            victim_id: PersonId::parse("V").unwrap(),
            suspect_id: None,
            risk_level: None,
            team: InvestigatingTeam::Lpt,
            outcome: None,
            bwv_captured: false,
        }],
        ..RecordSet::default()
    }
}

fn audit() -> vigil_store::AuditEntry {
    vigil_store::AuditEntry {
        at: parse_datetime("2019-09-01T12:00:00").unwrap(),
        actor: "tester".into(),
        action: "test.write".into(),
        subject_kind: "test".into(),
        subject_id: "x".into(),
        reason: None,
    }
}

async fn store(backend: Backend) -> Fresh {
    let s = empty(backend).await;
    s.import_records(
        &records(),
        &ExtractInfo {
            source: "test".into(),
            as_of: d("2019-09-01"),
        },
    )
    .await
    .unwrap();
    s
}

async fn outcomes_use_optimistic_concurrency_and_the_outcome_rules(backend: Backend) {
    let s = store(backend).await;
    let id = OffenceId::parse("O").unwrap();
    let v = s.offence(&id).await.unwrap();
    assert_eq!(v.version, 1);
    let charged = Outcome {
        code: OutcomeCode::of("1"),
        date: d("2019-02-01"),
    };
    assert_eq!(
        s.record_outcome(&id, charged, false, 1, &[], &audit())
            .await
            .unwrap(),
        2
    );
    // A second editor still holding version 1 is refused, and the first edit stands.
    let err = s
        .record_outcome(&id, charged, false, 1, &[], &audit())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 1,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
    // Outcome 16 needs a recorded withdrawal when recorded through Vigil.
    let withdrawn = Outcome {
        code: OutcomeCode::of("16"),
        date: d("2019-02-01"),
    };
    let err = s
        .record_outcome(&id, withdrawn, false, 2, &[], &audit())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");
    assert!(err.to_string().contains("withdrawal"));
    assert_eq!(
        s.record_outcome(&id, withdrawn, true, 2, &[], &audit())
            .await
            .unwrap(),
        3
    );
    let before_recording = Outcome {
        code: OutcomeCode::of("1"),
        date: d("2018-12-31"),
    };
    assert!(matches!(
        s.record_outcome(&id, before_recording, false, 3, &[], &audit())
            .await,
        Err(StoreError::Rejected(_))
    ));
    let stored = s.offence(&id).await.unwrap();
    assert_eq!(stored.version, 3);
    assert_eq!(stored.record.outcome, Some(withdrawn));
    assert!(matches!(
        s.offence(&OffenceId::parse("nope").unwrap()).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn an_import_that_breaks_integrity_writes_nothing(backend: Backend) {
    let s = store(backend).await;
    let mut again = records();
    again.persons.truncate(0);
    again.incidents[0].id = IncidentId::parse("I2").unwrap();
    // The offence repeats a stored id: the whole transaction must roll back, including the
    // new incident that came before it.
    let err = s
        .import_records(
            &again,
            &ExtractInfo {
                source: "again".into(),
                as_of: d("2019-09-01"),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Integrity(_)), "{err}");
    let counts = s.table_counts().await.unwrap();
    assert_eq!(counts[1], ("incidents", 1));
    assert_eq!(s.extract_info().await.unwrap().unwrap().source, "test");
    assert_eq!(s.export_records().await.unwrap(), records());
}

async fn migrating_twice_is_harmless(backend: Backend) {
    let s = store(backend).await;
    s.migrate().await.unwrap();
    s.migrate().await.unwrap();
    assert_eq!(s.export_records().await.unwrap(), records());
}

async fn a_dangling_reference_into_an_empty_store_writes_nothing(backend: Backend) {
    let s = empty(backend).await;
    let mut bad = records();
    bad.offences[0].incident_id = IncidentId::parse("nowhere").unwrap();
    let err = s
        .import_records(
            &bad,
            &ExtractInfo {
                source: "bad".into(),
                as_of: d("2019-09-01"),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Integrity(_)), "{err}");
    assert!(err.to_string().contains("nowhere"));
    assert!(s.table_counts().await.unwrap().iter().all(|(_, n)| *n == 0));
    assert!(s.extract_info().await.unwrap().is_none());
    // The same set, mended, goes in.
    s.import_records(
        &records(),
        &ExtractInfo {
            source: "good".into(),
            as_of: d("2019-09-01"),
        },
    )
    .await
    .unwrap();
    assert_eq!(s.export_records().await.unwrap(), records());
}

fn entry(action: &str, subject: &str) -> vigil_store::AuditEntry {
    vigil_store::AuditEntry {
        at: parse_datetime("2026-11-27T09:00:00").unwrap(),
        actor: "admin".into(),
        action: action.into(),
        subject_kind: "user".into(),
        subject_id: subject.into(),
        reason: None,
    }
}

async fn users_are_added_once_disabled_and_reset_with_every_act_audited(backend: Backend) {
    use vigil_domain::access::{Role, Username};
    use vigil_store::{AuditQuery, NewUser};
    let s = store(backend).await;
    let ann = Username::parse("ann.smith").unwrap();
    let new = NewUser {
        username: ann.clone(),
        display_name: "Ann Smith".into(),
        role: Role::DaitSergeant,
        agency: None,
        lpa: Some(Lpa::parse("North").unwrap()),
        password_hash: "$argon2id$stub".into(),
    };
    let u = s
        .add_user(&new, &entry("user.add", "ann.smith"))
        .await
        .unwrap();
    assert_eq!(u.role, Role::DaitSergeant);
    assert_eq!(u.lpa.as_ref().map(|l| l.as_str()), Some("North"));
    assert!(matches!(
        s.add_user(&new, &entry("user.add", "ann.smith")).await,
        Err(StoreError::Conflict { .. })
    ));
    s.set_user_disabled(&ann, true, &entry("user.disable", "ann.smith"))
        .await
        .unwrap();
    assert!(s.user(&ann).await.unwrap().unwrap().disabled);
    s.set_password_hash(&ann, "$argon2id$other", &entry("user.reset", "ann.smith"))
        .await
        .unwrap();
    assert_eq!(
        s.user(&ann).await.unwrap().unwrap().password_hash,
        "$argon2id$other"
    );
    let nobody = Username::parse("nobody").unwrap();
    assert!(matches!(
        s.set_user_disabled(&nobody, true, &entry("user.disable", "nobody"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let trail = s
        .audit_trail(&AuditQuery {
            subject_id: Some("ann.smith".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|r| r.entry.action.as_str()).collect();
    assert_eq!(
        actions,
        ["user.reset", "user.disable", "user.add"],
        "newest first; the refused duplicate left no entry"
    );
    assert_eq!(s.verify_audit_chain().await.unwrap(), None);
    assert_eq!(s.users().await.unwrap().len(), 1);
}

async fn sessions_live_until_they_expire_end_or_the_user_is_disabled(backend: Backend) {
    use vigil_domain::access::{Role, Username};
    use vigil_store::NewUser;
    let s = store(backend).await;
    let ann = Username::parse("ann").unwrap();
    let u = s
        .add_user(
            &NewUser {
                username: ann.clone(),
                display_name: "Ann".into(),
                role: Role::CruOfficer,
                agency: None,
                lpa: None,
                password_hash: "h".into(),
            },
            &entry("user.add", "ann"),
        )
        .await
        .unwrap();
    let t = |x: &str| parse_datetime(x).unwrap();
    s.create_session(
        &vigil_store::NewSession {
            user_id: u.id,
            token_hash: "tokenhash",
            csrf_token: "csrf",
            created_at: t("2026-11-27T09:00:00"),
            expires_at: t("2026-11-27T17:00:00"),
            idle_expires_at: Some(t("2026-11-27T10:30:00")),
        },
        &entry("session.start", "ann"),
    )
    .await
    .unwrap();
    // Left unused past its inactivity deadline, a session is over; used, it moves on.
    assert!(
        s.session("tokenhash", t("2026-11-27T10:30:01"))
            .await
            .unwrap()
            .is_none(),
        "idle"
    );
    s.touch_session("tokenhash", t("2026-11-27T11:00:00"))
        .await
        .unwrap();
    assert!(
        s.session("tokenhash", t("2026-11-27T10:45:00"))
            .await
            .unwrap()
            .is_some(),
        "touched"
    );
    let live = s
        .session("tokenhash", t("2026-11-27T10:00:00"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (live.user.username.as_str(), live.csrf_token.as_str()),
        ("ann", "csrf")
    );
    assert!(
        s.session("tokenhash", t("2026-11-27T17:00:01"))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        s.session("other", t("2026-11-27T10:00:00"))
            .await
            .unwrap()
            .is_none(),
        "unknown"
    );
    s.set_user_disabled(&ann, true, &entry("user.disable", "ann"))
        .await
        .unwrap();
    assert!(
        s.session("tokenhash", t("2026-11-27T10:00:00"))
            .await
            .unwrap()
            .is_none(),
        "disabled"
    );
    s.set_user_disabled(&ann, false, &entry("user.enable", "ann"))
        .await
        .unwrap();
    s.end_session("tokenhash", &entry("session.end", "ann"))
        .await
        .unwrap();
    assert!(
        s.session("tokenhash", t("2026-11-27T10:00:00"))
            .await
            .unwrap()
            .is_none(),
        "ended"
    );
    assert_eq!(s.verify_audit_chain().await.unwrap(), None);
}

async fn a_person_and_their_history(backend: Backend) {
    let s = store(backend).await;
    let v = s.person(&PersonId::parse("V").unwrap()).await.unwrap();
    assert_eq!(v.record.sex, Sex::Female);
    assert_eq!(
        s.incidents_of(&PersonId::parse("S").unwrap())
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        s.person(&PersonId::parse("X").unwrap()).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn records_made_in_vigil_get_fresh_ids_and_are_written_whole_or_not_at_all(backend: Backend) {
    let s = store(backend).await;
    let ids = s.new_ids(RecordKind::Incident, 2).await.unwrap();
    assert_eq!(ids, ["VI0000001", "VI0000002"]);
    assert_eq!(
        s.new_ids(RecordKind::Incident, 1).await.unwrap(),
        ["VI0000003"]
    );
    assert_eq!(
        s.new_ids(RecordKind::Person, 1).await.unwrap(),
        ["VP0000001"]
    );
    let before = s
        .audit_trail(&vigil_store::AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    let revision = s.revision().await.unwrap();

    // An incident whose victim does not exist: nothing is written, not even the audit row.
    let mut bad = records();
    bad.persons.clear();
    bad.offences.clear();
    bad.incidents[0].id = IncidentId::parse(&ids[0]).unwrap();
    bad.incidents[0].victim_id = PersonId::parse("nobody").unwrap();
    let err = s.add_records(&bad, &[audit()]).await.unwrap_err();
    assert!(matches!(err, StoreError::Integrity(_)), "{err}");
    assert!(s.case_file(&bad.incidents[0].id).await.is_err());
    let after = s
        .audit_trail(&vigil_store::AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    assert_eq!(before, after);
    assert_eq!(s.revision().await.unwrap(), revision);

    let mut good = bad.clone();
    good.incidents[0].victim_id = PersonId::parse("V").unwrap();
    s.add_records(&good, &[audit()]).await.unwrap();
    assert_eq!(
        s.case_file(&good.incidents[0].id).await.unwrap().incident,
        good.incidents[0]
    );
    assert!(s.revision().await.unwrap() > revision);
    assert_eq!(s.verify_audit_chain().await.unwrap(), None);
}

async fn a_secondary_assessment_regrades_the_offences(backend: Backend) {
    let s = store(backend).await;
    let a = RiskAssessment {
        id: AssessmentId::parse("A2").unwrap(),
        incident_id: IncidentId::parse("I").unwrap(),
        stage: risk::AssessmentStage::Secondary,
        instrument: risk::InstrumentKind::Dash,
        assessed_at: parse_datetime("2019-01-02T10:00:00").unwrap(),
        answers: String::new(),
        yes_count: 15,
        grade: RiskGrade::High,
        judgement_raised: false,
    };
    s.add_secondary_assessment(&a, &audit()).await.unwrap();
    let o = s.offence(&OffenceId::parse("O").unwrap()).await.unwrap();
    assert_eq!(o.record.risk_level, Some(RiskGrade::High));
    assert_eq!(o.version, 2);
}

async fn people_are_found_by_the_start_of_their_name_and_wildcards_are_literal(backend: Backend) {
    let s = store(backend).await;
    let mut set = RecordSet::default();
    for (id, family, given) in [
        ("A1", "Smith", "Ann"),
        ("A2", "Smithson", "Bea"),
        ("A3", "Smi%th", "Cat"),
        ("A4", "Jones", "Ann"),
    ] {
        set.persons.push(Person {
            id: PersonId::parse(id).unwrap(),
            sex: Sex::Female,
            birth_date: Some(d("1990-01-01")),
            ethnicity: Ethnicity::White,
            lpa: None,
            identity: Identity {
                family_name: Some(family.into()),
                given_names: Some(given.into()),
                ..Identity::default()
            },
            address_confidential: false,
        });
    }
    s.add_records(&set, &[audit()]).await.unwrap();
    let find = |family: &str, given: Option<&str>| {
        let q = vigil_store::PersonSearch {
            family_name: family.into(),
            whole_family_name: false,
            given_names: given.map(Into::into),
            birth_date: None,
            limit: 10,
        };
        let s = s.clone();
        async move {
            s.search_people(&q)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.id.to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find("smith", None).await, ["A1", "A2"]);
    assert_eq!(find("SMITHSON", None).await, ["A2"]);
    assert_eq!(find("smi%", None).await, ["A3"]);
    assert_eq!(find("smith", Some("b")).await, ["A2"]);
    assert!(find("brown", None).await.is_empty());
    let whole = vigil_store::PersonSearch {
        family_name: "SMITH".into(),
        whole_family_name: true,
        limit: 10,
        ..Default::default()
    };
    let ids: Vec<String> = s
        .search_people(&whole)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(ids, ["A1"], "the whole name: Smith, not Smithson");
    let day = s.incidents_on(d("2019-01-01"), None, 10).await.unwrap();
    assert_eq!(day.len(), 1);
    assert!(
        s.incidents_on(d("2019-01-02"), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

stories!(
    outcomes_use_optimistic_concurrency_and_the_outcome_rules,
    an_import_that_breaks_integrity_writes_nothing,
    migrating_twice_is_harmless,
    a_dangling_reference_into_an_empty_store_writes_nothing,
    users_are_added_once_disabled_and_reset_with_every_act_audited,
    sessions_live_until_they_expire_end_or_the_user_is_disabled,
    a_person_and_their_history,
    records_made_in_vigil_get_fresh_ids_and_are_written_whole_or_not_at_all,
    a_secondary_assessment_regrades_the_offences,
    people_are_found_by_the_start_of_their_name_and_wildcards_are_literal,
);
