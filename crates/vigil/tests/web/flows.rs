//! The main flows through the HTML forms, as a browser without JavaScript sends them:
//! intake with DASH to routing and actions, duplicate warnings, the one-task pages on a
//! case, and outcomes with the catalogue's rules. Every bad input is answered with
//! field-level messages and nothing is written.

use crate::support::*;

/// A form body from pairs, percent-encoding the values.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".into(),
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A complete intake for a new victim and suspect with `yes` yes-answers of 27.
pub fn intake(csrf: &str, yes: usize, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("call_grade".into(), "emergency".into()),
        ("reported_at".into(), "01/09/2019 21:30".into()),
        ("arrived_at".into(), "01/09/2019 21:48".into()),
        ("lpa".into(), "North".into()),
        ("victim_family_name".into(), "Newfield".into()),
        ("victim_given_names".into(), "Dana".into()),
        ("victim_sex".into(), "female".into()),
        ("victim_birth_date".into(), "12/03/1991".into()),
        ("victim_address".into(), "3 Mill Lane".into()),
        ("victim_postcode".into(), "zz1 3cc".into()),
        ("suspect_family_name".into(), "Newfield".into()),
        ("suspect_given_names".into(), "Evan".into()),
        ("suspect_sex".into(), "male".into()),
        ("relationship".into(), "partner".into()),
        ("children_present".into(), "yes".into()),
        ("action".into(), "save".into()),
    ];
    for q in 1..=27 {
        pairs.push((
            format!("dash_{q}"),
            if q <= yes { "yes" } else { "no" }.into(),
        ));
    }
    for (k, v) in extra {
        if let Some(p) = pairs.iter_mut().find(|(pk, _)| pk == k) {
            p.1 = (*v).into();
        } else {
            pairs.push(((*k).into(), (*v).into()));
        }
    }
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form(&refs)
}

