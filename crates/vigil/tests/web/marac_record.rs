//! What MARAC writes down, used as its people would: the CRU's referral form with the
//! diversity questions the return counts, a partner's referral, the coordinator's record of
//! the meeting, the chair's approval, the minutes with the address only where an agency's
//! part needs it, a transfer to another area, and the overdue actions on work lists.

use crate::api::{api, token};
use crate::marac::marac_referral;
use crate::support::*;
use serde_json::json;

fn set_clock(srv: &Server, utc: &str) {
    srv.clock
        .as_ref()
        .unwrap()
        .set(vigil_web::clock::parse_clock(utc).unwrap());
}

#[test]
fn a_meeting_is_recorded_approved_and_its_minutes_go_to_those_who_attended() {
    let srv = start();
    let cru = token(&srv, "cru");
    add_user(
        &srv.db,
        "housing",
        "partner_agency",
        &["--agency", "housing", "--lpa", "North"],
    );
    add_user(
        &srv.db,
        "surgery",
        "partner_agency",
        &["--agency", "health", "--lpa", "North"],
    );
    add_user(
        &srv.db,
        "idva",
        "partner_agency",
        &["--agency", "idva", "--lpa", "North"],
    );

    // The CRU refers Ann Smith (high risk, 15 ticks) with the form's answers; the form is
    // checked field by field.
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/referrals",
        &cru,
        Some(&marac_referral(
            json!({"referrer_phone": "ring me", "sexuality": ""}),
        )),
    );
    assert_eq!(status, 422, "{v}");
    let fields = v.to_string();
    assert!(
        fields.contains("referrer_phone") && fields.contains("sexuality"),
        "{v}"
    );
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/referrals",
        &cru,
        Some(&marac_referral(json!({
            "sexuality": "bisexual", "disability": "yes", "judgement_reason": ""
        }))),
    );
    assert_eq!(
        status, 201,
        "the DASH count is the ground, no judgement needed: {v}"
    );
    let ann = v["id"].as_str().unwrap().to_owned();
    // Cat Brown (medium risk): professional judgement, with a reason.
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I2/referrals",
        &cru,
        Some(&marac_referral(json!({"judgement_reason": ""}))),
    );
    assert_eq!(status, 422, "no criterion met, no reason given: {v}");
    assert!(v.to_string().contains("judgement_reason"), "{v}");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I2/referrals",
        &cru,
        Some(&marac_referral(json!({}))),
    );
    assert_eq!(status, 201, "{v}");
    let cat = v["id"].as_str().unwrap().to_owned();

    // The coordinator plans the North meeting; the chair may not.
    let coordinator = token(&srv, "coordinator");
    let chair = token(&srv, "chair");
    let meeting = json!({"area": "North", "held_on": "03/09/2019", "venue": "Room 4"});
    let (status, _) = api(
        &srv,
        "POST",
        "/api/v1/marac/meetings",
        &chair,
        Some(&meeting),
    );
    assert_eq!(status, 403);
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/marac/meetings",
        &coordinator,
        Some(&meeting),
    );
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    let path = |what: &str| format!("/api/v1/marac/meetings/{id}/{what}");
    let (status, agenda) = api(&srv, "GET", &path("agenda"), &chair, None);
    assert_eq!(status, 200, "{agenda}");
    let on_agenda: Vec<String> = agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["referral_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        on_agenda.contains(&ann) && on_agenda.contains(&cat),
        "{agenda}"
    );

    // Before the meeting's day nothing of it can be recorded.
    let discuss = |who: &str, referral: &str, risk: &str| {
        api(
            &srv,
            "POST",
            &path("discussions"),
            who,
            Some(&json!({
                "referral_id": referral,
                "discussion": "Police and housing to act on the threats; IDVA to keep contact",
                "risk_after": risk
            })),
        )
    };
    let (status, v) = discuss(&chair, &ann, "high");
    assert_eq!(status, 409, "{v}");
    set_clock(&srv, "2019-09-03T10:00:00Z");

    // Attendance, by agency; an unknown agency or an empty list is refused (on the page,
    // the problem is on the first agency's field, where the summary links).
    let (coord_page, coord_csrf) = sign_in(&srv, "coordinator");
    let r = http(
        &srv.addr,
        "POST",
        &format!("/marac/meetings/{id}/attendance"),
        Some(&coord_page),
        Some(&crate::flows::form(&[
            ("csrf", &coord_csrf),
            ("attendees-police", ""),
        ])),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("href=\"#attendees-police\""), "{}", r.body);
    let attend =
        |body: serde_json::Value| api(&srv, "PUT", &path("attendance"), &coordinator, Some(&body));
    let (status, v) = attend(json!({"attendance": [{"agency": "wizards", "attendees": "Merlin"}]}));
    assert_eq!(status, 422, "{v}");
    let (status, v) = attend(json!({"attendance": []}));
    assert_eq!(status, 422, "{v}");
    let (status, v) = attend(json!({"attendance": [
        {"agency": "police", "attendees": "DS Example (CRU)"},
        {"agency": "health", "attendees": "Named GP safeguarding lead"},
        {"agency": "housing", "attendees": "Housing options officer"}
    ]}));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 3);
    let (status, _) = api(
        &srv,
        "PUT",
        &path("attendance"),
        &chair,
        Some(&json!({"attendance": [{"agency": "police", "attendees": "x y"}]})),
    );
    assert_eq!(status, 403, "attendance is the coordinator's");

    // The chair cannot approve until every case is discussed.
    let (status, v) = api(&srv, "POST", &path("approval"), &chair, None);
    assert_eq!(status, 422, "{v}");
    let (status, v) = discuss(&chair, &ann, "extreme");
    assert_eq!(status, 422, "{v}");
    for r in &on_agenda {
        let (status, v) = discuss(&chair, r, "high");
        assert_eq!(status, 201, "{v}");
    }
    // Actions: one for the police, one for housing.
    for (owner, what) in [
        ("police", "Flag the address for an urgent response"),
        ("housing", "Sanctuary scheme: fit a door alarm"),
    ] {
        let (status, v) = api(
            &srv,
            "POST",
            &path("actions"),
            &coordinator,
            Some(&json!({
                "referral_id": ann, "about": "victim", "owner": owner,
                "description": what, "due": "2019-09-10"
            })),
        );
        assert_eq!(status, 201, "{v}");
    }
    // A draft: the coordinator and chair read it; the agencies do not yet.
    let housing = token(&srv, "housing");
    let (status, _) = api(&srv, "GET", &path("minutes"), &housing, None);
    assert_eq!(status, 404, "draft minutes are not circulated");
    let (status, draft) = api(&srv, "GET", &path("minutes"), &coordinator, None);
    assert_eq!(status, 200, "{draft}");
    assert_eq!(draft["approved_at"], serde_json::Value::Null);
    assert_eq!(draft["addresses_shown"], false);
    assert!(!draft.to_string().contains("High Street"), "{draft}");

    let (status, v) = api(&srv, "POST", &path("approval"), &coordinator, None);
    assert_eq!(status, 403, "approval is the chair's: {v}");
    let (status, v) = api(&srv, "POST", &path("approval"), &chair, None);
    assert_eq!(status, 201, "{v}");
    let (status, _) = api(&srv, "POST", &path("approval"), &chair, None);
    assert_eq!(status, 409);
    let (status, _) = discuss(&chair, &ann, "medium");
    assert_eq!(status, 409, "the record is closed once approved");

    // Circulated: housing (attended, acts on the address) sees Ann's address; health
    // (attended) does not; the IDVA service and the school (absent) see nothing.
    let (status, m) = api(&srv, "GET", &path("minutes"), &housing, None);
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["addresses_shown"], true);
    let ann_case = m["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["referral_id"] == ann.as_str())
        .unwrap()
        .clone();
    assert_eq!(ann_case["address"], "1 High Street, ZZ1 1AA", "{m}");
    assert_eq!(ann_case["risk_after"], "high");
    assert_eq!(ann_case["actions"].as_array().unwrap().len(), 2);
    // Cat Brown lives in a refuge: never in the minutes.
    assert!(!m.to_string().contains("Refuge Lane"), "{m}");
    let gp = token(&srv, "surgery");
    let (status, m) = api(&srv, "GET", &path("minutes"), &gp, None);
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["addresses_shown"], false);
    assert!(!m.to_string().contains("High Street"), "{m}");
    for absent in ["idva", "school"] {
        let t = token(&srv, absent);
        let (status, _) = api(&srv, "GET", &path("minutes"), &t, None);
        assert_eq!(status, 404, "{absent}");
    }
    // The page says the same.
    let (page, _) = sign_in(&srv, "housing");
    let r = http(
        &srv.addr,
        "GET",
        &format!("/marac/meetings/{id}/minutes"),
        Some(&page),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("1 High Street") && !r.body.contains("Refuge Lane"));

    // Housing's work: its action, overdue once its day has passed, on its home page.
    set_clock(&srv, "2019-09-12T10:00:00Z");
    let home = http(&srv.addr, "GET", "/", Some(&page), None);
    assert!(
        home.body.contains("1 open, 1 overdue") && home.body.contains("fit a door alarm"),
        "{}",
        home.body
    );
    assert!(
        !home.body.contains("urgent response"),
        "the police's action is not housing's"
    );
    // The coordinator chases both.
    let (coord_page, _) = sign_in(&srv, "coordinator");
    let home = http(&srv.addr, "GET", "/", Some(&coord_page), None);
    assert!(
        home.body.contains("2 open, 2 overdue") && home.body.contains("MARAC actions to chase"),
        "{}",
        home.body
    );

    // Every person the minutes named was audited for the reader.
    let o = vigil(&[
        "--db", &srv.db, "audit", "--actor", "housing", "--limit", "1000",
    ]);
    assert!(
        text(&o).contains("minutes of MARAC meeting"),
        "{}",
        text(&o)
    );

    // The return counts the form's answers: Ann is LGBT and disabled; two forms in North.
    let analyst = token(&srv, "analyst");
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/marac/return?from=2019-09-01&to=2019-09-12",
        &analyst,
        None,
    );
    assert_eq!(status, 200, "{v}");
    let north = v["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["marac_area"] == "North")
        .unwrap()
        .clone();
    assert_eq!(
        (
            north["lgbt_victims"].as_u64(),
            north["disabled_victims"].as_u64(),
            north["cases_with_diversity_recorded"].as_u64()
        ),
        (Some(1), Some(1), Some(2)),
        "{v}"
    );
}

