//! The `vigil` binary driven as a user drives it: real processes, a real SQLite file,
//! real extract folders. Covers the import/export contract of DATA.md: every bad-input case
//! names file, line, column, value and reason, exits 2 and leaves the store unchanged.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::*;

fn handwritten() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handwritten")
}

struct Fixture {
    dir: tempfile::TempDir,
    db: std::cell::OnceCell<String>,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            db: std::cell::OnceCell::new(),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// The fixture's store: a SQLite file, or a PostgreSQL database when the suite runs
    /// on PostgreSQL (`VIGIL_TEST_BACKEND=postgres`).
    fn db(&self) -> String {
        self.db
            .get_or_init(|| new_store(self.dir.path(), "vigil.db"))
            .clone()
    }

    /// Another new store of the same backend.
    fn other_store(&self, name: &str) -> String {
        new_store(self.dir.path(), name)
    }

    /// A store holding the hand-written extract, and its export as the reference state.
    fn seeded(&self) -> String {
        let o = vigil(&[
            "--db",
            &self.db(),
            "import",
            handwritten().to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        let before = self.path("before");
        let o = vigil(&["export", &before, "--db", &self.db()]);
        assert!(o.status.success(), "{}", text(&o));
        before
    }

    /// A second, valid batch whose ids do not clash with the hand-written extract.
    fn batch(&self, name: &str) -> PathBuf {
        let dir = self.dir.path().join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("persons.csv"),
            "person_id,sex,birth_date,ethnicity,lpa,address_confidential\n\
             B1,female,1990-01-01,white,West,false\n\
             B2,male,1989-01-01,mixed,West,false\n",
        )
        .unwrap();
        fs::write(
            dir.join("incidents.csv"),
            "incident_id,reported_at,lpa,call_grade,arrived_at,response_target_met,victim_id,suspect_id,relationship,children_present,risk_level,dash_yes_count\n\
             BI1,2019-05-01T10:00:00,West,emergency,2019-05-01T10:12:00,true,B1,B2,partner,false,standard,3\n\
             BI2,2019-06-01T10:00:00,West,priority,,,B1,P2,partner,false,,\n",
        )
        .unwrap();
        fs::write(
            dir.join("offences.csv"),
            "offence_id,incident_id,ho_code,offence_group,offence_date,recorded_date,victim_id,suspect_id,risk_level,team,outcome_code,outcome_date,bwv_captured\n\
             BO1,BI1,8N,violence_with_injury,2019-05-01,2019-05-01,B1,B2,standard,lpt,1,2019-05-20,true\n",
        )
        .unwrap();
        dir
    }

    /// Asserts the store still exports exactly what it did before.
    fn assert_unchanged(&self, before: &str) {
        let after = self.path(&format!("after-{}", rand_suffix()));
        let o = vigil(&["export", &after, "--db", &self.db()]);
        assert!(o.status.success(), "{}", text(&o));
        for entry in fs::read_dir(before).unwrap() {
            let name = entry.unwrap().file_name();
            let a = fs::read(Path::new(before).join(&name)).unwrap();
            let b = fs::read(Path::new(&after).join(&name)).unwrap();
            assert!(a == b, "{} changed", name.to_string_lossy());
        }
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Imports a broken batch into a seeded store and checks the failure and the store.
fn check_rejected(edit: impl FnOnce(&Path), expected: &[&str]) {
    let f = Fixture::new();
    let before = f.seeded();
    let batch = f.batch("bad");
    edit(&batch);
    let o = vigil(&["--db", &f.db(), "import", batch.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    for e in expected {
        assert!(out.contains(e), "expected {e:?} in:\n{out}");
    }
    assert!(out.contains("nothing was imported"), "{out}");
    f.assert_unchanged(&before);
}

fn replace_in(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let s = fs::read_to_string(&p).unwrap();
    assert!(s.contains(from), "{from} not in {file}");
    fs::write(&p, s.replacen(from, to, 1)).unwrap();
}

#[test]
fn hand_written_extract_imports_and_round_trips_byte_identical() {
    let f = Fixture::new();
    let first = f.seeded();
    let db2 = f.other_store("second.db");
    let o = vigil(&["import", &first, "--db", &db2]);
    assert!(o.status.success(), "{}", text(&o));
    let second = f.path("second");
    let o = vigil(&["--db", &db2, "export", &second]);
    assert!(o.status.success(), "{}", text(&o));
    let mut files = 0;
    for entry in fs::read_dir(&first).unwrap() {
        let name = entry.unwrap().file_name();
        assert_eq!(
            fs::read(Path::new(&first).join(&name)).unwrap(),
            fs::read(Path::new(&second).join(&name)).unwrap(),
            "{} differs",
            name.to_string_lossy()
        );
        files += 1;
    }
    assert_eq!(files, 10, "nine tables and the manifest");
    let manifest = fs::read_to_string(Path::new(&first).join("manifest.json")).unwrap();
    assert!(manifest.contains("\"format_version\": 1"));
    assert!(manifest.contains("\"incidents.csv\""));
}

#[test]
fn a_second_batch_adds_to_the_store_and_may_refer_to_stored_people() {
    let f = Fixture::new();
    f.seeded();
    let source = |db: &str| {
        let o = vigil(&["--db", db, "pack", "--force-only", "--json", "--timings"]);
        assert!(o.status.success(), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let incidents: f64 = ["non_crime_incidents", "da_offences"]
            .iter()
            .map(|m| {
                v["force"][m]
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|x| x.as_f64().unwrap())
                    .sum::<f64>()
            })
            .sum();
        (err, incidents)
    };
    let (_, before) = source(&f.db());
    let batch = f.batch("good");
    let o = vigil(&["--db", &f.db(), "import", batch.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("incidents                   2 rows"));
    // A bulk import is not logged row by row: the snapshot from before it is rebuilt, not
    // patched, and then serves from the cache again.
    let (after_import, after) = source(&f.db());
    assert!(after_import.contains("cache rebuilt"), "{after_import}");
    assert!(after > before, "{before} -> {after}");
    let (again, _) = source(&f.db());
    assert!(again.contains("from the columnar cache"), "{again}");
}

#[test]
fn missing_column() {
    check_rejected(
        |d| replace_in(d, "incidents.csv", ",call_grade", ""),
        &[
            "incidents.csv line 1, column call_grade",
            "required column is missing",
        ],
    );
}

#[test]
fn unknown_enumeration_word() {
    check_rejected(
        |d| replace_in(d, "incidents.csv", "emergency", "urgent"),
        &[
            "incidents.csv line 2, column call_grade, value 'urgent'",
            "expected one of: emergency, priority, scheduled, other",
        ],
    );
}

#[test]
fn bad_date() {
    check_rejected(
        |d| replace_in(d, "offences.csv", "2019-05-20", "20/05/2019"),
        &[
            "offences.csv line 2, column outcome_date, value '20/05/2019'",
            "expected YYYY-MM-DD",
        ],
    );
}

/// A record dated after the clock's day (beyond a day's tolerance) is a typing error or a
/// wrong clock: refused with its file, line, column and value. An order may expire ahead.
#[test]
fn a_date_in_the_future() {
    check_rejected(
        |d| {
            replace_in(
                d,
                "incidents.csv",
                "BI2,2019-06-01T10:00:00",
                "BI2,2099-06-01T10:00:00",
            );
            fs::write(
                d.join("protection_orders.csv"),
                "order_id,kind,subject_id,protected_id,incident_id,issued_at,expires_at,breached_at\n\
                 BV1,dvpo,B2,B1,BI1,2019-05-02T10:00:00,2099-05-30T10:00:00,\n",
            )
            .unwrap();
        },
        &[
            "incidents.csv line 3, column reported_at, value '2099-06-01T10:00:00'",
            "a record cannot be dated in the future",
        ],
    );
    // The same extract with only the order's far expiry imports.
    let f = Fixture::new();
    f.seeded();
    let batch = f.batch("ahead");
    fs::write(
        batch.join("protection_orders.csv"),
        "order_id,kind,subject_id,protected_id,incident_id,issued_at,expires_at,breached_at\n\
         BV1,dvpo,B2,B1,BI1,2019-05-02T10:00:00,2099-05-30T10:00:00,\n",
    )
    .unwrap();
    let o = vigil(&["--db", &f.db(), "import", batch.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn dangling_id() {
    check_rejected(
        |d| replace_in(d, "offences.csv", "BO1,BI1", "BO1,BI9"),
        &[
            "offences.csv line 2, column incident_id, value 'BI9'",
            "no incident with this id",
        ],
    );
}

#[test]
fn duplicate_id_in_the_file_and_in_the_store() {
    check_rejected(
        |d| {
            replace_in(d, "incidents.csv", "BI2,", "BI1,");
            let p = d.join("persons.csv");
            let s = fs::read_to_string(&p).unwrap() + "P1,female,,white,West,false\n";
            fs::write(p, s).unwrap();
        },
        &[
            "incidents.csv line 3, column incident_id, value 'BI1': duplicate incident id; first used on line 2",
            "persons.csv line 4, column person_id, value 'P1': a person with this id is already in the store",
        ],
    );
}

#[test]
fn outcome_before_recording() {
    check_rejected(
        |d| replace_in(d, "offences.csv", "2019-05-20", "2019-04-20"),
        &[
            "offences.csv line 2, column outcome_date, value '2019-04-20'",
            "before the crime was recorded",
        ],
    );
}

#[test]
fn not_csv_at_all() {
    check_rejected(
        |d| {
            fs::write(
                d.join("offences.csv"),
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            )
            .unwrap()
        },
        &["offences.csv line 3", "not a CSV text file"],
    );
    check_rejected(
        |d| fs::write(d.join("persons.csv"), "{\"persons\": []}\n").unwrap(),
        &[
            "persons.csv line 1, column person_id",
            "required column is missing",
        ],
    );
}

#[test]
fn empty_file() {
    check_rejected(
        |d| fs::write(d.join("incidents.csv"), "").unwrap(),
        &["incidents.csv: is empty; a table file needs at least its header row"],
    );
}

#[test]
fn wrong_encoding() {
    check_rejected(
        |d| {
            let p = d.join("persons.csv");
            let mut bytes = fs::read(&p).unwrap();
            bytes.extend_from_slice(b"B3,female,,white,Ch\xe9lmsford,false\n");
            fs::write(p, bytes).unwrap();
        },
        &["persons.csv line 4", "not UTF-8", "byte 0xE9"],
    );
}

#[test]
fn every_problem_is_listed_up_to_a_hundred_then_counted() {
    check_rejected(
        |d| {
            let mut s = String::from(
                "person_id,sex,birth_date,ethnicity,lpa,address_confidential\nB1,female,,white,West,false\nB2,male,,white,West,false\n",
            );
            for i in 0..150 {
                s.push_str(&format!("X{i},woman,not-a-date,white,West,false\n"));
            }
            fs::write(d.join("persons.csv"), s).unwrap();
        },
        &[
            "persons.csv line 4, column sex, value 'woman'",
            "persons.csv line 4, column birth_date, value 'not-a-date'",
            "… and 200 more problems not listed",
            "300 problems in 150 rows",
        ],
    );
}

#[test]
fn allow_partial_imports_good_rows_and_writes_rejects() {
    let f = Fixture::new();
    f.seeded();
    let batch = f.batch("partial");
    replace_in(&batch, "persons.csv", "B2,male", "B2,bloke");
    let rejects = f.path("rejects.csv");
    let o = vigil(&[
        "--db",
        &f.db(),
        "import",
        batch.to_str().unwrap(),
        "--allow-partial",
        "--rejects",
        &rejects,
    ]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    // B2 is rejected, so BI1 (suspect B2) and then BO1 (incident BI1) fall with it; BI2
    // (suspect P2, already stored) goes in.
    assert!(out.contains("incidents                   1 rows"), "{out}");
    let r = fs::read_to_string(&rejects).unwrap();
    assert!(r.starts_with("file,line,column,value,reason\n"), "{r}");
    assert!(r.contains("persons.csv,3,sex,bloke,"), "{r}");
    assert!(r.contains("incidents.csv,2,suspect_id,B2,"), "{r}");
    assert!(r.contains("offences.csv,2,incident_id,BI1,"), "{r}");
}

#[test]
fn a_damaged_file_is_caught_by_the_manifest_checksum() {
    let f = Fixture::new();
    let before = f.seeded();
    let copy = f.path("damaged");
    fs::create_dir_all(&copy).unwrap();
    for e in fs::read_dir(&before).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), Path::new(&copy).join(e.file_name())).unwrap();
    }
    replace_in(Path::new(&copy), "incidents.csv", "emergency", "priority");
    let o = vigil(&["--db", &f.other_store("fresh.db"), "import", &copy]);
    assert_eq!(o.status.code(), Some(2));
    let out = text(&o);
    assert!(out.contains("incidents.csv, value '"), "{out}");
    assert!(
        out.contains("its SHA-256 does not match manifest.json"),
        "{out}"
    );
}

#[test]
fn spreadsheet_formulas_are_neutralised_and_read_back() {
    let f = Fixture::new();
    let dir = f.batch("formula");
    fs::write(
        dir.join("persons.csv"),
        "person_id,sex,birth_date,ethnicity,lpa,family_name,address_confidential\n\
         B1,female,,white,West,=HYPERLINK(\"x\"),false\n\
         B2,male,,white,West,,false\n",
    )
    .unwrap();
    fs::write(
        dir.join("incidents.csv"),
        fs::read_to_string(dir.join("incidents.csv"))
            .unwrap()
            .replace(",P2,", ",B2,"),
    )
    .unwrap();
    let o = vigil(&[
        "--db",
        &f.db(),
        "import",
        dir.to_str().unwrap(),
        "--as-of",
        "2019-09-01",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = f.path("out");
    let o = vigil(&["--db", &f.db(), "export", &out, "--include-identity"]);
    assert!(o.status.success(), "{}", text(&o));
    let persons = fs::read_to_string(Path::new(&out).join("persons.csv")).unwrap();
    assert!(
        persons.contains(",\"'=HYPERLINK(\"\"x\"\")\","),
        "{persons}"
    );
    let db2 = f.other_store("again.db");
    assert!(vigil(&["--db", &db2, "import", &out]).status.success());
    let out2 = f.path("out2");
    assert!(
        vigil(&["--db", &db2, "export", &out2, "--include-identity"])
            .status
            .success()
    );
    assert_eq!(
        persons,
        fs::read_to_string(Path::new(&out2).join("persons.csv")).unwrap()
    );
}

#[test]
fn identity_is_left_out_unless_asked_and_confidential_addresses_never_leave() {
    let f = Fixture::new();
    let dir = f.batch("identity");
    fs::write(
        dir.join("persons.csv"),
        "person_id,sex,birth_date,ethnicity,lpa,family_name,given_names,address,postcode,address_confidential\n\
         B1,female,,white,West,Smith,Ann,1 Refuge Row,CM1 1AA,true\n\
         B2,male,,white,West,Jones,Bob,2 High St,CM2 2BB,false\n",
    )
    .unwrap();
    replace_in(&dir, "incidents.csv", ",P2,", ",B2,");
    assert!(
        vigil(&[
            "--db",
            &f.db(),
            "import",
            dir.to_str().unwrap(),
            "--as-of",
            "2019-09-01"
        ])
        .status
        .success()
    );
    let plain = f.path("plain");
    assert!(vigil(&["--db", &f.db(), "export", &plain]).status.success());
    let p = fs::read_to_string(Path::new(&plain).join("persons.csv")).unwrap();
    assert!(!p.contains("Smith") && !p.contains("High St"), "{p}");
    let ident = f.path("ident");
    assert!(
        vigil(&["--db", &f.db(), "export", &ident, "--include-identity"])
            .status
            .success()
    );
    let p = fs::read_to_string(Path::new(&ident).join("persons.csv")).unwrap();
    assert!(p.contains("Smith,Ann,,,true"), "{p}");
    assert!(p.contains("Jones,Bob,2 High St,CM2 2BB,false"), "{p}");
    assert!(!p.contains("Refuge"), "{p}");
    let audit = text(&vigil(&["--db", &f.db(), "audit"]));
    assert_eq!(
        audit.matches("extract.export_identity").count(),
        1,
        "only the identity export is audited: {audit}"
    );
}

#[test]
fn parquet_export_writes_every_table() {
    let f = Fixture::new();
    f.seeded();
    let out = f.path("pq");
    let o = vigil(&["--db", &f.db(), "export", &out, "--format", "parquet"]);
    assert!(o.status.success(), "{}", text(&o));
    for t in ["persons", "incidents", "offences", "staffing"] {
        let bytes = fs::read(Path::new(&out).join(format!("{t}.parquet"))).unwrap();
        assert_eq!(&bytes[..4], b"PAR1");
        assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");
    }
    let manifest = fs::read_to_string(Path::new(&out).join("manifest.json")).unwrap();
    assert!(manifest.contains("\"offences.parquet\""));
    // Import reads the CSV form, and says so when handed Parquet.
    let o = vigil(&["--db", &f.other_store("pq.db"), "import", &out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("import reads the CSV form"),
        "{}",
        text(&o)
    );
}

#[test]
fn db_option_goes_before_or_after_the_subcommand_or_in_the_environment() {
    let f = Fixture::new();
    let a = f.path("a.db");
    assert!(vigil(&["--db", &a, "migrate"]).status.success());
    assert!(vigil(&["migrate", "--db", &a]).status.success());
    let b = f.path("b.db");
    let o = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("migrate")
        .env("VIGIL_DATABASE_URL", &b)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(Path::new(&b).exists());
}

#[test]
fn exit_codes_and_help() {
    let o = vigil(&["--help"]);
    assert!(o.status.success());
    for word in ["import", "export", "migrate", "--db"] {
        assert!(text(&o).contains(word));
    }
    assert_eq!(vigil(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(vigil(&["import"]).status.code(), Some(2));
    let f = Fixture::new();
    let o = vigil(&["--db", &f.db(), "import", &f.path("nowhere")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not a folder"));
    let o = vigil(&["--db", &f.db(), "export", &f.path("out")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("holds no records yet"));
    // A database file that is not a database is a runtime failure, not bad usage.
    let junk = f.path("junk.db");
    fs::write(
        &junk,
        "this is not a database file, it is plain text, long enough to be read",
    )
    .unwrap();
    assert_eq!(vigil(&["--db", &junk, "migrate"]).status.code(), Some(1));
}
