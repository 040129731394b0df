-- The CRU's queue reads the recent high-risk incidents: a partial index holds only those,
-- by date.
CREATE INDEX incidents_high_risk ON incidents (reported_at) WHERE risk_level = 'high';
