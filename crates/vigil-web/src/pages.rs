//! The pages a signed-in user reads: home, person, search, team queues, what is shared
//! with a partner agency, and the audit trail. Cases and intake have their own modules.

use crate::App;
use crate::auth::current;
use crate::components::*;
use crate::layout::{page, page_at};
use crate::service::{self, Failure, Found, SearchInput};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;
use vigil_domain::access::{Capability, allows};
use vigil_domain::time::Datelike;
use vigil_store::Session;

pub fn link_case(id: &str) -> String {
    link(&format!("/cases/{id}"), id)
}

pub fn link_person(id: &str) -> String {
    link(&format!("/people/{id}"), id)
}

/// A submitted form with its session: the redirect to sign in, or the "form expired" page
/// when the form does not carry the session's token.
pub async fn signed_form(
    app: &App,
    headers: &HeaderMap,
    fields: Vec<(String, String)>,
) -> Result<(Session, crate::forms::FormData), Response> {
    let s = signed_in(app, headers).await?;
    let f = crate::forms::FormData(fields);
    if !f.csrf_ok(&s) {
        return Err(expired_form(&s));
    }
    Ok((s, f))
}

/// A handler's signed-in user: extracting it answers a request without a live session
/// with the redirect to sign in, so no handler repeats the check.
pub struct SignedIn(pub Session);

impl axum::extract::FromRequestParts<Arc<App>> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &Arc<App>,
    ) -> Result<Self, Response> {
        match current(app, &parts.headers).await {
            Some(s) => Ok(SignedIn(s)),
            // A page asked for before signing in is where sign-in leads back to.
            None if parts.method == axum::http::Method::GET => {
                let asked = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                Err(Redirect::to(&crate::auth::sign_in_path(asked)).into_response())
            }
            None => Err(Redirect::to("/sign-in").into_response()),
        }
    }
}

/// The session of a request, or the redirect to sign in.
pub async fn signed_in(app: &App, headers: &HeaderMap) -> Result<Session, Response> {
    current(app, headers)
        .await
        .ok_or_else(|| Redirect::to("/sign-in").into_response())
}

pub fn problem() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(page(
            "Sorry, there is a problem",
            None,
            &format!(
                "{}{}",
                h1("Sorry, there is a problem with the service"),
                p("Try again later. Nothing you entered has been saved.")
            ),
        )),
    )
        .into_response()
}

pub fn not_found_page(s: Option<&Session>) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "Page not found",
            s,
            &format!(
                "{}{}{}",
                h1("Page not found"),
                p("If you typed the web address, check it is correct. If you followed a reference, the record may not exist or you may not have access to it."),
                p(&link("/", "Go to the start"))
            ),
        )),
    )
        .into_response()
}

pub fn forbidden_page(s: &Session) -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(page(
            "You cannot do this",
            Some(s),
            &format!(
                "{}{}{}",
                h1("You do not have permission to do this"),
                p("Your role does not include this task. The attempt has been recorded. If you need it for your work, ask an administrator."),
                p(&link("/", "Go to the start"))
            ),
        )),
    )
        .into_response()
}

/// The response for a failure that is not about the form's fields.
pub fn failure_page(s: &Session, f: Failure) -> Response {
    match f {
        Failure::NotFound => not_found_page(Some(s)),
        Failure::Forbidden => forbidden_page(s),
        Failure::Conflict(msg) => (
            StatusCode::CONFLICT,
            Html(page(
                "Changed by someone else",
                Some(s),
                &format!(
                    "{}{}",
                    h1("Someone else changed this record"),
                    p(&esc(&msg))
                ),
            )),
        )
            .into_response(),
        Failure::Invalid(errors) => (
            StatusCode::BAD_REQUEST,
            Html(page(
                "There is a problem",
                Some(s),
                &format!(
                    "{}{}",
                    error_summary(&errors),
                    p(&link("/", "Go to the start"))
                ),
            )),
        )
            .into_response(),
        Failure::Problem(cause) => {
            tracing::error!(%cause, "a request failed");
            problem()
        }
        Failure::PossibleDuplicates { .. } => problem(),
        Failure::TooMany {
            retry_after_secs,
            message,
        } => {
            let mut res = (
                StatusCode::TOO_MANY_REQUESTS,
                Html(page(
                    "Too many records opened",
                    Some(s),
                    &format!("{}{}", h1("Too many records opened"), p(&esc(&message))),
                )),
            )
                .into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            res
        }
    }
}

