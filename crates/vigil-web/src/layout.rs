//! The page shell: the GOV.UK page template (skip link, service navigation, phase banner,
//! width container, footer) around every page, with the navigation a role may use.
//!
//! Styles and scripts come from `/assets/` (built from `govuk-frontend` by
//! `scripts/update-govuk-frontend`); nothing is inline, so the content security policy can
//! forbid inline script and style outright.

use crate::components::esc;
use vigil_domain::access::{Capability, allows, queues};
use vigil_store::Session;

fn nav(s: &Session, current: &str) -> String {
    let role = s.user.role;
    let mut items: Vec<(String, &str)> = vec![("/".into(), "Home")];
    if allows(role, Capability::RecordIncident) {
        items.push(("/incidents/new".into(), "Record an incident"));
    }
    for q in queues(role) {
        items.push((format!("/queues/{}", q.slug()), q.short_name()));
    }
    if allows(role, Capability::RecordInvestigation) {
        items.push(("/suspects".into(), "Outstanding suspects"));
    }
    if allows(role, Capability::RecordInvestigation) || allows(role, Capability::Safeguard) {
        items.push(("/notices".into(), "Protective notices"));
    }
    if allows(role, Capability::ReadCases) {
        items.push(("/search".into(), "Search"));
    }
    // The CRU, MARAC's coordinator and chair, and the partner agencies that sit at MARAC.
    if allows(role, Capability::Safeguard)
        || allows(role, Capability::CoordinateMarac)
        || allows(role, Capability::ChairMarac)
        || s.user.agency.is_some_and(|a| {
            vigil_domain::sharing::kinds_shared_with(a).contains(&vigil_domain::ReferralKind::Marac)
        })
    {
        items.push(("/marac/meetings".into(), "MARAC meetings"));
    }
    if vigil_domain::cohort::CohortKind::ALL
        .iter()
        .any(|k| vigil_domain::cohort::may_view(role, *k))
    {
        items.push(("/cohorts".into(), "Cohorts"));
    }
    if allows(role, Capability::Safeguard) {
        items.push(("/disclosures".into(), "Clare's Law"));
    }
    if allows(role, Capability::Safeguard)
        || allows(role, Capability::CoordinateMarac)
        || allows(role, Capability::ReadShared)
    {
        items.push(("/marac/actions".into(), "MARAC actions"));
    }
    if allows(role, Capability::ReadShared) {
        items.push(("/shared".into(), "Shared with us"));
        if s.user.agency.is_some_and(|a| {
            vigil_domain::sharing::kinds_shared_with(a).contains(&vigil_domain::ReferralKind::Marac)
        }) {
            items.push(("/marac/referrals/new".into(), "Refer to MARAC"));
        }
        if matches!(
            s.user.agency,
            Some(vigil_domain::Agency::ChildrensServices | vigil_domain::Agency::AdultServices)
        ) {
            items.push(("/mash".into(), "MASH referrals"));
        }
        if s.user.agency == Some(vigil_domain::Agency::Idva) {
            items.push(("/idva".into(), "IDVA referrals"));
        }
        // A school's key adult, or an area's education contact.
        if s.user.agency == Some(vigil_domain::Agency::Education)
            && (s.user.school.is_some() || s.user.lpa.is_some())
        {
            items.push(("/encompass".into(), "Operation Encompass"));
        }
    }
    if allows(role, Capability::ReadAnalytics) {
        items.push(("/dashboard".into(), "Dashboard"));
    }
    if allows(role, Capability::ReadAnalytics) || allows(role, Capability::CoordinateMarac) {
        items.push(("/marac/return".into(), "MARAC return"));
    }
    if allows(role, Capability::Administer) {
        items.push(("/admin/users".into(), "Users"));
        items.push(("/admin/restrictions".into(), "Restricted records"));
        items.push(("/audit".into(), "Audit trail"));
    }
    let mut out = String::from(
        "<nav aria-label=\"Menu\" class=\"govuk-service-navigation__wrapper\"><ul class=\"govuk-service-navigation__list\" id=\"navigation\">",
    );
    for (href, text) in items {
        let active = href == current;
        out.push_str(&format!(
            "<li class=\"govuk-service-navigation__item{}\"><a class=\"govuk-service-navigation__link\" href=\"{}\"{}>{}</a></li>",
            if active { " govuk-service-navigation__item--active" } else { "" },
            esc(&href),
            if active { " aria-current=\"page\"" } else { "" },
            esc(text)
        ));
    }
    out.push_str("</ul></nav>");
    out
}

