-- A case page reads everything recorded against one incident, and a person page a person's
-- referrals: index the columns those reads look up.
CREATE INDEX arrests_incident ON arrests (incident_id);
CREATE INDEX referrals_incident ON referrals (incident_id);
CREATE INDEX referrals_person ON referrals (person_id);
CREATE INDEX protection_orders_incident ON protection_orders (incident_id);
