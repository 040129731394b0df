//! Partner agencies inside Vigil: a page of what is shared with their agency, in their
//! area, with its true total, a detail page per referral with the police contact; the
//! victim's declined consent stops sharing with the IDVA service; nothing else is found,
//! however the URL is typed.

use crate::api::{api, token};
use crate::support::*;
use serde_json::json;

#[test]
fn partners_see_their_agencys_referrals_in_their_area_and_consent_governs_the_idva() {
    let srv = start();
    // A second area's records: a MARAC referral in the South.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("persons.csv"),
        "person_id,sex,birth_date,ethnicity,lpa,family_name,given_names,address,postcode,address_confidential\n\
         P9,female,1980-02-02,white,South,Green,Dee,9 South Row,ZZ9 1AA,false\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("incidents.csv"),
        "incident_id,reported_at,lpa,call_grade,arrived_at,response_target_met,victim_id,suspect_id,relationship,children_present,risk_level,dash_yes_count\n\
         I9,2019-07-01T10:00:00,South,emergency,,,P9,P2,partner,false,high,16\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("referrals.csv"),
        "referral_id,kind,person_id,incident_id,referred_at,agency,consent\n\
         R9,marac,P9,I9,2019-07-02T09:00:00,police,\n",
    )
    .unwrap();
    let o = vigil(&["--db", &srv.db, "import", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    add_user(&srv.db, "idva", "partner_agency", &["--agency", "idva"]);
    add_user(
        &srv.db,
        "housing.south",
        "partner_agency",
        &["--agency", "housing", "--lpa", "South"],
    );
    add_user(
        &srv.db,
        "housing.north",
        "partner_agency",
        &["--agency", "housing", "--lpa", "North"],
    );
    // The CRU refers Cat Brown (P3, case I2) to the IDVA service twice: she declines the
    // first and agrees to the second.
    let cru = token(&srv, "cru");
    let mut refs = Vec::new();
    for consent in ["no", "yes"] {
        let (status, v) = api(
            &srv,
            "POST",
            "/api/v1/cases/I2/referrals",
            &cru,
            Some(&json!({"kind": "idva", "consent": consent})),
        );
        assert_eq!(status, 201, "{v}");
        refs.push(v["id"].as_str().unwrap().to_owned());
    }
    let (declined, agreed) = (&refs[0], &refs[1]);

    let idva = token(&srv, "idva");
    let (status, v) = api(&srv, "GET", "/api/v1/shared?kind=idva", &idva, None);
    assert_eq!(status, 200, "{v}");
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["referral"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [agreed.as_str()],
        "the declined referral is not shared"
    );
    assert_eq!(v["total"], 1);
    assert_eq!(
        api(
            &srv,
            "GET",
            &format!("/api/v1/shared/{declined}"),
            &idva,
            None
        )
        .0,
        404,
        "nor found by typing its reference"
    );
    let (status, d) = api(
        &srv,
        "GET",
        &format!("/api/v1/shared/{agreed}"),
        &idva,
        None,
    );
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["shared"]["family_name"], "Brown");
    assert!(!d.to_string().contains("Refuge Lane"), "never an address");
    // Paging with the true total: MARAC and IDVA together, one a page.
    let (_, v) = api(&srv, "GET", "/api/v1/shared?per_page=1&page=2", &idva, None);
    assert_eq!(
        (v["total"].as_u64(), v["pages"].as_u64()),
        (Some(3), Some(3)),
        "{v}"
    );
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let (status, _) = api(&srv, "GET", "/api/v1/shared?kind=burglary", &idva, None);
    assert_eq!(status, 422);

    // Housing in the South sees the South's referral and nothing of the North; housing in
    // the North sees its MARAC referral, on the page and in the detail, with whom to
    // contact.
    let (south, _) = sign_in(&srv, "housing.south");
    let page = http(&srv.addr, "GET", "/shared", Some(&south), None);
    assert!(page.body.contains("1 referral."), "{}", page.body);
    assert!(page.body.contains("href=\"/shared/R9\""), "{}", page.body);
    assert_eq!(
        http(&srv.addr, "GET", "/shared/R1", Some(&south), None).status,
        404
    );
    let (north, _) = sign_in(&srv, "housing.north");
    let page = http(&srv.addr, "GET", "/shared", Some(&north), None);
    assert!(page.body.contains("href=\"/shared/R1\""), "{}", page.body);
    assert!(!page.body.contains("/shared/R9"), "{}", page.body);
    assert_eq!(
        http(&srv.addr, "GET", "/shared/R9", Some(&north), None).status,
        404
    );
    assert!(
        !page.body.contains(agreed.as_str()),
        "IDVA referrals are not housing's"
    );
    let detail = http(&srv.addr, "GET", "/shared/R1", Some(&north), None);
    assert_eq!(detail.status, 200);
    assert!(detail.body.contains("Ann Smith") && detail.body.contains("Police contact"));
    assert!(!detail.body.contains("High Street"), "never an address");
    assert_eq!(
        http(
            &srv.addr,
            "GET",
            &format!("/shared/{agreed}"),
            Some(&north),
            None
        )
        .status,
        404
    );
    // Every view is in the audit trail by person.
    let o = vigil(&["--db", &srv.db, "audit", "--subject", "P1"]);
    assert!(text(&o).contains("housing.north"), "{}", text(&o));
    let o = vigil(&["--db", &srv.db, "audit", "--actor", "housing.south"]);
    assert!(text(&o).contains("shared.read_denied"), "{}", text(&o));
}

