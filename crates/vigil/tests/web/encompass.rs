//! Operation Encompass as schools live it: a Friday-evening incident with two children at
//! two schools gives two notifications due at the start of Monday's school day, each seen
//! by its own school's key adult only (and both by the area's education contact), with
//! only what a school may be told; an acknowledgement closes the CRU's follow-up task.

use crate::api::{api, token};
use crate::support::*;
use serde_json::{Value, json};

#[test]
fn two_children_at_two_schools_each_school_told_its_own_by_monday() {
    // Friday 6 September 2019, 19:00 UTC (20:00 in the UK).
    let srv = start_at("2019-09-06T19:00:00Z");
    add_user(
        &srv.db,
        "dsl.mill",
        "partner_agency",
        &["--agency", "education", "--school", "Mill Lane Primary"],
    );
    add_user(
        &srv.db,
        "dsl.hill",
        "partner_agency",
        &["--agency", "education", "--school", "Hill Top Academy"],
    );
    add_user(
        &srv.db,
        "la.north",
        "partner_agency",
        &["--agency", "education", "--lpa", "North"],
    );
    let officer = token(&srv, "officer");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/incidents",
        &officer,
        Some(&json!({
            "call_grade": "emergency", "reported_at": "2019-09-06T19:40", "lpa": "North",
            "victim": {"id": "P1"}, "suspect": {"id": "P2"}, "relationship": "partner",
            "children_present": true,
            "children": [
                {"family_name": "Smith", "given_names": "Mia", "birth_date": "2012-03-04", "school": "Mill Lane Primary"},
                {"family_name": "Smith", "given_names": "Leo", "birth_date": "2006-07-01", "school": "Hill Top Academy"}
            ]
        })),
    );
    assert_eq!(status, 201, "{v}");
    let case = v["incident_id"].as_str().unwrap().to_owned();
    let (_, c) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{case}"),
        &officer,
        None,
    );
    let child = |school: &str| -> String {
        c["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|ch| ch["school"] == school)
            .unwrap()["person_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (mia, leo) = (child("Mill Lane Primary"), child("Hill Top Academy"));
    // The CRU tells each school.
    let cru = token(&srv, "cru");
    let mut sent = Vec::new();
    for (kid, voice) in [(&mia, "Mia said she hid in her room."), (&leo, "")] {
        let (status, v) = api(
            &srv,
            "POST",
            &format!("/api/v1/cases/{case}/referrals"),
            &cru,
            Some(&json!({
                "kind": "encompass", "consent": "not_known", "child_id": kid,
                "circumstances": "Police attended shouting at home on Friday evening.",
                "voice_of_child": voice
            })),
        );
        assert_eq!(status, 201, "{v}");
        sent.push(v["id"].as_str().unwrap().to_owned());
    }
    let list = |user: &str| -> Value {
        let t = token(&srv, user);
        let (status, v) = api(&srv, "GET", "/api/v1/encompass", &t, None);
        assert_eq!(status, 200, "{user}: {v}");
        v
    };
    // Each school sees its own child only, due at the start of Monday's school day.
    for (user, kid, id) in [("dsl.mill", &mia, &sent[0]), ("dsl.hill", &leo, &sent[1])] {
        let v = list(user);
        assert_eq!(v["total"], 1, "{user}: {v}");
        let n = &v["items"][0];
        assert_eq!(n["child_id"], kid.as_str(), "{user}");
        assert_eq!(n["id"], id.as_str());
        assert_eq!(
            n["due"], "2019-09-09T08:30:00",
            "Monday 9 September, school starts"
        );
        assert_eq!(n["police_reference"], case.as_str());
        let text = n.to_string();
        for never in ["Jones", "Bob", "High Street", "P2"] {
            assert!(!text.contains(never), "{never} told to a school: {text}");
        }
    }
    assert_eq!(
        list("dsl.mill")["items"][0]["voice_of_child"],
        "Mia said she hid in her room."
    );
    // Not the other school's, by list, by reference or on the page.
    let hill = token(&srv, "dsl.hill");
    assert_eq!(
        api(
            &srv,
            "GET",
            &format!("/api/v1/encompass/{}", sent[0]),
            &hill,
            None
        )
        .0,
        404
    );
    let (hill_page, _) = sign_in(&srv, "dsl.hill");
    assert_eq!(
        http(
            &srv.addr,
            "GET",
            &format!("/encompass/{}", sent[0]),
            Some(&hill_page),
            None
        )
        .status,
        404
    );
    // Nor in the list shared with education (Encompass goes by school, not to every
    // education user).
    let (_, shared) = api(&srv, "GET", "/api/v1/shared", &hill, None);
    assert!(!shared.to_string().contains(&sent[0]), "{shared}");
    // The area's education contact sees both.
    assert_eq!(list("la.north")["total"], 2);
    // Mill Lane acknowledges on its page: the CRU's follow-up for Mill Lane is done, Hill
    // Top's still open.
    let (mill_page, mill_csrf) = sign_in(&srv, "dsl.mill");
    let page = http(
        &srv.addr,
        "GET",
        &format!("/encompass/{}", sent[0]),
        Some(&mill_page),
        None,
    );
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Mia Smith") && page.body.contains("Not yet acknowledged"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Jones"), "{}", page.body);
    let r = http(
        &srv.addr,
        "POST",
        &format!("/encompass/{}/acknowledge", sent[0]),
        Some(&mill_page),
        Some(&format!("csrf={mill_csrf}")),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, w) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{case}/work"),
        &cru,
        None,
    );
    let follow_up: Vec<(String, String)> = w["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "encompass_acknowledged")
        .map(|t| {
            (
                t["key"].as_str().unwrap().to_owned(),
                t["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        follow_up.contains(&(sent[0].clone(), "done".into())),
        "{follow_up:?}"
    );
    assert!(
        follow_up.contains(&(sent[1].clone(), "open".into())),
        "{follow_up:?}"
    );
    assert_eq!(list("dsl.mill")["items"][0]["acknowledged_by"], "dsl.mill");
    let t = token(&srv, "dsl.mill");
    let (_, open) = api(&srv, "GET", "/api/v1/encompass?show=open", &t, None);
    assert_eq!(open["total"], 0, "{open}");
    // Who saw each child is in the trail.
    let o = vigil(&["--db", &srv.db, "audit", "--subject", &mia]);
    assert!(
        text(&o).contains("dsl.mill") && text(&o).contains("encompass.acknowledged"),
        "{}",
        text(&o)
    );
    // A school's notification needs the school named and brief circumstances.
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/cases/{case}/referrals"),
        &cru,
        Some(
            &json!({"kind": "encompass", "consent": "not_known", "child_id": mia, "circumstances": ""}),
        ),
    );
    assert_eq!(status, 422, "{v}");
}
