//! Reading records: a case, a person (with the sensitive read of a refuge address), and
//! search by name, reference or day.

use super::*;

// ----- reading records -----

pub async fn read_case(app: &App, s: &Session, raw: &str) -> Outcome<CaseFile> {
    require_read(app, s, "case", raw).await?;
    let id = IncidentId::parse(raw).map_err(|_| Failure::NotFound)?;
    let c = app.store.case_file(&id).await?;
    audited(
        app,
        audit_entry(actor(s), "case.read", "case", id.as_str(), None),
    )
    .await?;
    Ok(c)
}

/// A person's record and what is linked to it.
pub struct PersonRecord {
    /// Already redacted for the reader's role (see [`redact`]).
    pub person: Person,
    /// An address exists that the reader may not see.
    pub address_withheld: bool,
    /// The reader may see a confidential address but must first say why.
    pub reason_needed: bool,
    pub incidents: Vec<Incident>,
    pub referrals: Vec<Referral>,
}

/// Reads a person's record. A confidential (refuge) address is a sensitive read: even a
/// role that may see it gets it only when the reader gives a reason, and the reason is
/// written to the audit trail with the read. `reason` is `Some` when the reader asks for the
/// address (then it must say why); `None` reads the record without it.
pub async fn read_person(
    app: &App,
    s: &Session,
    raw: &str,
    reason: Option<&str>,
) -> Outcome<PersonRecord> {
    require_read(app, s, "person", raw).await?;
    let id = PersonId::parse(raw).map_err(|_| Failure::NotFound)?;
    let person = app.store.person(&id).await?.record;
    let reason = reason.map(str::trim);
    let sensitive = vigil_domain::visibility::needs_reason(s.user.role, &person);
    let reason_ok = sensitive && reason.is_some();
    let reason = reason.unwrap_or_default();
    if reason_ok {
        let mut errors = Vec::new();
        if reason.chars().count() < 10 {
            errors.push(FieldError::new("reason", "Say why you need the confidential address (at least 10 characters); it is written to the audit trail"));
        }
        text_limit(&mut errors, "reason", reason, 500);
        if !errors.is_empty() {
            return Err(Failure::Invalid(errors));
        }
    }
    audited(
        app,
        if reason_ok {
            audit_entry(
                actor(s),
                "person.read_confidential_address",
                "person",
                id.as_str(),
                Some(reason.to_owned()),
            )
        } else {
            audit_entry(actor(s), "person.read", "person", id.as_str(), None)
        },
    )
    .await?;
    let (person, address_withheld) = redact(s, person, reason_ok);
    Ok(PersonRecord {
        incidents: app.store.incidents_of(&id).await?,
        referrals: app.store.referrals_of(&id).await?,
        reason_needed: sensitive && !reason_ok,
        address_withheld,
        person,
    })
}

/// A person as the session's role may see them (the domain's rule:
/// `vigil_domain::visibility`). Returns whether an address was withheld.
pub fn redact(s: &Session, p: Person, reason_given: bool) -> (Person, bool) {
    vigil_domain::visibility::person_as_seen(s.user.role, p, reason_given)
}

/// A search: by name (and date of birth), by a person's or a case's reference, or by the day
/// incidents were reported.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
pub struct SearchInput {
    /// A person's or a case's reference.
    pub reference: String,
    /// The start of a family name.
    pub family_name: String,
    /// The start of the given names.
    pub given_names: String,
    pub birth_date: String,
    /// Incidents reported on this day.
    pub date: String,
    /// Limits the day's incidents to one area.
    pub lpa: String,
}

pub enum Found {
    /// Nothing was asked.
    Nothing,
    Person(PersonId),
    Case(IncidentId),
    People(Vec<Person>),
    Incidents(Vec<Incident>),
}

pub async fn search(app: &App, s: &Session, q: &SearchInput) -> Outcome<Found> {
    require_read(app, s, "search", "").await?;
    let mut errors = Vec::new();
    let today = vigil_auth::now_utc().date();
    if !q.reference.trim().is_empty() {
        let r = q.reference.trim();
        if let Ok(id) = PersonId::parse(r)
            && app.store.person(&id).await.is_ok()
        {
            return Ok(Found::Person(id));
        }
        if let Ok(id) = IncidentId::parse(r)
            && app.store.case_file(&id).await.is_ok()
        {
            return Ok(Found::Case(id));
        }
        errors.push(FieldError::new(
            "reference",
            format!("No person or case has the reference '{r}'"),
        ));
        return Err(Failure::Invalid(errors));
    }
    if !q.family_name.trim().is_empty() {
        let birth = if q.birth_date.trim().is_empty() {
            None
        } else {
            day_field(
                &mut errors,
                "birth_date",
                &q.birth_date,
                "the date of birth",
                today,
            )
        };
        text_limit(&mut errors, "family_name", &q.family_name, 100);
        text_limit(&mut errors, "given_names", &q.given_names, 100);
        if !errors.is_empty() {
            return Err(Failure::Invalid(errors));
        }
        let people = app
            .store
            .search_people(&PersonSearch {
                family_name: q.family_name.trim().to_owned(),
                whole_family_name: false,
                given_names: Some(q.given_names.trim().to_owned()).filter(|g| !g.is_empty()),
                birth_date: birth,
                limit: 50,
            })
            .await?;
        // Names were read: the people listed are audited as a search.
        let ids: Vec<&str> = people.iter().map(|p| p.id.as_str()).collect();
        audited(
            app,
            audit_entry(actor(s), "person.search", "person", &ids.join(" "), None),
        )
        .await?;
        return Ok(Found::People(people));
    }
    if !q.date.trim().is_empty() {
        let day = day_field(&mut errors, "date", &q.date, "the day", today);
        let lpa = if q.lpa.trim().is_empty() {
            None
        } else {
            match Lpa::parse(q.lpa.trim()) {
                Ok(l) => Some(l),
                Err(e) => {
                    errors.push(FieldError::new("lpa", e.reason));
                    None
                }
            }
        };
        let (day,) = valid!(errors; day);
        let found = app.store.incidents_on(day, lpa.as_ref(), 200).await?;
        let ids: Vec<&str> = found.iter().map(|i| i.id.as_str()).collect();
        audited(
            app,
            audit_entry(actor(s), "case.search", "case", &ids.join(" "), None),
        )
        .await?;
        return Ok(Found::Incidents(found));
    }
    Ok(Found::Nothing)
}
