-- How each victim wants to be contacted, as last recorded in Vigil (versioned: two officers
-- editing at once do not overwrite each other).
CREATE TABLE contact_preferences (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES persons (person_id),
    method TEXT NOT NULL,
    safe_number TEXT,
    safe_times TEXT NOT NULL,
    avoid TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
