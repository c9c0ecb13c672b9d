-- The médecin-traitant desk: patients without a GP, without identity, and GPs' room.
-- What is shared about a patient is a commune, an age band and priority criteria; what
-- the referrer typed (with any contact details) lives in medecin_traitant_private only,
-- and is deleted once delivered to the GP who accepted.

CREATE TABLE medecin_traitant_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    state         TEXT NOT NULL CHECK (state IN ('waiting', 'placed', 'cancelled')),
    commune       TEXT NOT NULL,              -- INSEE code
    age_band      TEXT NOT NULL,              -- "70-79", "80+"
    priorities    TEXT NOT NULL DEFAULT '',   -- ald,age,c2s,pregnancy,disability,hospital_discharge
    referrer      TEXT NOT NULL,              -- Matrix id of the professional who registered it
    referrer_room TEXT NOT NULL,
    placed_with   TEXT,                       -- Matrix id of the GP
    placed_at     TEXT,
    cancelled_at  TEXT,
    escalated_at  TEXT,                       -- brought to the coordination room
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX medecin_traitant_requests_state ON medecin_traitant_requests (state, created_at);
CREATE INDEX medecin_traitant_requests_placed ON medecin_traitant_requests (placed_with, placed_at);

-- Private: the referrer's words and contact details, for the GP who accepts only.
CREATE TABLE medecin_traitant_private (
    request_id INTEGER PRIMARY KEY REFERENCES medecin_traitant_requests (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Offers to GPs: one pending offer per GP at a time (answer IS NULL).
CREATE TABLE medecin_traitant_offers (
    request_id  INTEGER NOT NULL REFERENCES medecin_traitant_requests (id),
    user_id     TEXT NOT NULL,
    tier        INTEGER NOT NULL,             -- 0 same commune, 1 neighbour, 2 department, 3 territory
    offered_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    answer      TEXT CHECK (answer IN ('accepted', 'declined', 'expired', 'taken', 'withdrawn')),
    answered_at TEXT,
    PRIMARY KEY (request_id, user_id)
);
CREATE UNIQUE INDEX medecin_traitant_offers_one_pending
    ON medecin_traitant_offers (user_id) WHERE answer IS NULL;

-- Every transition of every request (figures, audit).
CREATE TABLE medecin_traitant_transitions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES medecin_traitant_requests (id),
    event      TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX medecin_traitant_transitions_request ON medecin_traitant_transitions (request_id, id);

-- The bot's messages about requests, once sent: replies and reactions resolve to them.
-- kind: offer (to a GP), registered (to the referrer), reminder (to a GP).
CREATE TABLE medecin_traitant_messages (
    event_id   TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    request_id INTEGER,
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL,
    sent_at    TEXT NOT NULL
);

-- Each GP's latest declaration of room, and the monthly reminder.
CREATE TABLE medecin_traitant_gps (
    user_id          TEXT PRIMARY KEY,
    capacity         INTEGER NOT NULL DEFAULT 0,
    scope            TEXT NOT NULL CHECK (scope IN ('once', 'this_month', 'every_month')),
    accepting        INTEGER NOT NULL DEFAULT 0,
    priorities       TEXT NOT NULL DEFAULT '',
    declared_at      TEXT NOT NULL,
    reminders        INTEGER NOT NULL DEFAULT 1,
    last_reminded_at TEXT
);

-- Every declaration, kept for the monthly figures (declared places against placements).
CREATE TABLE medecin_traitant_declarations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT NOT NULL,
    capacity    INTEGER NOT NULL,
    scope       TEXT NOT NULL,
    accepting   INTEGER NOT NULL,
    priorities  TEXT NOT NULL DEFAULT '',
    declared_at TEXT NOT NULL
);
CREATE INDEX medecin_traitant_declarations_at ON medecin_traitant_declarations (declared_at);