/// Rows of a table, counted from a fresh export of the store (what a user would do).
fn count(srv: &Server, table: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = vigil(&["--db", &srv.db, "export", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = std::fs::read_to_string(out.join(format!("{table}.csv"))).unwrap();
    csv.lines().count() - 1
}

#[test]
fn intake_with_dash_routes_the_case_and_lists_the_actions_due() {
    let srv = start();
    let (officer, csrf) = sign_in(&srv, "officer");
    let page = http(&srv.addr, "GET", "/incidents/new", Some(&officer), None);
    assert_eq!(page.status, 200);
    for text in [
        "Record a domestic abuse incident",
        "dash_27",
        "High-risk indicator",
        "dash-running-count",
        "Professional judgement",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let incidents_before = count(&srv, "incidents");

    // Nothing filled in: every required field is named, nothing is written.
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&form(&[("csrf", &csrf), ("dash_1", "yes")])),
    );
    assert_eq!(r.status, 400);
    for text in [
        "There is a problem",
        "href=\"#call_grade\"",
        "href=\"#reported_at\"",
        "href=\"#lpa\"",
        "href=\"#victim_family_name\"",
        "href=\"#children_present\"",
        "href=\"#dash_2\"",
        "govuk-form-group--error",
    ] {
        assert!(r.body.contains(text), "{text}\n{}", r.body);
    }
    // Impossible times and an unknown area.
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(
            &csrf,
            3,
            &[
                ("arrived_at", "01/09/2019 21:00"),
                ("lpa", "Atlantis"),
                ("victim_birth_date", "31/02/1990"),
            ],
        )),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("cannot arrive before the call was received"),
        "{}",
        r.body
    );
    assert!(r.body.contains("not one of this force"));
    assert!(r.body.contains("is not a date"));
    // What the user typed is kept.
    assert!(r.body.contains("value=\"Newfield\""));
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(&csrf, 3, &[("reported_at", "01/09/2999 21:30")])),
    );
    assert!(r.body.contains("must not be in the future"));
    // Judgement can only raise.
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(
            &csrf,
            16,
            &[
                ("dash_judgement_grade", "medium"),
                ("dash_judgement_reason", "seems calmer"),
            ],
        )),
    );
    assert!(r.body.contains("can only raise the grade"), "{}", r.body);
    // A forged form (no token) is refused.
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake("forged", 3, &[])),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        count(&srv, "incidents"),
        incidents_before,
        "nothing written"
    );

    // "Check the grade" recounts without saving (the no-JavaScript running count).
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(&csrf, 15, &[("action", "check")])),
    );
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("15 yes so far: the score suggests high risk"),
        "{}",
        r.body
    );
    assert_eq!(count(&srv, "incidents"), incidents_before);

    // Saved: high risk with children present.
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(&csrf, 15, &[])),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap().to_owned();
    assert!(location.starts_with("/cases/VI"), "{location}");
    let case = http(&srv.addr, "GET", &location, Some(&officer), None);
    assert_eq!(case.status, 200);
    for text in [
        "Incident recorded",
        "Domestic Abuse Investigation Team (DAIT)",
        "Central Referral Unit (CRU)",
        "Refer to MARAC: visible high risk",
        "Refer the victim to an IDVA",
        "Operation Encompass: tell the children&#39;s school",
        "2 September 2019, 08:30",
        "Secondary risk assessment by a DAIT sergeant",
        "vigil-risk-high",
    ] {
        assert!(case.body.contains(text), "{text}\n{}", case.body);
    }
    assert_eq!(count(&srv, "incidents"), incidents_before + 1);

    // The same people again: a duplicate warning, then a deliberate confirmation.
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(&csrf, 2, &[])),
    );
    assert_eq!(r.status, 409);
    assert!(
        r.body.contains("Possible matches") && r.body.contains("href=\"/people/VP"),
        "{}",
        r.body
    );
    assert!(r.body.contains("confirm_new_people"));
    // Showing the possible matches is a read of their records: audited.
    let trail = text(&vigil(&["--db", &srv.db, "audit", "--actor", "officer"]));
    assert!(
        trail.contains("possible duplicates of a new victim"),
        "{trail}"
    );
    let victim = r
        .body
        .split("href=\"/people/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    // Using the existing victim's reference (and no new suspect): a repeat victim, so the
    // suspect's earlier partner makes no Clare's Law prompt, but a standard case is routed
    // to the Local Policing Team.
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(
            &csrf,
            2,
            &[
                ("victim_id", &victim),
                ("suspect_family_name", ""),
                ("suspect_given_names", ""),
                ("suspect_sex", ""),
                ("children_present", "no"),
                ("reported_at", "02/09/2019 10:00"),
                ("arrived_at", ""),
            ],
        )),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let case = http(
        &srv.addr,
        "GET",
        r.header("location").unwrap(),
        Some(&officer),
        None,
    );
    assert!(case.body.contains("Local Policing Team"), "{}", case.body);
    assert!(!case.body.contains("Operation Encompass:"));

    // Every write is in the audit trail.
    let o = vigil(&[
        "--db", &srv.db, "audit", "--actor", "officer", "--limit", "50",
    ]);
    let t = text(&o);
    for action in [
        "case.create",
        "person.create",
        "assessment.create",
        "case.read",
    ] {
        assert!(t.contains(action), "{action}\n{t}");
    }
}

#[test]
fn intake_finds_people_already_recorded_by_name() {
    let srv = start();
    let (officer, csrf) = sign_in(&srv, "officer");
    let find = intake(
        &csrf,
        2,
        &[
            ("action", "find_victim"),
            ("victim_family_name", "smi"),
            ("victim_given_names", ""),
            ("victim_birth_date", ""),
        ],
    );
    let r = http(&srv.addr, "POST", "/incidents", Some(&officer), Some(&find));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Is it one of these people?"), "{}", r.body);
    assert!(
        r.body.contains("Ann Smith, born 1 January 1990 (P1)"),
        "{}",
        r.body
    );
    assert!(r.body.contains("None of these: a new person"));
    // Nothing is saved by a search, and the search is audited.
    assert!(
        text(&vigil(&["--db", &srv.db, "audit", "--actor", "officer"])).contains("person.search")
    );
    // Choosing the person found records the incident against them.
    let save = intake(
        &csrf,
        2,
        &[
            ("victim_id", "P1"),
            ("victim_family_name", ""),
            ("victim_given_names", ""),
            ("victim_sex", ""),
        ],
    );
    let r = http(&srv.addr, "POST", "/incidents", Some(&officer), Some(&save));
    assert_eq!(r.status, 303, "{}", r.body);
    let case = http(
        &srv.addr,
        "GET",
        r.header("location").unwrap(),
        Some(&officer),
        None,
    );
    assert!(case.body.contains("href=\"/people/P1\""), "{}", case.body);
    // Nobody by that name: say so.
    let none = intake(
        &csrf,
        2,
        &[("action", "find_suspect"), ("suspect_family_name", "Zzyzx")],
    );
    let r = http(&srv.addr, "POST", "/incidents", Some(&officer), Some(&none));
    assert!(
        r.body.contains("Nobody already recorded has that name"),
        "{}",
        r.body
    );
    let empty = intake(
        &csrf,
        2,
        &[("action", "find_suspect"), ("suspect_family_name", "")],
    );
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&empty),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("href=\"#suspect_family_name\""),
        "{}",
        r.body
    );
}

