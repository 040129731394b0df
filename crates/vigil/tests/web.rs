//! The web application over real HTTP on loopback: sign-in, sessions, form tokens,
//! throttling, the permission table on a person's record, and the audit trail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

mod common;
use common::*;

struct Server {
    child: Child,
    addr: String,
    db: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn add_user(db: &str, user: &str, role: &str, extra: &[&str]) {
    let mut args = vec![
        "--db", db, "user", "add", user, "--role", role, "--name", user,
    ];
    args.extend(extra);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"lantern orbit velvet\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("web.db").to_string_lossy().into_owned();
    let extract = dir.path().join("extract");
    std::fs::create_dir_all(&extract).unwrap();
    std::fs::write(
        extract.join("persons.csv"),
        "person_id,sex,birth_date,ethnicity,lpa,family_name,given_names,address,postcode,address_confidential\n\
         P1,female,1990-01-01,white,North,Smith,Ann,1 High Street,ZZ1 1AA,false\n\
         P2,male,1988-01-01,white,North,Jones,Bob,2 Low Road,ZZ1 2BB,false\n\
         P3,female,1992-01-01,white,North,Brown,Cat,Refuge Lane,ZZ9 9ZZ,true\n",
    )
    .unwrap();
    std::fs::write(
        extract.join("incidents.csv"),
        "incident_id,reported_at,lpa,call_grade,arrived_at,response_target_met,victim_id,suspect_id,relationship,children_present,risk_level,dash_yes_count\n\
         I1,2019-05-01T10:00:00,North,emergency,,,P1,P2,partner,false,high,15\n\
         I2,2019-06-01T10:00:00,North,priority,,,P3,P2,ex_partner,false,medium,11\n",
    )
    .unwrap();
    let o = vigil(&[
        "--db",
        &db,
        "import",
        extract.to_str().unwrap(),
        "--as-of",
        "2019-09-01",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    add_user(&db, "cru", "cru_officer", &[]);
    add_user(&db, "officer", "response_officer", &[]);
    add_user(&db, "analyst", "analyst", &[]);
    add_user(&db, "nhs", "partner_agency", &["--agency", "health"]);
    add_user(&db, "admin", "administrator", &[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--db", &db, "serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    Server {
        child,
        addr,
        db,
        _dir: dir,
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| {
                v.strip_prefix(&format!("{name}="))
                    .map(|r| r.split(';').next().unwrap().to_owned())
            })
    }
}

fn http(addr: &str, method: &str, path: &str, cookie: Option<&str>, form: Option<&str>) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    let body = form.unwrap_or("");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        req.push_str(&format!("Cookie: {c}\r\n"));
    }
    if form.is_some() {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn csrf_in(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// Signs in and returns the session cookie and its form token.
fn sign_in(srv: &Server, user: &str) -> (String, String) {
    let page = http(&srv.addr, "GET", "/sign-in", None, None);
    let pre = page.cookie("vigil_signin").unwrap();
    let form = format!(
        "username={user}&password=lantern+orbit+velvet&csrf={}",
        csrf_in(&page.body)
    );
    let r = http(
        &srv.addr,
        "POST",
        "/sign-in",
        Some(&format!("vigil_signin={pre}")),
        Some(&form),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let session = format!("vigil_session={}", r.cookie("vigil_session").unwrap());
    let home = http(&srv.addr, "GET", "/", Some(&session), None);
    assert_eq!(home.status, 200);
    (session, csrf_in(&home.body))
}

#[test]
fn sign_in_sessions_and_form_tokens() {
    let srv = start();
    let r = http(&srv.addr, "GET", "/", None, None);
    assert_eq!((r.status, r.header("location")), (303, Some("/sign-in")));
    let page = http(&srv.addr, "GET", "/sign-in", None, None);
    assert_eq!(page.status, 200);
    let set = page
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .unwrap()
        .1
        .clone();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let pre = format!("vigil_signin={}", page.cookie("vigil_signin").unwrap());
    let token = csrf_in(&page.body);
    // A form without its token is refused.
    let r = http(
        &srv.addr,
        "POST",
        "/sign-in",
        Some(&pre),
        Some("username=cru&password=lantern+orbit+velvet&csrf=wrong"),
    );
    assert_eq!(r.status, 403);
    // A wrong password gets one message, whether or not the user exists.
    for user in ["cru", "nobody"] {
        let r = http(
            &srv.addr,
            "POST",
            "/sign-in",
            Some(&pre),
            Some(&format!(
                "username={user}&password=not+the+password&csrf={token}"
            )),
        );
        assert_eq!(r.status, 401);
        assert!(r.body.contains("The username or password is not right"));
        assert!(
            !r.body.contains("not the password"),
            "the password is never echoed"
        );
    }
    let (session, csrf) = sign_in(&srv, "cru");
    let home = http(&srv.addr, "GET", "/", Some(&session), None);
    assert!(home.body.contains("cru_officer"));
    assert_eq!(home.header("cache-control"), Some("no-store"));
    // Signing out needs the form token, and ends the session.
    assert_eq!(
        http(
            &srv.addr,
            "POST",
            "/sign-out",
            Some(&session),
            Some("csrf=wrong")
        )
        .status,
        403
    );
    assert_eq!(
        http(
            &srv.addr,
            "POST",
            "/sign-out",
            Some(&session),
            Some(&format!("csrf={csrf}"))
        )
        .status,
        303
    );
    assert_eq!(
        http(&srv.addr, "GET", "/", Some(&session), None).status,
        303
    );
    let audit = text(&vigil(&["--db", &srv.db, "audit", "--actor", "cru"]));
    assert!(
        audit.contains("session.sign_in")
            && audit.contains("session.sign_out")
            && audit.contains("session.sign_in_failed"),
        "{audit}"
    );
}

#[test]
fn repeated_failures_are_throttled() {
    let srv = start();
    let page = http(&srv.addr, "GET", "/sign-in", None, None);
    let pre = format!("vigil_signin={}", page.cookie("vigil_signin").unwrap());
    let token = csrf_in(&page.body);
    let attempt = |pw: &str| {
        http(
            &srv.addr,
            "POST",
            "/sign-in",
            Some(&pre),
            Some(&format!("username=officer&password={pw}&csrf={token}")),
        )
        .status
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong"), 401);
    }
    assert_eq!(
        attempt("lantern+orbit+velvet"),
        429,
        "even the right password waits out the lock"
    );
}

#[test]
fn a_persons_record_follows_the_permission_table_and_every_read_is_audited() {
    let srv = start();
    let (cru, _) = sign_in(&srv, "cru");
    let p3 = http(&srv.addr, "GET", "/people/P3", Some(&cru), None);
    assert_eq!(p3.status, 200);
    assert!(
        p3.body.contains("Refuge Lane"),
        "the CRU sees a refuge address"
    );
    assert!(p3.body.contains("Cat Brown"));
    let (officer, _) = sign_in(&srv, "officer");
    let p3 = http(&srv.addr, "GET", "/people/P3", Some(&officer), None);
    assert_eq!(p3.status, 200);
    assert!(
        !p3.body.contains("Refuge Lane") && p3.body.contains("Withheld"),
        "a response officer does not see a refuge"
    );
    let p1 = http(&srv.addr, "GET", "/people/P1", Some(&officer), None);
    assert!(p1.body.contains("1 High Street") && p1.body.contains("victim"));
    // Roles without access are told the record does not exist, even when they type the URL.
    for user in ["analyst", "nhs"] {
        let (s, _) = sign_in(&srv, user);
        let r = http(&srv.addr, "GET", "/people/P1", Some(&s), None);
        assert_eq!(r.status, 404, "{user}");
        assert!(!r.body.contains("Smith"));
    }
    assert_eq!(
        http(&srv.addr, "GET", "/people/P9", Some(&cru), None).status,
        404
    );
    assert_eq!(
        http(&srv.addr, "GET", "/people/P1", None, None).status,
        303,
        "no session, no record"
    );
    let trail = text(&vigil(&["--db", &srv.db, "audit", "--subject", "P1"]));
    assert!(
        trail.contains("officer") && trail.contains("person.read"),
        "{trail}"
    );
    assert!(
        trail.contains("analyst") && trail.contains("person.read_denied"),
        "{trail}"
    );
    assert!(trail.contains("nhs"), "{trail}");
    assert!(text(&vigil(&["--db", &srv.db, "audit", "--verify"])).contains("intact"));
}

#[test]
fn a_case_page_shows_the_incident_and_what_was_recorded_against_it() {
    let srv = start();
    let (cru, _) = sign_in(&srv, "cru");
    let person = http(&srv.addr, "GET", "/people/P1", Some(&cru), None);
    assert!(
        person.body.contains("href=\"/cases/I1\""),
        "the person's history links to the case"
    );
    let case = http(&srv.addr, "GET", "/cases/I1", Some(&cru), None);
    assert_eq!(case.status, 200);
    for text in [
        "Case I1",
        "emergency",
        "href=\"/people/P1\"",
        "href=\"/people/P2\"",
        "high (15 yes)",
        "Offences",
        "None recorded.",
    ] {
        assert!(case.body.contains(text), "{text}");
    }
    let (analyst, _) = sign_in(&srv, "analyst");
    assert_eq!(
        http(&srv.addr, "GET", "/cases/I1", Some(&analyst), None).status,
        404
    );
    assert_eq!(
        http(&srv.addr, "GET", "/cases/NOPE", Some(&cru), None).status,
        404
    );
    let trail = text(&vigil(&["--db", &srv.db, "audit", "--subject", "I1"]));
    assert!(
        trail.contains("case.read") && trail.contains("case.read_denied"),
        "{trail}"
    );
}

#[test]
fn the_dashboard_and_board_report_are_for_analysts() {
    let srv = start();
    let (analyst, _) = sign_in(&srv, "analyst");
    let d = http(&srv.addr, "GET", "/dashboard", Some(&analyst), None);
    assert_eq!(d.status, 200, "{}", d.body);
    for text in [
        "Headline measures",
        "DA offences recorded",
        "role=\"img\"",
        "<option value=\"North\">",
        "/report?lpa=",
    ] {
        assert!(d.body.contains(text), "{text}");
    }
    assert!(
        !d.body.contains("Smith"),
        "no person's data on the dashboard"
    );
    let north = http(
        &srv.addr,
        "GET",
        "/dashboard?lpa=North&as_of=2019-09-01",
        Some(&analyst),
        None,
    );
    assert_eq!(north.status, 200);
    assert!(north.body.contains("North LPA"));
    for (q, expected) in [
        ("lpa=Narnia", "no Local Policing Area called"),
        ("as_of=31%2F08%2F2019", "is not a date"),
        ("as_of=2001-01-01", "before the data starts"),
    ] {
        let r = http(
            &srv.addr,
            "GET",
            &format!("/dashboard?{q}"),
            Some(&analyst),
            None,
        );
        assert_eq!(r.status, 400, "{q}");
        assert!(r.body.contains(expected), "{q}: {}", r.body);
    }
    let report = http(
        &srv.addr,
        "GET",
        "/report?lpa=&as_of=2019-09-01",
        Some(&analyst),
        None,
    );
    assert_eq!(report.status, 200);
    assert!(report.body.contains("Executive summary"));
    for user in ["cru", "nhs"] {
        let (s, _) = sign_in(&srv, user);
        assert_eq!(
            http(&srv.addr, "GET", "/dashboard", Some(&s), None).status,
            404,
            "{user}"
        );
        assert_eq!(
            http(&srv.addr, "GET", "/report", Some(&s), None).status,
            404,
            "{user}"
        );
    }
}

#[test]
fn administrators_search_the_audit_trail_and_no_one_else_can() {
    let srv = start();
    let (cru, _) = sign_in(&srv, "cru");
    http(&srv.addr, "GET", "/people/P2", Some(&cru), None);
    let (admin, _) = sign_in(&srv, "admin");
    let page = http(&srv.addr, "GET", "/audit?subject=P2", Some(&admin), None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("hash chain is intact"));
    assert!(
        page.body.contains("person.read") && page.body.contains("cru"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("session.sign_in<"),
        "filtered to the record"
    );
    let all = http(
        &srv.addr,
        "GET",
        "/audit?actor=%3Cscript%3E",
        Some(&admin),
        None,
    );
    assert!(
        all.body.contains("&lt;script&gt;") && !all.body.contains("<script>"),
        "input is escaped"
    );
    assert_eq!(
        http(&srv.addr, "GET", "/audit", Some(&cru), None).status,
        404,
        "not for a CRU officer"
    );
    // Administrators manage users and read the trail, but not people's records.
    assert_eq!(
        http(&srv.addr, "GET", "/people/P2", Some(&admin), None).status,
        404
    );
}

#[test]
fn each_team_sees_its_own_queue_and_no_other() {
    let srv = start();
    let (cru, _) = sign_in(&srv, "cru");
    let home = http(&srv.addr, "GET", "/", Some(&cru), None);
    assert!(home.body.contains("href=\"/queues/cru\""));
    let q = http(&srv.addr, "GET", "/queues/cru", Some(&cru), None);
    assert_eq!(q.status, 200);
    // I1 is high risk with no MARAC referral: on the CRU queue, overdue by the data date.
    assert!(
        q.body.contains("href=\"/cases/I1\"") && q.body.contains("Overdue"),
        "{}",
        q.body
    );
    assert!(!q.body.contains("href=\"/cases/I2\""), "I2 is medium risk");
    assert_eq!(
        http(&srv.addr, "GET", "/queues/dait", Some(&cru), None).status,
        404,
        "not the CRU's queue"
    );
    assert_eq!(
        http(&srv.addr, "GET", "/queues/cru?lpa=a%01b", Some(&cru), None).status,
        400
    );
    let (officer, _) = sign_in(&srv, "officer");
    let lpt = http(&srv.addr, "GET", "/queues/lpt", Some(&officer), None);
    assert_eq!(lpt.status, 200);
    assert!(
        lpt.body.contains("0 items"),
        "no offences recorded, so no open investigations"
    );
    let (analyst, _) = sign_in(&srv, "analyst");
    assert_eq!(
        http(&srv.addr, "GET", "/queues/lpt", Some(&analyst), None).status,
        404
    );
}

#[test]
fn oversized_and_malformed_requests_never_break_the_server() {
    let srv = start();
    let big = "a".repeat(200 * 1024);
    let r = http(
        &srv.addr,
        "POST",
        "/sign-in",
        None,
        Some(&format!("username={big}")),
    );
    assert_eq!(r.status, 413);
    let r = http(&srv.addr, "GET", "/people/%00%01", None, None);
    assert!(r.status == 303 || r.status == 404);
    let (s, _) = sign_in(&srv, "cru");
    assert_eq!(
        http(&srv.addr, "GET", "/people?id=%20", Some(&s), None).status,
        400
    );
    assert_eq!(
        http(&srv.addr, "GET", "/no/such/page", Some(&s), None).status,
        404
    );
    assert_eq!(
        http(&srv.addr, "GET", "/", Some(&s), None).status,
        200,
        "still serving"
    );
}
