//! GOV.UK Design System components as HTML strings: the markup the Design System documents
//! for each component, so the stylesheet built from `govuk-frontend` styles it and users
//! meet the patterns they know. Every function escapes what it is given unless the
//! parameter says it takes HTML.

pub use vigil_report::html::esc;

pub use crate::service::FieldError;

/// The form field's HTML id for an error's field name (`victim.family_name` →
/// `victim_family_name`).
pub fn field_id(field: &str) -> String {
    field.replace('.', "_")
}

fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| field_id(&e.field) == field)
        .map(|e| e.message.as_str())
}

/// The error summary at the top of a page, each message linking to its field.
pub fn error_summary(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\"><h2 class=\"govuk-error-summary__title\">There is a problem</h2><div class=\"govuk-error-summary__body\"><ul class=\"govuk-list govuk-error-summary__list\">",
    );
    for e in errors {
        out.push_str(&format!(
            "<li><a href=\"#{}\">{}</a></li>",
            esc(&field_id(&e.field)),
            esc(&e.message)
        ));
    }
    out.push_str("</ul></div></div></div>");
    out
}

fn error_message(id: &str, msg: Option<&str>) -> String {
    msg.map_or(String::new(), |m| {
        format!(
            "<p id=\"{id}-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> {}</p>",
            esc(m)
        )
    })
}

fn hint(id: &str, hint: Option<&str>) -> String {
    hint.map_or(String::new(), |h| {
        format!(
            "<div id=\"{id}-hint\" class=\"govuk-hint\">{}</div>",
            esc(h)
        )
    })
}

fn described_by(id: &str, has_hint: bool, has_error: bool) -> String {
    let mut ids = Vec::new();
    if has_hint {
        ids.push(format!("{id}-hint"));
    }
    if has_error {
        ids.push(format!("{id}-error"));
    }
    if ids.is_empty() {
        String::new()
    } else {
        format!(" aria-describedby=\"{}\"", ids.join(" "))
    }
}

/// A text input. `width` is a GOV.UK width class suffix such as `20` or `10`.
pub struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub value: &'a str,
    pub width: &'a str,
    pub kind: &'a str,
    pub autocomplete: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn text(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Input {
            name,
            label,
            hint: None,
            value,
            width: "20",
            kind: "text",
            autocomplete: None,
        }
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn width(mut self, width: &'a str) -> Self {
        self.width = width;
        self
    }

    pub fn render(&self, errors: &[FieldError]) -> String {
        let id = field_id(self.name);
        let err = error_for(errors, &id);
        format!(
            "<div class=\"govuk-form-group{}\"><label class=\"govuk-label\" for=\"{id}\">{}</label>{}{}<input class=\"govuk-input govuk-input--width-{}{}\" id=\"{id}\" name=\"{}\" type=\"{}\" value=\"{}\" spellcheck=\"false\"{}{}></div>",
            if err.is_some() {
                " govuk-form-group--error"
            } else {
                ""
            },
            esc(self.label),
            hint(&id, self.hint),
            error_message(&id, err),
            self.width,
            if err.is_some() {
                " govuk-input--error"
            } else {
                ""
            },
            esc(self.name),
            self.kind,
            esc(self.value),
            described_by(&id, self.hint.is_some(), err.is_some()),
            self.autocomplete
                .map_or(String::new(), |a| format!(" autocomplete=\"{a}\"")),
        )
    }
}

/// A textarea.
pub fn textarea(
    name: &str,
    label: &str,
    hint_text: Option<&str>,
    value: &str,
    errors: &[FieldError],
) -> String {
    let id = field_id(name);
    let err = error_for(errors, &id);
    format!(
        "<div class=\"govuk-form-group{}\"><label class=\"govuk-label\" for=\"{id}\">{}</label>{}{}<textarea class=\"govuk-textarea{}\" id=\"{id}\" name=\"{}\" rows=\"3\"{}>{}</textarea></div>",
        if err.is_some() {
            " govuk-form-group--error"
        } else {
            ""
        },
        esc(label),
        hint(&id, hint_text),
        error_message(&id, err),
        if err.is_some() {
            " govuk-textarea--error"
        } else {
            ""
        },
        esc(name),
        described_by(&id, hint_text.is_some(), err.is_some()),
        esc(value)
    )
}

