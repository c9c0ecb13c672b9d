-- Senders' identities: each user's cross-signing master key, pinned on first sight.
-- When the homeserver shows another master key, the user's devices are not trusted until
-- a coordinator confirms the new key ("confiance @user:server").

CREATE TABLE pinned_identities (
    user_id            TEXT PRIMARY KEY,
    master_key         TEXT NOT NULL,   -- the trusted master key (unpadded base64)
    pinned_at          TEXT NOT NULL,
    changed_at         TEXT,            -- when pending_master_key was first seen
    pending_master_key TEXT,            -- a new key awaiting confirmation (NULL: none)
    warned_at          TEXT,            -- when the coordinators were warned of it
    confirmed_at       TEXT,
    confirmed_by       TEXT
);
CREATE INDEX pinned_identities_pending ON pinned_identities (user_id)
    WHERE pending_master_key IS NOT NULL;

-- Why a user's message was ignored, told once per device and reason.
CREATE TABLE trust_notices (
    user_id     TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    notified_at TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id, reason)
);
