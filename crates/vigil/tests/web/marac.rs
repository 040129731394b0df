//! The MARAC return on the page, as downloads and through the API: the last whole quarter
//! by default, a period typed as people write dates, and only for the roles that run it.

use crate::api::{api, token};
use crate::support::*;

#[test]
fn the_marac_return_for_a_quarter_on_the_page_in_files_and_by_api() {
    let srv = start();
    let (analyst, _) = sign_in(&srv, "analyst");
    // The clock is 2 September 2019: the last whole quarter is April to June.
    let r = http(&srv.addr, "GET", "/marac/return", Some(&analyst), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("1 April 2019 to 30 June 2019: 1 case"),
        "{}",
        r.body
    );
    // R1: Ann Smith (North), referred by the police on 1 April 2019, her first.
    assert!(r.body.contains("North"), "{}", r.body);
    assert!(r.body.contains("How it was counted"));
    let r = http(
        &srv.addr,
        "GET",
        "/marac/return?from=01%2F01%2F2019&to=31%2F08%2F2019&format=csv",
        Some(&analyst),
        None,
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = r.body.lines().collect();
    assert!(
        lines[0].starts_with("marac_area,cases,repeat_cases,"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("North,1,0,0.0,"), "{}", r.body);
    assert!(lines[2].starts_with("Total,1,0,"), "{}", r.body);
    let r = http(
        &srv.addr,
        "GET",
        "/marac/return?from=2019-04-01&to=2019-06-30&format=xlsx",
        Some(&analyst),
        None,
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-disposition").unwrap().contains(".xlsx"));
    // Mistakes are named; nothing is computed.
    for (q, says) in [
        ("from=31%2F02%2F2019&to=30%2F06%2F2019", "href=\"#from\""),
        (
            "from=30%2F06%2F2019&to=01%2F04%2F2019",
            "on or after the first day",
        ),
        (
            "from=2019-04-01&to=2019-06-30&format=pdf",
            "Choose csv or xlsx",
        ),
    ] {
        let r = http(
            &srv.addr,
            "GET",
            &format!("/marac/return?{q}"),
            Some(&analyst),
            None,
        );
        assert_eq!(r.status, 400, "{q}");
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    // Not for a response officer or a partner agency.
    for user in ["officer", "nhs"] {
        let (c, _) = sign_in(&srv, user);
        assert_eq!(
            http(&srv.addr, "GET", "/marac/return", Some(&c), None).status,
            404
        );
    }
    // The API gives the same figures.
    let t = token(&srv, "analyst");
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/marac/return?from=2019-04-01&to=2019-06-30",
        &t,
        None,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"]["cases"], 1);
    assert_eq!(v["areas"][0]["marac_area"], "North");
    assert_eq!(v["areas"][0]["referred_by"]["police"], 1);
    assert_eq!(v["recommended_per_10k"], 40.0);
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/marac/return?from=2019-06-30&to=2019-04-01",
        &t,
        None,
    );
    assert_eq!(status, 422, "{v}");
    let t = token(&srv, "officer");
    assert_eq!(api(&srv, "GET", "/api/v1/marac/return", &t, None).0, 403);
    let o = vigil(&["--db", &srv.db, "audit", "--actor", "analyst"]);
    assert!(text(&o).contains("marac.return"), "{}", text(&o));
}

/// The CRU plans a meeting; its agenda holds the area's MARAC referrals since the last
/// meeting, cases with children first, a repeat marked.
#[test]
fn a_meetings_agenda_puts_children_first_and_marks_repeats() {
    use serde_json::json;
    let srv = start();
    let officer = token(&srv, "officer");
    let cru = token(&srv, "cru");
    let intake = |victim: serde_json::Value, children: bool| -> String {
        let (status, v) = api(
            &srv,
            "POST",
            "/api/v1/incidents",
            &officer,
            Some(&json!({
                "call_grade": "emergency", "reported_at": "2019-09-01T21:00", "lpa": "North",
                "victim": victim, "suspect": {"id": "P2"}, "relationship": "partner",
                "children_present": children
            })),
        );
        assert_eq!(status, 201, "{v}");
        v["incident_id"].as_str().unwrap().to_owned()
    };
    let adult = intake(
        json!({"family_name": "Ivory", "given_names": "Ada", "sex": "female", "birth_date": "1980-01-01"}),
        false,
    );
    let known = intake(json!({"id": "P1"}), false);
    let family = intake(
        json!({"family_name": "Jade", "given_names": "Bea", "sex": "female", "birth_date": "1985-01-01"}),
        true,
    );
    for case in [&adult, &known, &family] {
        let (status, v) = api(
            &srv,
            "POST",
            &format!("/api/v1/cases/{case}/referrals"),
            &cru,
            Some(&marac_referral(json!({"consent": "not_known"}))),
        );
        assert_eq!(status, 201, "{v}");
    }
    // Planned on the page; a second meeting of the area that day, or an unknown area, is
    // refused by field.
    let (page, csrf) = sign_in(&srv, "cru");
    let plan = |area: &str, day: &str| {
        http(
            &srv.addr,
            "POST",
            "/marac/meetings",
            Some(&page),
            Some(&crate::flows::form(&[
                ("csrf", &csrf),
                ("area", area),
                ("held_on", day),
                ("venue", "Room 4, Chelmsford"),
            ])),
        )
    };
    let r = plan("North", "03/09/2019");
    assert_eq!(r.status, 303, "{}", r.body);
    let agenda_path = r.header("location").unwrap().to_owned();
    let r = plan("North", "03/09/2019");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("already meets"), "{}", r.body);
    let r = plan("Atlantis", "04/09/2019");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("not one of the force"), "{}", r.body);
    // The agenda: the family first; Ann Smith (referred in April) a repeat.
    let a = http(&srv.addr, "GET", &agenda_path, Some(&page), None);
    assert_eq!(a.status, 200, "{}", a.body);
    let (children_at, adults_at) = (
        a.body.find("Cases with children").unwrap(),
        a.body.find("Adult-only cases").unwrap(),
    );
    let jade = a.body.find("Bea Jade").unwrap();
    assert!(children_at < jade && jade < adults_at, "{}", a.body);
    assert!(
        a.body.contains("Ann Smith") && a.body.contains("Repeat"),
        "{}",
        a.body
    );
    let id = agenda_path.rsplit('/').next().unwrap();
    let (status, v) = api(
        &srv,
        "GET",
        &format!("/api/v1/marac/meetings/{id}/agenda"),
        &cru,
        None,
    );
    assert_eq!(status, 200, "{v}");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{v}");
    assert_eq!(items[0]["incident_id"], family.as_str());
    assert_eq!(items[0]["children"], true);
    let p1 = items.iter().find(|i| i["person_id"] == "P1").unwrap();
    assert_eq!(
        (p1["repeat"].as_bool(), p1["review"].as_bool()),
        (Some(true), Some(false))
    );
    // The agencies that sit at MARAC research their cases before the meeting; the meeting
    // sees what each holds.
    let nhs = token(&srv, "nhs");
    let (status, listed) = api(&srv, "GET", "/api/v1/marac/meetings", &nhs, None);
    assert_eq!(status, 200, "{listed}");
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/marac/meetings/{id}/research"),
        &nhs,
        Some(
            &json!({"referral_id": items[0]["referral_id"], "text": "Known to the GP: two A&E visits with injuries this year"}),
        ),
    );
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["agency"], "health");
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/marac/meetings/{id}/research"),
        &nhs,
        Some(&json!({"referral_id": "R1", "text": "Nothing held"})),
    );
    assert_eq!(status, 422, "R1 is not on this agenda: {v}");
    let (nhs_page, _) = sign_in(&srv, "nhs");
    let seen = http(&srv.addr, "GET", &agenda_path, Some(&nhs_page), None);
    assert_eq!(seen.status, 200);
    assert!(
        !seen.body.contains("Add an action"),
        "only the CRU adds actions"
    );
    let a = http(&srv.addr, "GET", &agenda_path, Some(&page), None);
    assert!(a.body.contains("two A&amp;E visits"), "{}", a.body);
    // Action plans: one for the police, one for housing.
    let family_ref = items[0]["referral_id"].as_str().unwrap().to_owned();
    let add = |body: serde_json::Value| {
        api(
            &srv,
            "POST",
            &format!("/api/v1/marac/meetings/{id}/actions"),
            &cru,
            Some(&body),
        )
    };
    let (status, v) = add(json!({
        "referral_id": family_ref, "about": "victim", "owner": "housing",
        "description": "Sanctuary scheme: fit a door alarm", "due": "2019-08-30"
    }));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("on or after the meeting"), "{v}");
    let (status, v) = add(json!({
        "referral_id": "R1", "about": "victim", "owner": "housing",
        "description": "Sanctuary scheme: fit a door alarm", "due": "2019-09-17"
    }));
    assert_eq!(status, 422, "R1 is not on this agenda: {v}");
    let (status, housing_action) = add(json!({
        "referral_id": family_ref, "about": "victim", "owner": "housing",
        "description": "Sanctuary scheme: fit a door alarm", "due": "2019-09-17"
    }));
    assert_eq!(status, 201, "{housing_action}");
    let (status, _) = add(json!({
        "referral_id": family_ref, "about": "perpetrator", "owner": "police",
        "description": "Flag the address for an urgent response", "due": "2019-09-04"
    }));
    assert_eq!(status, 201);
    let action_id = housing_action["id"].as_i64().unwrap();
    // Housing in the area sees that action only, and completes it with evidence.
    add_user(
        &srv.db,
        "housing.north",
        "partner_agency",
        &["--agency", "housing", "--lpa", "North"],
    );
    let housing = token(&srv, "housing.north");
    let (_, mine) = api(&srv, "GET", "/api/v1/marac/actions", &housing, None);
    let mine = mine.as_array().unwrap().clone();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["owner"], "housing");
    assert!(
        !serde_json::Value::Array(mine.clone())
            .to_string()
            .contains("Flag the address")
    );
    let complete = |t: &str, evidence: &str| {
        api(
            &srv,
            "POST",
            &format!("/api/v1/marac/actions/{action_id}/completion"),
            t,
            Some(&json!({"evidence": evidence})),
        )
        .0
    };
    assert_eq!(
        complete(&nhs, "Fitted the alarm on Friday."),
        404,
        "not health's action"
    );
    assert_eq!(complete(&housing, "done"), 422);
    assert_eq!(
        complete(&housing, "Door alarm fitted on 10 September."),
        200
    );
    assert_eq!(
        complete(&housing, "Door alarm fitted on 10 September."),
        409
    );
    let (_, health) = api(&srv, "GET", "/api/v1/marac/actions", &nhs, None);
    assert_eq!(health.as_array().unwrap().len(), 0, "{health}");
    // The CRU sees the police's action; the agenda shows both, one done.
    let (_, police) = api(&srv, "GET", "/api/v1/marac/actions", &cru, None);
    assert_eq!(police.as_array().unwrap().len(), 1, "{police}");
    let a = http(&srv.addr, "GET", &agenda_path, Some(&page), None);
    assert!(
        a.body.contains("Sanctuary scheme") && a.body.contains("Flag the address"),
        "{}",
        a.body
    );
    let (housing_page, _) = sign_in(&srv, "housing.north");
    let mine = http(
        &srv.addr,
        "GET",
        "/marac/actions",
        Some(&housing_page),
        None,
    );
    assert!(
        mine.body.contains("Door alarm fitted on 10 September."),
        "{}",
        mine.body
    );
    // Who was listed is in the trail; others may not plan or read.
    let o = vigil(&["--db", &srv.db, "audit", "--subject", "P1"]);
    assert!(text(&o).contains("agenda of MARAC meeting"), "{}", text(&o));
    let (off, _) = sign_in(&srv, "officer");
    assert_eq!(
        http(&srv.addr, "GET", &agenda_path, Some(&off), None).status,
        404
    );
    assert_eq!(
        api(&srv, "GET", "/api/v1/marac/meetings", &officer, None).0,
        403
    );
}

