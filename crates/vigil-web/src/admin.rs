//! Administration in the browser: the users (list, add, change, disable and re-enable,
//! reset a password), a user's own password, and the audit trail a page at a time with its
//! filters. Each change posts to `service::admin`, which audits it.

use crate::App;
use crate::components::*;
use crate::forms::FormData;
use crate::layout::{page, page_at};
use crate::pages::{SignedIn, failure_page, not_found_page, problem, signed_form};
use crate::service::{self, Failure, PasswordChange, UserInput};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::Agency;
use vigil_domain::access::{Capability, Role, allows};
use vigil_store::{Session, User};

// ----- users -----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserListQuery {
    find: String,
    page: Option<String>,
}

fn role_words(r: Role) -> &'static str {
    match r {
        Role::CallHandler => "Call handler",
        Role::ResponseOfficer => "Response officer",
        Role::DaitInvestigator => "DAIT investigator",
        Role::DaitSergeant => "DAIT sergeant",
        Role::CruOfficer => "CRU officer",
        Role::Analyst => "Analyst",
        Role::PartnerAgency => "Partner agency",
        Role::Administrator => "Administrator",
        Role::MaracCoordinator => "MARAC coordinator",
        Role::MaracChair => "MARAC chair",
    }
}

/// `GET /admin/users`: every user, 50 a page, found by username or name.
pub async fn users(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<UserListQuery>,
) -> Response {
    if !allows(s.user.role, Capability::Administer) {
        return not_found_page(Some(&s));
    }
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let find: String = q.find.chars().take(100).collect();
    let list = match service::list_users(&app, &s, &find, page_no).await {
        Ok(l) => l,
        Err(f) => return failure_page(&s, f),
    };
    let mut body = h1("Users");
    body.push_str(&format!(
        "<a href=\"/admin/users/new\" role=\"button\" draggable=\"false\" class=\"govuk-button\" data-module=\"govuk-button\">Add a user</a><form method=\"get\" action=\"/admin/users\" novalidate>{}{}</form>",
        Input::text("find", "Find a user", &find)
            .hint("Part of a username or name")
            .width("20")
            .render(&[]),
        button("Find", None, true)
    ));
    body.push_str(&p(&format!(
        "{} user{}{}.",
        list.total,
        if list.total == 1 { "" } else { "s" },
        if find.trim().is_empty() {
            String::new()
        } else {
            format!(" matching '{}'", esc(find.trim()))
        }
    )));
    body.push_str(&table(
        "Users",
        &["Username", "Name", "Role", "Agency or area", "Status"],
        list.users
            .iter()
            .map(|u| {
                vec![
                    link(&format!("/admin/users/{}", u.username), u.username.as_str()),
                    esc(&u.display_name),
                    esc(role_words(u.role)),
                    esc(&u
                        .agency
                        .map(|a| agency_words(a).to_owned())
                        .unwrap_or_else(|| {
                            u.lpa.as_ref().map_or("–".to_owned(), |l| l.to_string())
                        })),
                    if u.disabled {
                        tag("Disabled", "grey")
                    } else {
                        tag("Active", "green")
                    },
                ]
            })
            .collect(),
    ));
    body.push_str(&pagination(
        "/admin/users",
        &format!("find={}", crate::auth::query_value(&find)),
        list.page_no,
        service::pages(list.total, list.per_page),
    ));
    Html(page_at("Users", Some(&s), "/admin/users", &body)).into_response()
}

