-- The records of the extract format (DATA.md version 1), one table each.
-- Dates are TEXT 'YYYY-MM-DD', datetimes TEXT 'YYYY-MM-DDTHH:MM:SS' (UK local time), so they
-- sort and compare as text; booleans are 0/1. `version` counts edits, for optimistic
-- concurrency on records people change. Tables are stored and exported in rowid order.

CREATE TABLE extract_info (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    source TEXT NOT NULL,
    as_of TEXT NOT NULL
);

CREATE TABLE persons (
    person_id TEXT PRIMARY KEY NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT,
    ethnicity TEXT NOT NULL,
    lpa TEXT,
    family_name TEXT,
    given_names TEXT,
    address TEXT,
    postcode TEXT,
    address_confidential INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE incidents (
    incident_id TEXT PRIMARY KEY NOT NULL,
    reported_at TEXT NOT NULL,
    lpa TEXT NOT NULL,
    call_grade TEXT NOT NULL,
    arrived_at TEXT,
    response_target_met INTEGER,
    victim_id TEXT NOT NULL REFERENCES persons (person_id),
    suspect_id TEXT REFERENCES persons (person_id),
    relationship TEXT NOT NULL,
    children_present INTEGER NOT NULL,
    risk_level TEXT,
    dash_yes_count INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incidents_victim ON incidents (victim_id);
CREATE INDEX incidents_suspect ON incidents (suspect_id);

CREATE TABLE offences (
    offence_id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (incident_id),
    ho_code TEXT,
    offence_group TEXT NOT NULL,
    offence_date TEXT NOT NULL,
    recorded_date TEXT NOT NULL,
    victim_id TEXT NOT NULL REFERENCES persons (person_id),
    suspect_id TEXT REFERENCES persons (person_id),
    risk_level TEXT,
    team TEXT NOT NULL,
    outcome_code TEXT,
    outcome_date TEXT,
    bwv_captured INTEGER NOT NULL,
    victim_withdrawal_recorded INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((outcome_code IS NULL) = (outcome_date IS NULL)),
    CHECK (outcome_date IS NULL OR outcome_date >= recorded_date)
);
CREATE INDEX offences_incident ON offences (incident_id);

CREATE TABLE arrests (
    arrest_id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (person_id),
    incident_id TEXT REFERENCES incidents (incident_id),
    offence_id TEXT REFERENCES offences (offence_id),
    arrested_at TEXT NOT NULL,
    bwv_shown_in_interview INTEGER,
    disposal TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE risk_assessments (
    assessment_id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (incident_id),
    stage TEXT NOT NULL,
    instrument TEXT NOT NULL,
    assessed_at TEXT NOT NULL,
    answers TEXT NOT NULL,
    yes_count INTEGER NOT NULL,
    grade TEXT NOT NULL,
    judgement_raised INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX risk_assessments_incident ON risk_assessments (incident_id);

CREATE TABLE referrals (
    referral_id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (person_id),
    incident_id TEXT REFERENCES incidents (incident_id),
    referred_at TEXT NOT NULL,
    agency TEXT NOT NULL,
    consent INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE disclosures (
    disclosure_id TEXT PRIMARY KEY NOT NULL,
    route TEXT NOT NULL,
    subject_id TEXT NOT NULL REFERENCES persons (person_id),
    at_risk_id TEXT NOT NULL REFERENCES persons (person_id),
    received_at TEXT NOT NULL,
    decided_at TEXT,
    decision TEXT,
    disclosed_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE protection_orders (
    order_id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL REFERENCES persons (person_id),
    protected_id TEXT NOT NULL REFERENCES persons (person_id),
    incident_id TEXT REFERENCES incidents (incident_id),
    issued_at TEXT NOT NULL,
    expires_at TEXT,
    breached_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE staffing (
    as_of TEXT NOT NULL,
    team TEXT NOT NULL,
    lpa TEXT,
    rank TEXT NOT NULL,
    establishment_fte REAL NOT NULL,
    strength_fte REAL NOT NULL,
    deployable_fte REAL NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX staffing_key ON staffing (as_of, team, COALESCE(lpa, ''), rank);
