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