fn user_fields(app: &App, f: &FormData, errors: &[FieldError], adding: bool) -> String {
    let roles: Vec<(String, String)> = std::iter::once((String::new(), "Choose a role".into()))
        .chain(
            Role::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), role_words(*r).to_owned())),
        )
        .collect();
    let agencies: Vec<(String, String)> =
        std::iter::once((String::new(), "None: police staff".into()))
            .chain(
                Agency::ALL
                    .iter()
                    .filter(|a| **a != Agency::Police)
                    .map(|a| (a.as_str().to_owned(), agency_words(*a).to_owned())),
            )
            .collect();
    let areas: Vec<(String, String)> = std::iter::once((String::new(), "None".into()))
        .chain(app.lpas.iter().map(|l| (l.to_string(), l.to_string())))
        .collect();
    let mut out = String::new();
    if adding {
        out.push_str(
            &Input::text("username", "Username", f.get("username"))
                .hint("What they sign in with: lower-case letters, digits, dots and hyphens, for example jo.bloggs")
                .width("20")
                .render(errors),
        );
    }
    out.push_str(
        &Input::text("display_name", "Name", f.get("display_name"))
            .hint("Shown in Vigil and in the audit trail")
            .width("20")
            .render(errors),
    );
    out.push_str(&select("role", "Role", &roles, f.get("role"), errors));
    out.push_str(&select(
        "agency",
        "Partner agency",
        &agencies,
        f.get("agency"),
        errors,
    ));
    out.push_str(&select(
        "lpa",
        "Home Local Policing Area",
        &areas,
        f.get("lpa"),
        errors,
    ));
    out
}

fn input_of(f: &FormData) -> UserInput {
    UserInput {
        username: f.get("username").into(),
        display_name: f.get("display_name").into(),
        role: f.get("role").into(),
        agency: f.get("agency").into(),
        lpa: f.get("lpa").into(),
    }
}

fn new_user_page(app: &App, s: &Session, f: &FormData, errors: &[FieldError]) -> String {
    let body = format!(
        "{}{}{}<form method=\"post\" action=\"/admin/users\" novalidate>{}{}{}</form>",
        back_link("/admin/users"),
        error_summary(errors),
        h1("Add a user"),
        csrf(&s.csrf_token),
        user_fields(app, f, errors, true),
        button("Add the user", None, false)
    );
    page("Add a user", Some(s), &body)
}

/// `GET /admin/users/new`.
pub async fn new_user(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    if !allows(s.user.role, Capability::Administer) {
        return not_found_page(Some(&s));
    }
    Html(new_user_page(&app, &s, &FormData(Vec::new()), &[])).into_response()
}

/// The page that shows a one-time password, once.
fn password_page(s: &Session, user: &User, password: &str, what: &str) -> Response {
    let body = format!(
        "{}<div class=\"govuk-panel govuk-panel--confirmation\"><h1 class=\"govuk-panel__title\">{}</h1><div class=\"govuk-panel__body\">One-time password<br><strong class=\"vigil-password\">{}</strong></div></div>{}{}",
        back_link(&format!("/admin/users/{}", user.username)),
        esc(what),
        esc(password),
        p(&format!(
            "Give this password to {} ({}) in person or by phone, never by e-mail. It is shown only now: Vigil keeps only a hash of it. Ask them to change it when they first sign in (Your account → Change your password).",
            esc(&user.display_name),
            esc(user.username.as_str())
        )),
        link("/admin/users", "Back to the users")
    );
    let mut res = Html(page(what, Some(s), &body)).into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// `POST /admin/users`: adds the user and shows their one-time password.
pub async fn add_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match service::add_user(&app, &s, &input_of(&f)).await {
        Ok((user, password)) => password_page(&s, &user, &password, "User added"),
        Err(Failure::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            Html(new_user_page(&app, &s, &f, &errors)),
        )
            .into_response(),
        Err(e) => failure_page(&s, e),
    }
}