#[test]
fn a_suspect_who_abused_another_partner_prompts_a_clares_law_check() {
    let srv = start();
    let (officer, csrf) = sign_in(&srv, "officer");
    // P2 was the suspect against P1 (partner) and P3 (ex-partner) in the fixture.
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(
            &csrf,
            4,
            &[
                ("suspect_id", "P2"),
                ("suspect_family_name", ""),
                ("suspect_given_names", ""),
                ("suspect_sex", ""),
                ("victim_family_name", "Other"),
                ("victim_given_names", "Fay"),
            ],
        )),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let case = http(
        &srv.addr,
        "GET",
        r.header("location").unwrap(),
        Some(&officer),
        None,
    );
    assert!(case.body.contains("Clare&#39;s Law: consider a right-to-know disclosure; the suspect has been reported for abusing 2 other partners"), "{}", case.body);
}

#[test]
fn investigation_tasks_secondary_assessment_and_outcomes() {
    let srv = start();
    let (sergeant, csrf) = sign_in(&srv, "sergeant");
    // I2 is medium risk: the sergeant's secondary assessment raises it to high.
    let page = http(
        &srv.addr,
        "GET",
        "/cases/I2/assessments/new?stage=secondary",
        Some(&sergeant),
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let mut pairs: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
    for q in 1..=27 {
        pairs.push((
            format!("dash_{q}"),
            if q <= 12 { "yes" } else { "not_known" }.into(),
        ));
    }
    pairs.push(("dash_judgement_grade".into(), "high".into()));
    pairs.push((
        "dash_judgement_reason".into(),
        "Threats to kill repeated to the IDVA after the call".into(),
    ));
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I2/assessments/new?stage=secondary",
        Some(&sergeant),
        Some(&form(&refs)),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/cases/I2?saved=assessment"));
    let case = http(
        &srv.addr,
        "GET",
        r.header("location").unwrap(),
        Some(&sergeant),
        None,
    );
    assert!(case.body.contains("Risk assessment recorded"));
    assert!(case.body.contains("raised the grade"));
    assert!(
        case.body.contains("Central Referral Unit (CRU)"),
        "secondary grade routes: {}",
        case.body
    );

    // An offence: dates checked against the incident.
    let bad = form(&[
        ("csrf", &csrf),
        ("offence_group", "coercive_control"),
        ("offence_date", "01/07/2019"),
    ]);
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I2/offences/new",
        Some(&sergeant),
        Some(&bad),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("cannot be committed after the incident was reported"),
        "{}",
        r.body
    );
    let good = form(&[
        ("csrf", &csrf),
        ("offence_group", "coercive_control"),
        ("offence_date", "01/06/2019"),
        ("recorded_date", "02/06/2019"),
        ("bwv_captured", "true"),
    ]);
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I2/offences/new",
        Some(&sergeant),
        Some(&good),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let case = http(&srv.addr, "GET", "/cases/I2", Some(&sergeant), None);
    let offence = case
        .body
        .split("href=\"/offences/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert!(offence.starts_with("VO"), "{offence}");
    // Routed to the DAIT, at the secondary grade.
    assert!(case.body.contains(">DAIT<"), "{}", case.body);

    // An arrest before the incident is impossible.
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I2/arrests/new",
        Some(&sergeant),
        Some(&form(&[
            ("csrf", &csrf),
            ("person_id", "P2"),
            ("arrested_at", "01/01/2019 10:00"),
        ])),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("cannot be before the incident"));
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I2/arrests/new",
        Some(&sergeant),
        Some(&form(&[
            ("csrf", &csrf),
            ("person_id", "P2"),
            ("offence_id", &offence),
            ("arrested_at", "02/06/2019 10:00"),
            ("bwv_shown_in_interview", "yes"),
            ("disposal", "charge"),
        ])),
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // Outcomes: 16 needs the withdrawal recorded; 21 warns; a stale version is refused.
    let path = format!("/offences/{offence}/outcome");
    let page = http(&srv.addr, "GET", &path, Some(&sergeant), None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"version\" value=\"1\""));
    let r = http(
        &srv.addr,
        "POST",
        &path,
        Some(&sergeant),
        Some(&form(&[
            ("csrf", &csrf),
            ("version", "1"),
            ("code", "16"),
            ("date", "03/06/2019"),
        ])),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("withdrawal"), "{}", r.body);
    let r = http(
        &srv.addr,
        "POST",
        &path,
        Some(&sergeant),
        Some(&form(&[
            ("csrf", &csrf),
            ("version", "1"),
            ("code", "1"),
            ("date", "01/06/2019"),
        ])),
    );
    assert_eq!(r.status, 400, "before it was recorded");
    let r = http(
        &srv.addr,
        "POST",
        &path,
        Some(&sergeant),
        Some(&form(&[
            ("csrf", &csrf),
            ("version", "1"),
            ("code", "21"),
            ("date", "03/06/2019"),
        ])),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Tick to confirm"), "{}", r.body);
    let r = http(
        &srv.addr,
        "POST",
        &path,
        Some(&sergeant),
        Some(&form(&[
            ("csrf", &csrf),
            ("version", "1"),
            ("code", "1"),
            ("date", "03/06/2019"),
        ])),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = http(
        &srv.addr,
        "POST",
        &path,
        Some(&sergeant),
        Some(&form(&[
            ("csrf", &csrf),
            ("version", "1"),
            ("code", "16"),
            ("date", "04/06/2019"),
            ("victim_withdrawal_recorded", "true"),
        ])),
    );
    assert_eq!(r.status, 409, "someone else's change: {}", r.body);
    let case = http(&srv.addr, "GET", "/cases/I2", Some(&sergeant), None);
    assert!(case.body.contains("1 – "), "{}", case.body);

    // A referral clears its action.
    let (cru, cru_csrf) = sign_in(&srv, "cru");
    let before = http(&srv.addr, "GET", "/cases/I2", Some(&cru), None);
    assert!(before.body.contains("Refer the victim to an IDVA"));
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I2/referrals/new",
        Some(&cru),
        Some(&form(&[
            ("csrf", &cru_csrf),
            ("kind", "idva"),
            ("consent", "yes"),
        ])),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let after = http(&srv.addr, "GET", "/cases/I2", Some(&cru), None);
    // Neither an open task (whose row starts with its state tag) nor a rule still asking.
    for open in [
        "</strong></td><td class=\"govuk-table__cell\">Refer the victim to an IDVA",
        "<li>Refer the victim to an IDVA",
    ] {
        assert!(!after.body.contains(open), "{}", after.body);
    }
    assert!(after.body.contains("referral VF"), "done by the referral");
    // The CRU cannot add offences; a response officer cannot do the secondary assessment.
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I2/offences/new",
        Some(&cru),
        Some(&good.replace(&csrf, &cru_csrf)),
    );
    assert_eq!(r.status, 403);
    let (officer, officer_csrf) = sign_in(&srv, "officer");
    let r = http(
        &srv.addr,
        "GET",
        "/cases/I2/assessments/new?stage=secondary",
        Some(&officer),
        None,
    );
    assert_eq!(r.status, 403);
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I2/assessments/new?stage=secondary",
        Some(&officer),
        Some(&form(&refs).replace(&csrf, &officer_csrf)),
    );
    assert_eq!(r.status, 403);
    let o = vigil(&[
        "--db", &srv.db, "audit", "--actor", "officer", "--limit", "20",
    ]);
    assert!(text(&o).contains("assessment.denied"), "{}", text(&o));
}

