-- Notices about duties, each sent at most once: the reminder before a duty, the
-- coordination's notice that a duty has nobody, the reminder of an unanswered request
-- for cover, the weekly summary of the rota's gaps. A notice is recorded (INSERT OR
-- IGNORE on its key) in the transaction that queues its message, so a restart never
-- sends it twice. ``subject``: the person for a reminder, '' for a room notice.
CREATE TABLE duty_notices (
    kind       TEXT NOT NULL,     -- duty_reminder, uncovered, swap_reminder, swap_uncovered, gaps
    subject    TEXT NOT NULL,
    profession TEXT NOT NULL,
    starts_at  TEXT NOT NULL,     -- ISO 8601 UTC: the duty's start (the week's, for gaps)
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (kind, subject, profession, starts_at)
);

-- A person's choice about duty reminders: off, or at another time the day before.
CREATE TABLE duty_reminder_settings (
    user_id    TEXT PRIMARY KEY,
    enabled    INTEGER NOT NULL DEFAULT 1,
    at_time    TEXT,              -- "HH:MM" Paris, the day before; NULL: the territory's
    updated_at TEXT NOT NULL
);
