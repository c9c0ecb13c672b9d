-- Follow-ups (a reply or a reaction to a dispatch, an alert, a hand-off) are routed by
-- the correlation of the bot's message they answer: find it by its event id.
CREATE INDEX outbox_event_id ON outbox (event_id) WHERE event_id IS NOT NULL;
