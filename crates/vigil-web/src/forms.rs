//! What the HTML forms share: reading a submitted form, its form token, and the DASH
//! checklist and person fields that more than one page asks for.

use crate::components::*;
use crate::service::{DashInput, PartyInput};
use vigil_domain::risk::{GradeThresholds, InstrumentKind, instrument};
use vigil_store::Session;

/// A submitted form: the name–value pairs as sent (a field sent twice keeps its first
/// value).
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), "true" | "yes" | "on")
    }

    /// Whether the form carries the session's form token.
    pub fn csrf_ok(&self, s: &Session) -> bool {
        let sent = self.get("csrf");
        !sent.is_empty() && vigil_auth::constant_time_eq(sent, &s.csrf_token)
    }
}

pub fn party_input(f: &FormData, prefix: &str) -> PartyInput {
    let g = |name: &str| f.get(&format!("{prefix}_{name}")).to_owned();
    PartyInput {
        id: g("id"),
        family_name: g("family_name"),
        given_names: g("given_names"),
        sex: g("sex"),
        birth_date: g("birth_date"),
        address: g("address"),
        postcode: g("postcode"),
        address_confidential: f.flag(&format!("{prefix}_address_confidential")),
    }
}

/// A party to an incident: a person already recorded (found by name, or by reference) or
/// the details of a new one. `found` is the result of this form's "Find" for the party: the
/// people it found are offered as choices.
pub fn party_fields(
    f: &FormData,
    prefix: &str,
    legend: &str,
    errors: &[FieldError],
    found: Option<&[vigil_domain::Person]>,
) -> String {
    let n = |name: &str| format!("{prefix}_{name}");
    let (id, family, given, sex, birth, address, postcode, confidential) = (
        n("id"),
        n("family_name"),
        n("given_names"),
        n("sex"),
        n("birth_date"),
        n("address"),
        n("postcode"),
        n("address_confidential"),
    );
    let who = match found {
        Some(people) if !people.is_empty() => {
            let labels: Vec<(String, String)> = people
                .iter()
                .map(|p| {
                    let name = [
                        p.identity.given_names.as_deref(),
                        p.identity.family_name.as_deref(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                    let born = p
                        .birth_date
                        .map_or("date of birth not recorded".to_owned(), |b| {
                            format!("born {}", b.format("%-d %B %Y"))
                        });
                    (p.id.to_string(), format!("{name}, {born} ({})", p.id))
                })
                .chain(std::iter::once((
                    String::new(),
                    "None of these: a new person (enter their details below)".to_owned(),
                )))
                .collect();
            let options: Vec<(&str, &str)> = labels
                .iter()
                .map(|(v, l)| (v.as_str(), l.as_str()))
                .collect();
            radios(
                &id,
                "Is it one of these people?",
                Some("People already recorded whose names start the same"),
                &options,
                f.get(&id),
                false,
                errors,
            )
        }
        Some(_) => format!(
            "{}{}",
            p("Nobody already recorded has that name: enter the new person's details."),
            Input::text(&id, "Reference of a person already recorded", f.get(&id))
                .width("10")
                .render(errors)
        ),
        None => Input::text(&id, "Reference of a person already recorded", f.get(&id))
            .hint("Or type their name below and use Find. For example, P0000123")
            .width("10")
            .render(errors),
    };
    format!(
        "<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h2 class=\"govuk-fieldset__heading\">{}</h2></legend>{}{}{}{}{who}<p class=\"govuk-body\">For a new person:</p>{}{}{}{}</fieldset>",
        esc(legend),
        Input::text(&family, "Family name", f.get(&family)).render(errors),
        Input::text(&given, "Given names", f.get(&given)).render(errors),
        Input::text(&birth, "Date of birth (if known)", f.get(&birth))
            .hint("For example, 31/08/1990")
            .width("10")
            .render(errors),
        button(
            &format!(
                "Find people with this name ({})",
                legend
                    .trim_start_matches("The ")
                    .split(' ')
                    .next()
                    .unwrap_or("person")
            ),
            Some(("action", &format!("find_{prefix}"))),
            true
        ),
        radios(
            &sex,
            "Sex",
            None,
            &[
                ("female", "Female"),
                ("male", "Male"),
                ("other", "Other"),
                ("unknown", "Not known")
            ],
            f.get(&sex),
            true,
            errors
        ),
        Input::text(&address, "Address", f.get(&address))
            .width("30")
            .render(errors),
        Input::text(&postcode, "Postcode", f.get(&postcode))
            .width("10")
            .render(errors),
        checkbox(
            &confidential,
            "This is a refuge or other address that must be kept confidential",
            f.flag(&confidential),
            errors
        ),
    )
}

pub fn dash_input(f: &FormData) -> DashInput {
    let inst = instrument(InstrumentKind::Dash).expect("DASH is defined");
    DashInput {
        answers: inst
            .questions
            .iter()
            .map(|q| f.get(&format!("dash_{}", q.number)).to_owned())
            .collect(),
        judgement_grade: f.get("dash_judgement_grade").to_owned(),
        judgement_reason: f.get("dash_judgement_reason").to_owned(),
    }
}

/// The DASH checklist: every question with yes / no / not known, high-risk indicators
/// marked, the running count and the grade it suggests (kept live by `vigil.js`; without
/// JavaScript, "Check the grade" recounts on the server), and professional judgement.
pub fn dash_fields(f: &FormData, errors: &[FieldError]) -> String {
    dash_fields_after(f, errors, None)
}

/// An answer as the form names it, from the stored character (`Y`, `N`, `U`).
fn answer_word(c: char) -> &'static str {
    match c {
        'Y' => "yes",
        'N' => "no",
        _ => "not_known",
    }
}

/// The DASH questions for a reassessment: opened with the earlier assessment's answers
/// (`earlier`, one character per question), each question saying what was answered then and
/// marked when the answer now differs, with a count of the changes.
pub fn dash_fields_after(f: &FormData, errors: &[FieldError], earlier: Option<&str>) -> String {
    // A fresh form starts from the earlier answers; a posted one keeps what was posted.
    let prefilled;
    let f = match earlier {
        Some(e) if f.0.iter().all(|(k, _)| !k.starts_with("dash_")) => {
            let mut fields = f.0.clone();
            fields.extend(
                e.chars()
                    .enumerate()
                    .map(|(i, c)| (format!("dash_{}", i + 1), answer_word(c).to_owned())),
            );
            prefilled = FormData(fields);
            &prefilled
        }
        _ => f,
    };
    let inst = instrument(InstrumentKind::Dash).expect("DASH is defined");
    let before = |n: u8| {
        earlier
            .and_then(|e| e.chars().nth(usize::from(n) - 1))
            .map(answer_word)
    };
    let t = GradeThresholds::default_for(inst);
    let yes = inst
        .questions
        .iter()
        .filter(|q| f.get(&format!("dash_{}", q.number)) == "yes")
        .count();
    let mut out = format!(
        "<div id=\"dash\" data-dash data-medium-from=\"{}\" data-high-from=\"{}\"><h2 class=\"govuk-heading-m\">{} ({})</h2><p class=\"govuk-body\">Ask every question. Record \"not known\" when the victim cannot or will not answer. Questions marked as high-risk indicators should make you consider professional judgement whatever the count.</p><p class=\"govuk-body govuk-!-font-weight-bold vigil-dash-count\" id=\"dash-running-count\" aria-live=\"polite\">{yes} yes so far: the score suggests {} risk</p>",
        t.medium_from(),
        t.high_from(),
        esc(inst.name),
        esc(inst.version),
        t.grade_for(yes)
    );
    if earlier.is_some() {
        let changed = inst
            .questions
            .iter()
            .filter(|q| before(q.number).is_some_and(|b| b != f.get(&format!("dash_{}", q.number))))
            .count();
        out.push_str(&format!(
            "<p class=\"govuk-inset-text\">The questions open with the primary assessment's answers. Ask them again and change any the victim now answers differently. {changed} answer{} changed so far.</p>",
            if changed == 1 { "" } else { "s" }
        ));
    }
    for q in inst.questions {
        let name = format!("dash_{}", q.number);
        let was = before(q.number);
        let changed = was.is_some_and(|b| b != f.get(&name));
        let legend = format!(
            "{}. {}{}",
            q.number,
            q.label,
            if changed { " (changed)" } else { "" }
        );
        let hint = match (q.high_risk_indicator, was) {
            (true, Some(b)) => Some(format!(
                "High-risk indicator. At the primary assessment: {}",
                b.replace('_', " ")
            )),
            (false, Some(b)) => Some(format!(
                "At the primary assessment: {}",
                b.replace('_', " ")
            )),
            (true, None) => Some("High-risk indicator".to_owned()),
            (false, None) => None,
        };
        out.push_str(&radios(
            &name,
            &legend,
            hint.as_deref(),
            &[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
            f.get(&name),
            true,
            errors,
        ));
    }
    out.push_str(&format!(
        "<h3 class=\"govuk-heading-s\">Professional judgement</h3><p class=\"govuk-body\">Judgement can raise the grade the score gives, never lower it. Leave both empty to keep the score's grade.</p>{}{}{}</div>",
        select(
            "dash_judgement_grade",
            "Raise the risk to",
            &[
                (String::new(), "Keep the score's grade".into()),
                ("medium".into(), "Medium".into()),
                ("high".into(), "High".into())
            ],
            f.get("dash_judgement_grade"),
            errors
        ),
        textarea(
            "dash_judgement_reason",
            "Why",
            Some("What you saw or heard that the questions do not capture"),
            f.get("dash_judgement_reason"),
            errors
        ),
        button("Check the grade", Some(("action", "check")), true),
    ));
    out
}

/// How many child rows a form offers at once.
pub const CHILD_ROWS: usize = 3;

/// The children typed into a form's rows (`children_N_field`, N from 1).
pub fn children_input(f: &FormData) -> Vec<crate::service::ChildInput> {
    (1..=crate::service::MAX_CHILDREN)
        .map(|n| {
            let g = |field: &str| f.get(&format!("children_{n}_{field}")).to_owned();
            crate::service::ChildInput {
                id: g("id"),
                family_name: g("family_name"),
                given_names: g("given_names"),
                sex: g("sex"),
                birth_date: g("birth_date"),
                school: g("school"),
            }
        })
        .collect()
}

/// Rows for naming children: family and given names, date of birth and school, or the
/// reference of a child already recorded.
pub fn child_rows(f: &FormData, errors: &[FieldError]) -> String {
    let mut out = String::new();
    for n in 1..=CHILD_ROWS {
        let name = |field: &str| format!("children.{n}.{field}");
        let field = |field: &str, label: &str, hint: Option<&str>, width: &'static str| {
            let id = name(field);
            let form_name = crate::components::field_id(&id);
            let mut input = Input::text(&form_name, label, f.get(&form_name)).width(width);
            if let Some(h) = hint {
                input = input.hint(h);
            }
            input.render(errors)
        };
        out.push_str(&format!(
            "<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">Child {n}</legend>{}{}{}{}{}</fieldset>",
            field("family_name", "Family name", None, "20"),
            field("given_names", "Given names", None, "20"),
            field("birth_date", "Date of birth", Some("For example, 04/03/2012"), "10"),
            field("school", "School or nursery", Some("Leave empty if the child does not attend one"), "30"),
            field("id", "Or the reference of a child already recorded", None, "10"),
        ));
    }
    out
}