/// Radios in a fieldset. `options` are (value, label); `inline` for short lists.
pub fn radios(
    name: &str,
    legend: &str,
    hint_text: Option<&str>,
    options: &[(&str, &str)],
    selected: &str,
    inline: bool,
    errors: &[FieldError],
) -> String {
    let id = field_id(name);
    let err = error_for(errors, &id);
    let mut out = format!(
        "<div class=\"govuk-form-group{}\"><fieldset class=\"govuk-fieldset\"{}><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">{}</legend>{}{}<div class=\"govuk-radios{}{}\" data-module=\"govuk-radios\">",
        if err.is_some() {
            " govuk-form-group--error"
        } else {
            ""
        },
        described_by(&id, hint_text.is_some(), err.is_some()),
        esc(legend),
        hint(&id, hint_text),
        error_message(&id, err),
        if inline { " govuk-radios--inline" } else { "" },
        if options.len() > 3 && !inline {
            " govuk-radios--small"
        } else {
            ""
        },
    );
    for (i, (value, label)) in options.iter().enumerate() {
        // The first option carries the field's id, so the error summary's link lands on it.
        let oid = if i == 0 {
            id.clone()
        } else {
            format!("{id}-{i}")
        };
        out.push_str(&format!(
            "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"{oid}\" name=\"{}\" type=\"radio\" value=\"{}\"{}><label class=\"govuk-label govuk-radios__label\" for=\"{oid}\">{}</label></div>",
            esc(name),
            esc(value),
            if *value == selected { " checked" } else { "" },
            esc(label)
        ));
    }
    out.push_str("</div></fieldset></div>");
    out
}

/// A select. `options` are (value, label); the first is usually a "Choose…" with an empty
/// value.
pub fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    errors: &[FieldError],
) -> String {
    let id = field_id(name);
    let err = error_for(errors, &id);
    let mut out = format!(
        "<div class=\"govuk-form-group{}\"><label class=\"govuk-label\" for=\"{id}\">{}</label>{}<select class=\"govuk-select{}\" id=\"{id}\" name=\"{}\"{}>",
        if err.is_some() {
            " govuk-form-group--error"
        } else {
            ""
        },
        esc(label),
        error_message(&id, err),
        if err.is_some() {
            " govuk-select--error"
        } else {
            ""
        },
        esc(name),
        described_by(&id, false, err.is_some()),
    );
    for (value, text) in options {
        out.push_str(&format!(
            "<option value=\"{}\"{}>{}</option>",
            esc(value),
            if value == selected { " selected" } else { "" },
            esc(text)
        ));
    }
    out.push_str("</select></div>");
    out
}

/// One checkbox (a yes/no the user must tick deliberately).
pub fn checkbox(name: &str, label: &str, checked: bool, errors: &[FieldError]) -> String {
    let id = field_id(name);
    let err = error_for(errors, &id);
    format!(
        "<div class=\"govuk-form-group{}\">{}<div class=\"govuk-checkboxes govuk-checkboxes--small\" data-module=\"govuk-checkboxes\"><div class=\"govuk-checkboxes__item\"><input class=\"govuk-checkboxes__input\" id=\"{id}\" name=\"{}\" type=\"checkbox\" value=\"true\"{}><label class=\"govuk-label govuk-checkboxes__label\" for=\"{id}\">{}</label></div></div></div>",
        if err.is_some() {
            " govuk-form-group--error"
        } else {
            ""
        },
        error_message(&id, err),
        esc(name),
        if checked { " checked" } else { "" },
        esc(label)
    )
}

/// A submit button; `secondary` for the lesser of two actions.
pub fn button(text: &str, name_value: Option<(&str, &str)>, secondary: bool) -> String {
    format!(
        "<button type=\"submit\" class=\"govuk-button{}\" data-module=\"govuk-button\"{}>{}</button>",
        if secondary {
            " govuk-button--secondary"
        } else {
            ""
        },
        name_value.map_or(String::new(), |(n, v)| format!(
            " name=\"{}\" value=\"{}\"",
            esc(n),
            esc(v)
        )),
        esc(text)
    )
}

