//! The JSON API: token and session authentication, the same rules as the pages, one error
//! shape with a machine-readable code, and the OpenAPI document held to a snapshot.

use crate::support::*;
use serde_json::{Value, json};

/// A bearer token for `user`, issued by the CLI as an administrator would.
pub fn token(srv: &Server, user: &str) -> String {
    let o = vigil(&["--db", &srv.db, "user", "token", user, "--hours", "1"]);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

pub fn api(
    srv: &Server,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let body_text = body.map(|b| b.to_string());
    let r = request(
        &srv.addr,
        method,
        path,
        &[("Authorization", &auth)],
        body_text.as_deref().map(|b| ("application/json", b)),
    );
    let v = serde_json::from_str(&r.body)
        .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {}", r.body));
    (r.status, v)
}

fn intake_body(yes: usize) -> Value {
    let answers: Vec<&str> = (1..=27)
        .map(|q| if q <= yes { "yes" } else { "no" })
        .collect();
    json!({
        "call_grade": "priority",
        "reported_at": "2019-08-30T18:05",
        "lpa": "North",
        "victim": {"family_name": "Quill", "given_names": "Hana", "sex": "female", "birth_date": "1988-02-29"},
        "suspect": {"id": "P2"},
        "relationship": "ex_partner",
        "children_present": false,
        "dash": {"answers": answers}
    })
}

#[test]
fn the_openapi_document_matches_its_snapshot() {
    let srv = start();
    let r = http(&srv.addr, "GET", "/api/v1/openapi.json", None, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let served: Value = serde_json::from_str(&r.body).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/web/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(
            path,
            format!("{}\n", serde_json::to_string_pretty(&served).unwrap()),
        )
        .unwrap();
    }
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        served == snapshot,
        "the API changed: review the difference, then run UPDATE_SNAPSHOTS=1 cargo test -p vigil --test web openapi"
    );
    // Every operation described is served (asked without signing in, each answers 401, not
    // 404 or 405), every response says what it means, and every path parameter is in its
    // path (a query parameter declared as a path one would send clients astray).
    let paths = served["paths"].as_object().unwrap();
    assert!(paths.len() >= 25, "{} paths", paths.len());
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let url = path.replace("{id}", "X1").replace("{queue}", "dait");
            let r = request(&srv.addr, &method.to_uppercase(), &url, &[], None);
            assert_eq!(r.status, 401, "{method} {path}");
            for (code, response) in op["responses"].as_object().unwrap() {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {code}"
                );
            }
            for prm in op["parameters"].as_array().into_iter().flatten() {
                if prm["in"] == "path" {
                    let name = prm["name"].as_str().unwrap();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name}"
                    );
                }
            }
        }
    }
}

#[test]
fn intake_through_the_api_routes_and_returns_the_actions_due() {
    let srv = start();
    let t = token(&srv, "officer");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/incidents",
        &t,
        Some(&intake_body(11)),
    );
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["risk"], "medium");
    assert_eq!(v["routing"]["investigation"], "dait");
    assert_eq!(v["routing"]["safeguarding"], "dait");
    let codes: Vec<&str> = v["actions_due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"clares_law_right_to_know") && codes.contains(&"secondary_assessment"),
        "{codes:?}"
    );
    let id = v["incident_id"].as_str().unwrap().to_owned();
    let (status, case) = api(&srv, "GET", &format!("/api/v1/cases/{id}"), &t, None);
    assert_eq!(status, 200);
    assert_eq!(case["incident"]["suspect_id"], "P2");
    assert_eq!(case["assessments"][0]["stage"], "primary");

    // Possible duplicate: the same new victim again.
    let (status, v) = api(&srv, "POST", "/api/v1/incidents", &t, Some(&intake_body(3)));
    assert_eq!(status, 409);
    assert_eq!(v["error"]["code"], "possible_duplicates");
    assert_eq!(v["error"]["matches"][0]["family_name"], "Quill");
    let mut confirmed = intake_body(3);
    confirmed["confirm_new_people"] = json!(true);
    assert_eq!(
        api(&srv, "POST", "/api/v1/incidents", &t, Some(&confirmed)).0,
        201
    );
}

#[test]
fn bad_requests_get_one_error_shape_and_write_nothing() {
    let srv = start();
    let t = token(&srv, "officer");
    let auth = format!("Bearer {t}");
    let send = |body: &str, kind: &str| {
        request(
            &srv.addr,
            "POST",
            "/api/v1/incidents",
            &[("Authorization", &auth)],
            Some((kind, body)),
        )
    };
    let code = |r: &Reply| {
        serde_json::from_str::<Value>(&r.body).unwrap()["error"]["code"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    let r = send("{\"call_grade\": ", "application/json");
    assert_eq!(
        (r.status, code(&r).as_str()),
        (400, "invalid_request"),
        "{}",
        r.body
    );
    let r = send(
        "{\"call_grade\": \"priority\", \"colour\": \"red\"}",
        "application/json",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("colour"),
        "names the unknown field: {}",
        r.body
    );
    let r = send("{\"children_present\": \"perhaps\"}", "application/json");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("children_present"), "{}", r.body);
    let r = send("call_grade=priority", "application/x-www-form-urlencoded");
    assert_eq!(
        (r.status, code(&r).as_str()),
        (415, "unsupported_media_type")
    );
    let big = format!("{{\"lpa\": \"{}\"}}", "x".repeat(100 * 1024));
    let r = send(&big, "application/json");
    assert_eq!((r.status, code(&r).as_str()), (413, "payload_too_large"));

    let mut impossible = intake_body(2);
    impossible["arrived_at"] = json!("2019-08-30T17:00");
    impossible["reported_at"] = json!("2019-08-30T18:05");
    impossible["dash"]["answers"] = json!(["yes", "maybe"]);
    let (status, v) = api(&srv, "POST", "/api/v1/incidents", &t, Some(&impossible));
    assert_eq!(status, 422);
    assert_eq!(v["error"]["code"], "invalid_fields");
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"arrived_at") && fields.contains(&"dash.2") && fields.contains(&"dash.27"),
        "{fields:?}"
    );

    // Unknown ids are field errors; a case the role may not touch is not found.
    let mut unknown = intake_body(2);
    unknown["suspect"] = json!({"id": "NOBODY"});
    let (status, v) = api(&srv, "POST", "/api/v1/incidents", &t, Some(&unknown));
    assert_eq!(status, 422);
    assert_eq!(v["error"]["fields"][0]["field"], "suspect.id");

    // Nothing above was written.
    let (_, found) = api(&srv, "GET", "/api/v1/search?family_name=Quill", &t, None);
    assert_eq!(found["people"].as_array().unwrap().len(), 0);
    let (status, v) = api(&srv, "GET", "/api/v1/search?surname=Quill", &t, None);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, v) = api(&srv, "GET", "/api/v1/nothing/here", &t, None);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    assert_eq!(
        http(&srv.addr, "GET", "/", None, None).status,
        303,
        "still serving"
    );
}

