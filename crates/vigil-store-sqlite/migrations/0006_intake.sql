-- Records made in Vigil (an intake, an offence, an arrest, an assessment) take their ids
-- from one counter per record kind, so two officers saving at once never collide.
CREATE TABLE id_sequences (
    kind TEXT PRIMARY KEY NOT NULL,
    next INTEGER NOT NULL
);

-- Search by name (case-insensitive prefix) and by the day an incident was reported.
CREATE INDEX persons_family_name ON persons (family_name COLLATE NOCASE, given_names COLLATE NOCASE);
CREATE INDEX incidents_reported_at ON incidents (reported_at);
CREATE INDEX referrals_agency ON referrals (agency, referred_at);
