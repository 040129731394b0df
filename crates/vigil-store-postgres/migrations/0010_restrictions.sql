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