fn user_page(
    app: &App,
    s: &Session,
    user: &User,
    sessions: &[vigil_store::SessionInfo],
    f: &FormData,
    errors: &[FieldError],
) -> String {
    let name = user.username.as_str();
    let current = FormData(vec![
        ("display_name".into(), user.display_name.clone()),
        ("role".into(), user.role.as_str().into()),
        (
            "agency".into(),
            user.agency.map_or(String::new(), |a| a.as_str().into()),
        ),
        (
            "lpa".into(),
            user.lpa.as_ref().map_or(String::new(), |l| l.to_string()),
        ),
    ]);
    let shown = if f.0.is_empty() { &current } else { f };
    let status = if user.disabled {
        format!(
            "{}<form method=\"post\" action=\"/admin/users/{}/status\" novalidate>{}<input type=\"hidden\" name=\"status\" value=\"enabled\">{}</form>",
            p(&format!(
                "{} {} cannot sign in.",
                tag("Disabled", "grey"),
                esc(name)
            )),
            esc(name),
            csrf(&s.csrf_token),
            button("Let them sign in again", None, true)
        )
    } else {
        format!(
            "{}<form method=\"post\" action=\"/admin/users/{}/status\" novalidate>{}<input type=\"hidden\" name=\"status\" value=\"disabled\">{}</form>",
            p(&format!(
                "{} Disabling stops {} signing in at once; their records and audit history stay.",
                tag("Active", "green"),
                esc(name)
            )),
            esc(name),
            csrf(&s.csrf_token),
            "<button type=\"submit\" class=\"govuk-button govuk-button--warning\" data-module=\"govuk-button\">Disable this user</button>"
        )
    };
    let live = if sessions.is_empty() {
        p("Not signed in anywhere, and no API token is live.")
    } else {
        format!(
            "{}<form method=\"post\" action=\"/admin/users/{}/sessions\" novalidate>{}{}</form>",
            // Each row's own form ends one; the form after the table ends them all (forms
            // never nest).
            table(
                "Signed in",
                &["Reference", "Kind", "Started (UTC)", "Ends (UTC)", ""],
                sessions
                    .iter()
                    .map(|t| {
                        vec![
                            esc(&t.id),
                            if t.idle_expires_at.is_some() {
                                "Browser".to_owned()
                            } else {
                                "API token".to_owned()
                            },
                            when(t.created_at),
                            when(t.idle_expires_at.map_or(t.expires_at, |i| i.min(t.expires_at))),
                            format!(
                                "<form method=\"post\" action=\"/admin/users/{}/sessions\" novalidate>{}<input type=\"hidden\" name=\"id\" value=\"{}\"><button type=\"submit\" class=\"govuk-button govuk-button--secondary govuk-!-margin-bottom-0\" data-module=\"govuk-button\">End<span class=\"govuk-visually-hidden\"> session {}</span></button></form>",
                                esc(name),
                                csrf(&s.csrf_token),
                                esc(&t.id),
                                esc(&t.id)
                            ),
                        ]
                    })
                    .collect(),
            ),
            esc(name),
            csrf(&s.csrf_token),
            "<button type=\"submit\" class=\"govuk-button govuk-button--warning\" data-module=\"govuk-button\">End every session and token</button>"
        )
    };
    let body = format!(
        "{}{}<span class=\"govuk-caption-l\">{}</span>{}<form method=\"post\" action=\"/admin/users/{}\" novalidate>{}{}{}</form>{}{}{}<form method=\"post\" action=\"/admin/users/{}/password\" novalidate>{}{}</form>{}{}",
        back_link("/admin/users"),
        error_summary(errors),
        esc(name),
        h1(&user.display_name),
        esc(name),
        csrf(&s.csrf_token),
        user_fields(app, shown, errors, false),
        button("Save the changes", None, false),
        h2("Signing in"),
        status,
        p(
            "A new one-time password ends the user's sessions; give it to them in person or by phone."
        ),
        esc(name),
        csrf(&s.csrf_token),
        button("Reset the password", None, true),
        h2("Sessions and API tokens"),
        live
    );
    page(&user.display_name, Some(s), &body)
}

/// `GET /admin/users/{username}`.
pub async fn user(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    let shown = async {
        let u = service::user_for_admin(&app, &s, &raw).await?;
        let sessions = service::user_sessions(&app, &s, &raw).await?;
        Ok::<_, Failure>((u, sessions))
    };
    match shown.await {
        Ok((u, sessions)) => Html(user_page(
            &app,
            &s,
            &u,
            &sessions,
            &FormData(Vec::new()),
            &[],
        ))
        .into_response(),
        Err(Failure::Forbidden) => not_found_page(Some(&s)),
        Err(f) => failure_page(&s, f),
    }
}

