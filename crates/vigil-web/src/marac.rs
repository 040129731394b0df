//! The MARAC pages: the SafeLives return for a period, on screen and as CSV or a
//! spreadsheet to send on.

use crate::App;
use crate::components::*;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page};
use crate::service::{self, Failure, ReturnPeriod};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::access::{Capability, allows};
use vigil_domain::dates::long;
use vigil_domain::marac_return::{AreaReturn, RECOMMENDED_PER_10K};
use vigil_domain::time::format_date;
use vigil_store::Session;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnQuery {
    from: String,
    to: String,
    format: String,
}

fn number(x: Option<f64>) -> String {
    x.map_or("–".to_owned(), |v| format!("{v:.1}"))
}

fn return_table(rows: &[AreaReturn], total: &AreaReturn) -> String {
    let line = |r: &AreaReturn| {
        vec![
            esc(&r.area),
            r.cases.to_string(),
            format!("{} ({}%)", r.repeat_cases, number(r.repeat_percent())),
            r.cases_with_children.to_string(),
            r.bme_victims.to_string(),
            r.male_victims.to_string(),
            r.victims_16_17.to_string(),
            r.perpetrators_under_18.to_string(),
            format!("{} of {}", r.lgbt_victims, r.diversity_recorded),
            format!("{} of {}", r.disabled_victims, r.diversity_recorded),
            number(r.per_10k_women),
        ]
    };
    let mut body: Vec<Vec<String>> = rows.iter().map(line).collect();
    let mut t = line(total);
    t[0] = "<strong>Total</strong>".into();
    body.push(t);
    table(
        "Cases by MARAC area",
        &[
            "MARAC area",
            "Cases",
            "Repeat cases",
            "With children",
            "BME victims",
            "Male victims",
            "Victims aged 16–17",
            "Perpetrators under 18",
            "LGBT victims (of forms)",
            "Disabled victims (of forms)",
            "Cases per 10,000 adult women a year",
        ],
        body,
    )
}

fn agency_table(rows: &[AreaReturn], total: &AreaReturn) -> String {
    let agencies: Vec<String> = total
        .by_agency
        .iter()
        .map(|(a, _)| agency_words(*a).to_owned())
        .collect();
    let mut header: Vec<&str> = vec!["MARAC area"];
    header.extend(agencies.iter().map(String::as_str));
    let mut body: Vec<Vec<String>> = rows
        .iter()
        .chain(std::iter::once(total))
        .map(|r| {
            std::iter::once(esc(&r.area))
                .chain(r.by_agency.iter().map(|(_, n)| n.to_string()))
                .collect()
        })
        .collect();
    if let Some(last) = body.last_mut() {
        last[0] = "<strong>Total</strong>".into();
    }
    table("Cases by referring agency", &header, body)
}

fn return_page(
    s: &Session,
    q: &ReturnQuery,
    r: Option<&service::MaracReturn>,
    errors: &[FieldError],
) -> String {
    let mut body = error_summary(errors);
    body.push_str(&h1("MARAC return"));
    body.push_str(&p("The SafeLives meeting-level return, by MARAC area. Over imported history a MARAC referral counts as a case in the period of its referral date."));
    let (from_v, to_v) = match r {
        Some(r) if q.from.trim().is_empty() && q.to.trim().is_empty() => (
            r.from.format("%d/%m/%Y").to_string(),
            r.to.format("%d/%m/%Y").to_string(),
        ),
        _ => (q.from.clone(), q.to.clone()),
    };
    body.push_str(&format!(
        "<form method=\"get\" action=\"/marac/return\" novalidate>{}{}{}</form>",
        Input::text("from", "First day", &from_v)
            .hint("For example 01/04/2019")
            .width("10")
            .render(errors),
        Input::text("to", "Last day", &to_v)
            .hint("For example 30/06/2019")
            .width("10")
            .render(errors),
        button("Show the return", None, false)
    ));
    if let Some(r) = r {
        let period = format!("from={}&to={}", format_date(r.from), format_date(r.to));
        body.push_str(&h2(&format!(
            "{} to {}: {} case{}",
            long(r.from),
            long(r.to),
            r.total.cases,
            if r.total.cases == 1 { "" } else { "s" }
        )));
        body.push_str(&p(&format!(
            "{} of them repeats ({}%). SafeLives recommends about {RECOMMENDED_PER_10K:.0} cases a year per 10,000 adult women{}. {} · {}",
            r.total.repeat_cases,
            number(r.total.repeat_percent()),
            match r.total.per_10k_women {
                Some(x) => format!("; this period runs at {x:.1}"),
                None => "; the populations are not configured (marac.areas in the rules file), so the rate is not shown".into(),
            },
            link(&format!("/marac/return?{period}&format=csv"), "Download as CSV"),
            link(&format!("/marac/return?{period}&format=xlsx"), "Download as a spreadsheet"),
        )));
        body.push_str(&return_table(&r.rows, &r.total));
        body.push_str(&agency_table(&r.rows, &r.total));
        body.push_str(&h2("How it was counted"));
        body.push_str("<ul class=\"govuk-list govuk-list--bullet\">");
        for line in vigil_report::marac::notes(r.from, r.to) {
            body.push_str(&format!("<li>{}</li>", esc(&line)));
        }
        body.push_str("</ul>");
    }
    page_at("MARAC return", Some(s), "/marac/return", &body)
}

