-- Writes made with an Idempotency-Key: a retry with the same key gets the first answer and
-- writes nothing new. `status` is empty while the first request is still running. Rows
-- older than a day are deleted as new ones arrive.
CREATE TABLE idempotency_keys (
    username TEXT NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (username, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
-- Audit entries are found by record through audit_log_subject_id; the older index by kind
-- and record only slowed every write.
DROP INDEX IF EXISTS audit_log_subject;