pub async fn not_found(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let s = current(&app, &headers).await;
    not_found_page(s.as_ref())
}

pub async fn home(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    let role = s.user.role;
    let mut body = format!(
        "{}<p class=\"govuk-body\">You are signed in as {} ({}).</p>",
        h1(&s.user.display_name),
        esc(s.user.username.as_str()),
        words(role.as_str())
    );
    // The work comes first: what is the user's, and what is late.
    body.push_str(&crate::work::work_section(&app, &s).await);
    body.push_str(&crate::marac::work_section(&app, &s).await);
    body.push_str(&crate::mash::work_section(&app, &s).await);
    body.push_str(&crate::dvds::work_section(&app, &s).await);
    body.push_str(&crate::orders::work_section(&app, &s).await);
    body.push_str(&crate::cohorts::work_section(&app, &s).await);
    if allows(role, Capability::RecordIncident) {
        body.push_str(&format!(
            "{}{}",
            h2("Record an incident"),
            p(&format!(
                "{}: the call, the people, and the primary DASH risk assessment. Vigil routes the case and lists what must happen next.",
                link("/incidents/new", "Record a domestic abuse incident")
            ))
        ));
    }
    for q in vigil_domain::access::queues(role) {
        body.push_str(&format!(
            "{}{}",
            h2("Your team's queue"),
            p(&link(&format!("/queues/{}", q.slug()), q.title()))
        ));
    }
    if allows(role, Capability::ReadCases) {
        body.push_str(&format!(
            "{}{}",
            h2("Find a person or a case"),
            p(&format!(
                "{} by name and date of birth, by reference, or by the day an incident was reported.",
                link("/search", "Search")
            ))
        ));
    }
    if allows(role, Capability::ReadShared) {
        body.push_str(&format!(
            "{}{}",
            h2("Shared with your agency"),
            p(&format!(
                "{}. Someone asks about a partner's past? {}.",
                link("/shared", "Referrals shared with your agency"),
                link(
                    "/disclosures/new",
                    "Record a Clare's Law (right to ask) application"
                )
            ))
        ));
    }
    if allows(role, Capability::ReadAnalytics) {
        body.push_str(&format!(
            "{}{}",
            h2("Performance"),
            p(&format!(
                "{}: the headline measures by area and period, and the board report.",
                link("/dashboard", "Dashboard")
            ))
        ));
    }
    if allows(role, Capability::Administer) {
        // Alerts first: bulk reading noticed in the last day.
        let alerts = app
            .store
            .audit_count(&vigil_store::AuditQuery {
                action: Some("alert.".into()),
                from: Some(vigil_auth::now_utc() - chrono::Duration::hours(24)),
                ..vigil_store::AuditQuery::default()
            })
            .await
            .unwrap_or(0);
        body.push_str(&format!(
            "{}{}{}",
            h2("Administration"),
            if alerts > 0 {
                format!(
                    "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span>{alerts} alert{} in the last 24 hours: {}</strong></div>",
                    if alerts == 1 { "" } else { "s" },
                    link("/audit?action=alert.", "see who opened records in bulk")
                )
            } else {
                String::new()
            },
            p(&format!(
                "{}: who read or changed which record, and when. {}: who may sign in, and as what.",
                link("/audit", "Audit trail"),
                link("/admin/users", "Users")
            ))
        ));
    }
    Html(page_at("Home", Some(&s), "/", &body)).into_response()
}

fn age_on(b: vigil_domain::Date, today: vigil_domain::Date) -> i32 {
    today.year() - b.year() - i32::from((today.month(), today.day()) < (b.month(), b.day()))
}

