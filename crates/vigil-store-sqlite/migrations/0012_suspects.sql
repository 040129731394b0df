-- Outstanding suspects: an open offence's suspect is looked up among the arrests by person.
CREATE INDEX arrests_person ON arrests (person_id);
-- A victim's Clare's Law applications, for the right-to-know prompt on their cases.
CREATE INDEX disclosures_at_risk ON disclosures (at_risk_id);
-- The audit page finds a record's entries and an action's by these.
CREATE INDEX audit_log_subject_id ON audit_log (subject_id);
CREATE INDEX audit_log_action ON audit_log (action);
