//! Need-to-know: restricted records hidden from everyone not named on them (the rule:
//! `vigil_domain::restriction`), and the administrators' management of restrictions.

use super::*;
use std::collections::HashSet;
use vigil_domain::restriction::{Ground, Reader, Restriction, Restrictions, Subject, TeamAccess};

/// The reader a session is, for need-to-know.
pub(crate) fn reader(s: &Session) -> Reader<'_> {
    Reader {
        username: &s.user.username,
        role: s.user.role,
        lpa: s.user.lpa.as_ref(),
    }
}

/// What one reader may not see: restricted people, and every case restricted or naming a
/// restricted person (as victim or suspect). Empty for nearly every request.
#[derive(Debug, Default)]
pub(crate) struct Hidden {
    people: HashSet<PersonId>,
    cases: HashSet<IncidentId>,
}

impl Hidden {
    pub(crate) fn is_empty(&self) -> bool {
        self.people.is_empty() && self.cases.is_empty()
    }

    pub(crate) fn person(&self, p: &PersonId) -> bool {
        self.people.contains(p)
    }

    /// A case is hidden when it is, or any of `people` is.
    pub(crate) fn case<'p>(
        &self,
        c: &IncidentId,
        people: impl IntoIterator<Item = &'p PersonId>,
    ) -> bool {
        self.cases.contains(c) || people.into_iter().any(|p| self.people.contains(p))
    }

    /// Removes from a list what the reader may not see; returns how many were removed, for
    /// the page to say so (its total still counts them: the work exists).
    pub(crate) fn withhold<T>(&self, items: &mut Vec<T>, hides: impl Fn(&Self, &T) -> bool) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let before = items.len();
        items.retain(|i| !hides(self, i));
        (before - items.len()) as u64
    }
}

/// What the session's user may not see.
pub(crate) async fn hidden_from(app: &App, s: &Session) -> Outcome<Hidden> {
    let all = Restrictions::new(app.store.restrictions().await?);
    let mut hidden = Hidden::default();
    if all.is_empty() {
        return Ok(hidden);
    }
    let r = reader(s);
    for x in all.all().filter(|x| !x.admits(r)) {
        match &x.subject {
            Subject::Case(c) => {
                hidden.cases.insert(c.clone());
            }
            Subject::Person(p) => {
                hidden.people.insert(p.clone());
                for i in app.store.incidents_of(p).await? {
                    hidden.cases.insert(i.id);
                }
            }
        }
    }
    Ok(hidden)
}

/// Answers "not found" for a restricted record, and audits the attempt: a restricted
/// record is one somebody may be looking for.
pub(crate) async fn refuse_restricted(app: &App, s: &Session, kind: &str, id: &str) -> Failure {
    let _ = app
        .store
        .audit(&audit_entry(
            actor(s),
            &format!("{kind}.read_restricted"),
            kind,
            id,
            Some("the record is restricted and the reader is not among those named".into()),
        ))
        .await;
    Failure::NotFound
}

/// Refuses (as "not found", audited) a case the reader may not see: the case is
/// restricted, or its victim, suspect or a child named on it is.
pub(crate) async fn visible_case(app: &App, s: &Session, c: &CaseFile) -> Outcome<()> {
    let hidden = hidden_from(app, s).await?;
    let people = std::iter::once(&c.incident.victim_id)
        .chain(c.incident.suspect_id.as_ref())
        .chain(c.children.iter().map(|ch| &ch.person_id));
    if hidden.case(&c.incident.id, people) {
        return Err(refuse_restricted(app, s, "case", c.incident.id.as_str()).await);
    }
    Ok(())
}

/// Refuses (as "not found", audited) a person the reader may not see.
pub(crate) async fn visible_person(app: &App, s: &Session, p: &PersonId) -> Outcome<()> {
    if hidden_from(app, s).await?.person(p) {
        return Err(refuse_restricted(app, s, "person", p.as_str()).await);
    }
    Ok(())
}

// ----- administration -----

/// A restriction as an administrator asks for it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RestrictionInput {
    /// `person` or `case`.
    pub kind: String,
    pub reference: String,
    /// `force_employee`, `high_profile`, `protected_witness` or `other`.
    pub ground: String,
    pub note: String,
    /// Usernames who may see the record, separated by commas, spaces or lines.
    pub users: String,
    /// Teams who may see it (`dait`, or `dait@Colchester` for one area), separated by
    /// commas or lines.
    pub teams: String,
}

