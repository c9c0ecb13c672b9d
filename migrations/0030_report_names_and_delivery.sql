-- The monthly report's « délai médian de réponse » runs from a question's arrival to the
-- delivery of its answer: the outbox sets ``answer_delivered_at`` (and the response time)
-- when it delivers the first reply to the question's event.
ALTER TABLE tracked_requests ADD COLUMN answer_delivered_at TEXT;
CREATE INDEX tracked_requests_source ON tracked_requests (source_event_id)
    WHERE source_event_id IS NOT NULL;

-- The name people show in Matrix (their display name), as last seen in a message: the
-- bot names them by it when neither the directory nor the rota does.
CREATE TABLE matrix_names (
    user_id    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
