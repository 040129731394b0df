-- Outstanding suspects: an open offence's suspect is looked up among the arrests by person.
CREATE INDEX arrests_person ON arrests (person_id);
