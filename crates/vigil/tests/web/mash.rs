//! The MASH, used as its people would: an officer refers a household's children (linked
//! from the case) and an adult at risk; the hub of the right agency and area researches
//! and decides within a working day; the decision goes back to the officer's home page;
//! nobody else finds the referral.

use crate::api::{api, token};
use crate::support::*;
use serde_json::json;

#[test]
fn children_and_adults_go_to_their_hub_and_the_decision_back_to_the_officer() {
    let srv = start();
    for (user, agency, lpa) in [
        ("csc.north", "childrens_services", "North"),
        ("asc.north", "adult_services", "North"),
        ("csc.south", "childrens_services", "South"),
    ] {
        add_user(
            &srv.db,
            user,
            "partner_agency",
            &["--agency", agency, "--lpa", lpa],
        );
    }
    let officer = token(&srv, "officer");
    // An incident on Friday evening with two children named.
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/incidents",
        &officer,
        Some(&json!({
            "call_grade": "emergency", "reported_at": "2019-08-30T19:40", "lpa": "North",
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
    let refer = |body: serde_json::Value| {
        api(
            &srv,
            "POST",
            &format!("/api/v1/cases/{case}/referrals"),
            &officer,
            Some(&body),
        )
    };
    // Field by field: whom it is about, and the concern.
    let (status, v) = refer(json!({"kind": "mash", "consent": "not_known", "concern": "kids"}));
    assert_eq!(status, 422, "{v}");
    let said = v.to_string();
    assert!(
        said.contains("mash_about") && said.contains("concern"),
        "{v}"
    );
    let (status, v) = refer(json!({
        "kind": "mash", "consent": "not_known", "mash_about": "children",
        "concern": "Both children were in the house during a serious assault on their mother"
    }));
    assert_eq!(status, 201, "{v}");
    let children_ref = v["id"].as_str().unwrap().to_owned();
    let (status, v) = refer(json!({
        "kind": "mash", "consent": "yes", "mash_about": "adult",
        "concern": "The victim has a learning disability and depends on the suspect for care"
    }));
    assert_eq!(status, 201, "{v}");
    let adult_ref = v["id"].as_str().unwrap().to_owned();

    // Children's social care in North has the children's referral, the children linked,
    // its decision due by the end of Tuesday (referred on Monday morning); not the
    // adult's.
    let csc = token(&srv, "csc.north");
    let (status, list) = api(&srv, "GET", "/api/v1/mash", &csc, None);
    assert_eq!(status, 200, "{list}");
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["referral_id"], children_ref.as_str());
    assert_eq!(items[0]["children"].as_array().unwrap().len(), 2);
    assert!(
        items[0]["decision_due"]
            .as_str()
            .unwrap()
            .starts_with("2019-09-03"),
        "{list}"
    );
    let asc = token(&srv, "asc.north");
    let (_, list) = api(&srv, "GET", "/api/v1/mash", &asc, None);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["referral_id"], adult_ref.as_str());
    // Another area's hub, another agency, and another officer find nothing, by list or by
    // reference.
    let south = token(&srv, "csc.south");
    let (_, list) = api(&srv, "GET", "/api/v1/mash", &south, None);
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    for (who, t) in [
        ("csc.south", &south),
        ("asc.north", &asc),
        ("nhs", &token(&srv, "nhs")),
        ("investigator", &token(&srv, "investigator")),
    ] {
        let (status, _) = api(
            &srv,
            "GET",
            &format!("/api/v1/mash/{children_ref}"),
            t,
            None,
        );
        assert_eq!(status, 404, "{who}");
    }

    // The hub researches, then decides; a decision before research, or one for adults on
    // a children's referral, is refused.
    // On the hub's home page once the day has passed.
    let (hub_page, _) = sign_in(&srv, "csc.north");
    let home = http(&srv.addr, "GET", "/", Some(&hub_page), None);
    assert!(
        home.body.contains("1 awaiting a decision, 0 overdue"),
        "{}",
        home.body
    );
    srv.clock
        .as_ref()
        .unwrap()
        .set(vigil_web::clock::parse_clock("2019-09-04T09:00:00Z").unwrap());
    let home = http(&srv.addr, "GET", "/", Some(&hub_page), None);
    assert!(
        home.body.contains("1 awaiting a decision, 1 overdue")
            && home.body.contains("Overdue MASH decisions"),
        "{}",
        home.body
    );
    let step = |body: serde_json::Value| {
        api(
            &srv,
            "POST",
            &format!("/api/v1/mash/{children_ref}/steps"),
            &csc,
            Some(&body),
        )
    };
    let decide = json!({"step": "decide", "decision": "section_17", "rationale": "Repeated incidents with the children present; needs assessed"});
    let (status, v) = step(decide.clone());
    assert_eq!(status, 409, "{v}");
    let (status, v) = step(
        json!({"step": "research", "research": "School: Leo's attendance has fallen to 80%; GP: nothing held"}),
    );
    assert_eq!(status, 200, "{v}");
    let (status, v) = step(
        json!({"step": "decide", "decision": "section_42", "rationale": "Wrong route for children"}),
    );
    assert_eq!(status, 422, "{v}");
    let (status, v) = step(json!({"step": "outcome_read"}));
    assert_eq!(status, 403, "only the referrer reads the outcome: {v}");
    let (status, v) = step(decide);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["decision"], "section_17");

    // The officer is told on their home page, opens it and marks it read.
    let (page, _) = sign_in(&srv, "officer");
    let home = http(&srv.addr, "GET", "/", Some(&page), None);
    assert!(
        home.body.contains("MASH decisions on your referrals")
            && home.body.contains("Child in need assessment"),
        "{}",
        home.body
    );
    let r = http(
        &srv.addr,
        "GET",
        &format!("/mash/{children_ref}"),
        Some(&page),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("needs assessed"), "{}", r.body);
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/mash/{children_ref}/steps"),
        &officer,
        Some(&json!({"step": "outcome_read"})),
    );
    assert_eq!(status, 200, "{v}");
    let home = http(&srv.addr, "GET", "/", Some(&page), None);
    assert!(
        !home.body.contains("MASH decisions on your referrals"),
        "{}",
        home.body
    );
    // The hub's page shows it decided; every read and step is in the audit trail.
    let r = http(&srv.addr, "GET", "/mash", Some(&hub_page), None);
    assert!(r.body.contains("0 awaiting a decision"), "{}", r.body);
    let o = vigil(&[
        "--db",
        &srv.db,
        "audit",
        "--subject",
        "P1",
        "--limit",
        "1000",
    ]);
    let trail = text(&o);
    for act in ["mash.research", "mash.decided", "mash.outcome_read"] {
        assert!(trail.contains(act), "{act}\n{trail}");
    }
}
