//! The extract reader against corrupted extracts: a valid extract with random damage (bytes
//! inserted, removed or replaced; quotes, separators, line breaks, NUL, invalid UTF-8, very
//! long cells; whole lines duplicated or dropped) must never panic, and must either read or
//! say what is wrong with each problem's file, and for a row its line.
//!
//! A bounded run: `VIGIL_FUZZ_CASES` cases (256 unless set), so the test command always
//! includes it; a longer run is the same test with a larger number.

use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigil/tests/data/handwritten")
}

const FILES: [&str; 9] = [
    "persons.csv",
    "incidents.csv",
    "offences.csv",
    "arrests.csv",
    "risk_assessments.csv",
    "referrals.csv",
    "disclosures.csv",
    "protection_orders.csv",
    "staffing.csv",
];

/// One piece of damage to one file.
#[derive(Debug, Clone)]
enum Damage {
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
    Replace { at: usize, byte: u8 },
    DuplicateLine { line: usize },
    DropLine { line: usize },
}

fn nasty_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(vec![0u8]),
        Just(vec![0xff, 0xfe]),
        Just("\u{202E}".as_bytes().to_vec()),
        Just(b"-200000-01-01".to_vec()),
        Just(b"1899-12-31T10:00:00".to_vec()),
        Just(vec![b'x'; 70_000]),
        prop::collection::vec(any::<u8>(), 1..12),
    ]
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), nasty_bytes()).prop_map(|(at, bytes)| Damage::Insert { at, bytes }),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Damage::Remove { at, len }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Damage::Replace { at, byte }),
        any::<usize>().prop_map(|line| Damage::DuplicateLine { line }),
        any::<usize>().prop_map(|line| Damage::DropLine { line }),
    ]
}

fn apply(text: &mut Vec<u8>, d: &Damage) {
    let n = text.len().max(1);
    match d {
        Damage::Insert { at, bytes } => {
            let at = at % n;
            text.splice(at..at, bytes.iter().copied());
        }
        Damage::Remove { at, len } => {
            let at = at % n;
            let end = (at + len).min(text.len());
            text.drain(at..end);
        }
        Damage::Replace { at, byte } => {
            if !text.is_empty() {
                let at = at % text.len();
                text[at] = *byte;
            }
        }
        Damage::DuplicateLine { line } | Damage::DropLine { line } => {
            let mut lines: Vec<Vec<u8>> = text.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
            let i = line % lines.len();
            if matches!(d, Damage::DuplicateLine { .. }) {
                lines.insert(i, lines[i].clone());
            } else {
                lines.remove(i);
            }
            *text = lines.join(&b'\n');
        }
    }
}

fn cases() -> u32 {
    std::env::var("VIGIL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_extract_is_read_or_refused_with_its_problems_named(
        hits in prop::collection::vec((0usize..FILES.len(), damage()), 1..4)
    ) {
        let dir = tempfile::tempdir().unwrap();
        for f in FILES {
            std::fs::copy(example().join(f), dir.path().join(f)).unwrap();
        }
        for (file, d) in &hits {
            let path = dir.path().join(FILES[*file]);
            let mut text = std::fs::read(&path).unwrap();
            apply(&mut text, d);
            std::fs::write(&path, text).unwrap();
        }
        let problems = match vigil_extract::read_dir(
            dir.path(),
            &vigil_extract::KnownIds::default(),
            &vigil_extract::Silent,
        ) {
            Ok(loaded) => loaded.rejects,
            Err(problems) => problems,
        };
        for p in &problems {
            prop_assert!(FILES.contains(&p.file.as_str()) || p.file == "manifest.json", "{p:?}");
            prop_assert!(!p.reason.is_empty(), "{p:?}");
            // A kept value is bounded: a cell of 70,000 bytes (or two such inserted into
            // one cell) is not held or echoed whole.
            prop_assert!(
                p.value.as_ref().is_none_or(|v| v.chars().count() <= vigil_extract::MAX_VALUE_CHARS + 1),
                "{}",
                p.value.as_ref().map_or(0, String::len)
            );
        }
    }
}

/// The harness damages what it says it damages: a stray quote in a row is a problem with
/// that row's line.
#[test]
fn the_damage_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    for f in FILES {
        std::fs::copy(example().join(f), dir.path().join(f)).unwrap();
    }
    let path = dir.path().join("incidents.csv");
    let mut text = std::fs::read(&path).unwrap();
    let second_line = text.iter().position(|b| *b == b'\n').unwrap() + 1;
    apply(
        &mut text,
        &Damage::Insert {
            at: second_line + 3,
            bytes: b"-200000-01-01".to_vec(),
        },
    );
    std::fs::write(&path, text).unwrap();
    let problems = match vigil_extract::read_dir(
        dir.path(),
        &vigil_extract::KnownIds::default(),
        &vigil_extract::Silent,
    ) {
        Ok(l) => l.rejects,
        Err(p) => p,
    };
    assert!(
        problems
            .iter()
            .any(|p| p.file == "incidents.csv" && p.line == Some(2)),
        "{problems:?}"
    );
}

/// Two 70,000-byte runs inserted into one cell (a case the fuzzing found): the problem
/// keeps a bounded part of the value, marked as cut, and still names the line.
#[test]
fn a_huge_bad_value_is_kept_cut() {
    let dir = tempfile::tempdir().unwrap();
    for f in FILES {
        std::fs::copy(example().join(f), dir.path().join(f)).unwrap();
    }
    let path = dir.path().join("incidents.csv");
    let mut text = std::fs::read(&path).unwrap();
    let second_line = text.iter().position(|b| *b == b'\n').unwrap() + 1;
    for _ in 0..2 {
        apply(
            &mut text,
            &Damage::Insert {
                at: second_line + 1,
                bytes: vec![b'x'; 70_000],
            },
        );
    }
    std::fs::write(&path, text).unwrap();
    let problems = match vigil_extract::read_dir(
        dir.path(),
        &vigil_extract::KnownIds::default(),
        &vigil_extract::Silent,
    ) {
        Ok(l) => l.rejects,
        Err(p) => p,
    };
    let p = problems
        .iter()
        .find(|p| p.file == "incidents.csv" && p.line == Some(2))
        .unwrap_or_else(|| panic!("{problems:?}"));
    let v = p.value.as_ref().unwrap();
    assert_eq!(
        v.chars().count(),
        vigil_extract::MAX_VALUE_CHARS + 1,
        "{}",
        v.len()
    );
    assert!(v.ends_with('…'));
}