/// `GET /marac/return?from&to[&format=csv|xlsx]`.
pub async fn marac_return(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<ReturnQuery>,
) -> Response {
    if !allows(s.user.role, Capability::ReadAnalytics)
        && !allows(s.user.role, Capability::CoordinateMarac)
    {
        return not_found_page(Some(&s));
    }
    let period = ReturnPeriod {
        from: q.from.chars().take(20).collect(),
        to: q.to.chars().take(20).collect(),
    };
    let r = match service::marac_return(&app, &s, &period).await {
        Ok(r) => r,
        Err(Failure::Invalid(errors)) => {
            return (
                StatusCode::BAD_REQUEST,
                Html(return_page(&s, &q, None, &errors)),
            )
                .into_response();
        }
        Err(e) => return failure_page(&s, e),
    };
    let name = format!("marac-return-{}-{}", format_date(r.from), format_date(r.to));
    match q.format.as_str() {
        "" | "html" => Html(return_page(&s, &q, Some(&r), &[])).into_response(),
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            vigil_report::marac::to_csv(&r.rows, &r.total),
        )
            .into_response(),
        "xlsx" => match vigil_report::marac::to_xlsx(&r.rows, &r.total, r.from, r.to) {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(cause) => failure_page(&s, Failure::Problem(cause)),
        },
        _ => (
            StatusCode::BAD_REQUEST,
            Html(return_page(
                &s,
                &q,
                None,
                &[FieldError::new(
                    "format",
                    "Choose csv or xlsx to download, or leave the format out to see the page",
                )],
            )),
        )
            .into_response(),
    }
}

// ----- meetings and agendas -----

/// Each area's meeting pattern, with its next three meeting days from today.
type Patterns = Vec<(
    String,
    vigil_domain::marac_meeting::Pattern,
    Vec<vigil_domain::Date>,
)>;

fn patterns(app: &App) -> Patterns {
    let today = app.now().date();
    app.rules
        .marac_meets
        .iter()
        .map(|(area, p)| (area.clone(), *p, p.next(today, 3)))
        .collect()
}

fn meetings_page(
    s: &Session,
    patterns: &Patterns,
    areas: &[String],
    all: &[vigil_domain::marac_meeting::Meeting],
    f: &crate::forms::FormData,
    errors: &[FieldError],
) -> String {
    let mut body = error_summary(errors);
    body.push_str(&h1("MARAC meetings"));
    body.push_str(&p("Each meeting's agenda is built from its area's MARAC referrals since the area's last meeting: cases with children first, repeats and cases heard before marked."));
    if !patterns.is_empty() {
        body.push_str(&table(
            "How each area meets",
            &["Area", "Pattern", "Next meetings"],
            patterns
                .iter()
                .map(|(area, p, next)| {
                    vec![
                        esc(area),
                        esc(&p.describe()),
                        esc(&next.iter().map(|d| long(*d)).collect::<Vec<_>>().join(", ")),
                    ]
                })
                .collect(),
        ));
    }
    body.push_str(&table(
        "Meetings, latest first",
        &["Meeting", "Area", "Venue"],
        all.iter()
            .map(|m| {
                vec![
                    link(&format!("/marac/meetings/{}", m.id), &long(m.held_on)),
                    esc(&m.area),
                    esc(&m.venue),
                ]
            })
            .collect(),
    ));
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose an area".to_owned()))
            .chain(areas.iter().map(|a| (a.clone(), a.clone())))
            .collect();
    // The coordinator (or the CRU) plans meetings; the agencies research their cases.
    if !allows(s.user.role, Capability::CoordinateMarac) {
        return page_at("MARAC meetings", Some(s), "/marac/meetings", &body);
    }
    body.push_str(&format!(
        "<h2 class=\"govuk-heading-m\">Plan a meeting</h2><form method=\"post\" action=\"/marac/meetings\" novalidate>{}{}{}{}{}{}</form>",
        csrf(&s.csrf_token),
        select("area", "MARAC area", &options, f.get("area"), errors),
        Input::text("held_on", "Day", f.get("held_on"))
            .hint("For example 17/09/2019")
            .width("10")
            .render(errors),
        Input::text("venue", "Venue", f.get("venue"))
            .hint("A room, or Online")
            .width("20")
            .render(errors),
        checkbox(
            "extra",
            "An extra meeting, off the area's pattern (when the agenda is over capacity)",
            f.flag("extra"),
            errors
        ),
        button("Plan the meeting", None, false)
    ));
    page_at("MARAC meetings", Some(s), "/marac/meetings", &body)
}

