-- How each victim wants to be contacted, as last recorded in Vigil (versioned: two officers
-- editing at once do not overwrite each other).
CREATE TABLE contact_preferences (
    person_id text PRIMARY KEY REFERENCES persons (person_id),
    method text NOT NULL,
    safe_number text,
    safe_times text NOT NULL,
    avoid text NOT NULL,
    recorded_at timestamp NOT NULL,
    recorded_by text NOT NULL,
    version bigint NOT NULL DEFAULT 1
);
