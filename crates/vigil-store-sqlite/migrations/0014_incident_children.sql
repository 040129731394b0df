-- Children named on an incident recorded in Vigil, with the school Operation Encompass tells.
CREATE TABLE incident_children (
    incident_id TEXT NOT NULL REFERENCES incidents (incident_id),
    person_id TEXT NOT NULL REFERENCES persons (person_id),
    school TEXT,
    PRIMARY KEY (incident_id, person_id)
);
CREATE INDEX incident_children_person ON incident_children (person_id);
