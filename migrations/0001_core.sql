-- Core tables of the bot: exactly-once handling, the outbox, users' preferences.
-- Times are ISO 8601 UTC text ("2026-11-23T08:00:00Z").

-- The sync position, saved in the same transaction as the events it delivered.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Events received and not yet handled (decrypted payload kept only until handled).
CREATE TABLE inbox (
    event_id    TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL,
    sender      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);

-- Every event handled, so that none is answered twice (across restarts and kill -9).
CREATE TABLE handled_events (
    event_id   TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    handled_at TEXT NOT NULL
);

-- What the bot owes the homeserver: sends with a fixed transaction id, so that a resend
-- after a crash is deduplicated by the homeserver.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    txn_id      TEXT NOT NULL UNIQUE,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    correlation TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    event_id    TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- A user's chosen language.
CREATE TABLE user_preferences (
    user_id    TEXT PRIMARY KEY,
    language   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The encrypted direct chat the bot uses with each user.
CREATE TABLE direct_rooms (
    user_id    TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- When the bot joined each room: older events are not for it.
CREATE TABLE room_memberships (
    room_id   TEXT PRIMARY KEY,
    joined_at TEXT NOT NULL
);
