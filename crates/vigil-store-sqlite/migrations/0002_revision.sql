-- A counter bumped by every write, so caches built from the records (the analytics
-- snapshot) can tell whether they are stale.
CREATE TABLE store_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO store_revision (id, revision) VALUES (1, 0);
