-- The tracking table: every request the bot handled, for the coordination's monthly
-- figures. Who asked is kept as a profession only; the raw text of the request lives
-- in free_text alone, which the retention policy empties after a set number of days.

CREATE TABLE tracked_requests (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    requested_at         TEXT NOT NULL,            -- UTC
    kind                 TEXT NOT NULL,            -- question, dispatch, alert, update, handoff
    category             TEXT NOT NULL,            -- e.g. orientation, duty, unscheduled_care
    requester_profession TEXT,                     -- the asker's profession, never the patient's
    summary              TEXT,                     -- what was understood, short, no free text
    free_text            TEXT,                     -- the words typed; purged by retention
    free_text_purged_at  TEXT,
    outcome              TEXT NOT NULL,            -- answered, nothing_found, handed_off, ...
    outcome_at           TEXT NOT NULL,
    response_ms          INTEGER,
    profession_asked     TEXT,
    commune_asked        TEXT,
    source_event_id      TEXT
);
CREATE INDEX tracked_requests_month ON tracked_requests (requested_at);
CREATE INDEX tracked_requests_unpurged ON tracked_requests (requested_at)
    WHERE free_text IS NOT NULL;

-- Every change of outcome, with its time (handed off, then answered ...).
CREATE TABLE tracked_request_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  INTEGER NOT NULL REFERENCES tracked_requests (id) ON DELETE CASCADE,
    outcome     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX tracked_request_events_request ON tracked_request_events (request_id);

-- Requests handed to a person of the coordination team.
CREATE TABLE handoffs (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id              INTEGER REFERENCES tracked_requests (id),
    requester               TEXT NOT NULL,        -- Matrix user id, to relay the answer
    origin_room_id          TEXT NOT NULL,
    origin_event_id         TEXT,
    question                TEXT,                 -- purged by retention with free_text
    created_at              TEXT NOT NULL,
    coordination_room_id    TEXT NOT NULL,
    coordination_event_id   TEXT,                 -- set once the outbox row is sent
    answered_at             TEXT,
    answered_by             TEXT,
    answer_count            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX handoffs_coordination_event ON handoffs (coordination_event_id);

-- Bytes of images queued in the outbox (action "image"), keyed by the outbox row.
CREATE TABLE outbox_media (
    txn_id     TEXT PRIMARY KEY REFERENCES outbox (txn_id) ON DELETE CASCADE,
    mimetype   TEXT NOT NULL,
    data       BLOB NOT NULL
);

-- Monthly reports posted by the job of the 1st: a restart neither skips nor repeats one.
CREATE TABLE monthly_reports_posted (
    month     TEXT PRIMARY KEY,                -- "2026-11"
    room_id   TEXT NOT NULL,
    posted_at TEXT NOT NULL
);