#[test]
fn authentication_tokens_sessions_and_form_tokens() {
    let srv = start();
    let r = request(&srv.addr, "GET", "/api/v1/cases/I1", &[], None);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("\"unauthorised\""));
    let r = request(
        &srv.addr,
        "GET",
        "/api/v1/cases/I1",
        &[(
            "Authorization",
            "Bearer 0000000000000000000000000000000000000000000000000000000000000000",
        )],
        None,
    );
    assert_eq!(r.status, 401);
    // The browser session works for reads; a change also needs the form token.
    let (cookie, csrf) = sign_in(&srv, "cru");
    let r = request(
        &srv.addr,
        "GET",
        "/api/v1/cases/I1",
        &[("Cookie", &cookie)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let body = json!({"kind": "idva", "consent": "yes"}).to_string();
    let r = request(
        &srv.addr,
        "POST",
        "/api/v1/cases/I1/referrals",
        &[("Cookie", &cookie)],
        Some(("application/json", &body)),
    );
    assert_eq!(r.status, 403);
    assert!(r.body.contains("form_token_missing"));
    let r = request(
        &srv.addr,
        "POST",
        "/api/v1/cases/I1/referrals",
        &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
        Some(("application/json", &body)),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // A disabled user's token stops working.
    let t = token(&srv, "officer");
    assert_eq!(api(&srv, "GET", "/api/v1/cases/I1", &t, None).0, 200);
    assert!(
        vigil(&["--db", &srv.db, "user", "disable", "officer"])
            .status
            .success()
    );
    assert_eq!(api(&srv, "GET", "/api/v1/cases/I1", &t, None).0, 401);
}

#[test]
fn outcomes_and_records_a_role_may_not_see() {
    let srv = start();
    let t = token(&srv, "investigator");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/offences",
        &t,
        Some(
            &json!({"offence_group": "violence_with_injury", "offence_date": "2019-05-01", "recorded_date": "2019-05-02"}),
        ),
    );
    assert_eq!(status, 201, "{v}");
    let offence = v["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/offences/{offence}/outcome");
    let (status, v) = api(
        &srv,
        "PUT",
        &path,
        &t,
        Some(&json!({"code": "16", "date": "2019-06-01", "version": 1})),
    );
    assert_eq!(status, 422);
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("withdrawal"),
        "{v}"
    );
    let (status, v) = api(
        &srv,
        "PUT",
        &path,
        &t,
        Some(
            &json!({"code": "16", "date": "2019-06-01", "version": 1, "victim_withdrawal_recorded": true}),
        ),
    );
    assert_eq!((status, v["version"].as_i64()), (200, Some(2)), "{v}");
    let (status, v) = api(
        &srv,
        "PUT",
        &path,
        &t,
        Some(&json!({"code": "1", "date": "2019-06-02", "version": 1})),
    );
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{v}"
    );
    // JSON does not tell 2 from 2.0: both are the version.
    let (status, v) = api(
        &srv,
        "PUT",
        &path,
        &t,
        Some(
            &json!({"code": "1", "date": "2019-06-02", "version": 2.0, "reason": "The CPS charged after the victim re-engaged"}),
        ),
    );
    assert_eq!((status, v["version"].as_i64()), (200, Some(3)), "{v}");
    let (status, v) = api(
        &srv,
        "PUT",
        &path,
        &t,
        Some(&json!({"code": "1", "version": 2.5})),
    );
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("invalid_request")),
        "{v}"
    );

    // An analyst may not read cases: not found, and the attempt audited.
    let a = token(&srv, "analyst");
    let (status, v) = api(&srv, "GET", "/api/v1/people/P3", &a, None);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let o = vigil(&[
        "--db",
        &srv.db,
        "audit",
        "--actor",
        "analyst",
        "--subject",
        "P3",
    ]);
    assert!(text(&o).contains("person.read_denied"), "{}", text(&o));
    // A response officer sees P3's record but not the refuge address; the CRU does.
    let officer = token(&srv, "officer");
    let (_, p) = api(&srv, "GET", "/api/v1/people/P3", &officer, None);
    assert_eq!(p["person"]["address"], Value::Null);
    assert_eq!(p["person"]["address_withheld"], true);
    let cru = token(&srv, "cru");
    let (_, p) = api(&srv, "GET", "/api/v1/people/P3", &cru, None);
    assert_eq!(p["person"]["address_withheld"], true, "a reason first");
    let (_, p) = api(
        &srv,
        "POST",
        "/api/v1/people/P3/address",
        &cru,
        Some(&json!({"reason": "Safety plan visit today"})),
    );
    assert_eq!(p["person"]["address"], "Refuge Lane");
    for reason in ["x", ""] {
        let (status, v) = api(
            &srv,
            "POST",
            "/api/v1/people/P3/address",
            &cru,
            Some(&json!({"reason": reason})),
        );
        assert_eq!(
            (status, v["error"]["fields"][0]["field"].as_str()),
            (422, Some("reason"))
        );
    }
    // A reason in a URL is refused, not read.
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/people/P3?reason=Safety%20plan%20visit%20today",
        &cru,
        None,
    );
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("POST the reason"), "{v}");
    // A partner agency sees only what is shared with it.
    let nhs = token(&srv, "nhs");
    let (status, v) = api(&srv, "GET", "/api/v1/shared", &nhs, None);
    assert_eq!(status, 200);
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["referral"]["kind"], "marac");
    assert_eq!(api(&srv, "GET", "/api/v1/cases/I1", &nhs, None).0, 404);
}

