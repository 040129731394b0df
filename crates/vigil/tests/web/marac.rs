//! The MARAC return on the page, as downloads and through the API: the last whole quarter
//! by default, a period typed as people write dates, and only for the roles that run it.

use crate::api::{api, token};
use crate::support::*;

#[test]
fn the_marac_return_for_a_quarter_on_the_page_in_files_and_by_api() {
    let srv = start();
    let (analyst, _) = sign_in(&srv, "analyst");
    // The clock is 2 September 2019: the last whole quarter is April to June.
    let r = http(&srv.addr, "GET", "/marac/return", Some(&analyst), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("1 April 2019 to 30 June 2019: 1 case"),
        "{}",
        r.body
    );
    // R1: Ann Smith (North), referred by the police on 1 April 2019, her first.
    assert!(r.body.contains("North"), "{}", r.body);
    assert!(r.body.contains("How it was counted"));
    let r = http(
        &srv.addr,
        "GET",
        "/marac/return?from=01%2F01%2F2019&to=31%2F08%2F2019&format=csv",
        Some(&analyst),
        None,
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = r.body.lines().collect();
    assert!(
        lines[0].starts_with("marac_area,cases,repeat_cases,"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("North,1,0,0.0,"), "{}", r.body);
    assert!(lines[2].starts_with("Total,1,0,"), "{}", r.body);
    let r = http(
        &srv.addr,
        "GET",
        "/marac/return?from=2019-04-01&to=2019-06-30&format=xlsx",
        Some(&analyst),
        None,
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-disposition").unwrap().contains(".xlsx"));
    // Mistakes are named; nothing is computed.
    for (q, says) in [
        ("from=31%2F02%2F2019&to=30%2F06%2F2019", "href=\"#from\""),
        (
            "from=30%2F06%2F2019&to=01%2F04%2F2019",
            "on or after the first day",
        ),
        (
            "from=2019-04-01&to=2019-06-30&format=pdf",
            "Choose csv or xlsx",
        ),
    ] {
        let r = http(
            &srv.addr,
            "GET",
            &format!("/marac/return?{q}"),
            Some(&analyst),
            None,
        );
        assert_eq!(r.status, 400, "{q}");
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    // Not for a response officer or a partner agency.
    for user in ["officer", "nhs"] {
        let (c, _) = sign_in(&srv, user);
        assert_eq!(
            http(&srv.addr, "GET", "/marac/return", Some(&c), None).status,
            404
        );
    }
    // The API gives the same figures.
    let t = token(&srv, "analyst");
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/marac/return?from=2019-04-01&to=2019-06-30",
        &t,
        None,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"]["cases"], 1);
    assert_eq!(v["areas"][0]["marac_area"], "North");
    assert_eq!(v["areas"][0]["referred_by"]["police"], 1);
    assert_eq!(v["recommended_per_10k"], 40.0);
    let (status, v) = api(
        &srv,
        "GET",
        "/api/v1/marac/return?from=2019-06-30&to=2019-04-01",
        &t,
        None,
    );
    assert_eq!(status, 422, "{v}");
    let t = token(&srv, "officer");
    assert_eq!(api(&srv, "GET", "/api/v1/marac/return", &t, None).0, 403);
    let o = vigil(&["--db", &srv.db, "audit", "--actor", "analyst"]);
    assert!(text(&o).contains("marac.return"), "{}", text(&o));
}
