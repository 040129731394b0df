//! Sixteen clients at once on the same cases, through the API, on whichever backend the
//! suite runs on (`scripts/test` runs it on both): every acknowledged write is in the store,
//! a conflicting edit is answered 409 with a message a user can act on, nothing deadlocks,
//! and the audit chain verifies afterwards.

use crate::api::{api, token};
use crate::support::*;
use serde_json::json;
use std::sync::Mutex;

const CLIENTS: usize = 16;
const ROUNDS: usize = 4;

#[test]
fn sixteen_clients_on_the_same_cases_lose_nothing() {
    let srv = start();
    let handler = token(&srv, "handler");
    let investigator = token(&srv, "investigator");

    // One offence on I1 that every client will try to finalise at once, from version 1.
    let (status, v) = api(
        &srv,
        "POST",
        "/api/v1/cases/I1/offences",
        &investigator,
        Some(
            &json!({"offence_group": "stalking_harassment", "offence_date": "2019-05-01", "recorded_date": "2019-05-02"}),
        ),
    );
    assert_eq!(status, 201, "{v}");
    let contested = v["id"].as_str().unwrap().to_owned();

    let intakes = Mutex::new(Vec::new());
    let offences = Mutex::new(Vec::new());
    let outcome_answers = Mutex::new(Vec::new());
    let others = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let (srv, handler, investigator, contested) =
                (&srv, &handler, &investigator, &contested);
            let (intakes, offences, outcome_answers, others) =
                (&intakes, &offences, &outcome_answers, &others);
            scope.spawn(move || {
                for round in 0..ROUNDS {
                    // An intake naming the same suspect (P2) as every other client.
                    let body = json!({
                        "call_grade": "priority",
                        "reported_at": "2019-08-30T18:05",
                        "lpa": "North",
                        "victim": {"family_name": format!("Client{client}"), "given_names": format!("Round{round}"), "sex": "female", "birth_date": "1988-02-29"},
                        "suspect": {"id": "P2"},
                        "relationship": "ex_partner",
                        "children_present": false
                    });
                    let (status, v) = api(srv, "POST", "/api/v1/incidents", handler, Some(&body));
                    match status {
                        201 => intakes.lock().unwrap().push(v["incident_id"].as_str().unwrap().to_owned()),
                        _ => others.lock().unwrap().push(format!("intake {status}: {v}")),
                    }
                    // An offence added to the same case by everyone.
                    let (status, v) = api(
                        srv,
                        "POST",
                        "/api/v1/cases/I1/offences",
                        investigator,
                        Some(&json!({"offence_group": "violence_with_injury", "offence_date": "2019-05-01", "recorded_date": "2019-05-02"})),
                    );
                    match status {
                        201 => offences.lock().unwrap().push(v["id"].as_str().unwrap().to_owned()),
                        _ => others.lock().unwrap().push(format!("offence {status}: {v}")),
                    }
                    // Everyone finalises the contested offence from the version they read.
                    if round == 0 {
                        let (status, v) = api(
                            srv,
                            "PUT",
                            &format!("/api/v1/offences/{contested}/outcome"),
                            investigator,
                            Some(&json!({"code": "1", "date": "2019-06-01", "version": 1})),
                        );
                        outcome_answers.lock().unwrap().push((status, v));
                    }
                }
            });
        }
    });

    let others = others.into_inner().unwrap();
    assert!(others.is_empty(), "unexpected answers: {others:#?}");
    let intakes = intakes.into_inner().unwrap();
    let offences = offences.into_inner().unwrap();
    assert_eq!(intakes.len(), CLIENTS * ROUNDS);
    assert_eq!(offences.len(), CLIENTS * ROUNDS);

    // Exactly one finalisation won; every other client was told why and what to do.
    let answers = outcome_answers.into_inner().unwrap();
    let won = answers.iter().filter(|(s, _)| *s == 200).count();
    let conflicts: Vec<_> = answers.iter().filter(|(s, _)| *s == 409).collect();
    assert_eq!(won, 1, "{answers:#?}");
    assert_eq!(conflicts.len(), CLIENTS - 1, "{answers:#?}");
    for (_, v) in conflicts {
        assert_eq!(v["error"]["code"], "conflict", "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains("reload"), "{message}");
    }

    // Every acknowledged write is there: each intake's case, each offence on I1, once.
    for id in &intakes {
        let (status, v) = api(
            &srv,
            "GET",
            &format!("/api/v1/cases/{id}"),
            &investigator,
            None,
        );
        assert_eq!(status, 200, "{id}: {v}");
    }
    let mut unique = intakes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), intakes.len(), "an id was given twice");
    let (status, case) = api(&srv, "GET", "/api/v1/cases/I1", &investigator, None);
    assert_eq!(status, 200);
    let on_case: Vec<&str> = case["offences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    for id in &offences {
        assert_eq!(on_case.iter().filter(|x| *x == id).count(), 1, "{id}");
    }
    assert_eq!(on_case.len(), offences.len() + 1);

    let o = vigil(&["--db", &srv.db, "audit", "--verify"]);
    assert!(
        o.status.success() && text(&o).contains("intact"),
        "{}",
        text(&o)
    );
    println!(
        "concurrency: {CLIENTS} clients, {} intakes, {} offences, 1 outcome saved and {} conflicts answered 409",
        intakes.len(),
        offences.len(),
        CLIENTS - 1
    );
}
