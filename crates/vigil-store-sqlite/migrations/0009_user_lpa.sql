-- An officer's home Local Policing Area: their team queue opens on it.
ALTER TABLE users ADD COLUMN lpa TEXT;