/// The hidden form token every POST form carries.
/// With it, a key for this one form: the form is saved once however often it is sent
/// (`idempotency.rs`).
pub fn csrf(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"form_key\" value=\"{}\">",
        esc(token),
        vigil_auth::random_token()
    )
}

/// A summary list of (key, value-HTML) rows.
pub fn summary_list(rows: &[(&str, String)]) -> String {
    let mut out = String::from("<dl class=\"govuk-summary-list\">");
    for (k, v) in rows {
        out.push_str(&format!(
            "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">{}</dt><dd class=\"govuk-summary-list__value\">{v}</dd></div>",
            esc(k)
        ));
    }
    out.push_str("</dl>");
    out
}

/// A table under a heading; cells are HTML. An empty table says so instead.
pub fn table(caption: &str, header: &[&str], rows: Vec<Vec<String>>) -> String {
    if rows.is_empty() {
        return format!(
            "<h2 class=\"govuk-heading-m\">{}</h2><p class=\"govuk-body\">None recorded.</p>",
            esc(caption)
        );
    }
    // On a phone the table stacks: each row a block, each cell under its column's name
    // (`data-label`), so nothing scrolls sideways.
    let mut out = format!(
        "<table class=\"govuk-table vigil-stacking-table\"><caption class=\"govuk-table__caption govuk-table__caption--m\">{}</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">",
        esc(caption)
    );
    for h in header {
        out.push_str(&format!(
            "<th scope=\"col\" class=\"govuk-table__header\">{}</th>",
            esc(h)
        ));
    }
    out.push_str("</tr></thead><tbody class=\"govuk-table__body\">");
    for r in rows {
        out.push_str("<tr class=\"govuk-table__row\">");
        for (i, c) in r.iter().enumerate() {
            out.push_str(&format!(
                "<td class=\"govuk-table__cell\" data-label=\"{}\">{c}</td>",
                esc(header.get(i).copied().unwrap_or(""))
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A coloured tag.
pub fn tag(text: &str, colour: &str) -> String {
    format!(
        "<strong class=\"govuk-tag govuk-tag--{colour}\">{}</strong>",
        esc(text)
    )
}

/// A risk grade as a tag, or "not assessed".
pub fn risk_tag(grade: Option<vigil_domain::RiskGrade>) -> String {
    match grade {
        Some(g) => format!(
            "<strong class=\"govuk-tag vigil-risk-{g}\">{g}</strong>",
            g = g.as_str()
        ),
        None => "not assessed".into(),
    }
}

/// A notification banner; `success` for the green confirmation style. `body` is HTML.
pub fn banner(title: &str, heading: &str, body: &str, success: bool) -> String {
    format!(
        "<div class=\"govuk-notification-banner{}\" role=\"{}\" aria-labelledby=\"govuk-notification-banner-title\" data-module=\"govuk-notification-banner\"><div class=\"govuk-notification-banner__header\"><h2 class=\"govuk-notification-banner__title\" id=\"govuk-notification-banner-title\">{}</h2></div><div class=\"govuk-notification-banner__content\"><p class=\"govuk-notification-banner__heading\">{}</p>{body}</div></div>",
        if success {
            " govuk-notification-banner--success"
        } else {
            ""
        },
        if success { "alert" } else { "region" },
        esc(title),
        esc(heading)
    )
}

/// A warning callout.
pub fn warning(text_html: &str) -> String {
    format!(
        "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span> {text_html}</strong></div>"
    )
}

/// An agency as people name it.
pub fn agency_words(a: vigil_domain::Agency) -> &'static str {
    use vigil_domain::Agency as A;
    match a {
        A::Police => "Police",
        A::Health => "Health",
        A::Idva => "IDVA service",
        A::Housing => "Housing",
        A::ChildrensServices => "Children's social care",
        A::AdultServices => "Adult social care",
        A::Probation => "Probation",
        A::Education => "Education",
        A::Voluntary => "Voluntary sector",
        A::Other => "Other",
    }
}

/// Says how many restricted records a page of a list leaves out (nothing when none).
pub fn withheld_notice(n: u64) -> String {
    if n == 0 {
        return String::new();
    }
    format!(
        "<div class=\"govuk-inset-text\">{n} restricted record{} on this page {} not shown: {} restricted to named officers and teams. The total still counts {}.</div>",
        if n == 1 { "" } else { "s" },
        if n == 1 { "is" } else { "are" },
        if n == 1 { "it is" } else { "they are" },
        if n == 1 { "it" } else { "them" },
    )
}

pub fn h1(text: &str) -> String {
    format!("<h1 class=\"govuk-heading-l\">{}</h1>", esc(text))
}

pub fn h2(text: &str) -> String {
    format!("<h2 class=\"govuk-heading-m\">{}</h2>", esc(text))
}

pub fn p(text_html: &str) -> String {
    format!("<p class=\"govuk-body\">{text_html}</p>")
}

pub fn link(href: &str, text: &str) -> String {
    format!(
        "<a class=\"govuk-link\" href=\"{}\">{}</a>",
        esc(href),
        esc(text)
    )
}

pub fn back_link(href: &str) -> String {
    format!(
        "<a href=\"{}\" class=\"govuk-back-link\">Back</a>",
        esc(href)
    )
}

/// Words of a closed vocabulary as a person reads them ("ex_partner" → "ex partner").
pub fn words(s: &str) -> String {
    esc(&s.replace('_', " "))
}

pub fn when(t: vigil_domain::time::DateTime) -> String {
    t.format("%-d %B %Y %H:%M").to_string()
}

pub fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not recorded",
    }
}

/// Previous and next links for a list shown a page at a time (GOV.UK pagination), keeping
/// the list's filters (`query` without `page`).
pub fn pagination(path: &str, query: &str, page: u32, pages: u32) -> String {
    if pages <= 1 {
        return String::new();
    }
    let href = |n: u32| {
        let sep = if query.is_empty() { "" } else { "&" };
        esc(&format!("{path}?{query}{sep}page={n}"))
    };
    let mut out = String::from("<nav class=\"govuk-pagination\" aria-label=\"Pagination\">");
    if page > 1 {
        out.push_str(&format!("<div class=\"govuk-pagination__prev\"><a class=\"govuk-link govuk-pagination__link\" href=\"{}\" rel=\"prev\"><span class=\"govuk-pagination__link-title\">Previous<span class=\"govuk-visually-hidden\"> page</span></span></a></div>", href(page - 1)));
    }
    out.push_str(&format!(
        "<ul class=\"govuk-pagination__list\"><li class=\"govuk-pagination__item govuk-pagination__item--current\"><a class=\"govuk-link govuk-pagination__link\" href=\"{}\" aria-label=\"Page {page} of {pages}\" aria-current=\"page\">Page {page} of {pages}</a></li></ul>",
        href(page)
    ));
    if page < pages {
        out.push_str(&format!("<div class=\"govuk-pagination__next\"><a class=\"govuk-link govuk-pagination__link\" href=\"{}\" rel=\"next\"><span class=\"govuk-pagination__link-title\">Next<span class=\"govuk-visually-hidden\"> page</span></span></a></div>", href(page + 1)));
    }
    out.push_str("</nav>");
    out
}

/// A person's reference as a link, with their name beside it for a role that may see it.
pub fn person_label(
    role: vigil_domain::access::Role,
    id: &str,
    family: Option<&str>,
    given: Option<&str>,
) -> String {
    let link_ = link(&format!("/people/{id}"), id);
    match vigil_domain::visibility::name_as_seen(role, family, given) {
        Some(name) => format!("{} ({link_})", esc(&name)),
        None => link_,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_with_an_error_is_marked_and_described() {
        let errors = [FieldError::new(
            "victim.family_name",
            "Enter the family name",
        )];
        let html = Input::text("victim.family_name", "Family name", "<b>").render(&errors);
        assert!(html.contains("govuk-form-group--error"));
        assert!(html.contains("id=\"victim_family_name\""));
        assert!(html.contains("aria-describedby=\"victim_family_name-error\""));
        assert!(html.contains("value=\"&lt;b&gt;\""));
        assert!(error_summary(&errors).contains("href=\"#victim_family_name\""));
    }
}
