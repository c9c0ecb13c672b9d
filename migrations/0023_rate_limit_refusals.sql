-- The homeserver's 429 refusals (M_LIMIT_EXCEEDED), one row each, for `cpts-bot status`
-- (throttling seen in the last hour). Rows older than a day are deleted as new ones come.
CREATE TABLE rate_limit_refusals (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    seen_at        TEXT NOT NULL,
    endpoint       TEXT NOT NULL,   -- send, createRoom, invite, keys/claim, upload ...
    retry_after_ms INTEGER
);
CREATE INDEX rate_limit_refusals_seen ON rate_limit_refusals (seen_at);
