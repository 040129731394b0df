//! The cohorts as their teams work them through the API: a run stored with its
//! configuration, who entered and who left, the serial flag, an owner and a review on the
//! owner's work list, the downloads, and who may not see or change them.

use crate::api::{api, token};
use crate::support::*;
use serde_json::json;

#[test]
fn a_run_an_owner_and_a_review() {
    let srv = start();
    let analyst = token(&srv, "analyst");
    // Nothing run yet: said so, not an error.
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/perpetrator?lpa=North",
        &analyst,
        None,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["run"], serde_json::Value::Null);
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cohorts/perpetrator/runs",
        &analyst,
        Some(&json!({"lpa": "North"})),
    );
    assert_eq!(status, 201, "{v}");
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/perpetrator?lpa=North",
        &analyst,
        None,
    );
    assert_eq!(status, 200, "{v}");
    // Bob Jones (P2) was the suspect of I1 (Ann Smith) and I2 (Cat Brown): two victims.
    let members = v["members"].as_array().unwrap();
    assert_eq!(members.len(), 1, "{v}");
    let p2 = &members[0];
    assert_eq!(p2["person_id"], "P2");
    assert_eq!(p2["rank"], 1);
    assert_eq!(p2["movement"], "entered");
    assert_eq!(p2["serial"], true);
    assert!(
        p2["reasons"]
            .as_str()
            .unwrap()
            .starts_with("2 incidents in 24 months"),
        "{p2}"
    );
    assert!(
        v["run"]["configuration"]
            .as_str()
            .unwrap()
            .contains("weights.gravity=0.35"),
        "the configuration is stored with the run: {v}"
    );
    // Viewing the list wrote one audit row for the person listed.
    let trail = text(&vigil(&[
        "--db",
        &srv.db,
        "audit",
        "--subject",
        "P2",
        "--limit",
        "50",
    ]));
    assert!(
        trail
            .lines()
            .any(|l| l.contains("analyst") && l.contains("person.listed")),
        "{trail}"
    );

    // Allocated to a DAIT investigator, with a plan and the first review.
    let (status, v) = api(
        &srv,
        "PUT",
        "/api/v1/cohorts/perpetrator/North/P2/allocation",
        &analyst,
        Some(&json!({"owner": "analyst", "plan": "Refer to a perpetrator programme"})),
    );
    assert_eq!(status, 422, "an analyst does not own members: {v}");
    assert!(v.to_string().contains("owner"), "{v}");
    let (status, v) = api(
        &srv,
        "PUT",
        "/api/v1/cohorts/perpetrator/North/P2/allocation",
        &analyst,
        Some(
            &json!({"owner": "investigator", "plan": "Refer to a perpetrator programme", "next_review": "02/09/2019"}),
        ),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["review_due"], true, "due today");
    let investigator = token(&srv, "investigator");
    let (_, mine) = api(
        &srv,
        "GET",
        "/api/v1/cohort-members/mine",
        &investigator,
        None,
    );
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["person_id"], "P2");
    // The owner reviews: the next review is 14 days on.
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cohorts/perpetrator/North/P2/actions",
        &investigator,
        Some(&json!({"action": "review", "text": "Reviewed: programme referral made"})),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["next_review"], "2019-09-16");
    assert_eq!(v["review_due"], false);
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cohorts/perpetrator/North/P2/actions",
        &investigator,
        Some(&json!({"action": "dance", "text": "Something"})),
    );
    assert_eq!(status, 422, "{v}");
    // Someone who is neither owner nor manager cannot record, and partners see nothing.
    let sergeant = token(&srv, "sergeant");
    let (status, _) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/perpetrator/North/P2",
        &sergeant,
        None,
    );
    assert_eq!(status, 200, "a DAIT sergeant sees the cohort");
    let nhs = token(&srv, "nhs");
    let (status, _) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/perpetrator?lpa=North",
        &nhs,
        None,
    );
    assert_eq!(status, 403);
    let officer = token(&srv, "officer");
    let (status, _) = api(
        &srv,
        "POST",
        "/api/v1/cohorts/perpetrator/runs",
        &officer,
        Some(&json!({"lpa": "North"})),
    );
    assert_eq!(status, 403);

    // A run later in the year: Bob's incidents are older than every recency band, but
    // still in the look-back, so he stays; and the run before is kept.
    let (_, before) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/perpetrator/North/P2",
        &analyst,
        None,
    );
    assert_eq!(before["history"].as_array().unwrap().len(), 1);
    srv.clock
        .as_ref()
        .unwrap()
        .set(vigil_web::clock::parse_clock("2020-09-01T09:00:00Z").unwrap());
    let (status, _) = api(
        &srv,
        "POST",
        "/api/v1/cohorts/perpetrator/runs",
        &analyst,
        Some(&json!({"lpa": "all"})),
    );
    assert_eq!(status, 201);
    let (_, v) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/perpetrator/North/P2",
        &analyst,
        None,
    );
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{v}");
    assert_eq!(history[1]["member"]["movement"], "stayed");
    assert!(
        history[1]["member"]["score"].as_f64() < history[0]["member"]["score"].as_f64(),
        "older incidents score less: {v}"
    );
    // The CSV download has the header and the member.
    let (page, _) = sign_in(&srv, "analyst");
    let csv = http(
        &srv.addr,
        "GET",
        "/cohorts?kind=perpetrator&lpa=North&format=csv",
        Some(&page),
        None,
    );
    assert_eq!(csv.status, 200);
    let mut lines = csv.body.lines();
    assert!(lines.next().unwrap().starts_with("lpa,rank,person_id"));
    assert!(
        lines.next().unwrap().starts_with("North,1,P2,"),
        "{}",
        csv.body
    );
    // Bad requests are told what is wrong.
    let (status, _) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/perpetrator?lpa=Atlantis",
        &analyst,
        None,
    );
    assert_eq!(status, 422);
    let (status, _) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/heroes?lpa=North",
        &analyst,
        None,
    );
    assert_eq!(status, 404);
}

