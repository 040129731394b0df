-- Casework: the live state of each case Vigil works, its append-only log, and its tasks
-- (derived by the domain's task engine from the records, kept so work lists can select by
-- owner and due time).
CREATE TABLE case_state (
    incident_id text PRIMARY KEY REFERENCES incidents (incident_id),
    lpa text NOT NULL,
    grade text,
    team text,
    status text NOT NULL,
    status_reason text,
    allocated_to text,
    recorded_by text,
    routed_at timestamp,
    opened_at timestamp NOT NULL,
    version bigint NOT NULL DEFAULT 1
);
CREATE INDEX case_state_team ON case_state (team, lpa) WHERE status <> 'finalised';
CREATE INDEX case_state_officer ON case_state (allocated_to) WHERE allocated_to IS NOT NULL;
CREATE INDEX case_state_high ON case_state (incident_id) WHERE grade = 'high';

CREATE TABLE case_events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (incident_id),
    at timestamp NOT NULL,
    actor text NOT NULL,
    kind text NOT NULL,
    subject text,
    value text,
    detail text,
    text text
);
CREATE INDEX case_events_incident ON case_events (incident_id, seq);
CREATE FUNCTION vigil_case_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a case log cannot be altered' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION vigil_case_log_refuse();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_case_log_refuse();
REVOKE UPDATE, DELETE, TRUNCATE ON case_events FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON case_events FROM CURRENT_USER;

CREATE TABLE tasks (
    incident_id text NOT NULL REFERENCES incidents (incident_id),
    kind text NOT NULL,
    key text NOT NULL,
    label text NOT NULL,
    team text NOT NULL,
    lpa text NOT NULL,
    officer text,
    due_at timestamp NOT NULL,
    done_at timestamp,
    done_by text,
    PRIMARY KEY (incident_id, kind, key)
);
CREATE INDEX tasks_officer ON tasks (officer, due_at) WHERE done_at IS NULL;
CREATE INDEX tasks_team ON tasks (team, lpa, due_at) WHERE done_at IS NULL AND officer IS NULL;
