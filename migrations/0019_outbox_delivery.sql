-- Delivery per destination: an answer to someone who just wrote goes before bulk sends;
-- a failing destination is retried on its own schedule; a row failing beyond its bound
-- is set aside ("stuck"), reported once, and stays visible until dropped.
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;  -- 0: answer, 1: bulk
ALTER TABLE outbox ADD COLUMN first_failed_at TEXT;  -- first failure of the current streak
ALTER TABLE outbox ADD COLUMN retry_at TEXT;         -- not tried again before this time
ALTER TABLE outbox ADD COLUMN stuck_at TEXT;         -- set aside: no more attempts
ALTER TABLE outbox ADD COLUMN closed_reason TEXT;    -- why a row was closed unsent

-- What the coordination was told about deliveries, so that it is told once:
-- ``stuck:<destination>`` (a destination that stays unreachable), ``slowed`` (the
-- homeserver's rate limit). Deleted when the destination works again / the queue drains.
CREATE TABLE delivery_reports (
    subject     TEXT PRIMARY KEY,
    reported_at TEXT NOT NULL
);

-- A direct chat is created once, then its person invited: a failed invitation is tried
-- again in the same room (never a new room per retry).
ALTER TABLE direct_rooms ADD COLUMN invited_at TEXT;
UPDATE direct_rooms SET invited_at = created_at;
