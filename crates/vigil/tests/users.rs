//! `vigil user` and `vigil audit` as an administrator uses them.

use std::io::Write;
use std::process::{Command, Stdio};

mod common;
use common::*;

fn with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env_remove("VIGIL_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn users_are_managed_with_clear_refusals_and_every_act_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let db = db.to_str().unwrap();
    let good = "lantern orbit velvet\n";
    let add = |user: &str, role: &str, extra: &[&str], pw: &str| {
        let mut a = vec![
            "--db",
            db,
            "user",
            "add",
            user,
            "--role",
            role,
            "--name",
            "Test User",
        ];
        a.extend(extra);
        with_stdin(&a, pw)
    };
    assert!(
        add("ann.smith", "dait_sergeant", &[], good)
            .status
            .success()
    );
    for (o, expected) in [
        (
            add("ann.smith", "analyst", &[], good),
            "the username 'ann.smith' is taken",
        ),
        (add("bob", "analyst", &[], "short\n"), "use at least 12"),
        (add("Bob Smith", "analyst", &[], good), "is not a username"),
        (
            add("bob", "chief", &[], good),
            "'chief' is not a known role",
        ),
        (add("carol", "partner_agency", &[], good), "needs an agency"),
        (
            add("carol", "partner_agency", &["--agency", "police"], good),
            "cannot belong to the police",
        ),
        (
            add("dave", "analyst", &["--agency", "health"], good),
            "only partner-agency users belong to an agency",
        ),
        (
            add("erin", "analyst", &[], "\n"),
            "give the password on standard input",
        ),
    ] {
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains(expected),
            "expected {expected:?} in {}",
            text(&o)
        );
    }
    assert!(
        add("carol", "partner_agency", &["--agency", "health"], good)
            .status
            .success()
    );
    assert!(
        vigil(&["--db", db, "user", "disable", "ann.smith"])
            .status
            .success()
    );
    assert!(
        with_stdin(
            &["--db", db, "user", "reset", "carol"],
            "another three words\n"
        )
        .status
        .success()
    );
    let o = vigil(&["--db", db, "user", "disable", "nobody"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("there is no user 'nobody'"));
    let list = text(&vigil(&["--db", db, "user", "list"]));
    assert!(list.contains("ann.smith") && list.contains("disabled") && list.contains("health"));
    assert!(!list.contains("argon2"), "no password hash is ever printed");
    let audit = text(&vigil(&["--db", db, "audit"]));
    for action in ["user.add", "user.disable", "user.reset"] {
        assert!(audit.contains(action), "{audit}");
    }
    assert_eq!(
        audit.matches("user.add").count(),
        2,
        "refused additions leave no entry"
    );
    let carol = text(&vigil(&["--db", db, "audit", "--subject", "carol"]));
    assert!(carol.contains("user.reset") && !carol.contains("ann.smith"));
    assert!(text(&vigil(&["--db", db, "audit", "--verify"])).contains("intact"));

    // API tokens are listed by a short reference (never the token) and ended one or all.
    let issue = || {
        let o = vigil(&["--db", db, "user", "token", "carol", "--hours", "8"]);
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8(o.stdout).unwrap().trim().to_owned()
    };
    let (first, second) = (issue(), issue());
    let listed = text(&vigil(&["--db", db, "user", "tokens", "carol"]));
    assert_eq!(listed.matches("api token").count(), 2, "{listed}");
    assert!(!listed.contains(&first) && !listed.contains(&second));
    let one = listed
        .lines()
        .find(|l| l.contains("api token"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let o = vigil(&["--db", db, "user", "revoke", "carol", "--id", &one]);
    assert!(text(&o).contains("Ended 1"), "{}", text(&o));
    assert_eq!(
        text(&vigil(&["--db", db, "user", "tokens", "carol"]))
            .matches("api token")
            .count(),
        1
    );
    let o = vigil(&["--db", db, "user", "revoke", "carol", "--id", "nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    let o = vigil(&["--db", db, "user", "revoke", "carol"]);
    assert!(text(&o).contains("Ended 1"), "{}", text(&o));
    assert!(
        text(&vigil(&["--db", db, "audit", "--subject", "carol"])).contains("user.sessions_ended")
    );

    // A person's token lasts a working day at most; a named service account's longer.
    let o = vigil(&["--db", db, "user", "token", "carol", "--hours", "720"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("vigil user service-account carol --max-hours 720"),
        "{}",
        text(&o)
    );
    let o = vigil(&[
        "--db",
        db,
        "user",
        "service-account",
        "carol",
        "--max-hours",
        "9999",
    ]);
    assert!(!o.status.success(), "beyond 90 days is refused");
    let o = vigil(&[
        "--db",
        db,
        "user",
        "service-account",
        "carol",
        "--max-hours",
        "720",
    ]);
    assert!(text(&o).contains("is a service account"), "{}", text(&o));
    assert!(text(&vigil(&["--db", db, "user", "list"])).contains("service"));
    let o = vigil(&["--db", db, "user", "token", "carol", "--hours", "720"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = vigil(&["--db", db, "user", "token", "carol", "--hours", "721"]);
    assert!(text(&o).contains("at most 720 hours"), "{}", text(&o));
    assert_eq!(
        text(&vigil(&["--db", db, "user", "tokens", "carol"]))
            .matches("api token")
            .count(),
        1
    );
    // Back to a person: the long token ends with the change.
    let o = vigil(&["--db", db, "user", "service-account", "carol", "--person"]);
    assert!(text(&o).contains("a person again"), "{}", text(&o));
    assert_eq!(
        text(&vigil(&["--db", db, "user", "tokens", "carol"]))
            .matches("api token")
            .count(),
        0
    );
    assert!(
        text(&vigil(&["--db", db, "audit", "--subject", "carol"])).contains("user.service_account")
    );
}
