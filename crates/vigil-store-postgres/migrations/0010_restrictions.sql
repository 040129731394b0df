-- Records restricted to named users and teams (need-to-know beyond the role). Users and
-- teams are one per line.
CREATE TABLE restrictions (
    subject_kind text NOT NULL CHECK (subject_kind IN ('person', 'case')),
    subject_id text NOT NULL,
    ground text NOT NULL,
    note text NOT NULL,
    users text NOT NULL,
    teams text NOT NULL,
    set_by text NOT NULL,
    set_at timestamp NOT NULL,
    PRIMARY KEY (subject_kind, subject_id)
);

-- A service account (another system calling the API) may hold tokens longer than a
-- person's working day, up to this many hours; NULL for people.
ALTER TABLE users ADD COLUMN token_max_hours bigint;

-- The MARAC return reads a period's MARAC referrals by kind and date.
CREATE INDEX referrals_kind_at ON referrals (kind, referred_at);

-- An education user's school: they receive its Operation Encompass notifications.
ALTER TABLE users ADD COLUMN school text;

-- Operation Encompass notifications: one per child told, to the child's school (by its
-- compared key), acknowledged by the school's key adult.
CREATE TABLE encompass_notifications (
    referral_id text PRIMARY KEY,
    incident_id text NOT NULL,
    child_id text NOT NULL,
    school text NOT NULL,
    school_key text NOT NULL,
    lpa text NOT NULL,
    child_present boolean NOT NULL,
    voice_of_child text NOT NULL,
    circumstances text NOT NULL,
    due_at timestamp NOT NULL,
    acknowledged_at timestamp,
    acknowledged_by text
);
CREATE INDEX encompass_school ON encompass_notifications (school_key, due_at);
CREATE INDEX encompass_area ON encompass_notifications (lpa, due_at);
CREATE INDEX encompass_incident ON encompass_notifications (incident_id);