#[test]
fn analysts_get_the_performance_pack() {
    let srv = start();
    let analyst = token(&srv, "analyst");
    let (status, v) = api(&srv, "GET", "/api/v1/pack?as_of=2019-09-01", &analyst, None);
    assert_eq!(status, 200, "{v}");
    assert!(v["force"]["da_offences"].is_object(), "{v}");
    assert!(!v.to_string().contains("Smith"), "aggregates only");
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/pack?as_of=31%2F13%2F2019",
        &analyst,
        None,
    );
    assert_eq!(
        (status, v["error"]["fields"][0]["field"].as_str()),
        (422, Some("as_of"))
    );
    let (status, _) = api(&srv, "GET", "/api/v1/pack?lpa=Narnia", &analyst, None);
    assert_eq!(status, 422);
    let officer = token(&srv, "officer");
    let (status, v) = api(&srv, "GET", "/api/v1/pack", &officer, None);
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
}

/// The casework API: work lists and queues with true totals and bounded pages, notes,
/// allocation, and the rules that answer with a message a user can act on.
#[test]
fn casework_through_the_api() {
    let srv = start();
    let officer = token(&srv, "officer");
    let sergeant = token(&srv, "sergeant");
    let not_known: Vec<&str> = vec!["not_known"; 27];
    let intake = |dash: serde_json::Value, children: bool| {
        api(
            &srv,
            "POST",
            "/api/v1/incidents",
            &officer,
            Some(&json!({
                "call_grade": "priority", "reported_at": "2019-09-02T08:15", "lpa": "North",
                "victim": {"family_name": "Marchbank", "given_names": "Ivy", "sex": "female"},
                "relationship": "ex_partner", "children_present": children,
                "dash": dash, "confirm_new_people": true
            })),
        )
    };
    // Every answer "not known": the officer's judgement must grade it.
    let (status, v) = intake(json!({"answers": not_known}), false);
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("dash.judgement_grade"), "{v}");
    // Without a DASH: recorded, awaiting assessment, its first task the officer's.
    let (status, v) = intake(json!({}), false);
    assert_eq!(status, 201, "{v}");
    let case = v["incident_id"].as_str().unwrap().to_owned();
    let (status, w) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{case}/work"),
        &officer,
        None,
    );
    assert_eq!(status, 200, "{w}");
    assert_eq!(
        w["team"],
        serde_json::Value::Null,
        "awaiting assessment: {w}"
    );
    assert!(
        w["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "primary_assessment"
                && t["officer"] == "officer"
                && t["state"] == "open"),
        "{w}"
    );
    let (status, mine) = api(&srv, "GET", "/api/v1/tasks?owner=me", &officer, None);
    assert_eq!(status, 200, "{mine}");
    assert!(mine["total"].as_u64().unwrap() >= 1, "{mine}");
    assert_eq!(mine["items"][0]["victim_name"], "Ivy Marchbank", "{mine}");
    let (status, awaiting) = api(
        &srv,
        "GET",
        "/api/v1/queues/awaiting-assessment?lpa=all",
        &officer,
        None,
    );
    assert_eq!(status, 200, "{awaiting}");
    assert!(awaiting.to_string().contains(&case), "{awaiting}");
    // Operation Encompass needs a child on the incident.
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/cases/{case}/referrals"),
        &officer,
        Some(&json!({"kind": "encompass", "consent": "not_known"})),
    );
    assert_eq!(status, 422, "{v}");
    assert!(
        v.to_string()
            .contains("Operation Encompass is for an incident with children"),
        "{v}"
    );
    // A note, bounded, kept in the log with who wrote it.
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/cases/{case}/notes"),
        &officer,
        Some(&json!({"text": "x".repeat(10_001)})),
    );
    assert_eq!(status, 422, "{v}");
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/cases/{case}/notes"),
        &officer,
        Some(&json!({"text": "Neighbour heard shouting at 08:00."})),
    );
    assert_eq!(status, 201, "{v}");
    let (_, w) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{case}/work"),
        &officer,
        None,
    );
    let note = &w["log"][0];
    assert_eq!(
        (note["kind"].as_str(), note["actor"].as_str()),
        (Some("note"), Some("officer")),
        "{w}"
    );
    // Allocation waits for routing, and goes only to an officer of the team holding the case.
    let version = w["version"].as_i64().unwrap();
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/cases/{case}/allocation"),
        &sergeant,
        Some(&json!({"officer": "investigator", "version": version})),
    );
    assert_eq!(status, 422, "not routed yet: {v}");
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/cases/{case}/allocation"),
        &officer,
        Some(&json!({"officer": "investigator", "version": version})),
    );
    assert_eq!(status, 403, "only a sergeant allocates: {v}");
    // Queues page with their true totals; the page size is bounded. Two medium-risk cases
    // go to the DAIT's queue as soon as they are assessed, before any offence.
    let medium: Vec<&str> = (1..=27)
        .map(|q| if q <= 11 { "yes" } else { "no" })
        .collect();
    for _ in 0..2 {
        let (status, v) = intake(json!({"answers": medium}), false);
        assert_eq!(status, 201, "{v}");
    }
    let (status, q) = api(
        &srv,
        "GET",
        "/api/v1/queues/dait?lpa=all&per_page=1",
        &sergeant,
        None,
    );
    assert_eq!(status, 200, "{q}");
    let total = q["total"].as_u64().unwrap();
    assert!(
        total >= 2 && q["items"].as_array().unwrap().len() == 1,
        "{q}"
    );
    assert_eq!(q["pages"].as_u64().unwrap(), total, "{q}");
    let (status, q2) = api(
        &srv,
        "GET",
        "/api/v1/queues/dait?lpa=all&per_page=1&page=2",
        &sergeant,
        None,
    );
    assert_eq!(status, 200);
    assert_ne!(
        q["items"][0]["incident_id"], q2["items"][0]["incident_id"],
        "{q2}"
    );
    assert_eq!(q2["total"], q["total"]);
    for bad in [
        "per_page=0",
        "per_page=201",
        "page=0",
        "state=late",
        "risk=extreme",
    ] {
        let (status, v) = api(
            &srv,
            "GET",
            &format!("/api/v1/queues/dait?{bad}"),
            &sergeant,
            None,
        );
        assert_eq!(status, 422, "{bad}: {v}");
    }
    let (status, _) = api(&srv, "GET", "/api/v1/tasks?state=someday", &sergeant, None);
    assert_eq!(status, 422);
}

