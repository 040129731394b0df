-- What MARAC writes down (`vigil_domain::marac_record`): the referral form beside each
-- MARAC referral made in Vigil; each meeting's attendance, the discussion of each case and
-- the risk after it, the chair's approval of the minutes; transfers between MARACs.
CREATE TABLE marac_referral_forms (
    referral_id text PRIMARY KEY NOT NULL,
    person_id text NOT NULL,
    referred_at timestamp NOT NULL,
    agency text NOT NULL,
    referrer text NOT NULL,
    referrer_name text NOT NULL,
    referrer_phone text NOT NULL,
    perpetrator_id text,
    perpetrator_name text NOT NULL,
    children_in_household text NOT NULL,
    dash_score bigint,
    grounds text NOT NULL,
    judgement_reason text NOT NULL,
    victim_wishes text NOT NULL,
    consent_sought boolean NOT NULL,
    consent boolean,
    disability text NOT NULL,
    sexuality text NOT NULL,
    transgender text NOT NULL,
    transferred_from text NOT NULL
);

CREATE TABLE marac_attendance (
    meeting_id bigint NOT NULL REFERENCES marac_meetings (meeting_id),
    agency text NOT NULL,
    attendees text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamp NOT NULL,
    PRIMARY KEY (meeting_id, agency)
);

CREATE TABLE marac_discussions (
    meeting_id bigint NOT NULL REFERENCES marac_meetings (meeting_id),
    referral_id text NOT NULL,
    person_id text NOT NULL,
    discussion text NOT NULL,
    risk_after text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamp NOT NULL,
    PRIMARY KEY (meeting_id, referral_id)
);

-- Once a meeting's minutes are approved its record is closed (one approval a meeting).
CREATE TABLE marac_minutes_approvals (
    meeting_id bigint PRIMARY KEY NOT NULL REFERENCES marac_meetings (meeting_id),
    approved_by text NOT NULL,
    approved_at timestamp NOT NULL
);

CREATE TABLE marac_transfers (
    referral_id text NOT NULL,
    person_id text NOT NULL,
    from_area text NOT NULL,
    to_area text NOT NULL,
    reason text NOT NULL,
    transferred_by text NOT NULL,
    transferred_at timestamp NOT NULL,
    PRIMARY KEY (referral_id, transferred_at)
);

-- The MASH's work on each MASH referral (versioned, like the IDVA service's).
CREATE TABLE mash_cases (
    referral_id text PRIMARY KEY NOT NULL,
    person_id text NOT NULL,
    incident_id text,
    lpa text NOT NULL,
    referred_at timestamp NOT NULL,
    referred_by text NOT NULL,
    about text NOT NULL,
    children text NOT NULL,
    concern text NOT NULL,
    research text,
    research_by text,
    research_at timestamp,
    decision text,
    rationale text,
    decided_by text,
    decided_at timestamp,
    outcome_read_at timestamp,
    version bigint NOT NULL DEFAULT 1
);
CREATE INDEX mash_cases_open ON mash_cases (lpa, decided_at);
CREATE INDEX mash_cases_referrer ON mash_cases (referred_by, outcome_read_at);