/// A repeat MARAC referral is raised at intake for an incident between the same victim
/// and perpetrator within 12 months of the last referral, and not for another perpetrator.
#[test]
fn a_repeat_is_raised_at_intake_for_the_same_victim_and_perpetrator() {
    use serde_json::json;
    let srv = start();
    let officer = token(&srv, "officer");
    let intake = |victim: serde_json::Value, suspect: &str, at: &str| -> serde_json::Value {
        let (status, v) = api(
            &srv,
            "POST",
            "/api/v1/incidents",
            &officer,
            Some(&json!({
                "call_grade": "priority", "reported_at": at, "lpa": "North",
                "victim": victim, "suspect": {"id": suspect}, "relationship": "partner",
                "children_present": false,
                "dash": {"answers": vec!["no"; 27]}
            })),
        );
        assert_eq!(status, 201, "{v}");
        v
    };
    let first = intake(
        json!({"family_name": "Umber", "given_names": "Una", "sex": "female", "birth_date": "1979-05-05"}),
        "P2",
        "2019-09-01T20:00",
    );
    let case = first["incident_id"].as_str().unwrap().to_owned();
    let (_, c) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{case}"),
        &officer,
        None,
    );
    let victim = c["incident"]["victim_id"].as_str().unwrap().to_owned();
    // The CRU's referral that evening, as the records system exported it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("referrals.csv"),
        format!(
            "referral_id,kind,person_id,incident_id,referred_at,agency,consent\nRM1,marac,{victim},{case},2019-09-01T22:00:00,police,\n"
        ),
    )
    .unwrap();
    // Every extract has its two core tables, here empty (the people are already stored).
    std::fs::write(
        dir.path().join("persons.csv"),
        "person_id,sex,birth_date,ethnicity,lpa,address_confidential\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("incidents.csv"),
        "incident_id,reported_at,lpa,call_grade,arrived_at,response_target_met,victim_id,suspect_id,relationship,children_present,risk_level,dash_yes_count\n",
    )
    .unwrap();
    let o = vigil(&[
        "--db",
        &srv.db,
        "import",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2019-09-01",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let marac = |v: &serde_json::Value| -> Option<String> {
        v["actions_due"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == "marac_referral")
            .map(|a| a.to_string())
    };
    // The same perpetrator again: a repeat referral is due.
    let again = intake(json!({"id": victim}), "P2", "2019-09-02T08:00");
    let said = marac(&again).expect("a MARAC referral is due");
    assert!(said.contains("repeat"), "{said}");
    // Another perpetrator (Cat Brown's record stands in): no repeat.
    let other = intake(json!({"id": victim}), "P3", "2019-09-02T08:30");
    assert!(
        marac(&other).is_none_or(|s| !s.contains("repeat")),
        "{other}"
    );
}

/// A police MARAC referral's body: the referral form's answers, with `extra` over them.
pub fn marac_referral(extra: serde_json::Value) -> serde_json::Value {
    let mut body = serde_json::json!({
        "kind": "marac",
        "consent": "not_known",
        "referrer_phone": "01245 491491",
        "victim_wishes": "To stay safe at home with the children",
        "consent_sought": "no",
        "judgement_reason": "Threats to kill and stalking after separation",
        "disability": "not_known",
        "sexuality": "not_known",
        "transgender": "not_known",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}