#[test]
fn outstanding_suspects_until_arrested_then_the_disposal() {
    let srv = start();
    let t = token(&srv, "investigator");
    let offence = |case: &str, recorded: &str| {
        let (status, v) = api(
            &srv,
            "POST",
            &format!("/api/v1/cases/{case}/offences"),
            &t,
            Some(
                &json!({"offence_group": "violence_with_injury", "offence_date": "2019-06-01",
                         "recorded_date": recorded, "team": "dait"}),
            ),
        );
        assert_eq!(status, 201, "{v}");
        v["id"].as_str().unwrap().to_owned()
    };
    let first = offence("I2", "2019-06-02");
    let second = offence("I2", "2019-06-05");
    let (status, v) = api(&srv, "GET", "/api/v1/suspects?lpa=all", &t, None);
    assert_eq!(status, 200, "{v}");
    // One suspect on one case, however many offences name him, since the earliest.
    assert_eq!(v["total"], 1, "{v}");
    let item = &v["items"][0];
    assert_eq!(item["suspect_name"], "Bob Jones", "{v}");
    assert_eq!(item["incident_id"], "I2");
    assert_eq!(item["team"], "dait");
    assert_eq!(item["outstanding_since"], "2019-06-02");
    // The fixture's clock: 2 September 2019.
    assert_eq!(item["days_outstanding"], 92, "{v}");
    assert_eq!(item["offence_ids"], json!([first, second]));
    // Another team's list does not hold him; a bad team or page size is refused.
    let (_, v) = api(&srv, "GET", "/api/v1/suspects?lpa=all&team=lpt", &t, None);
    assert_eq!(v["total"], 0, "{v}");
    let (status, v) = api(&srv, "GET", "/api/v1/suspects?team=banana", &t, None);
    assert_eq!(status, 422, "{v}");
    let (status, _) = api(&srv, "GET", "/api/v1/suspects?per_page=100000", &t, None);
    assert_eq!(status, 422);
    // Found by scripts/fuzz-api: a page beyond what the document declares is refused too.
    let (status, _) = api(&srv, "GET", "/api/v1/suspects?page=2147483648", &t, None);
    assert_eq!(status, 422);
    // A role that does not investigate may not list suspects.
    let (status, _) = api(
        &srv,
        "GET",
        "/api/v1/suspects",
        &token(&srv, "analyst"),
        None,
    );
    assert_eq!(status, 403);

    // The page and its download say the same, by name.
    let (cookie, _) = sign_in(&srv, "investigator");
    let page = http(&srv.addr, "GET", "/suspects?lpa=all", Some(&cookie), None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Bob Jones"), "{}", page.body);
    assert!(page.body.contains("2 June 2019 (92 days)"), "{}", page.body);
    let csv = http(
        &srv.addr,
        "GET",
        "/suspects?lpa=all&format=csv",
        Some(&cookie),
        None,
    );
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("P2,Bob Jones,I2,P3,"),
        "{}",
        csv.body
    );

    // Arrested on the case: no longer outstanding.
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I2/arrests",
        &t,
        Some(&json!({"arrested_at": "2019-09-02T08:00", "bwv_shown_in_interview": "not_known"})),
    );
    assert_eq!(status, 201, "{v}");
    let arrest = v["id"].as_str().unwrap().to_owned();
    let (_, v) = api(&srv, "GET", "/api/v1/suspects?lpa=all", &t, None);
    assert_eq!(v["total"], 0, "{v}");

    // The arrest's disposal: bail needs its conditions; each decision is a task to tell
    // the victim, and the log keeps the old disposal and the conditions.
    let work = |t: &str| api(&srv, "GET", "/api/v1/cases/I2/work", t, None).1;
    let version = work(&t)["version"].as_i64().unwrap();
    let disposal = |body: Value| api(&srv, "POST", "/api/v1/cases/I2/disposals", &t, Some(&body));
    let (status, v) =
        disposal(json!({"arrest_id": arrest, "disposal": "bail", "version": version}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("bail conditions"), "{v}");
    let (status, v) =
        disposal(json!({"arrest_id": "A999", "disposal": "charge", "version": version}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("no arrest A999 on this case"), "{v}");
    let (status, v) = disposal(json!({"arrest_id": arrest, "disposal": "bail",
        "conditions": "Not to contact the victim", "version": version}));
    assert_eq!(status, 200, "{v}");
    let (status, v) =
        disposal(json!({"arrest_id": arrest, "disposal": "charge", "version": version}));
    assert_eq!(status, 409, "an edit of an old version: {v}");
    let w = work(&t);
    let key = format!("{arrest}:bail");
    assert!(
        w["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "victim_update"
                && t["key"] == key.as_str()
                && t["state"] == "open"),
        "{w}"
    );
    let entry = w["log"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "disposal_updated")
        .unwrap();
    assert_eq!(entry["text"], "Not to contact the victim", "{w}");
    assert!(
        entry["summary"]
            .as_str()
            .unwrap()
            .ends_with("pending → bail"),
        "{w}"
    );
    let trail = vigil(&["--db", &srv.db, "audit", "--limit", "200"]);
    let trail = text(&trail);
    assert!(
        trail.contains("suspects.read") && trail.contains("suspects.export"),
        "{trail}"
    );
}

#[test]
fn offence_codes_and_community_resolution_follow_the_rules() {
    let srv = start();
    let t = token(&srv, "investigator");
    let offence = |group: &str, code: &str| {
        api(
            &srv,
            "POST",
            "/api/v1/cases/I1/offences",
            &t,
            Some(
                &json!({"offence_group": group, "ho_code": code, "offence_date": "2019-05-01",
                         "recorded_date": "2019-05-02"}),
            ),
        )
    };
    let (status, v) = offence("coercive_control", "banana");
    assert_eq!(status, 422, "{v}");
    assert!(
        v.to_string()
            .contains("'banana' is not a Home Office offence code"),
        "{v}"
    );
    let (status, v) = offence("coercive_control", "8N");
    assert_eq!(status, 422, "{v}");
    assert!(
        v.to_string().contains("counted as violence with injury"),
        "{v}"
    );
    let (status, v) = offence("violence_with_injury", "8n");
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let (_, case) = api(&srv, "GET", "/api/v1/cases/I1", &t, None);
    assert!(
        case.to_string().contains("\"8N\""),
        "kept as the catalogue spells it: {case}"
    );

    // Outcome 8 on a high-risk case of violence with injury: a sergeant's decision, with
    // the reason kept on the case.
    let path = format!("/api/v1/offences/{id}/outcome");
    let (status, v) = api(
        &srv,
        "PUT",
        &path,
        &t,
        Some(&json!({"code": "8", "version": 1})),
    );
    assert_eq!(status, 422, "{v}");
    assert!(
        v.to_string().contains("needs a supervisor's authorisation"),
        "{v}"
    );
    let sergeant = token(&srv, "sergeant");
    let (status, v) = api(
        &srv,
        "PUT",
        &path,
        &sergeant,
        Some(&json!({"code": "8", "version": 1})),
    );
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("authorisation"), "{v}");
    let (status, v) = api(
        &srv,
        "PUT",
        &path,
        &sergeant,
        Some(
            &json!({"code": "8", "version": 1, "authorisation": "First report; the victim asked for it and is safe"}),
        ),
    );
    assert_eq!(status, 200, "{v}");
    let (_, w) = api(&srv, "GET", "/api/v1/cases/I1/work", &sergeant, None);
    let entry = w["log"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "authorised");
    assert!(entry.is_some_and(|e| e["actor"] == "sergeant"), "{w}");
}

