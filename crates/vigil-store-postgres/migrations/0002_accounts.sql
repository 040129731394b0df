-- Users, sign-in sessions and the audit trail.
CREATE TABLE users (
    user_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL UNIQUE,
    display_name text NOT NULL,
    role text NOT NULL,
    agency text,
    -- argon2id PHC string; a password is never stored.
    password_hash text NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    lpa text,
    version bigint NOT NULL DEFAULT 1
);

-- Only a hash of the session token is stored, so a copy of the database does not hand
-- anyone a live session. A browser session also ends after a spell of inactivity
-- (idle_expires_at); an API token has none.
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (user_id),
    csrf_token text NOT NULL,
    created_at timestamp NOT NULL,
    expires_at timestamp NOT NULL,
    idle_expires_at timestamp
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Every read and change of a person's or a case's record, and every administrative act.
-- Each row carries the SHA-256 of its content and of the row before it (computed by Vigil,
-- the same way on every backend), so any change or removal breaks the chain.
CREATE TABLE audit_log (
    seq bigint PRIMARY KEY,
    at timestamp NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    subject_kind text NOT NULL,
    subject_id text NOT NULL,
    reason text,
    prev_hash text NOT NULL,
    hash text NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id);

-- Append-only, twice over: triggers refuse any update, delete or truncate, whoever asks,
-- and the role that runs Vigil (the one migrating) gives up the right to do them at all.
CREATE FUNCTION vigil_audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail cannot be altered' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION vigil_audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_audit_log_refuse();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER;
