-- A browser session also ends after a spell of inactivity (the web application moves this
-- forward as the user works); empty for an API token, which lasts until it expires.
ALTER TABLE sessions ADD COLUMN idle_expires_at TEXT;
