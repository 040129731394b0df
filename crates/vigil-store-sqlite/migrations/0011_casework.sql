-- Casework: the live state of each case Vigil works, its append-only log, and its tasks
-- (derived by the domain's task engine from the records, kept so work lists can select by
-- owner and due time).
CREATE TABLE case_state (
    incident_id TEXT PRIMARY KEY NOT NULL REFERENCES incidents (incident_id),
    lpa TEXT NOT NULL,
    grade TEXT,
    team TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    allocated_to TEXT,
    recorded_by TEXT,
    routed_at TEXT,
    opened_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX case_state_team ON case_state (team, lpa) WHERE status <> 'finalised';
CREATE INDEX case_state_officer ON case_state (allocated_to) WHERE allocated_to IS NOT NULL;
CREATE INDEX case_state_high ON case_state (incident_id) WHERE grade = 'high';

CREATE TABLE case_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents (incident_id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT,
    value TEXT,
    detail TEXT,
    text TEXT
);
CREATE INDEX case_events_incident ON case_events (incident_id, seq);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'a case log cannot be altered');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'a case log cannot be altered');
END;

CREATE TABLE tasks (
    incident_id TEXT NOT NULL REFERENCES incidents (incident_id),
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    team TEXT NOT NULL,
    lpa TEXT NOT NULL,
    officer TEXT,
    due_at TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT,
    PRIMARY KEY (incident_id, kind, key)
);
CREATE INDEX tasks_officer ON tasks (officer, due_at) WHERE done_at IS NULL;
CREATE INDEX tasks_team ON tasks (team, lpa, due_at) WHERE done_at IS NULL AND officer IS NULL;
