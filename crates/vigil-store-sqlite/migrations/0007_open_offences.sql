-- Team queues and the routing rule's DAIT load read only open offences (no outcome yet), a
-- small part of all offences: a partial index holds just those, by team.
CREATE INDEX offences_open ON offences (team, incident_id) WHERE outcome_code IS NULL;
