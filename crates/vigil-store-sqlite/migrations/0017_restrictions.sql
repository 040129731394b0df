-- Records restricted to named users and teams (need-to-know beyond the role). Users and
-- teams are one per line.
CREATE TABLE restrictions (
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('person', 'case')),
    subject_id TEXT NOT NULL,
    ground TEXT NOT NULL,
    note TEXT NOT NULL,
    users TEXT NOT NULL,
    teams TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (subject_kind, subject_id)
);

-- A service account (another system calling the API) may hold tokens longer than a
-- person's working day, up to this many hours; NULL for people.
ALTER TABLE users ADD COLUMN token_max_hours INTEGER;

-- The MARAC return reads a period's MARAC referrals by kind and date.
CREATE INDEX referrals_kind_at ON referrals (kind, referred_at);

-- An education user's school: they receive its Operation Encompass notifications.
ALTER TABLE users ADD COLUMN school text;

-- Operation Encompass notifications: one per child told, to the child's school (by its
-- compared key), acknowledged by the school's key adult.
CREATE TABLE encompass_notifications (
    referral_id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL,
    child_id TEXT NOT NULL,
    school TEXT NOT NULL,
    school_key TEXT NOT NULL,
    lpa TEXT NOT NULL,
    child_present INTEGER NOT NULL,
    voice_of_child TEXT NOT NULL,
    circumstances TEXT NOT NULL,
    due_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT
);
CREATE INDEX encompass_school ON encompass_notifications (school_key, due_at);
CREATE INDEX encompass_area ON encompass_notifications (lpa, due_at);
CREATE INDEX encompass_incident ON encompass_notifications (incident_id);

-- MARAC meetings: an area meets on a day; the agenda is worked out from the referrals.
CREATE TABLE marac_meetings (
    meeting_id INTEGER PRIMARY KEY NOT NULL,
    area TEXT NOT NULL,
    held_on TEXT NOT NULL,
    venue TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (area, held_on)
);

-- MARAC action plans: each action owned by one agency, due on a day, completed with
-- evidence.
CREATE TABLE marac_actions (
    action_id INTEGER PRIMARY KEY NOT NULL,
    meeting_id INTEGER NOT NULL REFERENCES marac_meetings (meeting_id),
    referral_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    about TEXT NOT NULL,
    owner TEXT NOT NULL,
    description TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT,
    evidence TEXT
);
CREATE INDEX marac_actions_owner ON marac_actions (owner, due_on);
CREATE INDEX marac_actions_meeting ON marac_actions (meeting_id);
CREATE INDEX marac_actions_person ON marac_actions (person_id);

-- The IDVA service's work on each IDVA referral (versioned: two IDVAs acting at once do
-- not overwrite each other).
CREATE TABLE idva_cases (
    referral_id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL,
    referred_at TEXT NOT NULL,
    accepted_by TEXT,
    accepted_at TEXT,
    declined_at TEXT,
    declined_by TEXT,
    decline_reason TEXT,
    first_contact_at TEXT,
    engagement TEXT,
    closed_at TEXT,
    close_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX idva_cases_accepted ON idva_cases (accepted_by, closed_at);

-- What each agency holds on a case before a MARAC meeting (one entry per agency per
-- case per meeting, replaced when the agency edits it).
CREATE TABLE marac_research (
    meeting_id INTEGER NOT NULL REFERENCES marac_meetings (meeting_id),
    referral_id TEXT NOT NULL,
    agency TEXT NOT NULL,
    text TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, referral_id, agency)
);