/// A change to a user that failed: the user's page again with the problems (and what was
/// typed), or the page for the failure.
async fn user_failure(app: &App, s: &Session, raw: &str, f: &FormData, e: Failure) -> Response {
    match e {
        Failure::Invalid(errors) => {
            let shown = async {
                let u = service::user_for_admin(app, s, raw).await?;
                let sessions = service::user_sessions(app, s, raw).await?;
                Ok::<_, Failure>((u, sessions))
            };
            match shown.await {
                Ok((u, sessions)) => (
                    StatusCode::BAD_REQUEST,
                    Html(user_page(app, s, &u, &sessions, f, &errors)),
                )
                    .into_response(),
                Err(e) => failure_page(s, e),
            }
        }
        Failure::Forbidden => not_found_page(Some(s)),
        e => failure_page(s, e),
    }
}

/// `POST /admin/users/{username}`: name, role, agency and area.
pub async fn change_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match service::change_user(&app, &s, &raw, &input_of(&f)).await {
        Ok(u) => Redirect::to(&format!("/admin/users/{}?saved=1", u.username)).into_response(),
        Err(e) => user_failure(&app, &s, &raw, &f, e).await,
    }
}

/// `POST /admin/users/{username}/status`: `status=disabled` or `enabled`.
pub async fn set_status(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Who may first, then what was asked.
    match service::user_for_admin(&app, &s, &raw).await {
        Ok(_) => {}
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(e) => return failure_page(&s, e),
    }
    let disabled = match f.get("status") {
        "disabled" => true,
        "enabled" => false,
        _ => {
            return failure_page(
                &s,
                Failure::Invalid(vec![FieldError::new(
                    "status",
                    "Choose to disable or re-enable the user",
                )]),
            );
        }
    };
    match service::set_user_disabled(&app, &s, &raw, disabled).await {
        Ok(()) => Redirect::to(&format!("/admin/users/{raw}")).into_response(),
        Err(e) => user_failure(&app, &s, &raw, &FormData(Vec::new()), e).await,
    }
}

/// `POST /admin/users/{username}/sessions`: ends one (`id`) or all of them.
pub async fn end_sessions(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = Some(f.get("id").trim()).filter(|i| !i.is_empty());
    match service::end_user_sessions(&app, &s, &raw, id).await {
        Ok(_) => Redirect::to(&format!("/admin/users/{raw}")).into_response(),
        Err(e) => user_failure(&app, &s, &raw, &FormData(Vec::new()), e).await,
    }
}

/// `POST /admin/users/{username}/password`: a new one-time password, shown once.
pub async fn reset_password(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, _) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let user = match service::user_for_admin(&app, &s, &raw).await {
        Ok(u) => u,
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(f) => return failure_page(&s, f),
    };
    match service::reset_password(&app, &s, &raw).await {
        Ok(password) => password_page(&s, &user, &password, "Password reset"),
        Err(e) => failure_page(&s, e),
    }
}

// ----- a user's own password -----

fn own_password_page(s: &Session, errors: &[FieldError]) -> String {
    let field = |name: &str, label: &str, auto: &'static str| {
        let mut i = Input::text(name, label, "");
        i.kind = "password";
        i.autocomplete = Some(auto);
        i.width("20").render(errors)
    };
    let body = format!(
        "{}{}{}<form method=\"post\" action=\"/account/password\" novalidate>{}{}{}{}{}</form>",
        error_summary(errors),
        h1("Change your password"),
        p(
            "At least 12 characters; three random words make a good one. You will sign in again with the new password."
        ),
        csrf(&s.csrf_token),
        field("current", "Your current password", "current-password"),
        field("new", "New password", "new-password"),
        field("confirm", "The new password again", "new-password"),
        button("Change the password", None, false)
    );
    page("Change your password", Some(s), &body)
}

/// `GET /account/password`.
pub async fn own_password(SignedIn(s): SignedIn) -> Response {
    Html(own_password_page(&s, &[])).into_response()
}