fn entries(raw: &str, split: impl Fn(char) -> bool) -> Vec<&str> {
    raw.split(split)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// Every restriction in force (administrators only).
pub async fn list_restrictions(app: &App, s: &Session) -> Outcome<Vec<Restriction>> {
    require(app, s, Capability::Administer, "restrictions", "").await?;
    Ok(app.store.restrictions().await?)
}

/// Restricts a record or changes who may see it. The record must exist; every named user
/// must be an enabled user; the change is audited against the record.
pub async fn set_restriction(
    app: &App,
    s: &Session,
    input: &RestrictionInput,
) -> Outcome<Restriction> {
    require(
        app,
        s,
        Capability::Administer,
        "restrictions",
        input.reference.trim(),
    )
    .await?;
    let mut errors = Vec::new();
    text_limit(&mut errors, "reference", &input.reference, 64);
    text_limit(&mut errors, "users", &input.users, 4000);
    text_limit(&mut errors, "teams", &input.teams, 2000);
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let subject = match Subject::parse(&input.kind, &input.reference) {
        Ok(sub) => {
            let exists = match &sub {
                Subject::Person(p) => app.store.person(p).await.map(|_| ()),
                Subject::Case(c) => app.store.case_file(c).await.map(|_| ()),
            };
            match exists {
                Ok(()) => Some(sub),
                Err(StoreError::NotFound { .. }) => {
                    errors.push(FieldError::new(
                        "reference",
                        format!("No {} has the reference {}", sub.kind(), sub.reference()),
                    ));
                    None
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => {
            let field = if matches!(input.kind.trim(), "person" | "case") {
                "reference"
            } else {
                "kind"
            };
            errors.push(FieldError::new(field, capitalise(&e.reason)));
            None
        }
    };
    let ground = choice(
        &mut errors,
        "ground",
        &input.ground,
        "the ground",
        Ground::parse,
    );
    let mut users = Vec::new();
    for raw in entries(&input.users, |c: char| c == ',' || c.is_whitespace()) {
        match vigil_domain::access::Username::parse(raw) {
            Ok(u) => match app.store.user(&u).await? {
                Some(found) if !found.disabled => users.push(u),
                _ => errors.push(FieldError::new(
                    "users",
                    format!("No enabled user has the username {u}"),
                )),
            },
            Err(e) => errors.push(FieldError::new("users", capitalise(&e.reason))),
        }
    }
    let mut teams = Vec::new();
    for raw in entries(&input.teams, |c: char| c == ',' || c == '\n') {
        match TeamAccess::parse(raw) {
            Ok(t) => match &t.lpa {
                Some(l) if !app.lpas.is_empty() && !app.lpas.contains(l) => errors.push(
                    FieldError::new("teams", format!("{l} is not one of the force's areas")),
                ),
                _ => teams.push(t),
            },
            Err(e) => errors.push(FieldError::new("teams", capitalise(&e.reason))),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let (subject, ground) = (subject.expect("checked"), ground.expect("checked"));
    let r = Restriction::new(
        subject,
        ground,
        &input.note,
        users,
        teams,
        s.user.username.clone(),
        vigil_auth::now_utc(),
    )
    .map_err(|(field, e)| Failure::Invalid(vec![FieldError::new(field, capitalise(&e.reason))]))?;
    let (users, teams) = vigil_store::rows::restriction_lists(&r);
    let who = format!(
        "{}; may see: {}",
        r.ground.words(),
        users
            .split('\n')
            .chain(teams.split('\n'))
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    );
    app.store
        .set_restriction(
            &r,
            &audit_entry(
                actor(s),
                "restriction.set",
                r.subject.kind(),
                r.subject.reference(),
                Some(who),
            ),
        )
        .await?;
    Ok(r)
}

/// Lifts a restriction, with a reason for the audit trail.
pub async fn lift_restriction(
    app: &App,
    s: &Session,
    kind: &str,
    reference: &str,
    reason: &str,
) -> Outcome<()> {
    require(app, s, Capability::Administer, "restrictions", reference).await?;
    let mut errors = Vec::new();
    if reason.trim().chars().count() < 10 {
        errors.push(FieldError::new(
            "reason",
            "Say why the restriction is lifted (at least 10 characters); it is written to the audit trail",
        ));
    }
    text_limit(&mut errors, "reason", reason, 500);
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let subject = Subject::parse(kind, reference).map_err(|_| Failure::NotFound)?;
    let lifted = app
        .store
        .lift_restriction(
            &subject,
            &audit_entry(
                actor(s),
                "restriction.lifted",
                subject.kind(),
                subject.reference(),
                Some(reason.trim().to_owned()),
            ),
        )
        .await?;
    if lifted {
        Ok(())
    } else {
        Err(Failure::NotFound)
    }
}
