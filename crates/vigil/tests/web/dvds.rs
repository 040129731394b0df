//! Clare's Law worked in Vigil, as the CRU and a partner would: a right-to-ask application
//! from contact to disclosure, stage by stage and in order; a partner's application; a
//! right-to-know application opened from the case the screen flagged, declined with a
//! reason, which clears the case's prompt; the decision in the records the measures read.

use crate::api::{api, token};
use crate::support::*;
use serde_json::json;

#[test]
fn right_to_ask_from_contact_to_disclosure_and_right_to_know_from_a_case() {
    let srv = start();
    let cru = token(&srv, "cru");
    // The person at risk is Ann Smith (P1); the subject, Bob Jones, is typed in: the
    // force already holds him, so the new details are stopped as a likely duplicate.
    let body = |subject: serde_json::Value, confirm: bool| {
        json!({
            "at_risk": {"id": "P1"}, "subject": subject, "applicant": "third_party",
            "applicant_name": "Jo Smith, her mother", "lpa": "North",
            "confirm_new_people": confirm
        })
    };
    let bob = json!({"family_name": "Jones", "given_names": "Bob", "sex": "male", "birth_date": "1988-01-01"});
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/disclosures",
        &cru,
        Some(&body(bob, false)),
    );
    assert_eq!(status, 409, "{v}");
    assert!(v.to_string().contains("P2"), "{v}");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/disclosures",
        &cru,
        Some(
            &json!({"at_risk": {"id": "P1"}, "subject": {"id": "P2"}, "applicant": "third_party", "applicant_name": "", "lpa": "North"}),
        ),
    );
    assert_eq!(status, 422, "a third party is named: {v}");
    assert!(v.to_string().contains("applicant_name"), "{v}");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/disclosures",
        &cru,
        Some(&body(json!({"id": "P2"}), false)),
    );
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/disclosures/{id}");
    let (status, a) = api(&srv, "GET", &path, &cru, None);
    assert_eq!(status, 200, "{a}");
    // Received on Monday 2 September 2019: the decision is due by the end of 30 September;
    // the contact by the end of Tuesday.
    assert_eq!(a["decision_due"], "2019-09-30T23:59:59");
    assert_eq!(
        (a["next_stage"].as_str(), a["next_due"].as_str()),
        (Some("contact"), Some("2019-09-03T23:59:59"))
    );
    let step = |b: serde_json::Value| api(&srv, "POST", &format!("{path}/steps"), &cru, Some(&b));
    // Out of order, or unverified, is refused.
    let (status, v) = step(
        json!({"step": "panel", "pressing_need": true, "lawful_necessary_proportionate": true, "rationale": "Too soon for this"}),
    );
    assert_eq!(status, 409, "{v}");
    let (status, v) = step(
        json!({"step": "contact", "immediate_risk": false, "notes": "Spoke to Jo Smith by phone; no immediate danger"}),
    );
    assert_eq!(status, 200, "{v}");
    let (status, v) = step(
        json!({"step": "meeting", "identity_verified": false, "notes": "Met at Colchester station"}),
    );
    assert_eq!(status, 422, "{v}");
    for b in [
        json!({"step": "meeting", "identity_verified": true, "notes": "Met at Colchester station; passport seen"}),
        json!({"step": "checks", "police": "An assault on a former partner (Cat Brown) in June 2019", "partners": "Probation: nothing reported"}),
        json!({"step": "panel", "pressing_need": true, "lawful_necessary_proportionate": true, "rationale": "A recent assault on a former partner; Ann is at risk of the same"}),
    ] {
        let (status, v) = step(b);
        assert_eq!(status, 200, "{v}");
    }
    let (status, v) = step(
        json!({"step": "outcome", "to_whom": "Ann Smith", "said": "Told of the assault on a former partner in June 2019", "safety_plan": "IDVA referral; a safe phone"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["decision"], "disclose");
    assert_eq!(v["disclosed_to"], "Ann Smith");
    assert_eq!(v["next_stage"], serde_json::Value::Null);
    let (status, _) = step(json!({"step": "decline", "reason": "Changed their mind"}));
    assert_eq!(status, 409, "closed");

    // A partner agency records an application; it cannot read the CRU's work.
    let nhs = token(&srv, "nhs");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/disclosures",
        &nhs,
        Some(&json!({
            "at_risk": {"family_name": "Oak", "given_names": "Eve", "sex": "female", "birth_date": "1993-02-03"},
            "subject": {"family_name": "Ash", "given_names": "Rob", "sex": "male"},
            "applicant": "person_at_risk", "lpa": "North"
        })),
    );
    assert_eq!(status, 201, "{v}");
    let partners = v["id"].as_str().unwrap().to_owned();
    let (status, _) = api(
        &srv,
        "GET",
        &format!("/api/v1/disclosures/{partners}"),
        &nhs,
        None,
    );
    assert_eq!(status, 403);
    let (_, list) = api(&srv, "GET", "/api/v1/disclosures", &cru, None);
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");

    // Right to know: Cat Brown's case (I2) — Bob Jones assaulted Ann Smith before — is
    // prompted; the CRU opens the application from it with I1 as the evidence.
    let (page, _) = sign_in(&srv, "cru");
    let case = http(&srv.addr, "GET", "/cases/I2", Some(&page), None);
    assert!(
        case.body.contains("Open a right-to-know application"),
        "{}",
        case.body
    );
    let (status, v) = api(&srv, "POST", "/api/v1/cases/I1/right-to-know", &cru, None);
    assert_eq!(status, 409, "I1 is the first: no earlier partner: {v}");
    let (status, v) = api(&srv, "POST", "/api/v1/cases/I2/right-to-know", &cru, None);
    assert_eq!(status, 201, "{v}");
    let rtk = v["id"].as_str().unwrap().to_owned();
    // The right-to-know task the case raised is done by the application.
    let (_, done) = api(
        &srv,
        "GET",
        "/api/v1/tasks?owner=team&state=done&per_page=200",
        &cru,
        None,
    );
    assert!(
        done["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["incident_id"] == "I2"
                && t["kind"] == "right_to_know"
                && t["done_by"] == format!("application {rtk}")),
        "{done}"
    );
    let (status, _) = api(&srv, "POST", "/api/v1/cases/I2/right-to-know", &cru, None);
    assert_eq!(status, 409, "one open application at a time");
    let (_, a) = api(
        &srv,
        "GET",
        &format!("/api/v1/disclosures/{rtk}"),
        &cru,
        None,
    );
    assert_eq!(a["evidence"], json!(["I1"]));
    assert_eq!(a["route"], "right_to_know");
    // No meeting for right to know: after contact come the checks. Declining needs a reason.
    let rtk_step = |b: serde_json::Value| {
        api(
            &srv,
            "POST",
            &format!("/api/v1/disclosures/{rtk}/steps"),
            &cru,
            Some(&b),
        )
    };
    // A yes or no left out is asked for, not taken as "no".
    let (status, v) = rtk_step(json!({"step": "contact", "notes": "Cat seen at the refuge today"}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("immediate_risk"), "{v}");
    let (status, v) = rtk_step(
        json!({"step": "contact", "immediate_risk": true, "notes": "Cat seen at the refuge; safeguarded today"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["next_stage"], "checks");
    let (status, v) = rtk_step(json!({"step": "decline", "reason": "no"}));
    assert_eq!(status, 422, "{v}");
    let (status, v) = rtk_step(
        json!({"step": "decline", "reason": "Cat already knows of the assault on Ann; the panel is not needed"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["decision"], "withdrawn");
    // The CRU's list shows each stage's timeliness: both applications were contacted.
    let list = http(&srv.addr, "GET", "/disclosures", Some(&page), None);
    let stages = list
        .body
        .split("Timeliness by stage")
        .nth(1)
        .expect("the stage table");
    let contact = stages
        .split("Initial contact and risk screen")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    let cells: Vec<&str> = contact
        .split("</td>")
        .map(|c| c.rsplit('>').next().unwrap())
        .collect();
    assert_eq!(cells[1], "2", "{contact}");
    // The decision clears the case's prompt.
    let case = http(&srv.addr, "GET", "/cases/I2", Some(&page), None);
    assert!(
        !case.body.contains("Open a right-to-know application"),
        "{}",
        case.body
    );

    // The decisions are in the records the measures read.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = vigil(&["--db", &srv.db, "export", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let disclosures = std::fs::read_to_string(out.join("disclosures.csv")).unwrap();
    assert!(
        disclosures
            .lines()
            .any(|l| l.starts_with(&id) && l.contains(",disclose,")),
        "{disclosures}"
    );
    assert!(
        disclosures
            .lines()
            .any(|l| l.starts_with(&rtk) && l.contains(",withdrawn,")),
        "{disclosures}"
    );
    // Every stage is audited against the person at risk.
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
        "dvds.application",
        "dvds.contact",
        "dvds.panel",
        "dvds.outcome",
    ] {
        assert!(trail.contains(act), "{act}\n{trail}");
    }
}