/// `POST /account/password`: changes it and signs the user out everywhere.
pub async fn change_own_password(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = PasswordChange {
        current: f.get("current").into(),
        new: f.get("new").into(),
        confirm: f.get("confirm").into(),
    };
    match service::change_own_password(&app, &s, &input).await {
        Ok(()) => Redirect::to("/sign-in").into_response(),
        Err(Failure::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            Html(own_password_page(&s, &errors)),
        )
            .into_response(),
        Err(e) => failure_page(&s, e),
    }
}

// ----- the audit trail -----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditFilter {
    actor: String,
    subject: String,
    action: String,
    from: String,
    to: String,
    page: Option<String>,
}

/// The kinds of act the trail can be filtered by: a prefix of the action and its name.
const ACTION_KINDS: &[(&str, &str)] = &[
    ("person.", "People's records"),
    ("case.", "Cases"),
    ("offence.", "Offences and outcomes"),
    ("arrest.", "Arrests"),
    ("incident.", "Incidents"),
    ("queue.", "Queues"),
    ("tasks.", "Work lists"),
    ("suspects.", "Outstanding suspects"),
    ("shared.", "Partner agencies' lists"),
    ("session.", "Signing in and out"),
    ("user.", "Users"),
    ("store.", "Copies and backups"),
    ("alert.", "Alerts (bulk reading)"),
    ("restriction.", "Restricted records"),
];

/// An action as people read it: `person.read_confidential_address` → "Person: read
/// confidential address".
pub fn action_words(action: &str) -> String {
    let (kind, act) = action.split_once('.').unwrap_or(("", action));
    let act = act.replace('_', " ");
    if kind.is_empty() {
        service::capitalise(&act)
    } else {
        format!("{}: {act}", service::capitalise(&kind.replace('_', " ")))
    }
}

