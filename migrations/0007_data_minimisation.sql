-- Data minimisation: what people typed is erased as soon as the bot no longer needs it.
--
-- * outbox: a row's payload (the text sent) is emptied in the transaction that marks it
--   sent; what stays is the transaction id, the event id, the room it went to and when.
-- * dispatches: the private details (patient's name, address, phone, door code) are
--   emptied when the dispatch ends, or some hours after it was taken; what stays is that
--   there were details (their length) and when they were erased.
-- * bot_status: what `cpts-bot status` reports (last sync, device, cross-signing,
--   rooms joined), written by the running bot and read without locking it.

ALTER TABLE outbox ADD COLUMN room_id TEXT;            -- the room the event went to
ALTER TABLE outbox ADD COLUMN payload_erased_at TEXT;  -- when the payload was emptied

ALTER TABLE dispatches ADD COLUMN details_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dispatches ADD COLUMN details_erased_at TEXT;
ALTER TABLE dispatches ADD COLUMN what_erased_at TEXT;
CREATE INDEX dispatches_details_kept ON dispatches (state, taken_at) WHERE details <> '';

-- Rows sent before this migration: the same erasure, once.
UPDATE outbox SET payload = '{}', payload_erased_at = sent_at
    WHERE sent_at IS NOT NULL AND payload <> '{}';
DELETE FROM outbox_media WHERE txn_id IN (SELECT txn_id FROM outbox WHERE sent_at IS NOT NULL);
UPDATE dispatches SET details_length = length(details), details = '',
    details_erased_at = updated_at
    WHERE state IN ('expired', 'cancelled', 'completed') AND details <> '';

CREATE TABLE bot_status (
    key        TEXT PRIMARY KEY,   -- last_sync_at, device_id, cross_signing, rooms_joined ...
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
