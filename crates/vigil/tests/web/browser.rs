//! The main flows in a real browser: headless Chromium driven through ChromeDriver (the W3C
//! WebDriver protocol, spoken directly over HTTP), with GOV.UK Frontend's JavaScript running,
//! and an axe-core accessibility check of each main page.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and axe-core from `web/` (`npm ci`);
//! `./scripts/test` installs all three when missing.

use crate::support::*;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};

struct Driver {
    process: Child,
    addr: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

struct Browser {
    driver: Driver,
    session: String,
    base: String,
    /// Chromium's profile: removed when the browser is dropped (after the session and the
    /// driver end, as fields drop in order).
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = wd(
            &self.driver.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

fn wd(addr: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let text = body.map(|b| b.to_string());
    let r = request(
        addr,
        method,
        path,
        &[],
        text.as_deref().map(|t| ("application/json", t)),
    );
    let v: Value = serde_json::from_str(&r.body)
        .unwrap_or_else(|_| panic!("WebDriver {method} {path}: {}", r.body));
    if r.status >= 400 {
        panic!(
            "WebDriver {method} {path} failed ({}): {}",
            r.status, v["value"]["message"]
        );
    }
    v["value"].clone()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn open(srv: &Server) -> Browser {
        let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("ChromeDriver is not installed: run ./scripts/test, which installs Debian's chromium and chromium-driver");
        let port = free_port();
        let process = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..100 {
            if std::net::TcpStream::connect(&addr).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let driver = Driver { process, addr };
        let profile = tempfile::tempdir().unwrap();
        // The flags keep Chromium from reaching for the network (closed here) and from
        // needing a sandbox when the tests run as root in CI.
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,900", format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let v = wd(&driver.addr, "POST", "/session", Some(caps));
        Browser {
            session: v["sessionId"].as_str().unwrap().to_owned(),
            driver,
            base: format!("http://{}", srv.addr),
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        if std::env::var_os("VIGIL_BROWSER_TRACE").is_some() {
            eprintln!("webdriver {method} {path}");
        }
        wd(
            &self.driver.addr,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )
    }

    fn go(&self, path: &str) {
        self.call(
            "POST",
            "/url",
            Some(json!({"url": format!("{}{path}", self.base)})),
        );
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element '{css}' on {}: {v}", self.path()))
            .to_owned()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    /// Clicks something that loads a new page, and waits until the new page has loaded.
    fn submit(&self, css: &str) {
        self.script("window.__vigilOldPage = true;", json!([]));
        self.click(css);
        for _ in 0..200 {
            let done = self.script(
                "return window.__vigilOldPage === undefined && document.readyState === 'complete';",
                json!([]),
            );
            if done == json!(true) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("clicking '{css}' did not load a page");
    }

    fn type_into(&self, id: &str, text: &str) {
        let e = self.find(&format!("#{id}"));
        self.call("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Chooses a radio or ticks a checkbox as a person does: by clicking its label.
    fn choose(&self, name: &str, value: &str) {
        let id: Value = self.script(
            "return document.querySelector(`input[name='${arguments[0]}'][value='${arguments[1]}']`).id;",
            json!([name, value]),
        );
        self.click(&format!("label[for='{}']", id.as_str().unwrap()));
    }

    fn select(&self, id: &str, value: &str) {
        self.click(&format!("#{id} option[value='{value}']"));
    }

    fn script(&self, js: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": js, "args": args})),
        )
    }

    fn text(&self) -> String {
        self.script("return document.body.innerText;", json!([]))
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn path(&self) -> String {
        self.script("return location.pathname + location.search;", json!([]))
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn sign_in(&self, user: &str) {
        self.call("DELETE", "/cookie", None);
        self.go("/sign-in");
        self.type_into("username", user);
        self.type_into("password", "lantern orbit velvet");
        self.submit("main button[type=submit]");
        assert!(
            self.text().contains("You are signed in as"),
            "{user} signed in: {}",
            self.text()
        );
    }

    /// Runs axe-core on the page and returns its serious and critical violations.
    fn accessibility_problems(&self) -> Vec<String> {
        let axe_path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../web/node_modules/axe-core/axe.min.js"
        );
        let axe = std::fs::read_to_string(axe_path).unwrap_or_else(|_| panic!("axe-core is not installed at {axe_path}: run ./scripts/test (it runs npm ci in web/)"));
        // Injected as the test's own script: the page's policy forbids inline script, and
        // WebDriver's scripts run outside it.
        self.script(&format!("{axe}\nreturn true;"), json!([]));
        self.call("POST", "/timeouts", Some(json!({"script": 30000})));
        let v = self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": "const done = arguments[arguments.length - 1]; axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')));", "args": []})),
        );
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect()
    }

    fn assert_accessible(&self, page: &str) {
        let problems = self.accessibility_problems();
        assert!(problems.is_empty(), "{page}: {}", problems.join("\n"));
    }
}

/// One browser at a time: the browser tests each start Chromium, and on two cores several
/// at once would be slowed past WebDriver's patience. A failed test does not stop the next.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A server and a browser for one flow; the guard keeps the flows one after another.
fn flow() -> (std::sync::MutexGuard<'static, ()>, Server, Browser) {
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let srv = start();
    let b = Browser::open(&srv);
    (guard, srv, b)
}

/// A case recorded over HTTP (as the intake form sends it) with `yes` DASH answers, for a
/// flow that starts from an existing case.
fn recorded_case(srv: &Server, yes: usize) -> String {
    let (officer, csrf) = sign_in(srv, "officer");
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&crate::flows::intake(&csrf, yes, &[])),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.header("location")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn the_accessibility_checker_finds_a_real_problem() {
    let (_one, _srv, b) = flow();
    b.go("/sign-in");
    b.assert_accessible("sign-in");
    // The checker itself finds a real problem: a form field with no label.
    b.script("document.querySelector('main form').insertAdjacentHTML('beforeend', '<input type=\"text\" name=\"unlabelled\">');", json!([]));
    let found = b.accessibility_problems();
    assert!(
        found.iter().any(|p| p.starts_with("label")),
        "axe-core ran and saw the unlabelled field: {found:?}"
    );
}

#[test]
fn an_officer_records_an_incident_with_the_dash_in_a_browser() {
    let (_one, _srv, b) = flow();
    // A response officer records an incident with the DASH; the running count is live.
    b.sign_in("officer");
    b.assert_accessible("home");
    b.go("/incidents/new");
    assert_eq!(
        b.script(
            "return document.body.classList.contains('govuk-frontend-supported');",
            json!([])
        ),
        json!(true),
        "GOV.UK Frontend's JavaScript runs"
    );
    b.assert_accessible("intake");
    b.choose("call_grade", "emergency");
    b.type_into("reported_at", "01/09/2019 21:30");
    b.type_into("arrived_at", "01/09/2019 21:41");
    b.select("lpa", "North");
    b.type_into("victim_family_name", "Browne");
    b.type_into("victim_given_names", "Isla");
    b.choose("victim_sex", "female");
    b.type_into("victim_birth_date", "04/04/1994");
    b.type_into("suspect_id", "P2");
    b.choose("relationship", "partner");
    b.choose("children_present", "yes");
    for q in 1..=27 {
        b.choose(&format!("dash_{q}"), if q <= 14 { "yes" } else { "no" });
    }
    let count = b.script(
        "return document.getElementById('dash-running-count').textContent;",
        json!([]),
    );
    assert_eq!(count, json!("14 yes so far: the score suggests high risk"));
    b.submit("button[value=save]");
    assert!(b.path().starts_with("/cases/VI"), "{}", b.path());
    let page = b.text();
    for text in [
        "Incident recorded",
        "Central Referral Unit (CRU)",
        "Refer to MARAC",
        "Operation Encompass",
        "Clare's Law",
    ] {
        assert!(page.contains(text), "{text}\n{page}");
    }
    b.assert_accessible("case");

    // A field error is shown next to its field and in the summary, with focus on the summary.
    b.go("/incidents/new");
    b.submit("button[value=save]");
    assert!(b.text().contains("There is a problem"));
    b.assert_accessible("intake with errors");
}

#[test]
fn the_sergeant_raises_the_risk_in_a_secondary_assessment_in_a_browser() {
    let (_one, srv, b) = flow();
    let case_path = recorded_case(&srv, 11);
    b.sign_in("sergeant");
    b.go(&case_path);
    b.submit("a[href$='stage=secondary']");
    for q in 1..=27 {
        b.choose(
            &format!("dash_{q}"),
            if q <= 16 { "yes" } else { "not_known" },
        );
    }
    b.assert_accessible("secondary assessment");
    b.submit("button[value=save]");
    assert!(
        b.text().contains("Risk assessment recorded"),
        "{}",
        b.text()
    );
}

#[test]
fn an_investigator_adds_an_offence_and_its_outcome_in_a_browser() {
    let (_one, srv, b) = flow();
    let case_path = recorded_case(&srv, 11);
    b.sign_in("investigator");
    b.go(&case_path);
    b.submit(&format!("a[href='{case_path}/offences/new']"));
    b.select("offence_group", "violence_with_injury");
    b.type_into("offence_date", "01/09/2019");
    b.type_into("recorded_date", "02/09/2019");
    b.submit("button[value=save]");
    assert!(b.text().contains("Offence added"), "{}", b.text());
    b.submit("a[href^='/offences/']");
    b.assert_accessible("outcome");
    b.select("code", "16");
    b.type_into("date", "02/09/2019");
    b.submit("main button[type=submit]");
    assert!(
        b.text().contains("withdrawal"),
        "the rule is shown: {}",
        b.text()
    );
    b.choose("victim_withdrawal_recorded", "true");
    b.submit("main button[type=submit]");
    assert!(b.text().contains("Outcome recorded"), "{}", b.text());
}

#[test]
fn the_cru_reads_a_refuge_address_only_with_a_reason_in_a_browser() {
    let (_one, _srv, b) = flow();
    b.sign_in("cru");
    b.go("/queues/cru");
    assert!(b.text().contains("CRU: high-risk victims to safeguard"));
    b.assert_accessible("CRU queue");
    b.go("/people/P3");
    assert!(!b.text().contains("Refuge Lane"), "a reason first");
    b.assert_accessible("person");
    b.type_into("reason", "Safety plan visit with the IDVA");
    b.submit("main button[type=submit]");
    assert!(
        b.text().contains("Refuge Lane"),
        "the CRU sees the refuge address: {}",
        b.text()
    );
}

#[test]
fn the_analysts_dashboard_draws_its_charts_in_a_browser() {
    let (_one, _srv, b) = flow();
    b.sign_in("analyst");
    b.go("/dashboard");
    assert!(b.text().contains("Headline measures"), "{}", b.text());
    assert_eq!(
        b.script(
            "return document.querySelectorAll('svg').length > 0;",
            json!([])
        ),
        json!(true)
    );
    b.assert_accessible("dashboard");
}

#[test]
fn an_administrator_restricts_a_record_in_a_browser() {
    let (_one, _srv, b) = flow();
    b.sign_in("admin");
    b.go("/admin/restrictions");
    b.assert_accessible("restricted records");
    b.choose("kind", "person");
    b.type_into("reference", "P1");
    b.choose("ground", "force_employee");
    b.type_into("teams", "cru");
    b.submit("main form[action='/admin/restrictions'] button[type=submit]");
    assert!(
        b.text().contains("The restriction is in force") && b.text().contains("Person P1"),
        "{}",
        b.text()
    );
    b.assert_accessible("restricted records, one restricted");
    // The investigator is told there is no such person.
    b.sign_in("investigator");
    b.go("/people/P1");
    assert!(b.text().contains("Page not found"), "{}", b.text());
}

#[test]
fn partners_and_officers_cannot_reach_what_is_not_theirs_in_a_browser() {
    let (_one, srv, b) = flow();
    let case_path = recorded_case(&srv, 14);
    // What a partner agency user and a response officer must not reach, even by typing.
    b.sign_in("nhs");
    b.go("/shared");
    b.assert_accessible("shared");
    for path in [
        "/cases/I1",
        "/people/P1",
        "/queues/cru",
        "/audit",
        "/dashboard",
        &case_path,
    ] {
        b.go(path);
        assert!(
            b.text().contains("Page not found"),
            "nhs {path}: {}",
            b.text()
        );
        assert!(!b.text().contains("Smith"));
    }
    b.sign_in("officer");
    for path in ["/queues/cru", "/audit", "/dashboard", "/shared"] {
        b.go(path);
        assert!(
            b.text().contains("Page not found"),
            "officer {path}: {}",
            b.text()
        );
    }
    b.go("/people/P3");
    assert!(
        !b.text().contains("Refuge Lane") && b.text().contains("Withheld"),
        "{}",
        b.text()
    );
}

/// The MARAC cycle as its people walk it: the CRU refers a high-risk victim; the referral
/// is on the next meeting's agenda with the children's cases; the IDVA service and health
/// research it; on the day the coordinator records attendance, the discussion and actions
/// for the police and housing; housing sees only its action and completes it; the chair
/// approves the minutes, which housing reads with the address; a new incident between the
/// same people raises a repeat referral; a partner of another area or agency finds
/// nothing, typing addresses included; a declined consent keeps an IDVA referral from the
/// IDVA service.
#[test]
fn a_marac_cycle_in_a_browser() {
    let (_one, srv, b) = flow();
    for (user, agency, lpa) in [
        ("housing.north", "housing", "North"),
        ("idva.north", "idva", "North"),
        ("housing.south", "housing", "South"),
        ("probation.north", "probation", "North"),
    ] {
        add_user(
            &srv.db,
            user,
            "partner_agency",
            &["--agency", agency, "--lpa", lpa],
        );
    }
    let case_path = recorded_case(&srv, 15);
    let case_id = case_path.rsplit('/').next().unwrap().to_owned();

    // The CRU refers Dana Newfield (15 ticks, children present) on the referral form.
    b.sign_in("cru");
    b.go(&case_path);
    b.submit(&format!("a[href='{case_path}/referrals/new']"));
    b.choose("kind", "marac");
    b.choose("consent", "not_known");
    b.type_into("referrer_phone", "01245 491491");
    b.type_into("victim_wishes", "To be safe at home with her children");
    b.choose("consent_sought", "no");
    b.choose("disability", "no");
    b.choose("sexuality", "not_known");
    b.choose("transgender", "not_known");
    b.assert_accessible("referral form");
    b.submit("button[value=save]");
    assert!(b.text().contains("Referral made"), "{}", b.text());
    // And to the IDVA service, which she declined.
    b.submit(&format!("a[href='{case_path}/referrals/new']"));
    b.choose("kind", "idva");
    b.choose("consent", "no");
    b.submit("button[value=save]");
    assert!(b.text().contains("Referral made"), "{}", b.text());

    // The coordinator plans North's meeting: Dana's case is among those with children.
    b.sign_in("coordinator");
    b.go("/marac/meetings");
    b.select("area", "North");
    b.type_into("held_on", "03/09/2019");
    b.type_into("venue", "Room 4, Chelmsford");
    b.submit("main form[action='/marac/meetings'] button[type=submit]");
    let agenda = b.path();
    let text = b.text();
    let (children_at, adults_at, dana) = (
        text.find("Cases with children").unwrap(),
        text.find("Adult-only cases").unwrap(),
        text.find("Dana Newfield").unwrap(),
    );
    assert!(children_at < dana && dana < adults_at, "{text}");
    b.assert_accessible("agenda");
    let option_of = |select: &str| -> String {
        b.script(
            "return [...document.querySelectorAll(`#${arguments[0]} option`)].find(o => o.text.includes('Newfield')).value;",
            json!([select]),
        )
        .as_str()
        .unwrap()
        .to_owned()
    };

    // The IDVA service and health say what they hold.
    for (user, held) in [
        ("idva.north", "Known to the IDVA service in 2018"),
        ("nhs", "Two A&E attendances with injuries this year"),
    ] {
        b.sign_in(user);
        b.go(&agenda);
        let rid = option_of("research_referral_id");
        b.select("research_referral_id", &rid);
        b.type_into("text", held);
        b.submit("form[action$='/research'] button[type=submit]");
        assert!(b.text().contains(held), "{user}: {}", b.text());
    }

    // The day of the meeting: attendance, the discussion, and actions for the police and
    // housing.
    srv.clock
        .as_ref()
        .unwrap()
        .set(vigil_web::clock::parse_clock("2019-09-03T10:00:00Z").unwrap());
    b.sign_in("coordinator");
    b.go(&agenda);
    for (agency, who) in [
        ("police", "DS Example (CRU)"),
        ("health", "Safeguarding nurse"),
        ("housing", "Housing options officer"),
        ("idva", "Senior IDVA"),
    ] {
        b.type_into(&format!("attendees-{agency}"), who);
    }
    b.submit("form[action$='/attendance'] button[type=submit]");
    assert!(b.text().contains("Housing options officer"), "{}", b.text());
    let rid = option_of("discussion_referral_id");
    b.select("discussion_referral_id", &rid);
    b.type_into(
        "discussion",
        "Threats to kill since separation; police and housing to act this week",
    );
    b.choose("risk_after", "high");
    b.submit("form[action$='/discussions'] button[type=submit]");
    for (owner, what) in [
        ("police", "Flag the address for an urgent response"),
        ("housing", "Sanctuary scheme: fit a door alarm"),
    ] {
        b.select("action_referral_id", &rid);
        b.choose("about", "victim");
        b.select("owner", owner);
        b.type_into("description", what);
        b.type_into("due", "10/09/2019");
        b.submit("form[action$='/actions'] button[type=submit]");
        assert!(b.text().contains(what), "{}", b.text());
    }
    b.assert_accessible("agenda with its record");

    // Housing sees only its own action, and completes it.
    b.sign_in("housing.north");
    b.go("/marac/actions");
    let mine = b.text();
    assert!(
        mine.contains("fit a door alarm") && !mine.contains("urgent response"),
        "{mine}"
    );
    let form_action = b
        .script(
            "return document.querySelector(\"form[action$='/complete']\").getAttribute('action');",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_owned();
    let action_id = form_action.split('/').nth(3).unwrap().to_owned();
    b.type_into(
        &format!("evidence-{action_id}"),
        "Door alarm fitted on 4 September; victim shown how to use it",
    );
    b.submit("form[action$='/complete'] button[type=submit]");
    assert!(b.text().contains("Door alarm fitted"), "{}", b.text());
    b.assert_accessible("actions");

    // The chair approves the minutes; housing (there, and acting on the address) reads them.
    b.sign_in("chair");
    b.go(&agenda);
    b.submit("form[action$='/approval'] button[type=submit]");
    assert!(b.text().contains("Approved by the chair"), "{}", b.text());
    b.sign_in("housing.north");
    b.go(&format!("{agenda}/minutes"));
    assert!(
        b.text().contains("3 Mill Lane") && b.text().contains("Sanctuary scheme"),
        "{}",
        b.text()
    );
    b.assert_accessible("minutes");

    // A partner of another area, or of another agency, finds nothing — typing the
    // addresses too.
    b.sign_in("housing.south");
    for path in [agenda.clone(), format!("{agenda}/minutes")] {
        b.go(&path);
        assert!(b.text().contains("Page not found"), "{path}: {}", b.text());
    }
    b.go("/marac/actions");
    assert!(!b.text().contains("door alarm"), "{}", b.text());
    b.sign_in("probation.north");
    b.go("/marac/actions");
    assert!(!b.text().contains("door alarm"), "{}", b.text());
    b.go(&format!("{agenda}/minutes"));
    assert!(
        b.text().contains("Page not found"),
        "probation did not attend: {}",
        b.text()
    );

    // The declined IDVA referral is not the IDVA service's to see.
    let cru = crate::api::token(&srv, "cru");
    let (_, case) = crate::api::api(&srv, "GET", &format!("/api/v1/cases/{case_id}"), &cru, None);
    let idva_ref = case["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "idva")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.sign_in("idva.north");
    b.go("/idva");
    assert!(!b.text().contains(&idva_ref), "{}", b.text());
    b.go(&format!("/shared/{idva_ref}"));
    assert!(b.text().contains("Page not found"), "{}", b.text());

    // A new incident between the same people within 12 months: a repeat referral is due.
    let (victim, suspect) = (
        case["incident"]["victim_id"].as_str().unwrap().to_owned(),
        case["incident"]["suspect_id"].as_str().unwrap().to_owned(),
    );
    let (officer, csrf) = sign_in(&srv, "officer");
    let r = http(
        &srv.addr,
        "POST",
        "/incidents",
        Some(&officer),
        Some(&crate::flows::intake(
            &csrf,
            5,
            &[
                ("victim_id", &victim),
                ("suspect_id", &suspect),
                ("reported_at", "03/09/2019 09:30"),
                ("arrived_at", "03/09/2019 09:45"),
            ],
        )),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let again = r
        .header("location")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    b.sign_in("cru");
    b.go(&again);
    assert!(
        b.text()
            .contains("repeat: referred to MARAC in the last 12 months"),
        "{}",
        b.text()
    );
}

/// Clare's Law and a protective order in the browser: the CRU takes a right-to-ask
/// application from first contact to a disclosure with the panel's rationale; an officer
/// drafts a DVPN, an inspector cannot authorise it, a superintendent does, and it is
/// served, heard, granted as a DVPO and breached.
#[test]
fn clares_law_and_a_dvpn_in_a_browser() {
    let (_one, srv, b) = flow();
    add_user(
        &srv.db,
        "insp.north",
        "dait_sergeant",
        &["--rank", "inspector"],
    );
    add_user(
        &srv.db,
        "supt.north",
        "dait_sergeant",
        &["--rank", "superintendent"],
    );
    b.sign_in("cru");
    b.go("/disclosures/new");
    b.assert_accessible("right-to-ask form");
    b.choose("applicant", "person_at_risk");
    b.type_into("at_risk_id", "P1");
    b.type_into("subject_id", "P2");
    b.submit("main form[action='/disclosures'] button[type=submit]");
    assert!(b.text().contains("Clare's Law application"), "{}", b.text());
    let stage = |b: &Browser| b.submit("main form:first-of-type button[type=submit]");
    b.choose("immediate_risk", "false");
    b.type_into("notes", "Spoke to Ann; no immediate danger");
    stage(&b);
    b.choose("identity_verified", "true");
    b.type_into("notes", "Met at the station; passport seen");
    stage(&b);
    b.type_into("police", "An assault on a former partner in June 2019");
    b.type_into("partners", "Probation: nothing reported");
    stage(&b);
    b.choose("pressing_need", "true");
    b.choose("lawful_necessary_proportionate", "true");
    b.type_into(
        "rationale",
        "A recent assault on a former partner: Ann is at risk of the same",
    );
    stage(&b);
    assert!(
        b.text().contains("A recent assault on a former partner"),
        "{}",
        b.text()
    );
    b.type_into("to_whom", "Ann Smith");
    b.type_into(
        "said",
        "Told of the assault on a former partner in June 2019",
    );
    b.type_into("safety_plan", "IDVA referral; a safe phone");
    stage(&b);
    let done = b.text();
    assert!(
        done.contains("Disclosed") && done.contains("Pressing need: yes"),
        "{done}"
    );
    b.assert_accessible("a disclosed application");

    // A DVPN on Ann's case.
    b.sign_in("officer");
    b.go("/cases/I1/notices/new");
    b.assert_accessible("notice form");
    b.choose("kind", "dvpn");
    for (field, text) in [
        ("grounds", "Punched Ann and threatened to kill her"),
        ("children_welfare", "No children"),
        ("victim_view", "Wants him kept away"),
        ("representations", "Declined to comment"),
        ("other_occupants", "None"),
        ("conditions", "Not to enter 1 High Street"),
    ] {
        b.type_into(field, text);
    }
    b.submit("main form button[type=submit]");
    let notice = b.path();
    assert!(notice.starts_with("/notices/"), "{notice}");
    // Below the rank: refused, with the rank named.
    b.sign_in("insp.north");
    b.go(&notice);
    b.submit("main form:first-of-type button[type=submit]");
    assert!(b.text().contains("superintendent"), "{}", b.text());
    b.sign_in("supt.north");
    b.go(&notice);
    b.submit("main form:first-of-type button[type=submit]");
    assert!(
        b.text().contains("Authorised: to be served"),
        "{}",
        b.text()
    );
    srv.clock
        .as_ref()
        .unwrap()
        .set(vigil_web::clock::parse_clock("2019-09-02T09:30:00Z").unwrap());
    b.sign_in("officer");
    b.go(&notice);
    b.type_into("served_at", "02/09/2019 10:15");
    b.submit("main form:first-of-type button[type=submit]");
    assert!(
        b.text().contains("4 September 2019"),
        "heard within 48 hours: {}",
        b.text()
    );
    b.assert_accessible("a served notice");
    b.choose("decision", "granted");
    b.type_into("days", "28");
    b.type_into("conditions", "Not to contact Ann Smith");
    b.type_into("notes", "Granted at Chelmsford");
    b.submit("main form:first-of-type button[type=submit]");
    assert!(b.text().contains("Order made"), "{}", b.text());
    srv.clock
        .as_ref()
        .unwrap()
        .set(vigil_web::clock::parse_clock("2019-09-03T09:00:00Z").unwrap());
    b.go(&notice);
    b.type_into("breached_at", "03/09/2019 08:00");
    b.type_into("details", "Phoned Ann twice; back before the magistrates");
    b.submit("form:has(input[value=breach]) button[type=submit]");
    assert!(b.text().contains("Phoned Ann twice"), "{}", b.text());
}

/// A shift, with the server's clock set: an incident recorded without a DASH, the DASH
/// added, the case in the DAIT queue before any offence, allocated, raised to high by the
/// sergeant's review and first in the CRU's queue, the Operation Encompass task overdue once
/// the clock passes the next school day, then a note, the victim's withdrawal and outcome 16
/// — each step in the audit trail.
#[test]
fn a_shift_with_every_clock_running() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Monday 2 September 2019, 09:00 UTC (10:00 in the UK).
    let srv = start_at("2019-09-02T09:00:00Z");
    let b = Browser::open(&srv);

    // The response officer records the incident without a DASH.
    b.sign_in("officer");
    assert!(
        b.text().contains("Clock set to 2 September 2019, 10:00"),
        "the banner says the clock is set: {}",
        b.text()
    );
    b.go("/incidents/new");
    b.choose("call_grade", "emergency");
    b.type_into("reported_at", "02/09/2019 09:40");
    b.type_into("arrived_at", "02/09/2019 09:52");
    b.select("lpa", "North");
    b.type_into("victim_family_name", "Quillfeather");
    b.type_into("victim_given_names", "Ada");
    b.choose("victim_sex", "female");
    b.type_into("victim_birth_date", "12/03/1990");
    b.type_into("suspect_id", "P2");
    b.choose("relationship", "partner");
    b.choose("children_present", "yes");
    b.submit("button[value=save]");
    let case_path = b.path().split('?').next().unwrap().to_owned();
    let case_id = case_path.trim_start_matches("/cases/").to_owned();
    assert!(case_id.starts_with("VI"), "{case_path}");
    let page = b.text();
    assert!(
        page.contains("awaits its primary risk assessment"),
        "{page}"
    );
    assert!(page.contains("Awaiting assessment"), "{page}");
    assert!(
        page.contains("Ada Quillfeather"),
        "names beside references: {page}"
    );

    // Their home page: the primary assessment is theirs, due.
    b.go("/");
    let home = b.text();
    assert!(home.contains("Your tasks"), "{home}");
    assert!(
        home.contains("Complete the primary DASH risk assessment"),
        "{home}"
    );
    b.assert_accessible("home with tasks");
    b.go("/queues/awaiting-assessment");
    assert!(b.text().contains(&case_id), "{}", b.text());

    // The DASH, medium.
    b.go(&case_path);
    b.submit("a[href$='stage=primary']");
    for q in 1..=27 {
        b.choose(&format!("dash_{q}"), if q <= 11 { "yes" } else { "no" });
    }
    b.submit("button[value=save]");
    assert!(
        b.text().contains("Risk assessment recorded"),
        "{}",
        b.text()
    );
    b.go("/");
    assert!(
        !b.text()
            .contains("Complete the primary DASH risk assessment"),
        "done, so off the list: {}",
        b.text()
    );

    // The DAIT sergeant finds it in the DAIT queue before any offence exists.
    b.sign_in("sergeant");
    b.go("/queues/dait?lpa=North&risk=medium");
    let queue = b.text();
    assert!(queue.contains(&case_id), "{queue}");
    assert!(queue.contains("no offence recorded yet"), "{queue}");
    b.assert_accessible("DAIT queue");
    // Allocated to the investigator.
    b.go(&case_path);
    b.submit(&format!("a[href='{case_path}/work/allocate']"));
    b.assert_accessible("allocate");
    b.select("officer", "investigator");
    b.submit("main button[type=submit]");
    assert!(b.text().contains("Allocation saved"), "{}", b.text());
    assert!(
        b.text().contains("Allocated to investigator"),
        "{}",
        b.text()
    );

    // The investigator finds it in their work.
    b.sign_in("investigator");
    let home = b.text();
    assert!(home.contains("Your cases"), "{home}");
    assert!(home.contains(&case_id), "{home}");

    // The sergeant's secondary assessment raises it to high; the CRU's queue shows it first.
    b.sign_in("sergeant");
    b.go(&case_path);
    b.submit("a[href$='stage=secondary']");
    for q in 1..=27 {
        b.choose(&format!("dash_{q}"), if q <= 15 { "yes" } else { "no" });
    }
    b.submit("button[value=save]");
    assert!(
        b.text().contains("Risk assessment recorded"),
        "{}",
        b.text()
    );
    b.sign_in("cru");
    b.go("/queues/cru");
    let first = b.script(
        "return document.querySelector('main table tbody tr a[href^=\"/cases/\"]').textContent;",
        json!([]),
    );
    assert_eq!(first, json!(case_id), "{}", b.text());

    // The Operation Encompass task is the CRU's, due before school opens on Tuesday; once the
    // clock passes it, it is overdue.
    b.go(&case_path);
    assert!(b.text().contains("Operation Encompass"), "{}", b.text());
    assert!(b.text().contains("3 September 2019, 08:30"), "{}", b.text());
    srv.clock
        .as_ref()
        .unwrap()
        .set(vigil_web::clock::parse_clock("2019-09-03T08:00:00Z").unwrap());
    b.go("/tasks?owner=team&state=overdue");
    let overdue = b.text();
    assert!(overdue.contains("Operation Encompass"), "{overdue}");
    assert!(overdue.contains("Overdue"), "{overdue}");
    b.assert_accessible("team tasks");

    // The investigator's note, the victim's withdrawal, the offence and outcome 16.
    b.sign_in("investigator");
    b.go(&case_path);
    b.submit(&format!("a[href='{case_path}/work/note']"));
    b.type_into("text", "Spoke to the victim at her sister's address.");
    b.submit("main button[type=submit]");
    assert!(b.text().contains("Note added"), "{}", b.text());
    assert!(b.text().contains("at her sister's address"), "{}", b.text());
    b.submit(&format!("a[href='{case_path}/work/withdrawal']"));
    b.assert_accessible("withdrawal");
    b.type_into("date", "03/09/2019");
    b.choose("method", "statement");
    b.type_into(
        "detail",
        "Does not want him prosecuted; fears losing the house.",
    );
    b.submit("main button[type=submit]");
    assert!(b.text().contains("Withdrawal recorded"), "{}", b.text());
    b.submit(&format!("a[href='{case_path}/offences/new']"));
    b.select("offence_group", "violence_with_injury");
    b.type_into("offence_date", "02/09/2019");
    b.type_into("recorded_date", "02/09/2019");
    b.submit("button[value=save]");
    b.submit("a[href^='/offences/']");
    b.select("code", "16");
    b.type_into("date", "03/09/2019");
    b.submit("main button[type=submit]");
    assert!(
        b.text().contains("Outcome recorded"),
        "the withdrawal in the case log is what outcome 16 asks for: {}",
        b.text()
    );
    // Telling the victim of the outcome is now a task on the case.
    assert!(
        b.text().contains("Tell the victim of the outcome"),
        "{}",
        b.text()
    );

    // Every step left its audit rows.
    let trail = vigil(&[
        "--db",
        &srv.db,
        "audit",
        "--subject",
        &case_id,
        "--limit",
        "200",
    ]);
    let trail = text(&trail);
    for action in [
        "case.create",
        "assessment.primary",
        "case.allocate",
        "assessment.secondary",
        "case.note",
        "case.withdrawal",
        "offence.create",
        "offence.outcome",
        "case.read",
    ] {
        assert!(trail.contains(action), "{action} in the trail:\n{trail}");
    }
}

/// Every page a role works from fits a 390-pixel-wide phone: nothing makes the page scroll
/// sideways (wide tables stack their cells under one another on a narrow screen).
/// The perpetrator cohort from the analyst's run to the owner's review: the analyst runs
/// North's cohort, sees Bob Jones (a serial perpetrator) with his reasons, allocates him to
/// a DAIT investigator, who finds the review on their home page and records it.
#[test]
fn a_cohort_run_allocation_and_review_in_a_browser() {
    let (_one, _srv, b) = flow();
    b.sign_in("analyst");
    b.go("/cohorts?kind=perpetrator&lpa=North");
    assert!(b.text().contains("No run yet"), "{}", b.text());
    b.assert_accessible("cohort before a run");
    b.submit("form[action='/cohorts/run'] button");
    let page = b.text();
    assert!(page.contains("1 in the cohort"), "{page}");
    assert!(page.contains("2 incidents in 24 months"), "{page}");
    assert!(page.contains("Serial"), "{page}");
    b.assert_accessible("cohort");
    b.submit("a[href='/cohorts/perpetrator/North/P2']");
    assert!(b.text().contains("No owner yet"), "{}", b.text());
    b.assert_accessible("cohort member");
    b.type_into("owner", "investigator");
    b.type_into("plan", "Refer to the Drive perpetrator programme; disrupt");
    b.type_into("next_review", "02/09/2019");
    b.submit("button[type=submit]:not(.govuk-button--secondary)");
    let page = b.text();
    assert!(
        page.contains("Refer to the Drive perpetrator programme"),
        "{page}"
    );
    assert!(page.contains("Due"), "{page}");

    b.sign_in("investigator");
    b.go("/");
    let home = b.text();
    assert!(home.contains("Your cohort members"), "{home}");
    assert!(home.contains("Review due"), "{home}");
    b.submit("a[href='/cohorts/perpetrator/North/P2']");
    b.assert_accessible("the owner's member page");
    b.choose("action", "review");
    b.type_into(
        "text",
        "Reviewed: programme referral made, he attends on Monday",
    );
    b.submit("form[action='/cohorts/perpetrator/North/P2'] button");
    let page = b.text();
    assert!(page.contains("Reviewed: programme referral made"), "{page}");
    assert!(
        page.contains("16 September 2019"),
        "the next review is 14 days on: {page}"
    );
    b.go("/");
    assert!(!b.text().contains("Review due"), "{}", b.text());
}

#[test]
fn pages_fit_a_phone_without_sideways_scrolling() {
    let (_one, _srv, b) = flow();
    b.call(
        "POST",
        "/window/rect",
        Some(json!({"width": 390, "height": 844})),
    );
    let width = b.script("return window.innerWidth;", json!([]));
    assert!(width.as_i64().unwrap() <= 390, "{width}");
    let overflow = |page: &str| {
        b.go(page);
        let v = b.script(
            "const w = document.documentElement.clientWidth; \
             const wide = [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > w + 1) \
               .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right)); \
             return [document.documentElement.scrollWidth, w, wide.slice(0, 8).join(', ')];",
            json!([]),
        );
        let (scroll, client) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
        assert!(
            scroll <= client,
            "{page} is {scroll}px wide in a {client}px window: {}",
            v[2]
        );
    };
    overflow("/sign-in");
    // The check finds a code when there is one.
    b.script("document.querySelector('main').insertAdjacentHTML('beforeend', '<p>no_further_action</p>');", json!([]));
    let found = b.script(
        "return (document.querySelector('main').innerText.match(/\\b[A-Za-z]+_[A-Za-z_]+\\b/g) || []).join(' ');",
        json!([]),
    );
    assert_eq!(found, json!("no_further_action"));
    for (user, pages) in [
        (
            "officer",
            vec![
                "/",
                "/incidents/new",
                "/queues/lpt?lpa=all",
                "/queues/awaiting-assessment?lpa=all",
                "/cases/I1",
                "/people/P1",
                "/search?family_name=smi",
                "/tasks?owner=team",
            ],
        ),
        (
            "sergeant",
            vec![
                "/",
                "/queues/dait?lpa=all",
                "/suspects?lpa=all",
                "/cases/I2",
                "/cases/I2/work/status",
                "/cases/I2/work/children",
                "/cases/I2/work/disposal",
                "/people/P1/contact",
            ],
        ),
        ("cru", vec!["/queues/cru?lpa=all"]),
        ("analyst", vec!["/dashboard"]),
        ("nhs", vec!["/shared"]),
        (
            "admin",
            vec![
                "/audit",
                "/admin/users",
                "/admin/users/new",
                "/admin/users/officer",
                "/account/password",
            ],
        ),
    ] {
        b.sign_in(user);
        for page in pages {
            overflow(page);
        }
    }
    // Administration passes the accessibility check.
    for page in [
        "/admin/users",
        "/admin/users/new",
        "/admin/users/officer",
        "/account/password",
        "/audit?action=session.",
    ] {
        b.go(page);
        b.assert_accessible(page);
    }
    // A stacked table is still a table to a screen reader and to the checker; the new
    // one-task pages pass too.
    b.sign_in("sergeant");
    for page in [
        "/queues/dait?lpa=all",
        "/suspects?lpa=all",
        "/cases/I2/work/children",
        "/people/P1/contact",
        "/incidents/new",
    ] {
        b.go(page);
        b.assert_accessible(page);
    }
}
