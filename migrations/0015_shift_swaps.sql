-- Swaps and cover by chat: a professional on duty asks for a replacement, the first
-- free colleague to accept takes the shift; a coordinator may also replace someone.
-- Times are ISO 8601 UTC text.

-- A request for cover of one duty occurrence.
CREATE TABLE shift_swaps (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    state        TEXT NOT NULL CHECK (state IN ('open', 'taken', 'cancelled', 'expired')),
    requester    TEXT NOT NULL,
    request_room TEXT NOT NULL,
    profession   TEXT NOT NULL,
    communes     TEXT NOT NULL DEFAULT '',   -- INSEE codes of the duty, comma-separated
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL CHECK (ends_at > starts_at),
    taken_by     TEXT,
    taken_at     TEXT,
    expires_at   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX shift_swaps_open ON shift_swaps (state, expires_at);
CREATE INDEX shift_swaps_requester ON shift_swaps (requester, state);

CREATE TABLE shift_swap_recipients (
    swap_id     INTEGER NOT NULL REFERENCES shift_swaps (id),
    user_id     TEXT NOT NULL,
    asked_at    TEXT NOT NULL,
    answer      TEXT CHECK (answer IN ('accepted', 'declined', 'late')),
    answered_at TEXT,
    PRIMARY KEY (swap_id, user_id)
);

-- The bot's messages about a swap, once sent (replies and reactions lead back to it).
CREATE TABLE shift_swap_messages (
    event_id TEXT PRIMARY KEY,
    room_id  TEXT NOT NULL,
    swap_id  INTEGER NOT NULL REFERENCES shift_swaps (id),
    kind     TEXT NOT NULL,     -- offer (in a colleague's direct chat)
    target   TEXT NOT NULL,
    sent_at  TEXT NOT NULL
);
CREATE INDEX shift_swap_messages_swap ON shift_swap_messages (swap_id);

CREATE TABLE shift_swap_transitions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    swap_id    INTEGER NOT NULL REFERENCES shift_swaps (id),
    event      TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX shift_swap_transitions_swap ON shift_swap_transitions (swap_id, id);

-- Who covers whose duty: the occurrence of ``from_user``'s duty of ``profession``
-- starting at ``starts_at`` (a one-off shift or one week of a weekly slot) is done by
-- ``to_user``. The rota applies these on top of the slots and shifts, so a CSV
-- re-import keeps them.
CREATE TABLE duty_handovers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    from_user   TEXT NOT NULL,
    to_user     TEXT NOT NULL,
    profession  TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL CHECK (ends_at > starts_at),
    swap_id     INTEGER REFERENCES shift_swaps (id),   -- NULL: a coordinator's override
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX duty_handovers_time ON duty_handovers (ends_at, starts_at);
