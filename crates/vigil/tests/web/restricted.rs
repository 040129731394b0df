//! Need-to-know: a restricted person or case is seen by the users and teams named on it
//! and by nobody else, whatever their role allows — "not found" on the page and in the API,
//! left out of searches, queues and partners' lists (which say how many they left out),
//! every refused read audited; and the administrators' page that restricts and lifts.

use crate::api::{api, token};
use crate::flows::{form, intake};
use crate::support::*;

fn restrict(srv: &Server, admin: &(String, String), pairs: &[(&str, &str)]) -> Reply {
    let mut all = vec![("csrf", admin.1.as_str())];
    all.extend_from_slice(pairs);
    http(
        &srv.addr,
        "POST",
        "/admin/restrictions",
        Some(&admin.0),
        Some(&form(&all)),
    )
}

#[test]
fn a_restricted_record_is_seen_only_by_those_named_on_it() {
    let srv = start();
    let admin = sign_in(&srv, "admin");
    let (investigator, inv_csrf) = sign_in(&srv, "investigator");
    let (cru, _) = sign_in(&srv, "cru");
    let (sergeant, _) = sign_in(&srv, "sergeant");
    let (nhs, _) = sign_in(&srv, "nhs");

    // Before: the investigator reads Ann Smith (P1), finds her, the NHS sees her referral.
    assert_eq!(
        http(&srv.addr, "GET", "/people/P1", Some(&investigator), None).status,
        200
    );
    assert!(
        http(&srv.addr, "GET", "/shared", Some(&nhs), None)
            .body
            .contains("R1")
    );

    // Mistakes are named field by field; nothing is restricted.
    for (pairs, message) in [
        (
            vec![
                ("kind", "person"),
                ("reference", "NOPE"),
                ("ground", "high_profile"),
                ("users", "cru"),
            ],
            "No person has the reference NOPE",
        ),
        (
            vec![
                ("kind", "witness"),
                ("reference", "P1"),
                ("ground", "high_profile"),
                ("users", "cru"),
            ],
            "is not a kind of record",
        ),
        (
            vec![
                ("kind", "person"),
                ("reference", "P1"),
                ("ground", "other"),
                ("users", "cru"),
            ],
            "Say why the record is restricted",
        ),
        (
            vec![
                ("kind", "person"),
                ("reference", "P1"),
                ("ground", "high_profile"),
            ],
            "Name at least one user or team",
        ),
        (
            vec![
                ("kind", "person"),
                ("reference", "P1"),
                ("ground", "high_profile"),
                ("users", "nobody.here"),
            ],
            "No enabled user has the username nobody.here",
        ),
        (
            vec![
                ("kind", "person"),
                ("reference", "P1"),
                ("ground", "high_profile"),
                ("teams", "sales"),
            ],
            "is not a team",
        ),
        (
            vec![
                ("kind", "person"),
                ("reference", "P1"),
                ("ground", "high_profile"),
                ("teams", "dait@Atlantis"),
            ],
            "Atlantis is not one of the force&#39;s areas",
        ),
    ] {
        let r = restrict(&srv, &admin, &pairs);
        assert_eq!(r.status, 400, "{message}: {}", r.body);
        assert!(r.body.contains(message), "{message}: {}", r.body);
        assert!(r.body.contains("0 records are restricted"), "{message}");
    }
    // Only an administrator restricts.
    let r = http(
        &srv.addr,
        "POST",
        "/admin/restrictions",
        Some(&investigator),
        Some(&form(&[
            ("csrf", &inv_csrf),
            ("kind", "person"),
            ("reference", "P1"),
            ("ground", "high_profile"),
            ("users", "investigator"),
        ])),
    );
    assert_eq!(r.status, 404);

    // Ann Smith works for the force: only the CRU (every area) may see her.
    let r = restrict(
        &srv,
        &admin,
        &[
            ("kind", "person"),
            ("reference", "P1"),
            ("ground", "force_employee"),
            ("teams", "cru"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = http(
        &srv.addr,
        "GET",
        "/admin/restrictions",
        Some(&admin.0),
        None,
    );
    assert!(
        page.body.contains("Person P1") && page.body.contains("CRU (every area)"),
        "{}",
        page.body
    );

    // Not found for the investigator — her record, her case, a search, the API — and
    // each refused read is in the audit trail.
    assert_eq!(
        http(&srv.addr, "GET", "/people/P1", Some(&investigator), None).status,
        404
    );
    assert_eq!(
        http(&srv.addr, "GET", "/cases/I1", Some(&investigator), None).status,
        404
    );
    let found = http(
        &srv.addr,
        "GET",
        "/search?family_name=smi",
        Some(&investigator),
        None,
    );
    assert!(!found.body.contains("/people/P1"), "{}", found.body);
    let t = token(&srv, "investigator");
    assert_eq!(api(&srv, "GET", "/api/v1/people/P1", &t, None).0, 404);
    assert_eq!(api(&srv, "GET", "/api/v1/cases/I1", &t, None).0, 404);
    // The partner agency no longer sees her MARAC referral.
    let shared = http(&srv.addr, "GET", "/shared", Some(&nhs), None);
    assert!(
        !shared.body.contains("R1") && !shared.body.contains("Smith"),
        "{}",
        shared.body
    );
    // The CRU still sees everything.
    assert_eq!(
        http(&srv.addr, "GET", "/people/P1", Some(&cru), None).status,
        200
    );
    assert_eq!(
        http(&srv.addr, "GET", "/cases/I1", Some(&cru), None).status,
        200
    );
    let o = vigil(&["--db", &srv.db, "audit", "--subject", "P1"]);
    let trail = text(&o);
    assert!(
        trail.contains("person.read_restricted") && trail.contains("restriction.set"),
        "{trail}"
    );
    let o = vigil(&["--db", &srv.db, "audit", "--subject", "I1"]);
    assert!(text(&o).contains("case.read_restricted"), "{}", text(&o));

    // A new case in the DAIT queue restricted to the sergeant: the investigator's queue
    // leaves it out and says so; the sergeant's lists it.
    let (officer, officer_csrf) = sign_in(&srv, "officer");
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&intake(
            &officer_csrf,
            11,
            &[("victim_family_name", "Quayle")],
        )),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let case = r
        .header("location")
        .unwrap()
        .trim_start_matches("/cases/")
        .to_owned();
    let case = case.split('?').next().unwrap().to_owned();
    let queue = http(&srv.addr, "GET", "/queues/dait", Some(&investigator), None);
    assert!(
        queue.body.contains(&format!("/cases/{case}")),
        "{}",
        queue.body
    );
    let r = restrict(
        &srv,
        &admin,
        &[
            ("kind", "case"),
            ("reference", &case),
            ("ground", "high_profile"),
            ("users", "sergeant"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let queue = http(&srv.addr, "GET", "/queues/dait", Some(&investigator), None);
    assert!(
        !queue.body.contains(&format!("/cases/{case}")),
        "{}",
        queue.body
    );
    assert!(
        queue
            .body
            .contains("1 restricted record on this page is not shown"),
        "{}",
        queue.body
    );
    let (_, q) = api(&srv, "GET", "/api/v1/queues/dait", &t, None);
    assert_eq!(q["withheld"], 1, "{q}");
    assert!(!q.to_string().contains(&case));
    let queue = http(&srv.addr, "GET", "/queues/dait", Some(&sergeant), None);
    assert!(
        queue.body.contains(&format!("/cases/{case}")),
        "{}",
        queue.body
    );
    assert_eq!(
        http(
            &srv.addr,
            "GET",
            &format!("/cases/{case}"),
            Some(&sergeant),
            None
        )
        .status,
        200
    );
    // Writing to it is refused too: a note is "not found".
    assert_eq!(
        api(
            &srv,
            "POST",
            &format!("/api/v1/cases/{case}/notes"),
            &t,
            Some(&serde_json::json!({"text": "Looking"}))
        )
        .0,
        404
    );

    // Lifting needs a reason; then the investigator sees Ann Smith again.
    let lift = |reason: &str| {
        http(
            &srv.addr,
            "POST",
            "/admin/restrictions/lift",
            Some(&admin.0),
            Some(&form(&[
                ("csrf", &admin.1),
                ("kind", "person"),
                ("reference", "P1"),
                ("reason", reason),
            ])),
        )
    };
    let r = lift("");
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("Say why the restriction is lifted"),
        "{}",
        r.body
    );
    assert_eq!(
        http(&srv.addr, "GET", "/people/P1", Some(&investigator), None).status,
        404
    );
    assert_eq!(lift("She has left the force's employment").status, 303);
    assert_eq!(
        http(&srv.addr, "GET", "/people/P1", Some(&investigator), None).status,
        200
    );
    let o = vigil(&["--db", &srv.db, "audit", "--subject", "P1"]);
    assert!(text(&o).contains("restriction.lifted"), "{}", text(&o));
}