/// Bob Jones (P2) was the suspect against Ann Smith and Cat Brown: a serial perpetrator,
/// said when a new incident names him, on the case and on his person page.
#[test]
fn a_serial_perpetrator_is_flagged_at_intake_and_on_the_pages() {
    let srv = start();
    let officer = token(&srv, "officer");
    let answers: Vec<&str> = (1..=27)
        .map(|q| if q <= 3 { "yes" } else { "no" })
        .collect();
    let body = json!({
        "call_grade": "priority",
        "reported_at": "2019-08-30T18:05",
        "lpa": "North",
        "victim": {"family_name": "Quill", "given_names": "Hana", "sex": "female", "birth_date": "1988-02-29"},
        "suspect": {"id": "P2"},
        "relationship": "ex_partner",
        "children_present": false,
        "dash": {"answers": answers}
    });
    let (status, v) = api(&srv, "POST", "/api/v1/incidents", &officer, Some(&body));
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["serial_suspect_victims"], 3, "{v}");
    let case = v["incident_id"].as_str().unwrap().to_owned();
    let (page, _) = sign_in(&srv, "officer");
    let r = http(
        &srv.addr,
        "GET",
        &format!("/cases/{case}"),
        Some(&page),
        None,
    );
    assert!(
        r.body
            .contains("The suspect is a serial perpetrator: 3 different victims"),
        "{}",
        r.body
    );
    let r = http(&srv.addr, "GET", "/people/P2", Some(&page), None);
    assert!(r.body.contains("Serial perpetrator"), "{}", r.body);
    let r = http(&srv.addr, "GET", "/people/P1", Some(&page), None);
    assert!(
        !r.body.contains("Serial perpetrator"),
        "a victim is not flagged"
    );
    // A new suspect is not.
    let mut first = body.clone();
    first["suspect"] = json!({"family_name": "Vale", "given_names": "Ivo", "sex": "male", "birth_date": "1980-01-01"});
    first["victim"] = json!({"family_name": "Rook", "given_names": "Una", "sex": "female", "birth_date": "1990-05-05"});
    let (status, v) = api(&srv, "POST", "/api/v1/incidents", &officer, Some(&first));
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["serial_suspect_victims"], serde_json::Value::Null);
}

#[test]
fn the_victim_cohort_is_the_cru_s() {
    let srv = start();
    let cru = token(&srv, "cru");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cohorts/victim/runs",
        &cru,
        Some(&json!({"lpa": "North"})),
    );
    assert_eq!(status, 201, "{v}");
    let (_, v) = api(&srv, "GET", "/api/v1/cohorts/victim?lpa=North", &cru, None);
    let members = v["members"].as_array().unwrap();
    // Ann Smith (I1, high risk) before Cat Brown (I2, medium).
    assert_eq!(members[0]["person_id"], "P1", "{v}");
    assert_eq!(members[1]["person_id"], "P3", "{v}");
    assert!(
        members[0]["reasons"]
            .as_str()
            .unwrap()
            .starts_with("high risk")
    );
    let investigator = token(&srv, "investigator");
    let (status, _) = api(
        &srv,
        "GET",
        "/api/v1/cohorts/victim?lpa=North",
        &investigator,
        None,
    );
    assert_eq!(
        status, 403,
        "the acute victim cohort is not the investigators'"
    );
}
