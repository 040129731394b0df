-- Wrong passwords, by username and client address, so a restart does not lift a sign-in
-- lock. Rows older than a day are deleted as new ones arrive.
CREATE TABLE sign_in_failures (
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