/// The IDVA service takes a referral from acceptance to closure, each step in order, and
/// each IDVA's caseload follows; a referral the victim declined is not the service's.
#[test]
fn the_idva_service_works_a_referral_from_acceptance_to_closure() {
    let srv = start();
    add_user(&srv.db, "idva", "partner_agency", &["--agency", "idva"]);
    let cru = token(&srv, "cru");
    let mut refs = Vec::new();
    for consent in ["no", "yes"] {
        let (status, v) = api(
            &srv,
            "POST",
            "/api/v1/cases/I2/referrals",
            &cru,
            Some(&json!({"kind": "idva", "consent": consent})),
        );
        assert_eq!(status, 201, "{v}");
        refs.push(v["id"].as_str().unwrap().to_owned());
    }
    let (declined, agreed) = (&refs[0], &refs[1]);
    let idva = token(&srv, "idva");
    let (status, list) = api(&srv, "GET", "/api/v1/idva", &idva, None);
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["state"], "Awaiting an IDVA");
    // Referred on Monday morning: first contact due by the end of Wednesday.
    assert_eq!(list[0]["first_contact_due"], "2019-09-04T23:59:59");
    let step = |body: serde_json::Value| {
        api(
            &srv,
            "POST",
            &format!("/api/v1/idva/{agreed}/steps"),
            &idva,
            Some(&body),
        )
    };
    let (status, v) = step(json!({"step": "first_contact", "at": "02/09/2019 09:00"}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("Accept the referral before"), "{v}");
    let (status, v) = step(json!({"step": "accept"}));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["accepted_by"], "idva");
    let (status, v) = step(json!({"step": "first_contact", "at": "01/08/2019 09:00"}));
    assert_eq!(status, 422, "before the referral: {v}");
    let (page, _) = sign_in(&srv, "idva");
    let p = http(&srv.addr, "GET", "/idva", Some(&page), None);
    assert!(
        p.body.contains("Caseloads") && p.body.contains("data-label=\"Open cases\">1</td>"),
        "{}",
        p.body
    );
    let (status, v) = step(json!({"step": "close", "reason": "Support ended"}));
    assert_eq!(status, 422, "engagement first: {v}");
    let (status, v) = step(json!({"step": "outcome", "engagement": "unreachable"}));
    assert_eq!(status, 200, "{v}");
    let (status, v) = step(json!({"step": "close", "reason": "Not reached after three attempts"}));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "Closed");
    let (status, _) = step(json!({"step": "accept"}));
    assert_eq!(status, 422, "a closed case takes no step");
    // The declined referral is not the service's to work.
    assert_eq!(
        api(
            &srv,
            "POST",
            &format!("/api/v1/idva/{declined}/steps"),
            &idva,
            Some(&json!({"step": "accept"}))
        )
        .0,
        404
    );
    assert_eq!(
        http(
            &srv.addr,
            "GET",
            &format!("/idva/{declined}"),
            Some(&page),
            None
        )
        .status,
        404
    );
    // Not for another agency.
    let nhs = token(&srv, "nhs");
    assert_eq!(api(&srv, "GET", "/api/v1/idva", &nhs, None).0, 403);
    let o = vigil(&["--db", &srv.db, "audit", "--actor", "idva"]);
    assert!(
        text(&o).contains("idva.accept") && text(&o).contains("idva.close"),
        "{}",
        text(&o)
    );
}