#[test]
fn search_by_name_reference_and_day() {
    let srv = start();
    let (cru, _) = sign_in(&srv, "cru");
    let r = http(
        &srv.addr,
        "GET",
        "/search?family_name=smi",
        Some(&cru),
        None,
    );
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("href=\"/people/P1\"") && r.body.contains("Ann Smith"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("href=\"/people/P2\""));
    let r = http(&srv.addr, "GET", "/search?reference=I2", Some(&cru), None);
    assert_eq!((r.status, r.header("location")), (303, Some("/cases/I2")));
    let r = http(&srv.addr, "GET", "/search?reference=P3", Some(&cru), None);
    assert_eq!((r.status, r.header("location")), (303, Some("/people/P3")));
    let r = http(&srv.addr, "GET", "/search?reference=NOPE", Some(&cru), None);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("No person or case has the reference"));
    let r = http(
        &srv.addr,
        "GET",
        "/search?date=2019-06-01",
        Some(&cru),
        None,
    );
    assert!(
        r.body.contains("href=\"/cases/I2\"") && !r.body.contains("href=\"/cases/I1\""),
        "{}",
        r.body
    );
    let r = http(&srv.addr, "GET", "/search?date=yesterday", Some(&cru), None);
    assert_eq!(r.status, 400);
    let o = vigil(&["--db", &srv.db, "audit", "--actor", "cru"]);
    assert!(text(&o).contains("person.search"));
    // An analyst has no access to people: searching is not found, and audited.
    let (analyst, _) = sign_in(&srv, "analyst");
    assert_eq!(
        http(
            &srv.addr,
            "GET",
            "/search?family_name=smi",
            Some(&analyst),
            None
        )
        .status,
        404
    );
}

