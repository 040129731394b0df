-- The perpetrator and acute victim cohorts (`vigil_domain::cohort`): each run with the
-- configuration it used, its members and those who left since the run before; each
-- member's owner (one versioned row per cohort, area and person) and what was done.
CREATE TABLE cohort_runs (
    run_id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    lpa TEXT NOT NULL,
    as_of TEXT NOT NULL,
    run_at TEXT NOT NULL,
    run_by TEXT NOT NULL,
    configuration TEXT NOT NULL
);
CREATE INDEX cohort_runs_latest ON cohort_runs (kind, lpa, as_of);

CREATE TABLE cohort_members (
    run_id INTEGER NOT NULL REFERENCES cohort_runs (run_id),
    person_id TEXT NOT NULL,
    rank INTEGER,
    movement TEXT NOT NULL,
    previous_rank INTEGER,
    score REAL NOT NULL,
    r REAL NOT NULL,
    f REAL NOT NULL,
    g REAL NOT NULL,
    v REAL NOT NULL,
    incidents INTEGER NOT NULL,
    victims INTEGER NOT NULL,
    last_incident TEXT,
    serial INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    PRIMARY KEY (run_id, person_id)
);
CREATE INDEX cohort_members_person ON cohort_members (person_id);

CREATE TABLE cohort_allocations (
    allocation_key TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    lpa TEXT NOT NULL,
    person_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    plan TEXT NOT NULL,
    allocated_at TEXT NOT NULL,
    allocated_by TEXT NOT NULL,
    next_review TEXT NOT NULL,
    closed_at TEXT,
    closed_by TEXT,
    closed_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cohort_allocations_owner ON cohort_allocations (owner, next_review);

CREATE TABLE cohort_actions (
    allocation_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    by_user TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (allocation_key, seq)
);
