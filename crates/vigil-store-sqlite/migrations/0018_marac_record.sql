-- What MARAC writes down (`vigil_domain::marac_record`): the referral form beside each
-- MARAC referral made in Vigil; each meeting's attendance, the discussion of each case and
-- the risk after it, the chair's approval of the minutes; transfers between MARACs.
CREATE TABLE marac_referral_forms (
    referral_id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL,
    referred_at TEXT NOT NULL,
    agency TEXT NOT NULL,
    referrer TEXT NOT NULL,
    referrer_name TEXT NOT NULL,
    referrer_phone TEXT NOT NULL,
    perpetrator_id TEXT,
    perpetrator_name TEXT NOT NULL,
    children_in_household TEXT NOT NULL,
    dash_score INTEGER,
    grounds TEXT NOT NULL,
    judgement_reason TEXT NOT NULL,
    victim_wishes TEXT NOT NULL,
    consent_sought INTEGER NOT NULL,
    consent INTEGER,
    disability TEXT NOT NULL,
    sexuality TEXT NOT NULL,
    transgender TEXT NOT NULL,
    transferred_from TEXT NOT NULL
);

CREATE TABLE marac_attendance (
    meeting_id INTEGER NOT NULL REFERENCES marac_meetings (meeting_id),
    agency TEXT NOT NULL,
    attendees TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, agency)
);

CREATE TABLE marac_discussions (
    meeting_id INTEGER NOT NULL REFERENCES marac_meetings (meeting_id),
    referral_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    discussion TEXT NOT NULL,
    risk_after TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, referral_id)
);

-- Once a meeting's minutes are approved its record is closed (one approval a meeting).
CREATE TABLE marac_minutes_approvals (
    meeting_id INTEGER PRIMARY KEY NOT NULL REFERENCES marac_meetings (meeting_id),
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL
);

CREATE TABLE marac_transfers (
    referral_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    from_area TEXT NOT NULL,
    to_area TEXT NOT NULL,
    reason TEXT NOT NULL,
    transferred_by TEXT NOT NULL,
    transferred_at TEXT NOT NULL,
    PRIMARY KEY (referral_id, transferred_at)
);

-- The MASH's work on each MASH referral (versioned, like the IDVA service's).
CREATE TABLE mash_cases (
    referral_id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL,
    incident_id TEXT,
    lpa TEXT NOT NULL,
    referred_at TEXT NOT NULL,
    referred_by TEXT NOT NULL,
    about TEXT NOT NULL,
    children TEXT NOT NULL,
    concern TEXT NOT NULL,
    research TEXT,
    research_by TEXT,
    research_at TEXT,
    decision TEXT,
    rationale TEXT,
    decided_by TEXT,
    decided_at TEXT,
    outcome_read_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX mash_cases_open ON mash_cases (lpa, decided_at);
CREATE INDEX mash_cases_referrer ON mash_cases (referred_by, outcome_read_at);