#[test]
fn a_victims_contact_preferences_are_kept_checked_and_shown_to_who_needs_them() {
    let srv = start();
    let t = token(&srv, "investigator");
    let put = |body: Value| {
        api(
            &srv,
            "PUT",
            "/api/v1/people/P1/contact-preferences",
            &t,
            Some(&body),
        )
    };
    // A call needs a safe number; a number must look like one.
    let (status, v) = put(json!({"method": "phone", "version": 0}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("safe to use"), "{v}");
    let (status, v) = put(json!({"method": "phone", "safe_number": "999", "version": 0}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("is not a telephone number"), "{v}");
    let (status, v) = put(json!({"method": "text", "safe_number": "07700 900 123",
        "safe_times": "weekdays 9 to 3", "avoid": "no voicemail", "version": 0}));
    assert_eq!((status, v["version"].as_i64()), (200, Some(1)), "{v}");
    // An edit of an old version is refused.
    let (status, _) = put(json!({"method": "letter", "version": 0}));
    assert_eq!(status, 409);
    let (_, p) = api(&srv, "GET", "/api/v1/people/P1", &t, None);
    assert_eq!(
        p["contact_preferences"]["safe_number"], "07700900123",
        "{p}"
    );
    assert_eq!(p["contact_preferences"]["avoid"], "no voicemail");
    // An analyst does not see them; a partner may not record them.
    let (_, p) = api(
        &srv,
        "GET",
        "/api/v1/people/P1",
        &token(&srv, "analyst"),
        None,
    );
    assert_eq!(p["contact_preferences"], Value::Null, "{p}");
    let (status, _) = api(
        &srv,
        "PUT",
        "/api/v1/people/P1/contact-preferences",
        &token(&srv, "nhs"),
        Some(&json!({"method": "letter", "version": 1})),
    );
    assert_eq!(status, 404);
    // The page shows them on the victim's record and on their case.
    let (cookie, csrf) = sign_in(&srv, "investigator");
    let person = http(&srv.addr, "GET", "/people/P1", Some(&cookie), None);
    assert!(person.body.contains("07700900123") && person.body.contains("weekdays 9 to 3"));
    let case = http(&srv.addr, "GET", "/cases/I1", Some(&cookie), None);
    assert!(
        case.body
            .contains("Contacting the victim: by text message on 07700900123"),
        "{}",
        case.body
    );
    // The form keeps what was typed and names the problem.
    let r = http(
        &srv.addr,
        "POST",
        "/people/P1/contact",
        Some(&cookie),
        Some(&format!(
            "csrf={csrf}&version=1&method=phone&safe_number=12ab"
        )),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("is not a telephone number") && r.body.contains("value=\"12ab\""));
    let r = http(
        &srv.addr,
        "POST",
        "/people/P1/contact",
        Some(&cookie),
        Some(&format!(
            "csrf={csrf}&version=1&method=letter&avoid=never+the+home+address"
        )),
    );
    assert_eq!(r.status, 303);
    let trail = text(&vigil(&[
        "--db",
        &srv.db,
        "audit",
        "--subject",
        "P1",
        "--action",
        "person.contact_preferences",
    ]));
    assert_eq!(
        trail
            .lines()
            .filter(|l| l.contains("person.contact_preferences "))
            .count(),
        2,
        "{trail}"
    );
}

#[test]
fn children_are_people_on_the_incident_and_each_schools_task_is_their_own() {
    let srv = start();
    let officer = token(&srv, "officer");
    let intake = |children: Value, present: bool| {
        api(
            &srv,
            "POST",
            "/api/v1/incidents",
            &officer,
            Some(&json!({
                "call_grade": "priority", "reported_at": "2019-09-01T19:00", "lpa": "North",
                "victim": {"id": "P1"}, "suspect": {"id": "P2"}, "relationship": "partner",
                "children_present": present, "children": children
            })),
        )
    };
    // Each problem named, by child.
    let (status, v) = intake(
        json!([
            {"family_name": "Smith", "given_names": "Old", "birth_date": "1990-01-01"},
            {"family_name": "Smith", "given_names": "Nodate"}
        ]),
        true,
    );
    assert_eq!(status, 422, "{v}");
    let text = v.to_string();
    assert!(
        text.contains("children.1.birth_date") && text.contains("were 29"),
        "{v}"
    );
    assert!(
        text.contains("children.2.birth_date") && text.contains("date of birth"),
        "{v}"
    );
    let (status, v) = intake(
        json!([{"family_name": "Smith", "birth_date": "2012-03-04"}]),
        false,
    );
    assert_eq!(status, 422);
    assert!(v.to_string().contains("choose yes"), "{v}");
    // Two children named at intake: two people, two schools to tell.
    let (status, v) = intake(
        json!([
            {"family_name": "Smith", "given_names": "Mia", "birth_date": "04/03/2012", "school": "Hillside Primary"},
            {"family_name": "Smith", "given_names": "Leo", "birth_date": "2016-07-01"}
        ]),
        true,
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
    let children = c["children"].as_array().unwrap().clone();
    assert_eq!(children.len(), 2, "{c}");
    let mia = children
        .iter()
        .find(|ch| ch["school"] == "Hillside Primary")
        .unwrap()["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cru = token(&srv, "cru");
    let work = |t: &str| api(&srv, "GET", &format!("/api/v1/cases/{case}/work"), t, None).1;
    let encompass = |w: &Value| -> Vec<(String, String)> {
        w["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"] == "encompass")
            .map(|t| {
                (
                    t["key"].as_str().unwrap().to_owned(),
                    t["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(encompass(&work(&cru)).len(), 2);
    // A referral for two children must say which child.
    let refer = |body: Value| {
        api(
            &srv,
            "POST",
            &format!("/api/v1/cases/{case}/referrals"),
            &cru,
            Some(&body),
        )
    };
    let (status, v) = refer(json!({"kind": "encompass", "consent": "not_known"}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("Choose the child"), "{v}");
    let (status, v) = refer(json!({"kind": "encompass", "consent": "not_known", "child_id": mia}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("brief circumstances"), "{v}");
    let (status, v) = refer(json!({
        "kind": "encompass", "consent": "not_known", "child_id": mia,
        "circumstances": "Police attended a loud argument at home in the evening."
    }));
    assert_eq!(status, 201, "{v}");
    let tasks = encompass(&work(&cru));
    assert!(
        tasks.contains(&(mia.clone(), "done".to_owned())),
        "{tasks:?}"
    );
    assert_eq!(
        tasks.iter().filter(|(_, s)| s != "done").count(),
        1,
        "{tasks:?}"
    );

    // Named later from the case: a case recorded without children now has them.
    let (status, v) = intake(json!([]), false);
    assert_eq!(status, 201, "{v}");
    let later = v["incident_id"].as_str().unwrap().to_owned();
    let add = |body: Value| {
        api(
            &srv,
            "POST",
            &format!("/api/v1/cases/{later}/children"),
            &officer,
            Some(&body),
        )
    };
    let (status, v) = add(json!({"children": [{"id": mia, "school": "Hillside Primary"}]}));
    assert_eq!(status, 201, "{v}");
    let (status, v) = add(json!({"children": [{"id": mia}]}));
    assert_eq!(status, 422, "{v}");
    assert!(v.to_string().contains("already named"), "{v}");
    let (_, c) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{later}"),
        &officer,
        None,
    );
    assert_eq!(c["incident"]["children_present"], true, "{c}");
    let (_, w) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{later}/work"),
        &cru,
        None,
    );
    // Due before school on Monday 2 September; the fixture's clock is 09:00 that day.
    assert_eq!(encompass(&w), [(mia, "overdue".to_owned())], "{w}");
}

#[test]
fn a_forces_own_clocks_set_the_tasks_and_the_marac_reasons() {
    let areas = [vigil_domain::Lpa::parse("North").unwrap()];
    let rules = vigil_web::rules_file::parse(
        r#"{"marac": {"visible_high_risk_yes_count": 12}, "limits": {"review_days": 21}}"#,
        &areas,
    )
    .unwrap();
    let srv = start_with_rules("2019-09-02T09:00:00Z", rules);
    let officer = token(&srv, "officer");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/incidents",
        &officer,
        Some(&intake_body(12)),
    );
    assert_eq!(status, 201, "{v}");
    assert!(
        v.to_string()
            .contains("visible high risk (12 or more yes answers)"),
        "the force's threshold, in its words: {v}"
    );
    let case = v["incident_id"].as_str().unwrap().to_owned();
    let (_, w) = api(
        &srv,
        "GET",
        &format!("/api/v1/cases/{case}/work"),
        &officer,
        None,
    );
    let review = w["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "investigation_review")
        .unwrap_or_else(|| panic!("{w}"));
    // Routed at the clock's 10:00 (UK summer time); reviewed 21 days on.
    assert_eq!(review["due"], "2019-09-23T10:00:00", "{w}");
}

#[test]
fn implausible_dates_are_refused_not_altered() {
    let srv = start();
    let officer = token(&srv, "officer");
    for (reported_at, birth, said) in [
        ("0001-01-01T10:00", "1988-02-29", "reported_at"),
        ("1899-06-01T10:00", "1988-02-29", "reported_at"),
        ("-200000-01-01T10:00", "1988-02-29", "reported_at"),
        ("2019-08-30T18:05", "1800-01-01", "victim.birth_date"),
        ("2019-08-30T18:05", "2019-08-31", "victim.birth_date"),
    ] {
        let mut body = intake_body(3);
        body["reported_at"] = json!(reported_at);
        body["victim"]["birth_date"] = json!(birth);
        let (status, v) = api(&srv, "POST", "/api/v1/incidents", &officer, Some(&body));
        assert_eq!(status, 422, "{reported_at} {birth}: {v}");
        assert!(v.to_string().contains(said), "{reported_at} {birth}: {v}");
    }
}

/// Reading people's records in bulk is slowed and reported: past 100 records in ten
/// minutes each further one waits, and the administrators see an alert.
#[test]
fn bulk_reading_is_slowed_and_reported() {
    let srv = start();
    let t = token(&srv, "officer");
    let started = std::time::Instant::now();
    for i in 0..100 {
        let (status, _) = api(
            &srv,
            "GET",
            &format!("/api/v1/people/P{}", 1 + i % 3),
            &t,
            None,
        );
        assert_eq!(status, 200);
    }
    let fast = started.elapsed();
    let started = std::time::Instant::now();
    for _ in 0..4 {
        let (status, _) = api(&srv, "GET", "/api/v1/people/P1", &t, None);
        assert_eq!(status, 200);
    }
    let slowed = started.elapsed();
    assert!(
        slowed >= std::time::Duration::from_millis(2_000),
        "{slowed:?} after {fast:?}"
    );
    let alerts = text(&vigil(&[
        "--db",
        &srv.db,
        "audit",
        "--action",
        "alert.bulk_reads",
    ]));
    assert_eq!(
        alerts
            .lines()
            .filter(|l| l.contains("alert.bulk_reads"))
            .count(),
        1,
        "{alerts}"
    );
    let (admin, _) = sign_in(&srv, "admin");
    let home = http(&srv.addr, "GET", "/", Some(&admin), None);
    assert!(
        home.body.contains("1 alert in the last 24 hours"),
        "{}",
        home.body
    );
    // Another reader is not slowed.
    let other = token(&srv, "investigator");
    let started = std::time::Instant::now();
    api(&srv, "GET", "/api/v1/people/P1", &other, None);
    assert!(started.elapsed() < std::time::Duration::from_millis(400));
}

/// A write retried with the same Idempotency-Key is done once: the retry gets the first
/// answer and writes nothing.
#[test]
fn a_retried_write_with_its_key_is_done_once() {
    let srv = start();
    let t = token(&srv, "officer");
    let send = |key: &str, body: &Value| {
        let auth = format!("Bearer {t}");
        let text = body.to_string();
        request(
            &srv.addr,
            "POST",
            "/api/v1/incidents",
            &[("Authorization", &auth), ("Idempotency-Key", key)],
            Some(("application/json", &text)),
        )
    };
    let body = intake_body(5);
    let first = send("7c0e1b7a-intake-1", &body);
    assert_eq!(first.status, 201, "{}", first.body);

    let again = send("7c0e1b7a-intake-1", &body);
    assert_eq!(
        (again.status, again.body.as_str()),
        (201, first.body.as_str())
    );
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let trail = text(&vigil(&[
        "--db",
        &srv.db,
        "audit",
        "--action",
        "case.create",
    ]));
    assert_eq!(
        trail.lines().filter(|l| l.contains("case.create")).count(),
        1,
        "{trail}"
    );
    // The same key for another request is refused; a bad key is named.
    let other = send("7c0e1b7a-intake-1", &intake_body(6));
    assert_eq!(other.status, 422, "{}", other.body);
    assert!(other.body.contains("idempotency_key_reused"));
    let bad = send(&"k".repeat(101), &body);
    assert_eq!(bad.status, 400);
    // A new key is a new request, answered on its own: the victim is now recorded, so it
    // asks whether the new victim is the same person.
    let fresh = send("7c0e1b7a-intake-2", &body);
    assert!(
        fresh.status == 409 && fresh.body.contains("possible_duplicates"),
        "{}",
        fresh.body
    );
}

#[test]
fn a_name_that_reads_differently_from_what_is_stored_is_refused() {
    let srv = start();
    let officer = token(&srv, "officer");
    let mut body = intake_body(3);
    body["victim"]["family_name"] = json!("Smith\u{202E}htimS");
    let (status, v) = api(&srv, "POST", "/api/v1/incidents", &officer, Some(&body));
    assert_eq!(status, 422, "{v}");
    assert!(
        v.to_string().contains("victim.family_name") && v.to_string().contains("bidirectional"),
        "{v}"
    );
}

#[test]
fn each_user_is_limited_on_the_api_with_retry_after() {
    let srv = start();
    let t = token(&srv, "analyst");
    let auth = format!("Bearer {t}");
    let mut refused = None;
    for i in 0..=vigil_web::throttle::API_PER_USER {
        let r = request(
            &srv.addr,
            "GET",
            "/api/v1/pack?as_of=2019-09-01",
            &[("Authorization", &auth)],
            None,
        );
        if r.status == 429 {
            refused = Some((i, r.header("retry-after").map(str::to_owned)));
            break;
        }
    }
    let (at, retry) = refused.expect("the limit holds");
    assert_eq!(at, vigil_web::throttle::API_PER_USER);
    assert!(retry.is_some_and(|s| (1..=60).contains(&s.parse::<u32>().unwrap())));
    // Another user is not affected.
    let (status, _) = api(&srv, "GET", "/api/v1/tasks", &token(&srv, "officer"), None);
    assert_eq!(status, 200);
}

/// Another system calling the API holds a longer token as a named service account, and
/// cannot sign in to the pages with the account's password.
#[test]
fn a_service_account_calls_the_api_and_never_signs_in_to_the_pages() {
    let srv = start();
    let o = vigil(&[
        "--db",
        &srv.db,
        "user",
        "service-account",
        "analyst",
        "--max-hours",
        "168",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = vigil(&[
        "--db", &srv.db, "user", "token", "analyst", "--hours", "168",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let t = String::from_utf8(o.stdout).unwrap().trim().to_owned();
    let (status, _) = api(&srv, "GET", "/api/v1/pack?as_of=2019-09-01", &t, None);
    assert_eq!(status, 200);
    let page = http(&srv.addr, "GET", "/sign-in", None, None);
    let pre = page.cookie("vigil_signin").unwrap();
    let r = http(
        &srv.addr,
        "POST",
        "/sign-in",
        Some(&format!("vigil_signin={pre}")),
        Some(&format!(
            "username=analyst&password=lantern+orbit+velvet&csrf={}",
            csrf_in(&page.body)
        )),
    );
    assert_ne!(r.status, 303, "a service account signed in to the pages");
    assert!(r.cookie("vigil_session").is_none());
}

/// A saved incident reaches the pack by a patch of the server's snapshot, not a rebuild
/// (the pack's `Server-Timing` header says where the snapshot came from), and the patched
/// snapshot is, byte for byte, the one a rebuild from the store gives.
#[test]
fn a_saved_incident_reaches_the_pack_by_a_patch_that_equals_a_rebuild() {
    let srv = start();
    let analyst = token(&srv, "analyst");
    let pack = || {
        let r = request(
            &srv.addr,
            "GET",
            "/api/v1/pack?as_of=2019-09-01",
            &[("Authorization", &format!("Bearer {analyst}"))],
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let timing = r.header("server-timing").unwrap_or_default().to_owned();
        let v: Value = serde_json::from_str(&r.body).unwrap();
        (timing, v)
    };
    let august = |v: &Value| {
        v["force"]["non_crime_incidents"]["2019-08"]
            .as_f64()
            .unwrap_or(0.0)
    };
    let offences = |v: &Value| v["force"]["da_offences"]["2019-08"].as_f64().unwrap_or(0.0);
    let (first, before) = pack();
    assert!(first.starts_with("snapshot;desc="), "{first}");
    let (again, _) = pack();
    assert!(again.contains("desc=\"memory\""), "{again}");

    let officer = token(&srv, "officer");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/incidents",
        &officer,
        Some(&intake_body(11)),
    );
    assert_eq!(status, 201, "{v}");
    let (timing, after) = pack();
    assert!(timing.contains("desc=\"patched\""), "{timing}");
    assert_eq!(august(&after), august(&before) + 1.0);

    // The incident's offence: the incident leaves the non-crime count, the offence joins
    // the month's offences.
    let case = v["incident_id"].as_str().unwrap();
    let investigator = token(&srv, "investigator");
    let (status, v) = api(
        &srv,
        "POST",
        &format!("/api/v1/cases/{case}/offences"),
        &investigator,
        Some(
            &json!({"offence_group": "violence_with_injury", "offence_date": "2019-08-30", "recorded_date": "2019-08-31"}),
        ),
    );
    assert_eq!(status, 201, "{v}");
    let (timing, later) = pack();
    assert!(timing.contains("desc=\"patched\""), "{timing}");
    assert_eq!(august(&later), august(&before));
    assert_eq!(offences(&later), offences(&before) + 1.0);

    // A Clare's Law application, then its first step: the store saves an application by
    // deleting its row and storing it again, which the patch follows.
    let cru = token(&srv, "cru");
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/disclosures",
        &cru,
        Some(&json!({
            "at_risk": {"id": "P1"}, "subject": {"id": "P2"}, "applicant": "person_at_risk",
            "applicant_name": "", "lpa": "North"
        })),
    );
    assert_eq!(status, 201, "{v}");
    let steps = format!("/api/v1/disclosures/{}/steps", v["id"].as_str().unwrap());
    let (status, v) = api(
        &srv,
        "POST",
        &steps,
        &cru,
        Some(
            &json!({"step": "contact", "immediate_risk": false, "notes": "Spoke to Ann by phone"}),
        ),
    );
    assert_eq!(status, 200, "{v}");
    let (timing, _) = pack();
    assert!(timing.contains("desc=\"patched\""), "{timing}");

    // The store's own view: the cache file patched as the server did, against a rebuild.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = vigil_store_open::open_and_migrate(&srv.db, &Default::default())
            .await
            .unwrap();
        let (loaded, _, _) = vigil_store::snapshot_cache::load(store.as_ref())
            .await
            .unwrap()
            .unwrap();
        let (mut rebuilt, revision, _) = vigil_store::snapshot_cache::rebuild(store.as_ref())
            .await
            .unwrap();
        rebuilt.as_of = loaded.as_of;
        assert_eq!(
            vigil_analytics::codec::encode(&loaded, revision),
            vigil_analytics::codec::encode(&rebuilt, revision)
        );
        assert!(
            !rebuilt
                .keys
                .of(vigil_analytics::RowTable::Incidents)
                .is_empty()
        );
    });
}
