-- Clare's Law (DVDS) applications worked in Vigil (`vigil_domain::dvds`), one row each
-- with a version; each stage's columns empty until it is done. The decision is mirrored
-- in `disclosures` for the measures.
CREATE TABLE dvds_applications (
    disclosure_id TEXT PRIMARY KEY NOT NULL,
    route TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    at_risk_id TEXT NOT NULL,
    applicant TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    lpa TEXT NOT NULL,
    incident_id TEXT,
    evidence TEXT NOT NULL,
    received_at TEXT NOT NULL,
    received_by TEXT NOT NULL,
    contact_at TEXT,
    contact_by TEXT,
    immediate_risk INTEGER,
    contact_notes TEXT,
    meeting_at TEXT,
    meeting_by TEXT,
    identity_verified INTEGER,
    meeting_notes TEXT,
    checks_at TEXT,
    checks_by TEXT,
    checks_police TEXT,
    checks_partners TEXT,
    panel_at TEXT,
    panel_by TEXT,
    pressing_need INTEGER,
    lawful_necessary_proportionate INTEGER,
    rationale TEXT,
    outcome_at TEXT,
    outcome_by TEXT,
    disclosed INTEGER,
    to_whom TEXT,
    said TEXT,
    safety_plan TEXT,
    declined_at TEXT,
    declined_by TEXT,
    decline_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX dvds_applications_open ON dvds_applications (outcome_at, declined_at, lpa);

-- A police user's rank: who may authorise a DVPN (superintendent) or a DAPN (inspector).
ALTER TABLE users ADD COLUMN rank TEXT;

-- Protective notices worked in Vigil (`vigil_domain::protective`), one row each with a
-- version, mirrored in `protection_orders` for the measures; what the victim was told and
-- each breach, in order, in `protective_events`.
CREATE TABLE protective_notices (
    order_id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    protected_id TEXT NOT NULL,
    incident_id TEXT,
    lpa TEXT NOT NULL,
    applied_by TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    grounds TEXT NOT NULL,
    children_welfare TEXT NOT NULL,
    victim_view TEXT NOT NULL,
    representations TEXT NOT NULL,
    other_occupants TEXT NOT NULL,
    conditions TEXT NOT NULL,
    address_for_service TEXT NOT NULL,
    authorised_at TEXT,
    authorised_by TEXT,
    authoriser_rank TEXT,
    served_at TEXT,
    served_by TEXT,
    adjourned_to TEXT,
    decided_at TEXT,
    decision TEXT,
    decision_notes TEXT,
    granted_order_id TEXT,
    made_at TEXT,
    expires_at TEXT,
    order_conditions TEXT,
    requirements TEXT,
    monitoring_months INTEGER,
    notified_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX protective_notices_open ON protective_notices (decided_at, lpa);

CREATE TABLE protective_events (
    order_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    of_kind TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (order_id, seq)
);
