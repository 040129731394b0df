//! Every route, with every role: the answer must be what the permission table
//! (`vigil_domain::access`) says, and every read of a person's record — allowed or refused —
//! must have left an audit row.

use crate::support::*;
use vigil_domain::access::{Capability as C, Queue, Role, allows, queues};

/// The users of the fixture, one per role.
const USERS: [(&str, Role); 8] = [
    ("handler", Role::CallHandler),
    ("officer", Role::ResponseOfficer),
    ("investigator", Role::DaitInvestigator),
    ("sergeant", Role::DaitSergeant),
    ("cru", Role::CruOfficer),
    ("analyst", Role::Analyst),
    ("nhs", Role::PartnerAgency),
    ("admin", Role::Administrator),
];

/// A route and the status the permission table implies for a role.
struct Route {
    method: &'static str,
    path: &'static str,
    /// JSON body for the API's changes (deliberately invalid, so an allowed role gets 422
    /// and nothing is written).
    json: Option<&'static str>,
    expect: fn(Role) -> u16,
}

fn reads_cases(r: Role, then: u16) -> u16 {
    if allows(r, C::ReadCases) { then } else { 404 }
}

fn queue(r: Role, q: Queue) -> u16 {
    if queues(r).contains(&q) { 200 } else { 404 }
}

fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/",
            json: None,
            expect: |_| 200,
        },
        Route {
            method: "GET",
            path: "/incidents/new",
            json: None,
            expect: |r| {
                if allows(r, C::RecordIncident) {
                    200
                } else {
                    403
                }
            },
        },
        Route {
            method: "GET",
            path: "/search?family_name=smi",
            json: None,
            expect: |r| reads_cases(r, 200),
        },
        Route {
            method: "GET",
            path: "/people/P1",
            json: None,
            expect: |r| reads_cases(r, 200),
        },
        Route {
            method: "GET",
            path: "/people/P3",
            json: None,
            expect: |r| reads_cases(r, 200),
        },
        Route {
            method: "GET",
            path: "/cases/I1",
            json: None,
            expect: |r| reads_cases(r, 200),
        },
        Route {
            method: "GET",
            path: "/cases/I1/offences/new",
            json: None,
            expect: |r| {
                reads_cases(
                    r,
                    if allows(r, C::RecordInvestigation) {
                        200
                    } else {
                        403
                    },
                )
            },
        },
        Route {
            method: "GET",
            path: "/cases/I1/arrests/new",
            json: None,
            expect: |r| {
                reads_cases(
                    r,
                    if allows(r, C::RecordInvestigation) {
                        200
                    } else {
                        403
                    },
                )
            },
        },
        Route {
            method: "GET",
            path: "/cases/I1/referrals/new",
            json: None,
            expect: |r| {
                reads_cases(
                    r,
                    if allows(r, C::RecordInvestigation) || allows(r, C::Safeguard) {
                        200
                    } else {
                        403
                    },
                )
            },
        },
        Route {
            method: "GET",
            path: "/cases/I1/assessments/new?stage=secondary",
            json: None,
            expect: |r| {
                reads_cases(
                    r,
                    if allows(r, C::SecondaryAssessment) {
                        200
                    } else {
                        403
                    },
                )
            },
        },
        Route {
            method: "GET",
            path: "/queues/lpt",
            json: None,
            expect: |r| queue(r, Queue::Lpt),
        },
        Route {
            method: "GET",
            path: "/queues/dait",
            json: None,
            expect: |r| queue(r, Queue::Dait),
        },
        Route {
            method: "GET",
            path: "/queues/cru",
            json: None,
            expect: |r| queue(r, Queue::Cru),
        },
        Route {
            method: "GET",
            path: "/shared",
            json: None,
            expect: |r| if allows(r, C::ReadShared) { 200 } else { 404 },
        },
        Route {
            method: "GET",
            path: "/dashboard",
            json: None,
            expect: |r| {
                if allows(r, C::ReadAnalytics) {
                    200
                } else {
                    404
                }
            },
        },
        Route {
            method: "GET",
            path: "/audit",
            json: None,
            expect: |r| if allows(r, C::Administer) { 200 } else { 404 },
        },
        Route {
            method: "GET",
            path: "/api/v1/people/P1",
            json: None,
            expect: |r| reads_cases(r, 200),
        },
        Route {
            method: "GET",
            path: "/api/v1/cases/I1",
            json: None,
            expect: |r| reads_cases(r, 200),
        },
        Route {
            method: "GET",
            path: "/api/v1/search?family_name=smi",
            json: None,
            expect: |r| reads_cases(r, 200),
        },
        Route {
            method: "GET",
            path: "/api/v1/queues/lpt",
            json: None,
            expect: |r| queue(r, Queue::Lpt),
        },
        Route {
            method: "GET",
            path: "/api/v1/queues/dait",
            json: None,
            expect: |r| queue(r, Queue::Dait),
        },
        Route {
            method: "GET",
            path: "/api/v1/queues/cru",
            json: None,
            expect: |r| queue(r, Queue::Cru),
        },
        Route {
            method: "GET",
            path: "/api/v1/shared",
            json: None,
            expect: |r| if allows(r, C::ReadShared) { 200 } else { 403 },
        },
        Route {
            method: "POST",
            path: "/api/v1/incidents",
            json: Some("{}"),
            expect: |r| {
                if allows(r, C::RecordIncident) {
                    422
                } else {
                    403
                }
            },
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/offences",
            json: Some("{}"),
            expect: |r| {
                reads_cases(
                    r,
                    if allows(r, C::RecordInvestigation) {
                        422
                    } else {
                        403
                    },
                )
            },
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/arrests",
            json: Some("{\"arrested_at\": \"soon\"}"),
            expect: |r| {
                reads_cases(
                    r,
                    if allows(r, C::RecordInvestigation) {
                        422
                    } else {
                        403
                    },
                )
            },
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/referrals",
            json: Some("{}"),
            expect: |r| {
                reads_cases(
                    r,
                    if allows(r, C::RecordInvestigation) || allows(r, C::Safeguard) {
                        422
                    } else {
                        403
                    },
                )
            },
        },
        Route {
            method: "POST",
            path: "/api/v1/cases/I1/assessments",
            json: Some("{\"stage\": \"secondary\"}"),
            expect: |r| {
                reads_cases(
                    r,
                    if allows(r, C::SecondaryAssessment) {
                        422
                    } else {
                        403
                    },
                )
            },
        },
    ]
}

