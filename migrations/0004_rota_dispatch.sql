-- The duty rota (weekly slots, one-off shifts, leave) and dispatch requests.
-- Times are ISO 8601 UTC text; weekly slots keep Paris wall-clock times ("18:00").
-- Professionals are named by their Matrix user id (the bot reaches them there).

CREATE TABLE duty_slots (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    profession  TEXT NOT NULL,               -- TRE_G15 code: 60 infirmier, 70 kiné ...
    communes    TEXT NOT NULL DEFAULT '',    -- INSEE codes, comma-separated; '' = territory
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),  -- 0 = Monday
    start_time  TEXT NOT NULL,               -- "HH:MM" Paris
    end_time    TEXT NOT NULL,               -- "HH:MM" Paris; not after start = next day
    valid_from  TEXT,                        -- "YYYY-MM-DD" or NULL
    valid_until TEXT,
    source      TEXT NOT NULL,               -- 'csv' or 'chat'
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX duty_slots_user ON duty_slots (user_id);

CREATE TABLE duty_shifts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    profession  TEXT NOT NULL,
    communes    TEXT NOT NULL DEFAULT '',
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL CHECK (ends_at > starts_at),
    source      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX duty_shifts_time ON duty_shifts (ends_at, starts_at);

CREATE TABLE leaves (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL CHECK (ends_at > starts_at),  -- exclusive
    source      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX leaves_time ON leaves (ends_at, starts_at);

CREATE TABLE dispatches (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    state            TEXT NOT NULL CHECK (state IN ('open', 'taken', 'expired', 'cancelled',
                                                    'completed')),
    requester        TEXT NOT NULL,
    request_room     TEXT NOT NULL,
    profession       TEXT NOT NULL,
    communes         TEXT NOT NULL,              -- INSEE codes asked for, comma-separated
    widened_communes TEXT NOT NULL DEFAULT '',   -- added by escalation
    needed_at        TEXT NOT NULL,
    needed_precision TEXT NOT NULL,
    what             TEXT NOT NULL,              -- broadcast text: no patient identity
    details          TEXT NOT NULL DEFAULT '',   -- private: only for the one who accepts
    urgent           INTEGER NOT NULL DEFAULT 0,
    taken_by         TEXT,
    taken_at         TEXT,
    step_index       INTEGER NOT NULL DEFAULT 0, -- escalation steps done
    next_step_at     TEXT,                       -- when the next escalation step is due
    expires_at       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX dispatches_open ON dispatches (state, next_step_at);
CREATE INDEX dispatches_expiry ON dispatches (state, expires_at);
CREATE INDEX dispatches_requester ON dispatches (requester, created_at);

-- Who was asked, when, and what they answered.
CREATE TABLE dispatch_recipients (
    dispatch_id INTEGER NOT NULL REFERENCES dispatches (id),
    user_id     TEXT NOT NULL,
    step_index  INTEGER NOT NULL,
    asked_at    TEXT NOT NULL,
    answer      TEXT CHECK (answer IN ('accepted', 'declined', 'late', 'handed_back')),
    answered_at TEXT,
    PRIMARY KEY (dispatch_id, user_id)
);

-- The bot's messages about a dispatch, once sent: replies and reactions to them resolve
-- to the dispatch. ``kind``: broadcast (direct), room (duty room), details, requester.
CREATE TABLE dispatch_messages (
    event_id    TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL,
    dispatch_id INTEGER NOT NULL REFERENCES dispatches (id),
    kind        TEXT NOT NULL,
    target      TEXT NOT NULL,
    sent_at     TEXT NOT NULL
);
CREATE INDEX dispatch_messages_dispatch ON dispatch_messages (dispatch_id);

-- Every transition of every dispatch: who, when (tracking table, monthly figures).
CREATE TABLE dispatch_transitions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dispatch_id INTEGER NOT NULL REFERENCES dispatches (id),
    event       TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dispatch_transitions_dispatch ON dispatch_transitions (dispatch_id, id);
CREATE INDEX dispatch_transitions_at ON dispatch_transitions (at);

-- A dispatch being written in a guided exchange, one per user.
CREATE TABLE dispatch_drafts (
    user_id    TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    fields     TEXT NOT NULL,    -- JSON
    awaiting   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