pub fn full_name(p: &vigil_domain::Person) -> Option<String> {
    vigil_domain::visibility::joined_name(
        p.identity.family_name.as_deref(),
        p.identity.given_names.as_deref(),
    )
}

/// A person's record. Names, addresses and refuge addresses follow the permission table;
/// the read is audited before anything is shown.
pub async fn person(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    person_page(&app, &s, &raw, None).await
}

/// `POST /people/{id}/address`: the record with its confidential address, for a role that
/// may see it and gives a reason. A form post, so the reason never sits in an address bar,
/// a browser's history or a proxy's log.
pub async fn person_with_address(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    person_page(&app, &s, &raw, Some(f.get("reason"))).await
}

async fn person_page(app: &App, s: &Session, raw: &str, reason: Option<&str>) -> Response {
    let (record, errors) = match service::read_person(app, s, raw, reason).await {
        Ok(r) => (r, Vec::new()),
        // A reason too short: read the record without the address, and say why.
        Err(Failure::Invalid(errors)) => match service::read_person(app, s, raw, None).await {
            Ok(r) => (r, errors),
            Err(f) => return failure_page(s, f),
        },
        Err(f) => return failure_page(s, f),
    };
    let id = record.person.id.clone();
    let p = record.person;
    let withheld = record.address_withheld;
    let role = s.user.role;
    let serial = record.serial_victims;
    let mut rows: Vec<(&str, String)> = vec![("Reference", esc(id.as_str()))];
    if let Some(n) = serial {
        rows.push((
            "Serial perpetrator",
            format!(
                "{} {n} different victims in the {} years to today",
                tag("Serial", "red"),
                app.rules.cohort.config.serial_years
            ),
        ));
    }
    if allows(role, Capability::SeeNames) {
        rows.push((
            "Name",
            full_name(&p).map_or("not recorded".into(), |n| esc(&n)),
        ));
    }
    rows.push(("Sex", words(p.sex.as_str())));
    if let Some(b) = p.birth_date {
        rows.push((
            "Date of birth",
            format!(
                "{} (age {})",
                b.format("%-d %B %Y"),
                age_on(b, app.now().date())
            ),
        ));
    }
    rows.push(("Ethnicity", words(p.ethnicity.as_str())));
    rows.push((
        "Local Policing Area",
        esc(p.lpa.as_ref().map_or("not recorded", |l| l.as_str())),
    ));
    if allows(role, Capability::SeeAddresses) {
        let shown = [
            p.identity.address.as_deref(),
            p.identity.postcode.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let address = if record.reason_needed {
            format!(
                "{} A refuge or new address. To see it, say why you need it: the reason is kept in the audit trail.<form method=\"post\" action=\"/people/{}/address\" novalidate class=\"govuk-!-margin-top-3\">{}{}{}</form>",
                tag("Confidential", "red"),
                esc(id.as_str()),
                csrf(&s.csrf_token),
                Input::text(
                    "reason",
                    "Why you need the address",
                    reason.unwrap_or_default()
                )
                .width("30")
                .render(&errors),
                button("Show the address", None, true)
            )
        } else if withheld {
            format!(
                "{} Withheld: a refuge or new address that only the CRU may see",
                tag("Confidential", "red")
            )
        } else if shown.is_empty() {
            "not recorded".into()
        } else if p.address_confidential {
            format!("{} {}", tag("Confidential", "red"), esc(&shown))
        } else {
            esc(&shown)
        };
        rows.push(("Address", address));
    }
    let mut body = format!(
        "{}{}{}",
        error_summary(&errors),
        h1(&format!("Person {id}")),
        summary_list(&rows)
    );
    if allows(role, Capability::SeeAddresses) {
        body.push_str(&crate::contact::section(s, &id, record.contact.as_ref()));
    }

    // Risk over time: each incident's grade and DASH count as this person's victimisation
    // went on.
    let as_victim: Vec<&vigil_domain::Incident> = record
        .incidents
        .iter()
        .filter(|i| i.victim_id == id)
        .collect();
    body.push_str(&crate::risk_chart::risk_over_time(&as_victim));
    body.push_str(&table(
        "History, newest first",
        &[
            "Reported",
            "As",
            "Relationship",
            "Risk",
            "Other party",
            "Case",
        ],
        record
            .incidents
            .iter()
            .map(|i| {
                let (as_, other) = if i.victim_id == id {
                    ("victim", i.suspect_id.as_ref())
                } else {
                    ("suspect", Some(&i.victim_id))
                };
                vec![
                    when(i.reported_at),
                    as_.into(),
                    words(i.relationship.as_str()),
                    risk_tag(i.risk_level),
                    other.map_or("not known".into(), |o| link_person(o.as_str())),
                    link_case(i.id.as_str()),
                ]
            })
            .collect(),
    ));
    // Linked people: everyone this person has been party to an incident with.
    let mut linked: Vec<(&str, &str)> = Vec::new();
    for i in &record.incidents {
        let (other, as_) = if i.victim_id == id {
            (i.suspect_id.as_ref(), "suspect against them")
        } else {
            (Some(&i.victim_id), "their victim")
        };
        if let Some(o) = other
            && !linked.iter().any(|(x, _)| *x == o.as_str())
        {
            linked.push((o.as_str(), as_));
        }
    }
    body.push_str(&table(
        "Linked people",
        &["Person", "Link"],
        linked
            .iter()
            .map(|(o, as_)| vec![link_person(o), (*as_).to_owned()])
            .collect(),
    ));
    body.push_str(&table(
        "Referrals",
        &["Referral", "To", "Made", "By", "Consent", "Case"],
        record
            .referrals
            .iter()
            .map(|r| {
                vec![
                    esc(r.id.as_str()),
                    r.kind.as_str().to_uppercase(),
                    when(r.referred_at),
                    words(r.agency.as_str()),
                    yes_no(r.consent).into(),
                    r.incident_id
                        .as_ref()
                        .map_or("–".into(), |i| link_case(i.as_str())),
                ]
            })
            .collect(),
    ));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (status, Html(page(&format!("Person {id}"), Some(s), &body))).into_response()
}

fn search_form(q: &SearchInput, errors: &[FieldError], lpas: &[vigil_domain::Lpa]) -> String {
    let mut lpa_options = vec![(String::new(), "Whole force".to_owned())];
    lpa_options.extend(lpas.iter().map(|l| (l.to_string(), l.to_string())));
    format!(
        "{}<form method=\"get\" action=\"/search\" novalidate><div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-one-third\">{}{}</div><div class=\"govuk-grid-column-one-third\">{}{}{}</div><div class=\"govuk-grid-column-one-third\">{}{}</div></div>{}</form>",
        error_summary(errors),
        h2("By reference"),
        Input::text("reference", "Person or case reference", &q.reference)
            .hint("For example, P0000123 or I0004567")
            .width("10")
            .render(errors),
        h2("By name"),
        Input::text("family_name", "Family name", &q.family_name)
            .hint("The start of the name is enough")
            .width("20")
            .render(errors),
        Input::text("given_names", "Given names", &q.given_names)
            .width("20")
            .render(errors)
            + &Input::text("birth_date", "Date of birth", &q.birth_date)
                .hint("For example, 31/08/1990")
                .width("10")
                .render(errors),
        h2("By day reported"),
        Input::text("date", "Day", &q.date)
            .hint("For example, 31/08/2019")
            .width("10")
            .render(errors)
            + &select("lpa", "Local Policing Area", &lpa_options, &q.lpa, errors),
        button("Search", None, false),
    )
}

/// Search by reference (straight to the record), by name, or by day.
pub async fn search(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<SearchInput>,
) -> Response {
    let (status, errors, results) = match service::search(&app, &s, &q).await {
        Ok(Found::Person(id)) => return Redirect::to(&format!("/people/{id}")).into_response(),
        Ok(Found::Case(id)) => return Redirect::to(&format!("/cases/{id}")).into_response(),
        Ok(Found::Nothing) => (StatusCode::OK, Vec::new(), String::new()),
        Ok(Found::People(people)) => {
            let n = people.len();
            let rows = people
                .into_iter()
                .map(|p| {
                    let (p, _) = service::redact(&s, p, false);
                    vec![
                        link_person(p.id.as_str()),
                        full_name(&p).map_or("–".into(), |n| esc(&n)),
                        p.birth_date
                            .map_or("not recorded".into(), |b| b.format("%-d %B %Y").to_string()),
                        words(p.sex.as_str()),
                        esc(p.lpa.as_ref().map_or("–", |l| l.as_str())),
                    ]
                })
                .collect();
            (
                StatusCode::OK,
                Vec::new(),
                format!(
                    "<p class=\"govuk-body\">{n} {} found{}.</p>{}",
                    if n == 1 { "person" } else { "people" },
                    if n == 50 {
                        " (the first 50: add a given name or date of birth to narrow it)"
                    } else {
                        ""
                    },
                    table(
                        "People",
                        &["Reference", "Name", "Date of birth", "Sex", "Area"],
                        rows
                    )
                ),
            )
        }
        Ok(Found::Incidents(list)) => {
            let rows = list
                .iter()
                .map(|i| {
                    vec![
                        when(i.reported_at),
                        link_case(i.id.as_str()),
                        esc(i.lpa.as_str()),
                        words(i.call_grade.as_str()),
                        risk_tag(i.risk_level),
                        link_person(i.victim_id.as_str()),
                    ]
                })
                .collect();
            (
                StatusCode::OK,
                Vec::new(),
                format!(
                    "<p class=\"govuk-body\">{} incidents reported that day.</p>{}",
                    list.len(),
                    table(
                        "Incidents",
                        &["Reported", "Case", "Area", "Call grade", "Risk", "Victim"],
                        rows
                    )
                ),
            )
        }
        Err(Failure::Invalid(errors)) => (StatusCode::BAD_REQUEST, errors, String::new()),
        Err(f) => return failure_page(&s, f),
    };
    let body = format!(
        "{}{}{}",
        h1("Search"),
        search_form(&q, &errors, &app.lpas),
        results
    );
    (status, Html(page_at("Search", Some(&s), "/search", &body))).into_response()
}

/// A partner agency's list: the referrals shared with it, with who they are about. No
/// address, no incident detail, no suspect.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SharedQueryParams {
    kind: String,
    page: String,
}

