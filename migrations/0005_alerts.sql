-- Territorial alerts: what the coordination broadcasts, when, to which rooms, and who
-- acknowledged. The database is the truth; the scheduler only wakes the bot up.

CREATE TABLE alerts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    text               TEXT NOT NULL,
    level              TEXT NOT NULL CHECK (level IN ('info', 'important', 'urgent')),
    audience           TEXT NOT NULL,          -- JSON list: "alerts", "duty", "coordination", "profession:IDE"
    schedule           TEXT NOT NULL,          -- Schedule.spec ("once 2026-...Z", "weekly 0 08:00", "cron ...")
    schedule_words     TEXT NOT NULL,          -- what the coordinator typed
    starts_at          TEXT NOT NULL,          -- occurrences after this instant count
    expires_at         TEXT,                   -- exclusive; NULL: no end
    reminder_minutes   INTEGER,                -- remind who has not acknowledged, after this delay
    status             TEXT NOT NULL CHECK (status IN
                           ('draft', 'active', 'paused', 'cancelled', 'finished', 'expired')),
    last_scheduled_for TEXT,                   -- the last occurrence handled (posted or skipped)
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    draft_room_id      TEXT,                   -- where the draft waits for "oui"
    updated_at         TEXT NOT NULL
);
CREATE INDEX alerts_status ON alerts (status);

-- Who created and changed what, and what the scheduler did (skipped, expired ...).
CREATE TABLE alert_changes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id  INTEGER NOT NULL REFERENCES alerts (id),
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,                   -- a user id, or "scheduler"
    action    TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX alert_changes_alert ON alert_changes (alert_id);

-- Each occurrence handled, once: the unique key makes a second posting impossible.
CREATE TABLE alert_firings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id       INTEGER NOT NULL REFERENCES alerts (id),
    scheduled_for  TEXT NOT NULL,
    fired_at       TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('posted', 'skipped')),
    late           INTEGER NOT NULL DEFAULT 0,
    level          TEXT NOT NULL,
    targeted       INTEGER,                    -- members of the target rooms at posting
    reminded_at    TEXT,
    UNIQUE (alert_id, scheduled_for)
);

-- One post per target room of a firing; event id known once sent.
CREATE TABLE alert_posts (
    firing_id   INTEGER NOT NULL REFERENCES alert_firings (id),
    room_id     TEXT NOT NULL,
    event_id    TEXT,
    pinned_at   TEXT,
    unpinned_at TEXT,
    PRIMARY KEY (firing_id, room_id)
);
CREATE INDEX alert_posts_event ON alert_posts (event_id);

CREATE TABLE alert_acknowledgements (
    firing_id  INTEGER NOT NULL REFERENCES alert_firings (id),
    user_id    TEXT NOT NULL,
    at         TEXT NOT NULL,
    via        TEXT NOT NULL,                  -- reaction | reply
    PRIMARY KEY (firing_id, user_id)
);