#[test]
fn every_route_with_every_role_holds_to_the_permission_table() {
    let srv = start();
    let mut wrong = Vec::new();
    for (user, role) in USERS {
        let (cookie, csrf) = sign_in(&srv, user);
        for route in routes() {
            let mut headers = vec![("Cookie", cookie.as_str())];
            if route.json.is_some() {
                headers.push(("X-CSRF-Token", csrf.as_str()));
            }
            let r = request(
                &srv.addr,
                route.method,
                route.path,
                &headers,
                route.json.map(|b| ("application/json", b)),
            );
            let expected = (route.expect)(role);
            if r.status != expected {
                wrong.push(format!(
                    "{role} {} {}: {} (expected {expected})",
                    route.method, route.path, r.status
                ));
            }
            // A page that was refused or not found must not leak a name from the fixture.
            if r.status >= 400 && (r.body.contains("Smith") || r.body.contains("Refuge Lane")) {
                wrong.push(format!(
                    "{role} {} {}: a refused answer shows personal data",
                    route.method, route.path
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
        let r = request(
            &srv.addr,
            route.method,
            route.path,
            &[],
            route.json.map(|b| ("application/json", b)),
        );
        if route.path.starts_with("/api/") {
            assert_eq!(r.status, 401, "{} {}", route.method, route.path);
        } else {
            assert_eq!(
                (r.status, r.header("location")),
                (303, Some("/sign-in")),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}
