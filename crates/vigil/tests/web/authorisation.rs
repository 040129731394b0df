//! Every route, with every role: the answer must be the one written in this file's table (kept by
//! hand, beside `vigil_domain::access`, not computed from it), and every read of a person's record — allowed or refused —
//! must have left an audit row.

use crate::support::*;
use vigil_domain::access::{Capability as C, Role, allows};

/// The users of the fixture, one per role.
const USERS: [(&str, Role); 10] = [
    ("handler", Role::CallHandler),
    ("officer", Role::ResponseOfficer),
    ("investigator", Role::DaitInvestigator),
    ("sergeant", Role::DaitSergeant),
    ("cru", Role::CruOfficer),
    ("analyst", Role::Analyst),
    ("nhs", Role::PartnerAgency),
    ("admin", Role::Administrator),
    ("coordinator", Role::MaracCoordinator),
    ("chair", Role::MaracChair),
];

/// A route and the status the permission table implies for a role. `{offence}` in a path
/// stands for an offence the test records first.
struct Route {
    method: &'static str,
    path: &'static str,
    /// JSON body for the API's changes (deliberately invalid, so an allowed role gets 422
    /// and nothing is written).
    json: Option<&'static str>,
    /// The answer for each role, in the order of `USERS`: call handler, response officer,
    /// DAIT investigator, DAIT sergeant, CRU officer, analyst, partner agency,
    /// administrator, MARAC coordinator, MARAC chair. Written out here, not computed from the permission table under test,
    /// so a wrong change to that table fails.
    expect: [u16; 10],
}

/// A form submitted with the session's form token and nothing else: an allowed role gets
/// the form back with its problems (400), and nothing is written.
const FORM: Option<&str> = Some("form");

fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/report",
            json: None,
            expect: [404, 404, 404, 404, 404, 200, 404, 200, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/pack",
            json: None,
            expect: [403, 403, 403, 403, 403, 200, 403, 200, 403, 403],
        },
        Route {
            method: "GET",
            path: "/offences/{offence}/outcome",
            json: None,
            expect: [403, 200, 200, 200, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/offences/{offence}/outcome",
            json: FORM,
            expect: [403, 400, 400, 400, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "PUT",
            path: "/api/v1/offences/{offence}/outcome",
            json: Some("{}"),
            expect: [403, 422, 422, 422, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/incidents",
            json: FORM,
            expect: [400, 400, 403, 403, 403, 403, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: "/cases/I1/offences/new",
            json: FORM,
            expect: [403, 400, 400, 400, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/cases/I1/arrests/new",
            json: FORM,
            expect: [403, 400, 400, 400, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/cases/I1/referrals/new",
            json: FORM,
            expect: [403, 400, 400, 400, 400, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/cases/I1/assessments/new?stage=secondary",
            json: FORM,
            expect: [403, 403, 403, 400, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/",
            json: None,
            expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        Route {
            method: "GET",
            path: "/incidents/new",
            json: None,
            expect: [200, 200, 403, 403, 403, 403, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: "/search?family_name=smi",
            json: None,
            expect: [200, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/people/P1",
            json: None,
            expect: [200, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/people/P3",
            json: None,
            expect: [200, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/cases/I1",
            json: None,
            expect: [200, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/cases/I1/offences/new",
            json: None,
            expect: [403, 200, 200, 200, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/cases/I1/arrests/new",
            json: None,
            expect: [403, 200, 200, 200, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/cases/I1/referrals/new",
            json: None,
            expect: [403, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/cases/I1/assessments/new?stage=secondary",
            json: None,
            expect: [403, 403, 403, 200, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/queues/lpt",
            json: None,
            expect: [404, 200, 404, 404, 404, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/queues/dait",
            json: None,
            expect: [404, 404, 200, 200, 404, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/queues/cru",
            json: None,
            expect: [404, 404, 404, 404, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/suspects",
            json: None,
            expect: [403, 200, 200, 200, 403, 403, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: "/api/v1/suspects",
            json: None,
            expect: [403, 200, 200, 200, 403, 403, 403, 403, 403, 403],
        },
        Route {
            // Asking for a refuge address without a reason: a role that may see it is asked
            // why; any other reader gets the record with the address withheld.
            method: "POST",
            path: "/people/P3/address",
            json: Some("form"),
            expect: [200, 200, 200, 200, 400, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/shared",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 200, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/shared/R1",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 200, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/shared/R1",
            json: None,
            expect: [403, 403, 403, 403, 403, 403, 200, 403, 403, 403],
        },
        Route {
            // Operation Encompass is for a school's key adult or an area's education
            // contact: the fixture's health user is neither.
            method: "GET",
            path: "/encompass",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/encompass",
            json: None,
            expect: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: "/dashboard",
            json: None,
            expect: [404, 404, 404, 404, 404, 200, 404, 200, 404, 404],
        },
        Route {
            method: "GET",
            path: "/admin/users",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 404, 200, 404, 404],
        },
        Route {
            method: "GET",
            path: "/admin/restrictions",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 404, 200, 404, 404],
        },
        Route {
            // Restricting a record is an administrator's act; the form names no record.
            method: "POST",
            path: "/admin/restrictions",
            json: Some("form"),
            expect: [404, 404, 404, 404, 404, 404, 404, 400, 404, 404],
        },
        Route {
            method: "POST",
            path: "/admin/restrictions/lift",
            json: Some("form"),
            expect: [404, 404, 404, 404, 404, 404, 404, 400, 404, 404],
        },
        Route {
            method: "GET",
            path: "/marac/meetings",
            json: None,
            expect: [404, 404, 404, 404, 200, 404, 200, 404, 200, 200],
        },
        Route {
            // Planning a meeting is the CRU's; the form names no area.
            method: "POST",
            path: "/marac/meetings",
            json: Some("form"),
            expect: [404, 404, 404, 404, 400, 404, 404, 404, 400, 404],
        },
        Route {
            // The perpetrator cohort is the analysts' and the DAIT's; the CRU is shown its
            // victim cohort.
            method: "GET",
            path: "/cohorts",
            json: None,
            expect: [404, 404, 200, 200, 200, 200, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/cohorts?kind=victim",
            json: None,
            expect: [404, 404, 404, 200, 200, 200, 404, 404, 404, 404],
        },
        Route {
            // A run names its cohort: a form without one is not found, whoever sends it.
            method: "POST",
            path: "/cohorts/run",
            json: Some("form"),
            expect: [404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/cohorts/perpetrator?lpa=North",
            json: None,
            expect: [403, 403, 200, 200, 403, 200, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: "/api/v1/cohorts/victim/runs",
            json: Some("{}"),
            expect: [403, 403, 403, 403, 422, 422, 403, 403, 403, 403],
        },
        Route {
            // Nobody is in a cohort before its first run.
            method: "POST",
            path: "/api/v1/cohorts/perpetrator/North/P2/actions",
            json: Some("{}"),
            expect: [403, 403, 404, 404, 403, 404, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: "/api/v1/cohort-members/mine",
            json: None,
            expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        Route {
            method: "GET",
            path: "/notices",
            json: None,
            expect: [404, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/cases/I1/notices/new",
            json: None,
            expect: [404, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/cases/I1/notice-decision",
            json: FORM,
            expect: [404, 400, 400, 400, 400, 404, 404, 404, 404, 404],
        },
        Route {
            // Protective notices: officers who investigate, and the CRU.
            method: "GET",
            path: "/api/v1/notices",
            json: None,
            expect: [403, 200, 200, 200, 200, 403, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/notices",
            json: Some("{}"),
            expect: [403, 422, 422, 422, 422, 403, 403, 403, 403, 403],
        },
        Route {
            // Clare's Law: the CRU's work; a partner records a right-to-ask application.
            method: "GET",
            path: "/disclosures",
            json: None,
            expect: [404, 404, 404, 404, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/disclosures/new",
            json: None,
            expect: [404, 404, 404, 404, 200, 404, 200, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/disclosures",
            json: FORM,
            expect: [404, 404, 404, 404, 400, 404, 400, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/disclosures",
            json: None,
            expect: [403, 403, 403, 403, 200, 403, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: "/api/v1/disclosures",
            json: Some("{}"),
            expect: [403, 403, 403, 403, 422, 403, 422, 403, 403, 403],
        },
        Route {
            // The MASH's pages: the fixture has no children's or adult social care user.
            method: "GET",
            path: "/mash",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/mash",
            json: None,
            expect: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
        },
        Route {
            // The IDVA service's pages: the fixture has no IDVA user.
            method: "GET",
            path: "/idva",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/idva",
            json: None,
            expect: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: "/marac/actions",
            json: None,
            expect: [404, 404, 404, 404, 200, 404, 200, 404, 200, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/marac/actions",
            json: None,
            expect: [403, 403, 403, 403, 200, 403, 200, 403, 200, 403],
        },
        Route {
            method: "GET",
            path: "/api/v1/marac/meetings",
            json: None,
            expect: [403, 403, 403, 403, 200, 403, 200, 403, 200, 200],
        },
        Route {
            // A partner agency with a MARAC seat refers; the police refer from the case.
            method: "GET",
            path: "/marac/referrals/new",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 200, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/marac/referrals",
            json: FORM,
            expect: [404, 404, 404, 404, 404, 404, 400, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/api/v1/marac/referrals",
            json: Some("{}"),
            expect: [403, 403, 403, 403, 403, 403, 422, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: "/marac/return",
            json: None,
            expect: [404, 404, 404, 404, 200, 200, 404, 200, 200, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/marac/return",
            json: None,
            expect: [403, 403, 403, 403, 200, 200, 403, 200, 200, 403],
        },
        Route {
            method: "GET",
            path: "/admin/users/officer",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 404, 200, 404, 404],
        },
        Route {
            // Disabling a user is an administrator's act; the form lacks the choice.
            method: "POST",
            path: "/admin/users/officer/status",
            json: Some("form"),
            expect: [404, 404, 404, 404, 404, 404, 404, 400, 404, 404],
        },
        Route {
            // Everyone may change their own password; this form gives none.
            method: "POST",
            path: "/account/password",
            json: Some("form"),
            expect: [400, 400, 400, 400, 400, 400, 400, 400, 400, 400],
        },
        Route {
            method: "GET",
            path: "/audit",
            json: None,
            expect: [404, 404, 404, 404, 404, 404, 404, 200, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/people/P1",
            json: None,
            expect: [200, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/cases/I1",
            json: None,
            expect: [200, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/search?family_name=smi",
            json: None,
            expect: [200, 200, 200, 200, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/queues/lpt",
            json: None,
            expect: [404, 200, 404, 404, 404, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/queues/dait",
            json: None,
            expect: [404, 404, 200, 200, 404, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/queues/cru",
            json: None,
            expect: [404, 404, 404, 404, 200, 404, 404, 404, 404, 404],
        },
        Route {
            method: "GET",
            path: "/api/v1/shared",
            json: None,
            expect: [403, 403, 403, 403, 403, 403, 200, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: "/api/v1/incidents",
            json: Some("{}"),
            expect: [422, 422, 403, 403, 403, 403, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/offences",
            json: Some("{}"),
            expect: [403, 422, 422, 422, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/arrests",
            json: Some("{\"arrested_at\": \"soon\"}"),
            expect: [403, 422, 422, 422, 403, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/referrals",
            json: Some("{}"),
            expect: [403, 422, 422, 422, 422, 404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/assessments",
            json: Some("{\"stage\": \"secondary\"}"),
            expect: [403, 403, 403, 422, 403, 404, 404, 404, 404, 404],
        },
    ]
}

#[test]
fn every_route_with_every_role_holds_to_the_permission_table() {
    let srv = start();
    // An offence to record outcomes on.
    let investigator = crate::api::token(&srv, "investigator");
    let (status, v) = crate::api::api(
        &srv,
        "POST",
        "/api/v1/cases/I1/offences",
        &investigator,
        Some(
            &serde_json::json!({"offence_group": "violence_with_injury", "offence_date": "2019-05-01", "recorded_date": "2019-05-02"}),
        ),
    );
    assert_eq!(status, 201, "{v}");
    let offence = v["id"].as_str().unwrap().to_owned();
    let mut wrong = Vec::new();
    for (user, role) in USERS {
        let (cookie, csrf) = sign_in(&srv, user);
        let form = format!("csrf={csrf}");
        for route in routes() {
            let path = route.path.replace("{offence}", &offence);
            let mut headers = vec![("Cookie", cookie.as_str())];
            let body = match route.json {
                None => None,
                Some("form") => Some(("application/x-www-form-urlencoded", form.as_str())),
                Some(json) => {
                    headers.push(("X-CSRF-Token", csrf.as_str()));
                    Some(("application/json", json))
                }
            };
            let r = request(&srv.addr, route.method, &path, &headers, body);
            let expected = route.expect[USERS.iter().position(|(_, r)| *r == role).unwrap()];
            if r.status != expected {
                wrong.push(format!(
                    "{role} {} {path}: {} (expected {expected})",
                    route.method, r.status
                ));
            }
            // A page that was refused or not found must not leak a name from the fixture.
            if r.status >= 400 && (r.body.contains("Smith") || r.body.contains("Refuge Lane")) {
                wrong.push(format!(
                    "{role} {} {path}: a refused answer shows personal data",
                    route.method
                ));
            }
        }
        // Signed out: every page but sign-in sends you to sign in; the API says 401.
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Every read of P1's record left a row: read for roles that may, read_denied for the rest.
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
    for (user, role) in USERS {
        let action = if allows(role, C::ReadCases) {
            "person.read"
        } else {
            "person.read_denied"
        };
        let rows = trail
            .lines()
            .filter(|l| l.split_whitespace().any(|w| w == user) && l.contains(action))
            .count();
        // Twice: the page and the API.
        assert!(rows >= 2, "{user}: {rows} '{action}' rows for P1\n{trail}");
    }
}

#[test]
fn signed_out_requests_are_sent_to_sign_in_or_refused() {
    let srv = start();
    for route in routes() {
        let path = route.path.replace("{offence}", "O1");
        let body = match route.json {
            None => None,
            Some("form") => Some(("application/x-www-form-urlencoded", "csrf=x")),
            Some(json) => Some(("application/json", json)),
        };
        let r = request(&srv.addr, route.method, &path, &[], body);
        if route.path.starts_with("/api/") {
            assert_eq!(r.status, 401, "{} {}", route.method, route.path);
        } else {
            // A page asked for is where sign-in leads back to; a form posted is not.
            let back = format!(
                "/sign-in?next={}",
                path.replace('?', "%3F")
                    .replace('=', "%3D")
                    .replace('&', "%26")
            );
            let want = if route.method == "GET" && path != "/" && !path.starts_with("/sign-") {
                back.as_str()
            } else {
                "/sign-in"
            };
            assert_eq!(
                (r.status, r.header("location")),
                (303, Some(want)),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}