fn kind_words(k: vigil_domain::ReferralKind) -> &'static str {
    use vigil_domain::ReferralKind as K;
    match k {
        K::Marac => "MARAC",
        K::Idva => "IDVA",
        K::Mash => "MASH",
        K::Encompass => "Operation Encompass",
        _ => "Other",
    }
}

fn person_name(r: &vigil_store::SharedReferral) -> String {
    vigil_domain::visibility::joined_name(r.family_name.as_deref(), r.given_names.as_deref())
        .unwrap_or_default()
}

/// `GET /shared`: the referrals shared with the user's agency (in their area), 50 a page,
/// filtered by kind, each linking to its detail.
pub async fn shared(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<SharedQueryParams>,
) -> Response {
    let Some(agency) = s.user.agency else {
        return not_found_page(Some(&s));
    };
    let kinds = vigil_domain::sharing::kinds_shared_with(agency);
    let kind = match q.kind.trim() {
        "" => None,
        k => match vigil_domain::ReferralKind::parse(k) {
            Ok(k) => Some(k),
            Err(e) => {
                return failure_page(
                    &s,
                    Failure::Invalid(vec![FieldError::new(
                        "kind",
                        service::capitalise(&e.reason),
                    )]),
                );
            }
        },
    };
    let page_no = q
        .page
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    let f = service::SharedFilter {
        kind,
        page: page_no,
        per_page: 50,
    };
    let list = match service::shared(&app, &s, &f).await {
        Ok(l) => l,
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(f) => return failure_page(&s, f),
    };
    let mut body = h1(&format!("Shared with {}", agency_words(agency)));
    body.push_str(&p(&format!(
        "Referrals your agency takes part in{}: every MARAC referral, and the referrals made to or by your agency (an IDVA referral only while the victim consents). Addresses and incident details stay with the police; ask the officer named on a referral if you need them.",
        s.user.lpa.as_ref().map_or(String::new(), |l| format!(" in {}", esc(l.as_str())))
    )));
    let mut options = vec![(String::new(), "Every kind".to_owned())];
    options.extend(
        kinds
            .iter()
            .map(|k| (k.as_str().to_owned(), kind_words(*k).to_owned())),
    );
    body.push_str(&format!(
        "<form method=\"get\" action=\"/shared\" novalidate>{}{}</form>",
        select("kind", "Kind of referral", &options, q.kind.trim(), &[]),
        button("Show", None, true)
    ));
    body.push_str(&p(&format!(
        "{} referral{}.",
        list.page.total,
        if list.page.total == 1 { "" } else { "s" }
    )));
    body.push_str(&withheld_notice(list.withheld));
    body.push_str(&table(
        "Referrals, newest first",
        &[
            "Referral",
            "Kind",
            "Made",
            "Name",
            "Date of birth",
            "Risk",
            "Children present",
            "Consent",
        ],
        list.page
            .items
            .iter()
            .map(|r| {
                vec![
                    link(
                        &format!("/shared/{}", r.referral.id),
                        r.referral.id.as_str(),
                    ),
                    kind_words(r.referral.kind).into(),
                    when(r.referral.referred_at),
                    esc(&person_name(r)),
                    r.birth_date
                        .map_or("not recorded".into(), |b| b.format("%-d %B %Y").to_string()),
                    risk_tag(r.risk),
                    yes_no(r.children_present).into(),
                    yes_no(r.referral.consent).into(),
                ]
            })
            .collect(),
    ));
    body.push_str(&pagination(
        "/shared",
        &format!("kind={}", crate::auth::query_value(q.kind.trim())),
        list.page_no,
        service::pages(list.page.total, list.per_page),
    ));
    Html(page_at("Shared with us", Some(&s), "/shared", &body)).into_response()
}

