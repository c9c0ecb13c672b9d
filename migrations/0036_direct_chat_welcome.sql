-- A direct chat the bot opened ahead of need gets one short welcome once its person has
-- joined (services/direct_chat_welcome.py): they learn what the chat is for, and the
-- chat has had a message before the first request that matters there (a room's first
-- message costs the homeserver more than the next ones). welcomed_at: when the welcome
-- was queued, or found not needed (the bot had written there already).
ALTER TABLE direct_rooms ADD COLUMN welcomed_at TEXT;
-- The chats that exist already are in use: no welcome for them.
UPDATE direct_rooms SET welcomed_at = created_at;