fn account(s: &Session) -> String {
    format!(
        "<div class=\"govuk-width-container\"><form method=\"post\" action=\"/sign-out\" class=\"vigil-account\"><p class=\"govuk-body-s\">Signed in as {} ({}{})</p><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\" type=\"submit\">Sign out</button></form></div>",
        esc(&s.user.display_name),
        esc(&s.user.role.as_str().replace('_', " ")),
        s.user.agency.map_or(String::new(), |a| format!(
            ", {}",
            esc(&a.as_str().replace('_', " "))
        )),
        esc(&s.csrf_token)
    )
}

/// What the phase banner says: set once when the server starts, from what the store holds.
static BANNER: std::sync::OnceLock<(&'static str, &'static str)> = std::sync::OnceLock::new();

/// Marks every page as a demonstration over synthetic records, or as the live service.
pub fn set_synthetic(synthetic: bool) {
    let _ = BANNER.set(if synthetic {
        ("Demo", "Synthetic data only: nobody in these records is real.")
    } else {
        ("Official-sensitive", "This service holds personal data about victims of domestic abuse. Every view is recorded.")
    });
}

tokio::task_local! {
    /// What the banner says of the server's clock while a request is answered: the time it
    /// shows when it is not the real one (set by the `clock_note` layer in `lib.rs`).
    pub static CLOCK_NOTE: Option<String>;
}

/// A whole page. `current` is the navigation item to mark as the current page.
pub fn page_at(title: &str, s: Option<&Session>, current: &str, body: &str) -> String {
    // Until told otherwise, say the cautious thing: this may be real personal data.
    let (tag, banner) = BANNER.get().copied().unwrap_or((
        "Official-sensitive",
        "This service holds personal data about victims of domestic abuse. Every view is recorded.",
    ));
    let banner = match CLOCK_NOTE.try_with(Clone::clone).ok().flatten() {
        Some(note) => format!("{banner} <strong>{}</strong>", esc(&note)),
        None => banner.to_owned(),
    };
    format!(
        "<!DOCTYPE html><html lang=\"en-GB\" class=\"govuk-template\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\"><meta name=\"robots\" content=\"noindex, nofollow\"><title>{} – Vigil</title><link rel=\"stylesheet\" href=\"/assets/vigil.css\"><script type=\"module\" src=\"/assets/vigil.js\"></script></head><body class=\"govuk-template__body\"><a href=\"#main-content\" class=\"govuk-skip-link\" data-module=\"govuk-skip-link\">Skip to main content</a><header><section aria-label=\"Service information\" class=\"govuk-service-navigation\" data-module=\"govuk-service-navigation\"><div class=\"govuk-width-container\"><div class=\"govuk-service-navigation__container\"><span class=\"govuk-service-navigation__service-name\"><a href=\"/\" class=\"govuk-service-navigation__link\">Vigil</a></span>{}</div></div></section>{}</header><div class=\"govuk-width-container\"><div class=\"govuk-phase-banner\"><p class=\"govuk-phase-banner__content\"><strong class=\"govuk-tag govuk-phase-banner__content__tag\">{tag}</strong><span class=\"govuk-phase-banner__text\">{banner}</span></p></div><main class=\"govuk-main-wrapper\" id=\"main-content\">{body}</main></div><footer class=\"govuk-footer\"><div class=\"govuk-width-container\"><div class=\"govuk-footer__meta\"><div class=\"govuk-footer__meta-item govuk-footer__meta-item--grow\"><p class=\"govuk-body-s govuk-!-margin-0\">Vigil: domestic abuse response, investigation and safeguarding. Every view of a person's or case's record is written to the audit trail.</p></div></div></div></footer></body></html>",
        esc(title),
        s.map_or(String::new(), |s| nav(s, current)),
        s.map_or(String::new(), account),
    )
}

/// A whole page with no navigation item marked.
pub fn page(title: &str, s: Option<&Session>, body: &str) -> String {
    page_at(title, s, "", body)
}

/// Vigil's own script: marks the page as able to run GOV.UK Frontend's components, starts
/// them, and keeps the DASH form's running count. Pages work without it.
pub const VIGIL_JS: &str = r#"import { initAll } from "/assets/govuk-frontend.min.js";
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
const form = document.querySelector("[data-dash]");
if (form) {
  const medium = Number(form.dataset.mediumFrom), high = Number(form.dataset.highFrom);
  const out = document.getElementById("dash-running-count");
  const update = () => {
    const yes = form.querySelectorAll("input[type=radio][value=yes]:checked").length;
    const grade = yes >= high ? "high" : yes >= medium ? "medium" : "standard";
    out.textContent = `${yes} yes so far: the score suggests ${grade} risk`;
  };
  form.addEventListener("change", update);
  update();
}
"#;
