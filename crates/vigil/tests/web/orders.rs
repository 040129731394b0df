//! Protective notices and orders, as officers would work them: a DVPN drafted from a
//! case, refused to an inspector and authorised by a superintendent, served on Friday 23
//! August 2019 at 18:00 and heard by Tuesday 27 August at 18:00 (the worked
//! example), granted as a DVPO of 28 days and breached; a DAPN where the area has them, its
//! DAPO's notification due by the end of the third day; all in the records the measures
//! read.

use crate::api::{api, token};
use crate::support::*;
use serde_json::json;

fn set_clock(srv: &Server, utc: &str) {
    srv.clock
        .as_ref()
        .unwrap()
        .set(vigil_web::clock::parse_clock(utc).unwrap());
}

fn draft(kind: &str) -> serde_json::Value {
    json!({
        "kind": kind,
        "grounds": "Punched the victim and threatened to kill her; she fears his return tonight",
        "children_welfare": "No children in the household",
        "victim_view": "Wants him kept away from the house",
        "representations": "Says he has nowhere else to go",
        "other_occupants": "None",
        "conditions": "Not to enter 1 High Street or contact Ann Smith"
    })
}

#[test]
fn a_dvpn_from_authorisation_to_a_granted_dvpo_and_its_breach() {
    // Friday 23 August 2019, 17:00 (Vigil's clocks count in the server's time).
    let srv = start_at("2019-08-23T17:00:00Z");
    add_user(
        &srv.db,
        "insp.north",
        "dait_sergeant",
        &["--rank", "inspector"],
    );
    add_user(
        &srv.db,
        "supt.north",
        "dait_sergeant",
        &["--rank", "superintendent"],
    );
    let officer = token(&srv, "officer");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/notices",
        &officer,
        Some(&json!({"kind": "dvpn"})),
    );
    assert_eq!(status, 422, "{v}");
    for field in ["grounds", "victim_view", "conditions"] {
        assert!(v.to_string().contains(field), "{field}: {v}");
    }
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/notices",
        &officer,
        Some(&draft("dapn")),
    );
    assert_eq!(status, 422, "DAPNs are not in force here: {v}");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/notices",
        &officer,
        Some(&draft("dvpn")),
    );
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let step = |who: &str, body: serde_json::Value| {
        let t = token(&srv, who);
        api(
            &srv,
            "POST",
            &format!("/api/v1/notices/{id}/steps"),
            &t,
            Some(&body),
        )
    };
    // Below the rank, or no rank at all, cannot authorise; a superintendent can, once.
    let (status, v) = step("insp.north", json!({"step": "authorise"}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("superintendent"), "{v}");
    let (status, _) = step("officer", json!({"step": "authorise"}));
    assert_eq!(status, 422);
    let (status, _) = step(
        "officer",
        json!({"step": "serve", "served_at": "23/08/2019 18:00"}),
    );
    assert_eq!(status, 409, "not before authorisation");
    let (status, v) = step("supt.north", json!({"step": "authorise"}));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["authoriser_rank"], "superintendent");
    let (status, _) = step("supt.north", json!({"step": "authorise"}));
    assert_eq!(status, 409);
    let (status, v) = step(
        "officer",
        json!({"step": "serve", "served_at": "23/08/2019 18:00"}),
    );
    assert_eq!(status, 200, "{v}");
    // Sunday and the August bank holiday do not count.
    assert_eq!(v["hearing_due"], "2019-08-27T18:00:00");
    // The hearing is a task on the applying officer's work list.
    let (_, tasks) = api(
        &srv,
        "GET",
        "/api/v1/tasks?owner=me&state=open&per_page=200",
        &officer,
        None,
    );
    let hearing: Vec<_> = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "notice_hearing")
        .collect();
    assert_eq!(hearing.len(), 1, "{tasks}");
    assert_eq!(hearing[0]["due"], "2019-08-27T18:00:00");
    assert_eq!(hearing[0]["incident_id"], "I1");
    let (status, v) = step(
        "officer",
        json!({"step": "victim_told", "about": "The notice was served; the hearing is on Tuesday"}),
    );
    assert_eq!(status, 200, "{v}");
    // On the officer's list, then heard on Tuesday: a DVPO of 30 days is refused, 28 made.
    let (_, list) = api(&srv, "GET", "/api/v1/notices", &officer, None);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    set_clock(&srv, "2019-08-27T09:00:00Z");
    let hearing = |days: i64| {
        json!({"step": "hearing", "decision": "granted", "days": days,
               "conditions": "Not to contact Ann Smith or come within 100 metres of 1 High Street",
               "notes": "Granted at Chelmsford magistrates"})
    };
    let (status, v) = step("officer", hearing(30));
    assert_eq!(status, 422, "{v}");
    let (status, v) = step("officer", hearing(28));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["decision"], "granted");
    assert_eq!(v["hearing_due"], serde_json::Value::Null);
    let (_, done) = api(
        &srv,
        "GET",
        "/api/v1/tasks?owner=me&state=done&per_page=200",
        &officer,
        None,
    );
    assert!(
        done["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "notice_hearing" && t["done_by"] == "granted"),
        "the court's decision does the hearing task: {done}"
    );
    // Granted at 10:00 (the server's clock counts UK time): 28 days on.
    assert_eq!(v["order_expires_at"], "2019-09-24T10:00:00");
    // A breach of the order: civil contempt, back to the magistrates.
    set_clock(&srv, "2019-09-02T09:00:00Z");
    let (status, v) = step(
        "officer",
        json!({"step": "breach", "breached_at": "01/09/2019 22:00", "details": "Came to the house; arrested and put before the magistrates"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["breaches"].as_array().unwrap().len(), 1);
    assert_eq!(v["breaches"][0]["of"], "dvpo");
    assert_eq!(
        v["breaches"][0]["case_id"],
        serde_json::Value::Null,
        "a DVPO's breach is contempt, not a crime"
    );
    let order = v["order_id"].as_str().unwrap().to_owned();

    // The notice and the order in the records the measures read.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = vigil(&["--db", &srv.db, "export", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let orders = std::fs::read_to_string(out.join("protection_orders.csv")).unwrap();
    let line = |id: &str| {
        orders
            .lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap_or_else(|| panic!("{id} in {orders}"))
            .to_owned()
    };
    assert!(line(&id).contains(",dvpn,"), "{orders}");
    assert!(
        line(&order).contains(",dvpo,") && line(&order).ends_with("2019-09-01T22:00:00"),
        "{orders}"
    );
    let trail = text(&vigil(&[
        "--db",
        &srv.db,
        "audit",
        "--subject",
        "P1",
        "--limit",
        "1000",
    ]));
    for act in [
        "notice.drafted",
        "notice.authorise",
        "notice.serve",
        "notice.hearing",
        "notice.breach",
    ] {
        assert!(trail.contains(act), "{act}\n{trail}");
    }
}

#[test]
fn a_dapn_where_the_area_has_them_and_its_dapos_notification() {
    let mut rules = vigil_domain::tasks::ClockRules::default();
    rules.dapn_from.insert(
        vigil_domain::Lpa::parse("North").unwrap(),
        vigil_domain::time::parse_date("2019-09-01").unwrap(),
    );
    // Friday 6 September 2019, 09:00 UTC.
    let srv = start_with_rules("2019-09-06T09:00:00Z", rules);
    add_user(
        &srv.db,
        "insp.north",
        "dait_sergeant",
        &["--rank", "inspector"],
    );
    let officer = token(&srv, "officer");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/notices",
        &officer,
        Some(&draft("dapn")),
    );
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let step = |who: &str, body: serde_json::Value| {
        let t = token(&srv, who);
        api(
            &srv,
            "POST",
            &format!("/api/v1/notices/{id}/steps"),
            &t,
            Some(&body),
        )
    };
    let (status, v) = step("insp.north", json!({"step": "authorise"}));
    assert_eq!(status, 200, "an inspector authorises a DAPN: {v}");
    let (status, v) = step(
        "officer",
        json!({"step": "serve", "served_at": "06/09/2019 10:00"}),
    );
    assert_eq!(
        status, 422,
        "served personally, with an address for service: {v}"
    );
    assert!(v.to_string().contains("address_for_service"), "{v}");
    let (status, v) = step(
        "officer",
        json!({"step": "serve", "served_at": "06/09/2019 10:00", "address_for_service": "4 Mill Lane, ZZ1 4DD"}),
    );
    assert_eq!(status, 200, "{v}");
    set_clock(&srv, "2019-09-06T13:30:00Z");
    let (status, v) = step(
        "officer",
        json!({"step": "hearing", "decision": "granted", "conditions": "Not to contact Ann Smith", "requirements": "Attend a perpetrator programme", "monitoring_months": 13, "notes": "Granted"}),
    );
    assert_eq!(status, 422, "monitoring is capped at 12 months: {v}");
    let (status, v) = step(
        "officer",
        json!({"step": "hearing", "decision": "granted", "conditions": "Not to contact Ann Smith", "requirements": "Attend a perpetrator programme", "monitoring_months": 6, "notes": "Granted"}),
    );
    assert_eq!(status, 200, "{v}");
    // Made on Friday: the name and address are due by the end of Sunday.
    assert_eq!(v["notification_due"], "2019-09-08T23:59:59");
    assert_eq!(
        v["order_expires_at"],
        serde_json::Value::Null,
        "a DAPO has no fixed length"
    );
    set_clock(&srv, "2019-09-06T17:00:00Z");
    let (status, v) = step(
        "officer",
        json!({"step": "notified", "notified_at": "06/09/2019 16:00"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["notification_due"], serde_json::Value::Null);
    // A DAPO's breach is a crime: recording it opens a new case between the same people,
    // with the offence of breach committed when it happened and recorded today.
    set_clock(&srv, "2019-09-07T21:00:00Z");
    let (status, v) = step(
        "officer",
        json!({"step": "breach", "breached_at": "07/09/2019 20:15", "details": "Sent forty messages to the victim in one evening"}),
    );
    assert_eq!(status, 200, "{v}");
    let breach = &v["breaches"][0];
    assert_eq!(breach["of"], "dapo");
    let case = breach["case_id"].as_str().expect("a case for the offence");
    assert_ne!(case, "I1");
    let (status, c) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{case}"),
        &officer,
        None,
    );
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["incident"]["victim_id"], "P1");
    assert_eq!(c["incident"]["suspect_id"], "P2");
    assert_eq!(
        c["incident"]["relationship"], "partner",
        "as on the order's case"
    );
    assert_eq!(c["incident"]["lpa"], "North");
    let offences = c["offences"].as_array().unwrap();
    assert_eq!(offences.len(), 1, "{c}");
    assert_eq!(offences[0]["ho_code"], "8L");
    assert_eq!(offences[0]["offence_date"], "2019-09-07");
    assert_eq!(offences[0]["recorded_date"], "2019-09-07");
    // Its own clocks: the crime recorded at once, the DASH still to do.
    let (status, t) = api(
        &srv,
        "GET",
        "/api/v1/tasks?owner=me&state=open&per_page=200",
        &officer,
        None,
    );
    assert_eq!(status, 200, "{t}");
    let kinds: Vec<&str> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["incident_id"] == case)
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"primary_assessment"), "{kinds:?} in {t}");
    assert!(
        !kinds.contains(&"crime_recording"),
        "recorded with the breach: {kinds:?}"
    );
    // The breach is on the order in the records the measures read.
    let (_, orders) = api(&srv, "GET", "/api/v1/cases/I1", &officer, None);
    assert!(
        orders["orders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["kind"] == "dapo" && o["breached_at"] == "2019-09-07T20:15:00"),
        "{orders}"
    );
}

