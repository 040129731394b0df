//! The outstanding suspects: identified suspects of open DA crimes not yet arrested, per
//! team and area, longest outstanding first, with a CSV download. Who is outstanding is the
//! domain's rule (`vigil_domain::suspects`).

use crate::App;
use crate::components::*;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, link_case};
use crate::service::{self, FieldError, SuspectFilter, SuspectList};
use crate::work::csv_cell;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::InvestigatingTeam;
use vigil_domain::access::Role;
use vigil_domain::dates::{long, long_time};
use vigil_store::SuspectItem;

const TITLE: &str = "Outstanding suspects";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SuspectParams {
    team: Option<String>,
    lpa: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

/// The team a list shows: the one asked for, `all` for every team, and when none is asked
/// for, the role's own.
pub fn team_asked(
    role: Role,
    asked: Option<&str>,
) -> Result<Option<InvestigatingTeam>, FieldError> {
    match asked.map(str::trim) {
        None | Some("") => Ok(vigil_domain::suspects::home_team(role)),
        Some("all") => Ok(None),
        Some(t) => InvestigatingTeam::parse(t)
            .map(Some)
            .map_err(|e| FieldError::new("team", e.reason)),
    }
}

/// A listed person's name as `role` may see it (the domain's rule).
pub(crate) fn name(role: Role, n: &Option<(String, String)>) -> Option<String> {
    let (family, given) = n
        .as_ref()
        .map_or((None, None), |(f, g)| (Some(f.as_str()), Some(g.as_str())));
    vigil_domain::visibility::name_as_seen(role, family, given)
}

fn person(role: Role, id: &str, n: &Option<(String, String)>) -> String {
    let (family, given) = n
        .as_ref()
        .map_or((None, None), |(f, g)| (Some(f.as_str()), Some(g.as_str())));
    person_label(role, id, family, given)
}

fn rows(role: Role, list: &SuspectList) -> Vec<Vec<String>> {
    list.page
        .items
        .iter()
        .map(|i| {
            let s = &i.suspect;
            let days = s.days_outstanding(list.now);
            vec![
                person(role, s.suspect_id.as_str(), &i.suspect_name),
                link_case(s.incident_id.as_str()),
                person(role, s.victim_id.as_str(), &i.victim_name),
                esc(vigil_domain::casework::team_name(s.team)),
                esc(s.lpa.as_str()),
                format!(
                    "{} ({days} day{})",
                    esc(&long(s.since)),
                    if days == 1 { "" } else { "s" }
                ),
                esc(&s
                    .offences
                    .iter()
                    .map(|o| o.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")),
            ]
        })
        .collect()
}

/// `GET /suspects`: the list, a page at a time, or `?format=csv` for the whole filtered list
/// (up to 10,000 rows, audited as an export).
pub async fn page(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<SuspectParams>,
) -> Response {
    let mut errors = Vec::new();
    let team = team_asked(s.user.role, q.team.as_deref())
        .map_err(|e| errors.push(e))
        .unwrap_or(None);
    let area = service::queue_area(&s, q.lpa.as_deref());
    let lpa = match area {
        "" => None,
        l => service::known_lpa(&app, l)
            .map_err(|e| errors.push(FieldError::new("lpa", e)))
            .ok(),
    };
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .unwrap_or(1);
    let csv = q.format.as_deref() == Some("csv");
    let f = SuspectFilter {
        team,
        lpa: lpa.clone(),
        page: page_no,
        per_page: service::PER_PAGE,
    };
    let list = match service::outstanding_suspects(&app, &s, &f, csv).await {
        Ok(l) => l,
        Err(f) => return failure_page(&s, f),
    };
    if csv {
        return download(s.user.role, &list);
    }
    let team_word = team.map_or("all", |t| t.as_str());
    let area_word = if area.is_empty() { "all" } else { area };
    let query = format!("team={team_word}&lpa={area_word}");
    let mut team_options = vec![("all".to_owned(), "Every team".to_owned())];
    team_options.extend(InvestigatingTeam::ALL.iter().map(|t| {
        (
            t.as_str().to_owned(),
            vigil_domain::casework::team_name(*t).to_owned(),
        )
    }));
    let mut lpa_options = vec![("all".to_owned(), "All areas".to_owned())];
    lpa_options.extend(app.lpas.iter().map(|l| (l.to_string(), l.to_string())));
    let mut body = format!(
        "{}{}<form method=\"get\" action=\"/suspects\" novalidate><div class=\"vigil-filters\">{}{}</div>{}</form>",
        error_summary(&errors),
        h1(TITLE),
        select("team", "Team", &team_options, team_word, &errors),
        select(
            "lpa",
            "Local Policing Area",
            &lpa_options,
            area_word,
            &errors
        ),
        button("Show", None, true)
    );
    body.push_str(&p(&format!(
        "{} suspect{} identified on an open domestic abuse crime and not yet arrested for it, longest outstanding first, counted to {}. {}",
        list.page.total,
        if list.page.total == 1 { "" } else { "s" },
        esc(&long_time(list.now)),
        link(&format!("/suspects?{query}&format=csv"), "Download this list (CSV)")
    )));
    body.push_str(&withheld_notice(list.withheld));
    body.push_str(&table(
        TITLE,
        &[
            "Suspect",
            "Case",
            "Victim",
            "Team",
            "Area",
            "Outstanding since",
            "Open offences",
        ],
        rows(s.user.role, &list),
    ));
    body.push_str(&pagination(
        "/suspects",
        &query,
        list.page_no,
        service::pages(list.page.total, list.per_page),
    ));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (status, Html(page_at(TITLE, Some(&s), "/suspects", &body))).into_response()
}

fn csv_row(role: Role, i: &SuspectItem, now: vigil_domain::time::DateTime) -> String {
    let s = &i.suspect;
    [
        s.suspect_id.to_string(),
        name(role, &i.suspect_name).unwrap_or_default(),
        s.incident_id.to_string(),
        s.victim_id.to_string(),
        name(role, &i.victim_name).unwrap_or_default(),
        s.team.to_string(),
        s.lpa.to_string(),
        s.since.to_string(),
        s.days_outstanding(now).to_string(),
        s.offences
            .iter()
            .map(|o| o.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    ]
    .iter()
    .map(|c| csv_cell(c))
    .collect::<Vec<_>>()
    .join(",")
}

fn download(role: Role, list: &SuspectList) -> Response {
    let mut out = String::from(
        "suspect_id,suspect_name,incident_id,victim_id,victim_name,team,lpa,outstanding_since,days_outstanding,offence_ids\n",
    );
    for i in &list.page.items {
        out.push_str(&csv_row(role, i, list.now));
        out.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"vigil-outstanding-suspects.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}