/// `GET /shared/{id}`: one shared referral and who to contact about it.
pub async fn shared_one(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    let d = match service::shared_referral(&app, &s, &raw).await {
        Ok(d) => d,
        Err(Failure::Forbidden | Failure::NotFound) => return not_found_page(Some(&s)),
        Err(f) => return failure_page(&s, f),
    };
    let r = &d.shared;
    let mut body = back_link("/shared");
    body.push_str(&h1(&format!(
        "{} referral {}",
        kind_words(r.referral.kind),
        r.referral.id
    )));
    body.push_str(&summary_list(&[
        ("Who", esc(&person_name(r))),
        (
            "Date of birth",
            r.birth_date
                .map_or("Not recorded".into(), |b| b.format("%-d %B %Y").to_string()),
        ),
        ("Referred", when(r.referral.referred_at)),
        ("Referred by", esc(agency_words(r.referral.agency))),
        (
            "Area",
            esc(r.lpa.as_ref().map_or("Not recorded", |l| l.as_str())),
        ),
        ("Risk at the incident", risk_tag(r.risk)),
        ("Children present", yes_no(r.children_present).into()),
        ("Victim's consent", yes_no(r.referral.consent).into()),
        (
            "Police contact",
            match &d.officer {
                Some((name, user)) => format!("{} ({})", esc(name), esc(user)),
                None => "No officer is allocated yet: contact the Central Referral Unit".into(),
            },
        ),
    ]));
    body.push_str(&p(
        "The victim's address, the suspect and the incident's details stay with the police.",
    ));
    Html(page_at("Shared referral", Some(&s), "/shared", &body)).into_response()
}

/// A form whose token does not match the session (expired, or sent from elsewhere).
pub fn expired_form(s: &Session) -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(page(
            "Form expired",
            Some(s),
            &format!(
                "{}{}",
                h1("This form has expired"),
                p("Nothing was saved. Go back, reload the page and try again.")
            ),
        )),
    )
        .into_response()
}