/// `GET /marac/meetings`.
pub async fn meetings(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    match service::meetings(&app, &s).await {
        Ok(all) => Html(meetings_page(
            &s,
            &patterns(&app),
            &service::marac_areas(&app),
            &all,
            &crate::forms::FormData(Vec::new()),
            &[],
        ))
        .into_response(),
        Err(Failure::Forbidden) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// `POST /marac/meetings`: plans one and opens its agenda.
pub async fn plan_meeting(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = service::MeetingInput {
        area: f.get("area").to_owned(),
        held_on: f.get("held_on").to_owned(),
        venue: f.get("venue").to_owned(),
        extra: f.flag("extra"),
    };
    match service::create_meeting(&app, &s, &input).await {
        Ok(m) => axum::response::Redirect::to(&format!("/marac/meetings/{}", m.id)).into_response(),
        Err(Failure::Invalid(errors)) => {
            let all = app.store.meetings(None).await.unwrap_or_default();
            (
                StatusCode::BAD_REQUEST,
                Html(meetings_page(
                    &s,
                    &patterns(&app),
                    &service::marac_areas(&app),
                    &all,
                    &f,
                    &errors,
                )),
            )
                .into_response()
        }
        Err(Failure::Forbidden) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// `GET /marac/meetings/{id}`: the agenda.
pub async fn agenda(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Response {
    let v = match service::agenda(&app, &s, &raw).await {
        Ok(v) => v,
        Err(Failure::Forbidden | Failure::NotFound) => return not_found_page(Some(&s)),
        Err(e) => return failure_page(&s, e),
    };
    let m = &v.meeting;
    let mut body = back_link("/marac/meetings");
    body.push_str(&h1(&format!("MARAC {}: {}", m.area, long(m.held_on))));
    body.push_str(&p(&format!(
        "{}. Referrals made from {} to {}: {} case{}, those with children first.",
        esc(&m.venue),
        long(v.window.0),
        long(v.window.1),
        v.items.len(),
        if v.items.len() == 1 { "" } else { "s" }
    )));
    body.push_str(&withheld_notice(v.withheld));
    let heard = v.items.len() as u64 + v.withheld;
    if heard > u64::from(v.capacity) {
        body.push_str(&format!(
            "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span>Over capacity: {heard} cases for a meeting that hears {}. Plan an extra meeting, or agree with the chair which cases wait.</strong></div>",
            v.capacity
        ));
    } else {
        body.push_str(&p(&format!("{heard} of {} places taken.", v.capacity)));
    }
    let with_children = v.items.iter().filter(|i| i.children).count();
    let row = |n: usize, i: &vigil_domain::marac_meeting::AgendaItem| {
        let mut marks = Vec::new();
        if i.children {
            marks.push(tag("Children", "purple"));
        }
        if i.repeat {
            marks.push(tag("Repeat", "orange"));
        }
        if i.review {
            marks.push(tag("Heard 12 months or more ago", "grey"));
        }
        vec![
            (n + 1).to_string(),
            {
                // Those who read the force's records may open the victim's; the others
                // at the table see the name.
                let shown = v
                    .names
                    .get(&i.referral.person)
                    .cloned()
                    .unwrap_or_else(|| i.referral.person.to_string());
                let name = if allows(s.user.role, Capability::ReadCases) {
                    link(&format!("/people/{}", i.referral.person), &shown)
                } else {
                    esc(&shown)
                };
                format!("{name} ({})", esc(i.referral.id.as_str()))
            },
            i.referral
                .incident
                .as_ref()
                .map_or("–".into(), |c| crate::pages::link_case(c.as_str())),
            esc(&vigil_domain::dates::long_time(i.referral.referred_at)),
            esc(agency_words(i.referral.agency)),
            i.last_marac.map_or("–".into(), |t| esc(&long(t.date()))),
            marks.join(" "),
        ]
    };
    let header = [
        "Order",
        "Victim",
        "Case",
        "Referred",
        "By",
        "Last MARAC",
        "Marked",
    ];
    body.push_str(&table(
        "Cases with children",
        &header,
        v.items[..with_children]
            .iter()
            .enumerate()
            .map(|(n, i)| row(n, i))
            .collect(),
    ));
    body.push_str(&table(
        "Adult-only cases",
        &header,
        v.items[with_children..]
            .iter()
            .enumerate()
            .map(|(n, i)| row(n + with_children, i))
            .collect(),
    ));
    let empty = crate::forms::FormData(Vec::new());
    body.push_str(&research_section(&s, &v, &empty, &[]));
    body.push_str(&record_section(&s, &v, &empty, &[]));
    body.push_str(&actions_section(&s, &v, &empty, &[]));
    Html(page_at("MARAC agenda", Some(&s), "/marac/meetings", &body)).into_response()
}

/// The meeting's record: who attended, each case's discussion and the risk after it, the
/// transfers, and the chair's approval; with the forms for those who keep it.
fn record_section(
    s: &Session,
    v: &service::AgendaView,
    f: &crate::forms::FormData,
    errors: &[FieldError],
) -> String {
    let r = &v.record;
    let id = v.meeting.id;
    let mut out = h2("The meeting's record");
    match &r.approved {
        Some(a) => out.push_str(&format!(
            "<div class=\"govuk-inset-text\">The minutes were approved on {} by {}: the record is closed. {}</div>",
            esc(&vigil_domain::dates::long_time(a.approved_at)),
            esc(a.approved_by.as_str()),
            link(&format!("/marac/meetings/{id}/minutes"), "Read the minutes")
        )),
        None if r.coordinates || r.chairs => out.push_str(&p(&format!(
            "Not yet approved. {}",
            link(&format!("/marac/meetings/{id}/minutes"), "Read the draft minutes")
        ))),
        None => out.push_str(&p("The minutes go to the agencies that attended once the chair approves them.")),
    }
    out.push_str(&table(
        "Attendance",
        &["Agency", "Attended for it"],
        r.record
            .attendance
            .iter()
            .map(|a| vec![esc(agency_words(a.agency)), esc(&a.attendees)])
            .collect(),
    ));
    let name_of = |rid: &vigil_domain::ReferralId| {
        v.items
            .iter()
            .find(|i| &i.referral.id == rid)
            .and_then(|i| v.names.get(&i.referral.person).cloned())
            .unwrap_or_else(|| rid.to_string())
    };
    out.push_str(&table(
        "Discussions",
        &["Case", "Discussion", "Risk after"],
        r.record
            .discussions
            .iter()
            .map(|d| {
                vec![
                    format!(
                        "{} ({})",
                        esc(&name_of(&d.referral_id)),
                        esc(d.referral_id.as_str())
                    ),
                    esc(&d.discussion),
                    esc(&d.risk_after.as_str().replace('_', " ")),
                ]
            })
            .collect(),
    ));
    let moved: Vec<&vigil_domain::marac_record::Transfer> = r
        .record
        .transfers
        .iter()
        .filter(|t| v.items.iter().any(|i| i.referral.id == t.referral_id))
        .collect();
    if !moved.is_empty() {
        out.push_str(&table(
            "Transfers",
            &["Case", "From", "To", "Why", "When"],
            moved
                .iter()
                .map(|t| {
                    vec![
                        esc(t.referral_id.as_str()),
                        esc(&t.from_area),
                        esc(&t.to_area),
                        esc(&t.reason),
                        esc(&vigil_domain::dates::long_time(t.transferred_at)),
                    ]
                })
                .collect(),
        ));
    }
    if r.approved.is_some() || v.items.is_empty() {
        return out;
    }
    if r.coordinates {
        let mut fields = String::new();
        for a in vigil_domain::Agency::ALL
            .iter()
            .filter(|a| **a != vigil_domain::Agency::Other)
        {
            let key = format!("attendees-{}", a.as_str());
            let recorded = r
                .record
                .attendance
                .iter()
                .find(|x| x.agency == *a)
                .map(|x| x.attendees.clone())
                .unwrap_or_default();
            let value = if f.0.is_empty() {
                recorded.as_str()
            } else {
                f.get(&key)
            };
            fields.push_str(
                &Input::text(&key, agency_words(*a), value)
                    .hint("Names and roles; leave empty if the agency was absent")
                    .render(errors),
            );
        }
        out.push_str(&format!(
            "<h3 class=\"govuk-heading-s\">Record attendance</h3><form method=\"post\" action=\"/marac/meetings/{id}/attendance\" novalidate>{}{}{}</form>",
            csrf(&s.csrf_token),
            fields,
            button("Save attendance", None, false)
        ));
    }
    if r.coordinates || r.chairs {
        out.push_str(&format!(
            "<h3 class=\"govuk-heading-s\">Record a case's discussion</h3><form method=\"post\" action=\"/marac/meetings/{id}/discussions\" novalidate>{}{}{}{}{}</form>",
            csrf(&s.csrf_token),
            select("discussion_referral_id", "Case", &case_options(v), f.get("discussion_referral_id"), errors),
            textarea(
                "discussion",
                "What the meeting said",
                Some("The minutes carry it to the agencies that attended; no address"),
                f.get("discussion"),
                errors
            ),
            radios(
                "risk_after",
                "Risk after discussion",
                None,
                &[("high", "High"), ("medium", "Medium"), ("standard", "Standard")],
                f.get("risk_after"),
                true,
                errors
            ),
            button("Save the discussion", None, false)
        ));
    }
    if r.coordinates {
        out.push_str(&format!(
            "<h3 class=\"govuk-heading-s\">Transfer a case to another MARAC</h3><form method=\"post\" action=\"/marac/meetings/{id}/transfers\" novalidate>{}{}{}{}{}</form>",
            csrf(&s.csrf_token),
            select("transfer_referral_id", "Case", &case_options(v), f.get("transfer_referral_id"), errors),
            Input::text("to_area", "To", f.get("to_area"))
                .hint("Another of the force's MARAC areas, or another force's MARAC by name")
                .width("20")
                .render(errors),
            Input::text("reason", "Why", f.get("reason")).render(errors),
            button("Transfer the case", None, true)
        ));
    }
    if r.chairs {
        out.push_str(&format!(
            "<h3 class=\"govuk-heading-s\">Approve the minutes</h3>{}<form method=\"post\" action=\"/marac/meetings/{id}/approval\" novalidate>{}{}</form>",
            p("Once approved the record is closed and the minutes go to the agencies that attended."),
            csrf(&s.csrf_token),
            button("Approve the minutes", None, false)
        ));
    }
    out
}

/// `POST /marac/meetings/{id}/attendance`.
pub async fn record_attendance(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(raw): axum::extract::Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let entries: Vec<(String, String)> =
        f.0.iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("attendees-")?.to_owned(), v.clone())))
            .collect();
    let done = service::record_attendance(&app, &s, &raw, &entries).await;
    // "No one attended" belongs on the form's first agency, where the summary links.
    let moved = ("attendance", "attendees-police");
    agenda_answer(&app, &s, &raw, &f, done, moved, record_section).await
}

/// `POST /marac/meetings/{id}/discussions`.
pub async fn record_discussion(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(raw): axum::extract::Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = service::DiscussionInput {
        referral_id: f.get("discussion_referral_id").to_owned(),
        discussion: f.get("discussion").to_owned(),
        risk_after: f.get("risk_after").to_owned(),
    };
    let done = service::record_discussion(&app, &s, &raw, &input).await;
    agenda_answer(
        &app,
        &s,
        &raw,
        &f,
        done,
        ("referral_id", "discussion_referral_id"),
        record_section,
    )
    .await
}

/// `POST /marac/meetings/{id}/transfers`.
pub async fn transfer(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(raw): axum::extract::Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = service::TransferInput {
        referral_id: f.get("transfer_referral_id").to_owned(),
        to_area: f.get("to_area").to_owned(),
        reason: f.get("reason").to_owned(),
    };
    let done = service::transfer(&app, &s, &raw, &input).await;
    agenda_answer(
        &app,
        &s,
        &raw,
        &f,
        done,
        ("referral_id", "transfer_referral_id"),
        record_section,
    )
    .await
}

/// `POST /marac/meetings/{id}/approval`: the chair approves the minutes.
pub async fn approve(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(raw): axum::extract::Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match service::approve_minutes(&app, &s, &raw).await {
        Ok(_) => {
            axum::response::Redirect::to(&format!("/marac/meetings/{raw}/minutes")).into_response()
        }
        Err(e) => agenda_form_failure(&app, &s, &raw, &f, e, record_section).await,
    }
}

/// `GET /marac/meetings/{id}/minutes`: the minutes as a document to print or save, for
/// the coordinator and chair, and once approved for the agencies that attended.
pub async fn minutes(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Response {
    let m = match service::minutes(&app, &s, &raw).await {
        Ok(m) => m,
        Err(Failure::Forbidden | Failure::NotFound) => return not_found_page(Some(&s)),
        Err(e) => return failure_page(&s, e),
    };
    let mut body = back_link(&format!("/marac/meetings/{}", m.meeting.id));
    body.push_str(&format!(
        "<span class=\"govuk-caption-l\">OFFICIAL-SENSITIVE: for the agencies that attended; not to be copied on</span>{}",
        h1(&format!("Minutes: MARAC {}, {}", m.meeting.area, long(m.meeting.held_on)))
    ));
    body.push_str(&match &m.approved {
        Some(a) => p(&format!(
            "Approved by the chair ({}) on {}.",
            esc(a.approved_by.as_str()),
            esc(&vigil_domain::dates::long_time(a.approved_at))
        )),
        None => "<strong class=\"govuk-tag govuk-tag--yellow\">Draft</strong>".to_owned(),
    });
    body.push_str(&p(if m.addresses_shown {
        "Victims' addresses are shown because your agency's part in the plans needs them. A refuge or new address is never in the minutes."
    } else {
        "Victims' addresses are withheld: your agency's part in the plans does not need them."
    }));
    body.push_str(&withheld_notice(m.withheld));
    body.push_str(&table(
        "Attendance",
        &["Agency", "Attended for it"],
        m.attendance
            .iter()
            .map(|a| vec![esc(agency_words(a.agency)), esc(&a.attendees)])
            .collect(),
    ));
    for (n, c) in m.cases.iter().enumerate() {
        let mut rows = vec![(
            "Victim",
            esc(&c.name.clone().unwrap_or_else(|| c.person_id.to_string())),
        )];
        if m.addresses_shown {
            rows.push((
                "Address",
                esc(c
                    .address
                    .as_deref()
                    .unwrap_or("Withheld (confidential) or not known")),
            ));
        }
        let mut marks = Vec::new();
        if c.children {
            marks.push("children in the household");
        }
        if c.repeat {
            marks.push("repeat referral");
        }
        rows.push((
            "Marked",
            esc(&if marks.is_empty() {
                "–".to_owned()
            } else {
                marks.join(", ")
            }),
        ));
        rows.push((
            "Discussion",
            c.discussion
                .as_ref()
                .map_or("Not recorded".into(), |d| esc(&d.discussion)),
        ));
        rows.push((
            "Risk after discussion",
            c.discussion
                .as_ref()
                .map_or("–".into(), |d| esc(d.risk_after.as_str())),
        ));
        if let Some(to) = &c.transferred_to {
            rows.push(("Transferred to", esc(to)));
        }
        let actions: Vec<String> = c
            .actions
            .iter()
            .map(|a| {
                format!(
                    "<li>{} ({}, {}): due {}</li>",
                    esc(&a.description),
                    esc(agency_words(a.owner)),
                    esc(a.about.as_str()),
                    esc(&long(a.due))
                )
            })
            .collect();
        rows.push((
            "Actions agreed",
            if actions.is_empty() {
                "None".into()
            } else {
                format!(
                    "<ul class=\"govuk-list govuk-list--bullet\">{}</ul>",
                    actions.join("")
                )
            },
        ));
        body.push_str(&format!(
            "<div class=\"govuk-summary-card\"><div class=\"govuk-summary-card__title-wrapper\"><h2 class=\"govuk-summary-card__title\">Case {}: {}</h2></div><div class=\"govuk-summary-card__content\">{}</div></div>",
            n + 1,
            esc(c.referral_id.as_str()),
            summary_list(&rows)
        ));
    }
    Html(page_at("MARAC minutes", Some(&s), "/marac/meetings", &body)).into_response()
}

/// The agenda's action plans: each case's open actions (from this meeting or before) and
/// this meeting's done ones, then the form to add one.
fn actions_section(
    s: &Session,
    v: &service::AgendaView,
    f: &crate::forms::FormData,
    errors: &[FieldError],
) -> String {
    let today_open = |a: &vigil_domain::marac_actions::Action| {
        if a.is_open() {
            tag("Open", "blue")
        } else {
            tag("Done", "green")
        }
    };
    let mut out = h2("Action plans");
    out.push_str(&table(
        "Actions, soonest due first",
        &["Case", "About", "Owner", "Action", "Due", "State"],
        v.actions
            .iter()
            .map(|a| {
                vec![
                    esc(a.referral_id.as_str()),
                    esc(a.about.as_str()),
                    esc(agency_words(a.owner)),
                    esc(&a.description),
                    esc(&long(a.due)),
                    today_open(a),
                ]
            })
            .collect(),
    ));
    let cases = case_options(v);
    let owners: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose the agency".to_owned()))
            .chain(
                vigil_domain::Agency::ALL
                    .iter()
                    .filter(|a| **a != vigil_domain::Agency::Other)
                    .map(|a| (a.as_str().to_owned(), agency_words(*a).to_owned())),
            )
            .collect();
    if !v.items.is_empty() && allows(s.user.role, Capability::CoordinateMarac) {
        out.push_str(&format!(
            "<h3 class=\"govuk-heading-s\">Add an action</h3><form method=\"post\" action=\"/marac/meetings/{}/actions\" novalidate>{}{}{}{}{}{}{}</form>",
            v.meeting.id,
            csrf(&s.csrf_token),
            select("action_referral_id", "Case", &cases, f.get("action_referral_id"), errors),
            radios(
                "about",
                "About",
                None,
                &[("victim", "The victim's safety"), ("perpetrator", "The perpetrator")],
                f.get("about"),
                true,
                errors
            ),
            select("owner", "Owned by", &owners, f.get("owner"), errors),
            textarea("description", "Action", Some("What is to be done, up to 500 characters"), f.get("description"), errors),
            Input::text("due", "Due", f.get("due"))
                .hint("For example 17/09/2019")
                .width("10")
                .render(errors),
            button("Add the action", None, false)
        ));
    }
    out
}

/// `POST /marac/meetings/{id}/actions`.
pub async fn add_action(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(raw): axum::extract::Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = service::ActionInput {
        referral_id: f.get("action_referral_id").to_owned(),
        about: f.get("about").to_owned(),
        owner: f.get("owner").to_owned(),
        description: f.get("description").to_owned(),
        due: f.get("due").to_owned(),
    };
    let done = service::add_action(&app, &s, &raw, &input).await;
    agenda_answer(
        &app,
        &s,
        &raw,
        &f,
        done,
        ("referral_id", "action_referral_id"),
        actions_section,
    )
    .await
}

/// `GET /marac/actions`: the actions the user's agency owns (the CRU: the police's).
pub async fn my_actions(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    let list = match service::my_actions(&app, &s, false).await {
        Ok(l) => l,
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(e) => return failure_page(&s, e),
    };
    let today = app.now().date();
    // The owning agency completes its actions; the coordinator chases them.
    let completes =
        allows(s.user.role, Capability::Safeguard) || allows(s.user.role, Capability::ReadShared);
    let mut body = h1("MARAC actions");
    body.push_str(&p("The actions MARAC meetings gave your agency, soonest due first. Complete each with what was done: the next meeting reviews it."));
    let open = list.iter().filter(|a| a.is_open()).count();
    body.push_str(&p(&format!("{open} open, {} done.", list.len() - open)));
    for a in &list {
        let state = if !a.is_open() {
            tag("Done", "green")
        } else if a.is_late(today) {
            tag("Overdue", "red")
        } else {
            tag("Open", "blue")
        };
        body.push_str(&format!(
            "<div class=\"govuk-summary-card\"><div class=\"govuk-summary-card__title-wrapper\"><h2 class=\"govuk-summary-card__title\">Action {} {}</h2></div><div class=\"govuk-summary-card__content\">{}{}</div></div>",
            a.id,
            state,
            summary_list(&[
                ("Case", esc(a.referral_id.as_str())),
                ("Person", esc(a.person_id.as_str())),
                ("Owner", esc(agency_words(a.owner))),
                ("About", esc(a.about.as_str())),
                ("Action", esc(&a.description)),
                ("Due", esc(&long(a.due))),
                (
                    "Done",
                    a.done.as_ref().map_or("Not yet".into(), |(at, by, e)| {
                        format!("{} by {}: {}", esc(&vigil_domain::dates::long_time(*at)), esc(by.as_str()), esc(e))
                    }),
                ),
            ]),
            if a.is_open() && completes {
                format!(
                    "<form method=\"post\" action=\"/marac/actions/{}/complete\" novalidate>{}{}{}</form>",
                    a.id,
                    csrf(&s.csrf_token),
                    textarea(&format!("evidence-{}", a.id), "What was done", None, "", &[]),
                    button("Complete the action", None, false)
                )
            } else {
                String::new()
            }
        ));
    }
    Html(page_at("MARAC actions", Some(&s), "/marac/actions", &body)).into_response()
}

/// `POST /marac/actions/{id}/complete`.
pub async fn complete_action(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(raw): axum::extract::Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let evidence = f.get(&format!("evidence-{}", raw.trim())).to_owned();
    match service::complete_action(&app, &s, &raw, &evidence).await {
        Ok(_) => axum::response::Redirect::to("/marac/actions").into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

fn case_options(v: &service::AgendaView) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Choose the case".to_owned()))
        .chain(v.items.iter().map(|i| {
            (
                i.referral.id.to_string(),
                format!(
                    "{} ({})",
                    v.names
                        .get(&i.referral.person)
                        .cloned()
                        .unwrap_or_else(|| i.referral.person.to_string()),
                    i.referral.id
                ),
            )
        }))
        .collect()
}

/// What each agency holds on each case, and the form for the user's agency to say.
fn research_section(
    s: &Session,
    v: &service::AgendaView,
    f: &crate::forms::FormData,
    errors: &[FieldError],
) -> String {
    let mut out = h2("Research");
    out.push_str(&p(
        "What each agency holds on the victim, the perpetrator and the children, for this meeting only.",
    ));
    out.push_str(&table(
        "Research by agency",
        &["Case", "Agency", "What is held", "Recorded"],
        v.research
            .iter()
            .map(|r| {
                vec![
                    esc(r.referral_id.as_str()),
                    esc(agency_words(r.agency)),
                    esc(&r.text),
                    format!(
                        "{} by {}",
                        esc(&vigil_domain::dates::long_time(r.recorded_at)),
                        esc(r.recorded_by.as_str())
                    ),
                ]
            })
            .collect(),
    ));
    // The agencies research (the CRU for the police); the coordinator and chair do not.
    let speaks_for_an_agency =
        allows(s.user.role, Capability::Safeguard) || allows(s.user.role, Capability::ReadShared);
    if !v.items.is_empty() && speaks_for_an_agency {
        out.push_str(&format!(
            "<h3 class=\"govuk-heading-s\">Add your agency's research</h3><form method=\"post\" action=\"/marac/meetings/{}/research\" novalidate>{}{}{}{}</form>",
            v.meeting.id,
            csrf(&s.csrf_token),
            select("research_referral_id", "Case", &case_options(v), f.get("research_referral_id"), errors),
            textarea(
                "text",
                "What your agency holds",
                Some("On the victim, the perpetrator and the children; 'Nothing held' is an answer"),
                f.get("text"),
                errors
            ),
            button("Save the research", None, false)
        ));
    }
    out
}

/// `POST /marac/meetings/{id}/research`.
pub async fn add_research(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(raw): axum::extract::Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done =
        service::add_research(&app, &s, &raw, f.get("research_referral_id"), f.get("text")).await;
    let moved = ("referral_id", "research_referral_id");
    agenda_answer(&app, &s, &raw, &f, done, moved, research_section).await
}

/// An agenda form's answer: back to the agenda when it saved, else the form again with its
/// problems, the use case's field `moved.0` shown on the form's `moved.1`. The agenda
/// holds several forms that each choose a case: each names its own field
/// (`research_referral_id`, ...) so no two share an id.
async fn agenda_answer<T>(
    app: &App,
    s: &Session,
    raw: &str,
    f: &crate::forms::FormData,
    done: Result<T, Failure>,
    moved: (&str, &str),
    section: fn(&Session, &service::AgendaView, &crate::forms::FormData, &[FieldError]) -> String,
) -> Response {
    let failure = match done {
        Ok(_) => {
            return axum::response::Redirect::to(&format!("/marac/meetings/{raw}")).into_response();
        }
        Err(Failure::Invalid(errors)) => Failure::Invalid(
            errors
                .into_iter()
                .map(|mut e| {
                    if e.field == moved.0 {
                        e.field = moved.1.to_owned();
                    }
                    e
                })
                .collect(),
        ),
        Err(other) => other,
    };
    agenda_form_failure(app, s, raw, f, failure, section).await
}

/// One of the agenda's forms failed: its problems shown on the form, in the agenda's
/// heading; a refusal as "not found"; anything else as the failure page.
async fn agenda_form_failure(
    app: &App,
    s: &Session,
    raw: &str,
    f: &crate::forms::FormData,
    failure: Failure,
    section: fn(&Session, &service::AgendaView, &crate::forms::FormData, &[FieldError]) -> String,
) -> Response {
    let errors = match failure {
        Failure::Invalid(errors) => errors,
        Failure::Forbidden | Failure::NotFound => return not_found_page(Some(s)),
        e => return failure_page(s, e),
    };
    match service::agenda(app, s, raw).await {
        Ok(v) => {
            let mut body = error_summary(&errors);
            body.push_str(&h1(&format!(
                "MARAC {}: {}",
                v.meeting.area,
                long(v.meeting.held_on)
            )));
            body.push_str(&section(s, &v, f, &errors));
            (
                StatusCode::BAD_REQUEST,
                Html(page_at("MARAC agenda", Some(s), "/marac/meetings", &body)),
            )
                .into_response()
        }
        Err(e) => failure_page(s, e),
    }
}

/// The MARAC referral form's own questions (the police's case form and a partner's
/// referral page share them): the referrer's number, what the victim wants, consent
/// sought, professional judgement, the diversity questions the return counts, a transfer
/// in.
pub fn referral_form_fields(f: &crate::forms::FormData, errors: &[FieldError]) -> String {
    let answer = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")];
    format!(
        "<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h2 class=\"govuk-fieldset__heading\">For a MARAC referral</h2></legend>{}{}{}{}{}{}{}{}</fieldset>",
        Input::text(
            "referrer_phone",
            "Your telephone number",
            f.get("referrer_phone")
        )
        .hint("The coordinator calls you about the referral, for example 01245 491491")
        .width("20")
        .render(errors),
        textarea(
            "victim_wishes",
            "What the victim wants from the MARAC",
            Some("In their words where possible; 'Not yet asked' is an answer"),
            f.get("victim_wishes"),
            errors
        ),
        radios(
            "consent_sought",
            "Was the victim asked for consent to the referral?",
            Some("MARAC does not need consent; if it was asked, answer the consent question above"),
            &[("yes", "Yes"), ("no", "No")],
            f.get("consent_sought"),
            true,
            errors
        ),
        textarea(
            "judgement_reason",
            "Professional judgement: why you judge the risk high",
            Some(
                "Needed when the case meets none of the area's criteria (the DASH count, escalation, a repeat)"
            ),
            f.get("judgement_reason"),
            errors
        ),
        radios(
            "disability",
            "Does the victim have a disability?",
            None,
            &answer,
            f.get("disability"),
            true,
            errors
        ),
        radios(
            "sexuality",
            "The victim's sexual orientation",
            Some("As the victim describes it"),
            &[
                ("heterosexual", "Heterosexual"),
                ("gay_or_lesbian", "Gay or lesbian"),
                ("bisexual", "Bisexual"),
                ("other", "Another orientation"),
                ("not_known", "Not known"),
                ("declined", "Prefers not to say"),
            ],
            f.get("sexuality"),
            false,
            errors
        ),
        radios(
            "transgender",
            "Is the victim transgender?",
            None,
            &answer,
            f.get("transgender"),
            true,
            errors
        ),
        Input::text(
            "transferred_from",
            "Transferred from another force's MARAC (optional)",
            f.get("transferred_from")
        )
        .hint("Its name, for a case that moved into the area")
        .width("20")
        .render(errors),
    )
}

/// The home page's MARAC work: the user's agency's open and overdue actions (the
/// coordinator's: every agency's in the area), the overdue ones listed to chase.
pub async fn work_section(app: &App, s: &Session) -> String {
    let role = s.user.role;
    let works_actions = allows(role, Capability::Safeguard)
        || allows(role, Capability::CoordinateMarac)
        || (allows(role, Capability::ReadShared) && s.user.agency.is_some());
    if !works_actions {
        return String::new();
    }
    let Ok(list) = service::my_actions(app, s, true).await else {
        return p("Your MARAC actions could not be read just now; try again shortly.");
    };
    let today = app.now().date();
    let late: Vec<&vigil_domain::marac_actions::Action> =
        list.iter().filter(|a| a.is_late(today)).collect();
    let mut out = h2(
        if allows(role, Capability::CoordinateMarac) && !allows(role, Capability::Safeguard) {
            "MARAC actions to chase"
        } else {
            "Your agency's MARAC actions"
        },
    );
    out.push_str(&p(&format!(
        "{} open, {} overdue. {}",
        list.len(),
        late.len(),
        link("/marac/actions", "See them all")
    )));
    if !late.is_empty() {
        out.push_str(&table(
            "Overdue MARAC actions, longest overdue first",
            &["Action", "Owner", "Case", "Due"],
            late.iter()
                .take(20)
                .map(|a| {
                    vec![
                        esc(&a.description),
                        esc(agency_words(a.owner)),
                        esc(a.referral_id.as_str()),
                        format!("{} {}", tag("Overdue", "red"), esc(&long(a.due))),
                    ]
                })
                .collect(),
        ));
    }
    out
}

// ----- a partner agency's MARAC referral -----

fn partner_referral_page(
    app: &App,
    s: &Session,
    f: &crate::forms::FormData,
    errors: &[FieldError],
) -> String {
    let n = |name: &str| format!("victim_{name}");
    let mut body = error_summary(errors);
    body.push_str(&h1("Refer a victim to MARAC"));
    body.push_str(&p("For a victim your agency judges at high risk of serious harm or homicide. The referral goes on your area's next MARAC agenda and the MARAC coordinator calls you about it. Consent is not needed for a MARAC referral; say whether it was asked."));
    let area = match &s.user.lpa {
        Some(l) => p(&format!(
            "The victim's area: {} (your area).",
            esc(l.as_str())
        )),
        None => {
            let options: Vec<(String, String)> =
                std::iter::once((String::new(), "Choose the area".to_owned()))
                    .chain(app.lpas.iter().map(|l| (l.to_string(), l.to_string())))
                    .collect();
            select("lpa", "The victim's area", &options, f.get("lpa"), errors)
        }
    };
    let answer = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")];
    body.push_str(&format!(
        "<form method=\"post\" action=\"/marac/referrals\" novalidate>{}<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h2 class=\"govuk-fieldset__heading\">The victim</h2></legend>{}{}{}{}{}{}{}</fieldset>{}{}{}{}{}{}</form>",
        csrf(&s.csrf_token),
        Input::text(&n("family_name"), "Family name", f.get(&n("family_name"))).render(errors),
        Input::text(&n("given_names"), "Given names", f.get(&n("given_names"))).render(errors),
        Input::text(&n("birth_date"), "Date of birth (if known)", f.get(&n("birth_date")))
            .hint("For example, 31/08/1990. With the name, it finds the person if the police already hold them")
            .width("10")
            .render(errors),
        radios(
            &n("sex"),
            "Sex",
            None,
            &[("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Not known")],
            f.get(&n("sex")),
            true,
            errors
        ),
        Input::text(&n("address"), "Address", f.get(&n("address"))).width("30").render(errors),
        Input::text(&n("postcode"), "Postcode", f.get(&n("postcode"))).width("10").render(errors),
        area,
        Input::text("perpetrator_name", "The perpetrator's name", f.get("perpetrator_name"))
            .hint("As you know it; 'Not known' is an answer")
            .render(errors),
        radios(
            "children_in_household",
            "Do children live in the household?",
            None,
            &answer,
            f.get("children_in_household"),
            true,
            errors
        ),
        Input::text("dash_score", "DASH risk checklist: number of yes answers (if completed)", f.get("dash_score"))
            .hint("0 to 27; the area's threshold for visible high risk applies")
            .width("3")
            .render(errors),
        radios(
            "consent",
            "Did the victim consent?",
            Some("Answer 'Not known' if consent was not asked"),
            &answer,
            f.get("consent"),
            true,
            errors
        ),
        referral_form_fields(f, errors),
        button("Send the referral", None, false),
    ));
    page_at("Refer to MARAC", Some(s), "/marac/referrals/new", &body)
}

/// `GET /marac/referrals/new`: a partner agency's MARAC referral form.
pub async fn partner_referral_form(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    if !refers_as_partner(&s) {
        return not_found_page(Some(&s));
    }
    Html(partner_referral_page(
        &app,
        &s,
        &crate::forms::FormData(Vec::new()),
        &[],
    ))
    .into_response()
}

/// A partner agency with a MARAC seat (the police refer from the case).
fn refers_as_partner(s: &Session) -> bool {
    allows(s.user.role, Capability::ReadShared)
        && s.user.agency.is_some_and(|a| {
            vigil_domain::sharing::kinds_shared_with(a).contains(&vigil_domain::ReferralKind::Marac)
        })
}

pub fn partner_referral_input(f: &crate::forms::FormData) -> service::PartnerReferralInput {
    service::PartnerReferralInput {
        victim: crate::forms::party_input(f, "victim"),
        lpa: f.get("lpa").to_owned(),
        perpetrator_name: f.get("perpetrator_name").to_owned(),
        children_in_household: f.get("children_in_household").to_owned(),
        dash_score: f.get("dash_score").to_owned(),
        consent: f.get("consent").to_owned(),
        referrer_phone: f.get("referrer_phone").to_owned(),
        victim_wishes: f.get("victim_wishes").to_owned(),
        consent_sought: f.get("consent_sought").to_owned(),
        judgement_reason: f.get("judgement_reason").to_owned(),
        disability: f.get("disability").to_owned(),
        sexuality: f.get("sexuality").to_owned(),
        transgender: f.get("transgender").to_owned(),
        transferred_from: f.get("transferred_from").to_owned(),
    }
}

/// `POST /marac/referrals`: sends it and opens it in the agency's shared list.
pub async fn partner_referral(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match service::partner_referral(&app, &s, &partner_referral_input(&f)).await {
        Ok(id) => axum::response::Redirect::to(&format!("/shared/{id}?sent=1")).into_response(),
        Err(Failure::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            Html(partner_referral_page(&app, &s, &f, &errors)),
        )
            .into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}
