-- The records of the extract format (DATA.md version 1), one table each, in PostgreSQL's
-- own types: dates are `date`, datetimes `timestamp` (UK local time, as the extract gives
-- them, so without a zone), flags `boolean`. `stored` keeps the order rows were stored in,
-- which exports follow (export -> import -> export is byte-identical); `version` counts
-- edits, for optimistic concurrency on records people change.

CREATE TABLE extract_info (
    id integer PRIMARY KEY CHECK (id = 1),
    source text NOT NULL,
    as_of date NOT NULL
);

-- A counter bumped by every write, so caches built from the records (the analytics
-- snapshot) can tell whether they are stale; and the store's own identity, which names its
-- cache so two databases never share one.
CREATE TABLE store_revision (
    id integer PRIMARY KEY CHECK (id = 1),
    revision bigint NOT NULL,
    store_id uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO store_revision (id, revision) VALUES (1, 0);

CREATE TABLE persons (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    person_id text PRIMARY KEY,
    sex text NOT NULL,
    birth_date date,
    ethnicity text NOT NULL,
    lpa text,
    family_name text,
    given_names text,
    address text,
    postcode text,
    address_confidential boolean NOT NULL,
    version bigint NOT NULL DEFAULT 1
);

CREATE TABLE incidents (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    incident_id text PRIMARY KEY,
    reported_at timestamp NOT NULL,
    lpa text NOT NULL,
    call_grade text NOT NULL,
    arrived_at timestamp,
    response_target_met boolean,
    victim_id text NOT NULL REFERENCES persons (person_id),
    suspect_id text REFERENCES persons (person_id),
    relationship text NOT NULL,
    children_present boolean NOT NULL,
    risk_level text,
    dash_yes_count bigint,
    version bigint NOT NULL DEFAULT 1
);

CREATE TABLE offences (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    offence_id text PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (incident_id),
    ho_code text,
    offence_group text NOT NULL,
    offence_date date NOT NULL,
    recorded_date date NOT NULL,
    victim_id text NOT NULL REFERENCES persons (person_id),
    suspect_id text REFERENCES persons (person_id),
    risk_level text,
    team text NOT NULL,
    outcome_code text,
    outcome_date date,
    bwv_captured boolean NOT NULL,
    victim_withdrawal_recorded boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 1,
    CHECK ((outcome_code IS NULL) = (outcome_date IS NULL)),
    CHECK (outcome_date IS NULL OR outcome_date >= recorded_date)
);

CREATE TABLE arrests (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    arrest_id text PRIMARY KEY,
    person_id text NOT NULL REFERENCES persons (person_id),
    incident_id text REFERENCES incidents (incident_id),
    offence_id text REFERENCES offences (offence_id),
    arrested_at timestamp NOT NULL,
    bwv_shown_in_interview boolean,
    disposal text,
    version bigint NOT NULL DEFAULT 1
);

CREATE TABLE risk_assessments (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    assessment_id text PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (incident_id),
    stage text NOT NULL,
    instrument text NOT NULL,
    assessed_at timestamp NOT NULL,
    answers text NOT NULL,
    yes_count bigint NOT NULL,
    grade text NOT NULL,
    judgement_raised boolean NOT NULL,
    version bigint NOT NULL DEFAULT 1
);

CREATE TABLE referrals (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    referral_id text PRIMARY KEY,
    kind text NOT NULL,
    person_id text NOT NULL REFERENCES persons (person_id),
    incident_id text REFERENCES incidents (incident_id),
    referred_at timestamp NOT NULL,
    agency text NOT NULL,
    consent boolean,
    version bigint NOT NULL DEFAULT 1
);

CREATE TABLE disclosures (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    disclosure_id text PRIMARY KEY,
    route text NOT NULL,
    subject_id text NOT NULL REFERENCES persons (person_id),
    at_risk_id text NOT NULL REFERENCES persons (person_id),
    received_at timestamp NOT NULL,
    decided_at timestamp,
    decision text,
    disclosed_at timestamp,
    version bigint NOT NULL DEFAULT 1
);

CREATE TABLE protection_orders (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    order_id text PRIMARY KEY,
    kind text NOT NULL,
    subject_id text NOT NULL REFERENCES persons (person_id),
    protected_id text NOT NULL REFERENCES persons (person_id),
    incident_id text REFERENCES incidents (incident_id),
    issued_at timestamp NOT NULL,
    expires_at timestamp,
    breached_at timestamp,
    version bigint NOT NULL DEFAULT 1
);

CREATE TABLE staffing (
    stored bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    as_of date NOT NULL,
    team text NOT NULL,
    lpa text,
    rank text NOT NULL,
    establishment_fte double precision NOT NULL,
    strength_fte double precision NOT NULL,
    deployable_fte double precision NOT NULL,
    version bigint NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX staffing_key ON staffing (as_of, team, COALESCE(lpa, ''), rank);

-- What the pages look up: a person's incidents, a case's records, a person's referrals.
CREATE INDEX incidents_victim ON incidents (victim_id);
CREATE INDEX incidents_suspect ON incidents (suspect_id);
CREATE INDEX incidents_reported_at ON incidents (reported_at);
CREATE INDEX offences_incident ON offences (incident_id);
CREATE INDEX risk_assessments_incident ON risk_assessments (incident_id);
CREATE INDEX arrests_incident ON arrests (incident_id);
CREATE INDEX referrals_incident ON referrals (incident_id);
CREATE INDEX referrals_person ON referrals (person_id);
CREATE INDEX referrals_agency ON referrals (agency, referred_at);
CREATE INDEX protection_orders_incident ON protection_orders (incident_id);
-- Search by name: a case-insensitive prefix of the family name, as an index range.
CREATE INDEX persons_family_name ON persons (lower(family_name) text_pattern_ops, lower(given_names));
-- Team queues and the routing rule's DAIT load read only open offences; the CRU's queue
-- only recent high-risk incidents: partial indexes hold just those.
CREATE INDEX offences_open ON offences (team, incident_id) WHERE outcome_code IS NULL;
CREATE INDEX incidents_high_risk ON incidents (reported_at) WHERE risk_level = 'high';

-- Records made in Vigil take their ids from one counter per kind ("VI0000001").
CREATE TABLE id_sequences (
    kind text PRIMARY KEY,
    next bigint NOT NULL
);
