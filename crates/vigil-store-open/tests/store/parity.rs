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
        let areas = std::iter::once(None).chain(lpas.iter().cloned().map(Some));
        for lpa in areas {
            for (offset, limit) in [(0, 500), (3, 7)] {
                let q = vigil_store::SharedQuery {
                    agency: *agency,
                    kinds: vigil_domain::sharing::kinds_shared_with(*agency).to_vec(),
                    consent_kinds: vigil_domain::sharing::consent_kinds_for(*agency),
                    lpa: lpa.clone(),
                    kind: None,
                    id: None,
                    offset,
                    limit,
                };
                let (a, b) = (
                    lite.shared_referrals(&q).await.unwrap(),
                    pg.shared_referrals(&q).await.unwrap(),
                );
                assert_eq!(a, b, "{agency} {lpa:?}");
                // And complete: the total is every referral the rule shares.
                let shared = records
                    .referrals
                    .iter()
                    .filter(|r| {
                        let area = r
                            .incident_id
                            .as_ref()
                            .and_then(|i| records.incidents.iter().find(|x| &x.id == i))
                            .map(|i| i.lpa.clone())
                            .or_else(|| {
                                records
                                    .persons
                                    .iter()
                                    .find(|p| p.id == r.person_id)
                                    .and_then(|p| p.lpa.clone())
                            });
                        vigil_domain::sharing::shares(
                            *agency,
                            lpa.as_ref(),
                            vigil_domain::sharing::Shareable {
                                kind: r.kind,
                                made_by: r.agency,
                                consent: r.consent,
                                area: area.as_ref(),
                            },
                        )
                    })
                    .count();
                assert_eq!(a.total, shared as u64, "{agency} {lpa:?}");
                // The store's pre-selection is the domain's rule, row by row.
                for r in &a.items {
                    assert!(vigil_domain::sharing::shares(
                        *agency,
                        lpa.as_ref(),
                        vigil_domain::sharing::Shareable {
                            kind: r.referral.kind,
                            made_by: r.referral.agency,
                            consent: r.referral.consent,
                            area: r.lpa.as_ref(),
                        }
                    ));
                }
            }
        }
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
            lite.disclosures_for(&i.victim_id).await.unwrap(),
            pg.disclosures_for(&i.victim_id).await.unwrap()
        );
        assert_eq!(
            lite.incidents_on(day, None, 100).await.unwrap(),
            pg.incidents_on(day, None, 100).await.unwrap()
        );
    }
    // Every person at risk's disclosures, as the records hold them, newest first.
    let mut compared = 0;
    for d in records.disclosures.iter().take(40) {
        let got = lite.disclosures_for(&d.at_risk_id).await.unwrap();
        assert!(got.contains(d));
        assert!(got.windows(2).all(|w| w[0].received_at >= w[1].received_at));
        assert_eq!(got, pg.disclosures_for(&d.at_risk_id).await.unwrap());
        compared += 1;
    }
    assert!(
        compared > 0,
        "the small force has no disclosures to compare"
    );
}

/// The outstanding suspects each backend lists are the domain's, for every team and area,
/// page by page, in the domain's order; the names are the people's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outstanding_suspects_are_the_domains_on_both_backends() {
    use vigil_domain::InvestigatingTeam;
    use vigil_domain::suspects::outstanding;
    let records = small_force();
    let expected = outstanding(&records.incidents, &records.offences, &records.arrests);
    assert!(expected.len() > 20, "too few to test: {}", expected.len());
    assert!(expected.len() < records.offences.len());
    let lite = try_empty(Backend::Sqlite).await.unwrap();
    let info = ExtractInfo {
        source: "suspects".into(),
        as_of: parse_date("2019-09-01").unwrap(),
    };
    lite.import_records(&records, &info).await.unwrap();
    let mut stores = vec![lite.store.clone()];
    let pg = try_empty(Backend::Postgres).await;
    if let Some(pg) = &pg {
        pg.import_records(&records, &info).await.unwrap();
        stores.push(pg.store.clone());
    }
    let lpas = lite.lpas().await.unwrap();
    let names: std::collections::HashMap<_, _> = records
        .persons
        .iter()
        .map(|p| (p.id.clone(), p.identity.family_name.clone()))
        .collect();
    for store in &stores {
        let mut teams: Vec<Option<InvestigatingTeam>> =
            InvestigatingTeam::ALL.iter().copied().map(Some).collect();
        teams.push(None);
        let mut areas: Vec<Option<vigil_domain::Lpa>> = lpas.iter().cloned().map(Some).collect();
        areas.push(None);
        for team in &teams {
            for lpa in &areas {
                let want: Vec<_> = expected
                    .iter()
                    .filter(|s| team.is_none_or(|t| s.team == t))
                    .filter(|s| lpa.as_ref().is_none_or(|l| &s.lpa == l))
                    .cloned()
                    .collect();
                let mut got = Vec::new();
                let mut offset = 0;
                loop {
                    let page = store
                        .outstanding_suspects(&vigil_store::SuspectQuery {
                            team: *team,
                            lpa: lpa.clone(),
                            offset,
                            limit: 9,
                        })
                        .await
                        .unwrap();
                    assert_eq!(
                        page.total,
                        want.len() as u64,
                        "{} {team:?} {lpa:?}",
                        store.backend()
                    );
                    if page.items.is_empty() {
                        break;
                    }
                    for item in &page.items {
                        assert_eq!(
                            item.suspect_name.as_ref().map(|n| &n.0),
                            names.get(&item.suspect.suspect_id).and_then(|n| n.as_ref())
                        );
                    }
                    got.extend(page.items.into_iter().map(|i| i.suspect));
                    offset += 9;
                }
                assert_eq!(got, want, "{} {team:?} {lpa:?}", store.backend());
            }
        }
    }
}
