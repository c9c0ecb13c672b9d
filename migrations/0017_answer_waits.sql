-- Answers (replies, thread answers, reactions) to an event the bot does not know yet:
-- it may be one of its own sends the homeserver accepted but the outbox has not recorded
-- (a crash between the two). The answer stays in the inbox and waits here, bounded in
-- time and count, until the outbox records that event; it is never given to another
-- request meanwhile.
CREATE TABLE answer_waits (
    event_id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    since TEXT NOT NULL
);

-- "Is a send to this room or person still unrecorded?" is asked for every such answer.
CREATE INDEX outbox_unsent_target ON outbox (target) WHERE sent_at IS NULL;
