//! Children named on an incident: checked (a child on the day, born by then, a school),
//! created as people or found among those recorded, and linked to the incident, at intake
//! or later from the case. Each child's school is an Operation Encompass task.

use super::*;
use vigil_domain::children::{IncidentChild, check_child_age};

/// A child at an incident: a child already recorded (by reference) or a new one.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ChildInput {
    /// The reference of a child already recorded; their details are then not needed.
    pub id: String,
    pub family_name: String,
    pub given_names: String,
    /// `female`, `male`, `other` or `unknown` (not known if empty).
    pub sex: String,
    /// `YYYY-MM-DD` or `DD/MM/YYYY`: needed for a new child (the school finds them by it).
    pub birth_date: String,
    /// The child's school or nursery, if they attend one.
    pub school: String,
}

impl ChildInput {
    pub fn is_empty(&self) -> bool {
        [
            &self.id,
            &self.family_name,
            &self.given_names,
            &self.birth_date,
            &self.school,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// The most children one incident names at once.
pub const MAX_CHILDREN: usize = 12;

/// A child as checked: who, and their school.
pub(crate) struct ValidChild {
    pub(crate) party: Party,
    pub(crate) school: Option<String>,
}

/// Checks the children typed (empty rows skipped); field names are `children.N.field`,
/// counting from 1. Existing children are looked up and their age checked against the day
/// of the incident.
pub(crate) async fn validate_children(
    app: &App,
    s: &Session,
    errors: &mut Vec<FieldError>,
    inputs: &[ChildInput],
    lpa: Option<&Lpa>,
    today: Date,
    incident_day: Option<Date>,
) -> Outcome<Vec<ValidChild>> {
    let rows: Vec<(usize, &ChildInput)> = inputs
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .map(|(i, c)| (i + 1, c))
        .collect();
    if rows.len() > MAX_CHILDREN {
        errors.push(FieldError::new(
            "children",
            format!(
                "{} children named; name at most {MAX_CHILDREN} at once and add the rest from the case",
                rows.len()
            ),
        ));
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (n, c) in rows {
        let prefix = format!("children.{n}");
        let before = errors.len();
        if c.id.trim().is_empty() && c.birth_date.trim().is_empty() {
            errors.push(FieldError::new(
                format!("{prefix}.birth_date"),
                format!("Enter child {n}'s date of birth: the school finds the child by it"),
            ));
        }
        let party = validate_party(
            errors,
            &prefix,
            &PartyInput {
                id: c.id.clone(),
                family_name: c.family_name.clone(),
                given_names: c.given_names.clone(),
                sex: if c.sex.trim().is_empty() {
                    "unknown".to_owned()
                } else {
                    c.sex.clone()
                },
                birth_date: c.birth_date.clone(),
                ..PartyInput::default()
            },
            lpa,
            today,
        );
        let school = text_limit(errors, &format!("{prefix}.school"), &c.school, 200);
        // A child on the day of the incident, whether new or already recorded.
        let born = match &party {
            Some(Party::New(p)) => p.birth_date,
            Some(Party::Existing(id)) => {
                match app.store.person(id).await {
                    // A restricted child the recorder may not see reads as no person.
                    Ok(_) if hidden_from(app, s).await?.person(id) => {
                        errors.push(FieldError::new(
                            format!("{prefix}.id"),
                            format!("No person has the reference '{id}'; enter the child's details instead"),
                        ));
                        None
                    }
                    Ok(p) => p.record.birth_date,
                    Err(StoreError::NotFound { .. }) => {
                        errors.push(FieldError::new(
                        format!("{prefix}.id"),
                        format!("No person has the reference '{id}'; enter the child's details instead"),
                    ));
                        None
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            None => None,
        };
        if let (Some(b), Some(day)) = (born, incident_day)
            && let Err(e) = check_child_age(b, day)
        {
            errors.push(FieldError::new(
                format!("{prefix}.birth_date"),
                format!("Child {n}: {}", e.reason),
            ));
        }
        if errors.len() == before
            && let Some(party) = party
        {
            out.push(ValidChild { party, school });
        }
    }
    Ok(out)
}

/// Gives new children their references; returns the links to the incident and the new
/// people to store.
pub(crate) async fn link_children(
    app: &App,
    incident: &IncidentId,
    children: Vec<ValidChild>,
    already: &[IncidentChild],
) -> Outcome<(Vec<IncidentChild>, Vec<Person>)> {
    let new = children
        .iter()
        .filter(|c| matches!(c.party, Party::New(_)))
        .count();
    let mut ids = app
        .store
        .new_ids(RecordKind::Person, new)
        .await?
        .into_iter();
    let mut links: Vec<IncidentChild> = Vec::new();
    let mut people = Vec::new();
    for c in children {
        let person_id = match c.party {
            Party::Existing(id) => id,
            Party::New(mut p) => {
                p.id = PersonId::parse(&ids.next().expect("one id per new child"))
                    .map_err(|e| Failure::Problem(e.reason))?;
                let id = p.id.clone();
                people.push(p);
                id
            }
        };
        // A child named twice is linked once.
        if already
            .iter()
            .chain(links.iter())
            .any(|l| l.person_id == person_id)
        {
            continue;
        }
        links.push(IncidentChild {
            incident_id: incident.clone(),
            person_id,
            school: c.school,
        });
    }
    Ok((links, people))
}

/// Names children on a case after it was recorded; the incident then counts as one with
/// children, and each child's school becomes an Operation Encompass task.
pub async fn add_children(
    app: &App,
    s: &Session,
    case_id: &str,
    inputs: &[ChildInput],
) -> Outcome<Vec<PersonId>> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[
            Capability::RecordIncident,
            Capability::RecordInvestigation,
            Capability::Safeguard,
        ],
        "children",
    )
    .await?;
    let i = case.file.incident.clone();
    let mut errors = Vec::new();
    if inputs.iter().all(ChildInput::is_empty) {
        errors.push(FieldError::new(
            "children.1.family_name",
            "Enter a child's details, or the reference of a child already recorded",
        ));
    }
    let valid = validate_children(
        app,
        s,
        &mut errors,
        inputs,
        Some(&i.lpa),
        app.now().date(),
        Some(i.reported_at.date()),
    )
    .await?;
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let (links, people) = link_children(app, &i.id, valid, &case.file.children).await?;
    if links.is_empty() {
        return Err(Failure::Invalid(vec![FieldError::new(
            "children.1.id",
            "Those children are already named on this case",
        )]));
    }
    let mut audit: Vec<AuditEntry> = people
        .iter()
        .map(|p| audit_entry(actor(s), "person.create", "person", p.id.as_str(), None))
        .collect();
    audit.push(audit_entry(
        actor(s),
        "case.children",
        "case",
        i.id.as_str(),
        Some(format!("{} child(ren) named", links.len())),
    ));
    let ids: Vec<PersonId> = links.iter().map(|l| l.person_id.clone()).collect();
    let records = RecordSet {
        persons: people,
        ..RecordSet::default()
    };
    append(
        app,
        case,
        |c| {
            c.records = records.clone();
            c.children = links.clone();
        },
        audit,
    )
    .await?;
    Ok(ids)
}
