//! The test fixture: a real `vigil serve` on a loopback port over a small imported store,
//! one user per role, and an HTTP client small enough to show exactly what is sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

pub use crate::common::*;

pub struct Server {
    pub child: Child,
    /// The server's standard output after its first line (kept open, so it can still say
    /// things).
    pub stdout: BufReader<std::process::ChildStdout>,
    pub addr: String,
    pub db: String,
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
        let _ = self.child.kill();
        let _ = self.child.wait();
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

pub fn start() -> Server {
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
    add_user(&db, "handler", "call_handler", &[]);
    add_user(&db, "investigator", "dait_investigator", &[]);
    add_user(&db, "sergeant", "dait_sergeant", &[]);
    add_user(&db, "cru", "cru_officer", &[]);
    add_user(&db, "officer", "response_officer", &[]);
    add_user(&db, "analyst", "analyst", &[]);
    add_user(&db, "nhs", "partner_agency", &["--agency", "health"]);
    add_user(&db, "school", "partner_agency", &["--agency", "education"]);
    add_user(&db, "admin", "administrator", &[]);
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
        child,
        stdout,
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
