-- Clare's Law (DVDS) applications worked in Vigil (`vigil_domain::dvds`), one row each
-- with a version; each stage's columns empty until it is done. The decision is mirrored
-- in `disclosures` for the measures.
CREATE TABLE dvds_applications (
    disclosure_id text PRIMARY KEY NOT NULL,
    route text NOT NULL,
    subject_id text NOT NULL,
    at_risk_id text NOT NULL,
    applicant text NOT NULL,
    applicant_name text NOT NULL,
    lpa text NOT NULL,
    incident_id text,
    evidence text NOT NULL,
    received_at timestamp NOT NULL,
    received_by text NOT NULL,
    contact_at timestamp,
    contact_by text,
    immediate_risk boolean,
    contact_notes text,
    meeting_at timestamp,
    meeting_by text,
    identity_verified boolean,
    meeting_notes text,
    checks_at timestamp,
    checks_by text,
    checks_police text,
    checks_partners text,
    panel_at timestamp,
    panel_by text,
    pressing_need boolean,
    lawful_necessary_proportionate boolean,
    rationale text,
    outcome_at timestamp,
    outcome_by text,
    disclosed boolean,
    to_whom text,
    said text,
    safety_plan text,
    declined_at timestamp,
    declined_by text,
    decline_reason text,
    version bigint NOT NULL DEFAULT 1
);
CREATE INDEX dvds_applications_open ON dvds_applications (outcome_at, declined_at, lpa);

-- A police user's rank: who may authorise a DVPN (superintendent) or a DAPN (inspector).
ALTER TABLE users ADD COLUMN rank text;

-- Protective notices worked in Vigil (`vigil_domain::protective`), one row each with a
-- version, mirrored in `protection_orders` for the measures; what the victim was told and
-- each breach, in order, in `protective_events`.
CREATE TABLE protective_notices (
    order_id text PRIMARY KEY NOT NULL,
    kind text NOT NULL,
    subject_id text NOT NULL,
    protected_id text NOT NULL,
    incident_id text,
    lpa text NOT NULL,
    applied_by text NOT NULL,
    applied_at timestamp NOT NULL,
    grounds text NOT NULL,
    children_welfare text NOT NULL,
    victim_view text NOT NULL,
    representations text NOT NULL,
    other_occupants text NOT NULL,
    conditions text NOT NULL,
    address_for_service text NOT NULL,
    authorised_at timestamp,
    authorised_by text,
    authoriser_rank text,
    served_at timestamp,
    served_by text,
    adjourned_to timestamp,
    decided_at timestamp,
    decision text,
    decision_notes text,
    granted_order_id text,
    made_at timestamp,
    expires_at timestamp,
    order_conditions text,
    requirements text,
    monitoring_months bigint,
    notified_at timestamp,
    version bigint NOT NULL DEFAULT 1
);
CREATE INDEX protective_notices_open ON protective_notices (decided_at, lpa);

CREATE TABLE protective_events (
    order_id text NOT NULL,
    seq bigint NOT NULL,
    at timestamp NOT NULL,
    kind text NOT NULL,
    recorded_by text NOT NULL,
    of_kind text NOT NULL,
    text text NOT NULL,
    PRIMARY KEY (order_id, seq)
);