#[test]
fn a_partner_refers_and_a_case_moves_to_another_area() {
    // A second MARAC area for the force (its LPA holds no records in the fixture).
    let mut rules = vigil_domain::tasks::ClockRules::default();
    rules.marac_areas.of_lpa.insert(
        vigil_domain::Lpa::parse("South").unwrap(),
        "South".to_owned(),
    );
    // South meets every other Tuesday from 10 September, hearing one case a meeting.
    rules.marac_meets.insert(
        "South".to_owned(),
        vigil_domain::marac_meeting::Pattern {
            first: vigil_domain::time::parse_date("2019-09-10").unwrap(),
            every_weeks: 2,
            capacity: 1,
        },
    );
    let srv = start_with_rules("2019-09-02T09:00:00Z", rules);
    let nhs = token(&srv, "nhs");
    let partner = |victim: serde_json::Value, extra: serde_json::Value| {
        let mut body = json!({
            "victim": victim, "lpa": "North", "perpetrator_name": "Bob Jones",
            "children_in_household": "yes", "dash_score": "16", "consent": "yes",
            "referrer_phone": "01245 000111", "victim_wishes": "Help to leave safely",
            "consent_sought": "yes", "judgement_reason": "", "disability": "no",
            "sexuality": "heterosexual", "transgender": "no"
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        api(&srv, "POST", "/api/v1/marac/referrals", &nhs, Some(&body))
    };
    let ann = json!({"family_name": "Smith", "given_names": "Ann", "sex": "female", "birth_date": "1990-01-01"});
    // Field by field: an area that is not the force's, a DASH count past 27.
    let (status, v) = partner(ann.clone(), json!({"lpa": "Atlantis", "dash_score": "30"}));
    assert_eq!(status, 422, "{v}");
    assert!(
        v.to_string().contains("\"lpa\"") && v.to_string().contains("dash_score"),
        "{v}"
    );
    // Below the area's threshold with no reason: professional judgement must say why.
    let (status, v) = partner(ann.clone(), json!({"dash_score": "9"}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("judgement_reason"), "{v}");
    // Ann Smith, born 1 January 1990: the force holds her (P1), so no new person.
    let (status, v) = partner(ann, json!({}));
    assert_eq!(status, 201, "{v}");
    let rid = v["id"].as_str().unwrap().to_owned();
    let cru = token(&srv, "cru");
    let (status, refs) = api(&srv, "GET", "/api/v1/people/P1", &cru, None);
    assert_eq!(status, 200);
    assert!(refs.to_string().contains(&rid), "{refs}");
    // Someone the force does not hold is recorded afresh.
    let (status, v) = partner(
        json!({"family_name": "Newcombe", "given_names": "Dee", "sex": "female", "birth_date": "1991-02-03"}),
        json!({}),
    );
    assert_eq!(status, 201, "{v}");
    let dee = v["id"].as_str().unwrap().to_owned();
    // Health sees its own referral in its list, with the detail.
    let (status, v) = api(&srv, "GET", &format!("/api/v1/shared/{rid}"), &nhs, None);
    assert_eq!(status, 200, "{v}");
    // The police refer from the case, not on this form.
    let (status, _) = api(
        &srv,
        "POST",
        "/api/v1/marac/referrals",
        &cru,
        Some(&json!({})),
    );
    assert_eq!(status, 403);

    // Both are on North's next agenda; the coordinator moves Dee's to South, where she now
    // lives: off North's agenda, on South's.
    let coordinator = token(&srv, "coordinator");
    let plan = |area: &str, day: &str| {
        let (status, v) = api(
            &srv,
            "POST",
            "/api/v1/marac/meetings",
            &coordinator,
            Some(&json!({"area": area, "held_on": day, "venue": "Online"})),
        );
        assert_eq!(status, 201, "{v}");
        v["id"].as_i64().unwrap()
    };
    let north = plan("North", "03/09/2019");
    // Off South's pattern: refused, naming its days, unless it is an extra meeting.
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/marac/meetings",
        &coordinator,
        Some(&json!({"area": "South", "held_on": "11/09/2019", "venue": "Online"})),
    );
    assert_eq!(status, 422, "{v}");
    assert!(
        v.to_string()
            .contains("10 September 2019, 24 September 2019"),
        "{v}"
    );
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/marac/meetings",
        &coordinator,
        Some(&json!({"area": "South", "held_on": "12/09/2019", "venue": "Online", "extra": true})),
    );
    assert_eq!(status, 201, "an extra meeting: {v}");
    let south = plan("South", "10/09/2019");
    let agenda = |id: i64| {
        let (status, v) = api(
            &srv,
            "GET",
            &format!("/api/v1/marac/meetings/{id}/agenda"),
            &coordinator,
            None,
        );
        assert_eq!(status, 200, "{v}");
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["referral_id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let before = agenda(north);
    assert!(before.contains(&rid) && before.contains(&dee), "{before:?}");
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/marac/meetings/{north}/transfers"),
        &coordinator,
        Some(&json!({"referral_id": dee, "to_area": "north", "reason": "Moved"})),
    );
    assert_eq!(status, 422, "not to the same MARAC: {v}");
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/marac/meetings/{north}/transfers"),
        &coordinator,
        Some(
            &json!({"referral_id": dee, "to_area": "South", "reason": "Moved to her sister's in South"}),
        ),
    );
    assert_eq!(status, 201, "{v}");
    assert!(!agenda(north).contains(&dee));
    assert!(agenda(south).contains(&dee));
    // South's meeting is full with Dee's case; Ann's transferred too puts it over.
    let (page, _) = sign_in(&srv, "coordinator");
    let shown = http(
        &srv.addr,
        "GET",
        &format!("/marac/meetings/{south}"),
        Some(&page),
        None,
    );
    assert!(shown.body.contains("1 of 1 places taken"), "{}", shown.body);
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/marac/meetings/{north}/transfers"),
        &coordinator,
        Some(&json!({"referral_id": rid, "to_area": "South", "reason": "Moving in with Dee"})),
    );
    assert_eq!(status, 201, "{v}");
    let shown = http(
        &srv.addr,
        "GET",
        &format!("/marac/meetings/{south}"),
        Some(&page),
        None,
    );
    assert!(
        shown
            .body
            .contains("Over capacity: 2 cases for a meeting that hears 1"),
        "{}",
        shown.body
    );
    // A partner cannot transfer.
    let (status, _) = api(
        &srv,
        "POST",
        &format!("/api/v1/marac/meetings/{south}/transfers"),
        &nhs,
        Some(&json!({"referral_id": dee, "to_area": "North", "reason": "Moved back"})),
    );
    assert_eq!(status, 403);
    // A week later, to another force's MARAC: the case leaves the force's agendas.
    set_clock(&srv, "2019-09-09T10:00:00Z");
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/marac/meetings/{south}/transfers"),
        &coordinator,
        Some(
            &json!({"referral_id": dee, "to_area": "Suffolk (Ipswich MARAC)", "reason": "Moved to a refuge in Ipswich"}),
        ),
    );
    assert_eq!(status, 201, "{v}");
    assert!(!agenda(south).contains(&dee));
}
