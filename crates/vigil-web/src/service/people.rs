//! Reading records: a case, a person (with the sensitive read of a refuge address), and
//! search by name, reference or day.

use super::*;

// ----- reading records -----

pub async fn read_case(app: &App, s: &Session, raw: &str) -> Outcome<CaseFile> {
    require_read(app, s, "case", raw).await?;
    paced_read(app, s).await?;
    let id = IncidentId::parse(raw).map_err(|_| Failure::NotFound)?;
    let c = app.store.case_file(&id).await?;
    visible_case(app, s, &c).await?;
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
    /// How the person wants to be contacted, for a role that may see addresses (a safe
    /// number is as sensitive as an address); with its version.
    pub contact: Option<vigil_store::Versioned<vigil_domain::contact::ContactPreferences>>,
    /// A serial perpetrator: how many different victims in the configured years.
    pub serial_victims: Option<usize>,
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
    paced_read(app, s).await?;
    let id = PersonId::parse(raw).map_err(|_| Failure::NotFound)?;
    let person = app.store.person(&id).await?.record;
    visible_person(app, s, &id).await?;
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
    let contact = if allows(s.user.role, Capability::SeeAddresses) {
        app.store.contact_preferences(&id).await?
    } else {
        None
    };
    let incidents = app.store.incidents_of(&id).await?;
    Ok(PersonRecord {
        contact,
        serial_victims: super::serial_in(app, &id, &incidents),
        incidents,
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
#[into_params(parameter_in = Query)]
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
        let mut people = app
            .store
            .search_people(&PersonSearch {
                family_name: q.family_name.trim().to_owned(),
                whole_family_name: false,
                given_names: Some(q.given_names.trim().to_owned()).filter(|g| !g.is_empty()),
                birth_date: birth,
                limit: 50,
            })
            .await?;
        // A restricted person is not found by those not named on the restriction.
        hidden_from(app, s)
            .await?
            .withhold(&mut people, |h, p| h.person(&p.id));
        // Names were read: each person listed is audited as found by a search.
        audited_list(
            app,
            s,
            "person.search",
            "a search by name",
            people.iter().map(|p| p.id.clone()).collect(),
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
        let mut found = app.store.incidents_on(day, lpa.as_ref(), 200).await?;
        hidden_from(app, s).await?.withhold(&mut found, |h, i| {
            h.case(
                &i.id,
                std::iter::once(&i.victim_id).chain(i.suspect_id.as_ref()),
            )
        });
        // Each victim and suspect of the incidents listed.
        audited_list(
            app,
            s,
            "case.search",
            &format!("the incidents of {day}"),
            found
                .iter()
                .flat_map(|i| std::iter::once(&i.victim_id).chain(i.suspect_id.as_ref()))
                .cloned()
                .collect(),
        )
        .await?;
        return Ok(Found::Incidents(found));
    }
    Ok(Found::Nothing)
}

// ----- contact preferences -----

/// Who may record how a victim wants to be contacted: the officers who contact them.
pub fn may_record_contact(role: vigil_domain::access::Role) -> bool {
    allows(role, Capability::SeeAddresses)
        && (allows(role, Capability::RecordInvestigation)
            || allows(role, Capability::Safeguard)
            || allows(role, Capability::RecordIncident))
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ContactInput {
    /// `in_person`, `phone`, `email`, `letter` or `text`.
    pub method: String,
    /// A number safe to call or text (needed for phone and text).
    pub safe_number: String,
    /// When contact is safe.
    pub safe_times: String,
    /// What must never be done.
    pub avoid: String,
    /// The version as read; 0 when none is recorded yet.
    pub version: i64,
}

/// Records a person's contact preferences (audited; an edit of an old version is refused).
pub async fn save_contact(app: &App, s: &Session, raw: &str, input: &ContactInput) -> Outcome<i64> {
    require_read(app, s, "person", raw).await?;
    let id = PersonId::parse(raw).map_err(|_| Failure::NotFound)?;
    app.store.person(&id).await?;
    visible_person(app, s, &id).await?;
    if !may_record_contact(s.user.role) {
        let _ = app
            .store
            .audit(&audit_entry(
                actor(s),
                "person.contact_preferences_denied",
                "person",
                id.as_str(),
                None,
            ))
            .await;
        return Err(Failure::Forbidden);
    }
    let mut errors = Vec::new();
    let method = choice(
        &mut errors,
        "method",
        &input.method,
        "how to make contact",
        vigil_domain::casework::ContactMethod::parse,
    );
    let safe_number = match input.safe_number.trim() {
        "" => Some(None),
        n => match vigil_domain::contact::parse_phone(n) {
            Ok(n) => Some(Some(n)),
            Err(e) => {
                errors.push(FieldError::new("safe_number", capitalise(&e.reason)));
                None
            }
        },
    };
    let limit = vigil_domain::contact::MAX_PREFERENCE_CHARS;
    // Optional: empty is kept as empty; `None` only when the field had a problem.
    let mut optional = |field: &str, raw: &str| {
        let before = errors.len();
        let v = text_limit(&mut errors, field, raw, limit);
        (errors.len() == before).then(|| v.unwrap_or_default())
    };
    let safe_times = optional("safe_times", &input.safe_times);
    let avoid = optional("avoid", &input.avoid);
    let (method, safe_number, safe_times, avoid) =
        valid!(errors; method, safe_number, safe_times, avoid);
    let prefs = vigil_domain::contact::ContactPreferences {
        person_id: id.clone(),
        method,
        safe_number,
        safe_times,
        avoid,
        recorded_at: app.now(),
        recorded_by: actor(s).to_owned(),
    };
    if let Err(e) = vigil_domain::contact::check(&prefs) {
        return Err(Failure::Invalid(vec![FieldError::new(
            "safe_number",
            capitalise(&e.reason),
        )]));
    }
    let expected = (input.version > 0).then_some(input.version);
    Ok(app
        .store
        .save_contact_preferences(
            &prefs,
            expected,
            &audit_entry(
                actor(s),
                "person.contact_preferences",
                "person",
                id.as_str(),
                None,
            ),
        )
        .await?)
}