/// A day typed in a filter, as the instant it starts (UTC).
fn day_start(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
) -> Option<vigil_domain::DateTime> {
    if raw.trim().is_empty() {
        return None;
    }
    match service::parse_day(raw) {
        Ok(d) => d.and_hms_opt(0, 0, 0),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

/// `GET /audit`: every entry, 50 a page, newest first, filtered by user, record, kind of
/// act and dates; with the state of the hash chain. Entries cannot be changed from here or
/// anywhere else.
pub async fn audit(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<AuditFilter>,
) -> Response {
    if !allows(s.user.role, Capability::Administer) {
        return not_found_page(Some(&s));
    }
    let clean = |v: &str| {
        let v = v.trim();
        (!v.is_empty()).then(|| v.chars().take(100).collect::<String>())
    };
    let mut errors = Vec::new();
    let action = match q.action.trim() {
        "" => None,
        a if ACTION_KINDS.iter().any(|(k, _)| *k == a) => Some(a.to_owned()),
        _ => {
            errors.push(FieldError::new(
                "action",
                "Choose a kind of act from the list",
            ));
            None
        }
    };
    let from = day_start(&mut errors, "from", &q.from);
    let before = day_start(&mut errors, "to", &q.to).map(|d| d + chrono::Duration::days(1));
    if let (Some(f), Some(b)) = (from, before)
        && b <= f
    {
        errors.push(FieldError::new(
            "to",
            "The last day must not be before the first",
        ));
    }
    let per_page = service::PER_PAGE;
    let page_no: u32 = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1u32)
        .max(1);
    let mut query = vigil_store::AuditQuery {
        actor: clean(&q.actor),
        subject_id: clean(&q.subject),
        action,
        from,
        before,
        offset: 0,
        limit: per_page,
    };
    let total = match app.store.audit_count(&query).await {
        Ok(n) => n,
        Err(_) => return problem(),
    };
    let pages = service::pages(total, per_page);
    let page_no = page_no.min(pages);
    query.offset = (page_no - 1).saturating_mul(per_page);
    let Ok(rows) = app.store.audit_trail(&query).await else {
        return problem();
    };
    let chain = chain_state(&app);
    let mut body = format!("{}{}", error_summary(&errors), h1("Audit trail"));
    body.push_str(&match chain.last {
        None => p("The hash chain is being checked; reload this page in a moment for the result."),
        Some((at, None)) => p(&format!(
            "The hash chain was intact when checked at {} UTC: no entry had been changed or removed.{}",
            when(at),
            if chain.running { " A new check is running." } else { "" }
        )),
        Some((at, Some(b))) => format!(
            "<div class=\"govuk-error-summary\"><div role=\"alert\"><h2 class=\"govuk-error-summary__title\">The audit trail has been tampered with</h2><div class=\"govuk-error-summary__body\"><p class=\"govuk-body\">{} (checked at {} UTC)</p></div></div></div>",
            esc(&service::capitalise(&b.to_string())),
            when(at)
        ),
    });
    let kinds: Vec<(String, String)> = std::iter::once((String::new(), "Every kind".to_owned()))
        .chain(
            ACTION_KINDS
                .iter()
                .map(|(k, name)| ((*k).to_owned(), (*name).to_owned())),
        )
        .collect();
    body.push_str(&format!(
        "<form method=\"get\" action=\"/audit\" novalidate><div class=\"vigil-filters\">{}{}{}{}{}</div>{}</form>",
        Input::text("actor", "User", &q.actor).width("10").render(&errors),
        Input::text("subject", "Record reference", &q.subject)
            .hint("A person, case or username")
            .width("10")
            .render(&errors),
        select("action", "Kind of act", &kinds, q.action.trim(), &errors),
        Input::text("from", "From", &q.from)
            .hint("For example, 01/09/2019")
            .width("10")
            .render(&errors),
        Input::text("to", "To", &q.to)
            .hint("The last day included")
            .width("10")
            .render(&errors),
        button("Search", None, true)
    ));
    body.push_str(&p(&format!(
        "{total} entr{}, newest first. Times are UTC.",
        if total == 1 { "y" } else { "ies" }
    )));
    body.push_str(&table(
        "Audit entries",
        &["#", "When (UTC)", "User", "Act", "Record", "Reason"],
        rows.iter()
            .map(|r| {
                let e = &r.entry;
                vec![
                    r.seq.to_string(),
                    when(e.at),
                    esc(&e.actor),
                    esc(&action_words(&e.action)),
                    format!("{} {}", esc(&e.subject_kind), esc(&e.subject_id)),
                    e.reason.as_deref().map_or(String::new(), esc),
                ]
            })
            .collect(),
    ));
    let keep = format!(
        "actor={}&subject={}&action={}&from={}&to={}",
        crate::auth::query_value(q.actor.trim()),
        crate::auth::query_value(q.subject.trim()),
        crate::auth::query_value(q.action.trim()),
        crate::auth::query_value(q.from.trim()),
        crate::auth::query_value(q.to.trim())
    );
    body.push_str(&pagination("/audit", &keep, page_no, pages));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        Html(page_at("Audit trail", Some(&s), "/audit", &body)),
    )
        .into_response()
}

/// The chain's last check, and a fresh one started in the background when there is none or
/// it is older than `CHAIN_CHECK_MINUTES` (a whole-trail recomputation takes seconds on a
/// large trail: no page waits for it).
fn chain_state(app: &Arc<App>) -> crate::ChainState {
    let now = vigil_auth::now_utc();
    let mut state = app.chain_check.lock().expect("chain check lock");
    let stale = state
        .last
        .as_ref()
        .is_none_or(|(at, _)| now - *at > chrono::Duration::minutes(crate::CHAIN_CHECK_MINUTES));
    if stale && !state.running {
        state.running = true;
        let app = app.clone();
        tokio::spawn(async move {
            let found = app.store.verify_audit().await;
            let mut state = app.chain_check.lock().expect("chain check lock");
            state.running = false;
            match found {
                Ok(b) => state.last = Some((vigil_auth::now_utc(), b)),
                Err(e) => tracing::error!(cause = %e, "the audit chain could not be checked"),
            }
        });
    }
    state.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_as_words() {
        assert_eq!(
            action_words("person.read_confidential_address"),
            "Person: read confidential address"
        );
        assert_eq!(action_words("session.sign_in"), "Session: sign in");
        assert_eq!(action_words("odd"), "Odd");
    }
}
