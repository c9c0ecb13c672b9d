"""The bot's Matrix client: matrix-nio's ``AsyncClient``, with its one-time-key claims
made one at a time, and nio's trust files cleared of repeated lines at start.

Two claims for the same device at once (a batch of deliveries preparing its recipients'
keys while a chat's room key is shared ahead, or two rooms' first sends) can pick the
same one-time key on Synapse with PostgreSQL: the second claim then comes back without
any key for that device. nio goes on: it shares the room key with the others, marks it
shared, and the person cannot read anything the bot sends in that chat until the key
changes (the fan-out benchmark saw a welcome nobody could decrypt). Here a claim waits
for the one in flight, then asks only for the devices still without an Olm session
(and those nio wants a new session with: a wedged one, a key request waiting).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from nio import AsyncClient, KeysClaimError, KeysClaimResponse

log = logging.getLogger(__name__)


class BotClient(AsyncClient):
    """``AsyncClient`` whose ``keys_claim`` runs one at a time (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._claiming = asyncio.Lock()

    async def keys_claim(
        self, user_set: dict[str, Iterable[str]]
    ) -> KeysClaimResponse | KeysClaimError:
        if self.olm is None:  # no encryption: nothing to keep apart
            return await super().keys_claim(user_set)
        async with self._claiming:
            wanted = still_to_claim(self.olm, user_set)
            if not wanted:
                return KeysClaimResponse({}, {})  # the claim before did it all
            return await super().keys_claim(wanted)


def still_to_claim(olm: Any, user_set: dict[str, Iterable[str]]) -> dict[str, list[str]]:
    """The devices of ``user_set`` still without an Olm session, or whose session nio
    wants to replace; a device nio does not know is kept (nio decides)."""
    wanted: dict[str, list[str]] = {}
    renew = {
        (device.user_id, device.id)
        for device in [*olm.wedged_devices, *olm.key_request_devices_no_session]
    }
    for user_id, device_ids in user_set.items():
        known = {device.id: device for device in olm.device_store.active_user_devices(user_id)}
        for device_id in device_ids:
            device = known.get(device_id)
            if (
                device is None
                or (user_id, device_id) in renew
                or not olm.session_store.get(device.curve25519)
            ):
                wanted.setdefault(user_id, []).append(device_id)
    return wanted


# Repeated lines in nio's trust files were left by the versions of the bot that marked a
# device again at each refresh of its owner's identity (now only when the mark changes:
# sender_trust.py): nio's default store (``file_trustdb.KeyStore``) appended the key at
# each verification, and its ``remove`` drops one occurrence only, so a device
# blacklisted after being verified twice would load as verified at the next start. Each
# file is written back with one line per device, at start, before any device is marked.
# nio's DefaultStore: verified, blacklisted and ignored devices, one file each.
TRUST_FILES = ("trust_db", "blacklist_db", "ignore_db")


def drop_repeated_marks(store: Any) -> int:
    """Keep the first of identical lines in each of ``store``'s trust files (nio's
    ``KeyStore``, private ``_entries`` and ``_save``); how many lines were dropped."""
    dropped = 0
    for name in TRUST_FILES:
        keys = getattr(store, name, None)
        entries = getattr(keys, "_entries", None)
        if keys is None or entries is None:
            continue  # another store kind: nothing of the sort
        seen: set[str] = set()
        kept = []
        for entry in entries:
            line = entry.to_line()
            if line not in seen:
                seen.add(line)
                kept.append(entry)
        if len(kept) < len(entries):
            dropped += len(entries) - len(kept)
            keys._entries = kept
            keys._save()  # nio's atomic write of the whole file
    if dropped:
        log.info("repeated device marks dropped from nio's trust files", extra={"count": dropped})
    return dropped