#[test]
fn partner_agencies_see_only_what_is_shared_with_them() {
    let srv = start();
    let (nhs, _) = sign_in(&srv, "nhs");
    let r = http(&srv.addr, "GET", "/shared", Some(&nhs), None);
    assert_eq!(r.status, 200);
    // Health sits at MARAC (R1) but is not told of Operation Encompass notifications (R2).
    assert!(
        r.body.contains("R1") && !r.body.contains("R2"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Ann Smith"));
    assert!(!r.body.contains("High Street"), "no addresses");
    // A school sees MARAC referrals; Operation Encompass reaches a school's key adult by
    // its own rule (the school named on the child), not every education user.
    let (school, _) = sign_in(&srv, "school");
    let r = http(&srv.addr, "GET", "/shared", Some(&school), None);
    assert!(
        r.body.contains("R1") && !r.body.contains("R2"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Refuge Lane"));
    let (officer, _) = sign_in(&srv, "officer");
    assert_eq!(
        http(&srv.addr, "GET", "/shared", Some(&officer), None).status,
        404
    );
}

/// The no-JavaScript "check my count" path on a case's assessment form shows the case, so
/// it is audited like every other read of it.
#[test]
fn the_check_path_on_a_case_form_is_an_audited_read() {
    let srv = start();
    let (cookie, csrf) = sign_in(&srv, "sergeant");
    let reads = || {
        text(&vigil(&[
            "--db",
            &srv.db,
            "audit",
            "--subject",
            "I1",
            "--limit",
            "1000",
        ]))
        .lines()
        .filter(|l| l.contains("case.read") && l.contains("sergeant"))
        .count()
    };
    let before = reads();
    let r = http(
        &srv.addr,
        "POST",
        "/cases/I1/assessments/new?stage=secondary",
        Some(&cookie),
        Some(&format!("csrf={csrf}&action=check&dash_1=yes")),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(reads(), before + 1);
}

/// The sergeant's secondary assessment opens with the officer's primary answers, says what
/// each was, and marks and counts the answers that changed.
#[test]
fn the_secondary_assessment_opens_with_the_primary_answers_and_shows_changes() {
    let srv = start();
    let officer = crate::api::token(&srv, "officer");
    let answers: Vec<&str> = (1..=27)
        .map(|q| if q <= 11 { "yes" } else { "no" })
        .collect();
    let (status, v) = crate::api::api(
        &srv,
        "POST",
        "/api/v1/incidents",
        &officer,
        Some(&serde_json::json!({
            "call_grade": "priority", "reported_at": "2019-09-01T18:05", "lpa": "North",
            "victim": {"id": "P1"}, "suspect": {"id": "P2"},
            "relationship": "partner", "children_present": false,
            "dash": {"answers": answers}
        })),
    );
    assert_eq!(status, 201, "{v}");
    let case = v["incident_id"].as_str().unwrap().to_owned();
    let (sergeant, csrf) = sign_in(&srv, "sergeant");
    let path = format!("/cases/{case}/assessments/new?stage=secondary");
    let form = http(&srv.addr, "GET", &path, Some(&sergeant), None);
    assert_eq!(form.status, 200);
    assert_eq!(
        form.body.matches(" checked").count(),
        27,
        "every answer carried over"
    );
    assert!(
        form.body.contains("0 answers changed so far"),
        "{}",
        form.body
    );
    assert!(form.body.contains("At the primary assessment: yes"));
    assert!(form.body.contains("11 yes so far"));
    // Checking the count with two answers changed marks them.
    let mut posted: Vec<String> = (1..=27)
        .map(|q| format!("dash_{q}={}", if q <= 11 { "yes" } else { "no" }))
        .collect();
    posted[11] = "dash_12=yes".into();
    posted[12] = "dash_13=yes".into();
    let r = http(
        &srv.addr,
        "POST",
        &path,
        Some(&sergeant),
        Some(&format!("csrf={csrf}&action=check&{}", posted.join("&"))),
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("2 answers changed so far"), "{}", r.body);
    assert_eq!(r.body.matches("(changed)").count(), 2);
    assert!(r.body.contains("13 yes so far"));
}

/// Save pressed twice, or the form sent again after its answer was lost: one incident, and
/// the second press goes to it.
#[test]
fn the_intake_form_saves_once_however_often_it_is_sent() {
    let srv = start();
    let (officer, csrf) = sign_in(&srv, "officer");
    let page = http(&srv.addr, "GET", "/incidents/new", Some(&officer), None);
    let key = page
        .body
        .split("name=\"form_key\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let before = count(&srv, "incidents");
    let body = format!("{}&form_key={key}", intake(&csrf, 3, &[]));
    let first = http(&srv.addr, "POST", "/incidents", Some(&officer), Some(&body));
    assert_eq!(first.status, 303, "{}", first.body);
    let second = http(&srv.addr, "POST", "/incidents", Some(&officer), Some(&body));
    assert_eq!(second.status, 303);
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(count(&srv, "incidents"), before + 1);
    // A fresh form is a fresh incident (confirmed as new people).
    let page = http(&srv.addr, "GET", "/incidents/new", Some(&officer), None);
    assert!(!page.body.contains(&key), "each form gets its own key");
}

/// Every form carries its own key, not only intake's: a note sent twice (a double click, a
/// refresh after a lost answer) is one note, and the same form sent with other words after
/// it was saved is refused rather than saved again.
#[test]
fn a_case_form_sent_twice_saves_once() {
    let srv = start();
    let (investigator, _) = sign_in(&srv, "investigator");
    let page = http(
        &srv.addr,
        "GET",
        "/cases/I2/work/note",
        Some(&investigator),
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    // The form's hidden fields as a browser would send them, and the note.
    let pairs: Vec<(String, String)> = page
        .body
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect();
    assert!(pairs.iter().any(|(n, _)| n == "form_key"), "{pairs:?}");
    let with = |pairs: &[(String, String)], text: &str| {
        let mut all: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        all.push(("text", text));
        form(&all)
    };
    let body = |text: &str| with(&pairs, text);
    let note = "Neighbour heard shouting; spoke to her at work.";
    let first = http(
        &srv.addr,
        "POST",
        "/cases/I2/work/note",
        Some(&investigator),
        Some(&body(note)),
    );
    assert_eq!(first.status, 303, "{}", first.body);
    let again = http(
        &srv.addr,
        "POST",
        "/cases/I2/work/note",
        Some(&investigator),
        Some(&body(note)),
    );
    assert_eq!(
        (again.status, again.header("location")),
        (303, first.header("location"))
    );
    let other = http(
        &srv.addr,
        "POST",
        "/cases/I2/work/note",
        Some(&investigator),
        Some(&body("Something else")),
    );
    assert_eq!(other.status, 409, "{}", other.body);
    assert!(other.body.contains("already saved"), "{}", other.body);
    let case = http(&srv.addr, "GET", "/cases/I2", Some(&investigator), None);
    assert_eq!(
        case.body.matches("spoke to her at work").count(),
        1,
        "one note, not two"
    );
    let keyless: Vec<(String, String)> = pairs
        .iter()
        .filter(|(n, _)| n != "form_key")
        .cloned()
        .collect();
    // Without a key (an old page, a script) the form still works as before.
    let keyless = http(
        &srv.addr,
        "POST",
        "/cases/I2/work/note",
        Some(&investigator),
        Some(&with(&keyless, "A keyless note")),
    );
    assert_eq!(keyless.status, 303, "{}", keyless.body);
}
