//! The same records give the same answers on both backends: a small synthetic force is
//! imported into a SQLite file and a PostgreSQL database, and every read the application
//! makes is asked of both. SQL may pre-select; a backend that answers differently fails
//! here.

use crate::fresh::{Backend, try_empty};
use vigil_domain::access::Queue;
use vigil_domain::time::parse_date;
use vigil_domain::{Agency, RecordSet};
use vigil_store::{DynStore, ExtractInfo, PersonSearch};

fn small_force() -> RecordSet {
    let params = vigil_synth::scenario::essex_params("", "Small", 0.05);
    vigil_synth::simulate(
        &params,
        parse_date("2019-01-01").unwrap(),
        parse_date("2019-09-01").unwrap(),
        7,
    )
    .records
}

async fn both(records: &RecordSet) -> Option<(DynStore, DynStore)> {
    let pg = try_empty(Backend::Postgres).await?;
    let lite = try_empty(Backend::Sqlite).await.unwrap();
    let info = ExtractInfo {
        source: "parity".into(),
        as_of: parse_date("2019-09-01").unwrap(),
    };
    for s in [&pg, &lite] {
        s.import_records(records, &info).await.unwrap();
    }
    // The SQLite file's folder lives as long as the test: leak it on purpose.
    let lite_store = lite.store.clone();
    std::mem::forget(lite);
    Some((lite_store, pg.store.clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_records_give_the_same_answers_on_both_backends() {
    let records = small_force();
    assert!(records.incidents.len() > 300, "{}", records.incidents.len());
    let Some((lite, pg)) = both(&records).await else {
        return;
    };
    assert_eq!(
        lite.export_records().await.unwrap(),
        pg.export_records().await.unwrap()
    );
    assert_eq!(
        lite.table_counts().await.unwrap(),
        pg.table_counts().await.unwrap()
    );
    let lpas = lite.lpas().await.unwrap();
    assert_eq!(lpas, pg.lpas().await.unwrap());

    // Queues: every team, every area and all areas; the CRU's with and without a window.
    let since = Some(
        parse_date("2019-03-01")
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    );
    let mut areas: Vec<Option<&vigil_domain::Lpa>> = lpas.iter().map(Some).collect();
    areas.push(None);
    let mut compared = 0;
    for queue in [Queue::Lpt, Queue::Dait, Queue::Cru, Queue::Awaiting] {
        for lpa in &areas {
            for window in [None, since] {
                for (risk, overdue, offset) in [
                    (None, None, 0),
                    (Some(vigil_domain::RiskGrade::High), None, 0),
                    (None, since, 0),
                    (None, None, 7),
                ] {
                    let q = vigil_store::QueueQuery {
                        queue,
                        lpa: lpa.cloned(),
                        risk,
                        officer: None,
                        since: window,
                        waiting_before: overdue,
                        offset,
                        limit: 40,
                    };
                    let a = lite.queue(&q).await.unwrap();
                    let b = pg.queue(&q).await.unwrap();
                    assert_eq!(a, b, "{q:?}");
                    assert!(a.total >= a.items.len() as u64);
                    compared += a.items.len();
                }
            }
        }
    }
    assert!(
        compared > 50,
        "the queues held too little to compare: {compared}"
    );
    for lpa in &lpas {
        assert_eq!(
            lite.dait_load(lpa).await.unwrap(),
            pg.dait_load(lpa).await.unwrap()
        );
    }

    // What each partner agency is shown.
    for agency in Agency::ALL {
        let kinds = vigil_domain::sharing::kinds_shared_with(*agency);
        assert_eq!(
            lite.shared_referrals(kinds, *agency, 500).await.unwrap(),
            pg.shared_referrals(kinds, *agency, 500).await.unwrap(),
            "{agency}"
        );
    }

    // Search by name: prefixes of every length, whole names, with a date of birth.
    let mut names: Vec<String> = records
        .persons
        .iter()
        .filter_map(|p| p.identity.family_name.clone())
        .take(20)
        .collect();
    names.extend(["A", "s", "Mc", "%", "_"].map(String::from));
    for name in &names {
        for whole in [false, true] {
            let q = PersonSearch {
                family_name: name.clone(),
                whole_family_name: whole,
                limit: 50,
                ..Default::default()
            };
            assert_eq!(
                lite.search_people(&q).await.unwrap(),
                pg.search_people(&q).await.unwrap(),
                "{name} whole={whole}"
            );
        }
    }

    // Case files, people and their histories, and a few days' incidents.
    for i in records.incidents.iter().step_by(37) {
        assert_eq!(
            lite.case_file(&i.id).await.unwrap(),
            pg.case_file(&i.id).await.unwrap()
        );
        assert_eq!(
            lite.incidents_of(&i.victim_id).await.unwrap(),
            pg.incidents_of(&i.victim_id).await.unwrap()
        );
        assert_eq!(
            lite.referrals_of(&i.victim_id).await.unwrap(),
            pg.referrals_of(&i.victim_id).await.unwrap()
        );
        assert_eq!(
            lite.person(&i.victim_id).await.unwrap(),
            pg.person(&i.victim_id).await.unwrap()
        );
        let day = i.reported_at.date();
        assert_eq!(
            lite.incidents_on(day, None, 100).await.unwrap(),
            pg.incidents_on(day, None, 100).await.unwrap()
        );
    }
}