#[test]
fn a_high_risk_case_with_no_arrest_prompts_a_notice_until_the_decision_is_recorded() {
    let srv = start();
    let (page, _) = sign_in(&srv, "investigator");
    // Ann Smith's case: high risk, reported in May, nobody arrested.
    let case = http(&srv.addr, "GET", "/cases/I1", Some(&page), None);
    assert!(
        case.body
            .contains("No arrest within 24 hours of the report"),
        "{}",
        case.body
    );
    let investigator = token(&srv, "investigator");
    let decide = |b: serde_json::Value| {
        api(
            &srv,
            "POST",
            "/api/v1/cases/I1/notice-decision",
            &investigator,
            Some(&b),
        )
    };
    let (status, v) = decide(json!({"decision": "not_applied", "reason": ""}));
    assert_eq!(status, 422, "why not is required: {v}");
    let (status, v) = decide(json!({"decision": "maybe"}));
    assert_eq!(status, 422, "{v}");
    let (status, v) = decide(
        json!({"decision": "not_applied", "reason": "The suspect is remanded in custody on another matter"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["applied"], false);
    let case = http(&srv.addr, "GET", "/cases/I1", Some(&page), None);
    assert!(
        !case
            .body
            .contains("No arrest within 24 hours of the report")
            && case
                .body
                .contains("Protective notice considered: not applied for"),
        "{}",
        case.body
    );
    // The analyst, who reads no cases, may not decide.
    let analyst = token(&srv, "analyst");
    let (status, _) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/notice-decision",
        &analyst,
        Some(&json!({"decision": "applied"})),
    );
    assert!(status == 403 || status == 404, "{status}");
}
