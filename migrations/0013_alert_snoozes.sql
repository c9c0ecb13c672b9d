-- « Plus tard »: a reader postpones the reminder of one posting of an alert for
-- themselves. One row per (posting, reader); saying it again moves remind_at.
CREATE TABLE alert_snoozes (
    firing_id    INTEGER NOT NULL REFERENCES alert_firings (id),
    user_id      TEXT NOT NULL,
    snoozed_at   TEXT NOT NULL,
    remind_at    TEXT NOT NULL,
    reminded_at  TEXT,                           -- NULL until their reminder is queued
    PRIMARY KEY (firing_id, user_id)
);
CREATE INDEX alert_snoozes_due ON alert_snoozes (reminded_at, remind_at);
