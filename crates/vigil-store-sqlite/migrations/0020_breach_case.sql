-- A DAPO's breach is a criminal offence recorded on a new incident: each breach names the
-- case made for it (empty for every other breach, and for breaches recorded before).
ALTER TABLE protective_events ADD COLUMN incident_id TEXT;
