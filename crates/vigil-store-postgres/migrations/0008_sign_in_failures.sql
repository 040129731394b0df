-- Wrong passwords, by username and client address, so a restart does not lift a sign-in
-- lock. Rows older than a day are deleted as new ones arrive.
CREATE TABLE sign_in_failures (
    at timestamp NOT NULL,
    username text NOT NULL,
    address text NOT NULL
);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
