//! The test fixture: Vigil serving on a loopback port over a small imported store, one user
//! per role, and an HTTP client small enough to show exactly what is sent. The server runs
//! inside the test process (`vigil_web::serve_on`, the same router `vigil serve` runs), so
//! a test starts no process for it; the few tests about the process itself (stopping on
//! SIGTERM, what it logs) start the real `vigil serve` with `start_process`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

pub use crate::common::*;

pub struct Server {
    /// The `vigil serve` process, for `start_process`.
    pub child: Option<Child>,
    /// That process's standard output after its first line (kept open, so it can still
    /// say things).
    pub stdout: Option<BufReader<std::process::ChildStdout>>,
    /// The runtime serving in this process, for `start`.
    runtime: Option<tokio::runtime::Runtime>,
    pub addr: String,
    pub db: String,
    /// The server's clock, when the test set it (`start_at`): the test moves it.
    pub clock: Option<std::sync::Arc<vigil_web::clock::SetClock>>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Runs `vigil user add` with the fixture's password on standard input.
pub fn run_user_add(db: &str, user: &str, role: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--db", db, "user", "add", user, "--role", role, "--name", user,
    ];
    args.extend(extra);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"lantern orbit velvet\n")
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn add_user(db: &str, user: &str, role: &str, extra: &[&str]) {
    let o = run_user_add(db, user, role, extra);
    assert!(o.status.success(), "{}", text(&o));
}

/// The fixture's store: the hand-written records imported with `vigil import`.
fn fixture_store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = new_store(dir.path(), "web.db");
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
    // A second area, South, known to the force by its staffing alone (no records there):
    // partners of another area are tested against it.
    std::fs::write(
        extract.join("staffing.csv"),
        "as_of,team,lpa,rank,establishment_fte,strength_fte,deployable_fte\n\
         2019-08-31,lpt,South,constable,10,9,8\n",
    )
    .unwrap();
    std::fs::write(
        extract.join("referrals.csv"),
        "referral_id,kind,person_id,incident_id,referred_at,agency,consent\n\
         R1,marac,P1,,2019-04-01T09:00:00,police,true\n\
         R2,encompass,P3,I2,2019-06-02T08:00:00,police,\n",
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
    (dir, db)
}

/// The fixture's users: name, role, agency. Every one signs in with the same password.
const USERS: [(&str, &str, Option<&str>); 11] = [
    ("handler", "call_handler", None),
    ("investigator", "dait_investigator", None),
    ("sergeant", "dait_sergeant", None),
    ("cru", "cru_officer", None),
    ("officer", "response_officer", None),
    ("analyst", "analyst", None),
    ("nhs", "partner_agency", Some("health")),
    ("school", "partner_agency", Some("education")),
    ("admin", "administrator", None),
    ("coordinator", "marac_coordinator", None),
    ("chair", "marac_chair", None),
];

/// The fixture password's argon2 hash, made once per test process (hashing is slow by
/// design; every fixture user shares the password).
fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| vigil_auth::hash_password("lantern orbit velvet"))
        .clone()
}

/// Vigil serving the fixture inside this process, on a loopback port, its clock set to the
/// morning after the fixture's records end (as `vigil demo` sets it).
pub fn start() -> Server {
    start_at("2019-09-02T09:00:00Z")
}

/// Vigil serving the fixture with its clock set to `utc` (`2019-09-02T08:00:00`); the test
/// moves it through `Server::clock`.
pub fn start_at(utc: &str) -> Server {
    start_with_rules(utc, vigil_domain::tasks::ClockRules::default())
}

/// Vigil serving the fixture with its clock set to `utc` and a force's own clocks.
pub fn start_with_rules(utc: &str, rules: vigil_domain::tasks::ClockRules) -> Server {
    let t = vigil_web::clock::parse_clock(utc).unwrap();
    start_with(
        Some(std::sync::Arc::new(
            vigil_web::clock::SetClock::starting_at(t),
        )),
        rules,
    )
}

fn start_with(
    clock: Option<std::sync::Arc<vigil_web::clock::SetClock>>,
    rules: vigil_domain::tasks::ClockRules,
) -> Server {
    use vigil_domain::access::{Role, Username};
    let (dir, db) = fixture_store();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = runtime
        .block_on(vigil_store_open::open_and_migrate(&db, &Default::default()))
        .unwrap();
    let hash = password_hash();
    for (name, role, agency) in USERS {
        let username = Username::parse(name).unwrap();
        let entry = vigil_store::AuditEntry {
            at: vigil_auth::now_utc(),
            actor: "test fixture".into(),
            action: "user.add".into(),
            subject_kind: "user".into(),
            subject_id: name.into(),
            reason: None,
        };
        runtime
            .block_on(store.add_user(
                &vigil_store::NewUser {
                    username,
                    display_name: name.into(),
                    role: Role::parse(role).unwrap(),
                    agency: agency.map(|a| vigil_domain::Agency::parse(a).unwrap()),
                    lpa: None,
                    password_hash: hash.clone(),
                },
                &entry,
            ))
            .unwrap();
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server_clock: std::sync::Arc<dyn vigil_web::clock::Clock> = match &clock {
        Some(c) => c.clone(),
        None => std::sync::Arc::new(vigil_web::clock::SystemClock),
    };
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let _ = vigil_web::serve_on(
            listener,
            store,
            false,
            server_clock,
            rules,
            false,
            std::future::pending(),
        )
        .await;
    });
    Server {
        child: None,
        stdout: None,
        runtime: Some(runtime),
        addr,
        db,
        clock,
        _dir: dir,
    }
}

/// The real `vigil serve` process over the fixture, for tests of the process itself.
pub fn start_process() -> Server {
    let (dir, db) = fixture_store();
    for (name, role, agency) in USERS {
        let extra: Vec<&str> = agency.map(|a| vec!["--agency", a]).unwrap_or_default();
        add_user(&db, name, role, &extra);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--db", &db, "serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    Server {
        child: Some(child),
        clock: None,
        stdout: Some(stdout),
        runtime: None,
        addr,
        db,
        _dir: dir,
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| {
                v.strip_prefix(&format!("{name}="))
                    .map(|r| r.split(';').next().unwrap().to_owned())
            })
    }
}

pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Reply {
    let mut headers = Vec::new();
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    request(
        addr,
        method,
        path,
        &headers,
        form.map(|f| ("application/x-www-form-urlencoded", f)),
    )
}

/// One HTTP/1.1 request with the given headers and, optionally, a body of a content type.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some((kind, b)) = body {
        req.push_str(&format!(
            "Content-Type: {kind}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    if let Some((_, b)) = body {
        // The server may answer (413) and close before reading a large body.
        let _ = s.write_all(b.as_bytes());
    }
    // Read the head, then the body by its Content-Length when given (a peer such as
    // ChromeDriver keeps the connection open), else to the end.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let mut need: Option<usize> = None;
    loop {
        if let Some(n) = need
            && raw.len() >= n
        {
            break;
        }
        let got = match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => k,
        };
        raw.extend_from_slice(&buf[..got]);
        if need.is_none()
            && let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            if let Some(len) = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
            {
                need = Some(end + 4 + len);
            }
        }
    }
    let raw = String::from_utf8_lossy(&raw).into_owned();
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

pub fn csrf_in(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// Signs in and returns the session cookie and its form token.
pub fn sign_in(srv: &Server, user: &str) -> (String, String) {
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
