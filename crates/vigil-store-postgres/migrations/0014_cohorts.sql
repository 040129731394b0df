-- The perpetrator and acute victim cohorts (`vigil_domain::cohort`): each run with the
-- configuration it used, its members and those who left since the run before; each
-- member's owner (one versioned row per cohort, area and person) and what was done.
CREATE TABLE cohort_runs (
    run_id bigint PRIMARY KEY NOT NULL,
    kind text NOT NULL,
    lpa text NOT NULL,
    as_of date NOT NULL,
    run_at timestamp NOT NULL,
    run_by text NOT NULL,
    configuration text NOT NULL
);
CREATE INDEX cohort_runs_latest ON cohort_runs (kind, lpa, as_of);

CREATE TABLE cohort_members (
    run_id bigint NOT NULL REFERENCES cohort_runs (run_id),
    person_id text NOT NULL,
    rank bigint,
    movement text NOT NULL,
    previous_rank bigint,
    score double precision NOT NULL,
    r double precision NOT NULL,
    f double precision NOT NULL,
    g double precision NOT NULL,
    v double precision NOT NULL,
    incidents bigint NOT NULL,
    victims bigint NOT NULL,
    last_incident date,
    serial boolean NOT NULL,
    reasons text NOT NULL,
    PRIMARY KEY (run_id, person_id)
);
CREATE INDEX cohort_members_person ON cohort_members (person_id);

CREATE TABLE cohort_allocations (
    allocation_key text PRIMARY KEY NOT NULL,
    kind text NOT NULL,
    lpa text NOT NULL,
    person_id text NOT NULL,
    owner text NOT NULL,
    plan text NOT NULL,
    allocated_at timestamp NOT NULL,
    allocated_by text NOT NULL,
    next_review date NOT NULL,
    closed_at timestamp,
    closed_by text,
    closed_reason text,
    version bigint NOT NULL DEFAULT 1
);
CREATE INDEX cohort_allocations_owner ON cohort_allocations (owner, next_review);

CREATE TABLE cohort_actions (
    allocation_key text NOT NULL,
    seq bigint NOT NULL,
    at timestamp NOT NULL,
    by_user text NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    outcome text NOT NULL,
    PRIMARY KEY (allocation_key, seq)
);
